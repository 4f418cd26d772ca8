"""Moderation pages: flag forms, the review queue, moderator controls, merged redirects, and who may use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.http.urls import thread_path
from forum.services import posting, reading
from moderation.models import Flag, ReviewItem
from moderation.services import flags
from tests.moderation_support import HOLD_WORD, audit_entries, holding, notified_kinds  # noqa: F401  (fixture)
from tests.web.helpers import BACK, FORBIDDEN, OK, SIGN_IN, expect, text


def open_item(post_id: int) -> ReviewItem:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post_id, ReviewItem.resolved_at.is_(None)))


def test_members_flag_a_post_from_its_disclosure(community, act_as):
    client = act_as("author")
    page = text(client.get(thread_path(community.thread)))
    assert f'action="/p/{community.reply.id}/flag"' in page and "<details class=\"flag-panel\"" in page
    prefix = f"flag-{community.reply.id}-"
    response = client.post(f"/p/{community.reply.id}/flag", data={prefix + "reason": "spam", prefix + "note": "ad"})
    expect(response, BACK)
    flag = db.session.scalar(select(Flag).where(Flag.post_id == community.reply.id))
    assert (flag.user_id, flag.reason, flag.note, flag.weight) == (community.author.id, "spam", "ad", 1)
    again = client.post(f"/p/{community.reply.id}/flag", data={prefix + "reason": "offensive"}, follow_redirects=True)
    assert "already flagged" in text(again)


def test_a_flag_without_a_reason_is_refused_with_a_message(community, act_as):
    response = act_as("author").post(f"/p/{community.reply.id}/flag", data={}, follow_redirects=True)
    assert "Choose a reason." in text(response)
    assert db.session.scalar(select(Flag)) is None


def test_flagging_ones_own_post_is_refused_before_the_form_is_read(community, act_as):
    response = act_as("other").post(f"/p/{community.reply.id}/flag", data={})
    assert response.status_code == 403
    assert db.session.scalar(select(Flag)) is None


def test_anonymous_visitors_see_no_flag_form_and_are_sent_to_sign_in(community, act_as):
    client = act_as("anonymous")
    assert "/flag\"" not in text(client.get(thread_path(community.thread)))
    expect(client.post(f"/p/{community.reply.id}/flag", data={"reason": "spam"}), SIGN_IN)


@pytest.mark.usefixtures("holding")
def test_a_held_reply_tells_its_author_it_waits_for_approval(community, act_as):
    client = act_as("other")
    response = client.post(f"/t/{community.thread.id}/reply", data={"body": f"See my site {HOLD_WORD}"},
                           follow_redirects=True)
    assert "Your post is waiting for a moderator&#39;s approval" in text(response)  # the flash
    assert "Waiting for a moderator's approval." in text(response)  # the post's own notice
    assert "See my site" not in text(act_as("advocate").get(thread_path(community.thread)))


def test_the_queue_shows_items_with_context_and_accesskeys(community, act_as, make):
    for _ in range(3):
        flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam", "Selling things"))
    page = text(act_as("moderator").get("/moderation/queue"))
    assert community.thread.title in page and "Selling things" in page
    assert "The author's history" in page and "flags upheld against them" in page
    assert 'accesskey="a"' in page and 'accesskey="h"' in page
    assert f"/moderation/users/{community.other.id}/suspend" in page
    assert "Review queue <span class=\"queue-count\">1" in page  # the staff menu's count


def test_a_decision_in_the_queue_applies_and_is_audited(community, act_as, make):
    flags.flag_post(make.make_user("moderator"), community.reply, flags.NewFlag("offensive"))
    assert community.reply.visibility == "hidden"
    item = open_item(community.reply.id)
    client = act_as("moderator")
    expect(client.post(f"/moderation/queue/{item.id}", data={"action": "approve", "note": "Fine"}), BACK)
    db.session.refresh(community.reply)
    assert community.reply.visibility == "public"
    assert [e.action for e in audit_entries()] == ["flags.hide", "queue.approve"]
    again = client.post(f"/moderation/queue/{item.id}", data={"action": "hide"}, follow_redirects=True)
    assert "already handled" in text(again)


def test_moderators_hide_and_unhide_from_the_post(community, act_as):
    client = act_as("moderator")
    page = text(client.get(thread_path(community.thread)))
    assert f"/moderation/posts/{community.reply.id}/hide" in page and "Moderate this thread" in page
    expect(client.post(f"/moderation/posts/{community.reply.id}/hide", data={"reason": "Off topic"}), BACK)
    db.session.refresh(community.reply)
    assert community.reply.visibility == "hidden"
    shown = text(client.get(thread_path(community.thread)))
    assert "Reason: Off topic" in shown and f"/moderation/posts/{community.reply.id}/unhide" in shown
    expect(client.post(f"/moderation/posts/{community.reply.id}/unhide", data={}), BACK)
    db.session.refresh(community.reply)
    assert community.reply.visibility == "public"


def test_lock_move_and_merge_from_the_thread_panel(community, act_as, make):
    client = act_as("moderator")
    thread = community.thread
    expect(client.post(f"/moderation/threads/{thread.id}/lock", data={"reason": "Heated"}), BACK)
    other_category = make.make_category()
    expect(client.post(f"/moderation/threads/{thread.id}/move", data={"move-category_id": other_category.id}), BACK)
    target = make.make_thread()
    response = client.post(f"/moderation/threads/{thread.id}/merge", data={"merge-target_id": target.id})
    assert response.headers["Location"].startswith(f"/t/{target.id}/")
    db.session.refresh(thread)
    assert thread.locked and thread.category_id == other_category.id and thread.merged_into_id == target.id
    assert [e.action for e in audit_entries()] == ["thread.lock", "thread.move", "thread.merge"]
    moved = act_as("anonymous").get(thread_path(thread))
    assert moved.status_code == 301 and moved.headers["Location"].startswith(f"/t/{target.id}/")


def test_a_merge_into_nowhere_is_refused_with_a_message(community, act_as):
    response = act_as("moderator").post(f"/moderation/threads/{community.thread.id}/merge",
                                        data={"merge-target_id": community.thread.id}, follow_redirects=True)
    assert "merged into itself" in text(response)
    assert community.thread.merged_into_id is None


def test_split_page_moves_checked_replies(community, act_as, make):
    second = make.make_reply(community.thread, body="A different problem: my modem blinks red.")
    client = act_as("moderator")
    page = text(client.get(f"/moderation/threads/{community.thread.id}/split"))
    assert f'value="{second.id}"' in page and "my modem blinks red" in page
    refused = client.post(f"/moderation/threads/{community.thread.id}/split", data={"title": "Modem blinks red light"})
    assert refused.status_code == 422 and "Choose one or more replies" in text(refused)
    response = client.post(f"/moderation/threads/{community.thread.id}/split",
                           data={"title": "Modem blinks red light", "post_ids": [str(second.id)]})
    expect(response, BACK)
    db.session.refresh(second)
    assert second.is_question and second.thread_id != community.thread.id


def _moderator_routes(community) -> list[tuple[str, str, dict]]:
    thread, reply = community.thread.id, community.reply.id
    return [
        ("get", "/moderation/queue", {}),
        ("post", "/moderation/queue/1", {"action": "approve"}),
        ("post", f"/moderation/posts/{reply}/hide", {"reason": "x"}),
        ("post", f"/moderation/posts/{reply}/unhide", {}),
        ("post", f"/moderation/posts/{reply}/restore", {}),
        *[("post", f"/moderation/threads/{thread}/{t}", {}) for t in ("lock", "unlock", "pin", "unpin")],
        ("post", f"/moderation/threads/{thread}/move", {"move-category_id": community.category.id}),
        ("post", f"/moderation/threads/{thread}/merge", {"merge-target_id": thread}),
        ("get", f"/moderation/threads/{thread}/split", {}),
        ("post", f"/moderation/threads/{thread}/split", {"title": "A perfectly fine title", "post_ids": [reply]}),
    ]


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("other", FORBIDDEN), ("advocate", FORBIDDEN)])
def test_everyone_below_moderator_is_refused_every_moderator_route(community, act_as, caller, outcome):
    client = act_as(caller)
    for method, url, data in _moderator_routes(community):
        expect(getattr(client, method)(url, data=data), outcome)
    assert audit_entries() == [] and not community.thread.locked


def test_trusted_advocates_use_the_queue_but_not_the_thread_controls(community, act_as, make):
    community.advocate.reputation = 1000
    db.session.commit()
    flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam"))
    client = act_as("advocate")
    expect(client.get("/moderation/queue"), OK)
    assert "Moderate this thread" not in text(client.get(thread_path(community.thread)))
    expect(client.post(f"/moderation/threads/{community.thread.id}/lock", data={}), FORBIDDEN)
    item = open_item(community.reply.id)
    expect(client.post(f"/moderation/queue/{item.id}", data={"action": "hide"}), BACK)
    db.session.refresh(community.reply)
    assert community.reply.visibility == "hidden"


def test_the_pending_question_page_tells_its_author(make, act_as, community, monkeypatch):
    thread = posting.start_thread(community.author, posting.NewThread(community.category.id, "Title long enough",
                                                                      "body"))
    reading.question_post(thread).visibility = "pending"
    thread.visibility = "pending"
    db.session.commit()
    page = text(act_as("author").get(thread_path(thread)))
    assert "Waiting for a moderator" in page
    expect(act_as("other").get(thread_path(thread)), 404)


def test_a_suspended_trusted_advocate_is_refused_every_moderation_route(community, switch_user, make, clock_at):
    flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam"))
    suspended = make.make_user("advocate")
    suspended.reputation = 5000
    suspended.suspended_until = clock_at.now + timedelta(days=2)
    db.session.commit()
    client = switch_user(suspended)
    item = open_item(community.reply.id)
    for method, url, data in _moderator_routes(community):
        expect(getattr(client, method)(url.replace("/queue/1", f"/queue/{item.id}"), data=data), FORBIDDEN)
    assert "Review queue" not in text(client.get("/"))
    assert item.is_open and audit_entries() == []


def test_every_moderation_form_refuses_a_post_without_its_csrf_token(community, act_as, make):
    flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam"))
    item = open_item(community.reply.id)
    client = act_as("moderator")
    for method, url, data in _moderator_routes(community):
        if method == "post":
            response = client.post(url.replace("/queue/1", f"/queue/{item.id}"), data=data, csrf=False)
            assert response.status_code == 400, url
    prefix = f"flag-{community.reply.id}-"
    assert act_as("other").post(f"/p/{community.reply.id}/flag", data={prefix + "reason": "spam"},
                                csrf=False).status_code == 400
    assert item.is_open and audit_entries() == [] and not community.thread.locked


def test_bad_moderation_input_gets_a_message_never_a_server_error(community, act_as, make):
    client, thread = act_as("moderator"), community.thread.id
    for url in ["/moderation/queue/99999999", "/moderation/queue/99999999999999999999999",
                "/moderation/posts/99999999/hide", "/moderation/threads/99999999/split", "/p/99999999/flag"]:
        expect(client.post(url, data={"reason": "x", "action": "hide"}), 404)
    for data in [{"merge-target_id": "99999999999999999999"}, {"merge-target_id": "abc"}, {"merge-target_id": "9999"}]:
        expect(client.post(f"/moderation/threads/{thread}/merge", data=data), BACK)
    for data in [{"move-category_id": "99999999999999999999"}, {"move-category_id": "abc"}, {}]:
        expect(client.post(f"/moderation/threads/{thread}/move", data=data), BACK)
    for chosen in (["99999999999999999999"], ["abc"], [str(community.question.id)]):
        data = {"title": "A fine new title", "post_ids": chosen}
        response = client.post(f"/moderation/threads/{thread}/split", data=data)
        assert response.status_code == 422 and "Choose" in text(response)
    expect(client.get("/moderation/queue?limit=abc&cursor=zzz"), 422)
    flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam"))
    item = open_item(community.reply.id)
    for data in [{}, {"action": "nuke"}, {"action": "hide", "note": "x" * 5000}]:
        expect(client.post(f"/moderation/queue/{item.id}", data=data), BACK)
    assert item.is_open and community.reply.visibility == "public"


@pytest.mark.usefixtures("holding")
def test_held_and_hidden_posts_appear_on_no_page_for_other_members(community, act_as, make, run_jobs):
    posting.start_thread(community.other, posting.NewThread(community.category.id, "Secret pending question",
                                                            f"Buy {HOLD_WORD} @asker", tags=["secrettag"]))
    posting.reply_to_thread(community.other, community.thread, f"Secret pending reply {HOLD_WORD} @asker")
    flags.flag_post(make.make_user("moderator"), make.make_reply(community.thread, body="Secret hidden reply"),
                    flags.NewFlag("offensive"))
    run_jobs()
    pages = ["/", f"/c/{community.category.slug}", thread_path(community.thread), f"/u/{community.other.username}",
             "/tags/secrettag", "/search?q=Secret", "/notifications", "/api/v1/threads", "/api/v1/search?q=Secret",
             f"/api/v1/threads/{community.thread.id}/posts", "/api/v1/search/similar?title=Secret+pending+question"]
    for who in ("anonymous", "author", "advocate"):
        client = act_as(who)
        for url in pages:
            response = client.get(url)
            shown = text(response)
            assert response.status_code in (200, 302, 404), (who, url)
            assert "Secret pending" not in shown and "Secret hidden" not in shown, (who, url)
    assert "mention" not in notified_kinds(community.author.id)  # the held posts' @asker waits for approval
