"""Rate limits (domain.md): one budget per account and action, shared by the web pages and the API,
and by every process: Redis when configured, else an SQLite file.

Each Budget names an action ("reply", "new_thread", "flag" ...) and every endpoint leading to that action
names the same Budget, so a member replying on the page and through the API spends one budget (a
Flask-Limiter shared limit, scoped by the budget's name). The numbers of domain.md are community
settings (forum.core.posting_rules), read at every request: a changed setting holds from the next one.
Flask-Limiter's memory storage counts per process, so with N gunicorn workers the real limit would be
N times the rule; the embedded default therefore keeps counters in one SQLite file in the data directory.
"""

from __future__ import annotations

import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_login import current_user
from limits.storage import Storage

from forum.core import posting_rules, sqlite_store
from forum.core.posting_rules import Reader
from forum.http.auth import acting_user
from forum.services import community_settings, permissions

# Fixed rules: abuse guards per IP address (or account) that domain.md gives no number for.
ACCOUNT_ABUSE = "5 per hour"  # reset emails per IP (sign-ups: the setting limits.sign_ups_per_hour)
VERIFY_RESEND = "10 per hour"  # new confirmation links per account (the service also keeps them a minute apart)
# Refused calls (bad signature, stale, replay) to the inbound-mail webhook per IP; a provider's signed mail is not
# counted, so busy days never hold it up (forum.mail.api).
REFUSED_INBOUND_MAIL = "30 per minute"
# Suggestions opened from the ask page per account (forum.knowledge.deflection): far above what anyone reads,
# low enough that made-up visits cannot inflate an article's deflections.
SUGGESTION_OPENS = "30 per hour"


def created(response: Response) -> bool:
    """Count only what was actually posted: not a preview, a "similar questions" step or a form error."""
    return response.status_code in {201, 302, 303}


def succeeded(response: Response) -> bool:
    return response.status_code < 400


def refused_credentials(response: Response) -> bool:
    return response.status_code == 401


@dataclass(frozen=True)
class Budget:
    """One action's allowance per caller, whichever endpoint (page or API) spends it.

    rule is a fixed Flask-Limiter rule or one made from the community settings; counts says which
    responses spend it (None: every attempt, as for sign-in guessing). new_account_rule, when set,
    holds instead while the caller's account is new, staff exempt (forum.core.posting_rules).
    """

    name: str
    rule: str | Callable[[Reader], str]
    counts: Callable[[Response], bool] | None = None
    new_account_rule: Callable[[Reader], str] | None = None

    def rule_now(self, setting: Reader = community_settings.cached_setting) -> str:
        """The rule for this request's caller, from the settings as they are now."""
        if self.new_account_rule is not None:
            user = acting_user()
            if posting_rules.is_new_account(setting, getattr(user, "created_at", None), permissions.is_staff(user)):
                return self.new_account_rule(setting)
        return self.rule(setting) if callable(self.rule) else self.rule


SIGN_IN = Budget("sign_in", posting_rules.sign_in_rule)
REGISTER = Budget("register", posting_rules.sign_up_rule)
PASSWORD_RESET = Budget("password_reset", ACCOUNT_ABUSE)
CONFIRMATION_LINK = Budget("confirmation_link", VERIFY_RESEND)
NEW_THREAD = Budget("new_thread", posting_rules.thread_rule, created, posting_rules.new_account_thread_rule)
REPLY = Budget("reply", posting_rules.reply_rule, created)
VOTE = Budget("vote", posting_rules.vote_rule, succeeded)
FLAG = Budget("flag", posting_rules.flag_rule, created)
# Proposals count like questions, "did this help?" like helpful votes, each in its own budget (forum.knowledge).
NEW_ARTICLE = Budget("new_article", posting_rules.thread_rule, created, posting_rules.new_account_thread_rule)
ARTICLE_FEEDBACK = Budget("article_feedback", posting_rules.vote_rule, succeeded)
SUGGESTION_OPEN = Budget("suggestion_open", SUGGESTION_OPENS)
REFUSED_MAIL_CALL = Budget("refused_inbound_mail", REFUSED_INBOUND_MAIL, refused_credentials)
# Private conversations (forum.conversations adds their endpoints): started like threads, written like replies.
NEW_CONVERSATION = Budget("new_conversation", posting_rules.thread_rule, created, posting_rules.new_account_thread_rule)
MESSAGE = Budget("message", posting_rules.reply_rule, created)

# endpoint → its budget. Domain packages add their endpoints in their init_app (before ours runs).
RULES: dict[str, Budget] = {
    "auth.login": SIGN_IN,
    "oidc.start": SIGN_IN,
    "api.create_token": SIGN_IN,
    "auth.register": REGISTER,
    "api.register_user": REGISTER,
    "auth.forgot_password": PASSWORD_RESET,
    "verification.resend": CONFIRMATION_LINK,
    "threads.new": NEW_THREAD,
    "api.start_thread": NEW_THREAD,
    "threads.reply": REPLY,
    "api.reply_to_thread": REPLY,
    "qa.vote": VOTE,
    "api.vote_helpful": VOTE,
    "knowledge.new": NEW_ARTICLE,
    "api.create_article": NEW_ARTICLE,
    "knowledge.feedback": ARTICLE_FEEDBACK,
    "api.give_article_feedback": ARTICLE_FEEDBACK,
    "knowledge.opened": SUGGESTION_OPEN,
    "api.receive_inbound_mail": REFUSED_MAIL_CALL,
}
# blueprint → the budget of every write endpoint in it. Flags live in moderation, which forum may not
# import; naming blueprints (not endpoints) keeps this table right as its views change.
BLUEPRINT_RULES: dict[str, Budget] = {
    "moderation_flags": FLAG,
    "moderation_api_flags": FLAG,
}
LIMITED_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


def budget_of(endpoint: str) -> Budget | None:
    """The budget an endpoint spends, by its own name or its blueprint's."""
    return RULES.get(endpoint) or BLUEPRINT_RULES.get(endpoint.rpartition(".")[0])


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
    """Attach the limiter and wrap each endpoint that spends a budget (call after blueprints are registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app))
    if app.config["HORSESHOE"].redis_url:  # counters in a Redis other communities may share: keys of our own
        app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["HORSESHOE"].redis_prefix + "limits")
    app.after_request(retry_after_rounded_up)  # after_request hooks run last-registered first
    limiter.init_app(app)
    app.after_request(remember_own_retry_after)
    for endpoint, view in list(app.view_functions.items()):
        budget = budget_of(endpoint)
        if budget is not None:
            app.view_functions[endpoint] = limiter.shared_limit(
                budget.rule_now, budget.name, methods=LIMITED_METHODS, deduct_when=budget.counts
            )(view)
