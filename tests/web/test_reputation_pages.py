"""Reputation pages: the ledger, the privileges explained, staff making advocates; ranks next to names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry, BadgeGrant, Notification
from forum.recognition import advocates
from forum.services import moderation_state, qa
from tests.web.helpers import BACK, FORBIDDEN, SIGN_IN, expect, text


@pytest.fixture
def voted_reply(make):
    thread = make.make_thread(title="Router drops the connection at night")
    reply = make.make_reply(thread, author=make.make_user(username="helpful_hana"))
    voter = make.make_user()
    qa.vote_helpful(voter, reply)
    qa.vote_helpful(make.make_user(), reply)
    qa.withdraw_vote(voter, reply)
    return reply


def test_a_profile_links_to_a_ledger_that_explains_every_row_in_words(client, voted_reply):
    profile = text(client.get("/u/helpful_hana"))
    assert 'href="/u/helpful_hana/reputation"' in profile and "10 reputation" in profile
    page = text(client.get("/u/helpful_hana/reputation"))
    assert "Helpful vote on a reply" in page
    assert "Reversed: helpful vote on a reply (the vote was withdrawn)" in page
    assert page.count("Router drops the connection at night") == 3
    assert "+10" in page and "-10" in page and "Newcomer" in page


def test_a_ledger_row_for_a_post_the_visitor_cannot_see_names_no_title(client, make, voted_reply):
    moderation_state.hide_post(voted_reply, make.make_user("moderator"), "Checking a report")
    db.session.commit()
    page = text(client.get("/u/helpful_hana/reputation"))
    assert "Router drops the connection at night" not in page
    assert "A post you can't see" in page and "(the post was removed)" in page


def test_the_ledger_pages_with_a_cursor(client, voted_reply):
    first = client.get("/u/helpful_hana/reputation?limit=2")
    assert 'rel="next"' in text(first)
    next_url = text(first).split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = text(client.get(next_url))
    assert "First page" in second and 'rel="next"' not in second


def test_an_unknown_member_has_no_ledger_page(client):
    assert client.get("/u/nobody_here/reputation").status_code == 404


def test_visitors_see_the_privileges_without_a_standing(client):
    page = text(client.get("/privileges"))
    assert "Edit others&#39; posts" in page and "Reputation 2,000, or advocate." in page
    assert "more reputation" not in page and "Sign in" in page


def test_members_see_how_far_they_are_from_each_privilege(client, make, login_as):
    login_as(make.make_user(reputation=120))
    page = text(client.get("/privileges"))
    assert "380 more reputation" in page and "1880 more reputation" in page
    assert "the advocate role" in page and page.count("You have this") == 3


@pytest.mark.parametrize(("caller", "outcome"), [(None, SIGN_IN), ("member", FORBIDDEN), ("advocate", FORBIDDEN),
                                                 ("moderator", BACK), ("agent", BACK)])
def test_only_staff_make_advocates(client, make, login_as, caller, outcome):
    target = make.make_user(username="rising_star")
    if caller:
        login_as(make.make_user(caller))
    expect(client.post("/u/rising_star/advocate", data={"reason": "Great answers"}), outcome)
    db.session.refresh(target)
    assert target.role == ("advocate" if outcome == BACK else "member")


def test_making_an_advocate_is_audited_and_the_member_told_and_it_can_be_revoked(client, make, login_as):
    target = make.make_user(username="rising_star")
    moderator = make.make_user("moderator")
    login_as(moderator)
    profile = text(client.get("/u/rising_star"))
    assert "Make advocate" in profile
    client.post("/u/rising_star/advocate", data={"reason": "Consistently helpful"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.make_advocate"))
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, target.id, "Consistently helpful")
    note = db.session.scalar(select(Notification).where(Notification.user_id == target.id))
    assert note.kind == "account" and "advocate" in note.message
    assert "Advocate" in text(client.get("/u/rising_star")) and "Revoke advocate" in text(client.get("/u/rising_star"))
    client.post("/u/rising_star/advocate/revoke", data={"reason": "Inactive"})
    db.session.refresh(target)
    assert target.role == "member"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.revoke_advocate")) is not None


def test_a_new_advocate_gets_the_advocate_badge_soon_after(client, make, login_as, run_jobs):
    target = make.make_user(username="rising_star")
    login_as(make.make_user("moderator"))
    client.post("/u/rising_star/advocate", data={"reason": "Consistently helpful"})
    run_jobs()
    assert db.session.scalar(select(BadgeGrant.badge).where(BadgeGrant.user_id == target.id)) == "advocate"


def test_staff_cannot_be_made_advocates_and_forms_need_csrf(client, make, login_as):
    make.make_user("agent", username="agent_ann")
    make.make_user(username="plain_pat")
    login_as(make.make_user("admin"))
    expect(client.post("/u/agent_ann/advocate"), FORBIDDEN)
    assert client.post("/u/plain_pat/advocate", csrf=False).status_code == 400


def test_staff_see_top_contributors_and_invite_or_promote_them(client, make, login_as, voted_reply):
    quiet = make.make_user(username="quiet_quinn")
    login_as(make.make_user("agent"))
    page = text(client.get("/staff/advocates"))
    assert "helpful_hana" in page and "quiet_quinn" not in page and quiet.reputation == 0
    expect(client.post("/u/helpful_hana/advocate/invite", data={"back": "candidates"}), BACK)
    invitation = db.session.scalar(select(Notification).where(Notification.user_id == voted_reply.author_id,
                                                              Notification.kind == "account"))
    assert invitation.message == advocates.INVITATION
    again = client.post("/u/helpful_hana/advocate/invite")
    assert again.status_code == 409
    response = client.post("/u/helpful_hana/advocate", data={"back": "candidates"})
    assert response.headers["Location"].endswith("/staff/advocates")
    client.get("/staff/advocates")  # shows the flash message, naming her
    assert "helpful_hana" not in text(client.get("/staff/advocates"))


def test_an_anonymized_account_is_not_invited_to_become_an_advocate(client, make, login_as):
    gone = make.make_user(username="gone_gus")
    gone.anonymized_at = gone.created_at
    db.session.commit()
    login_as(make.make_user("moderator"))
    assert client.post("/u/gone_gus/advocate/invite").status_code == 409
    assert db.session.scalar(select(Notification).where(Notification.user_id == gone.id)) is None


@pytest.mark.parametrize(("caller", "outcome"), [(None, SIGN_IN), ("member", FORBIDDEN), ("advocate", FORBIDDEN)])
def test_the_candidates_list_is_for_staff_only(client, make, login_as, caller, outcome):
    if caller:
        login_as(make.make_user(caller, reputation=5000))
    expect(client.get("/staff/advocates"), outcome)


def test_notifications_show_who_acted_with_their_rank(client, make, login_as):
    thread = make.make_thread()
    make.make_reply(thread, author=make.make_user(username="expert_eve", reputation=1500))
    login_as(thread.author)
    page = text(client.get("/notifications"))
    assert "expert_eve" in page and "Expert" in page


def test_bad_paging_input_on_the_ledger_page_is_a_clear_422(client, voted_reply):
    assert client.get("/u/helpful_hana/reputation?cursor=garbage").status_code == 422
    assert client.get("/u/helpful_hana/reputation?limit=5000").status_code == 422
