"""The Q&A, follow and notification pages and buttons for every kind of caller: who may, who is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.models import Subscription
from forum.services import notifications
from tests.web.conftest import ALL_CALLERS
from tests.web.helpers import BACK, FORBIDDEN, NOT_FOUND, OK, SIGN_IN, expect


def _everyone(outcome):
    return dict.fromkeys(ALL_CALLERS, outcome)


def _signed_in(outcome=BACK):
    return {**_everyone(outcome), "anonymous": SIGN_IN}


def _only(allowed: set[str], refused=FORBIDDEN):
    return {caller: SIGN_IN if caller == "anonymous" else BACK if caller in allowed else refused
            for caller in ALL_CALLERS}


ASKER_OR_STAFF = {"author", "moderator", "admin"}
ADVOCATE_OR_STAFF = {"advocate", "moderator", "admin"}

PAGES = {
    "/notifications": _signed_in(OK),
    "/settings/notifications": _signed_in(OK),
    "/tags/{tag}": _everyone(OK),
    "/tags/no-such-tag": _everyone(NOT_FOUND),
    "/unsubscribe/{token}": _everyone(OK),
    "/unsubscribe/forged-token": _everyone(400),
    "/t/{thread.id}/{thread.slug}?sort=votes": _everyone(OK),
    "/t/{thread.id}/{thread.slug}?quote={reply.id}": _everyone(OK),
    "/c/{category.slug}?sort=votes": _everyone(OK),
}


@pytest.fixture
def targets(community, make, db) -> dict:
    """What the paths name: the community plus a tag, an unsubscribe token and the asker's watch."""
    make.make_thread(category=community.category, tags=["invoices"])
    watch = db.session.scalar(select(Subscription).where(Subscription.user_id == community.author.id))
    token = notifications.unsubscribe_url(community.author).rsplit("/", 1)[1]
    return {**vars(community), "tag": "invoices", "token": token, "watch": watch.id}


@pytest.mark.parametrize("caller", ALL_CALLERS)
@pytest.mark.parametrize("path", list(PAGES))
def test_each_new_page_is_shown_to_the_right_people_only(act_as, targets, path, caller):
    response = act_as(caller).get(path.format(**targets))
    expect(response, PAGES[path][caller])


ACTIONS = {
    ("/p/{reply.id}/accept", ()): _only(ASKER_OR_STAFF),
    ("/t/{thread.id}/unaccept", ()): _only(ASKER_OR_STAFF),
    ("/p/{reply.id}/helpful", ()): _only({"author", "advocate", "moderator", "admin"}),  # "other" wrote it
    ("/p/{question.id}/helpful", ()): _only({"other", "advocate", "moderator", "admin"}),  # "author" wrote it
    ("/p/{reply.id}/helpful/withdraw", ()): _signed_in(),
    ("/t/{thread.id}/me-too", ()): _only({"other", "advocate", "moderator", "admin"}),  # not on your own question
    ("/t/{thread.id}/me-too/withdraw", ()): _signed_in(),
    ("/t/{thread.id}/needs-info", (("note", "Which plan are you on?"),)): _only(ADVOCATE_OR_STAFF),
    ("/t/{thread.id}/needs-info/clear", ()): _only(ASKER_OR_STAFF),
    ("/t/{thread.id}/feedback", (("resolved", "yes"), ("rating", "5"))): _only({"author"}),
    ("/t/{thread.id}/watch", ()): _signed_in(),
    ("/t/{thread.id}/mute", ()): _signed_in(),
    ("/c/{category.slug}/follow", ()): _signed_in(),
    ("/c/{category.slug}/mute", ()): _signed_in(),
    ("/tags/{tag}/follow", ()): _signed_in(),
    ("/tags/{tag}/unfollow", ()): _signed_in(),
    ("/notifications/read", ()): _signed_in(),
    ("/notifications/999999/read", ()): _signed_in(NOT_FOUND),  # nobody's: refused, not "marked"
    ("/settings/notifications", (("email_frequency", "daily"),)): _signed_in(),
    ("/settings/notifications/watches/{watch}/remove", ()): _only({"author"}, refused=NOT_FOUND),
    ("/preview", (("body", "**hi**"),)): _signed_in(OK),
    ("/unsubscribe/{token}", (("List-Unsubscribe", "One-Click"),)): _everyone(OK),
}


@pytest.mark.parametrize("caller", ALL_CALLERS)
@pytest.mark.parametrize(("path", "form"), list(ACTIONS))
def test_each_new_button_works_for_the_right_people_only(act_as, targets, path, form, caller):
    response = act_as(caller).post(path.format(**targets), data=dict(form))
    expect(response, ACTIONS[(path, form)][caller])


@pytest.mark.parametrize(
    "path",
    ["/p/{reply.id}/accept", "/p/{reply.id}/helpful", "/t/{thread.id}/me-too", "/t/{thread.id}/feedback",
     "/t/{thread.id}/watch", "/notifications/read", "/preview"],
)
def test_buttons_need_the_csrf_token(act_as, targets, path):
    response = act_as("author").post(path.format(**targets), data={"resolved": "yes"}, csrf=False)
    assert response.status_code == 400


def test_refused_buttons_change_nothing(act_as, community, db):
    act_as("other").post(f"/p/{community.reply.id}/accept")
    act_as("other").post(f"/p/{community.reply.id}/helpful")
    act_as("other").post(f"/t/{community.thread.id}/needs-info", data={"note": "Which plan?"})
    db.session.expire_all()
    assert community.thread.accepted_post_id is None and community.reply.vote_count == 0
    assert community.thread.status == "answered" and community.thread.needs_info_note is None
