"""The thread page as a Q&A: solutions, helpful votes, "me too", sorting, needs-info, quoting and previews."""

from __future__ import annotations

import re

import pytest

from forum.models import Post
from tests.web.helpers import text


def _page(client, thread, **params) -> str:
    response = client.get(f"/t/{thread.id}/{thread.slug}", query_string=params)
    assert response.status_code == 200
    return text(response)


def _article_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="post[^"]*"\s+id="p(\d+)"', html)]


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


# --- accepting a solution ---------------------------------------------------------------------------------


def test_asker_accepts_a_reply_and_it_shows_under_the_question_as_the_solution(act_as, community, make, db):
    later = make.make_reply(community.thread, body="Unrelated later reply.")
    client = act_as("author")
    response = client.post(f"/p/{community.reply.id}/accept")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#p{community.reply.id}")
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id and community.thread.status == "solved"
    page = _page(client, community.thread)
    solution = _between(page, 'class="solution"', "</section>")
    assert "Solution" in solution and "solved by the community" in solution
    assert f'id="p{community.reply.id}"' in solution and "Unaccept" in solution
    assert _article_ids(page) == [community.question.id, community.reply.id, later.id]  # solution first
    assert "The accepted solution by helper is shown" in page  # in its place among the replies


def test_a_staff_answer_accepted_by_staff_shows_solved_by_support_with_the_staff_badge(act_as, community, make):
    staff_reply = make.make_reply(community.thread, author=community.moderator, body="Refunded the duplicate.")
    client = act_as("admin")
    assert client.post(f"/p/{staff_reply.id}/accept").status_code == 302
    solution = _between(_page(client, community.thread), 'class="solution"', "</section>")
    assert "solved by support" in solution and "badge-staff" in solution and "Refunded the duplicate." in solution


def test_the_asker_changes_the_solution_to_another_reply(act_as, community, make, db):
    better = make.make_reply(community.thread, body="Call billing; they reverse holds at once.")
    client = act_as("author")
    client.post(f"/p/{community.reply.id}/accept")
    assert "Accept this instead" in _page(client, community.thread)
    client.post(f"/p/{better.id}/accept")
    db.session.expire_all()
    assert community.thread.accepted_post_id == better.id


@pytest.mark.parametrize("caller", ["author", "moderator"])
def test_the_asker_or_staff_unaccept_and_the_thread_is_answered_again(act_as, community, db, caller):
    act_as("author").post(f"/p/{community.reply.id}/accept")
    response = act_as(caller).post(f"/t/{community.thread.id}/unaccept")
    assert response.status_code == 302
    db.session.expire_all()
    assert community.thread.accepted_post_id is None and community.thread.status == "answered"
    assert 'class="solution"' not in _page(act_as(caller), community.thread)


@pytest.mark.parametrize(("caller", "shown"), [("author", True), ("admin", True), ("other", False),
                                               ("advocate", False), ("anonymous", False)])
def test_accept_buttons_show_only_for_the_asker_and_staff(act_as, community, caller, shown):
    assert ("Accept as solution" in _page(act_as(caller), community.thread)) is shown


def test_accepting_the_question_itself_is_refused_with_a_reason(act_as, community, db):
    response = act_as("author").post(f"/p/{community.question.id}/accept")
    assert response.status_code == 422 and "Choose a visible reply in this thread." in text(response)
    db.session.expire_all()
    assert community.thread.accepted_post_id is None


def test_discussions_have_no_solutions(act_as, community, make):
    talk = make.make_thread(author=community.author, kind="discussion", title="Share your best tips")
    reply = make.make_reply(talk, author=community.other)
    client = act_as("author")
    assert "Accept as solution" not in _page(client, talk) and "Me too" not in _page(client, talk)
    response = client.post(f"/p/{reply.id}/accept")
    assert response.status_code == 409 and "Only questions have solutions." in text(response)


def test_accepting_a_reply_that_does_not_exist_is_not_found(act_as):
    assert act_as("author").post("/p/999999/accept").status_code == 404


# --- helpful votes ----------------------------------------------------------------------------------------


def test_a_helpful_vote_counts_once_shows_pressed_and_can_be_withdrawn(act_as, community, db):
    client = act_as("advocate")
    client.post(f"/p/{community.reply.id}/helpful")
    client.post(f"/p/{community.reply.id}/helpful")
    db.session.refresh(community.reply)
    assert community.reply.vote_count == 1
    page = _page(client, community.thread)
    assert f'action="/p/{community.reply.id}/helpful/withdraw"' in page
    assert re.search(r'aria-pressed="true">Helpful \(1\)', page)
    client.post(f"/p/{community.reply.id}/helpful/withdraw")
    db.session.refresh(community.reply)
    assert community.reply.vote_count == 0
    assert re.search(r'aria-pressed="false">Helpful \(0\)<span class="visually-hidden"> – reply by helper', _page(
        client, community.thread))


def test_nobody_can_vote_for_their_own_post(act_as, community, db):
    client = act_as("other")  # wrote the reply
    assert f'action="/p/{community.reply.id}/helpful"' not in _page(client, community.thread)
    response = client.post(f"/p/{community.reply.id}/helpful")
    assert response.status_code == 403 and "You can&#39;t vote for your own post." in text(response)
    db.session.refresh(community.reply)
    assert community.reply.vote_count == 0


def test_the_question_can_be_voted_helpful_too(act_as, community, db):
    act_as("other").post(f"/p/{community.question.id}/helpful")
    db.session.expire_all()
    assert community.question.vote_count == 1 and community.thread.vote_count == 1


def test_visitors_see_counts_but_no_vote_buttons(act_as, community):
    act_as("advocate").post(f"/p/{community.reply.id}/helpful")
    page = _page(act_as("anonymous"), community.thread)
    assert "1 found this helpful" in page and "/helpful" not in page and "aria-pressed" not in page


# --- me too -----------------------------------------------------------------------------------------------


def test_me_too_counts_once_per_person_and_can_be_withdrawn(act_as, community, db):
    client = act_as("other")
    client.post(f"/t/{community.thread.id}/me-too")
    client.post(f"/t/{community.thread.id}/me-too")
    act_as("advocate").post(f"/t/{community.thread.id}/me-too")
    db.session.refresh(community.thread)
    assert community.thread.me_too_count == 2
    page = _page(act_as("other"), community.thread)
    assert re.search(r'aria-pressed="true">Me too: I have this question too \(2\)', page)
    act_as("other").post(f"/t/{community.thread.id}/me-too/withdraw")
    db.session.refresh(community.thread)
    assert community.thread.me_too_count == 1


def test_the_asker_has_no_me_too_button_and_sees_the_count(act_as, community):
    act_as("other").post(f"/t/{community.thread.id}/me-too")
    page = _page(act_as("author"), community.thread)
    assert "/me-too" not in page and "1 person has this question too" in page


# --- sorting replies --------------------------------------------------------------------------------------


def test_replies_sort_by_most_helpful_with_the_accepted_one_first(act_as, community, make):
    quiet = make.make_reply(community.thread, body="Quiet reply")
    popular = make.make_reply(community.thread, body="Popular reply")
    for voter in ("advocate", "moderator"):
        act_as(voter).post(f"/p/{popular.id}/helpful")
    act_as("admin").post(f"/p/{quiet.id}/helpful")
    anonymous = act_as("anonymous")
    assert _article_ids(_page(anonymous, community.thread, sort="votes")) == [
        community.question.id, popular.id, quiet.id, community.reply.id]
    assert _article_ids(_page(anonymous, community.thread)) == [
        community.question.id, community.reply.id, quiet.id, popular.id]
    act_as("author").post(f"/p/{community.reply.id}/accept")
    page = _page(act_as("anonymous"), community.thread, sort="votes")
    replies = _between(page, 'id="replies-heading"', "</section>")
    assert replies.index("The accepted solution by helper") < replies.index(f'id="p{popular.id}"')


def test_an_unknown_reply_order_is_refused_with_a_message(client, community):
    response = client.get(f"/t/{community.thread.id}/{community.thread.slug}?sort=random")
    assert response.status_code == 422 and "Sort replies by oldest or votes." in text(response)


# --- needs more info --------------------------------------------------------------------------------------


def test_an_advocate_asks_for_more_info_and_the_asker_sees_the_banner_and_clears_it(act_as, community, db):
    response = act_as("advocate").post(f"/t/{community.thread.id}/needs-info", data={"note": "Which plan & card?"})
    assert response.status_code == 302
    page = _page(act_as("author"), community.thread)
    banner = _between(page, 'id="needs-info"', "</section>")
    assert "More information needed" in banner and "Which plan &amp; card?" in banner and "Clear" in banner
    assert 'id="ask-info"' not in page  # the asker cannot ask themselves
    act_as("author").post(f"/t/{community.thread.id}/needs-info/clear")
    db.session.expire_all()
    assert community.thread.status == "answered" and community.thread.needs_info_note is None


@pytest.mark.parametrize(("caller", "form_shown"), [("advocate", True), ("moderator", True), ("other", False),
                                                    ("author", False), ("anonymous", False)])
def test_the_request_info_form_is_offered_to_advocates_and_staff(act_as, community, caller, form_shown):
    assert ('id="ask-info"' in _page(act_as(caller), community.thread)) is form_shown


@pytest.mark.parametrize(("note", "message"), [("   ", "Say what information is missing."),
                                               ("x" * 1001, "Keep the note under 1,000 characters.")])
def test_a_bad_info_request_is_shown_with_its_message(act_as, community, db, note, message):
    response = act_as("moderator").post(f"/t/{community.thread.id}/needs-info", data={"note": note})
    assert response.status_code == 422 and message in text(response)
    assert 'id="ask-info" open' in text(response)
    db.session.expire_all()
    assert community.thread.status == "answered"


def test_a_solved_question_cannot_wait_for_more_info(act_as, community):
    act_as("author").post(f"/p/{community.reply.id}/accept")
    response = act_as("moderator").post(f"/t/{community.thread.id}/needs-info", data={"note": "More?"})
    assert response.status_code == 409 and "Only open questions can wait for more information." in text(response)


# --- quoting ----------------------------------------------------------------------------------------------


def test_quote_opens_the_reply_form_with_the_post_quoted_and_attributed(act_as, community, make):
    post = make.make_reply(community.thread, author=community.other, body="First line\n\nSecond <b>line</b>")
    page = _page(act_as("author"), community.thread, quote=post.id)
    textarea = _between(page, '<textarea aria-describedby="body-hint" id="body"', "</textarea>")
    assert f"**helper** [wrote](/t/{community.thread.id}/{community.thread.slug}#p{post.id}):" in textarea
    assert "&gt; First line\n&gt;\n&gt; Second &lt;b&gt;line&lt;/b&gt;" in textarea
    assert f'href="/t/{community.thread.id}/{community.thread.slug}?quote={post.id}#reply"' in page


def test_quoting_posts_of_another_thread_or_nonsense_is_handled(act_as, community, make):
    elsewhere = make.make_reply(make.make_thread(), body="Elsewhere")
    client = act_as("author")
    assert client.get(f"/t/{community.thread.id}/{community.thread.slug}?quote={elsewhere.id}").status_code == 404
    assert client.get(f"/t/{community.thread.id}/{community.thread.slug}?quote=999999").status_code == 404
    assert client.get(f"/t/{community.thread.id}/{community.thread.slug}?quote=abc").status_code == 200


# --- previews ---------------------------------------------------------------------------------------------

HOSTILE = "**Bold** <script>alert('x')</script> [x](javascript:alert(1))"


def test_the_preview_button_shows_the_sanitized_reply_and_posts_nothing(act_as, community, db):
    before = db.session.query(Post).count()
    response = act_as("author").post(f"/t/{community.thread.id}/reply", data={"body": HOSTILE, "preview": "1"})
    assert response.status_code == 200
    page = text(response)
    preview = _between(page, 'id="reply-preview"', "</div>\n        </div>")
    assert "<strong>Bold</strong>" in preview and "&lt;script&gt;" in preview and "<script>alert" not in page
    assert "href=\"javascript:" not in preview
    assert "&lt;script&gt;alert" in _between(page, 'id="body"', "</textarea>")  # the draft is kept
    db.session.expire_all()
    assert db.session.query(Post).count() == before and community.thread.reply_count == 1


def test_previewing_an_empty_reply_says_there_is_nothing_yet(act_as, community):
    response = act_as("author").post(f"/t/{community.thread.id}/reply", data={"body": "", "preview": "1"})
    assert response.status_code == 200 and "Nothing to preview yet." in text(response)


def test_the_live_preview_endpoint_returns_sanitized_html_and_posts_nothing(act_as, community, db):
    before = db.session.query(Post).count()
    response = act_as("other").post("/preview", data={"body": HOSTILE})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>Bold</strong>" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "href=\"javascript:" not in html
    assert db.session.query(Post).count() == before


def test_the_live_preview_refuses_oversized_drafts(act_as):
    response = act_as("other").post("/preview", data={"body": "x" * (64 * 1024 + 1)})
    assert response.status_code == 413 and "Too long to preview" in response.get_json()["error"]


def test_the_reply_form_loads_the_preview_script_with_a_csrf_meta_tag(act_as, community):
    page = _page(act_as("author"), community.thread)
    assert '<meta name="csrf-token" content="' in page
    assert '<script src="/static/preview.js" defer></script>' in page
    assert 'data-preview-url="/preview"' in page
    assert "preview.js" not in _page(act_as("anonymous"), community.thread)


def test_the_preview_script_is_served(client):
    response = client.get("/static/preview.js")
    assert response.status_code == 200 and "X-CSRFToken" in text(response)
