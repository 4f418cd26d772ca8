"""Outcome metrics over a small community with known timings: every figure is exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, literal, select, union_all

from forum.analytics import metric_queries, metrics
from forum.cases import escalate_thread, work
from forum.core.errors import Invalid
from forum.services import feedback, posting, qa
from tests.queries import count_statements

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
WEEK = metric_queries.Period(START, START + timedelta(days=7))


@pytest.fixture
def community(make, clock_at):
    """Four questions asked in the week of 2 November, one the week before, one in another category.

    q1: peer reply after 30 min, accepted (community), asker says resolved (rating 5).
    q2: staff reply after 2 h, accepted (support); escalated, case answered 1 h late, resolved after 5 h.
    q3: peer reply after 3 h, never solved; the asker's furious follow-up opens a sentiment case that
        no agent answers; asker says not resolved (rating 2).
    q4: nobody replied.
    """
    billing, shipping = make.make_category("Billing"), make.make_category("Shipping")
    asker, peer, agent = make.make_user(), make.make_user(), make.make_user("agent")
    clock_at.set(START - timedelta(days=3))
    make.make_thread(asker, billing, title="Last week's question about invoices")
    at = START + timedelta(hours=1)

    def ask(offset_hours: float, title: str, category=billing, body: str = "My invoice looks wrong this month."):
        clock_at.set(at + timedelta(hours=offset_hours))
        return make.make_thread(asker, category, title=title, body=body)

    def reply(thread, author, hours_after_ask: float, body: str = "Check the billing period dates."):
        clock_at.set(thread.created_at + timedelta(hours=hours_after_ask))
        return posting.reply_to_thread(author, thread, body)

    q1 = ask(0, "Invoice shows double charge")
    accepted = reply(q1, peer, 0.5)
    qa.accept_solution(asker, q1, accepted)
    feedback.give_feedback(asker, q1, feedback.FeedbackInput(resolved=True, rating=5))

    q2 = ask(1, "Refund never arrived")
    clock_at.set(q2.created_at + timedelta(hours=1))
    case, _ = escalate_thread(asker, q2, "Still waiting for my refund")
    staff_answer = reply(q2, agent, 2)  # the case's first staff response: due after 8 h (normal), so on time
    clock_at.set(case.created_at + timedelta(hours=5))
    work.resolve_case(agent, case, "Refund re-issued; it shows within 3 days.", publish_to_thread=False)
    qa.accept_solution(asker, q2, staff_answer)

    q3 = ask(2, "Card declined at checkout", body="I am trying to pay and it fails. Could you help?")
    reply(q3, peer, 3)
    reply(q3, asker, 4, body="This is terrible, awful service. I am furious and I hate this.")
    feedback.give_feedback(asker, q3, feedback.FeedbackInput(resolved=False, rating=2))

    ask(3, "Where is the VAT number?")
    ask(4, "Parcel lost in transit", category=shipping)
    clock_at.set(START + timedelta(days=8))
    return {"billing": billing, "shipping": shipping, "case": case, "q3": q3}


def test_question_metrics_for_a_week(community):
    summary = metrics.summary(WEEK)
    assert summary.questions == 5
    assert summary.responded == 3 and summary.response_rate == pytest.approx(3 / 5)
    # First responses: 30 min, 2 h, 3 h -> median 2 h; peers 30 min and 3 h; staff 2 h.
    assert summary.median_first_response_s == 7200
    assert summary.median_first_response_peer_s == (1800 + 10800) // 2
    assert summary.median_first_response_staff_s == 7200
    assert summary.solved == 2 and summary.solve_rate == pytest.approx(2 / 5)
    assert summary.peer_solve_rate == pytest.approx(1 / 2)
    assert summary.escalated == 2 and summary.escalation_rate == pytest.approx(2 / 5)


def test_case_satisfaction_and_sentiment_metrics(community):
    summary = metrics.summary(WEEK)
    # q2's case was answered within its 8 h; q3's sentiment case is still unanswered days later.
    assert (summary.cases, summary.cases_breached, summary.sla_breach_rate) == (2, 1, 0.5)
    assert summary.median_case_resolution_s == 5 * 3600
    assert summary.feedback_responses == 2 and summary.satisfaction == pytest.approx(0.5)
    assert summary.satisfaction_average_rating == pytest.approx(3.5)
    assert summary.sentiment_threads == 1 and summary.sentiment_shift < -0.5


def test_category_filter_and_previous_period(community):
    shipping = metrics.summary(metric_queries.Period(WEEK.start, WEEK.end, community["shipping"].id))
    assert (shipping.questions, shipping.responded, shipping.response_rate) == (1, 0, 0.0)
    assert shipping.median_first_response_s is None and shipping.peer_solve_rate is None
    before = metrics.summary(WEEK.previous())
    assert before.questions == 1 and before.cases == 0 and before.sla_breach_rate is None


def test_an_unanswered_case_past_its_due_time_counts_as_breached(make, clock_at):
    clock_at.set(START)
    thread = make.make_thread()
    escalate_thread(thread.author, thread, "Nobody answers")
    clock_at.set(START + timedelta(hours=7))
    assert metrics.summary(WEEK).cases_breached == 0
    clock_at.set(START + timedelta(hours=9))  # normal priority: due within 8 h
    assert metrics.summary(WEEK).sla_breach_rate == 1.0


def test_an_empty_period_reads_as_no_data_not_zero(db):
    summary = metrics.summary(WEEK)
    assert summary.questions == 0
    assert summary.response_rate is None and summary.median_first_response_s is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-02", "2026-11-08", (START, START + timedelta(days=7))),
        ("2026-11-02T06:00:00Z", "2026-11-02T07:30:00+01:00",
         (START + timedelta(hours=6), START + timedelta(hours=6.5))),
        (None, None, (datetime(2026, 10, 21, 9, 0, tzinfo=UTC), datetime(2026, 11, 20, 9, 0, tzinfo=UTC))),
    ],
)
def test_periods_from_dates_or_moments(db, clock_at, start, end, expected):
    period = metrics.parse_period(start, end)
    assert (period.start, period.end, period.category_id) == (*expected, None)


@pytest.mark.parametrize(
    ("start", "end", "category", "field"),
    [
        ("yesterday", None, None, "from"),
        (None, "2026-13-40", None, "to"),
        ("2026-11-10", "2026-11-01", None, "from"),
        ("2026-11-10T00:00:00", None, None, "from"),  # a moment without its offset is ambiguous
        ("0001-01-01", None, None, "from"),
        ("2000-01-01", "2026-11-01", None, "from"),  # over three years
        (None, None, "no-such-category", "category"),
        (None, None, "99999999999999", "category"),
        (None, None, "bill\x00ing", "category"),  # PostgreSQL would refuse the NUL with an error
    ],
)
def test_bad_periods_name_the_field_to_fix(db, clock_at, start, end, category, field):
    with pytest.raises(Invalid) as refused:
        metrics.parse_period(start, end, category)
    assert field in refused.value.errors


def test_a_category_by_id_or_slug(make, clock_at):
    billing = make.make_category("Billing", slug="billing")
    assert metrics.parse_period(None, None, "billing").category_id == billing.id
    assert metrics.parse_period(None, None, str(billing.id)).category_id == billing.id


def test_peer_and_staff_first_responses_each_count_their_own_first_reply(make, clock_at):
    """q1: staff after 1 h, then a peer after 3 h; q2: a peer after 2 h, then staff after 5 h; q3: only the asker."""
    asker, peer = make.make_user(), make.make_user()
    agent, moderator = make.make_user("agent"), make.make_user("moderator")
    asked = iter(range(3))

    def question_with(*replies: tuple[object, float]):
        clock_at.set(START + timedelta(hours=next(asked)))
        thread = make.make_thread(asker)
        for author, hours in replies:
            clock_at.set(thread.created_at + timedelta(hours=hours))
            posting.reply_to_thread(author, thread, "Here is what worked for me.")
        return thread

    question_with((agent, 1), (peer, 3))
    question_with((peer, 2), (moderator, 5))
    question_with((asker, 1))  # the asker's own follow-up is no response
    clock_at.set(START + timedelta(days=7))
    summary = metrics.summary(WEEK)
    assert (summary.questions, summary.responded) == (3, 2)
    assert summary.median_first_response_s == (3600 + 7200) // 2
    assert summary.median_first_response_peer_s == (10800 + 7200) // 2
    assert summary.median_first_response_staff_s == (3600 + 18000) // 2


def test_the_sentiment_shift_takes_the_later_post_when_two_share_a_moment(db, make, clock_at):
    clock_at.set(START)
    thread = make.make_thread(body="My router keeps dropping the connection every evening. What can I try?")  # 0.0
    clock_at.set(START + timedelta(hours=1))
    posting.reply_to_thread(thread.author, thread, "This is terrible, awful service. I am furious and I hate this.")
    posting.reply_to_thread(thread.author, thread, "Thanks, that fixed it! Great help.")  # +0.8748, written last
    clock_at.set(START + timedelta(days=7))
    summary = metrics.summary(WEEK)
    assert summary.sentiment_threads == 1
    assert summary.sentiment_shift == pytest.approx(0.8748)
    assert [(row.thread_id, round(row.shift, 4)) for row in db.session.execute(metric_queries.sentiment_shifts(WEEK))] \
        == [(thread.id, 0.8748)]


def test_medians_of_several_columns_skip_nulls_and_average_the_middle_pair(db):
    rows = [(1, 10, None), (2, None, None), (3, 30, 5), (4, 40, None)]
    values = union_all(*[
        select(literal(a, Integer).label("a"), literal(b, Integer).label("b"), literal(c, Integer).label("c"))
        for a, b, c in rows
    ]).subquery()
    assert metric_queries.medians(select(values.c.a, values.c.b, values.c.c)) == (2.5, 30, 5)
    assert metric_queries.median(select(values.c.c).where(values.c.c.is_(None))) is None


def test_the_summary_costs_the_same_statements_for_one_question_or_many(community):
    with count_statements() as statements:
        metrics.summary(WEEK)
    assert len(statements) == 7  # the seventh counts deflections (issue 25)
    with count_statements() as statements:
        metrics.summary(metric_queries.Period(START - timedelta(days=365), START - timedelta(days=300)))
    assert len(statements) == 7
