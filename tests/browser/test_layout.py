"""Page widths and the header in Chromium: one header row at desk-top widths whatever the role, the staff
tools in a "Staff" menu that opens, closes on Escape and leads where it says, a desk that shows a screenful
of cases without sideways scrolling, threads kept to a reading measure, and phones that still fit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from forum import cases
from forum.models import Role
from moderation.services import flags
from tests.browser.conftest import AXE, committed_data, header_menu
from tests.browser.test_accessibility import RUN_AXE, SIDEWAYS_SCROLL

LAPTOP = {"width": 1366, "height": 768}
ONE_ROW_PX = 60  # the header's height when everything sits on one line (two lines measure over 80)
LONG_TITLE = ("My router drops the line every evening and the support chat closes before anyone answers, "
              "even after I replaced the cable, reset the box twice and moved it to another room")
BODY = " ".join(["The connection drops at about eight every evening and comes back after ten minutes."] * 12)
CASES = 20


@dataclass
class Site:
    thread_path: str
    case_titles: list[str]


@pytest.fixture(scope="module")
def site(app, live_server) -> Iterator[Site]:
    """One admin, agent, moderator and member; twenty open cases; a flagged reply waiting for review."""
    with committed_data(app) as data:
        data.make_user(role=Role.ADMIN, username="boss", display_name="Beatrice Bossman-Longname")
        data.make_user(role=Role.AGENT, username="agent")
        data.make_user(role=Role.MODERATOR, username="mod")
        member = data.make_user(username="maria", display_name="Maria K.")
        category = data.make_category(name="Home broadband")
        titles = []
        for n in range(CASES):
            title = f"{LONG_TITLE} ({n + 1})"
            thread = data.make_thread(author=member, category=category, title=title, body=BODY)
            data.write(cases.escalate_thread, member, thread, "Nothing in the thread worked.")
            titles.append(title)
        thread = data.make_thread(author=member, category=category, title="Evening drops", body=BODY)
        reply = data.make_reply(thread, body="Buy my miracle booster, link in profile.")
        data.write(flags.flag_post, data.make_user(), reply, flags.NewFlag("spam", "Selling things"))
        data.run_jobs()
        yield Site(thread_path=f"/t/{thread.id}", case_titles=titles)


def signed_in(visitor, who: str, **viewport):
    person = visitor(**(viewport or LAPTOP))
    person.context.add_init_script(path=str(AXE))
    if who != "visitor":
        person.sign_in(f"{who}@example.com")
    return person


HEADER = """() => {
  const inner = document.querySelector('.header-inner');
  return {height: document.querySelector('.site-header').getBoundingClientRect().height,
          overflow: inner.scrollWidth - inner.clientWidth};
}"""


@pytest.mark.parametrize("who", ["boss", "agent", "mod", "maria"])
def test_the_header_is_one_row_from_1024_px_whoever_signs_in(visitor, site, who):
    """On a normal page, a thread (the narrowest column) and a wide staff page, at 1366 and at 1024 px."""
    person = signed_in(visitor, who)
    pages = ["/", site.thread_path, "/desk" if who in ("boss", "agent") else "/scorecard"]
    rows = {}
    for path in pages:
        page = person.open(path)
        for width in (1366, 1024):
            page.set_viewport_size({"width": width, "height": 768})
            rows[f"{path} at {width}"] = page.evaluate(HEADER)
    assert {where: seen for where, seen in rows.items() if seen["height"] > ONE_ROW_PX or seen["overflow"] > 0} == {}
    person.assert_clean()


def test_the_staff_menu_opens_closes_on_escape_or_a_click_outside_and_its_links_lead_there(visitor, site):
    person = signed_in(visitor, "boss")
    page = person.open("/")
    staff = page.locator("details[data-menu]").filter(has=page.locator(":scope > summary", has_text="Staff"))
    button = staff.locator(":scope > summary")
    expect(button).to_have_text(f"Staff {CASES + 1} waiting in your queues")  # the cases and the flagged reply
    desk = page.get_by_role("link", name="Desk")
    expect(desk).to_be_hidden()

    button.focus()
    page.keyboard.press("Enter")
    expect(staff.get_by_role("link")).to_have_text([f"Desk {CASES} new or overdue", "Incidents", "Needs staff",
                                                    "Possible duplicates", "Review queue 1 waiting", "Article review",
                                                    "Analytics", "Audit log", "Admin"])
    page.keyboard.press("Tab")
    expect(desk).to_be_focused()
    page.keyboard.press("Escape")
    expect(desk).to_be_hidden()
    expect(button).to_be_focused()

    button.click()
    expect(desk).to_be_visible()
    page.locator(".site-footer").click(position={"x": 5, "y": 5})  # anywhere outside the menu
    expect(desk).to_be_hidden()
    button.click()
    header_menu(page, "Community")  # opening another menu closes this one
    expect(desk).to_be_hidden()
    expect(page.get_by_role("link", name="Leaderboard")).to_be_visible()

    for name, heading in [("Desk", "Support desk"), ("Incidents", "Incidents"), ("Needs staff", "Needs staff"),
                          ("Possible duplicates", "Possible duplicates"), ("Review queue", "Review queue"),
                          ("Article review", "Knowledge base"),
                          ("Analytics", "Outcome analytics"),
                          ("Audit log", "Audit log"), ("Admin", "Admin")]:
        header_menu(page, "Staff").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(header_menu(page, "Staff").get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")
    person.assert_clean()


DESK_FIT = """() => {
  const wrap = document.querySelector('.table-wrap');
  const table = wrap.querySelector('table');
  const rows = Array.from(table.tBodies[0].rows);
  const line = parseFloat(getComputedStyle(rows[0].cells[1]).lineHeight);
  return {tableWidth: table.scrollWidth, wrapWidth: wrap.clientWidth,
          inView: rows.filter((row) => row.getBoundingClientRect().bottom <= innerHeight).length,
          tallest: Math.max(...rows.map((row) => row.getBoundingClientRect().height)) / line};
}"""


def test_the_desk_shows_a_screenful_of_cases_one_line_each_without_sideways_scrolling(visitor, site):
    person = signed_in(visitor, "agent")
    page = person.open("/desk")
    fit = page.evaluate(DESK_FIT)
    assert fit["tableWidth"] <= fit["wrapWidth"]  # every column shows at 1366 x 768
    assert fit["inView"] >= 12
    assert fit["tallest"] < 2  # no row wraps onto a second line

    first = page.get_by_role("link", name=site.case_titles[0], exact=True)  # the whole title is still its name
    expect(first).to_have_attribute("title", site.case_titles[0])
    assert first.evaluate("a => a.scrollWidth > a.clientWidth && getComputedStyle(a).textOverflow === 'ellipsis'")
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the table scrolls inside its frame
    page.go_back()
    assert page.evaluate(SIDEWAYS_SCROLL) <= 0
    assert page.evaluate("(() => { const w = document.querySelector('.table-wrap'); "
                         "return w.scrollWidth > w.clientWidth; })()")
    person.assert_clean()


MEASURE = """() => {
  const body = document.querySelector('.post-body');
  const probe = document.createElement('span');
  probe.textContent = '0'.repeat(50);
  body.appendChild(probe);
  const ch = probe.getBoundingClientRect().width / 50;
  probe.remove();
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  return {body: box('.post-body').width / ch, mainLeft: box('main').left, headerLeft: box('.header-inner').left,
          main: box('main').width, rem: parseFloat(getComputedStyle(document.documentElement).fontSize)};
}"""


def test_a_thread_keeps_its_post_bodies_to_a_reading_measure_and_staff_pages_use_the_width(visitor, site):
    person = signed_in(visitor, "agent")
    thread = person.open(site.thread_path).evaluate(MEASURE)
    assert 60 <= thread["body"] <= 76  # characters a line: the long question fills, but no more than ~75
    assert thread["main"] <= 60 * thread["rem"] and thread["mainLeft"] == thread["headerLeft"]
    desk = person.open("/desk").evaluate(
        "(() => ({main: document.querySelector('main').getBoundingClientRect().width, "
        "left: [document.querySelector('main'), document.querySelector('.header-inner')]"
        ".map((e) => e.getBoundingClientRect().left)}))()")
    assert desk["main"] >= 1300 and desk["left"][0] == desk["left"][1]
    person.assert_clean()


def axe_with_each_menu_open(page) -> dict[str, list[str]]:
    found = {}
    for menu in page.locator("details[data-menu]").all():
        summary = menu.locator(":scope > summary")
        name = summary.inner_text() or summary.text_content()
        if not menu.evaluate("details => details.open"):
            summary.click()
        expect(menu.locator(".menu-list")).to_be_visible()
        found[name] = page.evaluate(RUN_AXE)
        if page.evaluate(SIDEWAYS_SCROLL) > 0:
            found[name].append("the page scrolls sideways")
    return {name: problems for name, problems in found.items() if problems}


@pytest.mark.parametrize("who", ["boss", "maria", "visitor"])
def test_menus_open_have_no_axe_violations_on_a_laptop_and_on_a_320_px_phone(visitor, site, who):
    laptop = signed_in(visitor, who)
    for path in ("/", "/desk" if who == "boss" else site.thread_path):
        assert axe_with_each_menu_open(laptop.open(path)) == {}, path
    phone = signed_in(visitor, who, width=320, height=640)
    page = phone.open(site.thread_path)
    expect(page.get_by_role("searchbox", name="Search the community")).to_be_hidden()  # behind "Menu"
    page.locator(".nav-toggle > summary").click()
    expect(page.get_by_role("searchbox", name="Search the community")).to_be_visible()
    assert page.evaluate(RUN_AXE) == [] and page.evaluate(SIDEWAYS_SCROLL) <= 0
    assert axe_with_each_menu_open(page) == {}
    page.keyboard.press("Escape")
    laptop.assert_clean()
    phone.assert_clean()


def test_escape_in_the_reply_box_leaves_the_focus_there_while_the_phone_menu_is_open(visitor, site):
    person = signed_in(visitor, "maria", width=800, height=900)  # below 64rem: links behind "Menu"
    page = person.open(site.thread_path)
    toggle = page.locator(".nav-toggle > summary")
    toggle.click()
    box = page.locator('form textarea[name="body"]').first
    box.click()
    box.type("It drops at eight")
    page.keyboard.press("Escape")
    expect(box).to_be_focused()  # not sent to the top of the page
    toggle.focus()
    page.keyboard.press("Escape")  # from the header, Escape still closes the Menu
    expect(page.get_by_role("searchbox", name="Search the community")).to_be_hidden()
    expect(toggle).to_be_focused()
    person.assert_clean()
