"""Run service calls at the same moment from several threads, against committed data (the `committed` fixture)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from forum.core.extensions import db


def race(app: Flask, calls: list[Callable[[], object]]) -> list[BaseException]:
    """Start every call at once, each in its own thread and app context; return what they raised."""
    db.session.remove()  # the test's own transaction would hold SQLite's write lock (BEGIN IMMEDIATE)
    start = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                call()
            except BaseException as exc:  # noqa: BLE001 - returned to the test
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures
