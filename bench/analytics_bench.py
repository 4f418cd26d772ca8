#!/usr/bin/env python3
"""Analytics benchmark on the shared corpus: outcome metrics, the staff dashboard, scorecard and API.

    .venv/bin/python bench/analytics_bench.py                 # load + layer if needed, run, record
    .venv/bin/python bench/analytics_bench.py --no-record     # print only
    .venv/bin/python bench/analytics_bench.py --runs 50 --explain

The corpus (bench/load_corpus.py) has questions, replies and accepted answers but no staff, cases,
feedback or sentiment, so after loading this script adds a deterministic outcome layer (seeded):
  - 12 of the 500 users become staff (9 agents, 2 moderators, 1 admin), chosen among active
    repliers; a solved question whose accepted reply is by staff becomes solved_by "support";
  - ~10 % of questions are escalated into a case (more often when unsolved), with a priority, a
    first-response due time from the priority's target, a first staff response (~8 % never, some
    late), and a resolution for ~85 % of them;
  - ~30 % of askers whose question got a reply leave feedback (resolved yes/no, rating 1-5);
  - every post gets a sentiment score (seeded, normal around +0.1; askers' follow-ups spread wider),
    or with --real-sentiment the real VADER scores through forum.services.sentiment.backfill()
    (slower; also reports the backfill's posts/s).
The layer is written once per loaded corpus (marker analytics-layer.json in the data dir).

The clock is frozen at NOW (2024-08-01, inside the corpus's year), so "the default period" (the last
30 days) holds data. Measured, each after --warmup untimed runs, --runs timed runs, p50/p95/max ms,
CPU ms (p50) and SQL statements per run:
  1. metrics.summary() for the default 30 days, 90 days, 90 days in one category, all of 2024;
  2. the dashboard's pair: summary(period) + summary(period.previous());
  3. pages through the Flask test client when their routes exist: GET /staff/analytics (signed
     in as an agent; default and 90-day/category), /scorecard, GET /api/v1/metrics/summary.
--explain prints the query plans (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) of summary()'s statements.

The database is its own (default <tmp>/horseshoe-bench/analytics, HORSESHOE_BENCH_DATA_DIR overrides;
HORSESHOE_DATABASE_URL honoured), so the search benchmark's database stays a pure corpus. Before
timing, newer migrations are applied and what the models declare beyond them is added (sync_schema).
Target (bench/README.md): the staff dashboard renders in < 300 ms on the 40,000-post corpus.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402  (also puts the repo root on sys.path)
import search_bench  # noqa: E402  (percentile, machine, record helpers)

LAYER_MARKER = "analytics-layer.json"
LAYER_VERSION = 1
NOW = datetime(2024, 8, 1, tzinfo=UTC)
TARGET_MS = 300.0
# Indexes added for analytics (issue 8), left out by --without-new-indexes to measure "before".
NEW_INDEXES = {"ix_post_thread_author"}
CATEGORY_SLUG = "insomnia"
STAFF = ["agent"] * 9 + ["moderator"] * 2 + ["admin"]
CASE_SHARE, FEEDBACK_SHARE = 0.10, 0.30
SOURCES = ["customer", "sla", "staff", "advocate", "sentiment"]
FIRST_RESPONSE_HOURS = {"urgent": 1, "high": 4, "normal": 8, "low": 24}


def default_data_dir() -> Path:
    return Path(os.environ.get("HORSESHOE_BENCH_DATA_DIR") or Path(tempfile.gettempdir()) / "horseshoe-bench"
                / "analytics")


# ---------------------------------------------------------------------------- the outcome layer


def layer_is_current(data_dir: Path, corpus_marker: dict, layer_seed: int, real_sentiment: bool) -> bool:
    path = data_dir / LAYER_MARKER
    if not path.exists():
        return False
    layer = json.loads(path.read_text())
    return (layer.get("version"), layer.get("corpus_loaded_at"), layer.get("seed"), layer.get("real_sentiment")) \
        == (LAYER_VERSION, corpus_marker["loaded_at"], layer_seed, real_sentiment)


def _staff_rows(rng: random.Random) -> tuple[list[dict], set[int]]:
    """The most active repliers among the first 100 by reply count become staff (so staff replies exist)."""
    from sqlalchemy import func, select

    from forum.core.extensions import db
    from forum.models import Post

    active = db.session.execute(
        select(Post.author_id).where(Post.is_question.is_(False)).group_by(Post.author_id)
        .order_by(func.count().desc(), Post.author_id).limit(100)
    ).scalars().all()
    chosen = sorted(rng.sample(list(active), len(STAFF)))
    return [{"id": user_id, "role": role} for user_id, role in zip(chosen, STAFF, strict=True)], set(chosen)


def _case_rows(rng: random.Random, questions: list, agents: list[int]) -> list[dict]:
    rows = []
    for thread_id, author_id, created_at, solved in questions:
        if rng.random() >= (CASE_SHARE * 0.6 if solved else CASE_SHARE * 1.35):
            continue
        opened = created_at + timedelta(hours=rng.uniform(1, 72))
        priority = rng.choices(list(FIRST_RESPONSE_HOURS), weights=[5, 20, 60, 15])[0]
        target = timedelta(hours=FIRST_RESPONSE_HOURS[priority])
        responded = None if rng.random() < 0.08 else opened + target * rng.expovariate(1 / 0.6)
        resolved = None
        if responded is not None and rng.random() < 0.85:
            resolved = responded + timedelta(hours=rng.lognormvariate(2.5, 1.0))
        status = "resolved" if resolved else rng.choice(["new", "open", "pending_customer"])
        rows.append({
            "thread_id": thread_id, "open_thread_id": None if resolved else thread_id, "customer_id": author_id,
            "status": status, "priority": priority,
            "source": rng.choices(SOURCES, weights=[40, 30, 15, 10, 5])[0],
            "reason": "Still need help with this.", "assignee_id": rng.choice(agents),
            "first_response_due_at": opened + target, "first_response_at": responded,
            "resolution": "Sorted out with the customer." if resolved else None, "resolved_at": resolved,
            "created_at": opened, "updated_at": resolved or responded or opened,
        })
    return rows


def _feedback_rows(rng: random.Random, questions: list) -> list[dict]:
    rows = []
    for thread_id, author_id, created_at, solved in questions:
        if rng.random() >= FEEDBACK_SHARE:
            continue
        resolved = rng.random() < (0.85 if solved else 0.2)
        rating = rng.choices([1, 2, 3, 4, 5], weights=[2, 3, 10, 35, 50] if resolved else [30, 30, 25, 10, 5])[0]
        rows.append({
            "thread_id": thread_id, "user_id": author_id, "resolved": resolved, "rating": rating, "comment": "",
            "created_at": created_at + timedelta(hours=rng.uniform(6, 120)),
        })
    return rows


def _synthetic_sentiment(rng: random.Random) -> int:
    """A seeded compound score for every post; askers' follow-ups spread wider (relief or anger)."""
    from sqlalchemy import select, update

    from forum.core.extensions import db
    from forum.models import Post, Thread

    posts = db.session.execute(
        select(Post.id, Post.is_question, Post.author_id == Thread.author_id)
        .join(Thread, Thread.id == Post.thread_id).order_by(Post.id)
    ).all()
    rows = []
    for post_id, is_question, by_asker in posts:
        spread = 0.6 if by_asker and not is_question else 0.4
        centre = -0.15 if is_question else 0.15
        rows.append({"id": post_id, "sentiment": round(max(-1.0, min(1.0, rng.gauss(centre, spread))), 4)})
    for start in range(0, len(rows), load_corpus.BATCH):
        db.session.execute(update(Post), rows[start:start + load_corpus.BATCH])
    return len(rows)


def add_layer(app, data_dir: Path, corpus_marker: dict, layer_seed: int, real_sentiment: bool) -> dict:
    """Staff, cases, feedback and sentiment on top of the freshly loaded corpus (deterministic)."""
    from sqlalchemy import delete, insert, select, text, update

    from forum.core.extensions import db
    from forum.models import Case, Feedback, Post, Thread, User
    from forum.services import sentiment

    rng = random.Random(layer_seed)
    started = time.perf_counter()
    with app.app_context():
        db.session.execute(delete(Case))
        db.session.execute(delete(Feedback))
        db.session.execute(update(Post).values(sentiment=None))
        staff_rows, staff_ids = _staff_rows(rng)
        db.session.execute(update(User).values(role="member"))
        db.session.execute(update(User), staff_rows)
        accepted_authors = dict(db.session.execute(
            select(Thread.id, Post.author_id).join(Post, Post.id == Thread.accepted_post_id)
        ).all())
        db.session.execute(update(Thread), [
            {"id": thread_id, "solved_by": "support" if author in staff_ids else "community"}
            for thread_id, author in sorted(accepted_authors.items())
        ])
        questions = db.session.execute(
            select(Thread.id, Thread.author_id, Thread.created_at, Thread.accepted_post_id.is_not(None))
            .order_by(Thread.id)
        ).all()
        agents = [row["id"] for row in staff_rows if row["role"] == "agent"]
        cases, feedback = _case_rows(rng, questions, agents), _feedback_rows(rng, questions)
        db.session.execute(insert(Case), cases)
        db.session.execute(insert(Feedback), feedback)
        db.session.commit()
        backfill = None
        if real_sentiment:
            scoring = time.perf_counter()
            scored = sentiment.backfill(batch=500)
            backfill = {"posts": scored, "seconds": time.perf_counter() - scoring}
        else:
            scored = _synthetic_sentiment(rng)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after such a load (stats,
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))  # and the visibility map index-only scans need)
        db.engine.dispose()
    layer = {
        "version": LAYER_VERSION, "corpus_loaded_at": corpus_marker["loaded_at"], "seed": layer_seed,
        "real_sentiment": real_sentiment, "staff": len(staff_rows), "cases": len(cases), "feedback": len(feedback),
        "sentiment_posts": scored, "backfill": backfill, "seconds": round(time.perf_counter() - started, 2),
    }
    (data_dir / LAYER_MARKER).write_text(json.dumps(layer, indent=2))
    return layer


def ensure_layer(app, data_dir: Path, corpus_marker: dict, layer_seed: int, real_sentiment: bool,
                 force: bool) -> dict:
    if not force and layer_is_current(data_dir, corpus_marker, layer_seed, real_sentiment):
        return json.loads((data_dir / LAYER_MARKER).read_text())
    print("Adding the outcome layer (staff, cases, feedback, sentiment) ...", flush=True)
    layer = add_layer(app, data_dir, corpus_marker, layer_seed, real_sentiment)
    print(f"  {layer['staff']} staff, {layer['cases']} cases, {layer['feedback']} feedback answers, "
          f"{layer['sentiment_posts']} posts scored in {layer['seconds']} s.", flush=True)
    return layer


SHIMS = "analytics-shims.json"  # in the data dir: what sync_schema added outside the migrations


def sync_schema(app, data_dir: Path, new_indexes: bool) -> list[str]:
    """Bring the database to the models as they are now; returns what was created or dropped.

    Migrations can lag behind the models while work is in progress. The corpus is loaded through the
    migrations; here the bench first removes the stand-ins it added last time (its "shims"), applies
    any newer migrations (they always win), then adds as shims what the models declare and the
    database still lacks: tables, columns (nullable; the models' defaults fill them) and indexes.
    So the figures measure the code as modelled. With new_indexes=False the indexes this benchmark
    justified (NEW_INDEXES) are dropped instead: the "before" side of a before/after comparison.
    """
    import flask_migrate
    from sqlalchemy import inspect, text

    from forum.core.extensions import db

    path = data_dir / SHIMS
    shims = json.loads(path.read_text()) if path.exists() else {"tables": [], "columns": [], "indexes": []}
    with app.app_context():
        with db.engine.begin() as connection:
            for name in shims["indexes"]:
                connection.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
            for table, column in shims["columns"]:
                connection.execute(text(f'ALTER TABLE "{table}" DROP COLUMN "{column}"'))
            for table in shims["tables"]:
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
        flask_migrate.upgrade()
        migrated = set(inspect(db.engine).get_table_names())
        db.metadata.create_all(db.engine)  # checkfirst: only the missing tables (with their indexes)
        inspector = inspect(db.engine)
        shims = {"tables": sorted(set(inspector.get_table_names()) - migrated),
                 "columns": _add_missing_columns(inspector, migrated), "indexes": []}
        existing = {index["name"] for table in migrated for index in inspector.get_indexes(table)}
        for table in db.metadata.sorted_tables:
            for index in table.indexes if table.name in migrated else ():
                if index.name not in existing and (new_indexes or index.name not in NEW_INDEXES):
                    index.create(db.engine)
                    shims["indexes"].append(index.name)
                elif index.name in existing and not new_indexes and index.name in NEW_INDEXES:
                    index.drop(db.engine)  # (only if a migration made it permanent)
        db.engine.dispose()
    path.write_text(json.dumps(shims, indent=2))
    return [*shims["tables"], *(f"{table}.{column}" for table, column in shims["columns"]), *shims["indexes"]]


def _add_missing_columns(inspector, tables: set[str]) -> list[tuple[str, str]]:
    """Columns modelled before their migration, added as nullable (the models' defaults fill them on insert)."""
    from sqlalchemy import text

    from forum.core.extensions import db

    added = []
    for table in db.metadata.sorted_tables:
        if table.name not in tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(db.engine.dialect)
                default = f" DEFAULT {column.server_default.arg}" if column.server_default is not None else ""
                with db.engine.begin() as connection:
                    connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
                added.append((table.name, column.name))
    return added


# ---------------------------------------------------------------------------- timing


@contextmanager
def statements():
    """Count the SQL statements run inside the block."""
    from sqlalchemy import event

    from forum.core.extensions import db

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def timed(fn, runs: int, warmup: int) -> dict:
    """p50/p95/max ms over `runs` calls after `warmup` untimed ones; SQL statements of the last call."""
    for _ in range(warmup):
        fn()
    gc.collect()
    times, cpu = [], []
    for _ in range(runs):
        with statements() as seen:
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return {"p50": search_bench.percentile(times, 50), "p95": search_bench.percentile(times, 95),
            "max": max(times), "mean": statistics.fmean(times), "statements": len(seen), "n": runs,
            "cpu_p50": search_bench.percentile(cpu, 50)}


def periods(category_id: int) -> dict[str, object]:
    from forum.analytics import metric_queries

    return {
        "default 30 days": metric_queries.Period(NOW - timedelta(days=30), NOW),
        "90 days": metric_queries.Period(NOW - timedelta(days=90), NOW),
        f"90 days, category `{CATEGORY_SLUG}`": metric_queries.Period(NOW - timedelta(days=90), NOW, category_id),
        "the whole year 2024 (every question)": metric_queries.Period(datetime(2024, 1, 1, tzinfo=UTC),
                                                              datetime(2025, 1, 1, tzinfo=UTC)),
    }


def bench_services(app, runs: int, warmup: int) -> list[tuple[str, dict, dict]]:
    from sqlalchemy import select

    from forum.analytics import metric_queries, metrics
    from forum.core.extensions import db
    from forum.models import Category

    rows = []
    with app.app_context():
        category_id = db.session.scalar(select(Category.id).where(Category.slug == CATEGORY_SLUG))
        for label, period in periods(category_id).items():
            shown = metrics.summary(period)
            rows.append((f"`metrics.summary`, {label}", timed(lambda p=period: metrics.summary(p), runs, warmup),
                         {"questions": shown.questions, "cases": shown.cases}))
            db.session.remove()
        period = metric_queries.Period(NOW - timedelta(days=30), NOW)
        rows.append(("`summary` + `summary(previous)` (the comparison), 30 days",
                     timed(lambda: (metrics.summary(period), metrics.summary(period.previous())), runs, warmup), {}))
    return rows


def bench_pages(app, runs: int, warmup: int) -> list[tuple[str, dict, dict]]:
    """The pages that exist (routes in the URL map), each through the test client as an agent."""
    from sqlalchemy import select

    from forum import accounts
    from forum.accounts import sessions
    from forum.core.extensions import db
    from forum.models import User
    from forum.services import community_settings

    routes = {rule.rule for rule in app.url_map.iter_rules()}
    window = f"from={(NOW - timedelta(days=90)).date()}&to={(NOW - timedelta(days=1)).date()}"
    wanted = [
        ("/staff/analytics", "GET /staff/analytics (default 30 days)", "/staff/analytics"),
        ("/staff/analytics", f"GET /staff/analytics (90 days, `{CATEGORY_SLUG}`)",
         f"/staff/analytics?{window}&category={CATEGORY_SLUG}"),
        ("/scorecard", "GET /scorecard", "/scorecard"),
        ("/api/v1/metrics/summary", "GET /api/v1/metrics/summary (default 30 days)", "/api/v1/metrics/summary"),
        ("/api/v1/metrics/summary", f"GET /api/v1/metrics/summary (90 days, `{CATEGORY_SLUG}`)",
         f"/api/v1/metrics/summary?{window}&category={CATEGORY_SLUG}"),
    ]
    rows = []
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.role == "agent").order_by(User.id).limit(1))
        # The second factor is a sign-in step, not a per-request cost: these sessions skip it.
        community_settings.update_settings_from_console({"accounts.staff_require_2fa": False})
        token = accounts.create_api_token(agent, name="analytics-bench", scope="read")
        identity = sessions.start(agent, sessions.Browser("127.0.0.1", "analytics-bench"))
        db.session.commit()
        db.session.remove()
    for rule, label, path in wanted:
        if rule not in routes:
            rows.append((label, None, {"missing": True}))
            continue
        client = app.test_client()
        if path.startswith("/api/"):
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        else:
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = identity, True
        status = client.get(path).status_code
        if status != 200:
            rows.append((label, None, {"status": status}))
            continue

        def get(client=client, path=path) -> None:
            assert client.get(path).status_code == 200

        with app.app_context():
            rows.append((label, timed(get, runs, warmup), {}))
    return rows


def explain(app) -> None:
    """Print the plan of every statement summary() runs for the 90-day period."""
    from sqlalchemy import event

    from forum.analytics import metric_queries, metrics
    from forum.core.extensions import db

    with app.app_context():
        period = metric_queries.Period(NOW - timedelta(days=90), NOW)
        captured: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, *_args) -> None:
            captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            metrics.summary(period)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        db.session.remove()
        dialect = db.engine.dialect.name
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in captured:
                prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                elapsed = (time.perf_counter() - started) * 1000
                cursor.execute(prefix + statement, parameters)
                plan = cursor.fetchall()
                print("\n" + "-" * 100 + f"\n{statement.strip()[:400]} ...\n-- {elapsed:.1f} ms")
                for row in plan:
                    print("   ", row[-1] if dialect == "sqlite" else row[0])
        finally:
            raw.close()


# ---------------------------------------------------------------------------- report


def render(r: dict) -> str:
    m, layer = r["machine"], r["layer"]
    lines = [
        f"Machine: {m['nproc']} cores (`nproc`), Python {m['python']}, {m['platform']}; commit `{m['commit']}`; "
        f"database `{r['database']}`; load average before the run {r['load']}.",
        f"Corpus: seed {r['seed']}, 2,000 questions / 40,000 posts, plus the outcome layer (seed {layer['seed']}): "
        f"{layer['staff']} staff, {layer['cases']} cases, {layer['feedback']} feedback answers, "
        f"{layer['sentiment_posts']} posts with sentiment ({'real VADER' if layer['real_sentiment'] else 'seeded'}). "
        f"Clock frozen at {NOW:%Y-%m-%d}; {r['runs']} timed runs after {r['warmup']} warm-up(s) each; "
        f"{r['indexes']} the new indexes ({', '.join(sorted(NEW_INDEXES))}). CPU ms is this process's CPU time "
        + ("(single-threaded, SQLite in-process: about the wall time on an idle machine)."
           if r["backend"] == "SQLite" else "(Python only: the PostgreSQL server's own work is not in it)."),
        "",
        "| Measure | p50 ms | p95 ms | max ms | CPU p50 ms | SQL statements | Notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, stats, notes in r["rows"]:
        if stats is None:
            why = "route not present yet" if notes.get("missing") else f"answered {notes.get('status')}"
            lines.append(f"| {label} | – | – | – | – | – | {why} |")
            continue
        note = ", ".join(f"{k} {v}" for k, v in notes.items())
        if label.startswith("GET /staff/analytics"):
            note = (note + "; " if note else "") + f"target < {TARGET_MS:.0f} ms: " + \
                search_bench.verdict(stats["p95"], TARGET_MS) + " (p95)"
        lines.append(f"| {label} | **{stats['p50']:.1f}** | {stats['p95']:.1f} | {stats['max']:.1f} | "
                     f"{stats['cpu_p50']:.1f} | {stats['statements']} | {note} |")
    if layer.get("backfill"):
        b = layer["backfill"]
        lines += ["", f"Sentiment backfill (`sentiment.backfill`, batches of 500): {b['posts']} posts in "
                      f"{b['seconds']:.1f} s = **{b['posts'] / b['seconds']:.0f} posts/s**."]
    return "\n".join(lines)


def record(body: str, r: dict) -> None:
    """A dated section in RESULTS.md (replaced on a re-run the same day and commit)."""
    import re

    day = datetime.now(UTC).strftime("%Y-%m-%d")
    variant = "" if r["indexes"] == "with" else ", without the new indexes"
    heading = f"## {day} · commit {r['machine']['commit']} · analytics on {r['backend']}{variant}"
    stamp = f"_Run at {datetime.now(UTC).strftime('%H:%M')} UTC with `{' '.join(r['argv'])}`._"
    section = f"{heading}\n\n{stamp}\n\n{body}\n"
    text = search_bench.RESULTS.read_text()
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    search_bench.RESULTS.write_text(text)


def machine() -> dict[str, str]:
    import platform
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    dirty = git("status", "--porcelain", "--", ".", ":!bench")
    return {
        "commit": git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty and dirty != "?" else ""),
        "nproc": search_bench._nproc() or str(os.cpu_count()), "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


# ---------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42, help="corpus seed")
    parser.add_argument("--layer-seed", type=int, default=7, help="seed of the cases/feedback/sentiment layer")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--real-sentiment", action="store_true", help="score posts with VADER (backfill), slower")
    parser.add_argument("--reload", action="store_true", help="reload the corpus and the layer")
    parser.add_argument("--relayer", action="store_true", help="rewrite the outcome layer")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--without-new-indexes", action="store_true",
                        help="leave out the indexes of NEW_INDEXES (the 'before' of a before/after comparison)")
    parser.add_argument("--explain", action="store_true", help="print summary()'s query plans, then exit")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args()


def main() -> None:
    args = parse_args()

    from forum.core import clock
    from forum.core.extensions import db
    from forum.http.ratelimits import limiter

    data_dir = default_data_dir()
    app, corpus_marker, _corpus_dir = load_corpus.ensure_loaded(args.seed, force=args.reload, data_dir=data_dir)
    layer = ensure_layer(app, data_dir, corpus_marker, args.layer_seed, args.real_sentiment,
                         force=args.reload or args.relayer)
    shims = sync_schema(app, data_dir, new_indexes=not args.without_new_indexes)
    if shims:
        print(f"Modelled but not migrated yet, added for this run: {', '.join(shims)}", flush=True)
    clock.freeze(NOW)
    limiter.enabled = False  # 20+ identical requests a second are the benchmark, not abuse
    if args.explain:
        explain(app)
        return
    r: dict = {"seed": args.seed, "runs": args.runs, "warmup": args.warmup, "layer": layer, "machine": machine(),
               "argv": ["bench/analytics_bench.py", *sys.argv[1:]], "load": os.getloadavg()[0]}
    r["load"] = f"{r['load']:.2f}"
    r["indexes"] = "without" if args.without_new_indexes else "with"
    with app.app_context():
        r["database"] = db.engine.url.render_as_string(hide_password=True)
        dialect = db.engine.dialect.name
        r["backend"] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(dialect, dialect)
    print(f"Timing metrics.summary ({args.runs} runs each) ...", flush=True)
    r["rows"] = bench_services(app, args.runs, args.warmup)
    if not args.skip_pages:
        print("Timing pages ...", flush=True)
        r["rows"] += bench_pages(app, args.runs, args.warmup)
    body = render(r)
    print()
    print(body)
    if not args.no_record:
        record(body, r)
        print(f"\nRecorded in {search_bench.RESULTS.relative_to(HERE.parent)}.")


if __name__ == "__main__":
    main()
