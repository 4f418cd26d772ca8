"""The member 360 page: staff see the whole relationship; everyone else is told it does not exist."""

from __future__ import annotations

import pytest

from forum.cases import escalate_thread
from tests.unit.test_member_360 import build_relationship
from tests.web.helpers import NOT_FOUND, OK, SIGN_IN, expect, text


@pytest.fixture
def relationship(make, clock_at):
    return build_relationship(make, clock_at, activity=2)


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}-heading"')[1].split("</section>")[0]


def test_a_moderator_sees_every_section_with_its_rows(login_as, relationship, make):
    member = relationship.member
    client = login_as(make.make_user("moderator"))
    response = client.get(f"/staff/members/{member.id}")
    assert response.status_code == 200
    page = " ".join(text(response).split())
    assert f"{member.name} <span class=\"member-360-kicker\">member 360</span></h1>" in page
    profile = _section(page, "profile")
    assert "<dt>Role</dt><dd>Member</dd>" in profile and "Posting adverts" in profile
    assert f"<dt>Reputation</dt><dd><a href=\"/u/{member.username}/reputation\">{member.reputation}</a></dd>" in profile
    threads = _section(page, "threads")
    assert "My own question number 2" in threads and "My own question number 1" in threads
    assert 'member-360-count">2<' in threads
    assert "The helper&#39;s question number 2" in _section(page, "replies")
    cases = _section(page, "cases")
    assert "My own question number 1" in cases and "<td>customer</td>" in cases and "<td>Normal</td>" in cases
    received = _section(page, "flags-received")
    assert "Looks like an advert 1" in received and "<td>upheld</td>" in received and "<td>Open</td>" in received
    assert "off topic" in _section(page, "flags-given")
    ledger = _section(page, "ledger")
    assert "<td>+15</td><td>reply accepted</td>" in ledger and "<td>+10</td><td>reply voted</td>" in ledger
    assert "First Solution" in _section(page, "badges")
    assert "<td>Yes</td><td>4 of 5</td><td>Sorted.</td>" in _section(page, "feedback")
    assert "<td>Posting adverts</td>" in _section(page, "suspensions")
    assert "<code>user.suspend</code>" in _section(page, "audit")


ROLES = {"anonymous": SIGN_IN, "member": NOT_FOUND, "advocate": NOT_FOUND,
         "moderator": OK, "agent": OK, "admin": OK}


@pytest.mark.parametrize("caller", list(ROLES))
def test_only_staff_get_the_page(client, login_as, relationship, make, caller):
    if caller != "anonymous":
        login_as(make.make_user(caller))
    expect(client.get(f"/staff/members/{relationship.member.id}"), ROLES[caller])


@pytest.mark.parametrize("role", ["member", "advocate"])
def test_not_even_your_own_360(login_as, make, role):
    user = make.make_user(role)
    expect(login_as(user).get(f"/staff/members/{user.id}"), NOT_FOUND)


@pytest.mark.parametrize("path", ["/staff/members/999999", "/staff/members/0", "/staff/members/99999999999"])
def test_staff_get_404_for_no_such_member(login_as, make, path):
    expect(login_as(make.make_user("admin")).get(path), NOT_FOUND)


def test_staff_find_the_360_from_the_profile_and_the_desk_case(login_as, make, clock_at):
    member = make.make_user(username="casey")
    case, _ = escalate_thread(member, make.make_thread(member), "Please help")
    link = f'href="/staff/members/{member.id}"'
    assert link not in text(login_as(make.make_user()).get("/u/casey"))
    agent_client = login_as(make.make_user("agent"))
    assert link in text(agent_client.get("/u/casey"))
    assert link in text(agent_client.get(f"/desk/cases/{case.id}"))


def test_the_page_costs_the_same_queries_for_a_quiet_and_a_busy_member(login_as, make, clock_at, count_queries):
    quiet = build_relationship(make, clock_at, activity=2)
    busy = build_relationship(make, clock_at, activity=15)
    login_as(make.make_user("admin"))
    assert count_queries(f"/staff/members/{quiet.member.id}") == count_queries(f"/staff/members/{busy.member.id}")
