""""Did this resolve your issue?" on the thread page: for the asker only, and a "no" offers more help."""

from __future__ import annotations

import pytest

from forum.core import clock
from forum.models import Feedback
from tests.web.helpers import text

BOX = "Did this resolve your issue?"


@pytest.fixture
def solved(act_as, community):
    """The community thread with the helper's reply accepted by the asker (which asks for feedback)."""
    act_as("author").post(f"/p/{community.reply.id}/accept")
    return community


def _page(client, thread) -> str:
    return text(client.get(f"/t/{thread.id}/{thread.slug}"))


@pytest.mark.parametrize(("caller", "shown"), [("author", True), ("other", False), ("advocate", False),
                                               ("moderator", False), ("admin", False), ("anonymous", False)])
def test_the_feedback_box_is_shown_to_the_asker_only(act_as, solved, caller, shown):
    assert (BOX in _page(act_as(caller), solved.thread)) is shown


def test_no_feedback_box_before_it_is_requested(act_as, community):
    assert BOX not in _page(act_as("author"), community.thread)


def test_the_box_appears_once_feedback_is_requested_without_a_solution(act_as, community, db):
    community.thread.feedback_requested_at = clock.now()
    db.session.commit()
    assert BOX in _page(act_as("author"), community.thread)


def test_yes_records_the_answer_and_the_box_goes_away(act_as, solved, db):
    client = act_as("author")
    response = client.post(f"/t/{solved.thread.id}/feedback", data={"resolved": "yes", "rating": "5",
                                                                   "comment": "Quick and kind."})
    assert response.status_code == 302
    row = db.session.query(Feedback).one()
    assert (row.resolved, row.rating, row.comment) == (True, 5, "Quick and kind.")
    page = _page(client, solved.thread)
    assert BOX not in page and "Sorry this didn" not in page and "Glad it" in page


def test_no_shows_the_offer_of_more_help_with_the_escalation_hook(act_as, solved, db):
    client = act_as("author")
    response = client.post(f"/t/{solved.thread.id}/feedback", data={"resolved": "no"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#more-help")
    assert db.session.query(Feedback).one().rating is None
    page = _page(client, solved.thread)
    assert BOX not in page
    assert 'id="more-help"' in page and 'data-hook="escalation"' in page
    assert "add details for the community" in page.lower() and 'class="escalation-action"' in page
    assert "Sorry this didn" not in _page(act_as("other"), solved.thread)  # only the asker is offered help


def test_after_a_no_the_asker_can_say_it_is_resolved_after_all(act_as, solved, db):
    client = act_as("author")
    client.post(f"/t/{solved.thread.id}/feedback", data={"resolved": "no"})
    assert "resolved after all" in _page(client, solved.thread)
    client.post(f"/t/{solved.thread.id}/feedback", data={"resolved": "yes"})
    assert db.session.query(Feedback).one().resolved is True  # the new answer replaces the old one
    assert 'id="more-help"' not in _page(client, solved.thread)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Answer yes (true) or no (false)."),
        ({"resolved": "maybe"}, "Answer yes (true) or no (false)."),
        ({"resolved": "yes", "rating": "9"}, "Rate from 1 to 5."),
        ({"resolved": "yes", "rating": "abc"}, "Rate from 1 to 5."),
        ({"resolved": "no", "comment": "x" * 2001}, "Keep the comment under 2,000 characters."),
    ],
)
def test_bad_feedback_is_shown_with_its_message_and_saves_nothing(act_as, solved, db, form, message):
    response = act_as("author").post(f"/t/{solved.thread.id}/feedback", data=form)
    assert response.status_code == 422
    page = text(response)
    assert message in page and BOX in page
    assert db.session.query(Feedback).count() == 0


def test_only_the_asker_may_answer(act_as, solved, db):
    response = act_as("moderator").post(f"/t/{solved.thread.id}/feedback", data={"resolved": "yes"})
    assert response.status_code == 403
    assert "Only the person who asked can say whether it was resolved." in text(response)
    assert db.session.query(Feedback).count() == 0


# The compact prompt, and no "I still need help" on a solved thread


def _prompt(page: str) -> str:
    return page[page.index('<section class="feedback-prompt"'):page.index("</section>", page.index("feedback-prompt"))]


def test_the_prompt_is_two_buttons_with_rating_and_comment_behind_a_disclosure(act_as, solved):
    prompt = _prompt(_page(act_as("author"), solved.thread))
    assert '<button type="submit" name="resolved" value="yes"' in prompt and "</span> Yes</button>" in prompt
    assert '<button type="submit" name="resolved" value="no"' in prompt and "</span> Not really</button>" in prompt
    assert '<details class="feedback-more">' in prompt  # closed
    assert prompt.index("<summary>Add a rating or a comment (optional)</summary>") < prompt.index('name="rating"')
    assert prompt.index("<details") < prompt.index('name="comment"') < prompt.index("</details>")
    assert "Send my answer" not in prompt and 'name="resolved" type="radio"' not in prompt


def test_one_click_on_yes_with_a_rating_and_comment_keeps_them_all(act_as, solved, db):
    form = {"resolved": "yes", "rating": "4", "comment": "Thanks!"}
    assert act_as("author").post(f"/t/{solved.thread.id}/feedback", data=form).status_code == 302
    row = db.session.query(Feedback).one()
    assert (row.resolved, row.rating, row.comment) == (True, 4, "Thanks!")


def test_a_refused_comment_opens_the_disclosure_with_its_message(act_as, solved):
    response = act_as("author").post(f"/t/{solved.thread.id}/feedback", data={"resolved": "no", "comment": "x" * 2001})
    prompt = _prompt(text(response))
    assert '<details class="feedback-more" open>' in prompt and "Keep the comment under 2,000 characters." in prompt


@pytest.mark.parametrize("caller", ["author", "advocate"])
def test_a_solved_question_offers_no_help_from_support(act_as, solved, caller):
    page = _page(act_as(caller), solved.thread)
    assert "I still need help from the support team" not in page and "Recommend escalation" not in page
    assert "Contact support" not in page and "/escalate" not in page


def test_staff_may_still_escalate_a_solved_question(act_as, solved):
    assert "Escalate to support" in _page(act_as("moderator"), solved.thread)


def test_not_really_on_a_solved_question_offers_contact_support(act_as, solved):
    client = act_as("author")
    client.post(f"/t/{solved.thread.id}/feedback", data={"resolved": "no"})
    page = _page(client, solved.thread)
    offer = page[page.index('id="more-help"'):]
    offer = offer[:offer.index("</section>")]
    assert f'action="/t/{solved.thread.id}/escalate"' in offer and ">Contact support</button>" in offer
    assert page.count("/escalate") == 1  # only in the offer: no second panel
    assert "I still need help from the support team" not in page


def test_an_unsolved_question_still_offers_help_from_support(act_as, community):
    assert "I still need help from the support team" in _page(act_as("author"), community.thread)
