"""Time goes through the clock service: product code and test factories never read the real time.

A suite that passes or fails by calendar date blocks every submission (a mission window that
ended last week, a reply stamped today beside a clock frozen last month). The only readers of
the wall clock are the clock module itself and the rate limiter's own windows (Flask-Limiter's
storage contract counts in epoch seconds). time.monotonic() measures durations, not dates, so it
stays allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [*(ROOT / package for package in ("forum", "moderation", "search")), ROOT / "tests" / "factories.py"]
ALLOWED = {"forum.core.clock", "forum.http.ratelimits"}
WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("func", "now"), ("func", "current_timestamp"),
    ("func", "localtimestamp"), ("func", "current_date"),
}


def _modules() -> list[Path]:
    return sorted(path for root in SCANNED for path in ([root] if root.is_file() else root.rglob("*.py")))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def wall_clock_reads(source: str) -> list[str]:
    """`owner.attr(...)` calls that read the real time, as "line: owner.attr"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (owner_name, node.func.attr) in WALL_CLOCK_CALLS:
                found.append(f"{node.lineno}: {owner_name}.{node.func.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "CURRENT_TIMESTAMP" in node.value.upper():
            found.append(f"{node.lineno}: CURRENT_TIMESTAMP")
    return found


@pytest.mark.parametrize("source", [
    "from datetime import UTC, datetime\nstamp = datetime.now(UTC)",
    "import datetime\nstamp = datetime.datetime.utcnow()",
    "import time\nexpires = time.time() + 60",
    "from datetime import date\nday = date.today()",
    "created_at = mapped_column(server_default=func.now())",
    "created_at = mapped_column(server_default=text('CURRENT_TIMESTAMP'))",
])
def test_the_check_finds_each_way_of_reading_the_real_time(source: str):
    assert wall_clock_reads(source), source


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_product_code_and_factories_read_time_only_from_the_clock(path: Path):
    if _name(path) in ALLOWED:
        return
    assert wall_clock_reads(path.read_text()) == [], f"{_name(path)} reads the real time: use the clock service"
