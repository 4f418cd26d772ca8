"""Rate limits (domain.md), shared by every process: Redis when configured, else an SQLite file.

Flask-Limiter's memory storage counts per process, so with N gunicorn workers the real limit
would be N times the rule; the embedded default therefore keeps counters in one SQLite file
in the data directory. Limits are declared here, per endpoint, in one readable table.
"""

from __future__ import annotations

import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_login import current_user
from limits.storage import Storage

from forum.core import posting_rules, sqlite_store

SIGN_IN = "10 per minute"
REPLIES = posting_rules.REPLIES
VOTES = "100 per day"
FLAGS = "20 per day"
ACCOUNT_ABUSE = "5 per hour"  # registrations and reset emails per IP
VERIFY_RESEND = "10 per hour"  # new confirmation links per account (the service also keeps them a minute apart)
# Refused calls (bad signature, stale, replay) to the inbound-mail webhook per IP; a provider's signed mail is not
# counted, so busy days never hold it up (forum.mail.api).
REFUSED_INBOUND_MAIL = "30 per minute"
# Suggestions opened from the ask page per account (forum.knowledge.deflection): far above what anyone reads,
# low enough that made-up visits cannot inflate an article's deflections.
SUGGESTION_OPENS = "30 per hour"


def new_thread_limit() -> str:
    """3 new threads a day in an account's first day, 20 a day after (forum.core.posting_rules)."""
    return posting_rules.new_thread_rule(getattr(current_user, "created_at", None))


def created(response: Response) -> bool:
    """Count only what was actually posted: not a preview, a "similar questions" step or a form error."""
    return response.status_code in {201, 302, 303}


def succeeded(response: Response) -> bool:
    return response.status_code < 400


def refused_credentials(response: Response) -> bool:
    return response.status_code == 401


# endpoint → (rule, which responses count; None = every attempt, as for sign-in guessing)
RULES: dict[str, tuple[str | Callable[[], str], Callable[[Response], bool] | None]] = {
    "auth.login": (SIGN_IN, None),
    "oidc.start": (SIGN_IN, None),
    "api.create_token": (SIGN_IN, None),
    "auth.register": (ACCOUNT_ABUSE, None),
    "api.register_user": (ACCOUNT_ABUSE, None),
    "auth.forgot_password": (ACCOUNT_ABUSE, None),
    "verification.resend": (VERIFY_RESEND, None),
    "threads.new": (new_thread_limit, created),
    "api.start_thread": (new_thread_limit, created),
    "threads.reply": (REPLIES, created),
    "api.reply_to_thread": (REPLIES, created),
    "qa.vote": (VOTES, succeeded),
    "api.vote_helpful": (VOTES, succeeded),
    "api.create_article": (new_thread_limit, created),  # proposals count like questions (forum.knowledge.api)
    "api.give_article_feedback": (VOTES, succeeded),  # "did this help?" counts like helpful votes
    "knowledge.new": (new_thread_limit, created),
    "knowledge.feedback": (VOTES, succeeded),
    "knowledge.opened": (SUGGESTION_OPENS, None),
    "api.receive_inbound_mail": (REFUSED_INBOUND_MAIL, refused_credentials),
}
# blueprint → (shared counter, rule, which responses count): one budget across every write
# endpoint of the blueprint, pages and API together. Flags live in moderation, which forum may
# not import; naming blueprints (not endpoints) keeps this table right as its views change.
BLUEPRINT_RULES: dict[str, tuple[str, str, Callable[[Response], bool]]] = {
    "moderation_flags": ("flags", FLAGS, created),
    "moderation_api_flags": ("flags", FLAGS, created),
}
LIMITED_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


def caller_key() -> str:
    """Per account when signed in, per IP address otherwise."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr or 'unknown'}"


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file: atomic upserts, shared by all local processes."""

    STORAGE_SCHEME = ["horseshoe+sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()
        with self._connection() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counter"
                " (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
            )

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite_store.connect(self.path, busy_timeout_s=10)
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        row = self._connection().execute(
            "INSERT INTO counter (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
            " count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + excluded.count END,"
            " expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END"
            " RETURNING count",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        if random.random() < 0.01:  # nosec B311  # occasionally drop long-expired windows
            self._connection().execute("DELETE FROM counter WHERE expires_at < ?", (now - 3600,))
        return row[0]

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counter WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires_at FROM counter WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        return self._connection().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))


limiter = Limiter(key_func=caller_key, headers_enabled=True)


def storage_uri(app: Flask) -> str:
    settings = app.config["HORSESHOE"]
    if settings.redis_url:
        return settings.redis_url
    return f"horseshoe+sqlite://{settings.data_path / 'ratelimits.sqlite3'}"


def remember_own_retry_after(response: Response) -> Response:
    """Keep the Retry-After a view set itself (a per-account sign-in lock) before the limiter rewrites it.

    Runs before the limiter's header step (registered after it).
    """
    g.own_retry_after = response.headers.get("Retry-After")
    return response


def retry_after_rounded_up(response: Response) -> Response:
    """Retry-After in whole seconds rounded up, never 0, and never shorter than the view asked for.

    Flask-Limiter truncates the seconds left, so in the last second of a window a refused client
    is told "0", asks again at once and is refused again. Rounding up means a client that waits
    as told is let through. A view's own, longer wait (fifteen minutes of sign-in lock) wins over
    the limiter's window. Runs after the limiter's own header step (registered before it).
    """
    current = limiter.current_limit
    if current is not None and "Retry-After" in response.headers:
        seconds_left = math.ceil(current.window.reset_time - time.time())
        own = g.get("own_retry_after")
        asked = int(own) if own and own.isdigit() else 0
        response.headers["Retry-After"] = str(max(1, seconds_left, asked))
    return response


def init_app(app: Flask) -> None:
    """Attach the limiter and wrap each endpoint of RULES (call after blueprints are registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app))
    app.after_request(retry_after_rounded_up)  # after_request hooks run last-registered first
    limiter.init_app(app)
    app.after_request(remember_own_retry_after)
    for endpoint, (rule, counts) in RULES.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(rule, methods=LIMITED_METHODS, deduct_when=counts)(view)
    for endpoint, view in list(app.view_functions.items()):
        shared = BLUEPRINT_RULES.get(endpoint.rpartition(".")[0])
        if shared is not None:
            scope, rule, counts = shared
            app.view_functions[endpoint] = limiter.shared_limit(
                rule, scope, methods=LIMITED_METHODS, deduct_when=counts
            )(view)
