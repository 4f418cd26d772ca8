"""The Markdown section http_bench.py writes to RESULTS.md: versions, figures, the issue's targets.

Targets are issue 21's (fast for members who are signed in), on the 40,000-post corpus, gunicorn
-w 2 -k sync, wrk -c16, quoted as a ratio to the ceiling app's /jinja50 measured in the same run
(absolute numbers drift on these machines). Issue 10's targets that issue 21 does not restate (the
cached pages, signed-out SQL, the similar-questions API, the reindex, other pages at 400,000 posts)
stay as guards, marked "(issue 10)".
"""

from __future__ import annotations

import importlib.metadata
import json
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
ISSUE = 21
# page key (as http_bench.measure_pages names it) -> (issue, minimum req/s ratio to /jinja50)
PAGE_TARGETS = {
    "thread in": (21, 0.20),
    "thread out, cache off": (21, 0.30), "home out, cache off": (21, 0.30), "category out, cache off": (21, 0.30),
    "thread out, cache default": (10, 0.40), "home out, cache default": (10, 0.40),
    "category out, cache default": (10, 0.40),
}
SQL_IN, SQL_OUT = 6, 8  # statements per page: signed in (issue 21), signed out (issue 10's guard)
LARGE_TARGETS = {"category out, cache off": (21, 0.10)}  # 400,000 posts against 40,000: at most this slower
LARGE_DEFAULT = (10, 0.20)
MEMORY_MB = 150.0  # web workers and the job worker, each, at 400,000 posts
POSTS_PER_S = 150.0
SEARCH_P50, SEARCH_P99 = 10.0, 40.0  # Whoosh, issue 21; PostgreSQL recorded beside it
SIMILAR_P50, REINDEX_S = 80.0, 20.0  # issue 10
PROFILE_PATHS = {"thread": "/t/1", "home": "/", "category": "/c/insomnia"}
SIZES = {"40k": "40,000 posts", "400k": "400,000 posts"}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def issue_tag(issue: int) -> str:
    return "" if issue == ISSUE else f" (issue {issue})"


def ceiling_rps(read: dict) -> float:
    return (read["ceiling_before"]["rps"] + read["ceiling_after"]["rps"]) / 2


def _page_target(key: str) -> tuple[int, float]:
    return PAGE_TARGETS[key if key in PAGE_TARGETS else f"{key}, cache off"]


# ---------------------------------------------------------------------------- what missed


def page_misses(results: dict) -> list[tuple[str, bool]]:
    """[(page, signed_in)] whose req/s ratio missed its target (a cached page's miss is profiled uncached)."""
    read = results.get("read") or {}
    pages = read.get("pages") or {}
    if not pages:
        return []
    ceiling, missed = ceiling_rps(read), []
    for key, figure in pages.items():
        if key in PAGE_TARGETS and figure["rps"] / ceiling < PAGE_TARGETS[key][1]:
            entry = (key.split()[0], key.split(",")[0].endswith(" in"))
            if entry not in missed:
                missed.append(entry)
    return missed


def large_change(small: dict, large: dict, key: str) -> float:
    return large[key]["rps"] / small[key]["rps"] - 1


def large_misses(results: dict) -> list[str]:
    """Pages whose 400,000-post req/s fell further below the 40,000-post figure than their target allows."""
    read = results.get("read") or {}
    small, large = read.get("pages") or {}, read.get("large") or {}
    missed = {key.split()[0] for key in large if key in small and not key.startswith("rss")
              and large_change(small, large, key) < -LARGE_TARGETS.get(key, LARGE_DEFAULT)[1]}
    return sorted(missed)


def sql_row_ok(sql: dict, page: str) -> tuple[bool, bool]:
    """(within the budgets at every size, the same at every size) for one page."""
    sizes = list(sql)
    within = all(sql[s][page]["in"] <= SQL_IN and sql[s][page]["out"] <= SQL_OUT for s in sizes)
    constant = all(sql[s][page][who] == sql[sizes[0]][page][who] for s in sizes for who in ("out", "in"))
    return within, constant


def missed_profiles(results: dict, data_dir: Path) -> dict[str, tuple[list[str], dict]]:
    """{profile name: (bench command without --out, extra environment)} for every missed target."""
    bench, dd = "bench/", str(data_dir)
    commands: dict[str, tuple[list[str], dict]] = {}
    for page, signed_in in page_misses(results):
        commands[f"page-{page}-{'in' if signed_in else 'out'}"] = ([
            bench + "page_sql.py", "--data-dir", dd, "--profile", PROFILE_PATHS[page], "--requests", "100",
            *(["--signed-in"] if signed_in else [])], {})
    for page in large_misses(results):
        commands[f"large-page-{page}-out"] = ([bench + "page_sql.py", "--data-dir", results["large_dir"],
                                               "--profile", PROFILE_PATHS[page], "--requests", "30"], {})
    commands.update(_sql_profiles(results, dd))
    commands.update(_posting_profiles(results))
    commands.update(_search_profiles(results, dd))
    return commands


def _sql_profiles(results: dict, dd: str) -> dict[str, tuple[list[str], dict]]:
    """The statements of each page over its budget, or growing with the community (listed at 400k too)."""
    sql = results.get("sql") or {}
    dirs = {"40k": dd, "400k": results.get("large_dir")}
    commands: dict[str, tuple[list[str], dict]] = {}
    for page in (sql.get("40k") or {}):
        for who, budget in (("in", SQL_IN), ("out", SQL_OUT)):
            constant = len({sql[size][page][who] for size in sql}) == 1
            for size in sql:
                if sql[size][page][who] > budget or not constant:
                    commands[f"sql-{page}-{who}" + ("" if size == "40k" else f"-{size}")] = ([
                        "bench/page_sql.py", "--data-dir", dirs[size], "--statements", "--profile",
                        PROFILE_PATHS[page], *(["--signed-in"] if who == "in" else [])], {})
    return commands


def _posting_profiles(results: dict) -> dict[str, tuple[list[str], dict]]:
    sqlite_run = (results.get("posting") or {}).get("sqlite")
    if not sqlite_run or _posting_ok(sqlite_run):
        return {}
    scratch = Path(os.environ.get("HORSESHOE_BENCH_ROOT", "/tmp/horseshoe-bench")) / "http-posting"
    return {"posting-sqlite": (["bench/posting_load.py", "profile", "--data-dir", str(scratch), "--requests", "150"],
                               {})}


def search_ok(query: dict) -> bool:
    return query["search_p50_ms"] < SEARCH_P50 and query["search_p99_ms"] < SEARCH_P99


def _search_profiles(results: dict, dd: str) -> dict[str, tuple[list[str], dict]]:
    """API search profiles for each backend over the issue's latency (PostgreSQL: to explain its gap)."""
    searches = ((results.get("read") or {}).get("search")) or {}
    commands: dict[str, tuple[list[str], dict]] = {}
    for backend, search in searches.items():
        query, env = search.get("query"), search.get("env") or {}
        env = env | {"HORSESHOE_SEARCH_BACKEND": backend}
        data = search.get("data_dir") or dd
        suffix = "" if backend == "whoosh" else f"-{backend}"
        if query and not search_ok(query):
            paths = [f"/api/v1/search?limit=20&q={urllib.parse.quote(q)}" for q in _corpus_queries(results)[:50]]
            commands[f"search-api{suffix}"] = (["bench/page_sql.py", "--data-dir", data, "--requests", "200",
                                                *[arg for path in paths for arg in ("--profile", path)]], env)
        if query and query["similar_p50_ms"] >= SIMILAR_P50:
            commands[f"search-similar{suffix}"] = (["bench/page_sql.py", "--data-dir", data, "--requests", "50",
                                                    "--profile", "/api/v1/search/similar?title=" + urllib.parse.quote(
                                                        "Is it normal to feel difficult about fibromyalgia?")], env)
        reindex = search.get("reindex")
        if reindex and reindex["seconds"] >= REINDEX_S and backend == "whoosh":
            commands["search-reindex"] = (["bench/api_search.py", "profile-reindex", "--data-dir", data], env)
    return commands


def _corpus_queries(results: dict) -> list[str]:
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


def _mb(values: list[float]) -> str:
    return ", ".join(f"{m:.0f}" for m in values)


def _page_label(key: str) -> str:
    return key.split(",")[0].replace(" out", ", signed out").replace(" in", ", signed in")


def render_pages(read: dict, large: dict | None) -> list[str]:
    ceiling = ceiling_rps(read)
    pages = read["pages"]
    lines = [
        f"Ceiling app `/jinja50`: {read['ceiling_before']['rps']:.0f} req/s before Horseshoe's runs, "
        f"{read['ceiling_after']['rps']:.0f} after (mean **{ceiling:.0f}**, the ratios' denominator); "
        f"p50 {read['ceiling_before']['p50_ms']:.1f} ms; worker RSS {_mb(read['ceiling_before']['rss_mb'])} MB.", "",
        _row(["Page (40,000 posts)", "page cache", "req/s", "p50 ms", "p99 ms", "non-2xx", "X-Cache",
              "ratio to /jinja50", "target"]),
        _row(["---"] * 9),
    ]
    for key, figure in pages.items():
        if key.startswith("rss"):
            continue
        cache = key.split("cache ")[1] if "cache " in key else "default (signed in: never cached)"
        ratio = figure["rps"] / ceiling
        issue, target = PAGE_TARGETS[key]
        lines.append(_row([_page_label(key), cache, f"{figure['rps']:.0f}", f"{figure['p50_ms']:.1f}",
                           f"{figure['p99_ms']:.1f}", str(figure["non2xx"] + figure["socket_errors"]),
                           figure.get("x_cache") or "-", f"**{ratio:.0%}**",
                           f"≥ {target:.0%}{issue_tag(issue)}: {verdict(ratio >= target)}"]))
    if large:
        lines += ["", *render_large(pages, large)]
    return lines


def render_large(small: dict, large: dict) -> list[str]:
    lines = [_row(["Page, signed out", "page cache", "40,000 posts req/s", "400,000 posts req/s", "400k p50 ms",
                   "400k / 40k", "target"]), _row(["---"] * 7)]
    for key, figure in large.items():
        if key.startswith("rss") or key not in small:
            continue
        change = large_change(small, large, key)
        issue, within = LARGE_TARGETS.get(key, LARGE_DEFAULT)
        lines.append(_row([key.split(",")[0].split()[0], key.split("cache ")[1], f"{small[key]['rps']:.0f}",
                           f"{figure['rps']:.0f}", f"{figure['p50_ms']:.1f}", f"**{change + 1:.0%}** ({change:+.0%})",
                           f"within {within:.0%}{issue_tag(issue)}: {verdict(change >= -within)}"]))
    return lines


def render_sql(sql: dict) -> list[str]:
    sizes = list(sql)
    lines = [_row(["Page", *[f"{s} signed in" for s in sizes], *[f"{s} signed out" for s in sizes],
                   f"target (signed in ≤ {SQL_IN}; signed out ≤ {SQL_OUT}, issue 10; the same at every size)"]),
             _row(["---"] * (2 + 2 * len(sizes)))]
    for page in sql[sizes[0]]:
        within, constant = sql_row_ok(sql, page)
        lines.append(_row([page, *[str(sql[s][page]["in"]) for s in sizes], *[str(sql[s][page]["out"]) for s in sizes],
                           verdict(within and constant) + ("" if constant else " (grows with size)")]))
    if len(sizes) == 1:
        lines += ["", "(400,000 posts: `bench/run --large`.)"]
    return lines


def render_cpu(cpu: dict, read: dict, nproc: int) -> list[str]:
    """CPU ms per page in-process, and what the page may cost at most for its req/s target on this host."""
    sizes = list(cpu)
    ceiling = ceiling_rps(read) if read.get("pages") else None
    header = ["Page", *[f"{SIZES[s]}: CPU ms per page" for s in sizes], "40,000 posts: wall ms", "status"]
    if ceiling:
        header.append(f"CPU budget at the req/s target ({nproc} cores ÷ target req/s)")
    lines = [_row(header), _row(["---"] * len(header))]
    for key, figure in cpu[sizes[0]].items():
        target_key = "thread in" if key == "thread in" else f"{key}, cache off"
        label = _page_label(key) + ("" if key.endswith(" in") else ", cache off")
        cells = [label, *[f"**{cpu[s][key]['cpu_ms']:.1f}**" for s in sizes], f"{figure['wall_ms']:.1f}",
                 _statuses(figure["statuses"])]
        if ceiling:
            target = PAGE_TARGETS[target_key][1]
            cells.append(f"{nproc * 1000 / (target * ceiling):.1f} ms (≥ {target:.0%} of {ceiling:.0f} req/s)")
        lines.append(_row(cells))
    requests = cpu[sizes[0]][next(iter(cpu[sizes[0]]))]["requests"]
    lines += ["", f"`time.process_time()` over {requests} GETs of each page through the Flask test client after 5 "
              "warm-up GETs, no profiler (`bench/page_sql.py --cpu`); the page cache off. The budget is an upper "
              "bound: wrk, gunicorn and the kernel share the same cores."]
    return lines


def _statuses(statuses: dict[str, int]) -> str:
    return "all 200" if set(statuses) == {"200"} else ", ".join(f"{n} × {code}" for code, n in statuses.items())


def render_memory(results: dict) -> list[str]:
    """Worker RSS: gunicorn's web workers after their runs, the job worker's peak over a periodic pass."""
    read = results.get("read") or {}
    worker = results.get("worker") or {}
    lines = [_row(["Process", "community", "RSS MB", "target (each ≤ 150 MB at 400,000 posts)"]), _row(["---"] * 4)]
    for size, pages in (("40k", read.get("pages")), ("400k", read.get("large"))):
        for key, figure in (pages or {}).items():
            if key.startswith("rss"):
                lines.append(_row([f"web workers (gunicorn -w 2), after the page runs, page cache "
                                   f"{key.split('cache ')[1]}", SIZES[size], _mb(figure["rss_mb"]),
                                   _memory_verdict(size, max(figure["rss_mb"]))]))
    for size, run in worker.items():
        jobs = sum(n for states in run["jobs"].values() for name, n in states.items() if name != "queued")
        heaviest = ", ".join(f"{name} {mb:.0f}" for name, mb in list(run["max_rss_by_job_mb"].items())[:3])
        lines.append(_row([f"job worker (`flask worker`): peak (VmHWM) over one pass of its "
                           f"{len(run['periodic_jobs'])} periodic jobs (jobs run: {jobs}, {run['seconds']:.0f} s"
                           f"{'' if run['drained'] else ', **cut short**'}); RSS after the pass "
                           f"{run['rss_after_mb']:.0f}; largest RSS while running: {heaviest or '-'}",
                           SIZES[size], f"**{run['peak_rss_mb']:.0f}**", _memory_verdict(size, run["peak_rss_mb"])]))
    lines += ["", "The job worker runs on a scratch copy of the loaded database and its search index (its jobs write), "
              "with every periodic job queued due now (`bench/worker_rss.py`); jobs those runs queue (index updates, "
              "notifications) run in the same pass. Dead or failed jobs: " + (
                  "; ".join(f"{SIZES[s]}: {_failures(run)}" for s, run in worker.items()) or "-") + "."]
    return lines


def _failures(run: dict) -> str:
    dead = {name: states["dead"] for name, states in run["jobs"].items() if states.get("dead")}
    return (", ".join(f"{name} ×{n}" for name, n in dead.items()) or "none") + (
        f" ({run['tracebacks']} tracebacks in {run['log']})" if run["tracebacks"] else "")


def _memory_verdict(size: str, mb: float) -> str:
    if size == "400k":
        return verdict(mb <= MEMORY_MB)
    return "(measured at 400,000: `--large`)" + (" — over already" if mb > MEMORY_MB else "")


def render_posting(posting: dict) -> list[str]:
    lines = [_row(["Database", "clients", "posts/s", "201", "429", "5xx", '"database is locked"', "worker RSS MB",
                   f"target (≥ {POSTS_PER_S:.0f}/s, no 5xx, no lock errors)"]), _row(["---"] * 9)]
    for name, run in posting.items():
        label = name if name == "sqlite" else f"PostgreSQL {run.get('postgres_version', '')}"
        lines.append(_row([label, str(run["clients"]), f"**{run['posts_per_s']:.0f}**", str(run["created"]),
                           str(run["429"]), str(run["5xx"]), str(run["database_is_locked"]),
                           _mb(run["rss_mb"]), verdict(_posting_ok(run))]))
    accounts = next(iter(posting.values()))["accounts"]
    lines += ["", f"Rate limits stay on as deployed (one reply per 10 s per account, forum/ratelimits.py): the 8 "
              f"clients share {accounts} members' write tokens and take an account only once its 10 s are over, "
              "so each request is one a real deployment would accept. No setting relaxes the limit."]
    return lines


def _backend_label(backend: str, search: dict) -> str:
    if backend == "whoosh":
        return "Whoosh (embedded default)"
    return f"PostgreSQL {search.get('postgres_version', '')}".strip()


def render_search(searches: dict) -> list[str]:
    """One column per backend: issue 21's latency targets hold for Whoosh; PostgreSQL is recorded beside it."""
    backends = list(searches)
    lines = [_row(["Search measure", *[_backend_label(b, searches[b]) for b in backends], "target"]),
             _row(["---"] * (2 + len(backends)))]

    def row(label: str, cell, target: str, check=None) -> None:
        """One measure: a cell per backend, and the target with each backend's verdict (None: not measured)."""
        checked = [(b, check(searches[b])) for b in backends] if check else []
        verdicts = "; ".join(f"{_backend_label(b, searches[b]).split()[0]}: {verdict(ok)}"
                             for b, ok in checked if ok is not None)
        lines.append(_row([label, *[cell(searches[b]) for b in backends],
                           target + (f" — {verdicts}" if verdicts else "")]))

    row("Full reindex, 40,000 posts (`flask search reindex`)",
        lambda s: f"**{s['reindex']['seconds']:.1f} s**" if s.get("reindex") else "(skipped)",
        f"< {REINDEX_S:.0f} s (issue 10)", lambda s: s["reindex"]["seconds"] < REINDEX_S if s.get("reindex") else None)
    q0 = searches[backends[0]]["query"]
    row(f"GET /api/v1/search?limit=20, {q0['queries']} corpus queries × {q0['passes']} passes (HTTP, client side)",
        lambda s: f"p50 **{s['query']['search_p50_ms']:.1f} ms**, p99 **{s['query']['search_p99_ms']:.1f} ms**",
        f"p50 < {SEARCH_P50:.0f} ms, p99 < {SEARCH_P99:.0f} ms", lambda s: search_ok(s["query"]))
    row("statuses", lambda s: str(s["query"]["search_statuses"]), "all 200")
    row(f"GET /api/v1/search/similar, {q0['similar_n']} question titles",
        lambda s: f"p50 **{s['query']['similar_p50_ms']:.1f} ms**, p99 {s['query']['similar_p99_ms']:.1f} ms",
        f"p50 < {SIMILAR_P50:.0f} ms (issue 10)", lambda s: s["query"]["similar_p50_ms"] < SIMILAR_P50)
    notes = [f"{_backend_label(b, s)}: database `{s['database']}`" for b, s in searches.items() if s.get("database")]
    if notes:
        lines += ["", "; ".join(notes) + ". Each backend is served by its own gunicorn (-w 2) on its own database, "
                  "the index rebuilt first (unless `--skip-reindex`)."]
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
        "the same database, page cache off. Targets: issue 21's; issue 10's that it does not restate are kept "
        "as guards and marked so.",
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
    if results.get("cpu"):
        lines += ["", "### CPU per page (in-process, no profiler)", "",
                  *render_cpu(results["cpu"], read, int(m["nproc"]))]
    if results.get("worker") or read.get("pages"):
        lines += ["", "### Memory", "", *render_memory(results)]
    if results.get("posting"):
        lines += ["", "### Replies through the API, 8 concurrent clients", "", *render_posting(results["posting"])]
    if read.get("search"):
        lines += ["", "### Search through the API", "", *render_search(read["search"])]
    if results.get("profiles"):
        lines += ["", "Profiles of the missed targets: " + ", ".join(
            f"[{name}]({path.removeprefix('bench/')})" if not path.startswith("failed") else f"{name} ({path})"
            for name, path in results["profiles"].items()) + "."]
    return "\n".join(lines)


def record(body: str, results: dict, all_parts: tuple[str, ...]) -> None:
    """Write the dated section into RESULTS.md: replace the one for the same day, commit and kind, else append."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    parts = results.get("parts") or []
    scope = "" if set(parts) >= set(all_parts) else f", {' + '.join(parts)} only"
    command = "bench/run --large" if "load_large" in results else "make bench"
    heading = f"## {day} · commit {results['machine']['commit']} · HTTP (`{command}`{scope})"
    stamp = f"_Run at {datetime.now(UTC).strftime('%H:%M')} UTC with `{' '.join(results['argv'])}`._"
    section = f"{heading}\n\n{stamp}\n\n{body}\n"
    text = RESULTS.read_text()
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)
