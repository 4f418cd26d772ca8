"""gunicorn's settings for Horseshoe: read from the directory gunicorn starts in (`make run`, tests/deployed).

GET /metrics must count the requests of every worker, whichever worker answers the scrape. prometheus_client's
multiprocess mode does that: each worker writes its counts to files in PROMETHEUS_MULTIPROC_DIR, and a scrape
sums the files (forum.operations.metrics). The variable has to be set before a worker imports prometheus_client,
so it is set here, in the master, while gunicorn reads this file; workers inherit it. An operator's own value is
kept; the default is a directory in the data directory (HORSESHOE_DATA_DIR).

on_starting empties the directory once per server start: counts start from zero, as a restarted process' would
(Prometheus reads a counter reset as such), and no file of an earlier run's workers is summed in for ever. A
reload (HUP) keeps them. child_exit tells the client a worker is gone, as its documentation asks.
"""

from __future__ import annotations

import os
from pathlib import Path

from forum.core.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
os.environ.setdefault(MULTIPROC_ENV, str(Settings.from_env().data_path / "prometheus"))

from prometheus_client import multiprocess  # noqa: E402  (only once the variable is set)


def on_starting(_server) -> None:
    directory = Path(os.environ[MULTIPROC_ENV])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(_server, worker) -> None:
    multiprocess.mark_process_dead(worker.pid)
