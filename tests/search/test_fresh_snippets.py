"""Snippets show what a thread shows now: text hidden, deleted or held since the last reindex never appears.

The worker re-indexes a thread a moment after a moderator acts; until then the index still holds the old
text. These tests act through the moderation services and do not run the jobs, so the index is stale on
purpose, on both backends.
"""

from __future__ import annotations

import pytest

from forum.services import markup, posting, qa, reading
from moderation.services import actions
from search import fresh_snippets
from tests.moderation_support import HOLD_WORD, holding  # noqa: F401  (fixture)

QUESTION = "The modem lights blink orange after the storm."


@pytest.fixture
def stale(make, search_index):
    """A thread indexed with two replies, then one hidden and one deleted by a moderator, jobs not run."""
    thread = make.make_thread(title="Modem blinks orange all night", body=QUESTION)
    hidden = make.make_reply(thread, body="Call zorblax support at the number on my modem sticker.")
    deleted = make.make_reply(thread, body="My cousin fixed his modem with quuxly cables.")
    search_index()
    moderator = make.make_user(role="moderator")
    actions.hide_post(moderator, hidden, "spam")
    actions.delete_post(moderator, deleted, "off topic")
    return thread


def _highlights(api_client, raw: str, viewer=None, kind: str = "thread") -> dict[int, str]:
    answer = api_client(viewer).get(f"/api/v1/search?kind={kind}&q={raw}").get_json()
    return {item["thread"]["id"]: item["highlight"] for item in answer["items"] if item["kind"] == "thread"}


@pytest.mark.parametrize("kind", ["thread", "all"])
def test_a_search_for_the_thread_never_shows_replies_taken_down_since_indexing(stale, api_client, make, kind):
    for viewer in (None, make.make_user(), make.make_user(role="moderator")):
        highlight = _highlights(api_client, "modem", viewer, kind)[stale.id]
        assert "<mark>modem</mark>" in highlight.lower()
        assert "zorblax" not in highlight and "quuxly" not in highlight and "sticker" not in highlight


@pytest.mark.parametrize("word", ["zorblax", "quuxly"])
def test_a_search_for_the_hidden_words_shows_none_of_them(stale, api_client, client, word):
    """The stale index may still find the thread by the word, but its snippet never shows it."""
    for highlight in _highlights(api_client, word).values():
        assert word not in highlight.lower() and "sticker" not in highlight and "cousin" not in highlight
    page = client.get(f"/search?q={word}").get_data(as_text=True)
    assert f"<mark>{word}" not in page.lower() and "sticker" not in page and "cousin" not in page


def test_a_thread_held_for_review_since_indexing_shows_its_title_only_to_those_who_may_see_it(
    holding, make, search_index, api_client  # noqa: F811
):
    thread = make.make_thread(title="Router fan rattles loudly", body="The router fan rattles like gravel.")
    search_index()
    held = f"The router fan rattles, see grimbleshanks {HOLD_WORD}"
    posting.edit_post(thread.author, reading.question_post(thread), held)
    assert thread.visibility == "pending"
    assert _highlights(api_client, "router") == {}  # members and visitors: not found at all
    moderator = make.make_user(role="moderator")
    assert _highlights(api_client, "router", moderator)[thread.id] == "<mark>Router</mark> fan rattles loudly"
    assert "gravel" not in _highlights(api_client, "rattles", thread.author).get(thread.id, "")


def test_both_backends_make_the_same_snippet_from_the_visible_text(make, search_index, api_client):
    thread = make.make_thread(title="Modem blinks orange", body=QUESTION)
    make.make_reply(thread, body="Unplug the modem for a minute & try again.")
    search_index()
    assert _highlights(api_client, "modems")[thread.id] == (
        "The <mark>modem</mark> lights blink orange after the storm.\n\n\n\n"
        "Unplug the <mark>modem</mark> for a minute &amp; try again."
    )


def test_the_accepted_answer_shows_even_after_many_replies(make, search_index, api_client):
    thread = make.make_thread(title="Printer offline again", body="It says offline.",
                              replies=fresh_snippets.POSTS_READ + 2)
    answer = make.make_reply(thread, body="Reinstall the spooler service, then the printer returns.")
    qa.accept_solution(thread.author, thread, answer)
    search_index()
    assert "<mark>spooler</mark>" in _highlights(api_client, "spooler")[thread.id]


def test_excluded_words_and_filters_are_not_marked():
    words = fresh_snippets.positive_words('routers -firmware wifi or cable -"red light" "blue light" tag:modem')
    assert words == {"router", "wifi", "cabl", "blue", "light"}


@pytest.mark.parametrize("source", [
    "Plain **bold** and *italic* with [a link](https://example.com/a?b=1&c=2 \"title > x\") and `code <b>`.",
    "1. first\n2. second\n\n> quoted & done\n\nline one  \nline two",
    "```\nprint('a < b')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    "Caf\u00e9 &amp; cr\u00e8me \u2014 5 < 6 > 4 &copy; <script>alert(1)</script>",
])
def test_the_fast_text_reads_the_same_words_as_the_html_parser(source):
    html = markup.render_markdown(source)
    assert fresh_snippets.html_text(html).split() == markup.visible_text(html).split()


def test_a_tag_cut_by_the_length_bound_leaves_no_markup():
    assert fresh_snippets.html_text('<p>Reset the modem</p><p><a href="https://exa') == "Reset the modem\n"
