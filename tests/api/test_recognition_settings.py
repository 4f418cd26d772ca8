"""Recognition's numbers are settings: points, ranks, privilege thresholds, the bounty and the rescue wait change
through the settings API, apply at once in the same app, are audited, and a change of points reaches new
ledger rows only (a reversal takes back what its row gave; a recompute finds the same totals)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry, ReputationEvent, User
from forum.recognition import bounties, upkeep
from forum.services import community_settings, permissions, qa
from tests.api.support import assert_problem
from tests.web.helpers import text


def change(call_as, **settings) -> dict:
    """PATCH the settings as an admin (keys written with __ for dots); the whole settings object comes back.

    The test's own session then reads them afresh, as the next request or job does with its own session.
    """
    answer = call_as("admin").patch("/api/v1/settings", json={k.replace("__", "."): v for k, v in settings.items()})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    community_settings.forget_cached()
    return answer.get_json()


def ledger(user: User) -> list[tuple[int, str, str | None]]:
    return [(row.delta, row.reason, row.correction) for row in db.session.scalars(
        select(ReputationEvent).where(ReputationEvent.user_id == user.id).order_by(ReputationEvent.id))]


def reputation_of(api_client, user: User) -> int:
    return api_client().get(f"/api/v1/users/{user.id}").get_json()["reputation"]


def test_new_points_reach_the_next_vote_only_and_a_withdrawal_takes_back_what_its_row_gave(call_as, api_client, make):
    reply = make.make_reply(make.make_thread())
    first, second = make.make_user(), make.make_user()
    assert api_client(first).post(f"/api/v1/posts/{reply.id}/votes").status_code in (200, 201)
    assert change(call_as, reputation__points__reply_voted=25)["reputation.points.reply_voted"] == 25
    assert api_client(second).post(f"/api/v1/posts/{reply.id}/votes").status_code in (200, 201)
    assert ledger(reply.author) == [(10, "reply_voted", None), (25, "reply_voted", None)]
    assert reputation_of(api_client, reply.author) == 35

    assert api_client(first).delete(f"/api/v1/posts/{reply.id}/votes").status_code in (200, 204)
    assert ledger(reply.author)[-1] == (-10, "reply_voted", "withdrawn")  # the stored 10, not today's 25
    assert reputation_of(api_client, reply.author) == 25
    assert upkeep.recompute_totals() == []  # the running totals are the ledger's sums
    assert reputation_of(api_client, reply.author) == 25


def test_acceptance_points_changed_later_are_taken_back_as_they_were_given(call_as, api_client, make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    assert api_client(thread.author).put(f"/api/v1/threads/{thread.id}/accepted",
                                         json={"post_id": reply.id}).status_code == 200
    change(call_as, reputation__points__reply_accepted=40, reputation__points__accepted_solution=7)
    assert api_client(thread.author).delete(f"/api/v1/threads/{thread.id}/accepted").status_code in (200, 204)
    assert ledger(reply.author) == [(15, "reply_accepted", None), (-15, "reply_accepted", "unaccepted")]
    assert ledger(thread.author) == [(2, "accepted_solution", None), (-2, "accepted_solution", "unaccepted")]
    assert api_client(thread.author).put(f"/api/v1/threads/{thread.id}/accepted",
                                         json={"post_id": reply.id}).status_code == 200
    assert ledger(reply.author)[-1] == (40, "reply_accepted", None)
    assert (reputation_of(api_client, reply.author), reputation_of(api_client, thread.author)) == (40, 7)
    assert upkeep.recompute_totals() == []


def test_a_rank_threshold_change_moves_members_rank_at_once(call_as, api_client, client, make):
    member = make.make_user(reputation=120)
    assert api_client().get(f"/api/v1/users/{member.id}").get_json()["rank"] == "Contributor"
    change(call_as, ranks__helper__threshold=100)
    assert api_client().get(f"/api/v1/users/{member.id}").get_json()["rank"] == "Helper"
    profile = text(client.get(f"/u/{member.username}"))
    assert "120 of 1,000 reputation to Expert" in profile
    change(call_as, ranks__contributor__threshold=150, ranks__helper__threshold=300)
    assert api_client().get(f"/api/v1/users/{member.id}").get_json()["rank"] == "Newcomer"


def test_a_privilege_threshold_change_grants_and_refuses_at_once(call_as, api_client, client, make):
    reply = make.make_reply(make.make_thread())
    editor = make.make_user(reputation=1500)
    body = {"body": "A clearer version of this answer, with the steps numbered."}
    assert_problem(api_client(editor).patch(f"/api/v1/posts/{reply.id}", json=body), 403)
    change(call_as, privileges__edit_others__threshold=1500)
    assert api_client(editor).patch(f"/api/v1/posts/{reply.id}", json=body).status_code == 200
    assert "Reputation 1,500, or advocate." in text(client.get("/privileges"))
    change(call_as, privileges__edit_others__threshold=1501)
    assert_problem(api_client(editor).patch(f"/api/v1/posts/{reply.id}", json=body), 403)


def test_the_links_privilege_follows_its_account_age_and_approved_posts(call_as, make, clock_at):
    member = make.make_user()
    for _ in range(2):
        make.make_thread(author=member)
    clock_at.advance(days=4)
    assert not permissions.can_post_links(member)  # 2 approved posts of the 3 needed
    change(call_as, privileges__links__approved_posts=2)
    assert permissions.can_post_links(member)
    change(call_as, privileges__links__account_age_days=5)
    assert not permissions.can_post_links(member)


def test_the_bounty_offers_and_pays_what_the_settings_say(call_as, client, make, clock_at):
    change(call_as, bounty__points=30, bounty__offer_at_pct=50)
    thread = make.make_thread()
    clock_at.advance(hours=2)  # half of the 4 h first reply target
    assert bounties.offer_bounties() == 1
    assert "Bounty +30" in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert (30, "bounty", None) in ledger(reply.author)


def test_the_rescue_wait_is_a_setting(call_as, make, clock_at):
    change(call_as, reputation__rescue_after_hours=2, reputation__points__rescue=12)
    thread = make.make_thread()
    clock_at.advance(hours=2, minutes=1)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert (12, "rescue", None) in ledger(reply.author)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ranks.helper.threshold": 50}, "ranks.helper.threshold", "more than the Contributor rank's 50"),
        ({"ranks.contributor.threshold": 200}, "ranks.contributor.threshold", "less than the Helper rank's 200"),
        ({"ranks.expert.threshold": 6000}, "ranks.expert.threshold", "less than the Champion rank's 5,000"),
        ({"ranks.helper.threshold": 2000, "ranks.expert.threshold": 1500}, "ranks.expert.threshold",
         "more than the Helper rank's 2,000"),
        ({"ranks.contributor.threshold": 0}, "ranks.contributor.threshold", "at least 1"),
        ({"reputation.points.reply_voted": 0}, "reputation.points.reply_voted", "at least 1"),
        ({"reputation.points.reply_accepted": 1001}, "reputation.points.reply_accepted", "at most 1000"),
        ({"bounty.points": 2.5}, "bounty.points", "whole number"),
        ({"bounty.offer_at_pct": 101}, "bounty.offer_at_pct", "at most 100"),
        ({"reputation.rescue_after_hours": 0}, "reputation.rescue_after_hours", "at least 0.05"),
        ({"privileges.links.account_age_days": -1}, "privileges.links.account_age_days", "at least 0"),
        ({"privileges.review.threshold": "a lot"}, "privileges.review.threshold", "must be a number"),
    ],
)
def test_bad_values_are_a_422_naming_the_field_and_change_nothing(call_as, changes, field, message):
    admin = call_as("admin")
    before = admin.get("/api/v1/settings").get_json()
    problem = assert_problem(admin.patch("/api/v1/settings", json={"sla.solution_hours": 24, **changes}), 422, field)
    assert any(message in reason for reason in problem["errors"][field]), problem["errors"]
    assert set(problem["errors"]) == {field}
    assert admin.get("/api/v1/settings").get_json() == before


def test_ranks_may_all_move_at_once_when_they_stay_in_order(call_as):
    settings = change(call_as, ranks__contributor__threshold=400, ranks__helper__threshold=800,
                      ranks__expert__threshold=6000, ranks__champion__threshold=9000)
    assert [settings[f"ranks.{rank}.threshold"] for rank in ("contributor", "helper", "expert", "champion")] == [
        400, 800, 6000, 9000]


def test_changes_are_audited_with_before_and_after(call_as, db):
    change(call_as, reputation__points__question_voted=8, privileges__review__threshold=1200)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")).one()
    assert json.loads(entry.before_json) == {"reputation.points.question_voted": 5, "privileges.review.threshold": 1000}
    assert json.loads(entry.after_json) == {"reputation.points.question_voted": 8, "privileges.review.threshold": 1200}

