"""Every page for every kind of caller: who gets the page, who is sent to sign in, who is refused."""

from __future__ import annotations

import pytest

from tests.web.helpers import is_sign_in_redirect, text

OK, MOVED, SIGN_IN, FORBIDDEN = 200, 301, "sign-in", 403
EVERYONE = {"anonymous": OK, "author": OK, "other": OK, "moderator": OK, "admin": OK}
MOVED_FOR_EVERYONE = dict.fromkeys(EVERYONE, MOVED)  # a thread without its slug: on to its one address
SIGNED_IN = {"anonymous": SIGN_IN, "author": OK, "other": OK, "moderator": OK, "admin": OK}
AUTHOR_OR_STAFF = {"anonymous": SIGN_IN, "author": OK, "other": FORBIDDEN, "moderator": OK, "admin": OK}
# Earlier versions may hold what an author removed on purpose: the author and moderators only, hidden from others.
AUTHOR_OR_MODERATOR_HIDDEN = {"anonymous": 404, "author": OK, "other": 404, "moderator": OK, "admin": OK}
ADMIN_ONLY = {"anonymous": SIGN_IN, "author": FORBIDDEN, "other": FORBIDDEN, "moderator": FORBIDDEN, "admin": OK}

PAGES = {
    "/": EVERYONE,
    "/c/{category.slug}": EVERYONE,
    "/t/{thread.id}": MOVED_FOR_EVERYONE,
    "/t/{thread.id}/{thread.slug}": EVERYONE,
    "/p/{question.id}/history": AUTHOR_OR_MODERATOR_HIDDEN,
    "/u/{author.username}": EVERYONE,
    "/ask": SIGNED_IN,
    "/settings/profile": SIGNED_IN,
    "/t/{thread.id}/edit": AUTHOR_OR_STAFF,
    "/p/{question.id}/edit": AUTHOR_OR_STAFF,
    "/p/{question.id}/delete": AUTHOR_OR_STAFF,
    "/admin": ADMIN_ONLY,
    "/admin/categories": ADMIN_ONLY,
    "/admin/categories/{category.id}/edit": ADMIN_ONLY,
    "/admin/users": ADMIN_ONLY,
    "/admin/settings": ADMIN_ONLY,
    "/admin/webhooks": ADMIN_ONLY,
    "/admin/webhooks/deliveries": ADMIN_ONLY,
    "/admin/helpdesk": ADMIN_ONLY,
    "/admin/service-tokens": ADMIN_ONLY,
    "/settings/tokens": SIGNED_IN,
    "/scorecard": EVERYONE,
    "/feeds/latest.atom": EVERYONE,
    "/feeds/solved.atom": EVERYONE,
    "/c/{category.slug}/feed.atom": EVERYONE,
    # Agents' pages: moderators are staff but do not work cases or read outcome analytics.
    "/staff/incidents": ADMIN_ONLY,
    "/staff/analytics": ADMIN_ONLY,
    "/staff/members/{author.id}": {"anonymous": SIGN_IN, "author": 404, "other": 404, "moderator": OK, "admin": OK},
}


def expect(response, outcome) -> None:
    if outcome == SIGN_IN:
        assert is_sign_in_redirect(response), response.status_code
    else:
        assert response.status_code == outcome, text(response)[:500]


@pytest.mark.parametrize("caller", ["anonymous", "author", "other", "moderator", "admin"])
@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_is_shown_to_the_right_people_only(act_as, community, path, caller):
    client = act_as(caller)
    response = client.get(path.format(**vars(community)))
    expect(response, PAGES[path][caller])


def test_refused_pages_say_why_in_plain_words(act_as, community):
    response = act_as("other").get(f"/p/{community.question.id}/edit")
    assert response.status_code == 403
    assert "You are not allowed to do that." in text(response)


def test_admin_pages_send_anonymous_visitors_to_sign_in_and_back(client, community):
    response = client.get("/admin/settings")
    assert is_sign_in_redirect(response)
    assert response.headers["Location"].endswith("next=/admin/settings")


# State-changing posts by people who may not make them; the page must not change anything.
REFUSED_POSTS = [
    ("/t/{thread.id}/reply", {"body": "Me too"}, "anonymous", SIGN_IN),
    ("/t/{thread.id}/edit", {"title": "A brand new title here"}, "other", FORBIDDEN),
    ("/t/{thread.id}/edit", {"title": "A brand new title here"}, "anonymous", SIGN_IN),
    ("/p/{question.id}/edit", {"body": "Vandalised"}, "other", FORBIDDEN),
    ("/p/{reply.id}/edit", {"body": "Vandalised"}, "author", FORBIDDEN),
    ("/p/{question.id}/delete", {}, "other", FORBIDDEN),
    ("/p/{reply.id}/delete", {}, "author", FORBIDDEN),
    ("/p/{reply.id}/delete", {}, "anonymous", SIGN_IN),
    ("/ask", {"title": "Something long enough", "body": "x"}, "anonymous", SIGN_IN),
    ("/settings/profile", {"display_name": "X", "bio": "", "time_zone": "UTC"}, "anonymous", SIGN_IN),
    ("/admin/categories", {"name": "Spam", "slug": "spam", "position": "0"}, "moderator", FORBIDDEN),
    ("/admin/categories", {"name": "Spam", "slug": "spam", "position": "0"}, "anonymous", SIGN_IN),
    (
        "/admin/categories/{category.id}/edit",
        {"name": "Hacked", "slug": "billing", "position": "0"},
        "other",
        FORBIDDEN,
    ),
    ("/admin/users/{other.id}/role", {"role": "admin"}, "other", FORBIDDEN),
    ("/admin/users/{other.id}/role", {"role": "admin"}, "moderator", FORBIDDEN),
    ("/admin/settings", {"moderation.hide_threshold": "1"}, "moderator", FORBIDDEN),
]


@pytest.mark.parametrize(("path", "form", "caller", "outcome"), REFUSED_POSTS)
def test_refused_changes_leave_everything_as_it_was(act_as, community, db, path, form, caller, outcome):
    before = (community.thread.title, community.question.body, community.reply.body, community.other.role)
    response = act_as(caller).post(path.format(**vars(community)), data=form)
    expect(response, outcome)
    db.session.expire_all()
    assert community.reply.deleted_at is None and community.question.deleted_at is None
    assert (community.thread.title, community.question.body, community.reply.body, community.other.role) == before


def test_a_post_without_a_csrf_token_is_refused(act_as, community):
    client = act_as("author")
    response = client.post(f"/t/{community.thread.id}/reply", data={"body": "Hello"}, csrf=False)
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/t/99999999999999999999", "/p/99999999999999999999/edit", "/t/0", "/p/-1/history"])
def test_impossible_ids_in_page_urls_are_404_not_500(client, path):
    assert client.get(path).status_code == 404
