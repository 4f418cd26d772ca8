"""Snippets mark the words the index matched (stemmed) and escape the rest; ranking weighs titles and solutions."""

from __future__ import annotations

from forum.services import qa
from search import snippets
from tests.search.helpers import ids


def _words(raw: str) -> frozenset[str]:
    return frozenset(snippets._stem(word) for word in raw.split())


def test_stemmed_forms_are_marked_and_the_rest_escaped():
    text = "The routers <b>keep</b> dropping connections & restarting."
    marked = snippets.snippet(text, _words("router connection"))
    assert "<mark>routers</mark>" in marked and "<mark>connections</mark>" in marked
    assert "&lt;b&gt;keep&lt;/b&gt;" in marked and "&amp;" in marked
    assert "<b>" not in marked


def test_no_matching_word_gives_no_snippet():
    assert snippets.snippet("Nothing relevant here.", _words("router")) == ""


def test_far_apart_matches_come_as_two_passages_in_order():
    text = "router " + "filler words here " * 40 + "and the firmware at the end"
    marked = snippets.snippet(text, _words("router firmware"))
    first, second = marked.split(snippets.SEPARATOR)
    assert "<mark>router</mark>" in first and "<mark>firmware</mark>" in second
    assert len(marked) < 2 * snippets.WINDOW_CHARS + 60


def test_the_passage_with_most_matches_wins(make):
    text = "modem " + "x " * 200 + "modem reset modem reset modem"
    marked = snippets.snippet(text, _words("modem reset"), passages=1)
    assert marked.count("<mark>") == 5


def test_an_accepted_answer_outranks_the_same_words_in_another_reply(make, search_index):
    """Same words, same lengths; the older thread wins only because its accepted answer holds them."""
    devices = make.make_category(name="Devices", slug="devices")
    helped = make.make_thread(category=devices, title="Router keeps dropping", body="It drops at night.")
    other = make.make_thread(category=devices, title="Router keeps dropping", body="It drops at night.")
    qa.accept_solution(helped.author, helped, make.make_reply(helped, body="Update the firmware."))
    make.make_reply(helped, body="Move it away from the microwave.")
    make.make_reply(other, body="Update the firmware.")
    qa.accept_solution(other.author, other, make.make_reply(other, body="Move it away from the microwave."))
    assert ids(search_index(), "firmware") == [helped.id, other.id]


def test_words_in_the_title_outrank_the_same_words_in_the_body(make, search_index):
    devices = make.make_category(name="Devices", slug="devices")
    in_title = make.make_thread(category=devices, title="Firmware update failed",
                               body="It stops at half, every single time I try it again.")
    in_body = make.make_thread(category=devices, title="Update failed halfway", body="The firmware stops at half.")
    assert ids(search_index(), "firmware") == [in_title.id, in_body.id]


def test_helpful_votes_lift_a_thread(make, search_index, db):
    devices = make.make_category(name="Devices", slug="devices")
    plain = make.make_thread(category=devices, title="Modem lights blink red")
    voted = make.make_thread(category=devices, title="Modem lights blink red")
    voted.vote_count = 12
    db.session.commit()
    make.make_reply(voted, body="Same here.")  # any change re-indexes the thread
    make.make_reply(plain, body="Same here.")
    assert ids(search_index(), "modem blink") == [voted.id, plain.id]
