"""The main journeys, clicked through in Chromium against the real server, as people would."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from forum.core import clock
from forum.models import Role
from forum.recognition import missions
from forum.services import qa
from moderation.services import watched_words
from tests.browser.conftest import header_menu
from tests.browser.test_sign_up_verification import received_link


def test_a_newcomer_asks_gets_a_reply_accepts_it_and_says_it_resolved_the_issue(visitor, data):
    data.make_category(name="Billing", slug="billing")
    data.make_user(username="helper")

    newcomer = visitor()
    page = newcomer.open("/auth/register")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(1)  # in the account menu
    data.run_jobs()  # the confirmation mail: a new account takes part once its address is confirmed
    newcomer.open(received_link(data.mail, "newbie@example.com"))
    page.get_by_role("button", name="Confirm my email address").click()

    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Category").select_option(label="Billing")
    page.get_by_label("Title").fill("Charged twice for my March plan")
    page.get_by_label("Details").fill("The invoice shows **two** payments on the same day.")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charged twice for my March plan")
    expect(page.locator(".post-body strong")).to_have_text("two")
    thread_path = page.url.removeprefix(newcomer.base_url)

    helper = visitor()
    page_h = helper.sign_in("helper@example.com")
    helper.open(thread_path)
    page_h.get_by_role("textbox", name="Your reply").fill(
        "The second charge is a pre-authorisation hold; it drops off in 3 days.")
    page_h.get_by_role("button", name="Post reply").click()
    expect(page_h.get_by_text("pre-authorisation hold")).to_be_visible()

    page.reload()
    page.get_by_role("button", name="Accept as solution").click()
    expect(page.get_by_role("button", name="Unaccept")).to_be_visible()
    expect(page.get_by_role("heading", name="Did this resolve your issue?")).to_be_visible()
    page.get_by_role("button", name="Yes", exact=True).click()  # one click answers
    expect(page.get_by_text("Glad it")).to_be_visible()
    expect(page.get_by_role("heading", name="Did this resolve your issue?")).to_have_count(0)
    newcomer.assert_clean()
    helper.assert_clean()


def test_a_customer_escalates_writes_privately_and_sees_the_agents_resolution_on_the_thread(visitor, data):
    customer_user = data.make_user(username="carla")
    data.make_user(role=Role.AGENT, username="agent")
    thread = data.make_thread(author=customer_user, title="My router drops the line every evening")

    customer = visitor()
    page = customer.sign_in("carla@example.com")
    customer.open(f"/t/{thread.id}")
    page.locator("summary", has_text="I still need help from the support team").click()
    page.get_by_label("What do you still need? (optional)").fill("Nothing in the thread worked.")
    page.get_by_role("button", name="I still need help from the support team").click()
    expect(page.locator("#case-banner")).to_contain_text("A support agent is on this")
    page.locator("#case-banner").get_by_role("link", name="Open your case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your support case")
    page.get_by_label("Your message to support").fill("My account number is 4455-0192.")
    page.get_by_role("button", name="Send to support").click()
    expect(page.locator(".case-message", has_text="4455-0192")).to_be_visible()

    agent = visitor()
    desk = agent.sign_in("agent@example.com")
    header_menu(desk, "Staff").get_by_role("link", name="Desk").click()
    desk.get_by_role("row", name="My router drops the line every evening").get_by_role("link").click()
    expect(desk.locator(".case-message", has_text="4455-0192")).to_be_visible()
    desk.get_by_role("textbox", name="Message", exact=True).fill(
        "Thanks, I found your line: an engineer reset the port.")
    desk.get_by_role("button", name="Add message").click()
    desk.get_by_role("textbox", name="Resolution", exact=True).fill(
        "The port on the street cabinet was reset; the line is stable now.")
    desk.get_by_role("button", name="Resolve the case").click()
    expect(desk.get_by_role("heading", name="Resolution")).to_be_visible()

    customer.open(f"/t/{thread.id}")
    expect(page.get_by_text("Resolved by support")).to_be_visible()
    expect(page.get_by_text("The port on the street cabinet was reset").first).to_be_visible()
    expect(page.get_by_text("4455-0192")).to_have_count(0)  # the private message never reaches the thread
    page.locator("#case-banner").get_by_role("link", name="Open your case").click()
    expect(page.get_by_text("Thanks, I found your line")).to_be_visible()
    customer.assert_clean()
    agent.assert_clean()


def test_a_moderator_approves_a_held_reply_from_the_review_queue(visitor, data):
    admin = data.make_user(role=Role.ADMIN, username="boss")
    data.write(watched_words.add_watched_word, admin,
               watched_words.WatchedWordInput("free gift card", "require_approval"))
    data.make_user(role=Role.MODERATOR, username="mod")
    thread = data.make_thread(title="Where do I find my invoices?")
    data.make_user(username="gifter")

    member = visitor()
    page = member.sign_in("gifter@example.com")
    member.open(f"/t/{thread.id}")
    page.get_by_role("textbox", name="Your reply").fill("Invoices are under Billing. Also: free gift card inside!")
    page.get_by_role("button", name="Post reply").click()
    held = page.get_by_role("status").filter(has_text="Your post is waiting for a moderator's approval")
    expect(held).to_be_visible()

    passer_by = visitor()
    passer_by.open(f"/t/{thread.id}")
    expect(passer_by.page.get_by_text("Invoices are under Billing")).to_have_count(0)

    moderator = visitor()
    queue = moderator.sign_in("mod@example.com")
    header_menu(queue, "Staff").get_by_role("link", name="Review queue").click()
    item = queue.locator(".queue-item", has_text="Invoices are under Billing")
    expect(item).to_contain_text("free gift card")
    item.get_by_role("button", name="Approve this reply").click()
    expect(queue.get_by_text("Nothing to review. Thank you!")).to_be_visible()

    passer_by.open(f"/t/{thread.id}")
    expect(passer_by.page.get_by_text("Invoices are under Billing")).to_be_visible()
    for person in (member, passer_by, moderator):
        person.assert_clean()


def test_an_advocate_sees_their_new_badge_and_their_mission_progress(visitor, data):
    staff = data.make_user(role=Role.MODERATOR, username="mod")
    asker = data.make_user(username="asker")
    advocate = data.make_user(role=Role.ADVOCATE, username="advo", display_name="Ada the Advocate")
    now = clock.now()
    data.write(missions.create_mission, staff, missions.MissionInput(
        title="Three solutions this month", metric="solutions", goal=3, points=25,
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=29)))
    thread = data.make_thread(author=asker, title="How do I move my plan to a new address?")
    reply = data.make_reply(thread, author=advocate, body="Use Settings → Plan → Move; it keeps your number.")
    data.write(qa.accept_solution, asker, thread, reply)
    data.run_jobs()

    person = visitor()
    page = person.sign_in("advo@example.com")
    header_menu(page, "Ada the Advocate").get_by_role("link", name="Profile").click()
    expect(page.locator(".badge-tier", has_text="First Solution")).to_be_visible()
    header_menu(page, "Community").get_by_role("link", name="Missions").click()
    mission = page.locator("article, li, section", has_text="Three solutions this month").last
    expect(mission.get_by_role("progressbar", name="Your progress on Three solutions this month")).to_have_attribute(
        "value", "1")
    expect(mission).to_contain_text("1 of 3")
    person.assert_clean()


def test_search_finds_a_question_and_the_ask_page_suggests_similar_solved_ones(visitor, data):
    asker = data.make_user(username="asker")
    thread = data.make_thread(author=asker, title="Printer shows offline after the firmware update",
                              body="Since the update the printer says offline although the Wi-Fi works.")
    reply = data.make_reply(thread, body="Turn off 'sleep mode' in the printer menu, then add it again.")
    data.write(qa.accept_solution, asker, thread, reply)
    data.make_thread(title="Roaming charges in Spain", body="Why was I charged for roaming in Spain?")
    data.run_jobs()

    person = visitor()
    page = person.sign_in("asker@example.com")
    page.get_by_role("searchbox", name="Search the community").fill("printer offline")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("main")
    expect(results.get_by_role("link", name="Printer shows offline after the firmware update")).to_be_visible()
    expect(results.get_by_role("link", name="Roaming charges in Spain")).to_have_count(0)

    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Title").press_sequentially("My printer is offline after an update")
    live = page.locator("#similar-live")
    expect(live.get_by_role("heading", name="These solved questions may already answer yours")).to_be_visible()
    expect(live.get_by_role("link", name="Printer shows offline after the firmware update")).to_be_visible()
    expect(live.get_by_role("link", name="Roaming charges in Spain")).to_have_count(0)
    person.assert_clean()


def test_the_staff_analytics_dashboard_draws_its_charts(visitor, data):
    data.make_user(role=Role.ADMIN, username="boss")
    for n in range(3):
        thread = data.make_thread(title=f"Question number {n + 1} about billing")
        data.make_reply(thread)
    data.run_jobs()

    person = visitor()
    page = person.sign_in("boss@example.com")
    header_menu(page, "Staff").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome analytics")
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100, box
        assert charts.nth(index).locator("path, rect, polyline, line").count() > 3
    person.assert_clean()
