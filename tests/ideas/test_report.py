"""The ideas report for staff (issue 29): its numbers for a known set of votes, a CSV safe to open in a
spreadsheet, links staff attach to ideas (audited), and staff alone may see or change any of it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import cases
from forum.core import clock
from forum.core.errors import Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.ideas import links, report, status, voting
from forum.models import AuditEntry, IdeaLink
from tests.queries import count_statements


@pytest.fixture
def seeded(make, idea, ideas_category, staff, test_clock):
    """Three ideas in two categories; votes by an advocate, a customer with a case and a plain member over two days."""
    mobile = make.make_ideas_category(name="Mobile ideas", slug="mobile-ideas")
    dark = make.make_idea(category=mobile, title="Dark mode for the mobile app")
    shipped = make.make_idea(category=ideas_category, title="Pay invoices by bank transfer")
    advocate = make.make_user(role="advocate", username="ada")
    customer = make.make_user(username="cora")
    member = make.make_user(username="milo")
    cases.escalate_thread(customer, make.make_thread(author=customer, title="Charged twice this month"),
                          "Still charged twice")
    for voter in (advocate, customer, member):
        voting.vote(voter, idea)
    test_clock.advance(days=1)
    voting.vote(advocate, dark)
    voting.vote(member, shipped)
    status.change_status(staff, shipped, "shipped", note="Live today")
    return {"csv": idea, "dark": dark, "shipped": shipped, "staff": staff, "member": member}


def test_votes_per_day_count_each_days_votes(seeded):
    days = report.votes_over_time(3)
    today = clock.now().date()
    assert [day for day, _count in days] == [today - timedelta(days=2), today - timedelta(days=1), today]
    assert [count for _day, count in days] == [0, 3, 2]


def test_ideas_and_votes_per_category(seeded):
    rows = {row.category: row for row in report.by_category()}
    assert (rows["Feature ideas"].ideas, rows["Feature ideas"].votes, rows["Feature ideas"].open_ideas,
            rows["Feature ideas"].shipped) == (2, 4, 1, 1)
    assert (rows["Mobile ideas"].ideas, rows["Mobile ideas"].votes) == (1, 1)
    assert [row.category for row in report.by_category()] == ["Feature ideas", "Mobile ideas"]  # most votes first


def test_voters_by_segment_count_each_member_once(seeded):
    assert [(row.segment, row.voters, row.votes) for row in report.by_segment()] == [
        ("advocates", 1, 2), ("customers", 1, 1), ("others", 1, 2)]


def test_rows_are_most_voted_first_with_open_votes_and_links(seeded, make):
    question = make.make_thread(title="Can I get invoices as a spreadsheet?")
    links.attach(seeded["staff"], seeded["csv"], thread_id=question.id)
    rows = report.report_rows()
    assert [(row.idea_id, row.votes, row.open_votes, row.linked_questions) for row in rows] == [
        (seeded["csv"].thread_id, 3, 3, 1), (seeded["shipped"].thread_id, 1, 0, 0),
        (seeded["dark"].thread_id, 1, 1, 0)]


def test_the_csv_defuses_formulas_in_titles(seeded, make, ideas_category):
    make.make_idea(category=ideas_category, title="=HYPERLINK(\"http://evil.example\",\"Click\")")
    parsed = list(csv.reader(io.StringIO(report.report_csv())))
    assert parsed[0] == report.CSV_HEADER
    titles = [row[1] for row in parsed[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in titles
    assert not any(title.startswith("=") for title in titles)
    assert len(parsed) == 5


def test_the_report_page_costs_the_same_statements_for_few_ideas_or_many(seeded, make, login_as, ideas_category):
    client = login_as(seeded["staff"])
    question = make.make_thread(title="Is there a CSV export of invoices?")
    links.attach(seeded["staff"], seeded["csv"], thread_id=question.id)
    with count_statements() as few:
        assert client.get("/admin/ideas").status_code == 200
    for n in range(4):
        extra = make.make_idea(category=ideas_category, title=f"Another idea number {n}")
        links.attach(seeded["staff"], extra, thread_id=question.id)
    with count_statements() as many:
        page = client.get("/admin/ideas")
    assert page.status_code == 200 and "Another idea number 3" in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_attach_and_detach_are_audited_and_attaching_twice_keeps_one_link(idea, staff, make):
    question = make.make_thread(title="Can I download invoices as CSV?")
    link = links.attach(staff, idea, thread_id=question.id)
    assert links.attach(staff, idea, thread_id=question.id).id == link.id
    assert [item.thread_id for item in links.links_of(idea)] == [question.id]
    links.detach(staff, link.id)
    assert links.links_of(idea) == []
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.target_id, AuditEntry.actor_id)
                                 .where(AuditEntry.action.like("idea.%link")).order_by(AuditEntry.id)).all()
    assert [tuple(entry) for entry in entries] == [("idea.link", idea.thread_id, staff.id),
                                                   ("idea.unlink", idea.thread_id, staff.id)]


def test_a_case_can_be_linked_by_whoever_may_open_it(idea, make):
    agent = make.make_user(role="agent")
    customer = make.make_user()
    case, _created = cases.escalate_thread(customer, make.make_thread(author=customer), "Help")
    assert links.attach(agent, idea, case_id=case.id).case_id == case.id
    moderator = make.make_user(role="moderator")  # moderators do not open cases
    with pytest.raises(Invalid):
        links.attach(moderator, idea, case_id=case.id)


@pytest.mark.parametrize("target", ["itself", "missing", "deleted", "another idea", "nothing"])
def test_links_to_the_idea_itself_or_to_what_is_not_a_live_question_are_refused(idea, staff, make, target):
    deleted = make.make_thread(title="A thread its author deleted")
    deleted.deleted_at = clock.now()
    db.session.commit()
    ids = {"itself": idea.thread_id, "missing": 999_999, "deleted": deleted.id,
           "another idea": make.make_idea(category=idea.thread.category).thread_id, "nothing": None}
    with pytest.raises(Invalid):
        links.attach(staff, idea, thread_id=ids[target])
    assert db.session.scalar(select(IdeaLink.id)) is None


def test_members_may_neither_read_nor_change_the_report(idea, idea_author, make):
    member = make.make_user()
    question = make.make_thread(title="Invoices as CSV, please")
    with pytest.raises(Forbidden):
        links.attach(member, idea, thread_id=question.id)
    with pytest.raises(Forbidden):
        links.attach(idea_author, idea, thread_id=question.id)
    with pytest.raises(NotFound):
        links.detach(make.make_user(role="moderator"), 999_999)


def test_the_pages_are_staff_only(idea, staff, make, login_as, client):
    question = make.make_thread(title="Export my invoices to a spreadsheet?")
    assert client.get("/admin/ideas").status_code in (302, 303)  # signed out: to sign in
    member_client = login_as(make.make_user())
    assert member_client.get("/admin/ideas").status_code == 403
    assert member_client.get("/admin/ideas.csv").status_code == 403
    refused = member_client.post(f"/admin/ideas/{idea.thread_id}/links", data={"thread_id": question.id})
    assert refused.status_code == 403
    staff_client = login_as(staff)
    answer = staff_client.post(f"/admin/ideas/{idea.thread_id}/links", data={"thread_id": question.id})
    assert answer.status_code == 303
    link = db.session.scalar(select(IdeaLink))
    assert link is not None and link.thread_id == question.id
    page = staff_client.get("/admin/ideas").get_data(as_text=True)
    assert "Export my invoices to a spreadsheet?" in page and "Idea votes per day" in page
    download = staff_client.get("/admin/ideas.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    assert staff_client.post(f"/admin/ideas/{idea.thread_id}/links/{link.id}/delete").status_code == 303
    assert db.session.scalar(select(IdeaLink)) is None
    assert staff_client.post("/admin/ideas/999999/links", data={"thread_id": question.id}).status_code == 404
