"""A small SQLite file that every process on this host shares: WAL mode, and waits out other writers.

The rate limiter's counters and the signed-out page cache each keep one under the data directory;
this is how both open it, so the lock handling that took several tries to get right lives once.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path


def connect(path: Path | str, busy_timeout_s: float) -> sqlite3.Connection:
    """An autocommit connection usable from any thread, in WAL mode, waiting up to busy_timeout_s for locks.

    synchronous=NORMAL, as the main database runs: in WAL mode a commit then waits for no fsync (the WAL
    is synced at checkpoints), and a power cut, never a crash of the process, may undo the last few
    commits, without corrupting the file. The default (FULL) synced every rate-limit counter bump,
    ~2 ms under the file's write lock on every limited request, which the web workers queue for (issue 21).
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    switch_to_wal(connection)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def switch_to_wal(connection: sqlite3.Connection, attempts: int = 100) -> None:
    """Put the file in WAL mode, waiting out other processes doing the same.

    Switching journal modes needs an exclusive lock and SQLite does not always call the busy
    handler for it, so several workers opening a new file at once can see "database is locked".
    WAL is persistent: once any process has switched, the others find it already set.
    """
    for _ in range(attempts):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(0.05 + random.random() * 0.05)  # nosec B311  # lock retry jitter
    raise sqlite3.OperationalError(f"could not switch {connection} to WAL: still locked")
