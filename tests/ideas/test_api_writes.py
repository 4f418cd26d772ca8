"""/api/v1/ideas writes per role: votes and taking them back (the budget, closed ideas) and staff's PATCH
(status with a note, merging a duplicate), each answer's status code and problem type."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.core.extensions import db
from forum.ideas import settings as idea_settings
from forum.models import Idea, IdeaStatus, IdeaVote, User
from forum.services import community_settings
from tests.api.support import assert_problem

IDEAS = "/api/v1/ideas"


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="milo")


def votes(idea: Idea) -> str:
    return f"{IDEAS}/{idea.id}/votes"


def suspend(user: User) -> None:
    user.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()


def close(idea: Idea, status: IdeaStatus) -> None:
    idea.status = status.value
    db.session.commit()


# --- votes -----------------------------------------------------------------------------------------------------


def test_a_member_votes_once_and_takes_the_vote_back(api_client, idea, member):
    client = api_client(member)
    assert client.post(votes(idea)).get_json() == {"vote_count": 1, "votes_left": 9}
    assert client.post(votes(idea)).get_json() == {"vote_count": 1, "votes_left": 9}  # again: the same answer
    assert client.get(f"{IDEAS}/{idea.id}").get_json()["voted"] is True
    assert client.delete(votes(idea)).get_json() == {"vote_count": 0, "votes_left": 10}
    assert client.delete(votes(idea)).get_json() == {"vote_count": 0, "votes_left": 10}  # nothing to take back
    assert db.session.query(IdeaVote).count() == 0


def test_voting_needs_an_active_member_who_is_not_the_author(api_client, idea, idea_author, member):
    assert_problem(api_client().post(votes(idea)), 401)
    assert_problem(api_client().delete(votes(idea)), 401)
    assert_problem(api_client(idea_author).post(votes(idea)), 403)
    suspend(member)
    assert_problem(api_client(member).post(votes(idea)), 403)
    assert db.session.query(IdeaVote).count() == 0


def test_votes_on_a_question_or_a_hidden_idea_are_404(api_client, make, ideas_category, member):
    question = make.make_thread(title="How do I export my invoices?")
    hidden = make.make_idea(category=ideas_category)
    hidden.thread.deleted_at = clock.now()
    db.session.commit()
    for thread_id in (question.id, hidden.id, 999999):
        assert_problem(api_client(member).post(f"{IDEAS}/{thread_id}/votes"), 404)
        assert_problem(api_client(member).delete(f"{IDEAS}/{thread_id}/votes"), 404)


def test_no_votes_left_is_a_409_of_its_own_type(api_client, make, ideas_category, member):
    community_settings.update_settings_from_console({idea_settings.VOTE_BUDGET: 2})
    first, second, third = (make.make_idea(category=ideas_category) for _ in range(3))
    client = api_client(member)
    assert client.post(votes(first)).get_json()["votes_left"] == 1
    assert client.post(votes(second)).get_json()["votes_left"] == 0
    problem = assert_problem(client.post(votes(third)), 409)
    assert problem["type"].endswith("/no-votes-left")
    db.session.expire_all()
    assert db.session.get(Idea, third.id).vote_count == 0
    assert client.delete(votes(first)).get_json() == {"vote_count": 0, "votes_left": 1}
    assert client.post(votes(third)).get_json() == {"vote_count": 1, "votes_left": 0}


@pytest.mark.parametrize("status", [IdeaStatus.SHIPPED, IdeaStatus.DECLINED])
def test_a_closed_idea_takes_no_votes_and_none_back(api_client, idea, member, status):
    close(idea, status)
    for response in (api_client(member).post(votes(idea)), api_client(member).delete(votes(idea))):
        assert assert_problem(response, 409)["type"].endswith("/idea-closed")


# --- staff's PATCH ---------------------------------------------------------------------------------------------


def test_staff_set_a_status_with_a_public_note(api_client, clock_at, idea, staff):
    clock_at.advance(hours=2)
    response = api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status": "planned",
                                                                   "status_note": "In the spring release."})
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = response.get_json()
    assert (changed["status"], changed["status_note"]) == ("planned", "In the spring release.")
    assert changed["status_changed_at"] == "2026-11-20T11:00:00Z"
    assert api_client().get(f"{IDEAS}/{idea.id}").get_json()["status"] == "planned"
    note_only = api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status_note": "Early spring."}).get_json()
    assert (note_only["status"], note_only["status_note"]) == ("planned", "Early spring.")


def test_only_staff_change_an_idea(api_client, idea, idea_author, member):
    body = {"status": "planned"}
    assert_problem(api_client().patch(f"{IDEAS}/{idea.id}", json=body), 401)
    assert_problem(api_client(member).patch(f"{IDEAS}/{idea.id}", json=body), 403)
    assert_problem(api_client(idea_author).patch(f"{IDEAS}/{idea.id}", json=body), 403)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "new"


def test_patch_of_a_question_is_404(api_client, make, staff):
    question = make.make_thread(title="How do I export my invoices?")
    assert_problem(api_client(staff).patch(f"{IDEAS}/{question.id}", json={"status": "planned"}), 404)


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "open"}, "status"),
    ({"status": "duplicate"}, "duplicate_of"),
    ({"status": "planned", "duplicate_of": "@other"}, "duplicate_of"),
    ({"status": "duplicate", "duplicate_of": "@self"}, "duplicate_of"),
    ({"status": "duplicate", "duplicate_of": "@question"}, "duplicate_of"),
    ({"status_note": 7}, "status_note"),
])
def test_a_wrong_status_or_duplicate_of_is_a_422_naming_it(api_client, make, ideas_category, idea, staff, body,
                                                            field):
    other = make.make_idea(category=ideas_category)
    question = make.make_thread(title="How do I export my invoices?")
    named = {"@other": other.id, "@self": idea.id, "@question": question.id}
    body = {key: named.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    assert_problem(api_client(staff).patch(f"{IDEAS}/{idea.id}", json=body), 422, field)


def test_merging_a_duplicate_moves_votes_and_a_duplicate_is_final(api_client, make, ideas_category, idea, staff,
                                                                  member):
    target = make.make_idea(category=ideas_category, title="CSV export of every invoice")
    api_client(member).post(votes(idea))
    merged = api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status": "duplicate", "duplicate_of": target.id})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    assert (merged.get_json()["status"], merged.get_json()["duplicate_of"]) == ("duplicate", target.id)
    assert api_client().get(f"{IDEAS}/{target.id}").get_json()["vote_count"] == 1
    assert api_client(member).get(f"{IDEAS}/{target.id}").get_json()["voted"] is True
    assert_problem(api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status": "planned"}), 409)
    assert_problem(api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status_note": "Really."}), 409)
    assert_problem(api_client(staff).patch(f"{IDEAS}/{target.id}",
                                           json={"status": "duplicate", "duplicate_of": idea.id}), 422, "duplicate_of")


def test_no_idea_goes_back_to_new(api_client, idea, staff):
    close(idea, IdeaStatus.PLANNED)
    assert_problem(api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status": "new"}), 409)


def test_sending_the_idea_back_unchanged_changes_nothing(api_client, idea, staff):
    answer = api_client(staff).patch(f"{IDEAS}/{idea.id}", json={"status": "new"})
    assert answer.status_code == 200 and answer.get_json()["status_changed_at"] is None
