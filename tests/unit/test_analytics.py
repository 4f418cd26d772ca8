"""The dashboard's read models over a small community with known timings: every figure is exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum import cases
from forum.analytics import dashboard, exports
from forum.analytics.metric_queries import Period
from forum.cases import escalate_thread, ratings
from forum.core.extensions import db
from forum.models import Case, Post
from forum.services import community_settings, needs_info, posting, qa, reading
from moderation.services import actions
from tests.queries import count_statements

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
TWO_WEEKS = Period(START, START + timedelta(days=14))
SERIES_START = START - timedelta(days=42)  # the 8 weeks ending with TWO_WEEKS


@pytest.fixture
def people(make):
    return {"asker": make.make_user(username="asker"), "peer": make.make_user(username="peer"),
            "agent": make.make_user("agent", username="agent"), "mod": make.make_user("moderator")}


@pytest.fixture
def weekly(make, clock_at, people):
    """Questions in weeks 0, 6 and 7 of the series, plus ones that must not count.

    Week 0 (21 Sep): one question, a peer reply after 1 h.
    Week 6 (2 Nov): q1 peer reply after 30 min, accepted; q2 escalated after 1 h, an agent replies
        and writes on the case after 2 h (in time); q3 no reply; a discussion; a question whose post was hidden.
    Week 7 (9 Nov): q4 peer reply after 3 h; q5 escalated and never answered (breached); a question
        in another category.
    Before the series: one question on 1 September.
    """
    billing, shipping = make.make_category("Billing"), make.make_category("Shipping")
    asker, peer, agent = people["asker"], people["peer"], people["agent"]

    def ask(at: datetime, category=billing, kind: str = "question"):
        clock_at.set(at)
        return make.make_thread(asker, category, kind=kind)

    def reply(thread, author, hours: float):
        clock_at.set(thread.created_at + timedelta(hours=hours))
        return posting.reply_to_thread(author, thread, "Have you checked the billing period dates?")

    ask(datetime(2026, 9, 1, tzinfo=UTC))
    reply(ask(SERIES_START + timedelta(days=1)), peer, 1)
    q1 = ask(START + timedelta(hours=1))
    qa.accept_solution(asker, q1, reply(q1, peer, 0.5))
    q2 = ask(START + timedelta(hours=2))
    clock_at.set(q2.created_at + timedelta(hours=1))
    case, _ = escalate_thread(asker, q2, "Refund missing")
    reply(q2, agent, 2)
    cases.post_message(agent, case, "We are re-issuing the refund.", "customer")  # the case's first response
    ask(START + timedelta(hours=3))
    ask(START + timedelta(hours=4), kind="discussion")
    hidden = ask(START + timedelta(hours=5))
    actions.hide_post(people["mod"], reading.question_post(hidden), "Spam")
    reply(ask(START + timedelta(days=8)), peer, 3)
    q5 = ask(START + timedelta(days=9))
    escalate_thread(asker, q5, "Nobody answers")
    ask(START + timedelta(days=10), category=shipping)
    clock_at.set(START + timedelta(days=15))
    return {"billing": billing, "shipping": shipping}


def test_weekly_series_covers_eight_weeks_with_exact_counts(weekly):
    series = dashboard.weekly_series(TWO_WEEKS)
    assert [point.start for point in series] == [SERIES_START + timedelta(days=7 * n) for n in range(8)]
    assert series[-1].end == TWO_WEEKS.end
    counts = [(p.questions, p.responded, p.solved, p.escalated, p.cases, p.breached) for p in series]
    assert counts == [(1, 1, 0, 0, 0, 0), *[(0, 0, 0, 0, 0, 0)] * 5, (3, 2, 1, 1, 1, 0), (3, 1, 0, 1, 1, 1)]
    assert [p.median_first_response_s for p in series] == [3600, *[None] * 5, (1800 + 7200) // 2, 3 * 3600]
    assert series[6].response_rate == pytest.approx(2 / 3) and series[6].solve_rate == pytest.approx(1 / 3)
    assert series[1].response_rate is None


def test_weekly_series_for_one_category(weekly):
    shipping = dashboard.weekly_series(Period(TWO_WEEKS.start, TWO_WEEKS.end, weekly["shipping"].id))
    assert [p.questions for p in shipping] == [0] * 7 + [1]
    assert shipping[-1].cases == 0 and shipping[-1].median_first_response_s is None


def test_a_long_period_is_bucketed_from_its_start_and_its_last_week_cut_short(weekly):
    period = Period(SERIES_START - timedelta(days=14), START + timedelta(days=10))  # 9 weeks and 3 days
    series = dashboard.weekly_series(period)
    assert len(series) == 10 and series[0].start == period.start
    assert series[-1].start == START + timedelta(days=7) and series[-1].end == period.end
    assert [p.questions for p in series] == [0, 0, 1, 0, 0, 0, 0, 0, 3, 2]  # 12 Nov 00:00 is past the end


def test_weekly_series_of_an_empty_community_is_eight_zero_weeks(db):
    series = dashboard.weekly_series(TWO_WEEKS)
    assert len(series) == 8 and sum(p.questions + p.cases for p in series) == 0


def test_weekly_series_runs_four_queries(weekly):
    """Questions, cases, satisfaction, and deflections (issue 25): one each, however many weeks."""
    with count_statements() as statements:
        dashboard.weekly_series(Period(SERIES_START - timedelta(days=300), TWO_WEEKS.end))
    assert len(statements) == 4


@pytest.fixture
def waiting(make, clock_at, people):
    """At 20 Nov 09:00 (first-reply target 4 h): what is and is not overdue right now."""
    billing, shipping = make.make_category("Billing"), make.make_category("Shipping")
    asker, now = people["asker"], clock_at.now

    def ask(hours_ago: float, title: str, category=billing, kind: str = "question"):
        clock_at.set(now - timedelta(hours=hours_ago))
        return make.make_thread(asker, category, title=title, kind=kind)

    ask(10, "Oldest unanswered")
    ask(6, "Unanswered shipping", category=shipping)
    ask(5, "Just overdue")
    ask(2, "Still within target")
    make.make_reply(ask(12, "Answered long ago"), author=people["peer"])
    ask(11, "A discussion", kind="discussion")
    deleted = ask(9, "Deleted question")
    posting.delete_post(asker, reading.question_post(deleted))
    hidden = ask(9, "Hidden question")
    actions.hide_post(people["mod"], reading.question_post(hidden), "Spam")
    paused = ask(7, "Waiting on the asker")
    clock_at.set(now - timedelta(hours=5))
    needs_info.request_info(people["agent"], paused, "Which card did you use?")  # paused for 5 h since
    clock_at.set(now)
    return {"billing": billing, "shipping": shipping}


def test_backlog_lists_only_overdue_unanswered_questions_oldest_first(waiting):
    backlog = dashboard.first_response_backlog(None)
    assert backlog.target_hours == 4 and backlog.total == 3
    assert [(q.title, q.waited_s) for q in backlog.items] == [
        ("Oldest unanswered", 10 * 3600), ("Unanswered shipping", 6 * 3600), ("Just overdue", 5 * 3600)]


def test_backlog_for_one_category_and_limited(waiting):
    backlog = dashboard.first_response_backlog(waiting["billing"].id, limit=1)
    assert backlog.total == 2 and [q.title for q in backlog.items] == ["Oldest unanswered"]
    assert backlog.items[0].category == "Billing"


def test_backlog_follows_the_first_reply_setting(waiting, make):
    community_settings.update_settings(make.make_user("admin"), {"sla.first_reply_hours": 8})
    assert [q.title for q in dashboard.first_response_backlog(None).items] == ["Oldest unanswered"]


@pytest.fixture
def solved(make, clock_at, people):
    """Solutions in the week of 2 November (and one the week before), by peers, staff and the asker."""
    billing, shipping = make.make_category("Billing"), make.make_category("Shipping")
    asker, agent = people["asker"], people["agent"]
    ann, bob, cat = (make.make_user(username=name) for name in ("ann", "bob", "cat"))

    def solve(solver, at: datetime, reply_after_hours: float = 1, category=billing):
        clock_at.set(at)
        thread = make.make_thread(asker, category)
        clock_at.set(at + timedelta(hours=reply_after_hours))
        post = posting.reply_to_thread(solver, thread, "Here is what fixed it for me.")
        qa.accept_solution(asker, thread, post)
        return thread

    solve(ann, START + timedelta(hours=1))
    solve(ann, START + timedelta(hours=2), reply_after_hours=30)  # a rescue: 30 h without a reply
    solve(bob, START + timedelta(hours=3), category=shipping)
    solve(cat, START + timedelta(hours=4))
    solve(agent, START + timedelta(hours=5))  # staff: not an advocate
    solve(asker, START + timedelta(hours=6))  # answering yourself helps no one else
    solve(bob, START - timedelta(days=3))  # solved before the week
    clock_at.set(START + timedelta(days=8))
    return {"billing": billing, "shipping": shipping, "ann": ann, "bob": bob, "cat": cat}


def test_top_advocates_rank_by_solutions_then_rescues(solved):
    week = Period(START, START + timedelta(days=7))
    ranked = [(a.rank, a.user.username, a.solutions, a.rescues) for a in dashboard.top_advocates(week)]
    assert ranked == [(1, "ann", 2, 1), (2, "bob", 1, 0), (2, "cat", 1, 0)]
    assert [a.user.username for a in dashboard.top_advocates(week, limit=2)] == ["ann", "bob"]


def test_top_advocates_for_one_category(solved):
    shipping = Period(START, START + timedelta(days=7), solved["shipping"].id)
    assert [(a.rank, a.user.username) for a in dashboard.top_advocates(shipping)] == [(1, "bob")]


def _follow_up(make, clock_at, asker, title: str, question: str, follow_up: str, hours: float):
    clock_at.set(START + timedelta(hours=hours))
    thread = make.make_thread(asker, title=title, body=question)
    make.make_reply(thread, body="Have you tried turning it off and on again?")
    posting.reply_to_thread(asker, thread, follow_up)
    return thread


def test_sentiment_watchlist_lists_the_steepest_falls_first(make, clock_at, people):
    asker = people["asker"]
    calm = "Could you help me with my invoice, please?"
    worse = _follow_up(make, clock_at, asker, "Got worse", calm, "This is still wrong and I am annoyed.", 1)
    worst = _follow_up(make, clock_at, asker, "Got furious", calm,
                       "This is terrible, awful service. I am furious and I hate this.", 2)
    _follow_up(make, clock_at, asker, "Got happy", "This is broken and I am upset.", "Thanks, that fixed it! Great.", 3)
    clock_at.set(START + timedelta(days=1))
    watch = dashboard.sentiment_watchlist(Period(START, START + timedelta(days=7)))
    assert [(w.title, w.status) for w in watch] == [("Got furious", "escalated"), ("Got worse", "escalated")]
    assert watch[0].shift == pytest.approx(_shift(worst), abs=1e-4) and watch[0].shift < watch[1].shift < 0
    assert watch[1].shift == pytest.approx(_shift(worse), abs=1e-4)
    assert dashboard.sentiment_watchlist(Period(START, START + timedelta(days=7)), limit=1)[0].title == "Got furious"


def _shift(thread) -> float:
    """The asker's last minus first post's stored sentiment, read back from the posts."""
    sentiments = db.session.scalars(
        select(Post.sentiment).where(Post.thread_id == thread.id, Post.author_id == thread.author_id)
        .order_by(Post.created_at, Post.id)
    ).all()
    return sentiments[-1] - sentiments[0]


def test_escalation_ratings_count_the_chosen_category_only(weekly, people):
    first, second = db.session.scalars(select(Case).order_by(Case.id)).all()
    ratings.rate_escalation(people["agent"], first, "needed")
    billing = dashboard.escalation_ratings(Period(TWO_WEEKS.start, TWO_WEEKS.end, weekly["billing"].id))
    assert billing["total"] == 2 and billing["by_rating"] == {
        "needed": 1, "community_could_answer": 0, "missing_information": 0, "unrated": 1}
    assert billing["by_source"]["customer"]["needed"] == 1
    shipping = dashboard.escalation_ratings(Period(TWO_WEEKS.start, TWO_WEEKS.end, weekly["shipping"].id))
    assert shipping["total"] == 0
    assert dashboard.escalation_ratings(TWO_WEEKS) == ratings.rating_summary(TWO_WEEKS.start, TWO_WEEKS.end)


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 refund", "'+1 refund"),
    ("-5 dollars", "'-5 dollars"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("Card = declined", "Card = declined"),
    (-0.5, -0.5), (3, 3), (None, ""), (True, "true"), (False, "false"),
    (datetime(2026, 11, 2, 1, 30, tzinfo=UTC), "2026-11-02T01:30:00Z"),
])
def test_csv_cells_defuse_formulas_but_keep_numbers(value, written):
    assert exports.cell(value) == written
