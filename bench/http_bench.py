#!/usr/bin/env python3
"""`make bench` (via bench/run): Horseshoe over HTTP against the ceiling app, with the issue's targets.

    bench/run                      # 40,000-post corpus: every part below, issue 21's targets
    bench/run --large              # also the 400,000-post community (loaded once, cached), pages compared
    bench/run --only pages         # just one part: pages | sql | cpu | worker | posting | search | similar
    bench/run --only cpu --only worker --no-record     # the in-process figures only (a quick look)
    bench/run --search-backend whoosh                  # search on Whoosh only (default: Whoosh and PostgreSQL)
    bench/run --no-record          # print the section, leave RESULTS.md alone

One run: load the corpus (reused when loaded), count SQL statements per page and CPU per page
in-process, rebuild the search index of each backend (timed; PostgreSQL's in a scratch database of
its own), start the ceiling app and Horseshoe under the same gunicorn settings (-w 2 -k sync), drive
each page with `wrk -t1 -c16 -d<N>s --latency` after a 3 s warm-up (anonymous page cache as
configured by default, then switched off), search through the API on each backend, run the job
worker through one pass of its periodic jobs on a scratch copy (peak RSS), post replies through the
API with 8 concurrent clients on a scratch copy of the database (SQLite, then PostgreSQL), take a
pyinstrument profile of every missed target (bench/profiles/), and write a dated section to
bench/RESULTS.md. Servers' logs go to <tmp>/horseshoe-bench/logs (HORSESHOE_BENCH_LOG_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import http_report  # noqa: E402
from http_tools import (  # noqa: E402
    REPO,
    ceiling_server,
    fetch_header,
    final_url,
    horseshoe_server,
    run_wrk,
    sign_in,
)

PY = str(REPO / ".venv" / "bin" / "python")
BENCH_ROOT = Path(os.environ.get("HORSESHOE_BENCH_ROOT", "/tmp/horseshoe-bench"))
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_http"
PAGES = {"thread": "/t/1", "home": "/", "category": "/c/insomnia"}
MEMBER = {"id": 2, "username": "taylor_campbell84", "email": "taylor_campbell84@example.org"}
PARTS = ("pages", "sql", "cpu", "worker", "posting", "search", "similar")
SEARCH_INDEX_MARKER = "bench-search-index.json"  # in a data dir: which load its index was built from


def py(script: str, *args: str, env: dict | None = None) -> dict:
    """Run one of bench/'s scripts in its own process (its own app) and return the JSON it prints."""
    out = subprocess.run([PY, str(HERE / script), *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, cwd=REPO)
    if out.returncode:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def load(threads: int, data_dir: Path, env: dict | None = None) -> dict:
    """Load (or reuse) a corpus of `threads` threads into data_dir; returns the marker with timings."""
    started = time.perf_counter()
    subprocess.run([PY, str(HERE / "load_corpus.py"), "--if-loaded-skip", "--threads", str(threads),
                    "--data-dir", str(data_dir)], check=True, cwd=REPO, env={**os.environ, **(env or {})},
                   stdout=subprocess.DEVNULL)
    marker = json.loads((data_dir / "bench-corpus.json").read_text())
    return marker | {"this_run_s": time.perf_counter() - started}


# ---------------------------------------------------------------------------- pages over HTTP


def measure_pages(data_dir: Path, duration: int, env: dict, with_signed_in: bool) -> dict:
    """wrk on each page: once with the page cache as configured by default, once with it off."""
    figures: dict[str, dict] = {}
    for cache in ("default", "off"):
        extra = {} if cache == "default" else {"HORSESHOE_ANONYMOUS_CACHE_S": "0"}
        server = horseshoe_server(f"horseshoe-{data_dir.name}-cache-{cache}", data_dir, env | extra).start("/")
        try:
            urls = {label: final_url(server.base_url + path) for label, path in PAGES.items()}
            for label, url in urls.items():
                figures[f"{label} out, cache {cache}"] = run_wrk(url, duration) | {
                    "x_cache": fetch_header(url, "X-Cache")}
            if with_signed_in and cache == "default":
                figures["thread in"] = signed_in_figure(server, urls["thread"], duration)
            figures[f"rss cache {cache}"] = {"rss_mb": server.worker_rss_mb()}
        finally:
            server.stop()
    return figures


def signed_in_figure(server, thread_url: str, duration: int) -> dict:
    cookie, home = sign_in(server.base_url, MEMBER["email"], "horseshoe-bench")
    if MEMBER["username"] not in home:
        raise RuntimeError("signing in through the form did not work (username not on the home page)")
    check = subprocess.run(["curl", "-s", "-H", f"Cookie: {cookie}", thread_url], capture_output=True, text=True)
    if MEMBER["username"] not in check.stdout:
        raise RuntimeError("the session cookie does not sign the thread page in")
    return run_wrk(thread_url, duration, headers=[f"Cookie: {cookie}"]) | {"x_cache": fetch_header(
        thread_url, "X-Cache", cookie)}


def measure_ceiling(duration: int) -> tuple[dict, object]:
    server = ceiling_server().start("/health")
    return run_wrk(server.base_url + "/jinja50", duration) | {"rss_mb": server.worker_rss_mb()}, server


def read_phase(args, data_dir: Path, env: dict, large_dir: Path | None, corpus_dir: Path,
               searches: list[dict]) -> dict:
    """Ceiling /jinja50 before and after Horseshoe's pages (its mean is the ratio's denominator)."""
    before, ceiling = measure_ceiling(args.duration)
    try:
        pages = measure_pages(data_dir, args.duration, env, with_signed_in=True) if "pages" in args.parts else None
        large = measure_pages(large_dir, args.duration, env, with_signed_in=False) if large_dir else None
        search = {target["backend"]: search_query(target, corpus_dir) for target in searches} or None
        after = run_wrk(ceiling.base_url + "/jinja50", args.duration)
    finally:
        ceiling.stop()
    return {"ceiling_before": before, "ceiling_after": after, "pages": pages, "large": large, "search": search}


# ---------------------------------------------------------------------------- search


def scratch_pg_url(pg_url: str, purpose: str) -> str:
    """<pg_url's database>_<purpose>: a scratch database of the benchmark's own, never `test`."""
    base, name = pg_url.rsplit("/", 1)
    return f"{base}/{name}_{purpose}"


def search_targets(args, data_dir: Path, env: dict) -> list[dict]:
    """Where each backend is searched: Whoosh beside the read database; PostgreSQL on a PostgreSQL database.

    On the default (SQLite) run PostgreSQL search gets `<pg-url>_search`, loaded once with the corpus
    (reused while its marker matches) and reindexed each run, so both backends answer the same corpus.
    """
    targets = []
    for backend in args.search_backends:
        if backend == "whoosh" or args.database_url.startswith("postgresql"):
            targets.append({"backend": backend, "data_dir": data_dir, "env": dict(env)})
            continue
        url = scratch_pg_url(args.pg_url, "search")
        ensure_pg_database(url)
        pg_dir = BENCH_ROOT / "http-pg-search"
        marker = load(2000, pg_dir, {"HORSESHOE_DATABASE_URL": url})
        targets.append({"backend": backend, "data_dir": pg_dir, "env": {"HORSESHOE_DATABASE_URL": url},
                        "load_s": marker["this_run_s"]})
    return targets


def search_reindex(target: dict, skip: bool) -> dict | None:
    """Rebuild the backend's index (timed) unless skipping and it was built from this very load."""
    data_dir, backend = target["data_dir"], target["backend"]
    env = target["env"] | {"HORSESHOE_SEARCH_BACKEND": backend}
    marker = data_dir / SEARCH_INDEX_MARKER
    loaded_at = json.loads((data_dir / "bench-corpus.json").read_text())["loaded_at"]
    built = json.loads(marker.read_text()) if marker.exists() else {}
    if skip and built.get(backend) == loaded_at:
        return None
    result = py("api_search.py", "reindex", "--data-dir", str(data_dir), "--backend", backend, env=env)
    marker.write_text(json.dumps(built | {backend: loaded_at}))
    if backend == "postgres":
        analyze(target["env"]["HORSESHOE_DATABASE_URL"])
    return result


def analyze(url: str) -> None:
    """VACUUM ANALYZE after the bulk rebuild, as autovacuum would soon do on a deployment."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def search_query(target: dict, corpus_dir: Path) -> dict:
    backend = target["backend"]
    env = target["env"] | {"HORSESHOE_SEARCH_BACKEND": backend}
    server = horseshoe_server(f"horseshoe-search-{backend}", target["data_dir"], env).start("/")
    try:
        query = py("api_search.py", "query", "--base-url", server.base_url, "--corpus-dir", str(corpus_dir))
    finally:
        server.stop()
    result = {"backend": backend, "query": query, "reindex": target.get("reindex"), "data_dir": str(target["data_dir"]),
              "env": target["env"], "database": _database_label(target)}
    url = target["env"].get("HORSESHOE_DATABASE_URL", "")
    if url.startswith("postgresql"):
        result["postgres_version"] = pg_version(url)
    return result


def _database_label(target: dict) -> str:
    url = target["env"].get("HORSESHOE_DATABASE_URL")
    return url or f"sqlite:///{target['data_dir'] / 'horseshoe.sqlite3'}"


def pg_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


# ---------------------------------------------------------------------------- the job worker's memory


def ensure_whoosh_index(data_dir: Path, env: dict) -> float | None:
    """Build data_dir's Whoosh index when it was not built from the loaded corpus; seconds, or None if current.

    The worker's periodic `search.ensure_index` rebuilds a missing index: without this its pass would
    measure a full rebuild, not the periodic jobs a running community's worker does.
    """
    result = search_reindex({"backend": "whoosh", "data_dir": data_dir, "env": env}, skip=True)
    return result["seconds"] if result else None


def copy_data_dir(source: Path, scratch: Path) -> None:
    """A consistent copy of the SQLite database (the backup API, WAL included) and the search index."""
    import sqlite3

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    with sqlite3.connect(source / "horseshoe.sqlite3") as src, sqlite3.connect(scratch / "horseshoe.sqlite3") as dst:
        src.backup(dst)
    if (source / "search").is_dir():
        shutil.copytree(source / "search", scratch / "search")


def worker_pass(data_dir: Path, label: str, env: dict, timeout_s: int) -> dict:
    """Peak RSS of `flask worker` over one pass of its periodic jobs, on a scratch copy of data_dir."""
    index_s = ensure_whoosh_index(data_dir, env)
    scratch = BENCH_ROOT / f"{data_dir.name}-worker"
    copy_data_dir(data_dir, scratch)
    try:
        result = py("worker_rss.py", "--data-dir", str(scratch), "--timeout", str(timeout_s), "--label", label,
                    env=env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result | {"index_built_s": index_s}


# ---------------------------------------------------------------------------- posting


def posting_run(label: str, data_dir: Path, env: dict, duration: int) -> dict:
    """Tokens on the scratch database, then 8 HTTP clients against gunicorn; 5xx and lock errors counted."""
    prepared = py("posting_load.py", "prepare", "--data-dir", str(data_dir), env=env)
    tokens = data_dir / "bench-tokens.json"
    tokens.write_text(json.dumps(prepared))
    server = horseshoe_server(f"horseshoe-posting-{label}", data_dir, env).start("/")
    try:
        result = py("posting_load.py", "drive", "--base-url", server.base_url, "--tokens", str(tokens),
                    "--duration", str(duration))
        result["database_is_locked"] = server.log_count("database is locked")
        result["tracebacks"] = server.log_count("Traceback")
        result["rss_mb"] = server.worker_rss_mb()
    finally:
        server.stop()
    return result


def posting_sqlite(data_dir: Path, duration: int) -> dict:
    scratch = BENCH_ROOT / "http-posting"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for suffix in ("", "-wal"):
        source = data_dir / f"horseshoe.sqlite3{suffix}"
        if source.exists():
            shutil.copy2(source, scratch / source.name)
    return posting_run("sqlite", scratch, {}, duration)


def ensure_pg_database(url: str) -> str:
    """Create url's database when missing (a scratch one: loading empties it); returns the admin URL."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return admin


def posting_postgres(pg_url: str, duration: int, threads: int) -> dict:
    """Load the corpus into pg_url's database once, clone it (CREATE DATABASE ... TEMPLATE) per run."""
    import psycopg

    base_db = pg_url.rsplit("/", 1)[1]
    scratch_db = f"{base_db}_posting"
    admin = ensure_pg_database(pg_url)
    marker = load(threads, BENCH_ROOT / "http-pg", {"HORSESHOE_DATABASE_URL": pg_url})
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch_db}"')
        connection.execute(f'CREATE DATABASE "{scratch_db}" TEMPLATE "{base_db}"')
        version = connection.execute("SHOW server_version").fetchone()[0]
    scratch_dir = BENCH_ROOT / "http-pg-posting"
    shutil.rmtree(scratch_dir, ignore_errors=True)
    url = pg_url.rsplit("/", 1)[0] + "/" + scratch_db
    try:
        result = posting_run("postgres", scratch_dir, {"HORSESHOE_DATABASE_URL": url}, duration)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
    return result | {"postgres_version": version, "load_s": marker["timings"]["total_s"]}


# ---------------------------------------------------------------------------- profiles and main


def profile_gaps(results: dict, data_dir: Path, env: dict, suffix: str) -> dict[str, str]:
    """A pyinstrument text profile (bench/profiles/) for every missed target; returns {target: file or error}."""
    written = {}
    for target, (command, extra) in http_report.missed_profiles(results, data_dir).items():
        out = HERE / "profiles" / f"{target}{suffix}.txt"
        done = subprocess.run([PY, *command, "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, **env, **extra})
        written[target] = str(out.relative_to(REPO)) if done.returncode == 0 else "failed: " + done.stderr[-300:]
    return written


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per page (after a 3 s warm-up)")
    parser.add_argument("--large", action="store_true", help="also the 400,000-post community (--threads 20000)")
    parser.add_argument("--only", action="append", choices=PARTS, dest="parts", help="run only these parts")
    parser.add_argument("--search-backend", action="append", choices=["whoosh", "postgres"], dest="search_backends",
                        help="search on this backend (repeatable; default both, PostgreSQL in <pg-url>_search)")
    parser.add_argument("--skip-reindex", action="store_true",
                        help="reuse each search index built from the loaded corpus (no reindex figure)")
    parser.add_argument("--cpu-requests", type=int, default=200, help="GETs per page for CPU per page")
    parser.add_argument("--worker-timeout", type=int, default=300,
                        help="seconds before the job worker's periodic pass is cut short")
    parser.add_argument("--database-url", default="", help="serve the read figures from this database")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="scratch PostgreSQL database for posting"
                        " (emptied and loaded; <name>_posting is cloned from it per run; <name>_search for search)")
    parser.add_argument("--no-postgres", action="store_true", help="posting and search on SQLite/Whoosh only")
    parser.add_argument("--no-profiles", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    args.parts = args.parts or list(PARTS)
    backends = args.search_backends or ["whoosh", "postgres"]
    if args.no_postgres and not args.database_url.startswith("postgresql"):
        backends = [b for b in backends if b != "postgres"]
    args.search_backends = list(dict.fromkeys(backends))
    return args


def check_databases(args) -> None:
    """Refuse a database someone else relies on: loading empties it."""
    for url in (args.database_url, args.pg_url):
        if url.rsplit("/", 1)[-1] in {"test", "horseshoe_test", "postgres"}:
            raise SystemExit(f"bench/run: loading empties {url}; give a scratch database")
    if args.database_url.startswith("postgresql"):
        ensure_pg_database(args.database_url)


def in_process(args, sizes: dict[str, Path], env: dict) -> dict:
    """SQL statements and CPU ms per page through the test client, on each loaded community."""
    results = {}
    if "sql" in args.parts:
        results["sql"] = {name: py("page_sql.py", "--data-dir", str(path), env=env) for name, path in sizes.items()}
    if "cpu" in args.parts:
        results["cpu"] = {name: py("page_sql.py", "--data-dir", str(path), "--cpu", "--requests",
                                   str(args.cpu_requests), env=env) for name, path in sizes.items()}
    return results


def main() -> None:
    args = parse_args()
    env = {"HORSESHOE_DATABASE_URL": args.database_url} if args.database_url else {}
    check_databases(args)
    suffix = "-pg-read" if args.database_url else ""
    data_dir = BENCH_ROOT / f"http{suffix}"
    results: dict = {"argv": ["bench/run", *sys.argv[1:]], "parts": args.parts, "load_before": os.getloadavg()}
    results["load"] = load(2000, data_dir, env)
    corpus_dir = Path(results["load"]["corpus_dir"])
    large_dir = BENCH_ROOT / f"http-large{suffix}" if args.large else None
    if large_dir:
        results["load_large"] = load(20000, large_dir, env)
        results["large_dir"] = str(large_dir)
    sizes = {name: path for name, path in (("40k", data_dir), ("400k", large_dir)) if path}
    results |= in_process(args, sizes, env)
    searches = search_targets(args, data_dir, env) if "search" in args.parts else []
    for target in searches:  # before the ceiling's first run: the reindex is not part of the read bracket
        target["reindex"] = search_reindex(target, args.skip_reindex)
    if {"pages", "search"} & set(args.parts):
        results["read"] = read_phase(args, data_dir, env, large_dir if "pages" in args.parts else None, corpus_dir,
                                     searches)
    if "worker" in args.parts and not args.database_url:  # a scratch copy is a file copy: SQLite runs only
        results["worker"] = {name: worker_pass(path, name, env, args.worker_timeout)
                             for name, path in sizes.items()}
    if "posting" in args.parts:
        results["posting"] = {"sqlite": posting_sqlite(data_dir, args.duration)}
        if not args.no_postgres:
            results["posting"]["postgres"] = posting_postgres(args.pg_url, args.duration, 2000)
    results["load_after"] = os.getloadavg()
    results["profiles"] = {} if args.no_profiles else profile_gaps(results, data_dir, env, suffix)
    if set(args.parts) != {"similar"}:
        body = http_report.render(results)
        print(body)
        if not args.no_record:
            http_report.record(body, results, PARTS)
    if "similar" in args.parts and not args.database_url:  # its SQLite + Whoosh run needs the SQLite load
        similar_part(args, sizes)


def similar_part(args, sizes: dict[str, Path]) -> None:
    """Similar questions in-process after the HTTP figures (bench/similar_bench.py): its own table and
    RESULTS.md section per size; PostgreSQL (in <pg-url>_search, as the search part) at 40,000 posts only."""
    for name, path in sizes.items():
        backends = ["whoosh"] + (["postgres"] if name == "40k" and not args.no_postgres else [])
        command = [PY, str(HERE / "similar_bench.py"), "--threads", "2000" if name == "40k" else "20000",
                   "--data-dir", str(path), "--pg-url", scratch_pg_url(args.pg_url, "search"),
                   "--pg-data-dir", str(BENCH_ROOT / "http-pg-search"), *(f"--backend={b}" for b in backends),
                   *(["--record"] if not args.no_record else []), *(["--no-profiles"] if args.no_profiles else []),
                   *(["--skip-reindex"] if args.skip_reindex else [])]
        subprocess.run(command, check=True, cwd=REPO)


if __name__ == "__main__":
    main()
