"""The deployed site as `make run` starts it: migrations, the job worker, gunicorn with two workers.

Every process runs from the repository root with a fresh data directory and its own database (the
SQLite file `make run` would use inside that directory, or a new PostgreSQL database on the test
run's server), in a session of its own so stopping it reaches gunicorn's workers too. Their output
goes to log files, read by the tests for tracebacks and 5xx answers.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import free_port
from tests.support.crash import wait_for

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
STAFF_PASSWORD = "Deployed-shape-pass-2026!"
# Sign-ups and sign-ins the suite makes from one address, with room to spare (limits.sign_ups_per_hour,
# limits.sign_in_per_minute): every account of every deployed test comes from 127.0.0.1.
SIGN_UPS_PER_HOUR = 50
SIGN_INS_PER_MINUTE = 200
ADMIN, AGENT = "site_admin", "desk_agent"  # the staff accounts `flask users create` makes
# What no log of a healthy run holds: a traceback, a worker gunicorn had to kill, a job that failed.
LOG_PROBLEMS = re.compile(r"Traceback|WORKER TIMEOUT|\[CRITICAL\]|job \d+ \(.*\) failed")
# gunicorn's access log line: ... "GET /search?q=x HTTP/1.1" 500 1234 "-" "python-requests/2"
SERVER_ERROR = re.compile(r'"[A-Z]+ [^"]*" 5\d\d ')


class Process:
    """One child in its own session, its output in a log file; stop() ends the whole process group."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM the group (gunicorn and the worker shut down cleanly on it), SIGKILL if it lingers."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(timeout=STOP_TIMEOUT_S)
                break
            except subprocess.TimeoutExpired:
                continue


@dataclass
class Site:
    """The running site: where it listens, its data, its processes and their logs."""

    workdir: Path
    port: int
    env: dict[str, str]
    database_url: str = ""  # empty: the SQLite file in the data directory, as `make run` uses
    processes: list[Process] = field(default_factory=list)
    checked: dict[Path, int] = field(default_factory=dict)  # log → how much of it a test already read

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return Path(self.env["HORSESHOE_DATA_DIR"])

    def logs(self) -> list[Path]:
        return sorted(self.workdir.glob("*.log"))

    def flask(self, *args: str) -> None:
        """Run one `flask --app wsgi` command to completion, as an operator would."""
        log = self.workdir / "cli.log"
        with log.open("ab") as out:
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120)
        assert done.returncode == 0, f"flask {' '.join(args[:2])} failed:\n{tail(log)}"

    def create_users(self, *accounts: tuple[str, str]) -> None:
        """`flask users create` for each (username, role), side by side; every password is STAFF_PASSWORD."""
        runs = [subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "--username", username,
             "--email", f"{username}@example.org", "--password", STAFF_PASSWORD, "--role", role],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        ) for username, role in accounts]
        for run in runs:
            output, _ = run.communicate(timeout=120)
            with (self.workdir / "cli.log").open("ab") as log:
                log.write(output)
            assert run.returncode == 0, output.decode(errors="replace")

    def start_process(self, name: str, argv: list[str]) -> Process:
        process = Process(name, argv, self.env, self.workdir / f"{name}.log")
        self.processes.append(process)
        return process

    def start(self) -> None:
        """`make run` without the demo seed: migrate, then the job worker and gunicorn side by side.

        Before any account exists the operator turns off two-factor sign-in for staff with the same
        command an operator would use (the demo community does too): the staff accounts here sign in
        with a password alone. Email verification stays on, as deployed: members confirm from the mail.
        Every member of the suite signs up and signs in from 127.0.0.1, on the web and the API (one budget
        each), like an office behind one address: the operator raises the per-address sign-up and sign-in
        limits as such a site would (password guessing stays limited per account).
        """
        self.flask("db", "upgrade")
        self.flask("settings", "set", "accounts.staff_require_2fa", "false")
        self.flask("settings", "set", "limits.sign_ups_per_hour", str(SIGN_UPS_PER_HOUR))
        self.flask("settings", "set", "limits.sign_in_per_minute", str(SIGN_INS_PER_MINUTE))
        self.start_process("worker", [sys.executable, "-m", "flask", "--app", "wsgi", "worker"])
        gunicorn = self.start_process("gunicorn", [
            sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
            "--access-logfile", "-", "wsgi:app",
        ])
        wait_for(lambda: self._answers(gunicorn), START_TIMEOUT_S,
                 lambda: f"gunicorn to answer on port {self.port}:\n{tail(gunicorn.log)}")

    def _answers(self, gunicorn: Process) -> bool:
        assert gunicorn.running(), f"gunicorn exited with {gunicorn.popen.returncode}:\n{tail(gunicorn.log)}"
        try:
            return requests.get(f"{self.base_url}/api/v1/categories", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still booting
            return False

    def assert_processes_running(self) -> None:
        for process in self.processes:
            assert process.running(), f"{process.name} exited with {process.popen.returncode}:\n{tail(process.log)}"

    def new_log_problems(self) -> list[str]:
        """Tracebacks, failed jobs and 5xx answers logged since the last call (each test reads its own)."""
        found = []
        for log in self.logs():
            content = log.read_text(errors="replace")
            start, self.checked[log] = self.checked.get(log, 0), len(content)
            lines = content[start:].splitlines()
            for number, line in enumerate(lines):
                if LOG_PROBLEMS.search(line) or SERVER_ERROR.search(line):
                    found.append(f"{log.name}: {line}{raised(lines[number + 1:]) if 'Traceback' in line else ''}")
        return found

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.database_url:
            drop_database(self.database_url)


def raised(after: list[str]) -> str:
    """The exception line that ends a traceback (its first unindented line), to name what was raised."""
    for line in after:
        if line and not line[0].isspace() and not line.startswith(("Traceback", "During handling", "The above")):
            return f" ... {line}"
    return ""


def tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def fresh_database_url() -> str:
    """A new, empty PostgreSQL database on the test run's server; "" on SQLite.

    A database of its own (not a schema): migrations run as in production, and the xdist workers'
    schemas in the shared test database are never touched.
    """
    base = os.environ.get("HORSESHOE_TEST_DATABASE_URL")
    if not base:
        return ""
    name = f"horseshoe_test_deployed_{os.getpid()}"
    _administer(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    _administer(url, f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")


def _administer(url: str, *statements: str) -> None:
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def site_env(data_dir: Path, port: int, database_url: str, mail_port: int) -> dict[str, str]:
    """The deployment's environment: no HORSESHOE_* of the test run leaks in, and no testing switches."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HORSESHOE_")}
    env.update({
        "HORSESHOE_DATA_DIR": str(data_dir),
        "HORSESHOE_BASE_URL": f"http://127.0.0.1:{port}",
        "HORSESHOE_MAIL_SERVER": "127.0.0.1",
        "HORSESHOE_MAIL_PORT": str(mail_port),
        "PYTHONUNBUFFERED": "1",
    })
    if database_url:
        env["HORSESHOE_DATABASE_URL"] = database_url
    return env


def new_site(workdir: Path, mail_port: int) -> Site:
    port = free_port()
    database_url = fresh_database_url()
    return Site(workdir, port, site_env(workdir / "data", port, database_url, mail_port), database_url)
