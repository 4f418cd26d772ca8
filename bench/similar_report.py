"""The table bench/similar_bench.py prints and the dated section it appends to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
ENGINE_PATHS = ("search", "forum", "moderation")  # where the similar engine's code lives (its state in the heading)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True,
                              check=True).stdout.rstrip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def engine_state() -> dict[str, str]:
    """The commit, +dirty when the engine's code has uncommitted changes, and what they are (diff --stat)."""
    stat = _git("diff", "--stat", "HEAD", "--", *ENGINE_PATHS)
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", *ENGINE_PATHS)
    dirty = bool(stat or untracked) and "?" not in (stat, untracked)
    return {"commit": _git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else ""),
            "diff_stat": stat, "untracked": untracked}


def engine_fingerprint() -> str:
    """A short hash of search/'s code when a row is measured: which engine it measured (the code may change
    between rows while others work on it)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((HERE.parent / "search").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def verdict(p95: float, target: float) -> str:
    return "**PASS**" if p95 < target else "**MISS**"


def _cpu(t: dict) -> str:
    return f"{t['cpu_p50']:.1f} / {t['cpu_p95']:.1f}" if "cpu_p50" in t else "?"


def _verdicts(t: dict, target: float) -> str:
    cpu = f"; CPU {verdict(t['cpu_p95'], target)}" if "cpu_p95" in t else ""
    return f"< {target:.0f} ms: wall {verdict(t['p95'], target)}{cpu}"


def _load(row: dict) -> str:
    before, after = row["load_before"], row["load_after"]
    return f"{before[0]:.2f} → {after[0]:.2f}"


def _row(row: dict) -> str:
    name = f"{row['backend']}{' + semantic' if row['semantic'] else ''}"
    if row.get("engine"):
        name += f" (search/ `{row['engine']}`)"
    if row.get("skipped"):
        return f"| {name} | skipped: {row['skipped']} | | | | | | | | | | |"
    t, rss, traced = row["timing"], row["rss"], row["traced"]
    memory = (f"{rss['app_up']['VmRSS']:.0f} → {rss['warm']['VmRSS']:.0f} → {rss['after']['VmRSS']:.0f} "
              f"(peak {rss['after']['VmHWM']:.0f})")
    return (f"| {name} | {t['p50']:.1f} | **{t['p95']:.1f}** | {t['p99']:.1f} | {t['max']:.1f} | {_cpu(t)} "
            f"| {t['statements']:.1f} (max {t['statements_max']}) | {t['found_mean']:.1f}; {t['empty_share']:.0%} none "
            f"| {memory} | {traced['median_kb']:.0f} / {traced['max_kb']:.0f} "
            f"| {_verdicts(t, row['target_ms'])} | {_load(row)} |")


def _reindex(row: dict) -> str:
    r = row.get("reindex")
    what = f"rebuilt in {r['seconds']:.1f} s ({r['documents']} documents)" if r else "reused (built from this load)"
    return f"{row['backend']}: {what}, database {row['database']}"


def render(rows: list[dict], args) -> str:
    measured = [row for row in rows if not row.get("skipped")]
    first = measured[0] if measured else rows[0]
    posts = rows[0]["posts"]
    lines = [
        f"`search.similar.similar(None, title, limit=10)` in-process, {posts:,} posts "
        f"({'bench/run --large' if posts > 40000 else 'make bench'} size); "
        f"{first.get('titles', '?')} draft titles × {first.get('passes', '?')} timed passes after one warm-up; "
        f"ms per call, wall clock; CPU: this process's CPU time per call (what the call costs whatever else runs; "
        f"PostgreSQL's server-side work is not in it). Memory: the measuring process's VmRSS in MB when the app "
        f"is up → after the warm-up → after the timed passes (VmHWM peak); tracemalloc: Python allocations' "
        f"peak per call, median / max KB over 50 titles. Load average: 1-minute, before → after the row "
        f"({os.cpu_count()} cores). search/ `…`: a hash of search/'s code when the row was measured.",
        "",
        "| backend | p50 | p95 | p99 | max | CPU p50 / p95 | SQL statements per call | suggestions per call "
        "| RSS MB | tracemalloc KB | p95 target | load avg |",
        "|---|---:|---:|---:|---:|---|---|---|---|---|---|---|",
        *[_row(row) for row in rows],
        "",
        "Index: " + "; ".join(_reindex(row) for row in rows if not row["semantic"]) + ".",
    ]
    profiles = [row["profile"] for row in rows if row.get("profile")]
    if profiles:
        lines += ["", "Profiles of the misses: " + ", ".join(f"`{p}`" for p in profiles) + "."]
    return "\n".join(lines)


def record(body: str, rows: list[dict], args) -> None:
    """Append a dated section (never replaces one: the engine changes between runs of the same day)."""
    state = engine_state()
    now = datetime.now(UTC)  # a bench record's time stamp, not domain time
    size = f"{rows[0]['posts'] // 1000}k posts"
    heading = f"## {now:%Y-%m-%d %H:%M} UTC · similar questions speed and memory, {size} · commit {state['commit']}"
    if args.label:
        heading += f" · {args.label}"
    import whoosh

    machine = (f"_`bench/similar_bench.py` (issue 26): Python {platform.python_version()}, Whoosh "
               f"{whoosh.versionstring()}, nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} "
               f"at the end; targets p95 < 50 ms at 40k posts, < 100 ms at 400k._")
    changes = ""
    if state["diff_stat"] or state["untracked"]:
        untracked = "".join(f"\n new file {line}" for line in state["untracked"].splitlines())
        changes = f"\n\nUncommitted engine changes measured (`git diff --stat HEAD`):\n\n```\n{state['diff_stat']}" \
                  f"{untracked}\n```"
    section = f"{heading}\n\n{machine}{changes}\n\n{body}\n"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    RESULTS.write_text(text.rstrip() + "\n\n" + section)
