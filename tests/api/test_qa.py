"""Q&A routes: accepted solutions, helpful votes, "me too", watching, feedback and needs-info,
with the thread's status moving open → answered → solved → answered as people act on it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.api.support import assert_problem

CALLERS = ["anonymous", "member", "other", "advocate", "author", "moderator", "agent", "admin"]
STAFF = {"moderator", "agent", "admin"}


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"], title="Router drops wifi every night")


@pytest.fixture
def reply(make, cast, thread):
    """The answer of "helper", a member outside the parametrized callers."""
    return make.make_reply(thread, author=cast["helper"], body="Switch to channel 6.")


def shown(call_as, thread, who: str = "anonymous") -> dict:
    response = call_as(who).get(f"/api/v1/threads/{thread.id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def replies(call_as, thread, who: str = "anonymous", **params) -> list[dict]:
    response = call_as(who).get(f"/api/v1/threads/{thread.id}/posts", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def accept(call_as, who, thread, post_id):
    return call_as(who).put(f"/api/v1/threads/{thread.id}/accepted", json={"post_id": post_id})


def delete_thread(call_as, thread) -> None:
    first_post = shown(call_as, thread)["first_post"]["id"]
    assert call_as("moderator").delete(f"/api/v1/posts/{first_post}", json={"reason": "Spam"}).status_code == 204


# --- PUT/DELETE /threads/{id}/accepted -----------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_the_asker_and_staff_accept_a_solution(call_as, cast, thread, reply, who):
    response = accept(call_as, who, thread, reply.id)
    if who not in STAFF | {"author"}:
        assert_problem(response, 401 if who == "anonymous" else 403)
        assert shown(call_as, thread)["status"] == "answered"
        assert shown(call_as, thread)["accepted_post_id"] is None
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    solved = response.get_json()
    assert solved["status"] == "solved" and solved["accepted_post_id"] == reply.id
    assert solved["solved_by"] == "community" and solved["solved_at"]
    assert shown(call_as, thread)["accepted_post_id"] == reply.id
    assert [(p["id"], p["is_accepted"]) for p in replies(call_as, thread)] == [(reply.id, True)]


@pytest.mark.parametrize("who", CALLERS)
def test_the_asker_and_staff_remove_the_solution(call_as, thread, reply, who):
    assert accept(call_as, "author", thread, reply.id).status_code == 200
    response = call_as(who).delete(f"/api/v1/threads/{thread.id}/accepted")
    if who not in STAFF | {"author"}:
        assert_problem(response, 401 if who == "anonymous" else 403)
        assert shown(call_as, thread)["status"] == "solved"
        return
    assert response.status_code == 200
    thread_now = response.get_json()
    assert thread_now["status"] == "answered" and thread_now["accepted_post_id"] is None
    assert thread_now["solved_by"] is None
    assert replies(call_as, thread)[0]["is_accepted"] is False


@pytest.mark.parametrize("changer", ["author", "moderator", "agent"])
def test_the_solution_can_be_changed_and_only_one_is_accepted(call_as, make, thread, reply, changer):
    second = make.make_reply(thread, body="Update the firmware.")
    assert accept(call_as, "author", thread, reply.id).status_code == 200
    response = accept(call_as, changer, thread, second.id)
    assert response.status_code == 200 and response.get_json()["accepted_post_id"] == second.id
    flags = {p["id"]: p["is_accepted"] for p in replies(call_as, thread)}
    assert flags == {reply.id: False, second.id: True}


def test_a_staff_reply_solves_it_for_support(call_as, make, cast, thread):
    answer = make.make_reply(thread, author=cast["agent"], body="We fixed it on our side.")
    solved = accept(call_as, "author", thread, answer.id).get_json()
    assert solved["solved_by"] == "support"
    assert replies(call_as, thread)[0]["is_staff"] is True


def test_accepting_the_accepted_reply_again_changes_nothing(call_as, thread, reply, clock_at):
    first = accept(call_as, "author", thread, reply.id).get_json()
    clock_at.advance(hours=1)
    again = accept(call_as, "author", thread, reply.id)
    assert again.status_code == 200 and again.get_json()["solved_at"] == first["solved_at"]
    kinds = [n["kind"] for n in call_as("helper").get("/api/v1/notifications").get_json()["items"]]
    assert kinds.count("accepted") == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"post_id": None}, {"post_id": "1"}, {"post_id": 1.5}, {"post_id": True}, {"post_id": 0},
     {"post_id": -1}, {"post_id": 10**20}, {"post_id": 999999}, {"post_id": [1]}],
)
def test_a_bad_post_id_is_a_422(call_as, thread, reply, body):
    assert_problem(call_as("author").put(f"/api/v1/threads/{thread.id}/accepted", json=body), 422, "post_id")
    assert shown(call_as, thread)["status"] == "answered"


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_only_a_visible_reply_of_this_thread_can_be_accepted(call_as, make, thread, reply, who):
    other_thread_reply = make.make_reply(make.make_thread(), body="Elsewhere.")
    question = shown(call_as, thread)["first_post"]["id"]
    deleted = make.make_reply(thread, body="Gone soon.")
    assert call_as("moderator").delete(f"/api/v1/posts/{deleted.id}", json={"reason": "Spam"}).status_code == 204
    for post_id in (other_thread_reply.id, question, deleted.id):
        assert_problem(accept(call_as, who, thread, post_id), 422, "post_id")


def test_discussions_have_no_solution(call_as, make, cast):
    discussion = make.make_thread(author=cast["author"], kind="discussion")
    answer = make.make_reply(discussion)
    assert_problem(accept(call_as, "author", discussion, answer.id), 409)
    assert_problem(call_as("moderator").delete(f"/api/v1/threads/{discussion.id}/accepted"), 409)
    assert shown(call_as, discussion)["accepted_post_id"] is None


def test_refusals_come_before_reading_the_body(call_as, thread, reply):
    response = call_as("member").open(f"/api/v1/threads/{thread.id}/accepted", method="PUT", data="{nope",
                                      content_type="application/json")
    assert_problem(response, 403)


@pytest.mark.parametrize("who", ["author", "member", "advocate"])
def test_accepting_on_an_invisible_or_unknown_thread_is_a_404(call_as, thread, reply, who):
    delete_thread(call_as, thread)
    assert_problem(accept(call_as, who, thread, reply.id), 404)
    assert_problem(call_as(who).delete(f"/api/v1/threads/{thread.id}/accepted"), 404)
    assert_problem(call_as(who).put("/api/v1/threads/99999999/accepted", json={"post_id": reply.id}), 404)


def test_deleting_the_accepted_reply_unsolves_the_thread(call_as, thread, reply):
    accept(call_as, "author", thread, reply.id)
    assert call_as("moderator").delete(f"/api/v1/posts/{reply.id}", json={"reason": "Spam"}).status_code == 204
    after = shown(call_as, thread)
    assert after["accepted_post_id"] is None and after["status"] == "open"


# --- status transitions, seen through GET /threads/{id} -------------------------------------------


def test_status_goes_open_answered_solved_and_back(call_as, cast, thread):
    assert shown(call_as, thread)["status"] == "open"
    own = call_as("author").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Still broken."}).get_json()
    assert shown(call_as, thread)["status"] == "open"  # the asker's own follow-up answers nothing
    answer = call_as("member").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Try channel 1."}).get_json()
    assert shown(call_as, thread)["status"] == "answered"
    assert accept(call_as, "author", thread, answer["id"]).status_code == 200
    assert shown(call_as, thread)["status"] == "solved"
    call_as("author").delete(f"/api/v1/threads/{thread.id}/accepted")
    assert shown(call_as, thread)["status"] == "answered"
    assert own["id"] != answer["id"]


def test_a_question_solved_by_the_askers_own_reply_falls_back_to_open(call_as, thread):
    own = call_as("author").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Fixed: new cable."}).get_json()
    assert accept(call_as, "author", thread, own["id"]).get_json()["status"] == "solved"
    assert call_as("author").delete(f"/api/v1/threads/{thread.id}/accepted").get_json()["status"] == "open"


def test_needs_info_and_back(call_as, thread, reply):
    asked = call_as("advocate").post(f"/api/v1/threads/{thread.id}/needs-info",
                                     json={"note": "Which router model is it?"})
    assert asked.status_code == 200
    assert asked.get_json()["status"] == "needs_info"
    info = shown(call_as, thread)["needs_info"]
    assert info["note"] == "Which router model is it?" and info["since"]
    cleared = call_as("author").delete(f"/api/v1/threads/{thread.id}/needs-info")
    assert cleared.status_code == 200 and cleared.get_json()["status"] == "answered"
    assert shown(call_as, thread)["needs_info"] is None


def test_the_askers_reply_answers_a_needs_info_request(call_as, thread):
    call_as("moderator").post(f"/api/v1/threads/{thread.id}/needs-info", json={"note": "Which model?"})
    assert shown(call_as, thread)["status"] == "needs_info"
    call_as("author").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "It is the XR500."})
    after = shown(call_as, thread)
    assert after["status"] == "open" and after["needs_info"] is None


# --- POST/DELETE /threads/{id}/needs-info --------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_advocates_and_staff_ask_for_more_information(call_as, thread, who):
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/needs-info", json={"note": "Which model?"})
    if who not in STAFF | {"advocate"}:
        assert_problem(response, 401 if who == "anonymous" else 403)
        assert shown(call_as, thread)["status"] == "open"
        return
    assert response.status_code == 200 and response.get_json()["needs_info"]["note"] == "Which model?"
    kinds = [n["kind"] for n in call_as("author").get("/api/v1/notifications").get_json()["items"]]
    assert "needs_info" in kinds


@pytest.mark.parametrize("who", CALLERS)
def test_the_asker_and_staff_clear_the_request(call_as, thread, who):
    call_as("advocate").post(f"/api/v1/threads/{thread.id}/needs-info", json={"note": "Which model?"})
    response = call_as(who).delete(f"/api/v1/threads/{thread.id}/needs-info")
    if who not in STAFF | {"author"}:
        assert_problem(response, 401 if who == "anonymous" else 403)
        assert shown(call_as, thread)["status"] == "needs_info"
        return
    assert response.status_code == 200 and response.get_json()["status"] == "open"


@pytest.mark.parametrize(
    "body",
    [{}, {"note": None}, {"note": ""}, {"note": "   "}, {"note": 5}, {"note": ["which?"]}, {"note": "x" * 1001}],
)
def test_a_needs_info_request_needs_a_note(call_as, thread, body):
    assert_problem(call_as("advocate").post(f"/api/v1/threads/{thread.id}/needs-info", json=body), 422, "note")


def test_members_are_refused_before_their_note_is_checked(call_as, thread):
    assert_problem(call_as("member").post(f"/api/v1/threads/{thread.id}/needs-info", json={}), 403)


def test_only_open_or_answered_questions_can_wait_for_information(call_as, make, cast, thread, reply):
    discussion = make.make_thread(author=cast["author"], kind="discussion")
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{discussion.id}/needs-info",
                                             json={"note": "Which model?"}), 409)
    accept(call_as, "author", thread, reply.id)
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{thread.id}/needs-info",
                                             json={"note": "Which model?"}), 409)
    assert shown(call_as, thread)["status"] == "solved"


def test_needs_info_on_an_invisible_thread_is_a_404(call_as, thread):
    delete_thread(call_as, thread)
    assert_problem(call_as("advocate").post(f"/api/v1/threads/{thread.id}/needs-info", json={"note": "Hm?"}), 404)
    assert_problem(call_as("author").delete(f"/api/v1/threads/{thread.id}/needs-info"), 404)


# --- POST/DELETE /posts/{id}/votes ---------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_signed_in_users_vote_helpful_but_not_on_their_own_post(call_as, make, cast, thread, who):
    post = make.make_reply(thread, author=cast["author"], body="Rebooting fixed it for a day.")
    response = call_as(who).post(f"/api/v1/posts/{post.id}/votes")
    if who in ("anonymous", "author"):
        assert_problem(response, 401 if who == "anonymous" else 403)
        assert replies(call_as, thread)[0]["vote_count"] == 0
        return
    assert response.status_code == 200 and response.get_json() == {"vote_count": 1}
    assert replies(call_as, thread, who)[0]["vote_count"] == 1
    assert replies(call_as, thread, who)[0]["viewer"] == {"voted": True}


def test_voting_twice_counts_once_and_withdrawing_takes_it_back(call_as, thread, reply):
    member, other = call_as("member"), call_as("other")
    assert member.post(f"/api/v1/posts/{reply.id}/votes").get_json() == {"vote_count": 1}
    assert member.post(f"/api/v1/posts/{reply.id}/votes").get_json() == {"vote_count": 1}
    assert other.post(f"/api/v1/posts/{reply.id}/votes").get_json() == {"vote_count": 2}
    assert member.delete(f"/api/v1/posts/{reply.id}/votes").get_json() == {"vote_count": 1}
    assert member.delete(f"/api/v1/posts/{reply.id}/votes").get_json() == {"vote_count": 1}
    listed = replies(call_as, thread, "member")[0]
    assert listed["vote_count"] == 1 and listed["viewer"] == {"voted": False}
    assert "viewer" not in replies(call_as, thread)[0]


def test_withdrawing_on_your_own_post_is_a_403(call_as, reply):
    assert_problem(call_as("helper").delete(f"/api/v1/posts/{reply.id}/votes"), 403)


def test_votes_on_the_question_count_on_the_thread(call_as, thread):
    question = shown(call_as, thread)["first_post"]["id"]
    call_as("member").post(f"/api/v1/posts/{question}/votes")
    call_as("other").post(f"/api/v1/posts/{question}/votes")
    assert_problem(call_as("author").post(f"/api/v1/posts/{question}/votes"), 403)
    seen = shown(call_as, thread, "member")
    assert seen["vote_count"] == 2 and seen["first_post"]["vote_count"] == 2
    assert seen["viewer"]["voted"] is True and seen["first_post"]["viewer"] == {"voted": True}
    assert shown(call_as, thread, "advocate")["viewer"]["voted"] is False


@pytest.mark.parametrize("post_id", ["999999", "0", "-1", "99999999999999999999", "abc"])
def test_voting_on_an_unknown_post_is_a_404(call_as, db, post_id):
    assert_problem(call_as("member").post(f"/api/v1/posts/{post_id}/votes"), 404)
    assert_problem(call_as("member").delete(f"/api/v1/posts/{post_id}/votes"), 404)


def test_voting_on_a_deleted_post_is_a_404(call_as, reply):
    assert call_as("moderator").delete(f"/api/v1/posts/{reply.id}", json={"reason": "Spam"}).status_code == 204
    assert_problem(call_as("member").post(f"/api/v1/posts/{reply.id}/votes"), 404)


def test_the_author_hears_of_votes_in_one_batched_notification(call_as, reply):
    call_as("member").post(f"/api/v1/posts/{reply.id}/votes")
    call_as("other").post(f"/api/v1/posts/{reply.id}/votes")
    items = call_as("helper").get("/api/v1/notifications").get_json()["items"]
    votes = [n for n in items if n["kind"] == "votes"]
    assert len(votes) == 1 and votes[0]["count"] == 2 and votes[0]["post_id"] == reply.id


# --- sorting by votes ----------------------------------------------------------------------------


def test_replies_sort_by_votes_with_the_accepted_one_first(call_as, make, thread, clock_at):
    posts = []
    for n in range(4):
        clock_at.advance(seconds=1)
        posts.append(make.make_reply(thread, body=f"Idea {n}"))
    for voter in ("member", "other", "advocate"):
        call_as(voter).post(f"/api/v1/posts/{posts[2].id}/votes")
    call_as("member").post(f"/api/v1/posts/{posts[1].id}/votes")
    accept(call_as, "author", thread, posts[3].id)
    expected = [posts[3].id, posts[2].id, posts[1].id, posts[0].id]
    assert [p["id"] for p in replies(call_as, thread, sort="votes")] == expected
    assert [p["id"] for p in replies(call_as, thread)] == [p.id for p in posts]
    assert [p["id"] for p in replies(call_as, thread, sort="oldest")] == [p.id for p in posts]
    paged = []
    cursor = None
    while True:
        params = {"sort": "votes", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = call_as("anonymous").get(f"/api/v1/threads/{thread.id}/posts", query_string=params).get_json()
        paged += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == expected


@pytest.mark.parametrize("sort", ["newest", "VOTES", "1"])
def test_an_unknown_reply_sort_is_a_422(call_as, thread, sort):
    assert_problem(call_as("anonymous").get(f"/api/v1/threads/{thread.id}/posts", query_string={"sort": sort}),
                   422, "sort")


def test_threads_sort_by_votes_on_the_question(call_as, make):
    category = make.make_category()
    made = [make.make_thread(category=category) for _ in range(3)]
    voters = ["member", "other", "advocate"]
    for thread, count in zip(made, (1, 3, 0), strict=True):
        question = shown(call_as, thread)["first_post"]["id"]
        for voter in voters[:count]:
            call_as(voter).post(f"/api/v1/posts/{question}/votes")
    listed = call_as("anonymous").get("/api/v1/threads", query_string={"category": category.id, "sort": "votes"})
    items = listed.get_json()["items"]
    assert [t["id"] for t in items] == [made[1].id, made[0].id, made[2].id]
    assert [t["vote_count"] for t in items] == [3, 1, 0]
    paged, cursor = [], None
    while True:
        params = {"category": category.id, "sort": "votes", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = call_as("anonymous").get("/api/v1/threads", query_string=params).get_json()
        paged += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == [made[1].id, made[0].id, made[2].id]


# --- POST/DELETE /threads/{id}/me-too ------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_signed_in_users_say_me_too(call_as, thread, who):
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/me-too")
    if who == "anonymous":
        assert_problem(response, 401)
        assert_problem(call_as(who).delete(f"/api/v1/threads/{thread.id}/me-too"), 401)
        return
    if who == "author":  # the asker already has this question
        assert_problem(response, 403)
        return
    assert response.status_code == 200 and response.get_json() == {"me_too_count": 1}
    assert shown(call_as, thread, who)["viewer"]["me_too"] is True
    assert call_as(who).delete(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 0}


def test_me_too_counts_each_person_once(call_as, thread):
    member, other = call_as("member"), call_as("other")
    assert member.post(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 1}
    assert member.post(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 1}
    assert other.post(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 2}
    assert member.delete(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 1}
    assert member.delete(f"/api/v1/threads/{thread.id}/me-too").get_json() == {"me_too_count": 1}
    assert shown(call_as, thread)["me_too_count"] == 1
    assert shown(call_as, thread, "member")["viewer"]["me_too"] is False
    assert shown(call_as, thread, "other")["viewer"]["me_too"] is True


def test_me_too_watches_the_thread(call_as, thread):
    assert shown(call_as, thread, "member")["viewer"] == {"voted": False, "me_too": False, "watching": False}
    call_as("member").post(f"/api/v1/threads/{thread.id}/me-too")
    assert shown(call_as, thread, "member")["viewer"]["watching"] is True
    call_as("other").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Same here, try channel 11."})
    kinds = [n["kind"] for n in call_as("member").get("/api/v1/notifications").get_json()["items"]]
    assert kinds == ["reply"]


def test_anonymous_readers_get_no_viewer_state(call_as, thread):
    assert "viewer" not in shown(call_as, thread)
    listed = call_as("member").get("/api/v1/threads").get_json()["items"]
    assert listed and all("viewer" not in item for item in listed)


@pytest.mark.parametrize("method", ["post", "delete"])
def test_me_too_on_an_invisible_or_unknown_thread_is_a_404(call_as, thread, method):
    delete_thread(call_as, thread)
    assert_problem(getattr(call_as("member"), method)(f"/api/v1/threads/{thread.id}/me-too"), 404)
    assert_problem(getattr(call_as("member"), method)("/api/v1/threads/999999/me-too"), 404)


# --- POST/DELETE /threads/{id}/subscription ------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_signed_in_users_watch_and_mute_threads(call_as, thread, who):
    watched = call_as(who).post(f"/api/v1/threads/{thread.id}/subscription")
    if who == "anonymous":
        assert_problem(watched, 401)
        assert_problem(call_as(who).delete(f"/api/v1/threads/{thread.id}/subscription"), 401)
        return
    assert watched.status_code == 204 and watched.get_data() == b""
    assert shown(call_as, thread, who)["viewer"]["watching"] is True
    muted = call_as(who).delete(f"/api/v1/threads/{thread.id}/subscription")
    assert muted.status_code == 204
    assert shown(call_as, thread, who)["viewer"]["watching"] is False


def test_watchers_hear_of_replies_and_a_mute_holds(call_as, thread):
    call_as("member").post(f"/api/v1/threads/{thread.id}/subscription")
    call_as("author").delete(f"/api/v1/threads/{thread.id}/subscription")  # the asker watched automatically
    call_as("other").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Try the 5 GHz band."})
    assert [n["kind"] for n in call_as("member").get("/api/v1/notifications").get_json()["items"]] == ["reply"]
    assert call_as("author").get("/api/v1/notifications").get_json()["items"] == []
    call_as("author").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Did not help."})
    call_as("other").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Then a new cable."})
    assert call_as("author").get("/api/v1/notifications").get_json()["items"] == []  # replying did not unmute


@pytest.mark.parametrize("method", ["post", "delete"])
def test_watching_an_invisible_thread_is_a_404(call_as, thread, method):
    delete_thread(call_as, thread)
    assert_problem(getattr(call_as("member"), method)(f"/api/v1/threads/{thread.id}/subscription"), 404)


# --- POST /threads/{id}/feedback -----------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_only_the_asker_gives_feedback(call_as, thread, who):
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/feedback",
                                 json={"resolved": True, "rating": 5, "comment": "Thanks!"})
    if who != "author":
        assert_problem(response, 401 if who == "anonymous" else 403)
        return
    assert response.status_code == 201
    given = response.get_json()
    assert given["thread_id"] == thread.id and given["resolved"] is True and given["rating"] == 5
    assert given["comment"] == "Thanks!" and given["offers_escalation"] is False
    assert given["id"] and given["created_at"].endswith("Z")


def test_not_resolved_offers_escalation(call_as, thread):
    response = call_as("author").post(f"/api/v1/threads/{thread.id}/feedback", json={"resolved": False})
    assert response.status_code == 201
    given = response.get_json()
    assert given["offers_escalation"] is True and given["rating"] is None and given["comment"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "resolved"),
        ({"resolved": None}, "resolved"),
        ({"resolved": "yes"}, "resolved"),
        ({"resolved": 1}, "resolved"),
        ({"resolved": True, "rating": 0}, "rating"),
        ({"resolved": True, "rating": 6}, "rating"),
        ({"resolved": True, "rating": "5"}, "rating"),
        ({"resolved": True, "rating": 4.5}, "rating"),
        ({"resolved": True, "rating": True}, "rating"),
        ({"resolved": True, "rating": 10**20}, "rating"),
        ({"resolved": True, "comment": 5}, "comment"),
        ({"resolved": True, "comment": []}, "comment"),
        ({"resolved": True, "comment": False}, "comment"),
        ({"resolved": True, "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_feedback_is_a_422_naming_the_field(call_as, thread, body, field):
    assert_problem(call_as("author").post(f"/api/v1/threads/{thread.id}/feedback", json=body), 422, field)


def test_others_are_refused_before_their_feedback_is_checked(call_as, thread):
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{thread.id}/feedback", json={"rating": 9}), 403)


def test_feedback_on_an_invisible_thread_is_a_404(call_as, thread):
    delete_thread(call_as, thread)
    assert_problem(call_as("author").post(f"/api/v1/threads/{thread.id}/feedback", json={"resolved": True}), 404)


# --- cost ----------------------------------------------------------------------------------------


@contextmanager
def counting_queries(db):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_reply_lists_cost_the_same_for_3_or_12_replies(call_as, make, db, cast, who):
    costs = []
    for size in (3, 12):
        thread = make.make_thread(author=cast["author"])
        posts = [make.make_reply(thread) for _ in range(size)]
        make.db.session.expire_all()
        api = call_as(who)
        api.get("/api/v1/me")  # warm the token: its first use in a while records last_used_at
        url = f"/api/v1/threads/{thread.id}/posts"
        with counting_queries(db) as statements:
            items = api.get(url, query_string={"sort": "votes"}).get_json()["items"]
        assert len(items) == size and {p["id"] for p in items} == {p.id for p in posts}
        costs.append(len(statements))
    assert costs[0] == costs[1] and costs[0] <= 7, costs
