#!/usr/bin/env python3
"""How good are the similar questions? MAP, MRR and P@1 on human-labelled question pairs (issue 26).

    .venv/bin/python bench/similar_quality.py                       # the shared SemEval-2016 dev set, Whoosh
    .venv/bin/python bench/similar_quality.py --backend postgres    # the same on the PostgreSQL backend
    .venv/bin/python bench/similar_quality.py PATH/dev.jsonl --record

The data: SemEval-2016 Task 3, subtask B (question–question similarity), English dev set, as kept in the
team's shared data (../shared/data/semeval2016-question-similarity/, its README gives source and licence):
50 original questions, each with the 10 related questions a web search engine returned, judged relevant or
not by people.

The evaluation is the one the shared README describes: every distinct candidate becomes a solved thread
(its subject the title, its body the question, its first comment the accepted answer) in one category of a
fresh, migrated database; the search index is rebuilt as the worker does; then each original question asks
the similar-questions engine (search.similar.similar, as the ask page and GET /api/v1/search/similar do,
with the product's largest limit, 10) with its subject alone, and again with subject and body. Its 10
labelled candidates are ordered as the engine returned them; candidates it did not return follow in a
fixed pseudo-random order (a hash of their ids), so an engine gains nothing by returning less, and the
search engine's own order is never used. MAP is the official scorer's: the mean over questions of the
average precision of the ordered 10 (0 for a question with no relevant candidate); MRR and P@1 likewise.

Beside the engine's figures it prints the task's baselines on this dev set (the search engine's order:
MAP 71.35, MRR 76.67, P@1 70.00; random about 52) and plain BM25 over the titles alone (Whoosh's
BM25F in memory, the words of the subject OR-ed, top 10), computed here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: forum/ and search/ live in the repo root
    sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO.parent / "shared" / "data" / "semeval2016-question-similarity" / "dev.jsonl"
TASK_BASELINES = {"search engine (IR baseline)": (71.35, 76.67, 70.00)}
LIMIT = 10  # the product's largest limit (GET /api/v1/search/similar, the ask page)
BENCH_DATABASE = "horseshoe_bench_similar"


# ---------------------------------------------------------------------------- the data


def read_dev_set(path: Path) -> list[dict]:
    if not path.is_file():
        sys.exit(f"similar_quality: no labelled question set at {path}.\n"
                 "Give the path of a SemEval-2016 subtask B dev.jsonl (the team's copy lives in "
                 "../shared/data/semeval2016-question-similarity/; its README says where it comes from).")
    with path.open(encoding="utf-8") as lines:
        questions = [json.loads(line) for line in lines if line.strip()]
    if not questions or "candidates" not in questions[0]:
        sys.exit(f"similar_quality: {path} is not in the expected format (one JSON question with candidates per line).")
    return questions


# ---------------------------------------------------------------------------- the metrics


def average_precision(relevance: list[bool]) -> float:
    """The official scorer's AP over one question's ordered candidates (0 when none is relevant)."""
    hits, total = 0, 0.0
    for rank, relevant in enumerate(relevance, start=1):
        if relevant:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def reciprocal_rank(relevance: list[bool]) -> float:
    return next((1 / rank for rank, relevant in enumerate(relevance, start=1) if relevant), 0.0)


def _unreturned_key(candidate_id: str) -> str:
    return hashlib.sha256(candidate_id.encode()).hexdigest()


def ordered_relevance(candidates: list[dict], returned_ids: list[str]) -> list[bool]:
    """The labelled candidates' relevance in the engine's order; the ones it did not return after them, in a
    fixed order that knows neither labels nor the search engine's ranking."""
    position = {cid: n for n, cid in enumerate(returned_ids)}
    returned = sorted((c for c in candidates if c["id"] in position), key=lambda c: position[c["id"]])
    rest = sorted((c for c in candidates if c["id"] not in position), key=lambda c: _unreturned_key(c["id"]))
    return [bool(c["relevant"]) for c in returned + rest]


def scores(rankings: list[list[bool]]) -> tuple[float, float, float]:
    """(MAP, MRR, P@1) in percent."""
    n = len(rankings) or 1
    return (100 * sum(map(average_precision, rankings)) / n,
            100 * sum(map(reciprocal_rank, rankings)) / n,
            100 * sum(1 for r in rankings if r and r[0]) / n)


# ---------------------------------------------------------------------------- the app and its data


def _database_url(backend: str, given: str | None) -> str:
    """SQLite in the data dir for Whoosh (unless given); for PostgreSQL a database of the bench's own."""
    if given or backend != "postgres":
        return given or ""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DATABASE,)).fetchone():
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DATABASE}"


def make_app(data_dir: Path, backend: str, database_url: str):
    from forum import create_app
    from forum.core.settings import Settings

    settings = Settings(data_dir=str(data_dir), database_url=database_url, secret_key="horseshoe-bench-not-secret",
                        search_backend=backend)
    return create_app(settings)


def reset_database(app) -> None:
    """Empty and migrate (a PostgreSQL bench database is dropped table by table first)."""
    import flask_migrate
    from sqlalchemy import text

    from forum.core.extensions import db

    with app.app_context():
        if db.engine.url.get_backend_name() == "postgresql":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()


def _when(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def load_candidates(questions: list[dict]) -> dict[int, str]:
    """Every distinct candidate as a solved thread in one category; returns thread id → candidate id."""
    from forum.core.extensions import db
    from forum.models import Category, Post, Thread, User
    from forum.services.markup import RENDERER_VERSION, render_markdown
    from forum.services.posting import slugify

    start = _when("2016-01-01 00:00:00")
    asker = User(username="asker", username_key="asker", email="asker@bench.invalid", role="member", password_hash="!",
                 display_name="Asker", created_at=start, email_verified_at=start)
    helper = User(username="helper", username_key="helper", email="helper@bench.invalid", role="member",
                  password_hash="!", display_name="Helper", created_at=start, email_verified_at=start)
    category = Category(slug="advice", name="Advice and Help", description="SemEval-2016 candidates",
                        position=0)
    db.session.add_all([asker, helper, category])
    db.session.flush()
    seen: dict[str, Thread] = {}
    for question in questions:
        for candidate in question["candidates"]:
            if candidate["id"] in seen:
                continue
            when = _when(candidate["date"])
            thread = Thread(category_id=category.id, author_id=asker.id, kind="question",
                            title=candidate["subject"][:200] or candidate["id"], slug=slugify(candidate["subject"]),
                            status="solved", locked=False, pinned=False, reply_count=1, created_at=when,
                            last_activity_at=when, first_reply_at=when, solved_at=when, solved_by="community",
                            accepted_by_id=asker.id)
            db.session.add(thread)
            posts = [(asker, True, candidate["body"] or candidate["subject"]),
                     (helper, False, candidate["first_comment"] or "See above.")]
            for author, is_question, body in posts:
                db.session.add(Post(thread=thread, author_id=author.id, is_question=is_question, body=body,
                                    body_html=render_markdown(body), renderer_version=RENDERER_VERSION,
                                    created_at=when))
            seen[candidate["id"]] = thread
    db.session.flush()
    for thread in seen.values():
        thread.accepted_post_id = next(p.id for p in db.session.query(Post).filter_by(thread_id=thread.id,
                                                                                      is_question=False))
    db.session.commit()
    return {thread.id: cid for cid, thread in seen.items()}


# ---------------------------------------------------------------------------- asking


def ask(title: str, body: str, limit: int) -> list[int]:
    """Thread ids the engine suggests, best first, as an anonymous visitor would see them."""
    from search import similar

    return [item.id for item in similar.similar(None, title, limit=limit, body=body)]


# --ablation: the engine with one choice of search.similar_scoring undone at a time (issue 26's RESULTS table).
ABLATIONS = (
    ("engine as shipped", {}),
    ("without the title field (TITLE_WEIGHT 0)", {"TITLE_WEIGHT": 0.0}),
    ("body words at full weight (BODY_QUERY_WEIGHT 1)", {"BODY_QUERY_WEIGHT": 1.0}),
    ("no candidate pool (PostgreSQL: only the `limit` best by ts_rank_cd re-scored)", {"CANDIDATE_POOL": 0}),
    ("the old question-word stop list", {"question_words": True}),
)


def ablation_rows(questions: list[dict], candidate_of: dict[int, str], limit: int) -> list[tuple]:
    """(name, scores, note) per ablation, title and title+body, on the loaded index."""
    from search import query, similar_scoring

    def without_question_words(text: str) -> str:
        return " ".join(query.similar_words(text))

    rows = []
    for name, changes in ABLATIONS:
        saved = {key: getattr(similar_scoring, key) for key in changes if key != "question_words"}
        for key in saved:
            setattr(similar_scoring, key, changes[key])
        asked = [{**q, "subject": without_question_words(q["subject"]) or q["subject"],
                  "body": without_question_words(q["body"])} for q in questions] \
            if changes.get("question_words") else questions
        try:
            for label, with_body in (("title", False), ("title + body", True)):
                result = evaluate(asked, candidate_of, with_body=with_body, limit=limit)
                rows.append((f"ablation: {name}, {label}", result["scores"], f"{result['empty']} with no suggestion"))
        finally:
            for key, value in saved.items():
                setattr(similar_scoring, key, value)
    return rows


def evaluate(questions: list[dict], candidate_of: dict[int, str], with_body: bool, limit: int) -> dict:
    rankings, timings, empty = [], [], 0
    for question in questions:
        started = time.perf_counter()
        found = ask(question["subject"], question["body"] if with_body else "", limit)
        timings.append(time.perf_counter() - started)
        returned = [candidate_of[i] for i in found if i in candidate_of]
        empty += not returned
        rankings.append(ordered_relevance(question["candidates"], returned))
    timings.sort()
    return {"scores": scores(rankings), "empty": empty, "p50_ms": 1000 * timings[len(timings) // 2],
            "max_ms": 1000 * timings[-1]}


def plain_bm25_titles(questions: list[dict], limit: int) -> tuple[float, float, float]:
    """Reference: Whoosh BM25F over the candidates' titles alone, the subject's words OR-ed, top `limit`."""
    from whoosh import qparser
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage

    schema = Schema(cid=ID(stored=True), title=TEXT(analyzer=StemmingAnalyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for candidate in {c["id"]: c for q in questions for c in q["candidates"]}.values():
            writer.add_document(cid=candidate["id"], title=candidate["subject"])
    parser = qparser.QueryParser("title", schema, group=qparser.OrGroup)
    rankings = []
    with ix.searcher() as searcher:
        for question in questions:
            words = " ".join(w for w in "".join(ch if ch.isalnum() else " " for ch in question["subject"]).split())
            hits = searcher.search(parser.parse(words), limit=limit) if words else []
            rankings.append(ordered_relevance(question["candidates"], [hit["cid"] for hit in hits]))
    return scores(rankings)


# ---------------------------------------------------------------------------- report


def table(rows: list[tuple[str, tuple[float, float, float], str]]) -> str:
    lines = ["| ranking | MAP | MRR | P@1 | notes |", "|---|---:|---:|---:|---|"]
    lines += [f"| {name} | {m:.2f} | {r:.2f} | {p:.2f} | {note} |" for name, (m, r, p), note in rows]
    return "\n".join(lines)


def run(path: Path, backend: str, database_url: str | None, limit: int, semantic: bool = False,
        ablation: bool = False) -> str:
    questions = read_dev_set(path)
    with tempfile.TemporaryDirectory(prefix="horseshoe-similar-") as data_dir:
        app = make_app(Path(data_dir), backend, _database_url(backend, database_url))
        reset_database(app)
        with app.app_context():
            from search import backends

            print(f"loading {sum(len(q['candidates']) for q in questions)} candidates as solved threads…", flush=True)
            candidate_of = load_candidates(questions)
            print("indexing…", flush=True)
            backends.current().rebuild()
            if semantic:  # on as an operator turns it on; the model loads before the timing starts
                from search import semantic as semantic_signal

                if not semantic_signal.enable():
                    sys.exit("similar_quality: --semantic needs the wordllama package (pip install -e '.[semantic]')")
            print("asking…", flush=True)
            title_only = evaluate(questions, candidate_of, with_body=False, limit=limit)
            with_body = evaluate(questions, candidate_of, with_body=True, limit=limit)
            ablations = ablation_rows(questions, candidate_of, limit) if ablation else []
    rows = [(name, figures, "the task's reference figures") for name, figures in TASK_BASELINES.items()]
    rows.append(("plain BM25, titles only", plain_bm25_titles(questions, limit), f"top {limit} of all candidates"))
    for label, result in (("title", title_only), ("title + body", with_body)):
        rows.append((f"Horseshoe ({backend}{' + semantic' if semantic else ''}), {label}", result["scores"],
                     f"{result['empty']} of {len(questions)} with no suggestion; "
                     f"p50 {result['p50_ms']:.1f} ms, max {result['max_ms']:.1f} ms"))
    return table(rows + ablations)


def record(report: str, backend: str, path: Path, limit: int) -> None:
    import subprocess

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    today = datetime.now(UTC).date().isoformat()  # a bench record's date stamp, not domain time
    section = (f"\n## {today} — similar questions quality, {backend} (commit {commit.strip() or 'unknown'})\n\n"
               f"`bench/similar_quality.py --backend {backend}` on `{path.name}` "
               f"({path.parent.name}); limit {limit}.\n\n{report}\n")
    with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write(section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=Path(os.environ.get("HORSESHOE_SIMILAR_DEV_SET",
                                                                                  DEFAULT_DATA)))
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--database-url", help="(postgres) default: a bench database on 127.0.0.1:5432")
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("--record", action="store_true", help="append the table to bench/RESULTS.md")
    parser.add_argument("--semantic", action="store_true", help="search.semantic_similar on (needs wordllama)")
    parser.add_argument("--ablation", action="store_true",
                        help="also rank with each choice of search.similar_scoring undone, one at a time")
    args = parser.parse_args()
    report = run(args.path, args.backend, args.database_url, args.limit, semantic=args.semantic,
                 ablation=args.ablation)
    print(report)
    if args.record:
        record(report, args.backend, args.path, args.limit)


if __name__ == "__main__":
    main()
