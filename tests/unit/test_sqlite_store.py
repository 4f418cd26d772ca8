"""The small shared SQLite files (rate-limit counters, the page cache) commit without an fsync each time.

Every limited request bumps a counter; synced on each commit (SQLite's default, synchronous=FULL) that was
~2 ms under the file's write lock per request, which all web workers queue for (issue 21).
"""

from __future__ import annotations

from pathlib import Path

from forum.core import sqlite_store

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


def test_a_shared_store_runs_in_wal_mode_and_syncs_at_checkpoints_only(tmp_path: Path):
    connection = sqlite_store.connect(tmp_path / "counters.sqlite3", busy_timeout_s=1)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == NORMAL
    finally:
        connection.close()
