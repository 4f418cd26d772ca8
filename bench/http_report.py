"""The Markdown section http_bench.py writes to RESULTS.md: versions, figures, the issue's targets.

Targets (issue 10), all on the 40,000-post corpus, gunicorn -w 2 -k sync, wrk -c16, and quoted as a
ratio to the ceiling app's /jinja50 measured in the same run (absolute numbers drift on these machines).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import sqlite3
import subprocess
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from http_tools import REPO, wrk_version

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PAGE_TARGETS = {"thread out": 0.40, "thread in": 0.20, "home out": 0.40, "category out": 0.40}
SQL_TARGET, POSTS_PER_S, LARGE_WITHIN = 8, 150.0, 0.20
SEARCH_P50, SEARCH_P99, SIMILAR_P50, REINDEX_S = 15.0, 60.0, 80.0, 20.0
PROFILE_PATHS = {"thread": "/t/1", "home": "/", "category": "/c/insomnia"}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def ceiling_rps(read: dict) -> float:
    return (read["ceiling_before"]["rps"] + read["ceiling_after"]["rps"]) / 2


# ---------------------------------------------------------------------------- what missed


def page_misses(results: dict) -> list[tuple[str, bool]]:
    """[(page key such as "thread out", signed_in)] whose req/s ratio missed its target, cache default or off."""
    read = results.get("read") or {}
    pages = read.get("pages") or {}
    if not pages:
        return []
    ceiling, missed = ceiling_rps(read), []
    for key, target in PAGE_TARGETS.items():
        figures = [pages[k] for k in (key, f"{key}, cache default", f"{key}, cache off") if k in pages]
        if any(f["rps"] / ceiling < target for f in figures):
            missed.append((key, key.endswith(" in")))
    return missed


def large_misses(results: dict) -> list[str]:
    """Pages whose 400,000-post req/s fell more than 20 % below the 40,000-post figure (either cache setting)."""
    read = results.get("read") or {}
    small, large = read.get("pages") or {}, read.get("large") or {}
    missed = {key.split()[0] for key, figure in large.items()
              if key in small and not key.startswith("rss") and figure["rps"] < (1 - LARGE_WITHIN) * small[key]["rps"]}
    return sorted(missed)


def missed_profiles(results: dict, data_dir: Path) -> dict[str, list[str]]:
    """{profile name: the bench command (script + args, without --out) that profiles the gap}."""
    bench, dd = "bench/", str(data_dir)
    commands: dict[str, list[str]] = {}
    for key, signed_in in page_misses(results):
        page = key.split()[0]
        commands[f"page-{page}-{'in' if signed_in else 'out'}"] = [
            bench + "page_sql.py", "--data-dir", dd, "--profile", PROFILE_PATHS[page], "--requests", "100",
            *(["--signed-in"] if signed_in else [])]
    for page in large_misses(results):
        commands[f"large-page-{page}-out"] = [bench + "page_sql.py", "--data-dir", results["large_dir"],
                                              "--profile", PROFILE_PATHS[page], "--requests", "30"]
    for size, pages in (results.get("sql") or {}).items():
        for page, row in pages.items():
            for who in ("out", "in"):
                if row[who] > SQL_TARGET and size == "40k":
                    commands[f"sql-{page}-{who}"] = [bench + "page_sql.py", "--data-dir", dd, "--statements",
                                                     "--profile", PROFILE_PATHS[page],
                                                     *(["--signed-in"] if who == "in" else [])]
    commands.update(_posting_profiles(results))
    commands.update(_search_profiles(results, dd))
    return commands


def _posting_profiles(results: dict) -> dict[str, list[str]]:
    sqlite_run = (results.get("posting") or {}).get("sqlite")
    if not sqlite_run or _posting_ok(sqlite_run):
        return {}
    scratch = Path(os.environ.get("HORSESHOE_BENCH_ROOT", "/tmp/horseshoe-bench")) / "http-posting"
    return {"posting-sqlite": ["bench/posting_load.py", "profile", "--data-dir", str(scratch), "--requests", "150"]}


def _search_profiles(results: dict, dd: str) -> dict[str, list[str]]:
    search = ((results.get("read") or {}).get("search")) or {}
    commands: dict[str, list[str]] = {}
    query = search.get("query")
    if query and (query["search_p50_ms"] >= SEARCH_P50 or query["search_p99_ms"] >= SEARCH_P99):
        paths = [f"/api/v1/search?limit=20&q={urllib.parse.quote(q)}" for q in _corpus_queries(results)[:50]]
        commands["search-api"] = ["bench/page_sql.py", "--data-dir", dd, "--requests", "200",
                                  *[arg for path in paths for arg in ("--profile", path)]]
    if query and query["similar_p50_ms"] >= SIMILAR_P50:
        commands["search-similar"] = ["bench/page_sql.py", "--data-dir", dd, "--requests", "50", "--profile",
                                      "/api/v1/search/similar?title=" + urllib.parse.quote(
                                          "Is it normal to feel difficult about fibromyalgia?")]
    reindex = search.get("reindex")
    if reindex and reindex["seconds"] >= REINDEX_S and search.get("backend") == "whoosh":
        commands["search-reindex"] = ["bench/api_search.py", "profile-reindex", "--data-dir", dd]
    return commands


def _corpus_queries(results: dict) -> list[str]:
    import json

    path = Path(results["load"]["corpus_dir"]) / "queries.jsonl"
    return [json.loads(line)["q"] for line in path.read_text().splitlines() if line]


def _posting_ok(run: dict) -> bool:
    return run["posts_per_s"] >= POSTS_PER_S and run["5xx"] == 0 and run["database_is_locked"] == 0


# ---------------------------------------------------------------------------- machine


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "?"


def machine() -> dict[str, str]:
    dirty = _git("status", "--porcelain", "--", ".", ":!bench")
    versions = {name: importlib.metadata.version(name) for name in ("Flask", "SQLAlchemy", "gunicorn", "Whoosh")}
    return {
        "commit": _git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty and dirty != "?" else ""),
        "nproc": str(os.cpu_count()) if not _nproc() else _nproc(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "wrk": wrk_version(), **versions,
        "platform": platform.platform(terse=True),
    }


def _nproc() -> str:
    out = subprocess.run(["nproc"], capture_output=True, text=True)
    return out.stdout.strip()


# ---------------------------------------------------------------------------- rendering


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_pages(read: dict, large: dict | None) -> list[str]:
    ceiling = ceiling_rps(read)
    pages = read["pages"]
    lines = [
        f"Ceiling app `/jinja50`: {read['ceiling_before']['rps']:.0f} req/s before Horseshoe's runs, "
        f"{read['ceiling_after']['rps']:.0f} after (mean **{ceiling:.0f}**, the ratios' denominator); "
        f"p50 {read['ceiling_before']['p50_ms']:.1f} ms; worker RSS "
        f"{', '.join(f'{m:.0f}' for m in read['ceiling_before']['rss_mb'])} MB.", "",
        _row(["Page (40,000 posts)", "page cache", "req/s", "p50 ms", "p99 ms", "non-2xx", "X-Cache",
              "ratio to /jinja50", "target"]),
        _row(["---"] * 9),
    ]
    for key, figure in pages.items():
        if key.startswith("rss"):
            continue
        base = key.split(",")[0]
        cache = key.split("cache ")[1] if "cache " in key else "default (signed in: never cached)"
        ratio = figure["rps"] / ceiling
        target = PAGE_TARGETS[base]
        lines.append(_row([base.replace(" out", ", signed out").replace(" in", ", signed in"), cache,
                           f"{figure['rps']:.0f}", f"{figure['p50_ms']:.1f}", f"{figure['p99_ms']:.1f}",
                           str(figure["non2xx"] + figure["socket_errors"]), figure.get("x_cache") or "-",
                           f"**{ratio:.0%}**", f"≥ {target:.0%}: {verdict(ratio >= target)}"]))
    rss = {k: v["rss_mb"] for k, v in pages.items() if k.startswith("rss")}
    lines += ["", "Horseshoe worker RSS after its runs: " + "; ".join(
        f"{k.replace('rss ', '')}: {', '.join(f'{m:.0f}' for m in v)} MB" for k, v in rss.items()) + "."]
    if large:
        lines += ["", *render_large(pages, large, ceiling)]
    return lines


def render_large(small: dict, large: dict, ceiling: float) -> list[str]:
    lines = [_row(["Page, signed out", "page cache", "40,000 posts req/s", "400,000 posts req/s", "400k p50 ms",
                   "change", "target (within 20 %)"]), _row(["---"] * 7)]
    for key, figure in large.items():
        if key.startswith("rss") or key not in small:
            continue
        change = figure["rps"] / small[key]["rps"] - 1
        lines.append(_row([key.split(",")[0], key.split("cache ")[1], f"{small[key]['rps']:.0f}",
                           f"{figure['rps']:.0f}", f"{figure['p50_ms']:.1f}", f"{change:+.0%}",
                           verdict(change >= -LARGE_WITHIN)]))
    return lines


def render_sql(sql: dict) -> list[str]:
    sizes = list(sql)
    lines = [_row(["Page", *[f"{s} signed out" for s in sizes], *[f"{s} signed in" for s in sizes],
                   f"target (≤ {SQL_TARGET}, constant)"]), _row(["---"] * (2 + 2 * len(sizes)))]
    for page in sql[sizes[0]]:
        values = [sql[s][page][who] for who in ("out", "in") for s in sizes]
        constant = all(sql[s][page][who] == sql[sizes[0]][page][who] for s in sizes for who in ("out", "in"))
        ok = max(values) <= SQL_TARGET and constant
        lines.append(_row([page, *[str(sql[s][page]["out"]) for s in sizes], *[str(sql[s][page]["in"]) for s in sizes],
                           verdict(ok) + ("" if constant else " (grows with size)")]))
    return lines


def render_posting(posting: dict) -> list[str]:
    lines = [_row(["Database", "clients", "posts/s", "201", "429", "5xx", '"database is locked"', "worker RSS MB",
                   f"target (≥ {POSTS_PER_S:.0f}/s, no 5xx, no lock errors)"]), _row(["---"] * 9)]
    for name, run in posting.items():
        label = name if name == "sqlite" else f"PostgreSQL {run.get('postgres_version', '')}"
        lines.append(_row([label, str(run["clients"]), f"**{run['posts_per_s']:.0f}**", str(run["created"]),
                           str(run["429"]), str(run["5xx"]), str(run["database_is_locked"]),
                           ", ".join(f"{m:.0f}" for m in run["rss_mb"]), verdict(_posting_ok(run))]))
    accounts = next(iter(posting.values()))["accounts"]
    lines += ["", f"Rate limits stay on as deployed (one reply per 10 s per account, forum/ratelimits.py): the 8 "
              f"clients share {accounts} members' write tokens and take an account only once its 10 s are over, "
              "so each request is one a real deployment would accept. No setting relaxes the limit."]
    return lines


def render_search(search: dict) -> list[str]:
    lines = [_row(["Search measure (" + search["backend"] + ")", "result", "target"]), _row(["---"] * 3)]
    reindex = search.get("reindex")
    if reindex:
        lines.append(_row(["Full reindex, 40,000 posts (`flask search reindex`)", f"**{reindex['seconds']:.1f} s**",
                           f"< {REINDEX_S:.0f} s: {verdict(reindex['seconds'] < REINDEX_S)}"]))
    q = search["query"]
    lines += [
        _row([f"GET /api/v1/search?limit=20, {q['queries']} queries × {q['passes']} passes (HTTP, client side)",
              f"p50 **{q['search_p50_ms']:.1f} ms**, p99 **{q['search_p99_ms']:.1f} ms**; statuses "
              f"{q['search_statuses']}",
              f"p50 < {SEARCH_P50:.0f}: {verdict(q['search_p50_ms'] < SEARCH_P50)}, p99 < {SEARCH_P99:.0f}: "
              f"{verdict(q['search_p99_ms'] < SEARCH_P99)}"]),
        _row([f"GET /api/v1/search/similar, {q['similar_n']} question titles",
              f"p50 **{q['similar_p50_ms']:.1f} ms**, p99 {q['similar_p99_ms']:.1f} ms",
              f"p50 < {SIMILAR_P50:.0f}: {verdict(q['similar_p50_ms'] < SIMILAR_P50)}"]),
    ]
    return lines


def render_header(results: dict, m: dict) -> list[str]:
    load = results["load"]
    lines = [
        f"Machine: {m['nproc']} cores (`nproc`), load average {results['load_before'][0]:.2f} before the run and "
        f"{results['load_after'][0]:.2f} after; {m['platform']}.",
        f"Versions: Python {m['python']}, Flask {m['Flask']}, SQLAlchemy {m['SQLAlchemy']}, SQLite {m['sqlite']}, "
        f"gunicorn {m['gunicorn']} (`-w 2 -k sync`), wrk {m['wrk']}, Whoosh {m['Whoosh']}; commit `{m['commit']}`.",
        f"Corpus: seed {load['seed']}, {load['counts']['threads']} threads / {load['counts']['posts']} posts, database "
        f"`{load['database']}` (loaded {load['loaded_at']} in {load['timings']['total_s']:.0f} s). Load: "
        f"`wrk -t1 -c16 -d<N>s --latency` on 127.0.0.1 after a 3 s warm-up; thread page = thread 1 (20 posts: "
        "the question and 19 replies); category = `insomnia`; signed in = a member's session cookie from the "
        "real sign-in form. SQL per page: queries (BEGIN/COMMIT left out) for one GET through the test client on "
        "the same database, page cache off.",
    ]
    if "load_large" in results:
        large = results["load_large"]
        lines.append(f"Large community: {large['counts']['threads']} threads / {large['counts']['posts']} posts, "
                     f"loaded in {large['timings']['total_s']:.0f} s (render {large['timings']['render_s']:.0f} s, "
                     f"insert {large['timings']['insert_s']:.0f} s); this run's load step took "
                     f"{large['this_run_s']:.0f} s (0 when reused).")
    return lines


def render(results: dict) -> str:
    m = machine()
    results["machine"] = m
    lines = render_header(results, m)
    read = results.get("read") or {}
    if read.get("pages"):
        lines += ["", "### Pages over HTTP", "", *render_pages(read, read.get("large"))]
    if results.get("sql"):
        lines += ["", "### SQL queries per page", "", *render_sql(results["sql"])]
    if results.get("posting"):
        lines += ["", "### Replies through the API, 8 concurrent clients", "", *render_posting(results["posting"])]
    if read.get("search"):
        lines += ["", "### Search through the API", "", *render_search(read["search"])]
    if results.get("profiles"):
        lines += ["", "Profiles of the missed targets: " + ", ".join(
            f"[{name}]({path.removeprefix('bench/')})" if not path.startswith("failed") else f"{name} ({path})"
            for name, path in results["profiles"].items()) + "."]
    return "\n".join(lines)


def record(body: str, results: dict) -> None:
    """Write the dated section into RESULTS.md: replace the one for the same day, commit and kind, else append."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    parts = results.get("parts") or []
    scope = "" if set(parts) >= {"pages", "sql", "posting", "search"} else f", {' + '.join(parts)} only"
    heading = f"## {day} · commit {results['machine']['commit']} · HTTP (`make bench`{scope})"
    stamp = f"_Run at {datetime.now(UTC).strftime('%H:%M')} UTC with `{' '.join(results['argv'])}`._"
    section = f"{heading}\n\n{stamp}\n\n{body}\n"
    text = RESULTS.read_text()
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)
