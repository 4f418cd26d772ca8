#!/usr/bin/env python3
"""SQL statements per page, counted in-process, and pyinstrument profiles of slow requests.

    .venv/bin/python bench/page_sql.py --data-dir /tmp/horseshoe-bench/http            # JSON: counts
    .venv/bin/python bench/page_sql.py --data-dir D --profile /t/1/slug --signed-in --out bench/profiles/x.txt
    .venv/bin/python bench/page_sql.py --data-dir D --cpu [--requests 200]            # JSON: CPU ms per page

Counts come from a SQLAlchemy before_cursor_execute listener on the app's engine while the Flask
test client requests each page on the same database the HTTP benchmark serves (the anonymous page
cache is switched off, so a signed-out figure is what a cache miss costs). Issue 21's target is a
small constant (at most 6 per page signed in) whatever the community's size, so http_bench.py runs
this on the 40,000- and 400,000-post databases alike.

`--cpu` is issue 21's CPU per page: time.process_time over --requests GETs (200) of each page
through the test client, no profiler attached (the thread page signed in; thread, home and
category signed out with the page cache off). It counts this process's own work only, so it
holds still on a shared, busy machine where req/s and wall time drift.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402, F401  (puts the repo root on sys.path)

SQL_TARGET = 6  # issue 21: per page signed in (thread, category, home), the same at 40,000 and 400,000 posts
DEFAULT_PAGES = {"thread": "/t/1", "home": "/", "category": "/c/insomnia"}
CPU_PAGES = (("thread", True), ("thread", False), ("home", False), ("category", False))  # (page, signed in)
WARM_UP = 5
TRANSACTION_CONTROL = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}  # not queries: left out of the count


def queries(statements: list[str]) -> int:
    return sum(1 for statement in statements if statement.strip().upper() not in TRANSACTION_CONTROL)


def make_app(data_dir: Path, cache_s: int = 0):
    """The bench app with the anonymous page cache at cache_s (0 = off, so every GET does its work)."""
    from forum import create_app
    from forum.core.settings import Settings

    settings = Settings(data_dir=str(data_dir), database_url=os.environ.get("HORSESHOE_DATABASE_URL", ""),
                        secret_key="horseshoe-bench-not-secret", search_backend=os.environ.get(
                            "HORSESHOE_SEARCH_BACKEND", "whoosh"), anonymous_cache_s=cache_s)
    return create_app(settings)


@contextmanager
def counting(engine):
    """Collect every statement the engine sends while the block runs."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def signed_in_client(app, user_id: int):
    """A test client holding the session a real sign-in gives (Flask-Login's user id and freshness)."""
    from forum.accounts import sessions
    from forum.core.extensions import db
    from forum.models import User

    with app.app_context():
        identity = sessions.start(db.session.get(User, user_id), sessions.Browser("127.0.0.1", "page-sql"))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = identity, True
    return client


def count_pages(app, pages: dict[str, str], user_id: int) -> dict[str, dict]:
    """{label: {"out": n, "in": n, "status_out": s, "status_in": s}}: statements for one GET of each page."""
    from forum.core.extensions import db

    clients = {"out": app.test_client(), "in": signed_in_client(app, user_id)}
    with app.app_context():
        engine = db.engine
    results: dict[str, dict] = {}
    for label, path in pages.items():
        row: dict = {}
        for who, client in clients.items():
            where = _final_path(client, path)  # warms too: first-request setup is not per page
            with counting(engine) as seen:
                response = client.get(where)
            row[who], row[f"status_{who}"] = queries(seen), response.status_code
        results[label] = row
    return results


def profile(app, paths: list[str], user_id: int | None, requests: int, out: Path) -> None:
    """A short pyinstrument text profile of `requests` GETs cycling over paths (signed in when user_id is given)."""
    from pyinstrument import Profiler

    client = signed_in_client(app, user_id) if user_id else app.test_client()
    paths = [_final_path(client, path) for path in paths]  # a redirect would profile only the redirect
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for i in range(requests):
        client.get(paths[i % len(paths)])
    profiler.stop()
    who = "signed in" if user_id else "signed out"
    write_profile(profiler, out, f"{requests} x GET {paths[0]} (+{len(paths) - 1} more paths; {who}, cache off)")


def cpu_per_page(app, pages: dict[str, str], user_id: int, requests: int) -> dict[str, dict]:
    """{"thread in": {"cpu_ms": .., "wall_ms": .., "status": ..}, ...}: the mean cost of one GET, no profiler.

    Each page is followed to where it lives (a redirect would measure only the redirect), warmed
    with a few GETs (template compile, settings load), then timed over `requests` GETs.
    """
    import time

    clients = {True: signed_in_client(app, user_id), False: app.test_client()}
    results: dict[str, dict] = {}
    for page, signed_in in CPU_PAGES:
        client = clients[signed_in]
        path = _final_path(client, pages[page])
        for _ in range(WARM_UP):
            response = client.get(path)
        cpu, wall = time.process_time(), time.perf_counter()
        statuses: dict[int, int] = {}
        for _ in range(requests):
            status = client.get(path).status_code
            statuses[status] = statuses.get(status, 0) + 1
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        results[f"{page} {'in' if signed_in else 'out'}"] = {
            "path": path, "requests": requests, "cpu_ms": cpu * 1000 / requests, "wall_ms": wall * 1000 / requests,
            "statuses": {str(k): v for k, v in statuses.items()}, "bytes": len(response.data),
            "signed_in_seen": signed_in and _signed_in_marker(app, user_id) in response.get_data(as_text=True)}
    return results


def _final_path(client, path: str) -> str:
    """Where a page really lives (a bare /t/<id> may redirect to its slug), as the HTTP benchmark follows it."""
    for _ in range(3):
        response = client.get(path)
        if response.status_code not in (301, 302, 303, 307, 308):
            return path
        path = response.headers["Location"]
    return path


def _signed_in_marker(app, user_id: int) -> str:
    """The member's username: on every page they see signed in (the HTTP benchmark checks the same)."""
    from forum.core.extensions import db
    from forum.models import User

    with app.app_context():
        return db.session.get(User, user_id).username


def list_statements(app, path: str, user_id: int | None, out: Path) -> None:
    """The SQL one GET of path sends (after a warm-up GET), to show which statements a page could lose."""
    from forum.core.extensions import db

    client = signed_in_client(app, user_id) if user_id else app.test_client()
    path = _final_path(client, path)  # warms too
    with app.app_context():
        engine = db.engine
    with counting(engine) as seen:
        client.get(path)
    who = "signed in" if user_id else "signed out"
    lines = [f"# {queries(seen)} SQL queries ({len(seen)} statements with transaction control)"
             f" for one GET {path} ({who}, cache off)"]
    lines += [f"\n-- {i}\n{' '.join(statement.split())[:600]}" for i, statement in enumerate(seen, 1)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


def write_profile(profiler, out: Path, title: str) -> None:
    text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
    lines = text.splitlines()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# {title}\n" + "\n".join(lines[:120]) + ("\n[... cut]\n" if len(lines) > 120 else "\n"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--pages", help='JSON {label: path}; default: thread 1, home, category "insomnia"')
    parser.add_argument("--user-id", type=int, default=2, help="the signed-in member")
    parser.add_argument("--profile", metavar="PATH", action="append", help="profile GETs of these paths (repeatable)")
    parser.add_argument("--statements", action="store_true", help="with --profile PATH: list its SQL instead")
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--requests", type=int, help="GETs to profile (default 100) or to time with --cpu (200)")
    parser.add_argument("--cpu", action="store_true", help="CPU ms per page over --requests GETs, no profiler")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    app = make_app(args.data_dir)
    user_id = args.user_id if args.signed_in else None
    if args.profile and args.statements:
        list_statements(app, args.profile[0], user_id, args.out)
        return
    if args.profile:
        profile(app, args.profile, user_id, args.requests or 100, args.out)
        return
    pages = json.loads(args.pages) if args.pages else DEFAULT_PAGES
    if args.cpu:
        print(json.dumps(cpu_per_page(app, pages, args.user_id, args.requests or 200)))
        return
    print(json.dumps(count_pages(app, pages, args.user_id)))


if __name__ == "__main__":
    main()
