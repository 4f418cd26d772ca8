"""Every route in the URL map, every kind of caller: the authorization decision is the one the table states.

The table (tests/security/routes.py) is keyed by "METHOD endpoint"; a route added to the app without an
entry fails test_every_route_has_an_expected_policy, so nothing new escapes the matrix. Each request
runs against the same seeded community (rolled back after every request), with a valid CSRF token,
so the only thing that can stop it is authorization.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.security.conftest import Caller, World
from tests.security.routes import ALLOWED, FORBIDDEN, ROLES, ROUTES, SIGN_IN, Route, is_api_key

IGNORED_METHODS = {"HEAD", "OPTIONS"}
IGNORED_ENDPOINTS = {"static"}  # files from forum/static: no data, no decision to make
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def route_keys(app: Flask) -> set[str]:
    """ "METHOD endpoint" for every rule and method the app answers (HEAD/OPTIONS and static aside)."""
    return {
        f"{method} {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - IGNORED_METHODS
    }


def rules_for(app: Flask, key: str) -> list[Rule]:
    method, endpoint = key.split(" ")
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint and method in rule.methods]


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def resolve(value: Any, world: World) -> Any:
    """Replace "@name" placeholders in a request body with the seeded community's ids."""
    if isinstance(value, str) and value.startswith("@"):
        return world.param(value[1:])
    if isinstance(value, dict):
        return {key: resolve(item, world) for key, item in value.items()}
    return value


def path_for(rule: Rule, route: Route, world: World) -> str:
    values = {name: world.param(route.params.get(name, name)) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def is_sign_in_redirect(response) -> bool:
    """Flask-Login's and the domain error page's redirect carry next=; a form that ends on the sign-in page does not."""
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and location.startswith("/auth/login") and "next=" in location


def error_flash(client) -> str | None:
    """The error a page flashed before redirecting, if any: a refusal must not hide behind one."""
    with client.session_transaction() as sess:
        errors = [message for category, message in sess.get("_flashes", []) if category == "error"]
    return "; ".join(errors) or None


def classify(response, client) -> Any:
    """The authorization decision a response shows; any other answer below 500 is the caller being let in.

    A redirect with an error flashed counts as neither: the table's request bodies are valid, so it means a
    refusal dressed as a form error (or a broken entry), and the test shows the message.
    """
    status = response.status_code
    if is_sign_in_redirect(response):
        return SIGN_IN
    if status in (302, 303) and (message := error_flash(client)):
        return f"redirect with error {message!r}"
    if status in (401, 403, 404):
        return status
    if status >= 500 or status in (400, 405):  # a crash, a lost CSRF token or a wrong method: the matrix is broken
        return f"unexpected {status}"
    return ALLOWED


def problem_issues(response, rule: Rule) -> str | None:
    """API refusals are RFC 9457 problems; pages never answer the API's way."""
    if is_api(rule) and response.status_code in (401, 403, 404):
        if response.mimetype != "application/problem+json":
            return f"{response.status_code} as {response.mimetype}, not application/problem+json"
    return None


def changes(caller: Caller, role: str, after: dict[str, str]) -> str | None:
    """A refused write must leave no trace: name the tables it changed anyway."""
    before = caller.pristine_fingerprint(role)
    changed = sorted(name for name in before if before[name] != after[name])
    return f"but it changed {changed}" if changed else None


def request_kwargs(route: Route, world: World) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if route.data is not None:
        kwargs["data"] = {key.format(**world.ids): str(value) for key, value in resolve(route.data, world).items()}
    if route.json is not None:
        kwargs["json"] = resolve(route.json, world)
    return kwargs


def test_every_route_has_an_expected_policy(app: Flask):
    missing = sorted(route_keys(app) - set(ROUTES))
    stale = sorted(set(ROUTES) - route_keys(app))
    assert not missing, (
        "These routes have no entry in tests/security/routes.py ROUTES; add one naming who may call them "
        f"(a policy such as PUBLIC, SIGNED_IN, ACTIVE, STAFF, AGENT, ADMIN or an API_* one): {missing}"
    )
    assert not stale, f"ROUTES names routes the app no longer has; remove them: {stale}"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_each_route_lets_in_exactly_the_callers_its_policy_names(app: Flask, world: World, caller: Caller, key: str):
    route = ROUTES[key]
    rules = rules_for(app, key)
    assert rules, f"{key} is not in the URL map"
    method = key.split(" ")[0]
    wrong = []
    for rule in rules:
        path = path_for(rule, route, world)
        for role in ROLES:
            client = caller.client(role, api=is_api(rule))
            refusal_to_check = method in STATE_CHANGING and route.policy[role] != ALLOWED
            response, after = caller.send_and_fingerprint(client, role, method, path, fingerprint=refusal_to_check,
                                                          **request_kwargs(route, world))
            got, expected = classify(response, client), route.policy[role]
            issue = problem_issues(response, rule) or (refusal_to_check and changes(caller, role, after))
            if got != expected or issue:
                wrong.append(f"{role}: expected {expected}, got {got} ({response.status_code}) {issue or ''}")
    assert not wrong, f"{key} ({', '.join(r.rule for r in rules)}):\n  " + "\n  ".join(wrong)


API_WRITES = sorted(key for key in filter(is_api_key, ROUTES) if key.split(" ")[0] in STATE_CHANGING)
# A read-scope token may give itself up (api.md: DELETE /tokens/current, "token holder"), and nothing else.
READ_TOKEN_MAY = {"DELETE api.revoke_current_token": ALLOWED}


@pytest.mark.parametrize("key", API_WRITES)
def test_a_read_only_token_is_refused_every_api_write(app: Flask, world: World, caller: Caller, key: str):
    route = ROUTES[key]
    (rule,) = rules_for(app, key)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.read_token}"
    response = caller.send(client, "owner", key.split(" ")[0], path_for(rule, route, world),
                           **request_kwargs(route, world))
    assert classify(response, client) == READ_TOKEN_MAY.get(key, FORBIDDEN), response.get_data(as_text=True)
    assert problem_issues(response, rule) is None


def test_a_bad_bearer_token_is_a_401_on_every_api_route_even_public_reads(app: Flask, world: World, caller: Caller):
    """A wrong token is never quietly treated as anonymous: the integrator learns at once that it is wrong."""
    wrong = []
    for key in sorted(filter(is_api_key, ROUTES)):
        route = ROUTES[key]
        for rule in rules_for(app, key):
            client = app.test_client()
            client.environ_base["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
            response = caller.send(client, "anonymous", key.split(" ")[0], path_for(rule, route, world),
                                   **request_kwargs(route, world))
            if response.status_code != 401 or problem_issues(response, rule):
                wrong.append(f"{key}: {response.status_code} {response.mimetype}")
    assert not wrong, "\n".join(wrong)
