"""Anonymous page cache: one rendering of the home, category and thread pages serves every signed-out visitor.

The busiest pages are read by people arriving signed out from a search engine; all of them see the same
page until something they could see changes. So:

- Only GET/HEAD requests to CACHED_ENDPOINTS that carry no Cookie header and no Authorization header are
  looked up, and only a plain 200 that set no cookie and put nothing in the session is stored. A request
  with any cookie is never served a stored page: the pages say "Vary: Cookie", and a signed-in member's
  page shows their name, bell and forms.
- The key is host + scheme + path + the full query string + a content *generation*. Every committed
  transaction that wrote a table anonymous visitors can see bumps the generation (SQLAlchemy session
  events, so requests and worker jobs alike), which retires every stored page at once. A rolled-back
  transaction bumps nothing. Coarse, but a generation is either right or stale for everyone, and a
  thread page's content (names, reputation, badges, banners, settings) reaches into most tables.
- The generation is read before the page is rendered, so a page rendered while a change commits is stored
  under the old generation and never served.
- The store is shared by every process: Redis when HORSESHOE_REDIS_URL is set, else an SQLite file in the
  data directory (as the rate limiter's counters). Entries live `anonymous_cache_s` seconds (0 = off),
  measured on services.clock so tests can move time. A failing store means "no cache", never an error.
- Security headers are added by forum.http.security's after_request on every response, hits included.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Flask, Response, current_app, g, has_app_context, request
from flask import session as visitor_session
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from forum.core import clock, i18n, sqlite_store

log = logging.getLogger(__name__)

CACHED_ENDPOINTS = frozenset({"home.index", "categories.show", "threads.show"})
# Headers a stored page is replayed with; everything else (security headers, X-Cache) is added per request.
REPLAYED_HEADERS = ("Content-Type", "Content-Language", "ETag", "Last-Modified", "Link")
# "Vary" values we honour by construction: only requests without any cookie are served from the cache, and
# the key holds the language Accept-Language chose.
HANDLED_VARY = frozenset({"cookie", "accept-language"})
MAX_BODY_BYTES = 1024 * 1024
MAX_ENTRIES = 5000  # the SQLite store keeps at most this many pages (oldest evicted first)
# Tables that never show on a page a signed-out visitor sees: writing them must not retire the cache
# (the worker touches `job` every few seconds; a reply writes notifications for every watcher).
PRIVATE_TABLES = frozenset({
    "job",  # the worker's queue and leases
    "outbound_email",  # the mail outbox
    "notification",  # each member's bell
    "api_token",  # credentials
    "spent_nonce",  # OpenID Connect replay guard
    "sign_in_failure",  # failed sign-ins per account: an attacker's guesses must not retire every page
    "inbound_event",  # ids of integration events already applied
    "webhook_delivery",  # outbound webhook log (staff only)
    "user_session",  # signed-in browsers: every sign-in and "last seen" writes here
    "recovery_code",  # two-factor recovery codes
    "data_export",  # members' own data archives
    "appeal",  # suspended members' appeals (moderators only)
    "draft",  # saved every few seconds while a member types: must not retire every page
    "block",  # whom a member ignores (shown to that member only)
    # private conversations: opening one writes last_read_at, and nothing in them is on a public page
    "conversation", "conversation_participant", "conversation_message", "conversation_flag",
})
ANY_TABLE = "*"  # a write whose table we cannot tell (text SQL): always counts
STORE_ERRORS = (sqlite3.Error, OSError, ValueError, KeyError, TypeError)  # and each store's own `errors`


class PageStore(Protocol):
    """Where pages and the content generation live, shared by every process that serves the site."""

    errors: tuple[type[Exception], ...]  # what its client raises when the store is unreachable or refuses

    def generation(self) -> int: ...

    def bump(self) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes, ttl_s: int) -> None: ...


class SQLiteStore:
    """Pages in one SQLite file in the data directory, shared by every gunicorn worker on the machine.

    A bump clears the table (nothing stored under an older generation can be served again); otherwise
    the oldest rows are evicted past MAX_ENTRIES.
    """

    errors = ()  # sqlite3.Error and OSError are in STORE_ERRORS

    def __init__(self, path: Path, max_entries: int = MAX_ENTRIES) -> None:
        self.path = path
        self.max_entries = max_entries
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite_store.connect(self.path, busy_timeout_s=5)
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            connection.execute("CREATE TABLE IF NOT EXISTS page (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            self._local.connection = connection
        return connection

    def generation(self) -> int:
        row = self._connection().execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        return row[0] if row else 0

    def bump(self) -> None:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "INSERT INTO meta (name, value) VALUES ('generation', 1)"
                " ON CONFLICT(name) DO UPDATE SET value = value + 1"
            )
            connection.execute("DELETE FROM page")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def get(self, key: str) -> bytes | None:
        row = self._connection().execute("SELECT value FROM page WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: bytes, ttl_s: int) -> None:
        connection = self._connection()
        cursor = connection.execute("INSERT OR REPLACE INTO page (key, value) VALUES (?, ?)", (key, value))
        if cursor.lastrowid and cursor.lastrowid % 100 == 0:  # evict now and then, not on every write
            connection.execute("DELETE FROM page WHERE rowid <= ?", (cursor.lastrowid - self.max_entries,))


@dataclass
class PageCache:
    """The app's cache: its store, how long pages live, and where "now" comes from (tests move it)."""

    store: PageStore
    ttl_s: int
    now: Callable[[], float] = lambda: clock.now().timestamp()
    bump_owed: bool = False  # a commit's invalidation failed: no page is served until it succeeds

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    def safely(self, action: Callable[[], object], default: object = None) -> object:
        """Run a store call; a broken store is logged and treated as an empty cache."""
        try:
            return action()
        except (*STORE_ERRORS, *self.store.errors) as error:
            log.warning("page cache store failed, serving without it: %s", error)
            return default

    def lookup(self, key: str) -> Response | None:
        """The stored page, unless missing, expired or unreadable (a corrupt entry is a miss, not an error)."""
        return self.safely(lambda: self._read(self.store.get(key)))

    def _read(self, raw: bytes | None) -> Response | None:
        if not raw:
            return None
        header, _, body = raw.partition(b"\n")
        meta = json.loads(header)
        if meta["expires_at"] <= self.now():
            return None
        return Response(body, status=200, headers=meta["headers"])

    def save(self, key: str, response: Response) -> None:
        headers = [(name, response.headers[name]) for name in REPLAYED_HEADERS if name in response.headers]
        header = json.dumps({"expires_at": self.now() + self.ttl_s, "headers": headers}).encode()
        self.safely(lambda: self.store.put(key, header + b"\n" + response.get_data(), self.ttl_s))

    def invalidate(self) -> None:
        """Retire every stored page; if the store refuses now, owe it and retry before serving again."""
        self.bump_owed = True
        self.settle()

    def settle(self) -> bool:
        """Pay an owed invalidation; False while the store still refuses it.

        A store busy for a moment (another process holding the SQLite file's write lock, a Redis
        timeout) must not lose a hide for good: until the bump lands, this process serves and
        stores nothing, and it retries on every request.
        """
        if self.bump_owed and self.safely(lambda: self.store.bump() or True, default=False):
            self.bump_owed = False
        return not self.bump_owed


# --- which requests and responses may use the cache ---------------------------------------------------


def eligible_request() -> bool:
    """A signed-out GET/HEAD of a cached page: no cookie at all (honours Vary: Cookie) and no credentials."""
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint in CACHED_ENDPOINTS
        and "Cookie" not in request.headers
        and "Authorization" not in request.headers
    )


def cache_key(generation: int) -> str:
    """Method-independent (HEAD shares GET's entry); the host and scheme keep sites behind one proxy apart.

    The language the page is written in is part of the key, not the Accept-Language header itself: every
    "en-US,en;q=0.9" and "en-GB" visitor shares the English copy, so the hit rate stays what it was.
    """
    raw = b"\0".join([
        str(generation).encode(), request.scheme.encode(), request.host.encode(),
        request.path.encode(), request.query_string, i18n.current_language().encode(),
    ])
    return hashlib.sha256(raw).hexdigest()


def session_untouched(response: Response) -> bool:
    """Nothing was put in the visitor's (empty) session, or only a CSRF token the page never shows.

    Building a Flask-WTF form creates the session's CSRF secret even when the template renders no form
    (the thread page builds its reply and feedback forms for every viewer). A token that is not in the
    body is not needed by anyone reading this copy, so the copy is safe to share; Set-Cookie is never stored.
    """
    if not visitor_session.modified:
        return True
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    return set(visitor_session.keys()) <= {field} and not (token and token.encode() in response.get_data())


def storable(response: Response) -> bool:
    """A plain, complete 200 meant for anyone: no cookie, no private/no-store, no Vary we do not handle."""
    control = response.cache_control
    return (
        response.status_code == 200
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not (control.private or control.no_store or control.no_cache)
        and {value.lower() for value in response.vary} <= HANDLED_VARY
        and (response.content_length or 0) <= MAX_BODY_BYTES
        and session_untouched(response)
    )


def serve_from_cache() -> Response | None:
    """before_request: answer a signed-out visitor from the cache, or remember the key to store under."""
    cache: PageCache = current_app.extensions["page_cache"]
    if not cache.enabled or not eligible_request() or not cache.settle():
        return None
    generation = cache.safely(cache.store.generation)
    if generation is None:
        return None
    g.page_cache_key = cache_key(generation)
    hit = cache.lookup(g.page_cache_key)
    if hit is not None:
        g.page_cache_hit = True
        hit.headers["X-Cache"] = "hit"
    return hit


def store_in_cache(response: Response) -> Response:
    """after_request: store an eligible miss; label every cached-endpoint response with X-Cache."""
    if request.endpoint not in CACHED_ENDPOINTS or g.get("page_cache_hit"):
        if g.get("page_cache_hit"):
            response.vary.update(("Cookie", "Accept-Language"))
        return response
    # what a signed-in visitor sees differs, and so does each language: shared caches must know
    response.vary.update(("Cookie", "Accept-Language"))
    key = g.get("page_cache_key")
    cache: PageCache = current_app.extensions["page_cache"]
    response.headers["X-Cache"] = "off" if not cache.enabled else "miss" if key else "bypass"
    if key and storable(response):
        cache.save(key, response)
    return response


# --- invalidation: committed writes bump the generation -------------------------------------------------

PENDING = "horseshoe_page_cache_tables"


def _mark(session: Session, tables: set[str]) -> None:
    visible = tables - PRIVATE_TABLES
    if visible:
        session.info.setdefault(PENDING, set()).update(visible)


def _after_flush(session: Session, _flush_context) -> None:
    changed = [*session.new, *session.deleted, *(obj for obj in session.dirty if session.is_modified(obj))]
    _mark(session, {getattr(getattr(obj, "__table__", None), "name", ANY_TABLE) for obj in changed})


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk UPDATE/DELETE/INSERT and text SQL through session.execute bypass the flush: count them here."""
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session, {getattr(table, "name", ANY_TABLE)})
    elif not str(state.statement).lstrip().upper().startswith(("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE")):
        _mark(state.session, {ANY_TABLE})


def _after_commit(session: Session) -> None:
    """The change is durable (or, in tests, visible to the joined transaction): retire every stored page."""
    if session.info.pop(PENDING, None) and has_app_context():
        cache = current_app.extensions.get("page_cache")
        if cache is not None:
            cache.invalidate()


def _after_transaction_end(session: Session, transaction) -> None:
    """Writes of a rolled-back (or closed) outermost transaction were never seen: forget them."""
    if transaction.parent is None and not transaction.nested:
        session.info.pop(PENDING, None)


_listening = False


def listen_for_changes() -> None:
    """Install the session listeners once per process (they find the app's cache through current_app)."""
    global _listening
    if not _listening:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _listening = True


def init_app(app: Flask) -> None:
    settings = app.config["HORSESHOE"]
    if settings.redis_url:
        from forum.http.page_cache_redis import RedisStore  # redis (6 MB) only where pages are shared through it

        store: PageStore = RedisStore(settings.redis_url, prefix=settings.redis_prefix + "page-cache:")
    else:
        store = SQLiteStore(settings.data_path / "page_cache.sqlite3")
    app.extensions["page_cache"] = PageCache(store=store, ttl_s=settings.anonymous_cache_s)
    listen_for_changes()
    app.before_request(serve_from_cache)
    app.after_request(store_in_cache)
