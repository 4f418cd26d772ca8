#!/usr/bin/env python3
"""Search benchmark on the shared corpus: full rebuild, single-thread updates, query latency.

    .venv/bin/python bench/search_bench.py                 # load the corpus if needed, run, record
    .venv/bin/python bench/search_bench.py --no-record     # print only
    .venv/bin/python bench/search_bench.py --passes 5 --updates 100

Uses the database prepared by bench/load_corpus.py (reused when it already holds the corpus)
and its data dir's search/ index. Steps:
  1. search.backends.whoosh.index.rebuild(), timed -> documents/s and posts/s (plus the document-building
     phase alone: database + HTML-to-text, without Whoosh).
  2. N x search.backends.whoosh.index.update_thread(id) on evenly spread threads -> ms each (p50/p99).
  3. the corpus's queries.jsonl through search.backends.whoosh.search_index(ix, q) with one opened index:
     one warm-up pass, then --passes timed passes -> p50/p95/p99/max ms; then a fixed set of
     filter queries (category:, tag:, is:solved ...), each run --filter-repeats times.
Prints a Markdown table and writes a dated section into bench/RESULTS.md (same day and commit:
replaced, otherwise appended).

Targets (bench/README.md): query p50 < 15 ms and p99 < 60 ms on the 40,000-post corpus.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402  (also puts the repo root on sys.path)

RESULTS = HERE / "RESULTS.md"
TARGET_P50_MS, TARGET_P99_MS = 15.0, 60.0
FILTER_QUERIES = [
    "category:insomnia",
    "tag:anxiety",
    "is:solved",
    "is:unsolved tag:sleep",
    "sleep category:insomnia",
    "anxiety is:solved",
    "panic tag:panic-attacks",
    "work stress category:career-workplace is:solved",
]


# ---------------------------------------------------------------------------- statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms), "mean": statistics.fmean(values_ms), "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95), "p99": percentile(values_ms, 99), "max": max(values_ms),
    }


# ---------------------------------------------------------------------------- steps


def bench_rebuild(live_posts: int) -> dict:
    from search import documents
    from search.backends.whoosh import index

    gc.collect()
    started = time.perf_counter()
    built = sum(1 for _ in documents.all_documents())
    docs_only_s = time.perf_counter() - started
    gc.collect()
    started = time.perf_counter()
    written = index.rebuild()
    rebuild_s = time.perf_counter() - started
    assert written == built, (written, built)
    return {
        "documents": written, "posts": live_posts, "seconds": rebuild_s,
        "docs_per_s": written / rebuild_s, "posts_per_s": live_posts / rebuild_s,
        "docs_only_s": docs_only_s, "whoosh_share": max(0.0, 1 - docs_only_s / rebuild_s),
    }


def bench_updates(thread_ids: list[int], count: int, posts_per_thread: float) -> dict:
    from search.backends.whoosh import index

    step = max(1, len(thread_ids) // count)
    chosen = thread_ids[::step][:count]
    times = []
    for thread_id in chosen:
        started = time.perf_counter()
        index.update_thread(thread_id)
        times.append((time.perf_counter() - started) * 1000)
    stats = summary(times)
    stats["docs_per_s"] = 1000 / stats["mean"]
    stats["posts_per_s"] = posts_per_thread * 1000 / stats["mean"]
    return stats


def run_queries(ix, queries: list[str], passes: int) -> tuple[list[float], dict[str, list[float]], list[int]]:
    from search.backends.whoosh import search_index as search

    totals = [search(ix, q).total for q in queries]  # warm-up pass (also: hit counts)
    all_ms: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in queries}
    gc.collect()
    for _ in range(passes):
        for q in queries:
            started = time.perf_counter()
            search(ix, q)
            elapsed = (time.perf_counter() - started) * 1000
            all_ms.append(elapsed)
            per_query[q].append(elapsed)
    return all_ms, per_query, totals


def bench_open_index(repeats: int = 20) -> dict:
    """What search_threads() pays per request before querying: index.open_index()."""
    from search.backends.whoosh import index

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        index.open_index()
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


# ---------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    dirty = git("status", "--porcelain", "--", ".", ":!bench")
    import whoosh

    return {
        "commit": git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty and dirty != "?" else ""),
        "nproc": _nproc() or str(os.cpu_count()),
        "python": platform.python_version(),
        "whoosh": whoosh.versionstring(),
        "platform": platform.platform(terse=True),
    }


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def verdict(value: float, target: float) -> str:
    return "met" if value < target else "**missed**"


def render(r: dict) -> str:
    m, rb, up, q, f, oi = r["machine"], r["rebuild"], r["updates"], r["queries"], r["filters"], r["open_index"]
    lines = [
        f"Machine: {m['nproc']} cores (`nproc`), Python {m['python']}, Whoosh {m['whoosh']}, {m['platform']}; "
        f"commit `{m['commit']}`; database `{r['database']}`.",
        f"Corpus: seed {r['seed']}, {rb['documents']} threads / {rb['posts']} posts; "
        f"{r['queries_n']} queries x {r['passes']} timed passes after one warm-up; "
        f"index at query time: {r['segments']} segment(s), {r['index_mb']:.1f} MB.",
        "",
        "| Measure | Result | Target |",
        "|---|---|---|",
        f"| Full rebuild (`search.backends.whoosh.index.rebuild()`) | {rb['seconds']:.1f} s: "
        f"**{rb['docs_per_s']:.0f} documents/s, "
        f"{rb['posts_per_s']:.0f} posts/s** | report |",
        f"| &nbsp;&nbsp;of which building documents (DB + HTML to text) | {rb['docs_only_s']:.1f} s "
        f"({(1 - rb['whoosh_share']) * 100:.0f} %); Whoosh indexing + optimize {rb['whoosh_share'] * 100:.0f} % | |",
        f"| Single-thread update (`update_thread`), n={up['n']} | p50 {up['p50']:.0f} ms, p99 {up['p99']:.0f} ms, "
        f"mean {up['mean']:.0f} ms: **{up['docs_per_s']:.1f} documents/s, {up['posts_per_s']:.0f} posts/s** | report |",
        f"| Query latency, corpus queries (n={q['n']}) | p50 **{q['p50']:.1f} ms**, p95 {q['p95']:.1f} ms, "
        f"p99 **{q['p99']:.1f} ms**, max {q['max']:.1f} ms, mean {q['mean']:.1f} ms | p50 < {TARGET_P50_MS:.0f} ms "
        f"({verdict(q['p50'], TARGET_P50_MS)}), p99 < {TARGET_P99_MS:.0f} ms ({verdict(q['p99'], TARGET_P99_MS)}) |",
        f"| Query latency, filter queries (n={f['n']}) | p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms, "
        f"p99 {f['p99']:.1f} ms, max {f['max']:.1f} ms | (same targets) |",
        f"| `index.open_index()` per request (search_threads) | p50 {oi['p50']:.1f} ms, max {oi['max']:.1f} ms "
        f"| extra, on top of the query |",
        "",
        f"Hits per corpus query: median {r['hits_median']}, max {r['hits_max']} "
        f"(of {rb['documents']} threads; ranking and highlighting look at up to 200).",
        "",
        "| Filter query | median ms | hits |",
        "|---|---|---|",
        *[f"| `{fq}` | {ms:.1f} | {hits} |" for fq, ms, hits in r["filter_rows"]],
        "",
        "Slowest corpus queries (median over the passes):",
        "",
        "| Query | median ms | hits |",
        "|---|---|---|",
        *[f"| `{sq}` | {ms:.1f} | {hits} |" for sq, ms, hits in r["slowest"]],
    ]
    return "\n".join(lines)


def record(body: str, r: dict) -> None:
    """Write the dated section into RESULTS.md: replace the one for the same day and commit, else append."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    heading = f"## {day} · commit {r['machine']['commit']}"
    stamp = f"_Run at {datetime.now(UTC).strftime('%H:%M')} UTC with `{' '.join(r['argv'])}`._"
    section = f"{heading}\n\n{stamp}\n\n{body}\n"
    text = RESULTS.read_text() if RESULTS.exists() else (
        "# Search benchmark results\n\nWritten by `bench/search_bench.py` (see bench/README.md). One section per "
        "day and commit; a re-run the same day on the same commit replaces its section. Shared 2-core machines "
        "drift run to run: compare runs made in the same session.\n\n"
    )
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


# ---------------------------------------------------------------------------- main


def main() -> None:  # noqa: PLR0915 (a linear script)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2000, help="corpus size (20 posts each)")
    parser.add_argument("--updates", type=int, default=50, help="single-thread updates to time")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the query set")
    parser.add_argument("--filter-repeats", type=int, default=10)
    parser.add_argument("--reload", action="store_true", help="reload the corpus even if the database holds it")
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the existing index (no rebuild timing)")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from forum.core.extensions import db
    from forum.models import Post, Thread
    from search.backends.whoosh import index

    app, _marker, corpus_dir = load_corpus.ensure_loaded(args.seed, args.threads, force=args.reload)
    queries = [row["q"] for row in load_corpus.read_jsonl(corpus_dir / "queries.jsonl")]
    r: dict = {"seed": args.seed, "argv": ["bench/search_bench.py", *sys.argv[1:]], "machine": machine()}
    with app.app_context():
        r["database"] = db.engine.url.render_as_string(hide_password=True)
        live_posts = db.session.scalar(
            select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
            .where(Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
        )
        thread_ids = list(db.session.scalars(select(Thread.id).where(Thread.deleted_at.is_(None)).order_by(Thread.id)))

        if args.skip_rebuild and index.open_index() is not None:
            r["rebuild"] = {"documents": len(thread_ids), "posts": live_posts, "seconds": float("nan"),
                            "docs_per_s": float("nan"), "posts_per_s": float("nan"), "docs_only_s": float("nan"),
                            "whoosh_share": float("nan")}
        else:
            print(f"1/3 Full rebuild of {len(thread_ids)} threads ...", flush=True)
            r["rebuild"] = bench_rebuild(live_posts)
        db.session.remove()

        print(f"2/3 {args.updates} single-thread updates ...", flush=True)
        r["updates"] = bench_updates(thread_ids, args.updates, live_posts / max(1, len(thread_ids)))
        db.session.remove()

        print(f"3/3 {len(queries)} queries x {args.passes} passes (+ warm-up), {len(FILTER_QUERIES)} filter "
              f"queries x {args.filter_repeats} ...", flush=True)
        ix = index.open_index()
        r["segments"] = len(ix._segments())
        directory = index._current_dir()
        r["index_mb"] = sum(p.stat().st_size for p in directory.iterdir()) / 1e6
        all_ms, per_query, totals = run_queries(ix, queries, args.passes)
        filter_ms, per_filter, filter_totals = run_queries(ix, FILTER_QUERIES, args.filter_repeats)
        r["open_index"] = bench_open_index()

    r["queries"], r["filters"], r["queries_n"], r["passes"] = summary(all_ms), summary(filter_ms), len(queries), \
        args.passes
    r["hits_median"], r["hits_max"] = int(statistics.median(totals)), max(totals)
    medians = sorted(((statistics.median(v), q) for q, v in per_query.items()), reverse=True)
    hits = dict(zip(queries, totals, strict=True))
    r["slowest"] = [(q, ms, hits[q]) for ms, q in medians[:8]]
    fhits = dict(zip(FILTER_QUERIES, filter_totals, strict=True))
    r["filter_rows"] = [(q, statistics.median(per_filter[q]), fhits[q]) for q in FILTER_QUERIES]

    body = render(r)
    print()
    print(body)
    if not args.no_record:
        record(body, r)
        print(f"\nRecorded in {RESULTS.relative_to(HERE.parent)}.")


if __name__ == "__main__":
    main()
