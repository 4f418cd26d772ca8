"""The thread page's posts come from renderings shared by viewers with the same answers (issue 21).

What a member sees must not depend on whether another viewer's visit filled the cache: the controls each
post offers are the ones the permission layer grants this viewer, counts and times are current, and the
forms carry this viewer's own CSRF token.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Post, Visibility
from forum.services import qa, reading
from forum.services.permissions import Action, Capabilities, can
from forum.web import post_blocks


@pytest.fixture(autouse=True)
def empty_block_cache():
    post_blocks.clear_cache()
    yield
    post_blocks.clear_cache()


def _without_tokens(html: str) -> str:
    """The page with each signed CSRF token (payload.timestamp.signature) blanked: they differ per request."""
    return re.sub(r"[\w-]{20,}\.[\w-]{4,8}\.[\w-]{20,}", "TOKEN", html)


def _busy_thread(make):
    """A question with a reply by each of: the asker, a member, a pending and a hidden one, and a deleted one."""
    asker = make.make_user(username="asker")
    thread = make.make_thread(author=asker, title="The router drops the line every evening")
    make.make_reply(thread, body="Same here, every evening at eight.")
    make.make_reply(thread, author=asker, body="Update: a firmware reset did not help.")
    pending = make.make_reply(thread, body="Waiting one.")
    pending.visibility = Visibility.PENDING.value
    hidden = make.make_reply(thread, body="Hidden one.")
    hidden.visibility = Visibility.HIDDEN.value
    deleted = make.make_reply(thread, body="Deleted one.")
    deleted.deleted_at = clock.now()
    return thread, asker, [reading.question_post(thread), *thread_replies(thread)]


def thread_replies(thread):
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(False))))


def _viewers(make, asker):
    suspended = make.make_user(username="suspended")
    suspended.suspended_until = clock.now() + timedelta(days=3)
    return {
        "asker": asker,
        "member": make.make_user(),
        "trusted member": make.make_user(reputation=2500),
        "advocate": make.make_user(role="advocate"),
        "moderator": make.make_user(role="moderator"),
        "agent": make.make_user(role="agent"),
        "suspended member": suspended,
        "unconfirmed member": make.make_user(verified=False),
    }


def _article(html: str, post_id: int) -> str:
    match = re.search(rf'<article class="post[^"]*"\s+id="p{post_id}".*?</article>', html, re.S)
    return match.group(0) if match else ""


VIEWER_ACTIONS = [Action.POST_EDIT, Action.POST_DELETE, Action.POST_FLAG, Action.POST_VOTE, Action.POST_HISTORY]


def test_every_post_offers_exactly_the_controls_the_permission_layer_grants_each_viewer(make, client, login_as):
    thread, asker, posts = _busy_thread(make)
    for post in posts:
        post.edited_at = post.created_at  # so the history link is a question too
    for name, viewer in _viewers(make, asker).items():
        login_as(viewer)
        html = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
        moderator = Capabilities.of(viewer).moderator
        for post in posts:
            article = _article(html, post.id)
            readable = moderator or (not post.is_deleted and (post.is_public or post.author_id == viewer.id))
            assert bool(article) == readable, (name, post.id)
            if not article:
                continue
            shows = {
                Action.POST_EDIT: f"/p/{post.id}/edit" in article,
                Action.POST_DELETE: f"/p/{post.id}/delete" in article,
                Action.POST_FLAG: f'id="flag-{post.id}"' in article,
                Action.POST_VOTE: f"/p/{post.id}/helpful" in article,
                Action.POST_HISTORY: f"/p/{post.id}/history" in article,
            }
            allowed = {action: can(viewer, action, post) for action in VIEWER_ACTIONS}
            allowed[Action.POST_FLAG] = allowed[Action.POST_FLAG] and not moderator  # they get "Moderate"
            allowed[Action.POST_VOTE] = allowed[Action.POST_VOTE] and post.author_id != viewer.id
            assert shows == allowed, (name, post.id)


def test_a_page_built_from_shared_renderings_is_the_page_built_afresh(make, client, login_as, app):
    thread, asker, _posts = _busy_thread(make)
    for name, viewer in _viewers(make, asker).items():
        login_as(viewer)
        app.config["POST_BLOCK_CACHE"] = False
        try:
            fresh = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
        finally:
            app.config["POST_BLOCK_CACHE"] = True
        first = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
        again = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
        assert _without_tokens(first) == _without_tokens(fresh), name
        assert _without_tokens(again) == _without_tokens(fresh), name


def test_members_sharing_a_rendering_each_get_their_own_working_csrf_token(make, app, db):
    thread = make.make_thread(title="Which channel does the router use at night")
    reply = make.make_reply(thread)
    first, second = make.make_user(), make.make_user()
    pages = {}
    for member in (first, second):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = make.session_key_for(member)
        html = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
        vote_form = re.search(rf'action="/p/{reply.id}/helpful".*?value="([^"]+)"', _article(html, reply.id), re.S)
        pages[member.id] = (client, vote_form.group(1))
    assert pages[first.id][1] != pages[second.id][1]
    assert "\x00" not in html
    # The second member's page came from the first one's rendering; its token works for the second only.
    client, token = pages[second.id]
    refused = client.post(f"/p/{reply.id}/helpful", data={"csrf_token": pages[first.id][1]}, csrf=False)
    assert refused.status_code == 400
    assert client.post(f"/p/{reply.id}/helpful", data={"csrf_token": token}, csrf=False).status_code in (302, 303)
    assert reply.id in qa.voted_post_ids(second, [reply.id])


def test_what_changed_since_the_last_visit_shows_at_once(make, client, login_as, clock_at):
    thread = make.make_thread(title="Router keeps restarting after the update")
    reply = make.make_reply(thread, body="Turn off automatic updates.")
    reader = make.make_user()
    login_as(reader)
    before = _article(client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True), reply.id)
    assert "just now" in before and "Helpful (0)" in before
    clock_at.advance(hours=3)
    assert "3 hr ago" in _article(client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True), reply.id)
    qa.vote_helpful(make.make_user(), reply)
    assert "Helpful (1)" in _article(client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True), reply.id)
    reply.author.display_name = "Renamed Helper"
    db.session.commit()
    assert "Renamed Helper" in _article(client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True), reply.id)


def test_the_rendering_cache_keeps_to_its_byte_budget():
    renderings = post_blocks._Renderings(budget=10_000)
    author = post_blocks.AuthorView(1, "a", "A", 0, "member", False, None)
    moment = clock.now()
    for number in range(100):
        block = post_blocks.PostBlock(
            id=number, label="Reply", author=author, is_question=False, solution=False, body_html="x" * 100,
            visibility="public", moderation_note=None, created_at=moment, created_ago="just now",
            edited_at=None, edited_ago="", deleted_at=None, deleted_ago="", may_see_history=False,
            may_edit=False, may_delete=False, may_flag=False, moderating=False, qa=None,
        )
        renderings.put((block, ""), "y" * 400)
    assert renderings.used <= 10_000 and len(renderings.entries) == 20
    assert renderings.get((block, "")) == "y" * 400  # the latest stays


def _signed_in_client(app, make, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = make.session_key_for(user)
    return client


def test_a_block_rendered_under_a_url_prefix_is_not_shown_to_a_request_without_it(make, app):
    """Links in a block come from url_for, which follows where the app is mounted (reviewer R1's probe)."""
    thread = make.make_thread(title="Router drops at night")
    reply = make.make_reply(thread)
    _signed_in_client(app, make, make.make_user()).get(f"/t/{thread.id}/{thread.slug}", base_url="http://localhost/community/")
    html = _signed_in_client(app, make, make.make_user()).get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
    article = _article(html, reply.id)
    assert f'action="/p/{reply.id}/helpful"' in article and "/community/" not in article
