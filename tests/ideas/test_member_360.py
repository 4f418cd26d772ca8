"""The member 360 page shows a member's ideas (status, votes) and their idea votes (open or given back), apart from
their threads, at a cost that does not grow with how many ideas they posted or voted for."""

from __future__ import annotations

from forum.analytics import member_360
from forum.ideas import voting
from forum.ideas.status import change_status
from tests.web.helpers import text


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}-heading"')[1].split("</section>")[0]


def _busy(make, category, ideas: int):
    """A member who posted `ideas` ideas and voted for as many of someone else's."""
    member = make.make_user()
    for n in range(ideas):
        make.make_idea(author=member, category=category, title=f"My idea number {n}")
        voting.vote(member, make.make_idea(category=category, title=f"Their idea number {n}"))
    return member


def test_staff_see_the_members_ideas_and_votes(login_as, make, idea, ideas_category, staff):
    voter = make.make_user()
    own = make.make_idea(author=voter, category=ideas_category, title="Dark mode")
    voting.vote(make.make_user(), own)
    voting.vote(voter, idea)
    change_status(staff, idea, "shipped")
    change_status(staff, own, "planned")
    page = " ".join(text(login_as(staff).get(f"/staff/members/{voter.id}")).split())
    ideas = _section(page, "ideas")
    assert "Dark mode</a></th><td>Planned</td><td>1</td>" in ideas and 'member-360-count">1<' in ideas
    votes = _section(page, "idea-votes")
    assert "Export invoices as CSV</a></th><td>Shipped</td>" in votes
    assert "Open: counts against their budget" not in votes  # shipped: the vote came back
    assert "Dark mode" not in _section(page, "threads")  # an idea is listed as an idea, not as a thread


def test_an_open_vote_says_it_counts_against_the_budget(login_as, make, idea, staff):
    voter = make.make_user()
    voting.vote(voter, idea)
    votes = _section(text(login_as(staff).get(f"/staff/members/{voter.id}")), "idea-votes")
    assert "Open: counts against their budget" in votes


def test_the_service_counts_every_idea_and_vote_and_lists_the_latest(make, ideas_category, staff):
    member = _busy(make, ideas_category, 3)
    seen = member_360.member_360(staff, member.id)
    assert (seen.ideas.total, seen.idea_votes.total, seen.threads.total) == (3, 3, 0)
    assert [idea.thread.title for idea in seen.ideas.items] == [f"My idea number {n}" for n in (2, 1, 0)]
    assert [row.thread.title for row in seen.idea_votes.items] == [f"Their idea number {n}" for n in (2, 1, 0)]


def test_the_page_costs_the_same_queries_for_one_idea_or_five(login_as, make, ideas_category, count_queries):
    one = _busy(make, ideas_category, 1)
    five = _busy(make, ideas_category, 5)
    login_as(make.make_user("admin"))
    assert count_queries(f"/staff/members/{one.id}") == count_queries(f"/staff/members/{five.id}")
