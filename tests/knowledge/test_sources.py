"""Articles born from the community: a solved thread's question and accepted answer, a resolved case's
customer-visible resolution (never its internal notes or the customer's messages), the personal-data guard
on the draft, and the "Turn into article" buttons on the thread and desk pages."""

from __future__ import annotations

import pytest

from forum import cases
from forum.accounts.personal_data import Kind
from forum.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.knowledge import sources
from forum.models import ArticleStatus, Thread, User
from forum.services import moderation_state, posting, qa, reading

INTERNAL_NOTE = "Internal: customer sits on the legacy billing cluster LBC-7731"
CUSTOMER_MESSAGE = "My contract number is KX-5521-PRIVATE, please check it"
AGENT_TO_CUSTOMER = "Could you send me a screenshot of the settings page, AGENT-ASK-88?"
RESOLUTION = "Clear the router's DNS cache under Advanced, then restart it."


@pytest.fixture
def agent(make) -> User:
    return make.make_user(role="agent", username="agnes")


@pytest.fixture
def tagged_solved_thread(make) -> Thread:
    """A question with tags, a hidden reply, another reply, and an accepted answer by a named helper."""
    asker = make.make_user(username="ana")
    helper = make.make_user(username="helen", display_name="Helen *the* Helper")
    thread = make.make_thread(author=asker, title="Router drops the connection every evening", tags=["router", "wifi"],
                              body="Every evening around 8 the connection drops for a minute.")
    hidden = make.make_reply(thread, body="Buy my miracle booster, HIDDEN-SPAM-42")
    moderation_state.hide_post(hidden, make.make_user(role="moderator"), "Spam")
    db.session.commit()
    make.make_reply(thread, body="Same here, OTHER-REPLY-17.")
    answer = make.make_reply(thread, author=helper, body="Switch the router to channel 11: the neighbours use 6.")
    qa.accept_solution(asker, thread, answer)
    return thread


def test_a_solved_thread_prefills_its_question_and_accepted_answer_naming_the_answers_author(
        tagged_solved_thread, proposer):
    prefill = sources.from_thread(proposer, tagged_solved_thread.id)
    assert prefill.title == "Router drops the connection every evening"
    question_part, answer_part = prefill.body.split("## The answer")
    assert question_part.startswith("## The question\n\nEvery evening around 8 the connection drops for a minute.")
    assert "Answered by Helen \\*the\\* Helper." in answer_part
    assert "Switch the router to channel 11: the neighbours use 6." in answer_part
    assert "HIDDEN-SPAM-42" not in prefill.body and "OTHER-REPLY-17" not in prefill.body
    assert prefill.category_id == tagged_solved_thread.category_id and prefill.tags == ["router", "wifi"]
    assert (prefill.source_thread_id, prefill.source_case_id) == (tagged_solved_thread.id, None)
    assert prefill.findings == []


def test_an_unsolved_thread_cannot_become_an_article(make, proposer):
    thread = make.make_thread(replies=2)
    with pytest.raises(Invalid) as refused:
        sources.from_thread(proposer, thread.id)
    assert refused.value.errors == {"thread": ["Only solved questions can become articles."]}


def test_a_member_without_the_article_privilege_is_refused(make, solved_thread):
    with pytest.raises(Forbidden):
        sources.from_thread(make.make_user(reputation=999), solved_thread.id)
    with pytest.raises(NotAuthenticated):
        sources.from_thread(None, solved_thread.id)


def test_a_thread_the_viewer_may_not_see_looks_absent(solved_thread, proposer):
    posting.delete_post(solved_thread.author, reading.question_post(solved_thread))
    for thread_id in (solved_thread.id, 987654, "12"):
        with pytest.raises(NotFound):
            sources.from_thread(proposer, thread_id)


def test_staff_who_see_a_hidden_question_still_cannot_copy_it(solved_thread, staff):
    moderation_state.hide_post(reading.question_post(solved_thread), staff, "Personal data")
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        sources.from_thread(staff, solved_thread.id)
    assert "hidden or deleted" in refused.value.errors["thread"][0]


def test_personal_data_in_the_thread_is_found_in_the_draft(make, proposer):
    asker = make.make_user()
    thread = make.make_thread(author=asker, body="The line on +44 20 7946 0958 drops every evening at home.")
    qa.accept_solution(asker, thread, make.make_reply(thread, body="Reset the router from its settings page."))
    prefill = sources.from_thread(proposer, thread.id)
    assert [finding.kind for finding in prefill.findings] == [Kind.PHONE]


def _worked_case(make, agent, resolution: str = RESOLUTION):
    """A customer's question escalated, talked over privately (a note, a message each way), then resolved."""
    customer = make.make_user()
    thread = make.make_thread(author=customer, title="Internet stops after the firmware update",
                              body="Since the update last night nothing loads.", tags=["firmware"])
    case, _ = cases.escalate_thread(customer, thread, "Nothing works")
    cases.post_message(agent, case, INTERNAL_NOTE, "internal")
    cases.post_message(agent, case, AGENT_TO_CUSTOMER, "customer")
    cases.post_message(customer, case, CUSTOMER_MESSAGE, "customer")
    if resolution:
        cases.resolve_case(agent, case, resolution)
    return case


def test_a_resolved_case_offers_the_public_question_and_its_resolution_only(make, agent):
    case = _worked_case(make, agent)
    prefill = sources.from_case(agent, case.id)
    assert prefill.title == "Internet stops after the firmware update"
    assert prefill.body == ("## The question\n\nSince the update last night nothing loads.\n\n"
                            f"## The solution\n\n{RESOLUTION}\n")
    for private in ("LBC-7731", "legacy billing", "KX-5521-PRIVATE", "AGENT-ASK-88"):
        assert private not in prefill.body and private not in prefill.title
    assert (prefill.source_case_id, prefill.source_thread_id) == (case.id, case.thread_id)
    assert prefill.tags == ["firmware"] and prefill.category_id == case.thread.category_id


def test_personal_data_in_a_resolution_is_found_in_the_draft(make, agent):
    case = _worked_case(make, agent, "Write to nora.k@example.org or call +44 20 7946 0958 to switch plans.")
    kinds = {finding.kind for finding in sources.from_case(agent, case.id).findings}
    assert kinds == {Kind.EMAIL, Kind.PHONE}


def test_an_open_or_reopened_case_cannot_become_an_article(make, agent):
    unresolved = _worked_case(make, agent, resolution="")
    with pytest.raises(Invalid) as refused:
        sources.from_case(agent, unresolved.id)
    assert "Only resolved cases" in refused.value.errors["case"][0]
    reopened = _worked_case(make, agent)
    cases.reopen_case(reopened.customer, reopened, "Still broken")
    with pytest.raises(Invalid):
        sources.from_case(agent, reopened.id)


def test_only_agents_may_turn_a_case_into_an_article(make, agent, proposer):
    case = _worked_case(make, agent)
    for outsider in (make.make_user(role="moderator"), proposer, case.customer):
        with pytest.raises(Forbidden):
            sources.from_case(outsider, case.id)
    with pytest.raises(NotAuthenticated):
        sources.from_case(None, case.id)
    with pytest.raises(NotFound):
        sources.from_case(agent, 987654)


# --- the buttons ---------------------------------------------------------------------------------------


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _signed_in(client, login_as, user: User | None):
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    return login_as(user) if user is not None else client


def test_the_thread_page_offers_turn_into_article_to_privileged_members_only(
        make, client, login_as, solved_thread, proposer):
    link = f'href="/kb/new?thread={solved_thread.id}"'
    assert link in _page(_signed_in(client, login_as, proposer), f"/t/{solved_thread.id}/{solved_thread.slug}")
    for viewer in (make.make_user(reputation=999), solved_thread.author, None):
        assert link not in _page(_signed_in(client, login_as, viewer), f"/t/{solved_thread.id}/{solved_thread.slug}")
    unsolved = make.make_thread(replies=1)
    assert "Turn into article" not in _page(_signed_in(client, login_as, proposer), f"/t/{unsolved.id}/{unsolved.slug}")


def test_a_thread_whose_answer_became_an_article_says_so_and_offers_no_second_one(
        client, login_as, solved_thread, proposer, make_article):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED, source_thread_id=solved_thread.id)
    db.session.refresh(solved_thread)
    assert solved_thread.article_id == article.id
    for viewer in (proposer, None):
        page = _page(_signed_in(client, login_as, viewer), f"/t/{solved_thread.id}/{solved_thread.slug}")
        assert "This answer is now an article." in page and f'href="/kb/{article.id}"' in page
        assert "Turn into article" not in page


def test_the_button_and_the_notice_cost_the_thread_page_no_query(
        make, login_as, count_queries, solved_thread, proposer, make_article):
    login_as(make.make_user(reputation=999))
    member_view = count_queries(f"/t/{solved_thread.id}/{solved_thread.slug}")
    login_as(proposer)
    assert count_queries(f"/t/{solved_thread.id}/{solved_thread.slug}") == member_view
    make_article(author=proposer, status=ArticleStatus.PUBLISHED, source_thread_id=solved_thread.id)
    assert count_queries(f"/t/{solved_thread.id}/{solved_thread.slug}") == member_view


def test_the_desk_offers_turn_into_article_on_resolved_cases_only(make, client, login_as, agent):
    resolved, open_case = _worked_case(make, agent), _worked_case(make, agent, resolution="")
    login_as(agent)
    assert f'href="/kb/new?case={resolved.id}"' in _page(client, f"/desk/cases/{resolved.id}")
    assert "/kb/new?case=" not in _page(client, f"/desk/cases/{open_case.id}")
