"""The staff page at /admin/articles: for staff only, listing what waits for review, what needs review and every
published article sortable by helpfulness, views, deflections, linking threads and staleness, with the
members' comments (escaped) — in a number of queries that does not grow with the articles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.knowledge import feedback, stats
from forum.models import Article, ArticleStatus, User

PAGE = "/admin/articles"


@pytest.fixture
def readers(make) -> list[User]:
    return [make.make_user(username=f"reader{n}") for n in range(3)]


@pytest.fixture
def rated(make_article, readers) -> dict[str, Article]:
    """sure: 3 of 3 helpful; lucky: 1 of 1; mixed: 1 of 2; unrated: no answers. Views 1, 4, 2 and 0."""
    found = {}
    for name, answers, views in (("sure", [True] * 3, 1), ("lucky", [True], 4), ("mixed", [True, False], 2),
                                 ("unrated", [], 0)):
        article = found[name] = make_article(status=ArticleStatus.PUBLISHED, title=f"The {name} article")
        for reader, helpful in zip(readers, answers, strict=False):
            feedback.give(reader, article, helpful)
        for _ in range(views):
            feedback.count_view(article)
    return found


def _titles(staff: User, **order) -> list[str]:
    return [row.article.title.split()[1] for row in stats.published_table(staff, **order).rows]


@pytest.mark.parametrize("role, status", [("member", 403), ("advocate", 403), ("moderator", 200), ("agent", 200),
                                          ("admin", 200)])
def test_staff_see_the_page_and_members_are_refused(make, login_as, role, status):
    assert login_as(make.make_user(role=role)).get(PAGE).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in_and_suspended_staff_are_refused(client, make, login_as):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/auth/login" in response.location
    suspended = make.make_user(role="moderator", suspended_until=clock.now() + timedelta(days=1))
    assert login_as(suspended).get(PAGE).status_code == 403


def test_helpfulness_ranks_by_how_sure_the_answers_are_and_unanswered_articles_come_last(rated, staff):
    assert _titles(staff) == ["sure", "lucky", "mixed", "unrated"]
    assert _titles(staff, descending=False) == ["mixed", "lucky", "sure", "unrated"]
    rows = {row.article.title: row for row in stats.published_table(staff).rows}
    assert rows["The sure article"].score == pytest.approx(stats.wilson_lower_bound(3, 0))
    assert rows["The lucky article"].helpful_percent == 100 and rows["The unrated article"].score is None


def test_the_table_sorts_by_views_and_staleness(rated, staff, make_article, clock_at):
    assert _titles(staff, sort="views") == ["lucky", "mixed", "sure", "unrated"]
    assert _titles(staff, sort="views", descending=False) == ["unrated", "sure", "mixed", "lucky"]
    clock_at.advance(days=3)
    make_article(status=ArticleStatus.PUBLISHED, title="The fresh article")
    assert _titles(staff, sort="staleness")[-1] == "fresh"
    assert _titles(staff, sort="staleness", descending=False)[0] == "fresh"


def test_the_page_shows_the_sorted_table_with_links_to_sort_it_the_other_way(rated, staff, login_as):
    page = login_as(staff).get(f"{PAGE}?sort=views").text
    table = page[page.index('id="published-heading"'):]
    positions = [table.index(f"The {name} article") for name in ("lucky", "mixed", "sure", "unrated")]
    assert positions == sorted(positions)
    assert 'aria-sort="descending"' in table and "/admin/articles?sort=views&amp;order=asc" in table
    assert "3 of 3" in table and "No answers" in table


def test_the_page_lists_articles_waiting_for_review_and_those_that_need_review(make_article, proposer, staff,
                                                                              login_as, clock_at):
    stale = make_article(status=ArticleStatus.PUBLISHED, title="An article from long ago")
    clock_at.advance(days=200)
    make_article(author=proposer, status=ArticleStatus.IN_REVIEW, title="Waiting to be read")
    page = login_as(staff).get(PAGE).text
    waiting = page[page.index('id="waiting-heading"'):page.index('id="due-heading"')]
    due = page[page.index('id="due-heading"'):page.index('id="published-heading"')]
    assert "Waiting to be read" in waiting and proposer.name in waiting
    assert stale.title in due and "Still correct — mark reviewed" in due


def test_comments_are_shown_to_staff_as_plain_text(rated, readers, staff, login_as):
    feedback.give(readers[0], rated["mixed"], False, "<script>alert('x')</script> Step 3 is wrong")
    page = login_as(staff).get(PAGE).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Step 3 is wrong" in page
    assert "<script>alert" not in page


def test_a_chart_compares_helpful_and_not_helpful_answers(rated, staff, login_as):
    page = login_as(staff).get(PAGE).text
    assert 'id="kb-helpfulness-heading"' in page and "<svg" in page and "Not helpful" in page


def test_the_table_pages_and_costs_the_same_queries_with_more_articles(make, make_article, staff, login_as,
                                                                       count_queries):
    def publish(n: int) -> None:
        """Each article its own owner and commenter, so loading them one by one would show in the count."""
        owner = make.make_user(username=f"owner{n}", reputation=1000)
        article = make_article(author=owner, status=ArticleStatus.PUBLISHED, title=f"Numbered article {n}")
        feedback.give(make.make_user(username=f"commenter{n}"), article, bool(n % 2), f"Comment {n}")

    login_as(staff)
    for n in range(2):
        publish(n)
    few = count_queries(PAGE)
    for n in range(2, stats.PER_PAGE + 1):
        publish(n)
    assert count_queries(PAGE) == few

    client = login_as(staff)
    first = client.get(PAGE).text
    assert "Next page" in first and f"{PAGE}?sort=helpfulness&amp;page=2" in first
    second = client.get(f"{PAGE}?page=2").text
    assert second.count("Numbered article") >= 1 and "First page" in second


def test_a_page_number_that_is_not_a_number_is_refused_without_an_error(staff, login_as):
    client = login_as(staff)
    assert client.get(f"{PAGE}?page=abc").status_code == 422
    assert client.get(f"{PAGE}?page=0").status_code == 422
    assert client.get(f"{PAGE}?sort=nonsense").status_code == 200
