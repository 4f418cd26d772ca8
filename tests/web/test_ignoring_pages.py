"""Ignoring members from the pages (issue 22): the profile's button and the list, both without JavaScript,
and an ignored member's posts collapsed on the thread page for the one who ignores them, and nobody else."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from forum.accounts import blocks
from forum.core import clock
from forum.core.extensions import db
from forum.services import qa, reading
from forum.web import post_blocks
from tests.queries import count_statements
from tests.web.helpers import text


@pytest.fixture(autouse=True)
def empty_block_cache():
    post_blocks.clear_cache()
    yield
    post_blocks.clear_cache()


def ignore_button(page: str, user) -> re.Match | None:
    return re.search(rf'class="inline-form ignore-form" action="/settings/ignored/{user.id}">', page)


def stop_button(page: str, user) -> re.Match | None:
    return re.search(rf'action="/settings/ignored/{user.id}/remove"', page)


# ---- the profile's button and the list ---------------------------------------------------------------------------


def test_a_member_ignores_from_the_profile_and_stops_from_the_list(login_as, make):
    me, noisy = make.make_user(), make.make_user(username="noisy", display_name="Noisy Ned")
    client = login_as(me)
    profile = text(client.get("/u/noisy"))
    assert ignore_button(profile, noisy) and not stop_button(profile, noisy)
    assert 'name="csrf_token"' in profile  # a plain form: works without JavaScript

    done = client.post(f"/settings/ignored/{noisy.id}")
    assert done.status_code == 302 and done.headers["Location"].endswith("/u/noisy")
    assert blocks.ignores(me.id, noisy.id)
    profile = text(client.get("/u/noisy"))
    assert "You now ignore Noisy Ned" in profile and stop_button(profile, noisy) and not ignore_button(profile, noisy)
    again = client.post(f"/settings/ignored/{noisy.id}", follow_redirects=True)
    assert "Nothing changed: you already ignored Noisy Ned." in text(again)

    listing = text(client.get("/settings/ignored"))
    assert "Noisy Ned" in listing and "@noisy" in listing and stop_button(listing, noisy)
    assert 'aria-current="page">Ignored members</a>' in listing
    back = client.post(f"/settings/ignored/{noisy.id}/remove", data={"back": "list"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/settings/ignored")
    assert not blocks.ignores(me.id, noisy.id)
    after = text(client.get("/settings/ignored"))
    assert "You no longer ignore Noisy Ned." in after and "You are not ignoring anyone." in after


def test_no_button_on_your_own_profile_on_staff_or_when_signed_out(client, login_as, make):
    me, moderator = make.make_user(username="myself"), make.make_user(role="moderator", username="mod")
    other = make.make_user(username="other")
    assert not ignore_button(text(client.get("/u/other")), other)  # signed out
    login_as(me)
    assert not ignore_button(text(client.get("/u/myself")), me)
    assert not ignore_button(text(client.get("/u/mod")), moderator)


def test_ignoring_staff_or_yourself_from_the_page_says_why(login_as, make):
    me, moderator = make.make_user(), make.make_user(role="moderator", username="mod")
    client = login_as(me)
    page = client.post(f"/settings/ignored/{moderator.id}", follow_redirects=True)
    assert "Staff cannot be ignored" in text(page) and not blocks.ignores(me.id, moderator.id)
    assert "You cannot ignore yourself." in text(client.post(f"/settings/ignored/{me.id}", follow_redirects=True))


def test_a_suspended_member_gets_no_button_and_is_refused(login_as, make):
    me, noisy, other = make.make_user(), make.make_user(username="noisy"), make.make_user()
    blocks.ignore(me, other)
    me.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    client = login_as(me)
    profile = text(client.get("/u/noisy"))
    assert not ignore_button(profile, noisy) and not stop_button(profile, noisy)
    refused = client.post(f"/settings/ignored/{noisy.id}")
    assert refused.status_code == 403 and "Your account is suspended until" in text(refused)
    assert client.post(f"/settings/ignored/{other.id}/remove").status_code == 403
    assert not blocks.ignores(me.id, noisy.id) and blocks.ignores(me.id, other.id)
    assert client.get("/settings/ignored").status_code == 200  # reading the list stays open


def test_signed_out_visitors_are_sent_to_sign_in(client, make):
    target = make.make_user()
    assert client.get("/settings/ignored").headers["Location"].startswith("/auth/login")
    assert client.post(f"/settings/ignored/{target.id}").headers["Location"].startswith("/auth/login")


# ---- collapsed posts on the thread page --------------------------------------------------------------------------


def collapsed(page: str, post_id: int) -> bool:
    """Whether the post's article sits inside a collapsed <details> (the summary first, then the article)."""
    return re.search(rf'<details class="post-ignored">\s*<summary>[^<]*<span[^>]*>[^<]*</span></summary>\s*'
                     rf'<article [^>]*id="p{post_id}"', page) is not None


@pytest.fixture
def scene(make):
    """A question by "noisy" with a reply by noisy and one by a helper; "me" ignores noisy, "bystander" does not."""
    noisy, helper = make.make_user(username="noisy", display_name="Noisy Ned"), make.make_user(username="helper")
    me, bystander = make.make_user(username="myself"), make.make_user(username="bystander")
    thread = make.make_thread(author=noisy, title="My router is cursed", body="QUESTION-BODY")
    noisy_reply = make.make_reply(thread, author=noisy, body="NOISY-REPLY")
    helper_reply = make.make_reply(thread, author=helper, body="HELPER-REPLY")
    blocks.ignore(me, noisy)
    return {"thread": thread, "me": me, "bystander": bystander, "question": reading.question_post(thread),
            "noisy_reply": noisy_reply, "helper_reply": helper_reply, "noisy": noisy}


def test_an_ignored_members_posts_collapse_for_the_ignoring_member_only(login_as, client, scene):
    path = f"/t/{scene['thread'].id}/{scene['thread'].slug}"
    login_as(scene["me"])
    mine = text(client.get(path))
    assert collapsed(mine, scene["question"].id) and collapsed(mine, scene["noisy_reply"].id)
    assert not collapsed(mine, scene["helper_reply"].id)
    assert "Question by Noisy Ned, a member you ignore" in mine and "Reply by Noisy Ned, a member you ignore" in mine
    assert "NOISY-REPLY" in mine  # still there to expand, with no script

    login_as(scene["bystander"])
    theirs = text(client.get(path))
    assert "post-ignored" not in theirs and "NOISY-REPLY" in theirs

    client.post("/auth/logout")
    assert "post-ignored" not in text(client.get(path))


def test_the_same_post_renders_collapsed_for_one_viewer_and_open_for_another_from_the_cache(login_as, client, scene):
    """Both viewers are plain members with the same answers to every other question: only "collapsed" differs,
    so a cache keyed without it would serve one of them the other's rendering."""
    path = f"/t/{scene['thread'].id}/{scene['thread'].slug}"
    for first, second in (("bystander", "me"), ("me", "bystander")):
        post_blocks.clear_cache()
        login_as(scene[first])
        client.get(path)
        login_as(scene[second])
        page = text(client.get(path))
        assert collapsed(page, scene["noisy_reply"].id) is (second == "me")


def test_stopping_ignoring_opens_the_posts_again(login_as, client, scene):
    login_as(scene["me"])
    path = f"/t/{scene['thread'].id}/{scene['thread'].slug}"
    assert collapsed(text(client.get(path)), scene["noisy_reply"].id)
    blocks.unignore(scene["me"], scene["noisy"])
    assert not collapsed(text(client.get(path)), scene["noisy_reply"].id)


def test_a_staff_members_posts_never_collapse_even_from_an_old_ignore(login_as, client, scene):
    scene["noisy"].role = "moderator"
    db.session.commit()
    login_as(scene["me"])
    assert "post-ignored" not in text(client.get(f"/t/{scene['thread'].id}/{scene['thread'].slug}"))


def _thread_with_ignored_replies(make, me, count: int):
    thread = make.make_thread(tags=["wifi"])
    replies = [make.make_reply(thread) for _ in range(count)]
    for reply in replies[::2]:
        blocks.ignore(me, reply.author)
    qa.vote_helpful(me, replies[1])
    return thread


def test_ignoring_costs_the_thread_page_no_statement(make, login_as, client, count_queries: Callable):
    """The ignored authors come with the viewer's votes, me-too and watch (thread_marks): still six at most,
    whether the viewer ignores nobody, a few or many of the page's authors."""
    me = make.make_user()
    plain = make.make_thread(tags=["wifi"], replies=3)
    short, long = _thread_with_ignored_replies(make, me, 3), _thread_with_ignored_replies(make, me, 30)
    login_as(me)
    counts = {count_queries(f"/t/{thread.id}/{thread.slug}") for thread in (plain, short, long)}
    assert len(counts) == 1 and counts.pop() <= 6
    with count_statements() as statements:
        page = text(client.get(f"/t/{long.id}/{long.slug}"))
    assert "post-ignored" in page and sum('"block"' in statement or " block" in statement
                                          for statement in statements) == 1
