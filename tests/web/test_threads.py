"""Reading a thread, asking, replying, locked threads and thread editing."""

from __future__ import annotations

import re

import pytest

from forum.models import Thread
from tests.web.helpers import text


def test_thread_shows_question_then_replies_oldest_first_with_authors(act_as, community, make):
    later = make.make_reply(community.thread, author=community.moderator, body="Staff here: we refunded it.")
    page = text(act_as("anonymous").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    question = page.index("My router keeps dropping")
    first_reply = page.index("Check the invoices page")
    staff_reply = page.index("Staff here: we refunded it.")
    assert question < first_reply < staff_reply
    assert f'id="p{later.id}"' in page and "Staff" in page and "Moderator" in page
    assert "Newcomer" in page and "2 replies" in page


def test_thread_shows_its_tags_and_status(client, make):
    thread = make.make_thread(title="Roaming charges abroad", tags=["roaming", "billing"])
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert '<a class="tag" href="/tags/roaming">roaming</a>' in page and '>billing</a>' in page
    assert "Open" in page


def test_visitors_are_invited_to_sign_in_instead_of_seeing_a_reply_form(act_as, community):
    page = text(act_as("anonymous").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert "to reply" in page and 'action="/t/' not in page


def test_member_replies_and_sees_the_reply_on_the_thread(act_as, community):
    client = act_as("other")
    response = client.post(f"/t/{community.thread.id}/reply", data={"body": "Did the refund arrive?"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/t/{community.thread.id}/")
    page = text(client.get(response.headers["Location"]))
    assert "Did the refund arrive?" in page and "Your reply is posted." in page


def test_an_empty_reply_is_refused_with_a_message_beside_the_box(act_as, community):
    response = act_as("other").post(f"/t/{community.thread.id}/reply", data={"body": "   "})
    assert response.status_code == 422
    assert "This field is required." in text(response)


def test_an_oversized_reply_is_refused_with_a_message(act_as, community):
    response = act_as("other").post(f"/t/{community.thread.id}/reply", data={"body": "x" * (65 * 1024)})
    assert response.status_code == 422
    assert "posts can be at most 64 KB" in text(response)


def test_locked_thread_shows_a_notice_and_refuses_member_replies(act_as, community, db):
    community.thread.locked = True
    db.session.commit()
    client = act_as("other")
    page = text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert "This thread no longer takes replies." in page and "Your reply" not in page
    response = client.post(f"/t/{community.thread.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 403
    assert community.thread.reply_count == 1


def test_moderator_can_still_reply_to_a_locked_thread(act_as, community, db):
    community.thread.locked = True
    db.session.commit()
    response = act_as("moderator").post(f"/t/{community.thread.id}/reply", data={"body": "Closing note from staff."})
    assert response.status_code == 302


def test_long_threads_page_replies_with_a_next_page_link(client, make):
    thread = make.make_thread()
    helper = make.make_user()
    for n in range(55):
        make.make_reply(thread, author=helper, body=f"Reply number {n:02d}.")
    first = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Reply number 00." in first and "Reply number 49." in first and "Reply number 50." not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(next_url))
    assert "Reply number 50." in second and "Reply number 54." in second and "Reply number 49." not in second
    assert 'rel="next"' not in second


def test_a_reply_to_a_long_thread_lands_on_the_page_that_shows_it(act_as, community, make):
    for n in range(50):
        make.make_reply(community.thread, author=community.moderator, body=f"Filler {n}")
    client = act_as("other")
    response = client.post(f"/t/{community.thread.id}/reply", data={"body": "The newest reply of all."})
    assert "The newest reply of all." in text(client.get(response.headers["Location"]))


def test_a_tampered_reply_cursor_gives_a_clear_error_page(client, community):
    response = client.get(f"/t/{community.thread.id}/{community.thread.slug}?cursor=garbage")
    assert response.status_code == 422 and "This cursor is not valid" in text(response)


def test_unknown_thread_is_a_friendly_404(client):
    assert client.get("/t/999999").status_code == 404


# Asking


def test_ask_form_offers_categories_and_preselects_the_one_you_came_from(act_as, community, make):
    other_category = make.make_category(name="Wifi help")
    page = text(act_as("author").get(f"/ask?category={other_category.id}"))
    assert "Billing" in page and f'<option selected value="{other_category.id}">Wifi help' in page


def test_member_asks_a_question_and_lands_on_it(act_as, community, db):
    client = act_as("author")
    form = {
        "category_id": str(community.category.id),
        "kind": "question",
        "title": "My card was declined twice",
        "body": "It says *declined* but my bank says fine.",
        "tags": "card, payments",
    }
    response = client.post("/ask", data=form)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "My card was declined twice" in page and "<em>declined</em>" in page
    assert '<a class="tag" href="/tags/payments">payments</a>' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "Help"}, "Write a title of at least 8 characters"),
        ({"tags": "ok, not/valid"}, "is not a valid tag"),
        ({"tags": "a b c d e f"}, "Use at most 5 tags."),
        ({"body": ""}, "This field is required."),
        ({"category_id": "999999"}, "Not a valid choice."),
        ({"category_id": "abc"}, "This field is required."),
        ({"kind": "poll"}, "Not a valid choice."),
    ],
)
def test_asking_with_bad_input_shows_what_to_fix(act_as, community, db, change, message):
    form = {
        "category_id": str(community.category.id),
        "kind": "question",
        "title": "A perfectly fine title",
        "body": "Body text.",
        "tags": "",
    }
    before = db.session.query(Thread).count()
    response = act_as("author").post("/ask", data={**form, **change})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.query(Thread).count() == before


# Editing a thread


def test_author_renames_and_retags_their_thread_without_moderator_fields(act_as, community, db):
    client = act_as("author")
    page = text(client.get(f"/t/{community.thread.id}/edit"))
    assert "Moderation" not in page and 'name="locked"' not in page
    response = client.post(
        f"/t/{community.thread.id}/edit", data={"title": "Charged twice in March", "tags": "billing refund"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert community.thread.title == "Charged twice in March"
    assert [tag.name for tag in community.thread.tags] == ["billing", "refund"]


def test_moderator_locks_pins_and_moves_a_thread(act_as, community, make, db):
    elsewhere = make.make_category(name="Accounts")
    form = {
        "title": community.thread.title,
        "tags": "",
        "category_id": str(elsewhere.id),
        "locked": "y",
        "pinned": "y",
    }
    response = act_as("moderator").post(f"/t/{community.thread.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert community.thread.locked and community.thread.pinned
    assert community.thread.category_id == elsewhere.id


def test_renaming_a_thread_to_a_too_short_title_shows_the_rule(act_as, community, db):
    response = act_as("author").post(f"/t/{community.thread.id}/edit", data={"title": "Short", "tags": ""})
    assert response.status_code == 422
    assert "Write a title of at least 8 characters" in text(response)
    db.session.expire_all()
    assert community.thread.title == "Charged twice for my plan"


def test_author_cannot_edit_their_thread_once_it_is_locked(act_as, community, db):
    community.thread.locked = True
    db.session.commit()
    client = act_as("author")
    assert client.get(f"/t/{community.thread.id}/edit").status_code == 403
    assert "Edit thread" not in text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
