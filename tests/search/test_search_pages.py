"""Search on the pages: the header search box everywhere, and similar solved questions before asking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.models import Thread
from forum.services import qa, suggestions
from tests.web.helpers import text
from tests.web.test_safety import INLINE

SIMILAR_JS = '<script src="/static/similar.js" defer></script>'
CONFIRM_HEADING = "Before you post: these solved questions may answer yours"


@pytest.fixture
def solved(make, search_index):
    """A solved thread in the index, and an asker with a category to ask in."""
    category = make.make_category(name="Connectivity", slug="connectivity")
    thread = make.make_thread(category=category, title="Router firmware update fails",
                              body="The update stops halfway and the lights blink orange.")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Use the recovery button."))
    search_index()
    return thread


@pytest.fixture
def asker(make, login_as):
    return login_as(make.make_user(username="newbie"))


def ask(client, thread: Thread, title: str, **extra: str):
    form = {"category_id": str(thread.category_id), "kind": "question", "title": title,
            "body": "It stops at 40% every time.", "tags": "", **extra}
    return client.post("/ask", data=form)


def threads_titled(db, title: str) -> int:
    return db.session.query(Thread).filter_by(title=title).count()


# The header search box


def header_search(page: str) -> str:
    match = re.search(r'<form class="site-search"[^>]*>.*?</form>', page, re.DOTALL)
    assert match, "no search form in the header"
    return match.group(0)


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_page_has_a_labelled_search_box_in_the_header(client, login_as, make, signed_in):
    thread = make.make_thread(title="Where is my invoice for March")
    if signed_in:
        login_as(make.make_user())
    for path in ("/", f"/t/{thread.id}/{thread.slug}"):
        page = text(client.get(path))
        form = header_search(page)
        assert 'method="get"' in form and 'action="/search"' in form and 'role="search"' in form
        assert '<label for="site-search-q"' in form and 'id="site-search-q"' in form and 'name="q"' in form
        assert page.index("<header") < page.index('class="site-search"') < page.index("</header>")
        assert ("Sign out" in page) == signed_in and "Ask a question" in page  # the other header items stay


def test_the_header_search_box_leads_to_results(client, solved):
    page = text(client.get("/search", query_string={"q": "firmware"}))
    assert "Router firmware update fails" in page
    assert page.count('id="site-search-q"') == 1 and page.count('id="search-q"') == 1  # ids stay unique


# Similar questions before asking (without JavaScript)


def test_a_title_like_a_solved_thread_asks_for_confirmation_and_posts_nothing(asker, solved, db):
    title = "Firmware update on my router fails"
    response = ask(asker, solved, title)
    page = text(response)
    assert response.status_code == 200
    offered = re.search(rf'name="kind" value="thread">\s*<input type="hidden" name="id" value="{solved.id}">', page)
    assert CONFIRM_HEADING in page and offered and "Router firmware update fails" in page
    assert '<input id="confirmed" name="confirmed" type="hidden" value="1">' in page
    assert "Post my question anyway</button>" in page
    assert f'value="{title}"' in page and "It stops at 40% every time." in page  # the draft is kept
    assert threads_titled(db, title) == 0
    assert not INLINE.search(page)


def test_post_my_question_anyway_creates_the_thread(asker, solved, db):
    title = "Firmware update on my router fails"
    response = ask(asker, solved, title, confirmed="1")
    assert response.status_code == 302
    assert threads_titled(db, title) == 1
    assert "Your thread is posted" in text(asker.get(response.headers["Location"]))


def test_a_title_with_no_matches_posts_directly(asker, solved, db):
    title = "Cannot change my billing address online"
    response = ask(asker, solved, title)
    assert response.status_code == 302
    assert threads_titled(db, title) == 1


def test_confirmed_but_invalid_input_still_shows_what_to_fix_without_asking_again(asker, solved, db):
    response = ask(asker, solved, "Firmware update on my router fails", confirmed="1", body="")
    page = text(response)
    assert response.status_code == 422 and "This field is required." in page
    assert CONFIRM_HEADING not in page and 'name="confirmed" type="hidden" value="1"' in page


def test_short_titles_get_the_service_message_not_suggestions(asker, solved, db):
    response = ask(asker, solved, "Router")
    assert response.status_code == 422
    assert "at least 8 characters" in text(response) and CONFIRM_HEADING not in text(response)


# Similar questions while typing (similar.js)


def test_similar_js_is_loaded_on_the_ask_page_only(asker, make):
    thread = make.make_thread()
    ask_page = text(asker.get("/ask"))
    assert SIMILAR_JS in ask_page
    assert 'aria-live="polite"' in ask_page and 'data-similar-url="/api/v1/search/similar"' in ask_page
    assert not INLINE.search(ask_page)
    for path in ("/", f"/t/{thread.id}/{thread.slug}", "/search?q=router", f"/c/{thread.category.slug}"):
        assert "similar.js" not in text(asker.get(path)), path


def test_similar_js_builds_nodes_with_text_only():
    source = (Path(__file__).resolve().parents[2] / "forum" / "static" / "similar.js").read_text()
    assert ".innerHTML" not in source and "textContent" in source
    assert "/api/v1/search/similar" not in source  # the address comes from the page's data-similar-url


# The hook that keeps forum free of search imports


def test_without_a_registered_provider_questions_post_directly(app, asker, solved, db, monkeypatch):
    monkeypatch.delitem(app.extensions, suggestions.EXTENSION)
    response = ask(asker, solved, "Firmware update on my router fails")
    assert response.status_code == 302 and threads_titled(db, "Firmware update on my router fails") == 1


def test_a_failing_provider_never_stops_someone_asking(app, asker, solved, db, monkeypatch):
    def broken(viewer, title):
        raise RuntimeError("index on fire")

    monkeypatch.setitem(app.extensions, suggestions.EXTENSION, broken)
    response = ask(asker, solved, "Firmware update on my router fails")
    assert response.status_code == 302 and threads_titled(db, "Firmware update on my router fails") == 1
