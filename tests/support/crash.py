"""Real processes to SIGKILL: gunicorn serving wsgi:app, `flask worker`, and a stalling SMTP server.

Crash tests point these children at the test pass's own database (the SQLite file or the
PostgreSQL schema) and give them a private data directory, so their rate-limit counters and
search index cannot meet another test's. A kill takes the whole process group at once, as a
power cut or the OOM killer would: no atexit, no rollback sent by the client, no goodbye.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.support.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60


def wait_for(condition: Callable[[], object], timeout: float, what: str | Callable[[], str], every: float = 0.05):
    """Poll condition until it is truthy (returning its value) or fail saying what never happened.

    what may be a function, called only on failure (to include a child's log as it is then).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
        time.sleep(every)


def child_env(app: Flask, data_dir: Path) -> dict[str, str]:
    """The environment of a child process: the test database, the test SMTP port, a private data dir."""
    settings = app.config["HORSESHOE"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("HORSESHOE_")}
    env.update({
        "HORSESHOE_DATA_DIR": str(data_dir),
        "HORSESHOE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HORSESHOE_SECRET_KEY": "test-secret-key",
        "HORSESHOE_TESTING": "1",
        "HORSESHOE_MAIL_SERVER": settings.mail_server,
        "HORSESHOE_MAIL_PORT": str(settings.mail_port),
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Killable:
    """A child started in its own session, so one killpg reaches it and everything it forked."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.argv, self.env, self.log = argv, env, log
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the process group (master and workers together) and reap the leader."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None
        self.kills += 1

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


class WebServer(Killable):
    """gunicorn -k sync serving wsgi:app on a fixed local port, restartable on the same port."""

    def __init__(self, env: dict[str, str], log: Path, port: int, workers: int = 2) -> None:
        argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "1", "wsgi:app"]
        super().__init__(argv, env, log)
        self.port = port

    def start(self) -> None:
        super().start()
        wait_for(self._answers, START_TIMEOUT_S, lambda: f"gunicorn to answer on port {self.port}:\n{self.tail()}")

    def _answers(self) -> bool:
        if self.exited() is not None:
            raise AssertionError(f"gunicorn exited with {self.exited()}:\n{self.tail()}")
        try:
            return request(self.port, "GET", "/api/v1/categories", timeout=2)[0] == 200
        except OSError:
            return False

    def kill(self) -> None:
        super().kill()
        wait_for(lambda: not _listening(self.port), 30, f"port {self.port} to close after the kill")


class Worker(Killable):
    """`flask --app wsgi worker`, polling often so a test does not wait on idle sleeps."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--poll", "0.1"], env, log)


def run_worker_until_empty(env: dict[str, str], log: Path) -> None:
    """Run every due job in a fresh worker process and wait for it to exit on its own."""
    with log.open("ab") as out:
        finished = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--until-empty"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=120)
    assert finished.returncode == 0, log.read_text(errors="replace")[-3000:]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None,
            timeout: float = 30) -> tuple[int, dict]:
    """One HTTP request on a fresh connection; OSError (refused, reset, closed) when the server died."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    except http.client.HTTPException as exc:  # e.g. RemoteDisconnected: the server died mid-answer
        raise ConnectionError(str(exc)) from exc
    finally:
        connection.close()
    try:
        document = json.loads(raw) if raw else {}
    except ValueError:
        document = {"raw": raw[:500].decode(errors="replace")}
    return response.status, document


class StallingSmtpSink(SmtpSink):
    """An SmtpSink that can hold the next message after keeping it, before answering 250.

    That is SMTP's crash window: the server has the message, the sender has not heard so.
    A sender killed there sends the message again when its job is retried.
    """

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.stall = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.delay_s = 0.0  # a slow server: widens the window between keeping a message and answering 250

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        answer = await super().handle_DATA(server, session, envelope)
        self.arrived.set()
        if self.stall.is_set():
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return answer
