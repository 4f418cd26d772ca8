"""The front page and category pages: counts, pinned threads, filters, sorting and paging."""

from __future__ import annotations

import re

from tests.web.helpers import text


def test_home_lists_categories_with_descriptions_and_thread_counts(client, make):
    billing = make.make_category(name="Billing")
    make.make_category(name="Wifi")
    make.make_thread(category=billing)
    make.make_thread(category=billing)
    page = text(client.get("/"))
    assert "Billing" in page and "All about Billing." in page
    assert "2 threads" in page and "0 threads" in page


def test_home_shows_latest_threads_with_author_rank_staff_badge_and_status(client, make):
    agent = make.make_user(role="agent", username="ana", reputation=1200)
    thread = make.make_thread(author=agent, title="How to read your first bill", replies=2)
    page = text(client.get("/"))
    assert f'href="/t/{thread.id}/{thread.slug}"' in page
    assert "ana" in page and "Expert" in page and "Staff" in page
    assert "2 replies" in page and "Answered" in page
    assert thread.category.name in page


def test_category_shows_pinned_threads_above_the_rest(client, make, db):
    category = make.make_category(slug="wifi")
    make.make_thread(category=category, title="An ordinary question")
    pinned = make.make_thread(category=category, title="Read this before posting")
    pinned.pinned = True
    db.session.commit()
    make.make_thread(category=category, title="A newer ordinary question")
    page = text(client.get("/c/wifi"))
    assert page.index("Pinned") < page.index("Read this before posting") < page.index("A newer ordinary question")
    assert page.count("Read this before posting") == 1


def test_category_pages_through_threads_with_a_next_page_link(client, make):
    category = make.make_category(slug="paged")
    author = make.make_user()
    titles = [f"Question number {n:02d} about billing" for n in range(25)]
    for title in titles:
        make.make_thread(category=category, author=author, title=title)
    first = text(client.get("/c/paged"))
    shown_first = set(re.findall(r"Question number \d\d about billing", first))
    assert len(shown_first) == 20
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(next_url))
    shown_second = set(re.findall(r"Question number \d\d about billing", second))
    assert shown_first | shown_second == set(titles) and not shown_first & shown_second
    assert 'rel="next"' not in second and "First page" in second


def test_category_filters_show_unanswered_and_solved_threads(client, make, db):
    category = make.make_category(slug="filters")
    make.make_thread(category=category, title="Nobody answered me yet")
    make.make_thread(category=category, title="Someone answered this one", replies=1)
    solved = make.make_thread(category=category, title="This one is solved already")
    solved.status = "solved"
    db.session.commit()
    unanswered = text(client.get("/c/filters?filter=unanswered"))
    assert "Nobody answered me yet" in unanswered and "Someone answered this one" not in unanswered
    only_solved = text(client.get("/c/filters?filter=solved"))
    assert "This one is solved already" in only_solved and "Nobody answered me yet" not in only_solved
    unsolved = text(client.get("/c/filters?filter=unsolved"))
    assert "This one is solved already" not in unsolved and "Someone answered this one" in unsolved
    assert 'aria-current="page">Unsolved' in unsolved


def test_category_sorts_by_newest_when_asked(client, make, clock_at):
    category = make.make_category(slug="sorting")
    older = make.make_thread(category=category, title="Older question with activity")
    clock_at.advance(minutes=5)
    make.make_thread(category=category, title="Newer question, quiet")
    clock_at.advance(minutes=5)
    make.make_reply(older)
    active = text(client.get("/c/sorting"))
    latest = text(client.get("/c/sorting?sort=latest"))
    assert active.index("Older question") < active.index("Newer question")
    assert latest.index("Newer question") < latest.index("Older question")


def test_unknown_filter_or_sort_gives_a_clear_error_page(client, make):
    make.make_category(slug="strict")
    bad_filter = client.get("/c/strict?filter=everything")
    assert bad_filter.status_code == 422
    assert "Filter by one of: solved, unanswered, unsolved." in text(bad_filter)
    bad_sort = client.get("/c/strict?sort=random")
    assert bad_sort.status_code == 422 and "Sort by one of" in text(bad_sort)


def test_a_tampered_page_cursor_gives_a_clear_error_page(client, make):
    make.make_category(slug="tamper")
    for cursor in ["not-a-cursor", "WyJ4IiwgMV0", "W10", "%%%"]:
        response = client.get(f"/c/tamper?cursor={cursor}")
        assert response.status_code == 422, cursor
        assert "This cursor is not valid" in text(response)


def test_unknown_category_is_a_friendly_404(client):
    response = client.get("/c/nowhere")
    assert response.status_code == 404
    assert "No such category." in text(response) and "Back to the community" in text(response)


def test_a_held_thread_is_listed_for_its_author_and_moderators_only(client, make, db, login_as):
    """The lists' statements are built once per kind of viewer with the viewer bound when they run (issue 21):
    each member still gets their own list."""
    category = make.make_category(slug="held")
    author, other, moderator = make.make_user(), make.make_user(), make.make_user(role="moderator")
    make.make_thread(category=category, title="A question everyone sees")
    held = make.make_thread(category=category, author=author, title="My question waiting for review")
    held.visibility = "pending"
    db.session.commit()

    def shown(path: str) -> bool:
        return "My question waiting for review" in text(client.get(path))

    assert not shown("/") and not shown("/c/held")
    for viewer, sees in ((other, False), (author, True), (moderator, True)):
        login_as(viewer)
        assert shown("/") is sees and shown("/c/held") is sees, viewer.username
        assert "A question everyone sees" in text(client.get("/c/held"))
