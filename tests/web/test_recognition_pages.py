"""Badge catalogue, leaderboards and missions pages, and staff-only mission management."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import AuditEntry, LedgerReason, Mission
from forum.recognition import badges, missions, reputation
from forum.services import qa
from tests.web.helpers import BACK, FORBIDDEN, OK, SIGN_IN, expect, text

STAFF_ONLY = {"anonymous": SIGN_IN, "author": FORBIDDEN, "other": FORBIDDEN, "advocate": FORBIDDEN,
              "moderator": OK, "admin": OK}
CALLERS = list(STAFF_ONLY)


@pytest.fixture
def mission(community, clock_at) -> Mission:
    return missions.create_mission(community.moderator, missions.MissionInput(
        title="Billing rescue week", metric="unanswered_answered", goal=4, category_id=community.category.id,
        starts_at=clock_at.now - timedelta(days=1), ends_at=clock_at.now + timedelta(days=6), points=30,
        badge="challenger"))


def form_data(clock_at, **fields) -> dict[str, str]:
    data = {"title": "Three solutions this month", "description": "", "metric": "solutions", "goal": "3",
            "category_id": "", "points": "25", "badge": "",
            "starts_at": clock_at.now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (clock_at.now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")}
    data.update(fields)
    return data


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", ["/badges", "/badges/first_answer", "/leaderboard", "/leaderboard?period=all",
                                  "/leaderboard?period=month&category=billing", "/missions"])
def test_recognition_pages_are_public(act_as, community, mission, path, caller):
    expect(act_as(caller).get(path), OK)


@pytest.mark.parametrize(("path", "status"), [("/badges/no_such_badge", 404), ("/leaderboard?period=year", 422),
                                              ("/leaderboard?category=no-such-category", 404)])
def test_bad_addresses_get_a_clear_error_page(client, community, path, status):
    response = client.get(path)
    assert response.status_code == status


def test_the_catalogue_shows_tiers_holder_counts_and_what_you_hold(act_as, community, run_jobs):
    qa.accept_solution(community.author, community.thread, community.reply)
    run_jobs()
    page = text(act_as("other").get("/badges"))
    assert "Bronze" in page and "Silver" in page and "Gold" in page
    assert "First Solution" in page and "1 holder" in page and "You have it" in page
    assert "You have it" not in text(act_as("author").get("/badges"))
    holders = text(act_as("anonymous").get("/badges/first_solution"))
    assert "helper" in holders and "held by 1 person" in holders


def test_the_profile_lists_the_users_badges(act_as, community, run_jobs):
    run_jobs()  # the helper's reply earned First Answer
    page = text(act_as("anonymous").get("/u/helper"))
    assert 'id="badges-heading"' in page and "First Answer" in page
    assert 'id="badges-heading"' not in text(act_as("anonymous").get("/u/asker"))


def test_the_leaderboard_has_period_tabs_and_category_links(act_as, community):
    qa.accept_solution(community.author, community.thread, community.reply)
    reputation.award(community.advocate.id, LedgerReason.MISSION, points=100)
    db.session.commit()
    page = text(act_as("anonymous").get("/leaderboard?period=month"))
    assert page.index("advo") < page.index("helper")
    assert 'href="/leaderboard?period=month" aria-current="page">This month' in page
    assert 'href="/leaderboard?period=all">All time' in page
    in_billing = text(act_as("anonymous").get("/leaderboard?period=month&category=billing"))
    assert "helper" in in_billing and "advo" not in in_billing  # mission points belong to no category


def test_members_see_their_progress_as_an_accessible_progress_bar(act_as, community, mission, make):
    thread = make.make_thread(category=community.category)
    make.make_reply(thread, author=community.other)
    page = text(act_as("other").get("/missions"))
    assert "Billing rescue week" in page and "Challenger" in page
    assert f'<progress id="progress-{mission.id}" max="4" value="2">2 of 4</progress>' in page
    anonymous = text(act_as("anonymous").get("/missions"))
    assert "<progress" not in anonymous and "to take part" in anonymous


def test_staff_see_missions_without_a_progress_bar_since_their_work_does_not_count(act_as, community, mission):
    page = text(act_as("moderator").get("/missions"))
    assert "Billing rescue week" in page and "<progress" not in page
    assert "staff answers don't count toward them" in page
    member = text(act_as("other").get("/missions"))
    label = f'<label for="progress-{mission.id}">Your progress<span class="visually-hidden"> on Billing rescue week'
    assert label in member


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", ["/staff/missions", "/staff/missions/{id}/edit", "/staff/missions/{id}/delete"])
def test_only_staff_manage_missions(act_as, mission, path, caller):
    expect(act_as(caller).get(path.format(id=mission.id)), STAFF_ONLY[caller])


@pytest.mark.parametrize("caller", ["anonymous", "other", "advocate"])
def test_members_cannot_create_change_or_delete_missions(act_as, mission, clock_at, caller):
    client = act_as(caller)
    outcome = SIGN_IN if caller == "anonymous" else FORBIDDEN
    expect(client.post("/staff/missions", data=form_data(clock_at)), outcome)
    expect(client.post(f"/staff/missions/{mission.id}/edit", data=form_data(clock_at, title="Hijacked")), outcome)
    expect(client.post(f"/staff/missions/{mission.id}/delete"), outcome)
    assert [m.title for m in db.session.scalars(select(Mission))] == ["Billing rescue week"]


def test_staff_create_edit_and_delete_a_mission(act_as, community, clock_at):
    client = act_as("moderator")
    expect(client.post("/staff/missions", data=form_data(clock_at, badge="legend")), BACK)
    created = db.session.scalar(select(Mission))
    assert (created.title, created.goal, created.points, created.badge) == ("Three solutions this month", 3, 25,
                                                                            "legend")
    assert created.ends_at == clock_at.now.replace(second=0, microsecond=0) + timedelta(days=30)
    edit = text(client.get(f"/staff/missions/{created.id}/edit"))
    assert 'value="Three solutions this month"' in edit
    expect(client.post(f"/staff/missions/{created.id}/edit",
                       data=form_data(clock_at, goal="5", category_id=str(community.category.id))), BACK)
    db.session.refresh(created)
    assert (created.goal, created.category_id) == (5, community.category.id)
    expect(client.post(f"/staff/missions/{created.id}/delete"), BACK)
    assert db.session.scalar(select(func.count(Mission.id))) == 0
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "mission")))
    assert actions == {"mission.create", "mission.update", "mission.delete"}


@pytest.mark.parametrize(("fields", "message"), [
    ({"ends_at": "2026-11-19T09:00"}, "The deadline must come after the start."),
    ({"goal": "0"}, "Set a goal from 1 to 10,000."),
    ({"category_id": "abc"}, "Choose an existing category, or none."),
    ({"category_id": "²"}, "Choose an existing category, or none."),
    ({"badge": "champion"}, "Choose one of the mission badges, or none."),
    ({"metric": "likes"}, "Choose what the mission counts."),
    ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
    ({"goal": "99999999999999999999"}, "Set a goal from 1 to 10,000."),
])
def test_a_bad_mission_form_is_shown_again_with_the_reason(act_as, community, clock_at, fields, message):
    response = act_as("admin").post("/staff/missions", data=form_data(clock_at, **fields))
    assert response.status_code == 422 and message in text(response)
    assert db.session.scalar(select(func.count(Mission.id))) == 0


def test_mission_badges_are_the_only_ones_offered(act_as, community):
    page = text(act_as("moderator").get("/staff/missions"))
    assert all(f'value="{b.code}"' in page for b in badges.MISSION_BADGES)
    assert 'value="champion"' not in page
