"""The staff outcome dashboard and its CSVs over a small community with known timings."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum.analytics import exports, metric_queries
from forum.cases import escalate_thread
from forum.core.extensions import db
from forum.models import Post
from forum.services import feedback, posting, qa
from tests.web.helpers import FORBIDDEN, OK, SIGN_IN, expect, text

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
WEEK = "from=2026-11-02&to=2026-11-08"
PATHS = ["/staff/analytics", "/staff/analytics/metrics.csv", "/staff/analytics/threads.csv"]


@pytest.fixture
def outcomes(make, clock_at):
    """The week of 2 November against the week before (every figure below follows from these timings).

    Week before: one Billing question, a peer reply after 1 h.
    The week: q1 peer reply after 30 min, accepted, asker says resolved (5); q2 peer reply after 3 h;
        q3 no reply, the asker follows up and escalates it, no agent answers (a breached case);
        q4 in Shipping, an agent replies after 1 h.
    """
    billing, shipping = make.make_category("Billing", slug="billing"), make.make_category("Shipping", slug="ship")
    asker, peer, agent = make.make_user(username="asker"), make.make_user(username="peer"), make.make_user("agent")

    def ask(at: datetime, title: str, category=billing):
        clock_at.set(at)
        return make.make_thread(asker, category, title=title, body="My invoice shows the same charge twice.")

    def reply(thread, author, hours: float, body: str = "The second charge is a hold; it drops off."):
        clock_at.set(thread.created_at + timedelta(hours=hours))
        return posting.reply_to_thread(author, thread, body)

    reply(ask(START - timedelta(days=6), "Old question"), peer, 1)
    q1 = ask(START + timedelta(hours=1), "=1+2 charged twice")
    qa.accept_solution(asker, q1, reply(q1, peer, 0.5))
    feedback.give_feedback(asker, q1, feedback.FeedbackInput(resolved=True, rating=5))
    q2 = ask(START + timedelta(hours=2), "Refund never arrived")
    reply(q2, peer, 3)
    q3 = ask(START + timedelta(hours=3), "Card declined")
    reply(q3, asker, 1, body="Any news on this?")
    case, _ = escalate_thread(asker, q3, "Still stuck")
    q4 = ask(START + timedelta(hours=4), "Parcel lost", category=shipping)
    reply(q4, agent, 1)
    clock_at.set(START + timedelta(days=8))
    return {"billing": billing, "shipping": shipping, "agent": agent, "q": [q1, q2, q3, q4], "case": case}


@pytest.fixture
def as_agent(outcomes, login_as):
    return login_as(outcomes["agent"])


def tiles(html: str) -> dict[str, str]:
    """Each metric tile's text, whitespace collapsed, by its heading."""
    found = {}
    for tile in re.findall(r'<li class="metric-tile">(.*?)</li>', html, re.S):
        label = re.search(r"<h3>(.*?)</h3>", tile).group(1)
        found[label] = " ".join(re.sub(r"<[^>]+>", " ", tile.split("</h3>", 1)[1]).split())
    return found


def test_tiles_show_each_metric_against_the_previous_week(as_agent):
    shown = tiles(text(as_agent.get(f"/staff/analytics?{WEEK}")))
    assert shown["Response rate"] == "75% 3 of 4 questions got a reply Previous period: 100%. −25 pts (worse)"
    assert shown["Median first response"] == "1 h over 3 questions with a reply Previous period: 1 h. no change"
    assert shown["Solve rate"] == "25% 1 of 4 questions solved Previous period: 0%. +25 pts (better)"
    no_comparison = "Previous period: — (no data). no comparison"
    assert shown["Solved by the community"] == f"100% 1 of 1 solution by peers {no_comparison}"
    assert shown["Case SLA breach rate"] == f"100% 1 of 1 case answered late {no_comparison}"
    assert shown["Escalation rate"] == "25% 1 of 4 questions became cases Previous period: 0%. +25 pts (higher)"
    assert shown["Median case resolution"] == f"— no data {no_comparison}"
    assert shown["Satisfaction"] == f"100% said resolved, of 1 asker answer {no_comparison}"
    assert shown["Average rating"].startswith("5.0 of 5 from 1 asker answer")
    assert shown["Deflections"].startswith("0 0 by articles, 0 by solved threads")
    assert len(shown) == 13


def test_a_category_changes_every_figure(as_agent, outcomes):
    page = text(as_agent.get(f"/staff/analytics?{WEEK}&category={outcomes['billing'].id}"))
    shown = tiles(page)
    assert shown["Response rate"] == "66.7% 2 of 3 questions got a reply Previous period: 100%. −33.3 pts (worse)"
    assert shown["Median first response"] == \
        "1 h 45 min over 2 questions with a reply Previous period: 1 h. +45 min (worse)"
    assert "<strong>2 Nov 2026 – 8 Nov 2026</strong>, Billing." in page
    assert f'<option selected value="{outcomes["billing"].id}">Billing</option>' in page
    shipping = tiles(text(as_agent.get(f"/staff/analytics?{WEEK}&category=ship")))
    assert shipping["Response rate"].startswith("100% 1 of 1 question got a reply Previous period: — (no data).")


def test_charts_are_titled_svgs_each_with_a_data_table(as_agent):
    page = text(as_agent.get(f"/staff/analytics?{WEEK}"))
    assert page.count('role="img"') == 5
    assert '<title id="chart-questions-title">Questions asked, responded to and solved</title>' in page
    assert 'aria-labelledby="chart-rates-title chart-rates-desc"' in page
    assert page.count('<details class="chart-data">') == 5
    # Eight weeks ending with the period: 14 Sept to 2 Nov; the last holds the week's figures.
    assert '<tr><th scope="row">14 Sept</th><td>0</td><td>0</td><td>0</td></tr>' in page  # CLDR's British "Sept"
    assert '<tr><th scope="row">26 Oct</th><td>1</td><td>1</td><td>0</td></tr>' in page
    assert '<tr><th scope="row">2 Nov</th><td>4</td><td>3</td><td>1</td></tr>' in page
    assert '<tr><th scope="row">2 Nov</th><td>75%</td><td>25%</td></tr>' in page
    assert '<tr><th scope="row">2 Nov</th><td>1 h</td></tr>' in page
    assert '<tr><th scope="row">2 Nov</th><td>1</td><td>1</td><td>1</td></tr>' in page
    assert " style=" not in page and "<style" not in page


def test_backlog_advocates_watchlist_and_ratings_sections(as_agent, outcomes):
    page = text(as_agent.get(f"/staff/analytics?{WEEK}"))
    q1, _q2, q3, _q4 = outcomes["q"]
    assert "Right now: 1 question past the first-response target of 4 h with no reply yet." in page
    assert f'<a href="/t/{q3.id}/{q3.slug}">Card declined</a>' in page
    assert '<tr><td>1</td><th scope="row"><a href="/u/peer">peer</a></th><td>1</td><td>0</td></tr>' in page
    assert "How agents rated the 1 case opened in this period." in page
    assert '<tr><th scope="row">Not rated yet</th><td>1</td>' in page
    assert "/staff/analytics/threads.csv?from=2026-11-02T00:00:00Z&amp;to=2026-11-09T00:00:00Z" in page


def test_no_args_means_the_last_thirty_whole_days(as_agent):
    page = text(as_agent.get("/staff/analytics"))
    assert 'name="from" type="date" value="2026-10-12"' in page and 'name="to" type="date" value="2026-11-10"' in page
    assert "<strong>12 Oct 2026 – 10 Nov 2026</strong>" in page  # today is 10 November


@pytest.mark.parametrize(("query", "message"), [
    ("from=yesterday", "Use a date like 2026-11-01"),
    ("from=2026-11-10&to=2026-11-01", "The period must start before it ends."),
    ("to=2026-02-30", "Use a date like 2026-11-30"),
    ("category=nope", "No such category."),
    ("category=bill%00ing", "No such category."),
    ("from=2026-11-02%00", "Use a date like 2026-11-01"),
    ("from=2000-01-01&to=2026-11-01", "Choose a period of at most three years."),
])
def test_bad_periods_re_show_the_form_with_the_message(as_agent, query, message):
    for path in PATHS:
        response = as_agent.get(f"{path}?{query}")
        assert response.status_code == 422
        page = text(response)
        assert message in page and 'aria-invalid="true"' in page and "metric-tile" not in page


@pytest.mark.parametrize(("caller", "outcome"), [
    ("anonymous", SIGN_IN), ("author", FORBIDDEN), ("advocate", FORBIDDEN), ("moderator", FORBIDDEN), ("admin", OK),
])
def test_only_agents_and_admins_see_analytics(community, act_as, caller, outcome):
    client = act_as(caller)
    for path in PATHS:
        expect(client.get(path), outcome)
    assert ('href="/staff/analytics"' in text(client.get("/"))) is (outcome == OK)


def test_the_header_links_agents_to_analytics(as_agent):
    assert '<a href="/staff/analytics">Analytics</a>' in text(as_agent.get("/"))


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(text(response))))


def test_metrics_csv_compares_with_the_previous_period(as_agent):
    response = as_agent.get(f"/staff/analytics/metrics.csv?{WEEK}")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="horseshoe-metrics-20261102T0000Z-to-20261109T0000Z.csv"'
    assert text(response).startswith("metric,this_period,previous_period,change\r\nresponse_rate,0.75,1.0,-0.25\r\n")
    rows = {row[0]: row[1:] for row in _rows(response)[1:]}
    assert rows["median_first_response_s"] == ["3600", "3600", "0"]
    assert rows["questions"] == ["4", "1", "3"] and rows["sla_breach_rate"] == ["1.0", "", ""]
    assert rows["peer_solve_rate"] == ["1.0", "", ""] and len(rows) == 23
    assert rows["article_deflections"] == ["0", "0", "0"] and rows["deflections"] == ["0", "0", "0"]


def test_threads_csv_has_one_outcome_row_per_question(as_agent, outcomes):
    q1, q2, q3, q4 = outcomes["q"]
    rows = _rows(as_agent.get(f"/staff/analytics/threads.csv?{WEEK}"))
    assert rows[0] == ["thread_id", "title", "category", "created_at", "first_reply_at", "first_response_s", "status",
                       "solved_by", "solved_at", "escalated", "case_id", "case_status", "sentiment_shift",
                       "feedback_resolved", "feedback_rating"]
    shift = _asker_shift(q3)
    assert rows[1:] == [
        [str(q1.id), "'=1+2 charged twice", "Billing", "2026-11-02T01:00:00Z", "2026-11-02T01:30:00Z", "1800",
         "solved", "community", "2026-11-02T01:30:00Z", "false", "", "", "", "true", "5"],
        [str(q2.id), "Refund never arrived", "Billing", "2026-11-02T02:00:00Z", "2026-11-02T05:00:00Z", "10800",
         "answered", "", "", "false", "", "", "", "", ""],
        [str(q3.id), "Card declined", "Billing", "2026-11-02T03:00:00Z", "", "", "escalated", "", "", "true",
         str(outcomes["case"].id), "new", str(round(shift, 4)), "", ""],
        [str(q4.id), "Parcel lost", "Shipping", "2026-11-02T04:00:00Z", "2026-11-02T05:00:00Z", "3600",
         "answered", "", "", "false", "", "", "", "", ""],
    ]


def test_threads_csv_for_one_category_is_the_same_in_batches_of_one(as_agent, outcomes):
    response = as_agent.get(f"/staff/analytics/threads.csv?{WEEK}&category=billing")
    assert [row[1] for row in _rows(response)[1:]] == ["'=1+2 charged twice", "Refund never arrived", "Card declined"]
    period = metric_queries.Period(START, START + timedelta(days=7), outcomes["billing"].id)
    assert "".join(exports.threads_csv(period, batch=1)) == text(response)


def _asker_shift(thread) -> float:
    sentiments = db.session.scalars(select(Post.sentiment).where(
        Post.thread_id == thread.id, Post.author_id == thread.author_id).order_by(Post.created_at, Post.id)).all()
    return sentiments[-1] - sentiments[0]


def _community_of(make, size: int) -> None:
    category = make.make_category()
    for n in range(size):
        thread = make.make_thread(category=category, replies=1)
        if n % 2:
            qa.accept_solution(thread.author, thread, make.make_reply(thread))


def test_the_dashboard_query_count_does_not_grow_with_the_community(make, login_as, clock_at,
                                                                     count_queries: Callable):
    login_as(make.make_user("agent"))
    _community_of(make, 3)
    small = count_queries("/staff/analytics")
    _community_of(make, 17)
    assert count_queries("/staff/analytics") == small


def test_a_category_name_is_escaped_in_the_charts_and_the_form(as_agent, make):
    evil = make.make_category("<script>alert(1)</script>", slug="evil")
    page = text(as_agent.get(f"/staff/analytics?{WEEK}&category={evil.id}"))
    assert "<script>alert(1)" not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<desc id="chart-rates-desc">Per week from 14 Sept 2026 to 8 Nov 2026, {escaped}.' in page
    assert "<strong>2 Nov 2026 – 8 Nov 2026</strong>, &lt;script&gt;alert(1)&lt;/script&gt;." in page
