"""The public scorecard on each category page and on /scorecard, for anonymous visitors too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.services import posting, qa
from tests.web.helpers import text


@pytest.fixture
def answered_category(make, clock_at):
    """Five questions: replies after 1 h, 2 h, 3 h, 6 h and none; the first two solved by a peer, the third by staff.

    So 3 of 5 (60%) get a first reply within 4 hours, 3 of 5 (60%) are solved, 2 of 3 (67%) by the community.
    """
    category = make.make_category("Billing", slug="billing")
    asker, peer, agent = make.make_user(), make.make_user(), make.make_user("agent")
    start = clock_at.now - timedelta(days=3)
    for n, (delay, replier, solved) in enumerate([(1, peer, True), (2, peer, True), (3, agent, True),
                                                  (6, peer, False), (None, None, False)]):
        clock_at.set(start + timedelta(hours=10 * n))
        thread = make.make_thread(asker, category, title=f"Billing question number {n + 1}")
        if delay is not None:
            clock_at.set(thread.created_at + timedelta(hours=delay))
            reply = posting.reply_to_thread(replier, thread, "This is how I sorted it out.")
            if solved:
                qa.accept_solution(asker, thread, reply)
    clock_at.set(start + timedelta(days=3))
    return category


SENTENCE = "60% of questions get a first reply within 4 hours; 60% are solved, 67% of those by the community."


def test_anonymous_visitors_see_the_promise_on_the_category_page(client, answered_category):
    response = client.get("/c/billing")
    assert response.status_code == 200
    page = " ".join(text(response).split())
    assert SENTENCE in page
    assert 'href="/scorecard"' in page


def test_a_young_category_says_there_is_not_enough_yet(client, make):
    category = make.make_category("Shipping", slug="shipping")
    make.make_thread(category=category, replies=1)
    page = " ".join(text(client.get("/c/shipping")).split())
    assert "Not enough questions yet to show how we are doing: fewer than 5 in the last 90 days." in page
    assert "% of questions" not in page


def test_the_scorecard_page_lists_every_category_and_the_community(client, answered_category, make):
    make.make_category("Shipping", slug="shipping", position=1)
    response = client.get("/scorecard")
    assert response.status_code == 200
    page = " ".join(text(response).split())
    assert "<h1>Our scorecard</h1>" in page
    community = page.split('id="community-heading"')[1].split("</section>")[0]
    assert SENTENCE in community
    billing_row = page.split('href="/c/billing">Billing</a></th>')[1].split("</tr>")[0]
    assert [cell.split(">")[1] for cell in billing_row.split("</td>")[:4]] == ["5", "60%", "60%", "67%"]
    shipping_row = page.split('href="/c/shipping">Shipping</a></th>')[1].split("</tr>")[0]
    assert "<td>0</td>" in shipping_row and "Not enough questions yet (fewer than 5)" in shipping_row


def test_the_scorecard_page_costs_the_same_queries_with_more_categories(make, count_queries):
    make.make_category()
    few = count_queries("/scorecard")
    for _ in range(5):
        make.make_thread(category=make.make_category(), replies=1)
    assert count_queries("/scorecard") == few
