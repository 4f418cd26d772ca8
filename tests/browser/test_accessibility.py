"""Accessibility in Chromium: axe-core finds nothing on the main pages for a visitor, a member and staff;
the skip link and focus work by keyboard; nothing scrolls sideways at 320 px or at 200% zoom.

make screenshots refreshes docs/screenshots/ from the same pages (tests/browser/test_screenshots.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum import accounts, cases, incidents
from forum.cases import work
from forum.cli import demo
from forum.core import clock
from forum.core.extensions import db
from forum.models import Category, Role
from forum.services import qa
from moderation.services import watched_words
from tests.browser.conftest import AXE, committed_data
from tests.conftest import TEST_NOW

# Every rule axe-core ships (WCAG 2.x A/AA and best practices), with no exceptions.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const where = (v) => v.nodes.map((n) => n.target.join(" ")).join(", ");
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${where(v)}`);
}"""
SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@dataclass
class Site:
    """A small demo community plus one member's own thread, case and notifications, and staff work to do."""

    member_email: str
    staff_email: str
    member_name: str
    category_slug: str
    thread_path: str
    case_id: int
    incident_id: int
    sign_ins: dict[str, str]  # demo role → email (admin, member, advocate, moderator, agent)

    def pages(self, role: str) -> dict[str, str]:
        """name → path of the main pages each kind of person uses."""
        common = {"home": "/", "category": f"/c/{self.category_slug}", "thread": self.thread_path,
                  "search": "/search?q=router", "scorecard": "/scorecard", "profile": f"/u/{self.member_name}",
                  "search-empty": "/search?q=tag:router+zebra+crossing"}  # no results: the next steps
        if role == "visitor":
            return common | {"sign-in": "/auth/login", "register": "/auth/register", "missions": "/missions"}
        if role == "member":
            return common | {"ask": "/ask", "notifications": "/notifications", "case": f"/cases/{self.case_id}",
                             "settings": "/settings/profile", "missions": "/missions"}
        return common | {"desk": "/desk", "desk-case": f"/desk/cases/{self.case_id}",
                         "review-queue": "/moderation/queue", "analytics": "/staff/analytics",
                         "incidents": "/staff/incidents", "incident": f"/staff/incidents/{self.incident_id}",
                         "notifications": "/notifications", "audit-log": "/moderation/audit",
                         "admin-settings": "/admin/settings"}


@pytest.fixture(scope="module")
def site(app, live_server) -> Iterator[Site]:
    """Built once for the module (seeding is the slow part); every test here only reads it."""
    with committed_data(app) as data:
        clock.freeze(TEST_NOW)  # module fixtures come before each test's frozen clock: seed at the same moment
        yield build_site(data)


def build_site(data, threads: int = 12, users: int = 10) -> Site:
    summary = data.write(demo.seed_demo, threads=threads, users=users)
    staff_email = dict(summary.sign_ins)[Role.ADMIN.value]
    admin = data.write(accounts.authenticate, staff_email, demo.DEMO_PASSWORD)
    helper = data.write(accounts.authenticate, dict(summary.sign_ins)[Role.ADVOCATE.value], demo.DEMO_PASSWORD)
    member = data.make_user(username="maria", display_name="Maria K.")
    thread = data.make_thread(author=member, title="My router drops the line every evening",
                              category=data.write(_demo_category, "connectivity-devices"),
                              body="It happens **every evening** around 8pm. I tried:\n\n1. restarting\n2. a new cable")
    reply = data.make_reply(thread, author=helper,
                            body="Check for interference from a neighbour's network on channel 6.")
    data.write(qa.accept_solution, member, thread, reply)
    data.make_reply(thread, body="Also try the 5 GHz band.")  # two replies to the member: one grouped notification
    data.make_reply(thread, author=member, body="Thanks! That helped for a day, but it's back.")
    case, _ = data.write(cases.escalate_thread, member, thread, "Still dropping every evening")
    data.write(work.post_message, member, case, "My account number is 4455-0192.", "customer")
    data.write(work.post_message, admin, case, "Thanks, we are looking at your line.", "customer")
    data.write(watched_words.add_watched_word, admin,
               watched_words.WatchedWordInput("free gift card", "require_approval"))
    data.make_reply(thread, body="Win a free gift card at my site!")
    incident = data.write(incidents.open_incident, admin, "Evening outages in the north region", [thread.id])
    data.run_jobs()
    return Site(member_email=member.email, staff_email=staff_email, member_name=member.username,
                category_slug=thread.category.slug, thread_path=f"/t/{thread.id}", case_id=case.id,
                incident_id=incident.id, sign_ins=dict(summary.sign_ins))


def _demo_category(slug: str) -> Category | None:
    """A category the demo seeded (None: the factories make one)."""
    return db.session.scalar(select(Category).where(Category.slug == slug))


def visit_as(visitor, site: Site, role: str, **options):
    person = visitor(**options)
    person.context.add_init_script(path=str(AXE))  # CDP-injected: not an inline script, so the CSP allows it
    if role == "member":
        person.sign_in(site.member_email)
    elif role == "staff":
        person.sign_in(site.staff_email, demo.DEMO_PASSWORD)
    elif role != "visitor":  # the demo's advocate, moderator, agent or admin
        person.sign_in(site.sign_ins[role], demo.DEMO_PASSWORD)
    return person


@pytest.mark.parametrize("role", ["visitor", "member", "staff"])
def test_the_main_pages_have_no_axe_violations_and_reflow_at_320_px_and_200_percent_zoom(visitor, site, role):
    """One load per page: axe at desktop width, then the same page narrowed to 320 px and to 640 px
    (what a 1280 px window shows at 200% zoom), where nothing may scroll sideways."""
    person = visit_as(visitor, site, role)
    found, sideways = {}, {}
    for name, path in site.pages(role).items():
        page = person.open(path)
        violations = page.evaluate(RUN_AXE)
        if violations:
            found[f"{name} {path}"] = violations
        for label, width in (("320px", 320), ("200%", 640)):
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate(SIDEWAYS_SCROLL)
            if overflow > 0:
                sideways[f"{name} {path} at {label}"] = overflow
        page.set_viewport_size({"width": 1280, "height": 900})
    assert found == {}
    assert sideways == {}
    person.assert_clean()


def test_the_axe_check_does_report_a_violation_when_there_is_one(visitor, site):
    """Guards the checks above against passing vacuously (axe missing or not run)."""
    page = visit_as(visitor, site, "visitor").open("/")
    page.evaluate("""() => {
        const image = document.createElement("img");
        image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAACADs=";
        image.id = "no-alt";
        document.querySelector("main").appendChild(image);
    }""")
    violations = page.evaluate(RUN_AXE)
    assert len(violations) == 1 and violations[0].startswith("image-alt (critical)") and "#no-alt" in violations[0]


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {tag: element.tagName.toLowerCase(), text: (element.innerText || element.name || element.id || "").trim(),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          shadow: style.boxShadow !== "none", onScreen: box.width > 0 && box.height > 0 && box.top >= 0
            && box.top < innerHeight && box.left >= 0 && box.left < innerWidth};
}"""


def test_the_skip_link_comes_first_shows_on_focus_and_moves_focus_to_the_content(visitor, site):
    person = visit_as(visitor, site, "member", reduced_motion="reduce")  # no slide-in to wait for
    page = person.open(site.thread_path)
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.bounding_box()["y"] < 0  # out of sight until a keyboard user reaches it
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_RING)
    assert (focused["text"], focused["outline"], focused["onScreen"]) == ("Skip to content", True, True)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)") is True


@pytest.mark.parametrize("page_name", ["thread", "ask", "case"])
def test_every_keyboard_stop_shows_where_the_focus_is(visitor, site, page_name):
    person = visit_as(visitor, site, "member", reduced_motion="reduce")  # no slide-in to wait for
    page = person.open(site.pages("member")[page_name])
    invisible = []
    for _ in range(40):  # the header, then well into the page's own links, buttons and fields
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_RING)
        if stop["tag"] == "body":
            break
        if not (stop["outline"] or stop["shadow"]) or not stop["onScreen"]:
            invisible.append(stop)
    assert invisible == []


def test_form_errors_are_announced_and_the_fields_say_what_is_wrong(visitor, site):
    person = visit_as(visitor, site, "visitor")
    page = person.open("/auth/register")
    page.get_by_label("Username").fill("x")
    page.get_by_role("button", name="Create account").click()
    email = page.get_by_role("textbox", name="Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    described = page.locator(f"#{email.get_attribute('aria-describedby').split()[-1]}")
    expect(described).not_to_be_empty()
    expect(page.locator("[role=alert]").first).to_be_visible()
