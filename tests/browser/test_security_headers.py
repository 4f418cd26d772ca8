"""Security headers, proven where they matter: in Chromium, which enforces them.

A Content-Security-Policy that the browser never applies protects nobody, so these tests inject inline
script, inline style and an inline event handler into a real page and watch Chromium refuse each one;
put the site in a frame from another origin (and from its own) and watch the frame stay empty; and read
the headers of every response the browser received on the main pages. HSTS, which a browser only honours
over https, is checked at the HTTP level for an app configured with an https:// base URL. Templates are
scanned for inline script, style and handlers, which the policy would block at run time.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from forum import create_app
from forum.models import Role
from tests.browser.conftest import ROOT, Visitor

TEMPLATES = ROOT / "templates"
REFERRER_POLICIES_THAT_KEEP_PATHS_PRIVATE = {"no-referrer", "same-origin", "strict-origin",
                                             "strict-origin-when-cross-origin"}
# Signed-out pages; {thread} and {category} are filled in from the data made for the test.
PUBLIC_PAGES = ["/", "/auth/login", "/auth/register", "/search?q=router", "/badges", "/leaderboard", "/privileges",
                "{thread}", "{category}"]
THREAD_TITLE = "Router drops the connection every evening"
MEMBER_PAGES = ["/ask", "/settings/profile", "/notifications"]
STAFF_PAGES = ["/desk", "/staff/analytics", "/moderation/queue", "/admin/settings"]

# Collects CSP refusals inside the page, so the test can wait for them to arrive (reports are asynchronous).
COLLECT_VIOLATIONS = """() => {
  window.__refused = [];
  document.addEventListener("securitypolicyviolation", (event) => window.__refused.push(event.violatedDirective));
}"""
# Resolves once `count` refusals arrived, or after 10 s with what arrived (so a missing one fails, not hangs).
# Not page.wait_for_function: its polling evaluates a string, which the very policy under test forbids.
REFUSED = """(count) => new Promise((resolve) => {
  const done = () => resolve([...window.__refused].sort());
  const check = () => { if (window.__refused.length >= count) done(); };
  document.addEventListener("securitypolicyviolation", () => setTimeout(check));
  setTimeout(done, 10000);
  check();
})"""


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed = {}
    for part in policy.split(";"):
        if part.strip():
            name, *sources = part.split()
            parsed[name.lower()] = sources
    return parsed


def header_problems(url: str, headers: dict[str, str]) -> list[str]:
    """What a page's headers (lower-cased names, as Playwright gives them) fail to promise."""
    problems = []
    policy = directives(headers.get("content-security-policy", ""))
    every_source = [source for sources in policy.values() for source in sources]
    if "'unsafe-inline'" in every_source or "'unsafe-eval'" in every_source or "*" in every_source:
        problems.append(f"{url}: CSP allows inline code or anything: {policy}")
    for kind in ("script-src", "style-src"):
        allowed = policy.get(kind, policy.get("default-src"))
        # 'none' (members' files and generated pictures: nothing runs at all) is stricter than 'self'
        if allowed is None or any(source not in ("'self'", "'none'") and not source.startswith("'nonce-")
                                  for source in allowed):
            problems.append(f"{url}: {kind} is {allowed}")
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append(f"{url}: frame-ancestors is {policy.get('frame-ancestors')}")
    if policy.get("object-src") != ["'none'"]:
        problems.append(f"{url}: object-src is {policy.get('object-src')}")
    if headers.get("referrer-policy") not in REFERRER_POLICIES_THAT_KEEP_PATHS_PRIVATE:
        problems.append(f"{url}: Referrer-Policy is {headers.get('referrer-policy')}")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append(f"{url}: X-Content-Type-Options is {headers.get('x-content-type-options')}")
    if headers.get("x-frame-options", "").upper() != "DENY":
        problems.append(f"{url}: X-Frame-Options is {headers.get('x-frame-options')}")
    if "strict-transport-security" in headers:
        problems.append(f"{url}: HSTS sent over plain http")
    return problems


@pytest.fixture
def site(data) -> dict[str, str]:
    """A thread in a category, a member and a staff member to sign in as."""
    category = data.make_category(name="Billing", slug="billing")
    thread = data.make_thread(category=category, title=THREAD_TITLE)
    data.make_user(username="member", email="member@example.com")
    data.make_user(role=Role.ADMIN, username="boss", email="boss@example.com")
    data.run_jobs()
    return {"thread": f"/t/{thread.id}", "category": f"/c/{category.slug}"}


def test_every_response_on_the_main_pages_carries_the_security_headers(visitor, site):
    """Pages, their CSS and JS, a 404, signed out, as a member and as staff: headers as the browser saw them."""
    seen: dict[str, dict[str, str]] = {}
    people = [(visitor(), None, PUBLIC_PAGES), (visitor(), "member@example.com", MEMBER_PAGES),
              (visitor(), "boss@example.com", STAFF_PAGES)]
    for person, email, paths in people:
        person.page.on("response", lambda response: seen.setdefault(response.url, response.all_headers()))
        if email:
            person.sign_in(email)
        for path in paths:
            person.open(path.format(**site))
        person.open("/t/999999", status=404)
    origin = people[0][0].base_url
    ours = {url: headers for url, headers in seen.items() if url.startswith(origin)}
    assert any(url.endswith(".css") for url in ours) and any(url.endswith(".js") for url in ours)
    assert [problem for url, headers in ours.items() for problem in header_problems(url, headers)] == []


def test_the_browser_refuses_inline_script_style_and_handlers_injected_into_a_page(browser, live_server, site):
    """What an injection that got past escaping would try first; the policy must stop it in the browser."""
    context = browser.new_context()
    person = Visitor(context, live_server)
    try:
        page = person.open(site["thread"])
        page.evaluate(COLLECT_VIOLATIONS)
        try_to_inject(page)
        assert page.evaluate(REFUSED, 4) == [
            "script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"
        ]
        assert page.evaluate("window.__ran === undefined"), "an injected script ran"
        assert page.evaluate("getComputedStyle(document.body).display") != "none", "an injected style applied"
        assert page.get_by_role("heading", name=THREAD_TITLE).is_visible()
        assert person.problems.ran == []
        unexpected = [text for text in person.problems.console if "Content Security Policy" not in text]
        assert unexpected == []
    finally:
        context.close()


def try_to_inject(page) -> None:
    """Inline <script>, <style>, a style attribute and an onerror handler, as an XSS payload would."""
    for inject in (lambda: page.add_script_tag(content="window.__ran = 'script'; __pwned('inline script');"),
                   lambda: page.add_style_tag(content="body { display: none !important; }")):
        try:
            inject()
        except Exception as refused:  # Playwright may surface the CSP refusal; either way it is judged below
            assert "Content Security Policy" in str(refused) or "Refused" in str(refused), refused
    page.evaluate("""() => {
      document.body.setAttribute("style", "display: none");
      document.body.insertAdjacentHTML("beforeend",
        '<img alt="" src="data:," onerror="window.__ran = \\'handler\\'; __pwned(\\'onerror\\')">');
    }""")


class OtherSite(BaseHTTPRequestHandler):
    """Another origin: one page that frames the app and, as a control, a page of its own."""

    app_url = ""

    def do_GET(self):  # noqa: N802 - the http.server naming
        if self.path == "/own":
            body = "<!doctype html><title>own</title><p id=hello>framable page</p>"
        else:
            body = (f'<!doctype html><title>other site</title><iframe name=app src="{self.app_url}"></iframe>'
                    '<iframe name=own src="/own"></iframe>')
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site(live_server, site) -> Iterator[str]:
    handler = type("Framer", (OtherSite,), {"app_url": live_server + site["thread"]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_another_site_cannot_frame_the_app(browser, other_site):
    """Clickjacking: the app's frame stays empty, while the other site's own frame (the control) loads."""
    context = browser.new_context()
    try:
        page = context.new_page()
        with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
            page.goto(other_site + "/")
        own = page.frame(name="own")
        own.wait_for_selector("#hello")
        assert app_content(page.frame(name="app")) == ""
    finally:
        context.close()


def test_the_app_cannot_be_framed_even_by_its_own_pages(browser, live_server, site):
    """frame-ancestors 'none' also holds against a page of the same origin (a compromised page, say)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
            page.evaluate("""(url) => new Promise((loaded) => {
              const frame = document.createElement("iframe");
              frame.name = "app";
              frame.addEventListener("load", loaded);
              document.body.append(frame);
              frame.src = url;
            })""", live_server + site["thread"])
        assert app_content(page.frame(name="app")) == ""
    finally:
        context.close()


def app_content(frame) -> str:
    """The app's own words inside a frame, if it rendered there (a refused frame shows Chromium's error page)."""
    assert frame is not None
    text = frame.locator("body").inner_text()
    return THREAD_TITLE if THREAD_TITLE in text else ""


def test_hsts_is_sent_only_when_the_site_is_served_over_https(app: Flask, tmp_path):
    """Browsers ignore HSTS over http, and sending it from a plain-http deployment would lock users out."""
    settings = dataclasses.replace(app.config["HORSESHOE"], base_url="https://community.example",
                                   data_dir=str(tmp_path))
    secure = create_app(settings)
    for path in ("/auth/login", "/static/style.css", "/missing-page"):
        over_https = secure.test_client().get(path, base_url="https://community.example")
        over_http = app.test_client().get(path)
        assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
        assert "Strict-Transport-Security" not in over_http.headers, path
        assert over_https.headers["X-Content-Type-Options"] == over_http.headers["X-Content-Type-Options"]


# Inside a tag: an on* handler or a style attribute; a <style> element; a <script> without src; a script URL.
INLINE_IN_TEMPLATE = [
    ("script without src", re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)),
    ("style element", re.compile(r"<style\b", re.IGNORECASE)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)),
    ("event handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)),
    ("javascript: URL", re.compile(r"javascript:", re.IGNORECASE)),
]


def inline_code(source: str) -> list[str]:
    return [kind for kind, pattern in INLINE_IN_TEMPLATE if pattern.search(source)]


def test_no_template_has_inline_script_style_or_handlers():
    """tests/web/test_safety.py checks the pages it renders; this covers every template, rendered or not.

    Email templates are excluded: mail clients ignore the CSP and need inline styles.
    """
    found = {str(path.relative_to(TEMPLATES)): inline_code(path.read_text())
             for path in sorted(TEMPLATES.rglob("*.html")) if path.relative_to(TEMPLATES).parts[0] != "email"}
    assert len(found) > 20
    assert {name: kinds for name, kinds in found.items() if kinds} == {}


def test_the_template_scan_recognises_inline_code():
    assert inline_code('<script src="/static/a.js" defer></script>') == []
    assert inline_code('<script>alert(1)</script><p style="x"><a href="#" onclick="y">') == [
        "script without src", "style attribute", "event handler"
    ]
    assert inline_code('<style>p{}</style><a href="javascript:void(0)">') == ["style element", "javascript: URL"]

