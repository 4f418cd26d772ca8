#!/usr/bin/env python3
"""A full Stack Exchange import of the test sample, timed (issue 28).

    .venv/bin/python bench/import_stackexchange.py              # print the figures
    .venv/bin/python bench/import_stackexchange.py --record     # and append them to bench/RESULTS.md
    .venv/bin/python bench/import_stackexchange.py --dump DIR --site-url https://example.stackexchange.com

Into a fresh, migrated SQLite database in a temporary data directory (HORSESHOE_DATABASE_URL is not read:
the bench always starts empty), the dump (default: tests/fixtures/stackexchange/conlang.meta.stackexchange.com,
177 posts, 230 comments, 272 users) is imported once with the command's service (forum.importing.stackexchange),
then a second time, which must add nothing. Reported: wall and CPU seconds of each run, rows per second of the
first, the summary, and the jobs the import queued (search indexing, badge checks) for the worker.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "tests" / "fixtures" / "stackexchange" / "conlang.meta.stackexchange.com"


def make_app(data_dir: Path):
    sys.path.insert(0, str(HERE.parent))
    from forum import create_app
    from forum.core.settings import Settings

    settings = Settings(data_dir=str(data_dir), database_url=f"sqlite:///{data_dir / 'horseshoe.sqlite3'}",
                        secret_key="horseshoe-bench-not-secret", base_url="https://community.example")
    return create_app(settings)


def timed_import(dump: Path, site_url: str) -> tuple[float, float, object]:
    from forum.importing import stackexchange

    wall, cpu = time.perf_counter(), time.process_time()
    summary = stackexchange.import_dump(dump, site_url)
    return time.perf_counter() - wall, time.process_time() - cpu, summary


def run(dump: Path, site_url: str) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from forum.core.extensions import db
    from forum.models import Job

    with tempfile.TemporaryDirectory(prefix="horseshoe-import-bench-") as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            upgrade()
            first_wall, first_cpu, first = timed_import(dump, site_url)
            second_wall, second_cpu, second = timed_import(dump, site_url)
            jobs = db.session.scalar(select(func.count(Job.id)))
            db.session.remove()
            db.engine.dispose()
    rows = sum(first.added.values())
    if sum(second.added.values()):
        raise SystemExit(f"import_stackexchange: the second run added rows: {second.added}")
    return {"first_wall": first_wall, "first_cpu": first_cpu, "second_wall": second_wall,
            "second_cpu": second_cpu, "rows": rows, "summary": first.lines(), "jobs": jobs}


def report(figures: dict, dump: Path) -> str:
    lines = [
        f"## {date.today():%Y-%m-%d} — Stack Exchange import (issue 28 item 2)",
        "",
        f"`bench/import_stackexchange.py`: a full import of `{dump.name}` (the test sample) into a fresh, migrated",
        "SQLite database, then the same import again (which adds nothing), on the shared 2-core machine.",
        "",
        "| Run | wall s | CPU s | rows added | rows/s |",
        "| --- | --- | --- | --- | --- |",
        f"| first (full import) | {figures['first_wall']:.2f} | {figures['first_cpu']:.2f} | {figures['rows']} | "
        f"{figures['rows'] / figures['first_wall']:.0f} |",
        f"| second (everything skipped) | {figures['second_wall']:.2f} | {figures['second_cpu']:.2f} | 0 | — |",
        "",
        "Added: " + "; ".join(figures["summary"]) + f". Jobs queued for the worker: {figures['jobs']}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, default=SAMPLE)
    parser.add_argument("--site-url", default="https://conlang.meta.stackexchange.com")
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    text = report(run(args.dump, args.site_url), args.dump)
    print(text)
    if args.record:
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as results:
            results.write("\n" + text)


if __name__ == "__main__":
    main()
