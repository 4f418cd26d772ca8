"""Every state-changing request without a CSRF token is refused with a 400 and changes nothing.

Generated from the same route table as the authorization matrix, so a new form route is swept the
day it is added. Each request comes from a caller the matrix says is allowed, so only the missing
token can stop it; the whole database is fingerprinted before and after to prove nothing moved.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.security.conftest import Caller, World
from tests.security.routes import ALLOWED, ROUTES, is_api_key
from tests.security.test_authorization_matrix import is_api, path_for, request_kwargs, rules_for

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# "suspended" last: chosen only for a route nobody else may use (the appeal form, issue 20).
SIGNED_IN_ROLES = ("owner", "other", "advocate", "moderator", "agent", "admin", "suspended")

# The only forms that take no CSRF token, each with the reason. Everything else must refuse.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST with no session and no page, so there is no token to
    # send; the signed token in the URL is the proof, and all it can do is stop emails to its owner.
    "POST notifications.unsubscribe": "one-click unsubscribe (RFC 8058)",
    # The article view beacon: signed-out article pages may come from the page cache with no session (so no
    # token); it only counts a view of a published article, rate-limited per address and article.
    "POST knowledge.viewed": "view beacon (counts a view only)",
    # The footer's language switcher: a visitor's page may come from the page cache with no session (so no
    # token), and all a forged post does is set the visitor's language cookie. A signed-in member's choice is
    # stored, and that half refuses a missing token (tests/i18n/test_languages.py).
    "POST preferences.switch_language": "a visitor's language cookie (members' choice is checked)",
}

WEB_WRITES = sorted(key for key in ROUTES if key.split(" ")[0] in STATE_CHANGING and not is_api_key(key))
API_WRITES = sorted(key for key in ROUTES if key.split(" ")[0] in STATE_CHANGING and is_api_key(key))


def callers_for(key: str) -> list[str]:
    """A signed-in caller the matrix allows (else the owner), plus anonymous when visitors may submit too."""
    policy = ROUTES[key].policy
    signed_in = next((role for role in SIGNED_IN_ROLES if policy[role] == ALLOWED), "owner")
    return [signed_in] + (["anonymous"] if policy["anonymous"] == ALLOWED else [])


def send_without_token(app: Flask, world: World, caller: Caller, key: str, role: str, *, api: bool):
    """Send the request with csrf=False; returns the response and the database fingerprint it left."""
    route = ROUTES[key]
    (rule,) = [rule for rule in rules_for(app, key) if is_api(rule) == api]
    client = caller.client(role, api=False)  # the session cookie: the ambient authority CSRF is about
    return caller.send_and_fingerprint(client, role, key.split(" ")[0], path_for(rule, route, world), csrf=False,
                                       **request_kwargs(route, world))


def changed_tables(caller: Caller, role: str, after: dict[str, str]) -> list[str]:
    before = caller.pristine_fingerprint(role)
    return sorted(name for name in before if before[name] != after[name])


def test_every_exemption_names_a_real_route():
    assert set(EXEMPT) <= set(WEB_WRITES)


@pytest.mark.parametrize("key", [key for key in WEB_WRITES if key not in EXEMPT])
def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(
    app: Flask, world: World, caller: Caller, key: str
):
    for role in callers_for(key):
        response, after = send_without_token(app, world, caller, key, role, api=False)
        assert response.status_code == 400, f"{key} as {role}: {response.status_code}"
        assert "CSRF" in response.get_data(as_text=True), f"{key} as {role}: a 400, but not for the missing token"
        assert changed_tables(caller, role, after) == [], f"{key} as {role} changed the database"


def test_one_click_unsubscribe_works_without_a_csrf_token(app: Flask, world: World, caller: Caller):
    """The one exemption does what it is exempt for: a mail client's bare POST turns the emails off."""
    response, _ = send_without_token(app, world, caller, "POST notifications.unsubscribe", "anonymous", api=False)
    assert response.status_code == 200


@pytest.mark.parametrize("key", API_WRITES)
def test_an_api_write_with_the_session_cookie_and_no_csrf_header_is_refused(
    app: Flask, world: World, caller: Caller, key: str
):
    """The site's own pages call the API with the cookie, so there CSRF applies; only a bearer token skips it."""
    role = callers_for(key)[0]
    response, after = send_without_token(app, world, caller, key, role, api=True)
    assert response.status_code == 400, f"{key} as {role}: {response.status_code}"
    assert response.mimetype == "application/problem+json"
    assert changed_tables(caller, role, after) == [], f"{key} as {role} changed the database"
