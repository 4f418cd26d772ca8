"""Regressions found by review: odd page numbers in search, where a merged thread's redirect may lead,
and the accepted reply a viewer may not see."""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.services import moderation_state, reading
from moderation.services import actions


@pytest.mark.parametrize("page", ["²", "³", "①"])
def test_an_odd_page_number_is_refused_not_a_server_error(client, api_client, page):
    """str.isdigit() accepts superscript and circled digits that int() can't read (search/web.py, search/api.py)."""
    assert client.get("/search", query_string={"q": "router", "page": page}).status_code == 422
    assert api_client().get("/api/v1/search", query_string={"q": "router", "page": page}).status_code == 422


def test_a_merged_thread_does_not_lead_visitors_to_a_hidden_targets_title(client, make):
    """The redirect's Location carries the target's slug (its title's words), whoever asks and whatever the target."""
    moderator = make.make_user("moderator")
    source = make.make_thread(title="Printer offline again")
    target = make.make_thread(title="Jane Doe 42 Elm Street printer problem")
    actions.merge_threads(moderator, source, target.id)
    moderation_state.hide_post(reading.question_post(target), moderator, "personal data in the title")
    db.session.commit()
    assert client.get(f"/t/{target.id}").status_code == 404  # the target itself is out of view
    moved = client.get(f"/t/{source.id}")
    assert target.slug not in moved.headers.get("Location", ""), moved.headers.get("Location")


def test_an_accepted_reply_the_viewer_may_not_see_stays_off_the_thread_page(client, make):
    """thread_page_posts' visibility check on the accepted reply (a hide racing an accept can leave this state)."""
    thread = make.make_thread(title="Modem blinks red")
    reply = make.make_reply(thread, body="Swap the splitter, that fixed it here.")
    thread.accepted_post_id = reply.id
    reply.visibility = "hidden"
    db.session.commit()
    page = client.get(f"/t/{thread.id}/{thread.slug}")
    assert page.status_code == 200 and "Swap the splitter" not in page.get_data(as_text=True)


def test_a_merged_thread_still_redirects_visitors_who_may_see_the_target(client, make):
    moderator = make.make_user("moderator")
    source = make.make_thread(title="Printer offline again")
    target = make.make_thread(title="Printer offline after update")
    actions.merge_threads(moderator, source, target.id)
    db.session.commit()
    moved = client.get(f"/t/{source.id}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/t/{target.id}/{target.slug}")
