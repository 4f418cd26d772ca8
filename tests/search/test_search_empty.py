"""A search that finds nothing is no dead end: tips, "Ask the community" with the words as the title, the way to
support, popular tags; and the ask page takes the title it is given."""

from __future__ import annotations

import re
from html import unescape

import pytest

from forum.models import Thread
from forum.services import posting, reading
from forum.writing import drafts
from tests.search.helpers import WHOOSH_ONLY
from tests.web.helpers import text


@pytest.fixture
def indexed(make, search_index):
    """Threads tagged wifi (3), router (2) and secret-thing (1, on a thread deleted since: nobody sees it)."""
    for n in range(3):
        make.make_thread(title=f"Wifi drops at night {n}", tags=["wifi", "router"] if n < 2 else ["wifi"])
    hidden = make.make_thread(title="Hidden thing", tags=["secret-thing"])
    posting.delete_post(hidden.author, reading.question_post(hidden))
    search_index()


def _search(client, q: str) -> str:
    return text(client.get("/search", query_string={"q": q}))


def _empty_box(page: str) -> str:
    match = re.search(r'<section class="search-empty".*?</section>', page, re.DOTALL)
    assert match, "no next steps on the page"
    return match.group(0)


def _href(box: str, label: str) -> str:
    match = re.search(r'<a class="button[^"]*" href="([^"]+)">\s*' + re.escape(label), box)
    assert match, f"no {label!r} button"
    return unescape(match.group(1))


def test_a_member_who_finds_nothing_is_offered_to_ask_support_and_tags(client, make, login_as, indexed):
    login_as(make.make_user())
    box = _empty_box(_search(client, "tag:wifi calling abroad"))
    assert _href(box, "Ask “calling abroad”") == "/ask?title=calling+abroad"  # the filter is not part of the title
    assert _href(box, "Start a question for support") == "/ask?title=calling+abroad"
    assert "Contact support" in box and "I still need help from the support team" in box
    assert "Check the spelling" in box and "fewer or more general words" in box and "Remove a filter" in box
    tags = re.findall(r'<a class="tag" href="/tags/([^"]+)">', box)
    assert tags == ["wifi", "router"]  # most used first; a tag only on a hidden thread is not shown


def test_a_visitor_is_sent_to_sign_in_first_and_comes_back_to_ask(client, indexed):
    box = _empty_box(_search(client, "calling abroad"))
    assert _href(box, "Ask “calling abroad”") == "/auth/login?next=/ask?title%3Dcalling%2Babroad"
    assert _href(box, "Sign in to contact support") == "/auth/login?next=/ask?title%3Dcalling%2Babroad"
    assert "Remove a filter" not in box  # no filter was used


def test_a_search_with_results_or_without_words_offers_none_of_it(client, indexed):
    assert 'class="search-empty"' not in _search(client, "wifi")
    assert 'class="search-empty"' not in _search(client, "")


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_did_you_mean_stays_beside_the_next_steps(client, indexed):
    page = _search(client, "wfii")
    assert "Did you mean" in page and 'href="/search?q=wifi"' in page
    assert "or try the suggestion above" in _empty_box(page)


# The ask page takes ?title=


def test_the_ask_page_fills_in_the_title_it_is_given(client, make, login_as):
    login_as(make.make_user())
    page = text(client.get("/ask", query_string={"title": '  Calling abroad <b>"fails"</b> '}))
    assert 'value="Calling abroad &lt;b&gt;&#34;fails&#34;&lt;/b&gt;"' in page
    long = text(client.get("/ask", query_string={"title": "x" * 500}))
    assert f'value="{"x" * 200}"' in long and "x" * 201 not in long


def test_a_saved_draft_wins_over_the_given_title(client, make, login_as, db):
    member = make.make_user()
    login_as(member)
    category = make.make_category()
    drafts.save_draft(member, drafts.question_key(category.id), drafts.DraftInput(title="My draft title", body="Half"))
    page = text(client.get("/ask", query_string={"title": "Calling abroad"}))
    assert 'value="My draft title"' in page and "Calling abroad" not in page


def test_posting_the_prefilled_question_works_as_ever(client, make, login_as, db):
    login_as(make.make_user())
    category = make.make_category()
    form = {"category_id": str(category.id), "kind": "question", "title": "Calling abroad fails",
            "body": "Every call drops after a minute.", "tags": "", "confirmed": "1"}
    response = client.post("/ask?title=Something+else", data=form)
    assert response.status_code == 302
    assert db.session.query(Thread).filter_by(title="Calling abroad fails").count() == 1
