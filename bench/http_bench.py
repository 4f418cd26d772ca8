#!/usr/bin/env python3
"""`make bench` (via bench/run): Horseshoe over HTTP against the ceiling app, with the issue's targets.

    bench/run                      # 40,000-post corpus: pages, SQL per page, posting (SQLite + PostgreSQL), search
    bench/run --large              # also the 400,000-post community (loaded once, cached), pages compared
    bench/run --only pages         # just one part: pages | sql | posting | search (repeatable)
    bench/run --search-backend postgres --database-url postgresql+psycopg://postgres@127.0.0.1/bench_http
    bench/run --no-record          # print the section, leave RESULTS.md alone

One run: load the corpus (reused when loaded), count SQL statements per page in-process, rebuild the
search index (timed), start the ceiling app and Horseshoe under the same gunicorn settings (-w 2 -k
sync), drive each page with `wrk -t1 -c16 -d<N>s --latency` after a 3 s warm-up (anonymous page cache
as configured by default, then switched off), search through the API, post replies through the API
with 8 concurrent clients on a scratch copy of the database (SQLite, then PostgreSQL), take a
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
PARTS = ("pages", "sql", "posting", "search")


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


def read_phase(args, data_dir: Path, env: dict, large_dir: Path | None, corpus_dir: Path) -> dict:
    """Ceiling /jinja50 before and after Horseshoe's pages (its mean is the ratio's denominator)."""
    before, ceiling = measure_ceiling(args.duration)
    try:
        pages = measure_pages(data_dir, args.duration, env, with_signed_in=True) if "pages" in args.parts else None
        large = measure_pages(large_dir, args.duration, env, with_signed_in=False) if large_dir else None
        search = search_phase(args, data_dir, env, corpus_dir) if "search" in args.parts else None
        after = run_wrk(ceiling.base_url + "/jinja50", args.duration)
    finally:
        ceiling.stop()
    return {"ceiling_before": before, "ceiling_after": after, "pages": pages, "large": large, "search": search}


# ---------------------------------------------------------------------------- search


def search_phase(args, data_dir: Path, env: dict, corpus_dir: Path) -> dict:
    backend_env = env | {"HORSESHOE_SEARCH_BACKEND": args.search_backend}
    result: dict = {"backend": args.search_backend}
    if not args.skip_reindex:
        result["reindex"] = py("api_search.py", "reindex", "--data-dir", str(data_dir),
                               "--backend", args.search_backend, env=backend_env)
    server = horseshoe_server(f"horseshoe-search-{args.search_backend}", data_dir, backend_env).start("/")
    try:
        result["query"] = py("api_search.py", "query", "--base-url", server.base_url, "--corpus-dir", str(corpus_dir))
    finally:
        server.stop()
    return result


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
    for target, command in http_report.missed_profiles(results, data_dir).items():
        out = HERE / "profiles" / f"{target}{suffix}.txt"
        done = subprocess.run([PY, *command, "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, **env})
        written[target] = str(out.relative_to(REPO)) if done.returncode == 0 else "failed: " + done.stderr[-300:]
    return written


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per page (after a 3 s warm-up)")
    parser.add_argument("--large", action="store_true", help="also the 400,000-post community (--threads 20000)")
    parser.add_argument("--only", action="append", choices=PARTS, dest="parts", help="run only these parts")
    parser.add_argument("--search-backend", default="whoosh", choices=["whoosh", "postgres"])
    parser.add_argument("--skip-reindex", action="store_true", help="reuse the search index (no reindex figure)")
    parser.add_argument("--database-url", default="", help="serve the read figures from this database")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="scratch PostgreSQL database for posting"
                        " (emptied and loaded; <name>_posting is cloned from it per run)")
    parser.add_argument("--no-postgres", action="store_true", help="posting on SQLite only")
    parser.add_argument("--no-profiles", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    args.parts = args.parts or list(PARTS)
    return args


def main() -> None:
    args = parse_args()
    env = {"HORSESHOE_DATABASE_URL": args.database_url} if args.database_url else {}
    for url in (args.database_url, args.pg_url):
        if url.rsplit("/", 1)[-1] in {"test", "horseshoe_test", "postgres"}:
            raise SystemExit(f"bench/run: loading empties {url}; give a scratch database")
    if args.database_url.startswith("postgresql"):
        ensure_pg_database(args.database_url)
    suffix = "-pg-read" if args.database_url else ""
    data_dir = BENCH_ROOT / f"http{suffix}"
    results: dict = {"argv": ["bench/run", *sys.argv[1:]], "parts": args.parts, "load_before": os.getloadavg()}
    results["load"] = load(2000, data_dir, env)
    corpus_dir = Path(results["load"]["corpus_dir"])
    large_dir = BENCH_ROOT / f"http-large{suffix}" if args.large else None
    if large_dir:
        results["load_large"] = load(20000, large_dir, env)
        results["large_dir"] = str(large_dir)
    if "sql" in args.parts:
        results["sql"] = {name: py("page_sql.py", "--data-dir", str(path), env=env)
                          for name, path in (("40k", data_dir), ("400k", large_dir)) if path}
    if {"pages", "search"} & set(args.parts):
        results["read"] = read_phase(args, data_dir, env, large_dir if "pages" in args.parts else None, corpus_dir)
    if "posting" in args.parts:
        results["posting"] = {"sqlite": posting_sqlite(data_dir, args.duration)}
        if not args.no_postgres:
            results["posting"]["postgres"] = posting_postgres(args.pg_url, args.duration, 2000)
    results["load_after"] = os.getloadavg()
    results["profiles"] = {} if args.no_profiles else profile_gaps(
        results, data_dir, env | {"HORSESHOE_SEARCH_BACKEND": args.search_backend}, suffix)
    body = http_report.render(results)
    print(body)
    if not args.no_record:
        http_report.record(body, results)


if __name__ == "__main__":
    main()
