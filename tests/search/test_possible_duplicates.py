"""The moderators' "possible duplicates" page (issue 26, item 5), on each search backend.

New open questions are checked with the similar engine; an earlier thread is listed beside one only
when the two read alike at or above the setting search.duplicate_threshold, and one click marks the
pair. A reworded duplicate is found; an unrelated question is not; the page's statements do not grow
with the number of candidates.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import Thread
from forum.services import community_settings, qa
from moderation.services.duplicates import DEFAULT_REASON
from search import duplicates
from tests.queries import count_statements
from tests.web.helpers import text

PAGE = "/moderation/duplicates"


def solved(make, category, title: str, body: str) -> Thread:
    thread = make.make_thread(category=category, title=title, body=body)
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Change the wifi channel to 6 or 11."))
    return thread


@pytest.fixture
def desk(make, search_index, clock_at, login_as):
    """Two solved threads from last month, then this week's questions: one a reworded duplicate, one not."""
    category = make.make_category(name="Connectivity", slug="connectivity")
    clock_at.advance(days=-30)
    wifi = solved(make, category, "Wifi keeps dropping every evening",
                  "My wifi connection drops every evening around eight and comes back after a minute.")
    billing = solved(make, category, "Invoice shows a double charge",
                     "My invoice lists the monthly plan twice. Who refunds the second charge?")
    clock_at.advance(days=28)
    reworded = make.make_thread(category=category, title="Wifi drops each evening",
                                body="Every evening the wifi connection drops for a minute, then comes back.")
    unrelated = make.make_thread(category=category, title="How do I change my profile picture",
                                 body="I want a new avatar on my profile page.")
    search_index()
    moderator = make.make_user(role="moderator", username="mod")
    return {"wifi": wifi, "billing": billing, "reworded": reworded, "unrelated": unrelated,
            "client": login_as(moderator), "moderator": moderator}


def listed(page: str, question: Thread) -> bool:
    return f'id="q{question.id}"' in page


def test_a_reworded_duplicate_is_listed_with_its_earlier_thread_and_an_unrelated_question_is_not(desk):
    page = text(desk["client"].get(PAGE))
    assert listed(page, desk["reworded"]) and not listed(page, desk["unrelated"])
    assert f'href="/t/{desk["wifi"].id}/{desk["wifi"].slug}"' in page
    assert f'action="/moderation/threads/{desk["reworded"].id}/duplicate"' in page
    assert f'name="duplicate-target" value="{desk["wifi"].id}"' in page
    assert f'value="{desk["billing"].id}"' not in page


def test_one_click_marks_the_pair_and_the_question_leaves_the_list(desk):
    client, reworded, wifi = desk["client"], desk["reworded"], desk["wifi"]
    assert listed(text(client.get(PAGE)), reworded)
    response = client.post(f"/moderation/threads/{reworded.id}/duplicate", data={  # what the button sends
        "duplicate-target": str(wifi.id), "back": "list",
        "duplicate-reason": DEFAULT_REASON})
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith(PAGE)
    assert db.session.scalar(select(Thread.duplicate_of_id).where(Thread.id == reworded.id)) == wifi.id
    assert not listed(text(client.get(PAGE)), reworded)


def test_the_threshold_comes_from_the_settings(desk):
    community_settings.update_settings_from_console({"search.duplicate_threshold": 1.0})
    assert not listed(text(desk["client"].get(PAGE)), desk["reworded"])
    community_settings.update_settings_from_console({"search.duplicate_threshold": 0.05})
    assert listed(text(desk["client"].get(PAGE)), desk["reworded"])


def test_later_threads_and_the_question_itself_are_never_its_duplicate_target(desk, make, search_index, clock_at):
    clock_at.advance(hours=1)
    later = solved(make, desk["wifi"].category, "Wifi drops each evening again",
                   "Every evening the wifi connection drops for a minute, then comes back.")
    search_index()
    question = (desk["reworded"], "Every evening the wifi connection drops for a minute, then comes back.")
    ids = [candidate.thread.id for candidate in duplicates.possible_duplicates(desk["moderator"], [question],
                                                                               0.05)[desk["reworded"].id]]
    assert desk["wifi"].id in ids
    assert later.id not in ids and desk["reworded"].id not in ids


def test_alikeness_is_one_for_the_same_words_and_zero_for_none_shared():
    assert duplicates.alikeness("Wifi drops", "in the evening", "wifi drop", "evenings") == pytest.approx(1.0)
    assert duplicates.alikeness("Wifi drops", "", "Invoice charged twice", "") == 0.0
    title_alike = duplicates.alikeness("Wifi drops at night", "x", "Wifi drops at night", "router model 7")
    body_alike = duplicates.alikeness("Wifi drops at night", "router model 7", "Printer jams", "router model 7")
    assert title_alike > 0.5 > body_alike  # titles weigh more than bodies


def test_statements_do_not_grow_with_candidates(desk, make, search_index):
    client = desk["client"]
    client.get(PAGE)
    with count_statements() as before:
        assert client.get(PAGE).status_code == 200
    for n in range(3):
        solved(make, desk["wifi"].category, f"Wifi dropping every evening ({n})",
               "My wifi connection drops every evening and comes back after a minute.")
    search_index()
    client.get(PAGE)
    with count_statements() as after:
        page = text(client.get(PAGE))
    assert page.count('name="duplicate-target"') >= 2
    assert len(after) == len(before)
