#!/usr/bin/env python3
"""The job worker's memory: one pass of every periodic job through the real `flask worker`, peak RSS.

    .venv/bin/python bench/worker_rss.py --data-dir D [--timeout 300]     # D: a scratch copy (it writes)

Issue 21 bounds the job worker at 150 MB with 400,000 posts. Periodic jobs are queued `every_s`
after their last run (hourly, daily), so a freshly started worker would sit idle for the length of
a benchmark; this queues one run of each, due now (outbox.schedule_periodic with zero intervals, the
call the worker itself makes), then starts `flask --app wsgi worker` as deployed (the Makefile's
`run`) on the data dir, and samples its /proc status every 0.1 s until no job is due or running.
Peak RSS is the kernel's high-water mark (VmHWM); the job running at each sample says which job
the memory went to. Jobs the pass enqueues (notifications, index updates) run in the same pass.
The worker writes (jobs, and whatever the sweeps change), so point it at a copy of the bench data.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_corpus  # noqa: E402  (also puts the repo root on sys.path)
from http_tools import LOG_DIR, REPO, VENV_BIN  # noqa: E402

SAMPLE_S = 0.1


def queue_periodic_now(app) -> list[str]:
    """One run of every periodic job, due now; returns their names."""
    from forum.core import job_registry, outbox

    with app.app_context():
        names = sorted(job_registry.periodic())
        outbox.schedule_periodic(dict.fromkeys(names, 0.0))
    return names


def watcher(app):
    """A plain engine on the app's database for polling the job table.

    Not the app's own session: outside a GET request the app begins every SQLite transaction
    IMMEDIATE (the write lock), and ten polls a second would queue the worker's writes behind them.
    """
    from sqlalchemy import create_engine

    from forum.core.extensions import db

    with app.app_context():
        return create_engine(db.engine.url)


def job_state(engine) -> tuple[int, list[str]]:
    """(jobs due or running, names of the running ones)."""
    from sqlalchemy import func, or_, select

    from forum.core import clock
    from forum.models import Job, JobStatus

    job = Job.__table__
    due = or_((job.c.status == JobStatus.QUEUED.value) & (job.c.run_at <= clock.now()),
              job.c.status == JobStatus.RUNNING.value)
    with engine.connect() as connection:
        pending = connection.scalar(select(func.count()).select_from(job).where(due))
        running = list(connection.scalars(select(job.c.name).where(job.c.status == JobStatus.RUNNING.value)))
    return pending, running


def outcomes(engine, since_id: int) -> dict[str, dict[str, int]]:
    """{job name: {status: count}} for the jobs this pass queued or caused."""
    from sqlalchemy import func, select

    from forum.models import Job

    job = Job.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(job.c.name, job.c.status, func.count()).where(job.c.id > since_id)
                                  .group_by(job.c.name, job.c.status)).all()
    result: dict[str, dict[str, int]] = {}
    for name, status, count in rows:
        result.setdefault(name, {})[status] = count
    return result


def max_job_id(engine) -> int:
    from sqlalchemy import func, select

    from forum.models import Job

    with engine.connect() as connection:
        return connection.scalar(select(func.max(Job.__table__.c.id))) or 0


def proc_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+)", status, re.M).group(1)) / 1024


def start_worker(data_dir: Path, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "HORSESHOE_DATA_DIR": str(data_dir), "HORSESHOE_SECRET_KEY": "horseshoe-bench-not-secret"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "worker", "--poll", "0.2"], cwd=REPO,
                            env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # our own session: the worker only
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def measure(data_dir: Path, timeout_s: float, label: str) -> dict:
    """Queue the periodic jobs, run the worker until they (and what they cause) are done; RSS figures."""
    app = load_corpus.make_app(data_dir)
    engine = watcher(app)
    since = max_job_id(engine)
    names = queue_periodic_now(app)
    log_path = LOG_DIR / f"worker-{label}.log"
    started = time.monotonic()
    process = start_worker(data_dir, log_path)
    by_job: dict[str, float] = {}
    samples, idle_samples, peak_rss = [], 0, 0.0
    try:
        while time.monotonic() - started < timeout_s and process.poll() is None:
            time.sleep(SAMPLE_S)
            rss = proc_mb(process.pid, "VmRSS")
            pending, running = job_state(engine)
            samples.append(rss)
            peak_rss = max(peak_rss, rss)
            for name in running:
                by_job[name] = max(by_job.get(name, 0.0), rss)
            idle_samples = idle_samples + 1 if pending == 0 else 0
            if idle_samples >= 5:  # half a second with nothing due or running: the pass is over
                break
        drained = idle_samples >= 5
        hwm = proc_mb(process.pid, "VmHWM") if process.poll() is None else peak_rss
        rss_after = proc_mb(process.pid, "VmRSS") if process.poll() is None else 0.0
    finally:
        stop(process)
    log = log_path.read_text(errors="replace")
    return {
        "label": label, "periodic_jobs": names, "drained": drained, "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": hwm, "rss_after_mb": rss_after, "first_sample_mb": samples[0] if samples else 0.0,
        "max_rss_by_job_mb": dict(sorted(by_job.items(), key=lambda item: -item[1])),
        "jobs": outcomes(engine, since), "failed_in_log": log.count(" failed: "), "tracebacks": log.count("Traceback"),
        "log": str(log_path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a scratch copy of the bench data dir")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before the pass is cut short")
    parser.add_argument("--label", default="bench")
    args = parser.parse_args()
    print(json.dumps(measure(args.data_dir, args.timeout, args.label)))


if __name__ == "__main__":
    main()
