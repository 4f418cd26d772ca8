#!/usr/bin/env python3
"""Load the shared benchmark corpus into a fresh Horseshoe database.

    .venv/bin/python bench/load_corpus.py            # generate (if needed) and load, seed 42
    .venv/bin/python bench/load_corpus.py --if-loaded-skip

The corpus comes from the shared bench/gen_corpus.py (stdlib only, deterministic; found by
bench/shared_tools.py from HORSESHOE_BENCH_SHARED or HORSESHOE_BENCH_GEN); it is generated into
<tmp>/horseshoe-bench/corpus-seed<N> unless that directory already holds a MANIFEST.json for
the same seed and sizes. The database is an SQLite file in
<tmp>/horseshoe-bench/data (HORSESHOE_BENCH_DATA_DIR), or HORSESHOE_DATABASE_URL when set;
it is emptied and migrated (`flask db upgrade` semantics via flask_migrate.upgrade()) first.

Mapping (Horseshoe categories are flat, so each of the corpus's 10 sub-forums becomes one
Category row; the parent category name goes into its description):
  users.jsonl       -> User (one shared precomputed Argon2 hash; reputation copied)
  forums.jsonl      -> Category (slug = forum slug, so `category:insomnia` works in search)
  threads.jsonl     -> Thread + Tag/thread_tag; solved -> status "solved", accepted_post_id,
                       accepted_by_id = asker, solved_by "community", solved_at = accepted post's time
  posts.jsonl       -> Post (body_html from forum.services.markup.render_markdown); votes ->
                       Post.vote_count (and Thread.vote_count for the question). No Vote rows.
Counters are exact: reply_count = replies, first_reply_at = first reply by someone other than
the asker (status "answered" when there is one and the thread is not solved), last_activity_at =
last post. Rows are bulk-inserted with SQLAlchemy core in batches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: forum/ and search/ live in the repo root
    sys.path.insert(0, str(REPO))

from shared_tools import gen_corpus  # noqa: E402  (bench/ is on sys.path: the script's own folder)

BENCH_ROOT = Path(tempfile.gettempdir()) / "horseshoe-bench"
MARKER = "bench-corpus.json"  # in the data dir: which corpus the database holds
BATCH = 2000
BENCH_PASSWORD = "horseshoe-bench"


# ---------------------------------------------------------------------------- paths and app


def default_corpus_dir(seed: int, threads: int) -> Path:
    suffix = "" if threads == 2000 else f"-t{threads}"
    return Path(os.environ.get("HORSESHOE_BENCH_CORPUS") or BENCH_ROOT / f"corpus-seed{seed}{suffix}")


def default_data_dir() -> Path:
    return Path(os.environ.get("HORSESHOE_BENCH_DATA_DIR") or BENCH_ROOT / "data")


def make_app(data_dir: Path):
    """A Horseshoe app on the bench data dir; HORSESHOE_DATABASE_URL is honoured."""
    from forum import create_app
    from forum.core.settings import Settings

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        data_dir=str(data_dir),
        database_url=os.environ.get("HORSESHOE_DATABASE_URL", ""),
        secret_key="horseshoe-bench-not-secret",
    )
    return create_app(settings)


def ensure_corpus(corpus_dir: Path, seed: int, threads: int) -> dict:
    """Generate the corpus unless corpus_dir already has a matching MANIFEST.json; returns it."""
    manifest_path = corpus_dir / "MANIFEST.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("seed") == seed and manifest.get("counts", {}).get("threads") == threads:
            return manifest
    corpus_dir.mkdir(parents=True, exist_ok=True)
    print(f"Generating corpus (seed {seed}, {threads} threads) into {corpus_dir} ...", flush=True)
    subprocess.run(
        [sys.executable, str(gen_corpus()), "--out", str(corpus_dir), "--seed", str(seed), "--threads", str(threads)],
        check=True,
    )
    return json.loads(manifest_path.read_text())


def corpus_fingerprint(manifest: dict) -> str:
    return hashlib.sha256(json.dumps(manifest["sha256"], sort_keys=True).encode()).hexdigest()[:16]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_marker(data_dir: Path) -> dict | None:
    path = data_dir / MARKER
    return json.loads(path.read_text()) if path.exists() else None


def is_loaded(app, data_dir: Path, manifest: dict) -> bool:
    """True when the database already holds exactly this corpus (marker matches and counts agree)."""
    from sqlalchemy import func, inspect, select

    from forum.core.extensions import db
    from forum.models import Post, Thread

    marker = read_marker(data_dir)
    if not marker or marker.get("fingerprint") != corpus_fingerprint(manifest):
        return False
    with app.app_context():
        if marker.get("database") != _safe_url(db.engine.url):
            return False
        if not inspect(db.engine).has_table("post"):
            return False
        posts = db.session.scalar(select(func.count(Post.id)))
        threads = db.session.scalar(select(func.count(Thread.id)))
    return posts == manifest["counts"]["posts"] and threads == manifest["counts"]["threads"]


def _safe_url(url) -> str:
    return url.render_as_string(hide_password=True)


# ---------------------------------------------------------------------------- progress


class Progress:
    """A one-line percentage, cheap enough to call per row."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.shown, self.start = label, max(total, 1), 0, -1, time.perf_counter()

    def update(self, n: int) -> None:
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if percent != self.shown:
            self.shown = percent
            end = "\n" if self.done >= self.total else ""
            print(f"\r  {self.label}: {percent:3d}% ({self.done}/{self.total})", end=end, flush=True)

    def finish(self) -> float:
        if self.done < self.total:
            print()
        return time.perf_counter() - self.start


# ---------------------------------------------------------------------------- loading


def _ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def reset_database(app, data_dir: Path) -> None:
    """An empty database at the migration head (SQLite file removed; other URLs dropped)."""
    import flask_migrate
    from sqlalchemy import text

    from forum.core.extensions import db

    (data_dir / MARKER).unlink(missing_ok=True)
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            db.engine.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(url.database + suffix).unlink(missing_ok=True)
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()


def _insert(model_or_table, rows: list[dict], progress: Progress | None = None) -> None:
    from sqlalchemy import insert

    from forum.core.extensions import db

    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        db.session.execute(insert(model_or_table), chunk)
        if progress:
            progress.update(len(chunk))


def _user_rows(users: list[dict]) -> list[dict]:
    from argon2 import PasswordHasher

    shared_hash = PasswordHasher().hash(BENCH_PASSWORD)  # once: Argon2 is deliberately slow
    return [
        {
            "id": u["id"], "username": u["username"], "username_key": u["username"].lower(),
            "email": u["email"].lower(), "password_hash": shared_hash, "role": "member",
            "display_name": u["display_name"][:64], "bio": u["bio"], "time_zone": "UTC",
            "reputation": u["reputation"], "email_frequency": "off",
            "weekly_digest": False, "created_at": _ts(u["created_at"]), "email_verified_at": _ts(u["created_at"]),
        }
        for u in users
    ]


def _category_rows(categories: list[dict], forums: list[dict]) -> list[dict]:
    parents = {c["id"]: c for c in categories}
    return [
        {
            "id": f["id"], "slug": f["slug"], "name": f["name"],
            "description": f"{parents[f['category_id']]['name']}: {parents[f['category_id']]['description']}",
            "position": (f["category_id"] - 1) * 100 + f["position"],
        }
        for f in forums
    ]


def _post_rows(posts: list[dict], progress: Progress) -> list[dict]:
    from forum.services.markup import RENDERER_VERSION, render_markdown

    rows = []
    for p in posts:
        rows.append({
            "id": p["id"], "thread_id": p["thread_id"], "author_id": p["author_id"],
            "is_question": p["is_question"], "body": p["body"], "body_html": render_markdown(p["body"]),
            "renderer_version": RENDERER_VERSION, "vote_count": p["votes"], "created_at": _ts(p["created_at"]),
        })
        progress.update(1)
    return rows


def _thread_rows(threads: list[dict], posts: list[dict]) -> tuple[list[dict], list[dict]]:
    """Thread rows with exact counters (accepted_post_id left NULL), and the accepted-post updates."""
    from forum.services.posting import slugify

    by_thread: dict[int, list[dict]] = {}
    for p in posts:
        by_thread.setdefault(p["thread_id"], []).append(p)
    rows, accepted = [], []
    for t in threads:
        thread_posts = sorted(by_thread.get(t["id"], []), key=lambda p: (p["created_at"], p["id"]))
        question = next(p for p in thread_posts if p["is_question"])
        replies = [p for p in thread_posts if not p["is_question"]]
        others = [p for p in replies if p["author_id"] != t["author_id"]]
        first_reply_at = _ts(others[0]["created_at"]) if others else None
        solved_post = next((p for p in replies if p["id"] == t["accepted_post_id"]), None) if t["solved"] else None
        status = "solved" if solved_post else ("answered" if first_reply_at else "open")
        rows.append({
            "id": t["id"], "category_id": t["forum_id"], "author_id": t["author_id"], "kind": "question",
            "title": t["title"][:200], "slug": slugify(t["title"]), "status": status, "locked": False,
            "pinned": False, "reply_count": len(replies), "me_too_count": 0, "vote_count": question["votes"],
            "accepted_post_id": None, "accepted_by_id": t["author_id"] if solved_post else None,
            "solved_by": "community" if solved_post else None,
            "solved_at": _ts(solved_post["created_at"]) if solved_post else None,
            "first_reply_at": first_reply_at, "reminders_sent": 0, "paused_seconds": 0,
            "created_at": _ts(question["created_at"]), "last_activity_at": _ts(thread_posts[-1]["created_at"]),
        })
        if solved_post:
            accepted.append({"id": t["id"], "accepted_post_id": solved_post["id"]})
    return rows, accepted


def _tag_rows(threads: list[dict]) -> tuple[list[dict], list[dict]]:
    names = sorted({name.lower() for t in threads for name in t["tags"]})
    tag_ids = {name: i for i, name in enumerate(names, start=1)}
    links = [{"thread_id": t["id"], "tag_id": tag_ids[name]} for t in threads for name in sorted(set(t["tags"]))]
    return [{"id": i, "name": n} for n, i in tag_ids.items()], links


def sync_sequences() -> None:
    """On PostgreSQL, move each table's id sequence past the explicit ids the bulk load inserted.

    Without this the first row the app itself inserts (a reply through the API) takes id 1 and
    fails on the primary key. SQLite needs nothing: its rowid follows the largest id.
    """
    from sqlalchemy import text

    from forum.core.extensions import db

    if db.engine.url.get_backend_name() != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{table.name}"'})
        if sequence:
            db.session.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'),
                               {"s": sequence})
    db.session.commit()


def load(app, corpus_dir: Path, data_dir: Path, manifest: dict) -> dict:
    """Empty the database, migrate it and bulk-load the corpus; returns timings."""
    from sqlalchemy import update

    from forum.core.extensions import db
    from forum.models import Category, Post, Tag, Thread, User, thread_tag

    timings: dict[str, float] = {}
    started = time.perf_counter()
    reset_database(app, data_dir)
    timings["migrate_s"] = time.perf_counter() - started

    users = read_jsonl(corpus_dir / "users.jsonl")
    categories = read_jsonl(corpus_dir / "categories.jsonl")
    forums = read_jsonl(corpus_dir / "forums.jsonl")
    threads = read_jsonl(corpus_dir / "threads.jsonl")
    posts = read_jsonl(corpus_dir / "posts.jsonl")

    rendering = Progress("Rendering Markdown", len(posts))
    post_rows = _post_rows(posts, rendering)
    timings["render_s"] = rendering.finish()

    thread_rows, accepted = _thread_rows(threads, posts)
    tag_rows, tag_links = _tag_rows(threads)
    inserting = Progress("Inserting rows", len(users) + len(forums) + len(thread_rows) + len(post_rows))
    with app.app_context():
        _insert(User, _user_rows(users), inserting)
        _insert(Category, _category_rows(categories, forums), inserting)
        _insert(Tag, tag_rows)
        _insert(Thread, thread_rows, inserting)
        _insert(thread_tag, tag_links)
        _insert(Post, post_rows, inserting)
        if accepted:  # after the posts exist (thread -> post foreign key)
            db.session.execute(update(Thread), accepted)
        db.session.commit()
        sync_sequences()
        timings["insert_s"] = inserting.finish()
        database = _safe_url(db.engine.url)
        db.engine.dispose()
    timings["total_s"] = time.perf_counter() - started
    marker = {
        "fingerprint": corpus_fingerprint(manifest), "seed": manifest["seed"], "counts": manifest["counts"],
        "corpus_dir": str(corpus_dir), "database": database,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    (data_dir / MARKER).write_text(json.dumps(marker, indent=2))
    return marker


def migrate_reused(app) -> None:
    """Apply migrations newer than the loaded database (a reused corpus must match the code under test)."""
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade()


def store_worker_results(app) -> None:
    """What a deployment's worker keeps for pages within minutes of starting: the public scorecards.

    The bench serves the database without a worker; without this the category page would measure its
    fallback (the scorecard computed per request, as before the first pass) instead of a running site.
    """
    from forum.analytics import scorecard_store

    with app.app_context():
        scorecard_store.refresh()


def ensure_loaded(seed: int = 42, threads: int = 2000, force: bool = False,
                  corpus_dir: Path | None = None, data_dir: Path | None = None):
    """(app, marker, corpus_dir): the bench database, loading it only when missing or different."""
    corpus_dir = corpus_dir or default_corpus_dir(seed, threads)
    data_dir = data_dir or default_data_dir()
    manifest = ensure_corpus(corpus_dir, seed, threads)
    app = make_app(data_dir)
    if not force and is_loaded(app, data_dir, manifest):
        print(f"Reusing loaded database in {data_dir} ({manifest['counts']['posts']} posts).", flush=True)
        migrate_reused(app)
        store_worker_results(app)
        return app, read_marker(data_dir), corpus_dir
    print(f"Loading corpus {corpus_dir} into {data_dir} ...", flush=True)
    marker = load(app, corpus_dir, data_dir, manifest)
    store_worker_results(app)
    t = marker["timings"]
    print(f"Loaded {manifest['counts']['posts']} posts in {t['total_s']:.1f} s "
          f"(render {t['render_s']:.1f} s, insert {t['insert_s']:.1f} s).", flush=True)
    return app, marker, corpus_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2000, help="corpus size (20 posts each)")
    parser.add_argument("--corpus-dir", type=Path, help="default <tmp>/horseshoe-bench/corpus-seed<N>")
    parser.add_argument("--data-dir", type=Path, help="default <tmp>/horseshoe-bench/data (HORSESHOE_BENCH_DATA_DIR)")
    parser.add_argument("--if-loaded-skip", action="store_true", help="keep a database that already holds this corpus")
    args = parser.parse_args()
    ensure_loaded(args.seed, args.threads, force=not args.if_loaded_skip,
                  corpus_dir=args.corpus_dir, data_dir=args.data_dir)


if __name__ == "__main__":
    main()
