"""The request id: one short string that ties a request's log line, its problem+json answer and the jobs it queued.

The HTTP layer (forum.http.request_log) binds an id for each request: the caller's X-Request-ID when it is
sane, else a new one. Code below HTTP reads it here without knowing of requests: forum.core.outbox writes it
into the payload of every job queued meanwhile, and the worker binds it again while it runs such a job, so
jobs queued by that job, and the worker's log line, carry the same id.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_LENGTH = 64
# Letters, digits and . _ : - only: an id is written into log lines and headers verbatim, so nothing that could
# break a line, a JSON string or a header (no spaces, quotes, newlines) is accepted from a caller.
SANE = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_LENGTH}}}")

_current: ContextVar[str | None] = ContextVar("horseshoe_request_id", default=None)


def new() -> str:
    """A fresh id: 32 hex digits, unique enough to find one request among years of logs."""
    return secrets.token_hex(16)


def accept(offered: str | None) -> str:
    """The caller's id when it is sane (a proxy's or a client's, so their logs and ours line up), else a new one."""
    offered = (offered or "").strip()
    return offered if SANE.fullmatch(offered) else new()


def current() -> str | None:
    """The id bound now: the request's, or the job's while the worker runs it; None elsewhere (CLI, tests)."""
    return _current.get()


def bind(request_id: str | None) -> None:
    """Bind an id until the next bind (a request's start and end; None unbinds)."""
    _current.set(request_id)


@contextmanager
def bound(request_id: str | None) -> Iterator[None]:
    """Bind an id for the block only (the worker, around one job)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)
