"""One JSON log line per request, and the request id that ties it to the answer and the jobs it queued.

Every request gets an id (forum.core.request_ids): a sane X-Request-ID from the caller or a reverse proxy,
else a new one. It is sent back as X-Request-ID, written into every problem+json body (forum.http.problems)
and into the payload of every job the request queues (forum.core.outbox), so "request 3f2a…" in a support
ticket finds the log line, and the worker's line for each job it caused.

The line holds the method, the endpoint (the view's name: never the path, which may carry a one-time token
or what someone searched for), the status, the duration in milliseconds, the request id and the signed-in
member's id. The standard library's logging writes it with the formatter below (a few lines of json.dumps:
no logging library is needed for one flat object per line). Logger "horseshoe.requests" at INFO, to standard
error unless the operator configured that logger (handlers of their own) before the app started.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from forum.core import request_ids

HEADER = "X-Request-ID"
LOGGER_NAME = "horseshoe.requests"
log = logging.getLogger(LOGGER_NAME)
# What a log record may carry beside its message (logging's `extra`), written as members of the JSON object.
FIELDS = ("method", "endpoint", "status", "duration_ms", "request_id", "user_id")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC), level, logger, message, the FIELDS it has, the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def init_app(app: Flask) -> None:
    """First of every before_request hook, so even a request an earlier hook refuses has its id and its line."""
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request(finish_request)
    app.teardown_request(forget_request)
    if not app.config["HORSESHOE"].testing:
        _log_to_stderr()


def _log_to_stderr() -> None:
    """JSON lines on standard error (gunicorn's and `make run`'s output), unless the logger has handlers already."""
    if log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_ids.accept(request.headers.get(HEADER))
    request_ids.bind(g.request_id)


def current_request_id() -> str:
    """This request's id (made now when a hook failed before start_request ran)."""
    if "request_id" not in g:
        g.request_id = request_ids.new()
    return g.request_id


def elapsed_s() -> float:
    """Seconds since this request started (0 when start_request never ran)."""
    started = g.get("request_started")
    return time.perf_counter() - started if started is not None else 0.0


def finish_request(response: Response) -> Response:
    """Send the id back and write the request's line (after_request: every answer, refusals and errors too)."""
    response.headers[HEADER] = current_request_id()
    user = g.get("_login_user")  # only when this request loaded its caller: no query just to log
    log.info("%s %s %s", request.method, request.endpoint or "-", response.status_code, extra={
        "method": request.method,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round(elapsed_s() * 1000, 1),
        "request_id": current_request_id(),
        "user_id": getattr(user, "id", None) if user is not None and user.is_authenticated else None,
    })
    return response


def forget_request(_exc: BaseException | None) -> None:
    request_ids.bind(None)
