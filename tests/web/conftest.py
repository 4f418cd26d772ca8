"""Fixtures for page tests: a small community with one person in each role, and a way to act as each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum.models import Category, Post, Thread, User
from forum.services import reading

CALLERS = ["anonymous", "author", "other", "moderator", "admin"]
# The same callers plus an advocate, for pages whose rules treat advocates apart (needs-info requests).
ALL_CALLERS = ["anonymous", "author", "other", "advocate", "moderator", "admin"]


@dataclass
class Community:
    """One thread in one category, asked by author and answered by other, plus an advocate and staff."""

    author: User
    other: User
    advocate: User
    moderator: User
    admin: User
    category: Category
    thread: Thread
    question: Post
    reply: Post

    def user(self, caller: str) -> User | None:
        return None if caller == "anonymous" else getattr(self, caller)


@pytest.fixture
def community(make) -> Community:
    author = make.make_user(username="asker")
    other = make.make_user(username="helper")
    category = make.make_category(name="Billing", slug="billing")
    thread = make.make_thread(author=author, category=category, title="Charged twice for my plan")
    reply = make.make_reply(thread, author=other, body="Check the invoices page; the second one is a hold.")
    return Community(
        author=author,
        other=other,
        advocate=make.make_user(role="advocate", username="advo"),
        moderator=make.make_user(role="moderator", username="mod"),
        admin=make.make_user(role="admin", username="boss"),
        category=category,
        thread=thread,
        question=reading.question_post(thread),
        reply=reply,
    )


@pytest.fixture
def switch_user(client, login_as):
    """Sign the client in as user (None: signed out), forgetting whoever was signed in before."""

    def switch(user: User | None):
        with client.session_transaction() as sess:
            sess.pop("_user_id", None)
        return login_as(user) if user is not None else client

    return switch


@pytest.fixture
def act_as(switch_user, community: Community):
    """The test client signed in as the named caller (or anonymous)."""

    def sign_in(caller: str):
        return switch_user(community.user(caller))

    return sign_in
