"""Editing a post meets the ask page's checks (issue 18, item 5): personal data, similar solved questions.

Before, the guard ran on asking and replying only: an edit published a card number at once.
"""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.services import qa, reading
from tests.search import conftest as search_fixtures
from tests.web.helpers import BACK, OK, expect, text

# A real index, as in the search tests (each backend the database offers).
search_backend, search_index = search_fixtures.search_backend, search_fixtures.search_index
CARD = "4111 1111 1111 1111"
WARNING = "This looks like personal data"
SIMILAR = "Before you save: these solved questions may answer yours"


def edit(client, post, body: str, **extra: str):
    return client.post(f"/p/{post.id}/edit", data={"body": body, **extra})


def test_an_edit_adding_a_card_number_warns_and_saves_nothing(act_as, community):
    response = edit(act_as("other"), community.reply, f"Pay with {CARD} instead.")
    page = text(response)
    assert response.status_code == OK and WARNING in page and "a card number (••• 1111)" in page
    db.session.refresh(community.reply)
    assert CARD not in community.reply.body


def test_saving_publicly_anyway_keeps_the_text(act_as, community):
    expect(edit(act_as("other"), community.reply, f"Pay with {CARD} instead.", personal_data="public"), BACK)
    db.session.refresh(community.reply)
    assert community.reply.body == f"Pay with {CARD} instead."


def test_an_edit_without_personal_data_saves_at_once(act_as, community):
    expect(edit(act_as("other"), community.reply, "Check the invoices page, then the bank."), BACK)
    db.session.refresh(community.reply)
    assert community.reply.body == "Check the invoices page, then the bank."


@pytest.fixture
def solved(make, community, search_index):
    thread = make.make_thread(category=community.category, title="Charged twice for my plan in May")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="The second charge is a hold."))
    search_index()
    return thread


def test_rewording_a_question_asks_nothing_more_when_its_title_stays(act_as, community, solved):
    question = community.question
    expect(edit(act_as("author"), question, "It happened again in June."), BACK)
    db.session.refresh(question)
    assert question.body == "It happened again in June."


def rename(client, thread, title: str, **extra: str):
    return client.post(f"/t/{thread.id}/edit", data={"title": title, "tags": "", **extra})


def test_renaming_a_thread_shows_similar_solved_questions_first(act_as, community, solved):
    client = act_as("author")
    thread = community.thread
    page = text(rename(client, thread, "Charged twice for my plan in June"))
    assert SIMILAR in page and solved.title in page and "Save my changes anyway" in page
    db.session.refresh(thread)
    assert thread.title != "Charged twice for my plan in June"
    expect(rename(client, thread, "Charged twice for my plan in June", confirmed="1"), BACK)
    db.session.refresh(thread)
    assert thread.title == "Charged twice for my plan in June"


def test_a_title_with_a_card_number_warns_and_saves_nothing_until_confirmed(act_as, community):
    client = act_as("author")
    thread = community.thread
    page = text(rename(client, thread, f"My card {CARD} was charged"))
    assert WARNING in page and "a card number (••• 1111)" in page
    db.session.refresh(thread)
    assert CARD not in thread.title
    expect(rename(client, thread, f"My card {CARD} was charged", personal_data="public"), BACK)
    db.session.refresh(thread)
    assert CARD in thread.title


def test_a_solved_question_is_never_suggested_to_itself(solved, login_as):
    question = reading.question_post(solved)
    client = login_as(solved.author)
    expect(edit(client, question, "Edited: it was a pre-authorisation hold."), BACK)
