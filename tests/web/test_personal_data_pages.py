"""The personal-data guard on the pages: the warning before posting, sending details privately, staff moves, ratings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import cases
from forum.core.extensions import db
from forum.models import Case, CaseMessage, Post, Thread
from forum.services import reading
from tests.web.helpers import BACK, FORBIDDEN, OK, SIGN_IN, expect, text

CARD = "4111 1111 1111 1111"
WARNING = "This looks like personal data"
SEND_PRIVATELY = "Send it privately to the support team"
POST_PUBLICLY = "Post it publicly anyway"


def thread_count() -> int:
    return db.session.scalar(select(func.count(Thread.id)))


def reply_bodies(thread: Thread) -> list[str]:
    return list(db.session.scalars(select(Post.body).where(Post.thread_id == thread.id, Post.is_question.is_(False))))


@pytest.fixture
def ask_form(community) -> dict[str, str]:
    return {"category_id": str(community.category.id), "kind": "question", "title": "Charged twice this month",
            "body": f"My card {CARD} was charged twice.", "tags": ""}


# --- asking ---------------------------------------------------------------------------------------

def test_asking_with_a_card_number_warns_first_and_posts_nothing(act_as, ask_form):
    before = thread_count()
    response = act_as("author").post("/ask", data=ask_form)
    page = text(response)
    assert response.status_code == OK and WARNING in page
    assert "a card number (••• 1111)" in page and SEND_PRIVATELY in page and POST_PUBLICLY in page
    assert thread_count() == before


def test_posting_publicly_anyway_keeps_the_text(act_as, ask_form):
    response = act_as("author").post("/ask", data={**ask_form, "personal_data": "public"})
    expect(response, BACK)
    thread = db.session.scalars(select(Thread).order_by(Thread.id.desc())).first()
    assert reading.question_post(thread).body == ask_form["body"]
    assert cases.open_case_for(thread) is None


def test_sending_privately_posts_a_redacted_question_and_opens_a_case(act_as, community, ask_form):
    client = act_as("author")
    response = client.post("/ask", data={**ask_form, "personal_data": "private"})
    expect(response, BACK)
    thread = db.session.scalars(select(Thread).order_by(Thread.id.desc())).first()
    assert reading.question_post(thread).body == "My card [card number removed] was charged twice."
    case = cases.open_case_for(thread)
    assert case.customer_id == community.author.id
    assert [m.body for m in cases.messages_for(community.author, case)] == [ask_form["body"]]
    public_page = text(act_as("other").get(response.headers["Location"]))
    assert "1111" not in public_page and "[card number removed]" in public_page


def test_a_question_without_personal_data_is_posted_at_once(act_as, ask_form):
    response = act_as("author").post("/ask", data={**ask_form, "body": "Order #100234567 on v3.12.1 failed."})
    expect(response, BACK)


# --- replying -------------------------------------------------------------------------------------

def test_the_asker_is_warned_and_may_send_a_reply_privately(act_as, community):
    client = act_as("author")
    url = f"/t/{community.thread.id}/reply"
    body = "You can reach me at jane@example.com"
    page = text(client.post(url, data={"body": body}))
    assert WARNING in page and "an email address (j•••@example.com)" in page and SEND_PRIVATELY in page
    assert body not in reply_bodies(community.thread)

    response = client.post(url, data={"body": body, "personal_data": "private"})
    case = cases.open_case_for(community.thread)
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/cases/{case.id}")
    assert [m.body for m in cases.messages_for(community.author, case)] == [body]
    assert body not in reply_bodies(community.thread)


def test_someone_else_may_only_post_publicly_or_change_the_text(act_as, community):
    client = act_as("other")
    url = f"/t/{community.thread.id}/reply"
    body = "My number is +44 20 7946 0958 if you want to talk."
    page = text(client.post(url, data={"body": body}))
    assert WARNING in page and POST_PUBLICLY in page and SEND_PRIVATELY not in page
    expect(client.post(url, data={"body": body, "personal_data": "private"}), FORBIDDEN)
    assert cases.open_case_for(community.thread) is None
    expect(client.post(url, data={"body": body, "personal_data": "public"}), BACK)
    assert body in reply_bodies(community.thread)


# --- the desk: moving a post, rating the escalation -----------------------------------------------

@pytest.fixture
def agent(make):
    return make.make_user(role="agent", username="agentsmith")


@pytest.fixture
def leaky(community, make):
    """The asker's reply with their card number, and the case for the thread."""
    post = make.make_reply(community.thread, author=community.author, body=f"It was card {CARD}.")
    case, _ = cases.escalate_thread(community.author, community.thread, "Charged twice")
    return post, case


def test_the_desk_offers_to_move_posts_holding_personal_data(switch_user, agent, leaky, community):
    post, case = leaky
    page = text(switch_user(agent).get(f"/desk/cases/{case.id}"))
    assert f"/desk/cases/{case.id}/posts/{post.id}/move-private" in page
    assert f"/posts/{community.reply.id}/move-private" not in page  # nothing personal in that one


def test_an_agent_moves_a_post_into_the_case(switch_user, agent, leaky):
    post, case = leaky
    client = switch_user(agent)
    response = client.post(f"/desk/cases/{case.id}/posts/{post.id}/move-private", data={"reason": "card"})
    expect(response, BACK)
    db.session.refresh(post)
    assert post.body == "It was card [card number removed]."
    assert [m.body for m in cases.messages_for(agent, case)] == [f"It was card {CARD}."]
    page = text(client.get(f"/desk/cases/{case.id}"))
    assert f"/posts/{post.id}/move-private" not in page


def test_moving_a_post_of_another_thread_is_refused(switch_user, agent, leaky, make):
    _post, case = leaky
    elsewhere = make.make_reply(make.make_thread(), body=f"card {CARD}")
    response = switch_user(agent).post(f"/desk/cases/{case.id}/posts/{elsewhere.id}/move-private", data={})
    assert response.status_code == 422 and "not on this case" in text(response)
    db.session.refresh(elsewhere)
    assert CARD in elsewhere.body


@pytest.mark.parametrize(("caller", "outcome"), [
    ("anonymous", SIGN_IN), ("author", FORBIDDEN), ("moderator", FORBIDDEN), ("advocate", FORBIDDEN),
])
def test_only_agents_move_posts_and_rate(act_as, leaky, caller, outcome):
    post, case = leaky
    client = act_as(caller)
    expect(client.post(f"/desk/cases/{case.id}/posts/{post.id}/move-private", data={}), outcome)
    expect(client.post(f"/desk/cases/{case.id}/rating", data={"rating": "needed"}), outcome)
    db.session.refresh(post)
    db.session.refresh(case)
    assert CARD in post.body and case.escalation_rating is None
    assert db.session.scalar(select(func.count(CaseMessage.id))) == 0


def test_an_agent_rates_the_escalation_on_the_case_page(switch_user, agent, leaky):
    _post, case = leaky
    client = switch_user(agent)
    assert "Escalation rating" in text(client.get(f"/desk/cases/{case.id}"))
    expect(client.post(f"/desk/cases/{case.id}/rating", data={"rating": "community_could_answer"}), BACK)
    db.session.refresh(case)
    assert (case.escalation_rating, case.rated_by_id) == ("community_could_answer", agent.id)
    page = text(client.get(f"/desk/cases/{case.id}"))
    assert "Rated community could answer by" in page


@pytest.mark.parametrize("value", ["", "excellent"])
def test_a_bad_rating_is_shown_on_the_form(switch_user, agent, leaky, value):
    _post, case = leaky
    response = switch_user(agent).post(f"/desk/cases/{case.id}/rating", data={"rating": value})
    assert response.status_code == 422 and "Choose needed" in text(response)
    db.session.refresh(case)
    assert case.escalation_rating is None


def test_the_customer_never_sees_the_rating(switch_user, agent, leaky, community):
    _post, case = leaky
    expect(switch_user(agent).post(f"/desk/cases/{case.id}/rating", data={"rating": "missing_information"}), BACK)
    page = text(switch_user(community.author).get(f"/cases/{case.id}"))
    assert "missing" not in page.lower() and "Escalation rating" not in page
    assert db.session.get(Case, case.id) is not None
