"""Flags: 20 a day per account (domain.md), counted only when a flag is actually raised."""

from __future__ import annotations

import pytest


@pytest.fixture
def posts(make):
    """21 replies by one helpful member, each a separate post to flag."""
    thread = make.make_thread()
    helper = make.make_user()
    return [make.make_reply(thread, author=helper, body=f"Suggestion number {n}: check cable {n}.")
            for n in range(21)]


def flag(client, post):
    return client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "spam"})


def test_the_twenty_first_flag_in_a_day_is_429_with_retry_after(api_client, make, posts, limits_on, clock_at):
    flagger = api_client(make.make_user())
    answers = [flag(flagger, post).status_code for post in posts]
    assert answers == [201] * 20 + [429]
    refused = flag(flagger, posts[-1])
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) > 0
    assert flag(api_client(make.make_user()), posts[-1]).status_code == 201  # per account, not global


def test_refused_flags_do_not_use_up_the_budget(api_client, make, posts, limits_on):
    flagger = api_client(make.make_user())
    assert flag(flagger, posts[0]).status_code == 201
    assert [flag(flagger, posts[0]).status_code for _ in range(25)] == [409] * 25  # one flag per user per post
    assert [flag(flagger, post).status_code for post in posts[1:20]] == [201] * 19
    assert flag(flagger, posts[20]).status_code == 429


def test_anonymous_visitors_cannot_flag(api_client, posts, limits_on):
    assert flag(api_client(), posts[0]).status_code == 401



def test_pages_and_the_api_share_one_daily_budget(api_client, client, login_as, make, posts, limits_on):
    member = make.make_user()
    login_as(member)
    web = [client.post(f"/p/{post.id}/flag", data={f"flag-{post.id}-reason": "spam"}).status_code
           for post in posts[:10]]
    api = [flag(api_client(member), post).status_code for post in posts[10:20]]
    assert web == [302] * 10 and api == [201] * 10
    page = client.post(f"/p/{posts[20].id}/flag", data={f"flag-{posts[20].id}-reason": "spam"})
    assert page.status_code == 429 and "Too Many Requests" in page.get_data(as_text=True)
