"""The page cache across real app servers: a change made through one process retires the page another serves.

Two gunicorn processes share the test database and one data directory, as two app servers (or two
workers) would; the cache lives in the embedded SQLite file of that directory, or in Redis.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from forum import accounts
from forum.core.extensions import db
from tests import factories
from tests.conftest import free_port
from tests.support.crash import child_env

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("HORSESHOE_TEST_REDIS_URL")


class Server:
    """`gunicorn wsgi:app` with one sync worker on a free port, logging to a file for failure messages."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        argv = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)

    def request(self, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.request("GET", "/privileges")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_env(app: Flask, data_dir: Path, redis_url: str) -> dict[str, str]:
    env = child_env(app, data_dir)
    # Keys of this test's own in Redis: other tests (other xdist workers) make members with the same ids at once.
    env.update({"HORSESHOE_ANONYMOUS_CACHE_S": "60", "HORSESHOE_REDIS_URL": redis_url,
                "HORSESHOE_REDIS_PREFIX": f"horseshoe-test-{uuid.uuid4().hex}:"})
    return env


@pytest.fixture(params=["embedded", "redis"])
def servers(request, app: Flask, committed, tmp_path) -> Iterator[tuple[Server, Server]]:
    """Process A and process B, started together, sharing the database and the data directory."""
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    env = server_env(app, tmp_path / "data", REDIS_URL if request.param == "redis" else "")
    pair = (Server(env, tmp_path / "a.log"), Server(env, tmp_path / "b.log"))
    try:
        for server in pair:
            server.wait_until_up()
        yield pair
    finally:
        for server in pair:
            server.stop()


def cached_page(server: Server, path: str, timeout: float = 5) -> str:
    """Visit until the page comes from the cache (another test run may retire it meanwhile); return it."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, page = server.request("GET", path)
        assert status == 200
        if headers.get("X-Cache") == "hit":
            return page
        assert time.monotonic() < deadline, f"never served from the cache: {headers}"


def test_a_reply_posted_through_one_server_shows_on_the_page_another_server_cached(app, servers):
    process_a, process_b = servers
    thread = factories.make_thread(title="Charged twice for my plan")
    thread_id, path = thread.id, f"/t/{thread.id}/{thread.slug}"
    token = accounts.create_api_token(factories.make_user(username="helper"))
    db.session.remove()  # end this process's transaction: on SQLite it would hold the write lock
    assert "The second charge is a hold" not in cached_page(process_b, path)
    status, _, body = process_a.request("POST", f"/api/v1/threads/{thread_id}/posts",
                                        {"body": "The second charge is a hold."}, token=token)
    assert status == 201, body
    status, headers, page = process_b.request("GET", path)
    assert status == 200 and headers["X-Cache"] == "miss"
    assert "The second charge is a hold" in page
    assert "The second charge is a hold" in cached_page(process_b, path)
    assert "The second charge is a hold" in cached_page(process_a, path)
