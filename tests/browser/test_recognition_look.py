"""Recognition where people read (issue 23, part B) in Chromium: a post's author carries rank, best badge and
solutions; the badge catalogue and a profile show medals; axe finds nothing and nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.recognition import badges
from forum.services import qa
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE, SIDEWAYS_SCROLL


def _solved_thread(data):
    asker = data.make_user(username="asking_ada")
    helper = data.make_user(username="helpful_hana", display_name="Hana, who fixes routers", reputation=1200)
    thread = data.make_thread(author=asker, title="The router drops every evening")
    reply = data.make_reply(thread, author=helper, body="Move it off channel 6; the neighbours crowd it.")
    data.write(qa.accept_solution, asker, thread, reply)
    for code in ("first_answer", "rescuer", "solutions_250"):
        data.write(badges.grant, helper.id, badges.BY_CODE[code])
    return thread, reply


def test_a_post_shows_who_helped_and_the_pages_pass_axe_at_every_width(visitor, data):
    thread, reply = _solved_thread(data)
    person = visitor()
    person.context.add_init_script(path=str(AXE))
    page = person.open(f"/t/{thread.id}")
    author = page.locator(f"#p{reply.id} .post-meta .author")
    expect(author.locator(".rank")).to_have_text("Expert")
    expect(author.locator(".badge-token")).to_contain_text("Guru")
    expect(author.locator(".badge-token svg.medal-gold")).to_be_visible()
    expect(author).to_contain_text("✓ 1 solution")
    problems: dict[str, object] = {}
    for path in (f"/t/{thread.id}", "/u/helpful_hana", "/badges", "/badges/solutions_250"):
        page = person.open(path)
        if violations := page.evaluate(RUN_AXE):
            problems[path] = violations
        for width in (320, 640):
            page.set_viewport_size({"width": width, "height": 800})
            if (overflow := page.evaluate(SIDEWAYS_SCROLL)) > 0:
                problems[f"{path} at {width}px"] = overflow
        page.set_viewport_size({"width": 1280, "height": 900})
    assert problems == {}
    profile = person.open("/u/helpful_hana")
    expect(profile.get_by_text("1,215 of 5,000 reputation to Champion")).to_be_visible()  # 1,200 and +15
    expect(profile.locator("progress")).to_have_attribute("max", "5000")
