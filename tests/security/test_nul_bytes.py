"""A NUL character (U+0000) in any text a request carries is refused with a 422 naming the field, and stores nothing.

PostgreSQL cannot store a NUL in a text column: psycopg refuses the statement and the request was a 500; SQLite
kept it. Generated from the same route table as the authorization matrix (so a new write route is swept the day
it is added), with API body fields read from the served OpenAPI document (so a new field is swept too): each
request comes from a caller the matrix allows, with a body that is otherwise fine, and the whole database is
fingerprinted afterwards to prove nothing moved. Every form class is also checked field by field, and every
query parameter of every page and API read.
"""

from __future__ import annotations

import json
import re
from typing import Any

import flask_wtf
import pytest
from flask import Flask
from werkzeug.routing import Rule

from forum.core import clock
from forum.core.text import NUL_MESSAGE
from forum.http import forms
from forum.integrations import delivery
from tests.api.support import assert_problem
from tests.security.conftest import Caller, World
from tests.security.routes import ALLOWED, ROUTES, Route, is_api_key
from tests.security.test_authorization_matrix import error_flash, is_api, path_for, request_kwargs, rules_for
from tests.security.test_csrf_sweep import callers_for

NUL = "\x00"
WRITES = {"POST", "PUT", "PATCH"}
API_WRITES = sorted(key for key in ROUTES if key.split(" ")[0] in WRITES and is_api_key(key))
READS = sorted(key for key in ROUTES if key.startswith("GET "))
# Text fields of forms that the matrix leaves empty (it sends only what a request needs); sent here with a value.
MORE_FORM_FIELDS = {
    "POST admin.category_list": {"description": "Orders and parcels"},
    "POST moderation_flags.create": {"flag-{reply_id}-note": "Selling something"},
    "POST moderation_queue.decide": {"note": "Looked fine to me"},
    "POST integrations.connector_edit": {"secret": "connector-secret-5678"},
}
# Where the matrix's own request would land on a page that cannot show the form: (URL arguments, caller) instead.
FORM_TARGETS = {
    # The seeded thread has an open case, and its page then shows no escalation form: escalate one without a case.
    "POST cases.escalate": ({"thread_id": "other_thread_id"}, "agent"),
    # Nor does it offer "ask for more information" while escalated: ask on the other question.
    "POST qa.request_info": ({"thread_id": "other_thread_id"}, "advocate"),
}
# Fields a view reads itself rather than through its form, each with how it is refused instead.
OUTSIDE_THE_FORM = {
    ("POST moderation_queue.decide", "action"): "checked against the list of actions: \"Choose one of ...\"",
}
# Form posts that store nothing, each with the reason.
STORE_NOTHING = {
    "POST qa.preview": "renders a draft for the live preview; the post itself is refused when sent",
}
WEB_FORMS = sorted(key for key, route in ROUTES.items()
                   if key.split(" ")[0] in WRITES and not is_api_key(key) and route.data and key not in STORE_NOTHING)
# Query parameters the pages read (the API's are in the OpenAPI document); each gets a NUL on every page.
PAGE_PARAMETERS = ("q", "sort", "filter", "cursor", "tag", "category", "status", "page", "period", "from", "to",
                   "next", "quote", "subscription", "limit")
CONNECTOR_SECRET = "connector-secret-1234"  # as tests/security/conftest.py seeds the helpdesk connector


def with_nul(value: Any, array: bool = False) -> Any:
    """The value with a NUL inside it (an array gets one in its first item)."""
    if array or isinstance(value, list):
        value = value if isinstance(value, list) and value else ["item"]
        return [with_nul(value[0]), *value[1:]]
    text = value if isinstance(value, str) and value else "text"
    return text[: len(text) // 2] + NUL + text[len(text) // 2:]


# A field is its path of keys: ("data", "note") is nested; a settings key such as "uploads.daily_limit"
# is one key that happens to hold a dot. The API names a field by its path joined with dots.
Path = tuple[str, ...]


def set_at(body: dict, path: Path, value: Any) -> dict:
    """A copy of body with the (possibly nested) field set to value."""
    head, rest = path[0], path[1:]
    copy = dict(body)
    copy[head] = set_at(copy.get(head) or {}, rest, value) if rest else value
    return copy


def get_at(body: dict, path: Path) -> Any:
    for part in path:
        body = body.get(part) if isinstance(body, dict) else None
    return body


# --- the API's bodies, read from the OpenAPI document -------------------------------------------------------------


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def openapi_operation(spec: dict, rule: Rule, method: str) -> dict:
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
    return spec["paths"][path][method.lower()]


def resolve_schema(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def is_text(schema: dict) -> bool:
    kinds = schema.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return "string" in kinds or any(isinstance(choice, str) for choice in schema.get("enum", []))


def text_fields(spec: dict, schema: dict, prefix: Path = ()) -> list[Path]:
    """Every string field of a body schema (enums and arrays of strings too), nested objects by path."""
    found = []
    for name, prop in resolve_schema(spec, schema).get("properties", {}).items():
        prop, path = resolve_schema(spec, prop), (*prefix, name)
        if is_text(prop) or is_text_array(spec, prop):
            found.append(path)
        elif prop.get("properties"):
            found.extend(text_fields(spec, prop, path))
    return found


def is_text_array(spec: dict, schema: dict) -> bool:
    return schema.get("type") == "array" and is_text(resolve_schema(spec, schema.get("items", {})))


def field_schema(spec: dict, rule: Rule, method: str, path: Path) -> dict:
    schema = openapi_operation(spec, rule, method)["requestBody"]["content"]["application/json"]["schema"]
    for part in path:
        schema = resolve_schema(spec, resolve_schema(spec, schema)["properties"][part])
    return schema


def body_fields(spec: dict, rule: Rule, method: str) -> list[Path]:
    body = openapi_operation(spec, rule, method).get("requestBody")
    json_body = (body or {}).get("content", {}).get("application/json")  # multipart uploads: tests/uploads
    return text_fields(spec, json_body["schema"]) if json_body else []


def signed_event(data: dict) -> tuple[bytes, dict[str, str]]:
    """A helpdesk event signed with the seeded connector's secret, as a real helpdesk would send it."""
    raw = json.dumps(data).encode()
    stamp = str(int(clock.now().timestamp()))
    return raw, {"Content-Type": "application/json", "Horseshoe-Timestamp": stamp,
                 "Horseshoe-Signature": delivery.sign(CONNECTOR_SECRET, stamp, raw)}


def send_json(app: Flask, world: World, caller: Caller, key: str, body: dict):
    route, method = ROUTES[key], key.split(" ")[0]
    (rule,) = rules_for(app, key)
    role = callers_for(key)[0]
    if key == "POST api.apply_case_event":  # signed by the helpdesk, no caller
        raw, headers = signed_event(body)
        return caller.send_and_fingerprint(app.test_client(), "anonymous", method, path_for(rule, route, world),
                                           data=raw, headers=headers)
    return caller.send_and_fingerprint(caller.client(role, api=True), role, method, path_for(rule, route, world),
                                       json=body)


def base_body(key: str, route: Route, world: World) -> dict:
    body = request_kwargs(route, world).get("json") or {}
    if key == "POST api.apply_case_event":  # the route table gives the event's data; wrap it as a helpdesk does
        return {"id": "evt-nul-1", "type": "case.updated", "created_at": "2026-11-20T09:00:00Z", "data": body}
    return body


def unchanged(caller: Caller, role: str, after: dict[str, str]) -> list[str]:
    before = caller.pristine_fingerprint(role)
    return sorted(name for name in before if before[name] != after[name])


@pytest.mark.parametrize("key", API_WRITES)
def test_a_nul_in_any_text_field_of_an_api_body_is_a_422_naming_it(
    app: Flask, world: World, caller: Caller, spec: dict, key: str
):
    (rule,) = rules_for(app, key)
    fields = body_fields(spec, rule, key.split(" ")[0])
    body = base_body(key, ROUTES[key], world)
    role = "anonymous" if key == "POST api.apply_case_event" else callers_for(key)[0]
    for path in fields:
        field = ".".join(path)
        array = is_text_array(spec, field_schema(spec, rule, key.split(" ")[0], path))
        value = with_nul(get_at(body, path), array=array)
        response, after = send_json(app, world, caller, key, set_at(body, path, value))
        assert response.status_code == 422, f"{key} {field}: {response.status_code} {response.get_data(as_text=True)}"
        problem = assert_problem(response, 422, field)
        assert problem["errors"][field] == [NUL_MESSAGE], f"{key} {field}: {problem}"
        assert unchanged(caller, role, after) == [], f"{key} {field}: the refused request changed the database"


def test_the_sweep_reaches_the_text_fields_that_matter(app: Flask, spec: dict):
    """The OpenAPI reading finds bodies: the thread, reply, profile and helpdesk fields are all in the sweep."""
    found = {key: [".".join(path) for path in body_fields(spec, rules_for(app, key)[0], key.split(" ")[0])]
             for key in API_WRITES}
    assert {"title", "body", "tags", "kind"} <= set(found["POST api.start_thread"])
    assert found["POST api.reply_to_thread"] == ["body"]
    assert {"bio", "display_name", "time_zone"} <= set(found["PATCH api.update_me"])
    assert {"id", "data.note", "data.external_ref"} <= set(found["POST api.apply_case_event"])


# --- the web's forms --------------------------------------------------------------------------------------------


def form_fields(key: str, world: World) -> tuple[dict[str, str], list[str]]:
    """The form body the matrix sends (plus the text fields it leaves out) and the names of its text fields."""
    data = request_kwargs(ROUTES[key], world)["data"]
    data.update({name.format(**world.ids): value for name, value in MORE_FORM_FIELDS.get(key, {}).items()})
    raw = {**ROUTES[key].data, **MORE_FORM_FIELDS.get(key, {})}
    texts = [name.format(**world.ids) for name, value in raw.items()
             if isinstance(value, str) and not value.startswith("@")]
    return data, texts


@pytest.mark.parametrize("key", WEB_FORMS)
def test_a_nul_in_any_text_field_of_a_form_is_refused_beside_it(app: Flask, world: World, caller: Caller, key: str):
    """Refused as any invalid form is: the page again with a 422 and the message, or its flashed error."""
    (rule,) = [rule for rule in rules_for(app, key) if not is_api(rule)]
    role = next((role for role in callers_for(key) if role != "anonymous"), "anonymous")
    params, role = FORM_TARGETS.get(key, (ROUTES[key].params, role))
    path = path_for(rule, Route(ROUTES[key].policy, params=params), world)
    data, texts = form_fields(key, world)
    for field in texts:
        client = caller.client(role, api=False)
        sent = {**data, field: with_nul(data[field])}
        response, after = caller.send_and_fingerprint(client, role, "POST", path, data=sent)
        shown = response.get_data(as_text=True) if response.status_code == 422 else error_flash(client) or ""
        expected = "" if (key, field) in OUTSIDE_THE_FORM else NUL_MESSAGE
        assert shown and expected in shown, f"{key} {field}: {response.status_code}, the refusal is not shown"
        assert unchanged(caller, role, after) == [], f"{key} {field}: the refused form changed the database"


def site_form_classes() -> list[type]:
    found, todo = [], list(flask_wtf.FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls is not forms.FlaskForm]


def test_every_form_of_the_site_derives_from_the_form_that_refuses_nul(app: Flask):
    strays = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in site_form_classes()
                    if cls.__module__.split(".")[0] in ("forum", "moderation", "search")
                    and not issubclass(cls, forms.FlaskForm))
    assert not strays, f"derive these from forum.http.forms.FlaskForm, not flask_wtf's: {strays}"


def test_every_field_of_every_form_refuses_a_nul_by_name(app: Flask):
    """Field by field, for every form class the app defines: the error is on that field, with the message."""
    missed = []
    classes = [cls for cls in site_form_classes() if issubclass(cls, forms.FlaskForm)]
    assert len(classes) > 30  # every package's forms are imported by create_app
    for cls in classes:
        with app.test_request_context():  # attribute name -> the name its input is posted under
            names = {name: field.name for name, field in cls(meta={"csrf": False})._fields.items()
                     if name != "csrf_token"}
        for name, posted in names.items():
            with app.test_request_context(method="POST", data={posted: "a" + NUL + "b"}):
                form = cls(meta={"csrf": False})
                for field in form:  # views fill these in from the database
                    if getattr(field, "choices", ()) is None:
                        field.choices = []
                form.validate()
                if form.errors.get(name) != [NUL_MESSAGE]:
                    missed.append(f"{cls.__qualname__}.{name}")
    assert not missed, f"these fields took a NUL: {missed}"


# --- query strings, path segments and headers -------------------------------------------------------------------


def read_role(key: str) -> str:
    policy = ROUTES[key].policy
    return next(role for role in ("anonymous", "owner", "other", "advocate", "moderator", "agent", "admin")
                if policy[role] == ALLOWED) if ALLOWED in policy.values() else "owner"


@pytest.mark.parametrize("key", READS)
def test_a_nul_in_a_query_parameter_is_a_422_not_a_500(app: Flask, world: World, caller: Caller, spec: dict, key: str):
    """Search terms, list filters and cursors reach the database: a NUL in any of them is refused by name."""
    role = read_role(key)
    for rule in rules_for(app, key):
        path = path_for(rule, ROUTES[key], world)
        client = caller.client(role, api=is_api(rule))
        if is_api(rule):
            operation = openapi_operation(spec, rule, "GET")
            for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]:
                response = caller.send(client, role, "GET", path, query_string={name: "a" + NUL})
                assert_problem(response, 422, name)
                assert "422" in operation["responses"], f"{key}: the 422 is not in the OpenAPI document"
        else:
            query = {name: "a" + NUL for name in PAGE_PARAMETERS}
            response = caller.send(client, role, "GET", path, query_string=query)
            assert response.status_code == 422, f"{key}: {response.status_code}"
            if getattr(app.view_functions[rule.endpoint], "query_is_a_form", False):
                assert 'aria-invalid="true"' in response.get_data(as_text=True), f"{key}: no field shows the error"
            else:
                assert "NUL character" in response.get_data(as_text=True), f"{key}: the refusal does not say why"


def test_a_nul_in_a_path_segment_names_nothing(app: Flask, world: World, caller: Caller):
    client = caller.client("owner", api=False)
    for path in ("/tags/ref%00und", "/u/asker%00", "/c/billing%00", "/tags/refund%00/follow"):
        method = "POST" if path.endswith("/follow") else "GET"
        assert caller.send(client, "owner", method, path).status_code == 404, path


def test_a_nul_in_a_bearer_token_is_a_401(app: Flask, world: World, caller: Caller):
    client = app.test_client()
    response = caller.send(client, "anonymous", "GET", "/api/v1/me",
                           headers={"Authorization": f"Bearer {world.tokens['owner']}{NUL}"})
    assert_problem(response, 401)


# --- titles with nothing visible ----------------------------------------------------------------------------------

INVISIBLE_TITLES = {
    "zero-width spaces": "\u200b" * 12,
    "joiners and a word joiner": "\u200d\u200c\u2060" * 4,
    "byte order marks between spaces": " \ufeff \ufeff \ufeff \ufeff ",
    "bidi marks and a soft hyphen": "\u200e\u200f\u00ad\u202a\u202c" * 3,
    "a Hangul filler": "\u3164" * 10,
}


@pytest.mark.parametrize("title", INVISIBLE_TITLES.values(), ids=INVISIBLE_TITLES.keys())
def test_a_title_of_only_invisible_characters_is_refused_like_a_control_character(
    app: Flask, world: World, caller: Caller, title: str
):
    api = caller.client("owner", api=True)
    start = {"category_id": world.ids["category_id"], "title": title, "body": "I was promised a refund."}
    for method, path, body in (("POST", "/api/v1/threads", start),
                               ("PATCH", f"/api/v1/threads/{world.ids['thread_id']}", {"title": title})):
        response, after = caller.send_and_fingerprint(api, "owner", method, path, json=body)
        assert "invisible" in assert_problem(response, 422, "title")["errors"]["title"][0]
        assert unchanged(caller, "owner", after) == []
    page = caller.client("owner", api=False)
    response = caller.send(page, "owner", "POST", f"/t/{world.ids['thread_id']}/edit", data={"title": title})
    assert response.status_code == 422 and "invisible" in response.get_data(as_text=True)


def test_invisible_padding_does_not_count_towards_the_title_but_spaces_between_words_do(
    app: Flask, world: World, caller: Caller
):
    api = caller.client("owner", api=True)
    path = f"/api/v1/threads/{world.ids['thread_id']}"
    padded = caller.send(api, "owner", "PATCH", path, json={"title": "\u200bRefund?\u200b\u200b\u200b\u200b"})
    assert_problem(padded, 422, "title")  # seven characters a reader sees
    assert caller.send(api, "owner", "PATCH", path, json={"title": "Help me!"}).status_code == 200
