#!/usr/bin/env python3
"""Sitemaps on a loaded corpus (issue 27: a 400,000-post community serves its sitemap in under a second).

    .venv/bin/python bench/sitemap_bench.py                     # the 400,000-post load similar_bench.py made
    .venv/bin/python bench/sitemap_bench.py --data-dir DIR --record

Through the Flask test client, signed out, page cache off: GET /sitemap.xml (the index) and every file it
lists, one warm-up then --passes timed GETs each -> p50 and max ms, bytes, URLs and SQL statements per file.
The data directory is one that bench/load_corpus.py filled (`bench/similar_bench.py --threads 20000` leaves
one at <tmp>/horseshoe-bench/similar-t20000); nothing is written to it. `--record` appends the table to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = Path("/tmp/horseshoe-bench/similar-t20000")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
TARGET_MS = 1000.0


def make_app(data_dir: Path):
    sys.path.insert(0, str(HERE.parent))
    from forum import create_app
    from forum.core.settings import Settings

    database = data_dir / "horseshoe.sqlite3"
    if not database.is_file():
        raise SystemExit(f"sitemap_bench: no loaded corpus at {database} (run bench/similar_bench.py --threads "
                         "20000 first, or pass --data-dir)")
    settings = Settings(data_dir=str(data_dir), database_url=f"sqlite:///{database}", anonymous_cache_s=0,
                        secret_key="horseshoe-bench-not-secret", base_url="https://community.example")
    return create_app(settings)


def timed(client, path: str, passes: int, engine) -> dict:
    from sqlalchemy import event

    statements: list[str] = []

    def note(_connection, _cursor, sql, *_rest) -> None:
        statements.append(sql)

    client.get(path)  # warm-up
    event.listen(engine, "before_cursor_execute", note)
    times, response = [], None
    for _ in range(passes):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    event.remove(engine, "before_cursor_execute", note)
    assert response is not None and response.status_code == 200, f"{path}: {response and response.status_code}"
    return {"path": path, "p50": statistics.median(times), "max": max(times), "bytes": len(response.data),
            "urls": response.data.count(b"<loc>"), "statements": len(statements) / passes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    app = make_app(args.data_dir)
    from forum.core.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    index = timed(client, "/sitemap.xml", args.passes, engine)
    files = [loc.text.removeprefix("https://community.example")
             for loc in ET.fromstring(client.get("/sitemap.xml").data).findall("sm:sitemap/sm:loc", NS)]
    rows = [index] + [timed(client, path, args.passes, engine) for path in files]
    table = render(rows, args)
    print(table)
    if args.record:
        with (HERE / "RESULTS.md").open("a") as results:
            results.write("\n" + table)


def render(rows: list[dict], args) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    lines = [f"## {date.today():%Y-%m-%d} sitemaps (issue 27), commit {commit}, {args.data_dir.name}",
             "", f"Test client, signed out, page cache off; {args.passes} timed GETs per file after a warm-up; "
             f"target < {TARGET_MS:.0f} ms each.", "",
             "| file | p50 ms | max ms | URLs | KB | SQL statements | target |", "|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        verdict = "PASS" if row["max"] < TARGET_MS else "MISS"
        lines.append(f"| `{row['path']}` | {row['p50']:.1f} | {row['max']:.1f} | {row['urls']} | "
                     f"{row['bytes'] / 1024:.0f} | {row['statements']:.0f} | {verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
