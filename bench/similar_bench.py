#!/usr/bin/env python3
"""Similar questions: speed and memory on the shared corpus, per search backend (issue 26).

    .venv/bin/python bench/similar_bench.py                           # 40,000 posts, Whoosh, print only
    .venv/bin/python bench/similar_bench.py --backend whoosh --backend postgres --record
    .venv/bin/python bench/similar_bench.py --threads 20000 --record  # 400,000 posts
    .venv/bin/python bench/similar_bench.py --skip-reindex            # reuse the index built from this load

What it times is what the ask page and GET /api/v1/search/similar run: search.similar.similar(None, title,
limit=10), in-process, for about 200 draft titles made from the corpus (below). One warm-up pass over all of
them (the searcher opens, caches fill), then --passes timed passes -> p50/p95/p99/max ms (wall clock, and
this process's CPU time per call, which holds still on a busy shared machine; PostgreSQL's own CPU is not
in it), the SQL
statements each call sends (transaction control not counted), the suggestions returned, and memory: the
process's VmRSS when the app is up (before the first call), after the warm-up and after the timed passes,
its peak (VmHWM), and the Python allocations' peak per call (tracemalloc, on a separate untimed pass over
50 titles, since tracing slows every allocation).

Each step runs in a process of its own, so one backend's memory is not another's: the corpus load
(bench/load_corpus.py, reused when loaded), the rebuild (`flask search reindex` semantics:
search.backends.current().rebuild(), timed; PostgreSQL gets VACUUM ANALYZE after it, as autovacuum would),
then the measurement. PostgreSQL runs in a bench database of its own on 127.0.0.1
(horseshoe_bench_similar_speed, `_t<threads>` for other sizes; created when missing, emptied by the load;
never `test`). With the `wordllama` package installed and search.semantic ready, a second row measures the
same with the semantic re-ranker switched on.

Titles (deterministic, no randomness): 100 thread titles spread evenly over the corpus, each reworded one
of four ways (lower-cased and asked differently, halves swapped, every third word dropped, a plea added),
and 100 of the corpus's search queries (1-3 words) phrased as a question four ways.

Targets (issue 26): p95 < 50 ms at 40,000 posts and < 100 ms at 400,000. `--record` appends a dated section
to bench/RESULTS.md with PASS/MISS, the commit (+dirty with the `git diff --stat` of search/ and forum/), nproc
and the load average; a MISS writes a pyinstrument profile to bench/profiles/similar-<size>-<backend>.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from similar_report import engine_fingerprint, record, render  # noqa: E402  (bench/ is on sys.path: the script's own folder)

PY = str(REPO / ".venv" / "bin" / "python")
BENCH_ROOT = Path(os.environ.get("HORSESHOE_BENCH_ROOT", "/tmp/horseshoe-bench"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "horseshoe_bench_similar_speed"
RESERVED_DATABASES = {"test", "horseshoe_test", "postgres"}
INDEX_MARKER = "similar-bench-index.json"  # in a data dir: the load each backend's index was built from
TARGET_P95_MS = {2000: 50.0, 20000: 100.0}
LIMIT = 10
TRACED_TITLES = 50
PROFILE_TITLES = 50  # a profile is taken of a quarter of the titles: enough to see where the time goes
TITLE_FORMS = ("any advice? {t}", "{b} {a}", "{drop}", "{t} - please help")
QUERY_FORMS = ("How do I handle {q}?", "{q} advice", "Help with {q} please", "What helps with {q}?")
TRANSACTION_CONTROL = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}


# ---------------------------------------------------------------------------- titles and figures


def _reworded(title: str, form: str) -> str:
    words = title.rstrip("?!. ").split()
    half = len(words) // 2
    return form.format(t=title.rstrip("?").lower(), a=" ".join(words[:half]), b=" ".join(words[half:]),
                       drop=" ".join(w for n, w in enumerate(words) if n % 3 != 2))


def draft_titles(corpus_dir: Path, count: int = 200) -> list[str]:
    """count/2 reworded thread titles spread over the corpus, count/2 search queries asked as questions."""
    threads = _jsonl(corpus_dir / "threads.jsonl")
    queries = _jsonl(corpus_dir / "queries.jsonl")
    half = count // 2
    step = max(1, len(threads) // half)
    titles = [_reworded(t["title"], TITLE_FORMS[n % 4]) for n, t in enumerate(threads[::step][:half])]
    titles += [QUERY_FORMS[n % 4].format(q=q["q"]) for n, q in enumerate(queries[:count - half])]
    return titles


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5))) - 1]


def memory_mb() -> dict[str, float]:
    """This process's VmRSS and VmHWM (its peak RSS) in MB, from /proc/self/status."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


# ---------------------------------------------------------------------------- one backend, in its own process


def make_app(data_dir: Path, backend: str, database_url: str, semantic: bool):
    from forum import create_app
    from forum.core.settings import Settings

    settings = Settings(data_dir=str(data_dir), database_url=database_url, secret_key="horseshoe-bench-not-secret",
                        search_backend=backend)
    app = create_app(settings)
    switch_semantic(app, semantic)
    return app


def switch_semantic(app, on: bool) -> None:
    """The semantic re-ranker on or off, as an operator sets it (a community setting, kept in the database:
    so every run sets it, or a semantic row would leave it on for the next plain one). On loads the model now,
    so the first timed call does not pay for it."""
    from search import semantic

    if not hasattr(semantic, "enable"):
        return
    with app.app_context():
        if semantic.enable(on) != on:
            raise SystemExit("similar_bench: the semantic model did not load (see the log above)")


def semantic_wired() -> bool:
    """Whether the similar-questions code calls the re-ranker at all (else the semantic row measures BM25)."""
    return any("semantic" in path.read_text() for path in (REPO / "search").glob("*.py")
               if path.name not in {"semantic.py", "__init__.py"})


def rebuild(args) -> dict:
    """The rebuild `flask search reindex` runs, timed."""
    app = make_app(args.data_dir, args.backend, args.database_url, semantic=False)
    with app.app_context():
        from search import backends

        started = time.perf_counter()
        documents = backends.current().rebuild()
        return {"seconds": time.perf_counter() - started, "documents": documents}


def _timed_passes(titles: list[str], passes: int, statements: list[str]) -> dict:
    from forum.core.extensions import db
    from search import similar

    times, cpu, counts, found, empty = [], [], [], [], 0
    for _ in range(passes):
        for title in titles:
            before = len(statements)
            started, started_cpu = time.perf_counter(), time.process_time()
            items = similar.similar(None, title, limit=LIMIT)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            counts.append(sum(1 for s in statements[before:] if s.strip().upper() not in TRANSACTION_CONTROL))
            found.append(len(items))
            empty += not items
            db.session.remove()  # as a request's teardown does: no identity map carried over
    return {"n": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95),
            "p99": percentile(times, 99), "max": max(times), "mean": sum(times) / len(times),
            "cpu_p50": percentile(cpu, 50), "cpu_p95": percentile(cpu, 95), "cpu_max": max(cpu),
            "statements": sum(counts) / len(counts), "statements_max": max(counts),
            "found_mean": sum(found) / len(found), "empty_share": empty / len(times)}


def _traced_peak_kb(titles: list[str]) -> dict:
    """Peak Python allocation above the baseline during each call (tracemalloc), median and max in KB."""
    import tracemalloc

    from forum.core.extensions import db
    from search import similar

    peaks = []
    tracemalloc.start()
    try:
        for title in titles:
            tracemalloc.reset_peak()
            baseline = tracemalloc.get_traced_memory()[0]
            similar.similar(None, title, limit=LIMIT)
            peaks.append((tracemalloc.get_traced_memory()[1] - baseline) / 1024)
            db.session.remove()
    finally:
        tracemalloc.stop()
    return {"median_kb": percentile(peaks, 50), "max_kb": max(peaks)}


def measure(args) -> dict:
    from sqlalchemy import event

    from forum.core.extensions import db
    from search import similar

    titles = draft_titles(args.corpus_dir, args.titles)
    app = make_app(args.data_dir, args.backend, args.database_url, semantic=args.semantic)
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: statements.append(sql))
        rss = {"app_up": memory_mb()}
        for title in titles:  # warm-up
            similar.similar(None, title, limit=LIMIT)
            db.session.remove()
        rss["warm"] = memory_mb()
        timed = _timed_passes(titles, args.passes, statements)
        rss["after"] = memory_mb()
        traced = _traced_peak_kb(titles[:TRACED_TITLES])
    return {"titles": len(titles), "passes": args.passes, "timing": timed, "rss": rss, "traced": traced,
            "semantic_wired": semantic_wired()}


def profile(args) -> None:
    """pyinstrument over one pass of the titles (after a warm-up), as text into args.out."""
    from pyinstrument import Profiler  # the bench extra (pip install -e '.[bench]')

    from forum.core.extensions import db
    from search import similar

    titles = draft_titles(args.corpus_dir, args.titles)[::max(1, args.titles // PROFILE_TITLES)]
    app = make_app(args.data_dir, args.backend, args.database_url, semantic=args.semantic)
    with app.app_context():
        for title in titles:
            similar.similar(None, title, limit=LIMIT)
            db.session.remove()
        profiler = Profiler(interval=0.001)
        profiler.start()
        for title in titles:
            similar.similar(None, title, limit=LIMIT)
            db.session.remove()
        profiler.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(f"# search.service.similar x {len(titles)} titles, {args.backend}, {args.data_dir}\n\n"
                        + profiler.output_text(unicode=True, color=False, show_all=False))


# ---------------------------------------------------------------------------- the orchestration


def _step(command: str, target: dict, args, *extra: str, semantic: bool = False) -> dict:
    """Run one step in a fresh process and return the JSON it prints."""
    argv = [PY, str(HERE / "similar_bench.py"), command, "--data-dir", str(target["data_dir"]), "--backend",
            target["backend"], "--database-url", target["url"], "--corpus-dir", str(target["corpus_dir"]),
            "--titles", str(args.titles), "--passes", str(args.passes), *extra]
    done = subprocess.run([*argv, *(["--semantic"] if semantic else [])], capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"similar_bench {command} ({target['backend']}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


def pg_url(args) -> str:
    """The bench's own PostgreSQL database (created when missing); never one someone else relies on."""
    url = args.pg_url or ("postgresql+psycopg://postgres@127.0.0.1:5432/" + PG_DATABASE
                          + ("" if args.threads == 2000 else f"_t{args.threads}"))
    name = url.rsplit("/", 1)[-1]
    if name in RESERVED_DATABASES:
        raise SystemExit(f"similar_bench: loading empties {url}; give a scratch database")
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def prepare(backend: str, args) -> dict:
    """Load the corpus (reused when loaded) for a backend; returns its target (data dir, url, corpus dir)."""
    size = "" if args.threads == 2000 else f"-t{args.threads}"
    if backend == "postgres":
        url, data_dir = pg_url(args), args.pg_data_dir or BENCH_ROOT / f"similar-pg{size}"
    else:
        url, data_dir = "", args.data_dir or BENCH_ROOT / f"similar{size}"
    started = time.perf_counter()
    subprocess.run([PY, str(HERE / "load_corpus.py"), "--if-loaded-skip", "--threads", str(args.threads),
                    "--data-dir", str(data_dir)], check=True, cwd=REPO, stdout=subprocess.DEVNULL,
                   env={**os.environ, "HORSESHOE_DATABASE_URL": url})
    marker = json.loads((Path(data_dir) / "bench-corpus.json").read_text())
    return {"backend": backend, "url": url, "data_dir": Path(data_dir), "corpus_dir": Path(marker["corpus_dir"]),
            "loaded_at": marker["loaded_at"], "load_s": time.perf_counter() - started}


def reindex(target: dict, args) -> dict | None:
    """Rebuild the backend's index unless --skip-reindex and it was built from this very load."""
    marker = target["data_dir"] / INDEX_MARKER
    built = json.loads(marker.read_text()) if marker.exists() else {}
    if args.skip_reindex and built.get(target["backend"]) == target["loaded_at"]:
        return None
    result = _step("rebuild", target, args)
    marker.write_text(json.dumps(built | {target["backend"]: target["loaded_at"]}))
    if target["url"]:
        import psycopg

        with psycopg.connect(target["url"].replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return result


def semantic_ready() -> str | None:
    """None when the semantic row can run, else why it is skipped."""
    try:
        import wordllama  # noqa: F401
    except ImportError:
        return "the `wordllama` package is not installed"
    sys.path.insert(0, str(REPO))
    from search import semantic

    if not hasattr(semantic, "enable"):
        return "search.semantic offers no switch yet (semantic.enable())"
    return None if semantic_wired() else "search.service does not call the re-ranker yet"


def run_backend(backend: str, args) -> list[dict]:
    target = prepare(backend, args)
    print(f"similar_bench: {backend}, {args.threads * 20} posts: reindexing…", flush=True)
    base = {"backend": backend, "posts": args.threads * 20, "load_s": target["load_s"],
            "reindex": reindex(target, args), "database": target["url"] or f"sqlite in {target['data_dir']}"}
    rows = []
    for semantic in (False, True):
        skipped = semantic_ready() if semantic else None
        if semantic and (skipped or args.no_semantic):
            rows.append(base | {"semantic": True, "skipped": skipped or "--no-semantic"})
            continue
        print(f"similar_bench: {backend}{' + semantic' if semantic else ''}: timing…", flush=True)
        row = base | {"semantic": semantic, "load_before": os.getloadavg(), "engine": engine_fingerprint()}
        row |= _step("measure", target, args, semantic=semantic) | {"load_after": os.getloadavg()}
        row["target_ms"] = TARGET_P95_MS.get(args.threads, 100.0)
        if row["timing"]["p95"] >= row["target_ms"] and not args.no_profiles:
            row["profile"] = _profile_miss(target, args, semantic)
        rows.append(row)
        _keep(rows, args)
    return rows


def _profile_miss(target: dict, args, semantic: bool) -> str:
    """A pyinstrument profile of a missed target (PROFILE_TITLES titles); a failure is noted, not fatal."""
    name = f"similar-{args.threads * 20 // 1000}k-{target['backend']}{'-semantic' if semantic else ''}.txt"
    try:
        _step("profile", target, args, "--out", str(HERE / "profiles" / name), semantic=semantic)
    except RuntimeError as exc:
        return "profile failed: " + str(exc).strip().splitlines()[-1]
    return f"bench/profiles/{name}"


def _keep(rows: list[dict], args) -> None:
    """The rows so far, as JSON beside the bench data (a later failure or interruption loses nothing)."""
    path = BENCH_ROOT / f"similar-rows-{args.threads}.jsonl"
    with path.open("a", encoding="utf-8") as kept:
        kept.write(json.dumps(rows[-1], default=str) + "\n")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "rebuild", "measure", "profile"])
    parser.add_argument("--threads", type=int, default=2000, help="corpus size (20 posts each); 20000 = 400k")
    parser.add_argument("--backend", action="append", choices=["whoosh", "postgres"], dest="backends")
    parser.add_argument("--data-dir", type=Path, help="Whoosh/SQLite data dir (default <tmp>/horseshoe-bench/similar)")
    parser.add_argument("--pg-data-dir", type=Path, help="PostgreSQL run's data dir (its load marker)")
    parser.add_argument("--pg-url", default="", help="scratch PostgreSQL database (default: its own)")
    parser.add_argument("--titles", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--skip-reindex", action="store_true", help="reuse the index built from this load")
    parser.add_argument("--no-semantic", action="store_true", help="leave out the semantic re-ranker's row")
    parser.add_argument("--no-profiles", action="store_true")
    parser.add_argument("--record", action="store_true", help="append a dated section to bench/RESULTS.md")
    parser.add_argument("--label", default="", help="a note for the RESULTS.md heading (e.g. the engine's state)")
    # the steps' own options (internal)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--corpus-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--semantic", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.command != "run":
        sys.path.insert(0, str(REPO))
        args.backend = (args.backends or ["whoosh"])[0]
        if args.command == "profile":
            profile(args)
            return
        print(json.dumps(rebuild(args) if args.command == "rebuild" else measure(args)))
        return
    rows = [row for backend in dict.fromkeys(args.backends or ["whoosh"]) for row in run_backend(backend, args)]
    body = render(rows, args)
    print(body)
    if args.record:
        record(body, rows, args)
        print("Recorded in bench/RESULTS.md.", flush=True)


if __name__ == "__main__":
    main()
