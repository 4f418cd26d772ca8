"""An article's history: its versions and the diff between any two, for its author and staff only (to
everyone else the history looks absent, even once the article is published), and a clear page for a
version number that is wrong."""

from __future__ import annotations

import html

import pytest

from forum.knowledge import articles, history
from forum.models import Article, ArticleStatus, User

FIRST_BODY = "## Cause\n\nNeighbouring networks on channel 6.\n\n## Fix\n\nUse channel 11."


@pytest.fixture
def edited_article(make_article, proposer, staff) -> Article:
    """A member's draft saved three times: by its author, then by staff with a note."""
    article = make_article(author=proposer)
    articles.edit_article(proposer, article, articles.ArticleChange(
        body=FIRST_BODY.replace("channel 11", "channel 1 or 11"), note="Both free channels"))
    articles.edit_article(staff, article, articles.ArticleChange(
        title="Fix evening Wi-Fi drops", body=FIRST_BODY.replace("channel 11", "channel 1 or 11")
        + "\n\nAvoid <script>alert(1)</script> tricks.", note="Clearer title"))
    return article


def _get(client, login_as, user: User | None, path: str):
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    return (login_as(user) if user is not None else client).get(path)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_versions_page_lists_every_save_newest_first_with_its_editor_note_and_compare_link(
        client, login_as, edited_article, proposer):
    response = _get(client, login_as, proposer, f"/kb/{edited_article.id}/versions")
    assert response.status_code == 200
    page = _text(response)
    assert page.index("Clearer title") < page.index("Both free channels")
    assert ">mona</a>" in page and ">pat</a>" in page
    assert f"/kb/{edited_article.id}/diff?from=2&to=3" in page and f"/kb/{edited_article.id}/diff?from=1&to=2" in page
    assert "The first version" in page


def test_the_diff_shows_the_latest_change_by_default_with_words_marked_and_text_escaped(
        client, login_as, edited_article, staff):
    response = _get(client, login_as, staff, f"/kb/{edited_article.id}/diff")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "Changes from version 2 to version 3" in raw
    assert "<script>alert(1)</script>" not in raw
    assert "<ins>Avoid &lt;script&gt;alert(1)&lt;/script&gt; tricks.</ins>" in raw
    # The title's changed word is marked inside the line, and named for screen readers.
    assert 'Fix evening <del><span class="visually-hidden">[removed: </span>connection<span' in raw
    assert 'Fix evening <ins><span class="visually-hidden">[added: </span>Wi-Fi<span' in raw
    assert '<span class="visually-hidden">added</span>' in raw


def test_any_two_versions_can_be_compared_in_either_order(client, login_as, edited_article, proposer):
    page = _text(_get(client, login_as, proposer, f"/kb/{edited_article.id}/diff?from=3&to=1"))
    assert "Changes from version 3 to version 1" in page
    comparison = history.compare(proposer, edited_article.id, 1, 2)
    assert comparison.title.added == 0 and comparison.body.added == comparison.body.removed == 1
    assert [segment.text for segment in comparison.body.lines[-1].segments if segment.change == "added"] == ["1 or "]


@pytest.mark.parametrize("query", ["from=abc", "to=0", "from=-1", "from=1&to=2.5", "to=12345678901234567890"])
def test_a_version_number_that_is_not_a_number_is_a_clear_400(client, login_as, edited_article, staff, query):
    response = _get(client, login_as, staff, f"/kb/{edited_article.id}/diff?{query}")
    assert response.status_code == 400 and "must be a version number" in _text(response)


def test_a_version_the_article_does_not_have_is_a_404(client, login_as, edited_article, staff):
    response = _get(client, login_as, staff, f"/kb/{edited_article.id}/diff?from=1&to=9")
    assert response.status_code == 404 and "That version of the article does not exist." in _text(response)


def test_a_drafts_history_looks_absent_to_other_members_and_visitors(client, login_as, make, edited_article):
    for stranger in (make.make_user(reputation=5000), make.make_user(role="advocate"), None):
        for path in (f"/kb/{edited_article.id}/versions", f"/kb/{edited_article.id}/diff?from=1&to=2"):
            assert _get(client, login_as, stranger, path).status_code == 404


def test_a_published_articles_history_stays_with_its_author_and_staff(
        client, login_as, make, make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    assert _get(client, login_as, None, f"/kb/{article.id}/{article.slug}").status_code == 200
    for reader in (make.make_user(), None):
        assert _get(client, login_as, reader, f"/kb/{article.id}/versions").status_code == 404
        assert not history.may_see(reader, article)
    for insider in (proposer, staff, make.make_user(role="agent")):
        assert _get(client, login_as, insider, f"/kb/{article.id}/versions").status_code == 200
        assert _get(client, login_as, insider, f"/kb/{article.id}/diff").status_code == 200


def test_an_article_with_one_version_compares_it_with_itself(client, login_as, make_article, proposer):
    article = make_article(author=proposer)
    page = _text(_get(client, login_as, proposer, f"/kb/{article.id}/diff"))
    assert "These are the same version: the article has only one so far." in page
    assert "Title: no changes." in page and "Text (Markdown): no changes." in page
