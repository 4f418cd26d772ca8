"""Pieces the HTTP benchmark shares: gunicorn servers, wrk runs, a real sign-in, small statistics.

Kept free of Horseshoe imports so the orchestrator (http_bench.py) never builds an app in its own
process: every in-process measurement runs in a child process with its own app and database.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from shared_tools import ceiling_dir

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = REPO / ".venv" / "bin"
LOG_DIR = Path(os.environ.get("HORSESHOE_BENCH_LOG_DIR", Path(tempfile.gettempdir()) / "horseshoe-bench" / "logs"))
GUNICORN_ARGS = ["-w", "2", "-k", "sync"]  # the reference settings, for both apps


# ---------------------------------------------------------------------------- statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master (-w 2 -k sync) on a free local port; its log goes to LOG_DIR/<name>.log."""

    name: str
    app_spec: str
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return LOG_DIR / f"{self.name}.log"

    def start(self, health_path: str = "/") -> Server:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        command = [str(VENV_BIN / "gunicorn"), *GUNICORN_ARGS, "-b", f"127.0.0.1:{self.port}",
                   "--error-logfile", "-", "--capture-output", self.app_spec]
        log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=self.cwd, env={**os.environ, **self.env},
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(health_path)
        return self

    def _wait_ready(self, path: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
                    if response.status < 500:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout_s} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (VmRSS), in MB."""
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
            sizes.append(kb / 1024)
        return sorted(sizes)

    def log_count(self, needle: str) -> int:
        return self.log_path.read_text(errors="replace").count(needle) if self.log_path.exists() else 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # our own session: the master and its workers only
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def horseshoe_server(name: str, data_dir: Path, extra_env: dict[str, str]) -> Server:
    env = {"HORSESHOE_DATA_DIR": str(data_dir), "HORSESHOE_SECRET_KEY": "horseshoe-bench-not-secret", **extra_env}
    return Server(name, "wsgi:app", REPO, env)


def ceiling_server() -> Server:
    return Server("ceiling", "app:app", ceiling_dir())


# ---------------------------------------------------------------------------- wrk


WRK_CONNECTIONS = 16
WARMUP_S = 3


def run_wrk(url: str, duration_s: int, headers: list[str] | None = None, warmup: bool = True) -> dict:
    """`wrk -t1 -c16 -d<N>s --latency` after a 3 s warm-up: req/s, p50/p99 ms, non-2xx/3xx and socket errors."""
    extra = [arg for header in headers or [] for arg in ("-H", header)]
    if warmup:
        subprocess.run(["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WARMUP_S}s", *extra, url],
                       capture_output=True, check=True)
    command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{duration_s}s", "--latency", *extra, url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out) | {"command": " ".join(command[:5])}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict:
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return _ms(*match.groups()) if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    requests = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0, "requests": int(requests.group(1)) if requests else 0,
        "p50_ms": latency("50"), "p99_ms": latency("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split(" Copyright")[0].replace("wrk ", "").strip()


# ---------------------------------------------------------------------------- pages and sign-in


def final_url(url: str) -> str:
    """Where a page really lives (the thread page redirects a bare /t/<id> to its slug)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.geturl()


def fetch_header(url: str, name: str, cookie: str = "") -> str | None:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get(name)


def sign_in(base_url: str, email: str, password: str) -> tuple[str, str]:
    """Sign in through the real form (CSRF token and all); returns (Cookie header value, home page HTML)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "/auth/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password}).encode()
    home = opener.open(base_url + "/auth/login", data=form, timeout=30).read().decode()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, home
