"""Browser fixtures: the real app served on a free local port, driven by headless Debian Chromium.

The server thread reads the same test database as the rest of the pass, so every browser test uses
the `committed` fixture: its data is committed for real (the server cannot see a test transaction)
and wiped afterwards. Chromium comes from Debian (scripts/ensure-browser installs it); Playwright is
only the driver and never downloads a browser. Without Chromium or axe-core these tests skip, unless
HORSESHOE_REQUIRE_BROWSER=1 (CI), where a missing browser is an error rather than a silent pass.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from forum.core import database, worker
from forum.core.extensions import db as _db
from search.backends.whoosh import index
from tests import factories
from tests.conftest import wipe_database
from tests.support.smtp import SmtpSink

try:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright
except ImportError:  # the test extras were not installed: reported by browser_missing()
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = factories.PASSWORD

# Runs before any page script: a script that executes calls one of these (payloads use alert and
# friends), and CSP refusals are reported too; both reach Python at once, so nothing is lost on navigation.
WATCH_SCRIPT = """
(() => {
  const report = (kind, text) => window.__horseshoeReport(kind, location.pathname + " " + text);
  const record = (name) => function () { report("ran", name + "(" + Array.from(arguments).join(", ") + ")"); };
  for (const name of ["alert", "prompt", "confirm", "print"]) { window[name] = record(name); }
  window.__pwned = record("__pwned");
  document.addEventListener("securitypolicyviolation", (event) => {
    report("csp", event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at "
           + event.sourceFile + ":" + event.lineNumber);
  });
})();
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not shutil.which("chromium"):
        return "Debian's chromium is not installed (scripts/ensure-browser installs it)"
    if not AXE.is_file():
        return f"axe-core is missing at {AXE.relative_to(ROOT)} (scripts/ensure-browser installs it)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = browser_missing()
    if reason:
        if os.environ.get("HORSESHOE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HORSESHOE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True)
        yield chromium
        chromium.close()


class InFlight:
    """The live server's requests still being answered, so test data is wiped only when none is.

    A page's script may still be talking to the server when a test ends (the editor's autosave): wiping
    the tables under that request deadlocks on PostgreSQL (TRUNCATE against the request's open reads).
    Waiting for the count to reach zero is not enough: a request the server accepted but had not yet
    handed to the app starts during the wipe (CI saw that deadlock), so `held()` also keeps new
    requests at the door until the wipe is over.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0
        self.closed = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.changed.wait_for(lambda: not self.closed, timeout=30)
            self.count += 1
        try:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                getattr(response, "close", lambda: None)()
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    @contextmanager
    def held(self, timeout_s: float = 15) -> Iterator[None]:
        """No request runs inside: those in flight finish first, new ones wait until the block ends."""
        with self.changed:
            self.closed = True
            self.changed.wait_for(lambda: self.count == 0, timeout=timeout_s)
        try:
            yield
        finally:
            with self.changed:
                self.closed = False
                self.changed.notify_all()


SERVING: list[InFlight] = []  # the session's live server, when one runs


@pytest.fixture(scope="session")
def live_server(app: Flask, browser) -> Iterator[str]:
    """The app served from a thread per request, as gunicorn serves it from several workers."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the failures
    in_flight = InFlight(app)
    SERVING.append(in_flight)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class CommittedFactories:
    """tests/factories.py, committing after every call so the server thread sees the rows at once.

    On SQLite the app begins every transaction outside a GET request IMMEDIATE (forum/database.py),
    so a test that merely read an attribute would hold the write lock and the server would wait on
    it. Here the test thread reads in deferred transactions (WAL readers block nobody) and only the
    factories and jobs write, each in a transaction of its own that ends before the browser acts.
    """

    def __init__(self, mail: SmtpSink | None = None):
        database._read_only.set(True)
        self.mail = mail  # the SMTP server the jobs deliver to: tests read the mails people would receive

    def __getattr__(self, name: str):
        build = getattr(factories, name)
        return lambda *args, **kwargs: self.write(build, *args, **kwargs)

    @staticmethod
    def write(action, *args, **kwargs):
        _db.session.commit()  # end any read transaction first: it cannot be upgraded safely
        token = database._read_only.set(False)
        try:
            made = action(*args, **kwargs)
            _db.session.commit()
            return made
        finally:
            database._read_only.reset(token)

    def run_jobs(self) -> int:
        """Run every due job now, as the worker would (notifications, search indexing, ...)."""
        return self.write(worker.run_until_empty)


@contextmanager
def committed_data(app: Flask) -> Iterator[CommittedFactories]:
    """Factories in an app context of the test thread; rows and the search index are wiped at the end.

    A real SMTP server takes the mail the jobs send meanwhile (else each mail job fails and retries).
    """
    settings = app.config["HORSESHOE"]
    with app.app_context():
        shutil.rmtree(index.root(), ignore_errors=True)
        index.rebuild()
        mail = SmtpSink(settings.mail_server, settings.mail_port).start()
        try:
            yield CommittedFactories(mail)
        finally:
            mail.stop()
            _db.session.commit()  # the test thread's reads end first: a request it waits for may need them
            database._read_only.set(False)
            with ExitStack() as no_requests:
                for server in SERVING:
                    no_requests.enter_context(server.held())
                wipe_database()
            shutil.rmtree(index.root(), ignore_errors=True)


@pytest.fixture
def data(app: Flask) -> Iterator[CommittedFactories]:
    """Factories whose rows the server thread can see (committed, wiped after the test), with a fresh
    search index that the worker jobs (data.run_jobs()) write to."""
    with committed_data(app) as factories_:
        yield factories_


@dataclass
class Problems:
    """What went wrong in a visitor's pages that they might not see but must never happen."""

    console: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)

    def report(self, kind: str, text: str) -> None:
        getattr(self, kind).append(text)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # Chromium also logs every 4xx as "Failed to load resource", including a form page answered 422
        # on purpose; failed loads are judged by _response instead, which knows what was loaded.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.console.append(f"{response.status} for {response.request.resource_type} {response.url}")


class Visitor:
    """One person in their own browser context (own cookies), who can sign in through the real form."""

    def __init__(self, context: BrowserContext, base_url: str):
        self.context = context
        self.base_url = base_url
        self.problems = Problems()
        context.expose_function("__horseshoeReport", self.problems.report)
        context.add_init_script(WATCH_SCRIPT)
        self.page = self.new_tab()

    def new_tab(self) -> Page:
        page = self.context.new_page()
        self.problems.watch(page)
        return page

    def open(self, path: str, status: int = 200) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        return self.page

    def sign_in(self, email: str, password: str = PASSWORD) -> Page:
        page = self.open("/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        signed_in = page.get_by_role("button", name="Sign out", include_hidden=True)  # in the closed account menu
        assert signed_in.count() == 1, f"{email} could not sign in"
        return page

    def assert_clean(self) -> None:
        """No console error, no CSP violation and no injected script call on any page so far."""
        assert self.problems.console == []
        assert self.problems.csp == []
        assert self.problems.ran == []


def open_menu(page: Page, menu: Locator) -> Locator:
    """Open a header menu (a <details>) as a person would; on a phone the "Menu" around it opens first."""
    page.wait_for_load_state()  # before the stylesheet applies, the phone's "Menu" button shows at any width
    toggle = page.locator(".nav-toggle")
    if toggle.locator(":scope > summary").is_visible() and not toggle.evaluate("details => details.open"):
        toggle.locator(":scope > summary").click()
    if not menu.evaluate("details => details.open"):
        menu.locator(":scope > summary").click()
    return menu


def header_menu(page: Page, name: str) -> Locator:
    """The header menu whose button reads name ("Community", "Staff", or a member's name for their account
    menu), opened: its links are visible once this returns."""
    return open_menu(page, page.locator("details[data-menu]").filter(
        has=page.locator(":scope > summary", has_text=name)))


def sign_out(page: Page) -> None:
    """Sign out with the button in the account menu."""
    button = page.get_by_role("button", name="Sign out", include_hidden=True)
    menu = page.locator("details[data-menu]").filter(has=button)
    open_menu(page, menu).get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


@pytest.fixture
def visitor(browser, live_server, request) -> Iterator:
    """Make visitors (desktop-sized by default); each must end with no console error or CSP violation.

    Each browser closes as soon as the test ends, before any fixture wipes the test's rows: an open page's
    script (the editor's autosave) would otherwise call the server after its member was gone (a 401).
    A finalizer added while the test runs comes last, so it runs first.
    """
    made: list[Visitor] = []

    def new(width: int = 1280, height: int = 900, **options) -> Visitor:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(10_000)
        request.node.addfinalizer(context.close)
        person = Visitor(context, live_server)
        made.append(person)
        return person

    yield new
    for person in made:
        person.context.close()
    for person in made:
        person.assert_clean()
