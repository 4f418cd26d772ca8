"""Stored XSS in Chromium: every vector of xss_vectors.txt is stored through each input that pages render
(thread titles and bodies, replies, display names and bios, case messages both ways, incident titles and
updates, search snippets), then the pages are loaded with the Content-Security-Policy switched OFF, so
escaping and the Markdown sanitizer are the only defence. Nothing may run, and nothing executable may be
left in the page (event handlers, script URLs, scripts, frames) for a click or a hover to set off.

The services are the ones the forms call (the forms only check shape and CSRF); test_vectors_typed_into_
the_forms proves the form path itself with a few vectors, including the tag field's error message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum import accounts, cases, incidents
from forum.cases import work
from forum.core.errors import DomainError
from forum.http.urls import thread_path
from forum.models import Role
from forum.services import posting
from tests.browser.conftest import committed_data

VECTORS = [line for line in (Path(__file__).parent / "xss_vectors.txt").read_text().splitlines()
           if line.strip() and not line.startswith("# ")]

# Anything executable left in the DOM: handlers, script-bearing URLs, scripts not served by us, frames.
EXECUTABLE_LEFT_IN_PAGE = """() => {
  const found = [];
  const risky = /^\\s*(javascript|vbscript|data:text\\/html|data:text\\/javascript)/i;
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${element.tagName} ${name}="${attribute.value}"`);
      if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"]
          .includes(name) && (risky.test(attribute.value) || name === "srcdoc")) {
        found.push(`${element.tagName} ${name}="${attribute.value}"`);
      }
    }
  }
  const isData = (script) => {  // the page's own JSON-LD in <head>: data for search engines, never run
    if (script.type !== "application/ld+json" || script.parentElement !== document.head) return false;
    try { JSON.parse(script.textContent); return true; } catch (error) { return false; }
  };
  for (const script of document.querySelectorAll("script")) {
    if (isData(script)) continue;
    const source = script.src ? new URL(script.src) : null;
    if (!source || source.origin !== location.origin || !source.pathname.startsWith("/static/")) {
      found.push(`script ${script.src || script.textContent.slice(0, 60)}`);
    }
  }
  const embedded = "iframe, object, embed, base, meta[http-equiv], form[action^='javascript' i]";
  for (const element of document.querySelectorAll(embedded)) {
    found.push(element.outerHTML.slice(0, 120));
  }
  return found;
}"""


@dataclass
class Stored:
    """Where the corpus was stored, and which vectors a service refused (they never reach a page)."""

    staff_email: str
    customer_email: str
    paths: list[str] = field(default_factory=list)  # for everybody
    customer_paths: list[str] = field(default_factory=list)
    staff_paths: list[str] = field(default_factory=list)
    refused: dict[str, list[int]] = field(default_factory=dict)


def attempt(stored: Stored, where: str, number: int, action, *args):
    """Store one vector; a refusal is fine (nothing stored) but is counted, so a broken setup shows."""
    try:
        return action(*args)
    except DomainError as error:
        stored.refused.setdefault(where, []).append(f"{number}: {error}")
        return None


@pytest.fixture(scope="module")
def stored(app, live_server) -> Iterator[Stored]:
    with committed_data(app) as data:
        yield store_corpus(data)


def store_corpus(data) -> Stored:
    staff = data.make_user(role=Role.ADMIN, username="staff")  # works cases and sees held posts too
    customer = data.make_user(username="customer")
    replier = data.make_user(username="replier", reputation=50)  # trusted enough to post images
    category = data.make_category(name="Corpus", slug="corpus")
    # Replies in threads of ten: one thread with every reply would be re-indexed whole after each of them.
    corpora = [data.make_thread(author=customer, category=category, title=f"Vectors from {start} as replies")
               for start in range(0, len(VECTORS), 10)]
    case, _ = data.write(cases.escalate_thread, customer, corpora[0], VECTORS[0])
    incident = data.write(incidents.open_incident, staff, "Incident with every vector as an update")
    stored = Stored(staff_email=staff.email, customer_email=customer.email)
    for number, vector in enumerate(VECTORS):
        author = data.make_user(username=f"xss{number}", reputation=50)
        data.write(attempt, stored, "profile", number, accounts.update_profile, author, author,
                   accounts.ProfileChange(display_name=vector[:64], bio=vector, time_zone="UTC"))
        thread = data.write(attempt, stored, "thread", number, posting.start_thread, author, posting.NewThread(
            category_id=category.id, title=f"Vector {number}: {vector}"[:200], body=vector, tags=[], kind="question"))
        data.write(attempt, stored, "reply", number, posting.reply_to_thread, replier, corpora[number // 10], vector)
        for visibility in ("customer", "internal"):
            data.write(attempt, stored, f"{visibility} message", number, work.post_message, staff, case, vector,
                       visibility)
        data.write(attempt, stored, "customer's message", number, work.post_message, customer, case, vector,
                   "customer")
        data.write(attempt, stored, "incident title", number, incidents.open_incident, staff, vector)
        data.write(attempt, stored, "incident update", number, incidents.post_update, staff, incident, vector)
        stored.paths.append(f"/u/xss{number}")
        if thread is not None:  # a held one (links from a new member) is only for its author and staff
            (stored.paths if thread.visibility == "public" else stored.staff_paths).append(thread_path(thread))
    data.run_jobs()  # search index, notifications
    stored.paths += ["/", "/c/corpus", "/search?q=vector", "/search?q=alert", "/search?q=script+onerror",
                     "/search?q=javascript", "/leaderboard?period=all"] + [thread_path(t) for t in corpora]
    stored.customer_paths = [f"/cases/{case.id}", "/notifications"]
    stored.staff_paths += [f"/desk/cases/{case.id}", "/desk", "/staff/incidents", f"/staff/incidents/{incident.id}",
                           "/moderation/queue"]
    return stored


def load_every_page(person, paths: list[str], tabs: int = 3) -> dict[str, list[str]]:
    """Open each path (and every "Next page" after it) in a few tabs at once, as the corpus means many
    pages; returns what was left executable, by page."""
    left, queue = {}, list(paths)
    pages = [person.new_tab() for _ in range(tabs)]
    while queue:
        batch = [(page, queue.pop(0)) for page in pages if queue]
        for page, path in batch:  # start every navigation, then wait for each
            page.evaluate("url => { window.location.href = url; }", person.base_url + path)
        for page, path in batch:
            page.wait_for_url(person.base_url + path)
            status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
            assert status == 200, f"{path}: {status}"
            leftovers = page.evaluate(EXECUTABLE_LEFT_IN_PAGE)
            if leftovers:
                left[path] = leftovers
            following = page.locator("a[rel=next]")
            if following.count():
                queue.append(following.first.get_attribute("href"))
    return left


def test_the_corpus_is_stored_nearly_everywhere(stored):
    """The test below would pass vacuously if the services refused the vectors, so count what got in."""
    assert stored.refused == {}


@pytest.mark.parametrize("role", ["visitor", "customer", "staff"])
def test_no_stored_vector_runs_or_stays_executable_without_the_csp(visitor, stored, role):
    person = visitor(bypass_csp=True)
    paths = list(stored.paths) if role == "visitor" else []
    if role == "customer":
        person.sign_in(stored.customer_email)
        paths = stored.customer_paths
    elif role == "staff":
        person.sign_in(stored.staff_email)
        paths = stored.staff_paths
    left = load_every_page(person, paths)
    person.page.mouse.move(5, 5)
    assert person.problems.ran == []
    assert left == {}
    person.assert_clean()


def test_vectors_typed_into_the_forms_are_shown_as_text(visitor, stored):
    person = visitor(bypass_csp=True)
    page = person.sign_in(stored.customer_email)
    vector = "<img src=x onerror=alert('form')>"
    person.open("/ask")
    page.get_by_label("Category").select_option(label="Corpus")
    page.get_by_label("Title").fill(f"Typed {vector}")
    page.get_by_label("Details").fill(f"[click](javascript:alert('form')) {vector}")
    page.get_by_label("Tags").fill("<svg/onload=alert('tag')>")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("is not a valid tag")).to_be_visible()  # the tag is refused, and echoed as text
    expect(page.get_by_label("Title")).to_have_value(f"Typed {vector}")
    page.get_by_label("Tags").fill("")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Typed {vector}")
    posts = page.locator(".post .post-body")
    expect(posts.first).to_contain_text(vector)
    page.get_by_role("textbox", name="Your reply").fill(vector)
    page.get_by_role("button", name="Post reply").click()
    expect(posts.last).to_contain_text(vector)
    person.open("/settings/profile")
    page.get_by_label("Display name").fill(vector[:64])
    page.get_by_label("About you").fill(vector)
    page.get_by_role("button", name="Save").click()
    person.open("/u/customer")
    expect(page.get_by_role("heading", level=1)).to_contain_text(vector[:64])
    assert page.evaluate(EXECUTABLE_LEFT_IN_PAGE) == []
    assert person.problems.ran == []
    person.assert_clean()


def test_the_hooks_do_catch_a_script_that_runs_and_a_handler_left_in_the_page(visitor, stored):
    """Guards the tests above against passing vacuously (a hook not installed, a scan that finds nothing)."""
    person = visitor(bypass_csp=True)
    page = person.open("/")
    page.evaluate("""() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<img id="planted" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="alert(1)">'
        + '<a href="javascript:alert(2)">x</a>')""")
    expect(page.locator("#planted")).to_be_attached()
    page.wait_for_timeout(100)
    assert person.problems.ran == ["/ alert(1)"]
    assert page.evaluate(EXECUTABLE_LEFT_IN_PAGE) == ['IMG onerror="alert(1)"', 'A href="javascript:alert(2)"']
    person.problems.ran.clear()
