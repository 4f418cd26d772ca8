"""Thread rows on the home and category pages: rendered once per content for every viewer, yet always current."""

from __future__ import annotations

import pytest

from forum.services import listings, posting, qa, reading
from forum.web import thread_rows
from tests.web.helpers import text


@pytest.fixture
def wifi(make, db, clock_at):
    """A category whose threads carry every badge a row can show, with titles and names that need escaping."""
    category = make.make_category("Router & Wifi", slug="wifi")
    agent = make.make_user("agent", display_name="Ana <Support>", reputation=1500)
    advocate = make.make_user("advocate")
    make.make_thread(category=category, title='Why does "5 GHz" drop? <b>help</b>', replies=1)
    make.make_thread(agent, category, kind="discussion", title="Let us talk about mesh")
    pinned = make.make_thread(advocate, category, title="Read this before posting")
    pinned.pinned = pinned.locked = True
    bounty = make.make_thread(category=category, title="Nobody has answered this yet")
    bounty.bounty_at = clock_at.now
    voted = make.make_thread(category=category, title="A question many people have", replies=2)
    voter = make.make_user()
    qa.vote_helpful(voter, reading.question_post(voted))
    qa.add_me_too(voter, voted)
    gone = make.make_thread(category=category, title="Asked by mistake")
    posting.delete_post(gone.author, reading.question_post(gone))
    db.session.commit()
    return category


def test_a_listed_row_is_the_html_the_row_macro_renders_for_the_thread(app, make, wifi):
    moderator = make.make_user("moderator")  # sees the deleted thread too
    query = reading.ThreadQuery(category_id=wifi.id, sort="latest")
    with app.test_request_context("/c/wifi"):
        thread_row = app.jinja_env.get_template("_macros/threads.html").module.thread_row
        listed = listings.category_threads(moderator, query, 20).items
        loaded = {thread.id: thread for thread in reading.list_threads(moderator, query, 20).items}
        assert len(listed) == len(loaded) == 6
        for row in listed:
            for show_category in (True, False):
                expected = thread_row(loaded[row.id], show_category)
                assert thread_rows.thread_rows([row], show_category, thread_row) == expected  # rendered
                assert thread_rows.thread_rows([row], show_category, thread_row) == expected  # stored
        shown = "".join(thread_row(thread, True) for thread in loaded.values())
    for badge in ("Discussion", "Pinned", "Locked", "Deleted", "Bounty +", "1 helpful", "1 has this too", "Staff",
                  "Advocate", "&lt;b&gt;help&lt;/b&gt;", "Ana &lt;Support&gt;", "Router &amp; Wifi"):
        assert badge in shown, badge  # every badge is compared above


def test_a_row_shows_every_change_and_the_time_that_passed(client, make, wifi, clock_at, db):
    thread = make.make_thread(category=wifi, title="My router reboots at night")
    page = text(client.get("/c/wifi"))
    row = page.split("My router reboots at night")[1].split("</li>")[0]
    assert "0 replies" in row and ">just now</time>" in row and "Newcomer" in row
    clock_at.advance(hours=3)
    assert ">3 hr ago</time>" in text(client.get("/c/wifi")).split("My router reboots at night")[1]
    make.make_reply(thread)
    thread.author.reputation = 1500
    db.session.commit()
    row = text(client.get("/")).split("My router reboots at night")[1].split("</li>")[0]
    assert "1 reply" in row and ">just now</time>" in row and "Expert" in row


def test_the_stored_rows_stay_within_their_bound(client, make, monkeypatch):
    monkeypatch.setattr(thread_rows, "MAX_ROWS", 3)
    titles = [f"Question number {n} about roaming" for n in range(5)]
    for title in titles:
        make.make_thread(title=title)
    page = text(client.get("/"))
    assert all(title in page for title in titles)
    assert len(thread_rows._rows) <= 3
