#!/usr/bin/env python3
"""Search through the HTTP API of a running server, and the full reindex, for either search backend.

    .venv/bin/python bench/api_search.py reindex --data-dir D [--backend whoosh|postgres]
    .venv/bin/python bench/api_search.py query --base-url http://127.0.0.1:PORT --corpus-dir C

`reindex` times `flask --app wsgi search reindex` (what an operator runs: the whole index rebuilt
aside and swapped in) on the bench data dir. `query` sends the corpus's 200 queries to
GET /api/v1/search?limit=20 (one warm-up pass, then --passes timed passes, signed out, one
keep-alive connection) and 50 question titles to GET /api/v1/search/similar, and reports
client-side p50/p99 in ms. The backend is whatever the server was started with
(HORSESHOE_SEARCH_BACKEND), so the same figures can be taken for Whoosh and PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from http_tools import REPO, VENV_BIN, percentile  # noqa: E402

SEARCH_P50_MS, SEARCH_P99_MS, SIMILAR_P50_MS, REINDEX_S = 15.0, 60.0, 80.0, 20.0


def reindex(data_dir: Path, backend: str) -> dict:
    env = {**os.environ, "HORSESHOE_DATA_DIR": str(data_dir), "HORSESHOE_SEARCH_BACKEND": backend,
           "HORSESHOE_SECRET_KEY": "horseshoe-bench-not-secret"}
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "search", "reindex"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    return {"seconds": time.perf_counter() - started, "backend": backend}


def _timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return (time.perf_counter() - started) * 1000, response.status


def _latencies(base_url: str, paths: list[str], passes: int) -> tuple[list[float], dict[int, int]]:
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base_url).netloc, timeout=60)
    statuses: dict[int, int] = {}
    for path in paths:  # warm-up: the searcher opens, caches fill
        _timed_get(connection, path)
    times = []
    for _ in range(passes):
        for path in paths:
            elapsed, status = _timed_get(connection, path)
            times.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
    connection.close()
    return times, statuses


def query(base_url: str, corpus_dir: Path, passes: int) -> dict:
    queries = [json.loads(line)["q"] for line in (corpus_dir / "queries.jsonl").read_text().splitlines() if line]
    titles = [json.loads(line)["title"] for line in (corpus_dir / "threads.jsonl").read_text().splitlines()[:50]]
    search_ms, search_status = _latencies(
        base_url, [f"/api/v1/search?limit=20&q={urllib.parse.quote(q)}" for q in queries], passes)
    similar_ms, similar_status = _latencies(
        base_url, [f"/api/v1/search/similar?title={urllib.parse.quote(t)}" for t in titles], 1)
    return {
        "queries": len(queries), "passes": passes,
        "search_p50_ms": percentile(search_ms, 50), "search_p99_ms": percentile(search_ms, 99),
        "search_statuses": {str(k): v for k, v in search_status.items()},
        "similar_n": len(titles), "similar_p50_ms": percentile(similar_ms, 50),
        "similar_p99_ms": percentile(similar_ms, 99),
        "similar_statuses": {str(k): v for k, v in similar_status.items()},
    }


def profile_reindex(data_dir: Path, out: Path) -> None:
    """pyinstrument over the same rebuild in-process (search.backends.whoosh.index.rebuild, the CLI's work)."""
    from page_sql import make_app, write_profile  # also puts the repo root on sys.path
    from pyinstrument import Profiler

    from search.backends.whoosh import index

    app = make_app(data_dir)
    with app.app_context():
        profiler = Profiler(interval=0.005)
        profiler.start()
        index.rebuild()
        profiler.stop()
    write_profile(profiler, out, f"search.backends.whoosh.index.rebuild() on {data_dir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild = sub.add_parser("reindex")
    rebuild.add_argument("--data-dir", type=Path, required=True)
    rebuild.add_argument("--backend", default="whoosh", choices=["whoosh", "postgres"])
    ask = sub.add_parser("query")
    ask.add_argument("--base-url", required=True)
    ask.add_argument("--corpus-dir", type=Path, required=True)
    ask.add_argument("--passes", type=int, default=2)
    prof = sub.add_parser("profile-reindex")
    prof.add_argument("--data-dir", type=Path, required=True)
    prof.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "profile-reindex":
        profile_reindex(args.data_dir, args.out)
    elif args.command == "reindex":
        print(json.dumps(reindex(args.data_dir, args.backend)))
    else:
        print(json.dumps(query(args.base_url, args.corpus_dir, args.passes)))


if __name__ == "__main__":
    main()
