"""Schemathesis against the served OpenAPI document: every operation keeps the promises it documents.

The schema is loaded from the app in-process (WSGI, no server). A small community is seeded first and
generated path and body ids are aimed at its rows, so requests reach real threads, posts and cases
rather than answering 404. Each operation then gets a bounded, deterministic batch of requests: its
documented examples, valid generated ones and deliberately broken ones, as an anonymous caller, a member,
an admin, and a caller whose token no longer works. Every answer must be a documented status code, with
the documented content type, schema and headers, and never a 5xx.

Writes made by generated requests stay inside the test's rolled-back transaction (the `db` fixture
turns service commits into savepoints); the jobs they queue are rows in that transaction too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.failures import FailureGroup
from sqlalchemy import select

from forum import accounts, cases
from forum.core import clock
from forum.integrations import webhooks
from forum.knowledge import articles, lifecycle
from forum.models import Article, Case, Category, Post, Thread, User, WebhookDelivery, WebhookSubscription
from forum.services import qa
from moderation.models import ReviewItem
from moderation.services import flags, suspensions
from tests.factories import PASSWORD

# Generated requests per operation and caller: enough to reach every documented answer of the seeded
# community, few enough for the file to stay well under a minute on PostgreSQL (measured).
# "revoked" sends a token that no longer works: one request per operation shows the 401 is documented.
EXAMPLES = {
    "anonymous": {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 3},
    "revoked": {GenerationMode.POSITIVE: 1},
    "member": {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3},
    "admin": {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 4},
}
# Anonymous calls to an operation that needs a token all stop at the same 401, whatever they send: one
# valid and one broken request show that answer is documented. Public operations get the full batch above.
TOKEN_REQUIRED_FOR_ANONYMOUS = {GenerationMode.POSITIVE: 1, GenerationMode.NEGATIVE: 1}
CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_schema_conformance", "response_headers_conformance")
# Path and body fields that name rows, and the table each comes from.
ID_SOURCES = {"category_id": Category, "thread_id": Thread, "post_id": Post, "user_id": User, "case_id": Case,
              "subscription_id": WebhookSubscription, "delivery_id": WebhookDelivery, "item_id": ReviewItem,
              "article_id": Article}


class WsgiClient(FlaskClient):
    """Each request in its own app context, as in production, so flask.g (the signed-in user) never leaks."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class Community:
    users: dict[str, User]
    id_pools: dict[str, list[int]]

    def headers(self, who: str) -> dict[str, str]:
        """A fresh token per operation: DELETE /tokens/current revokes the one it is called with."""
        if who == "anonymous":
            return {}
        if who == "revoked":
            return {"Authorization": "Bearer hs_revoked-or-made-up"}
        return {"Authorization": f"Bearer {accounts.create_api_token(self.users[who], name='schemathesis')}"}


@pytest.fixture
def community(db, make, clock_at) -> Community:
    """Rows for every path id: threads with replies, an accepted answer, a case, a flag, a webhook and its log.

    Ids are read back rather than assumed: PostgreSQL sequences do not roll back with the test.
    """
    users = {role: make.make_user(role=role) for role in ("member", "advocate", "moderator", "agent", "admin")}
    asker = users["member"]
    webhooks.create_subscription(users["admin"], webhooks.SubscriptionInput(
        url="https://93.184.215.14/hooks", events=["thread.created", "post.created"], secret="a-long-enough-secret"))
    general, billing = make.make_category(), make.make_category()
    question = make.make_thread(author=asker, category=general, tags=["router", "wifi"], replies=2)
    discussion = make.make_thread(author=users["advocate"], category=billing, kind="discussion")
    escalated = make.make_thread(author=asker, category=billing, replies=1)
    advert = make.make_reply(discussion, body="Our shop sells routers cheaply, ask me how.")
    answer = make.make_reply(question, author=users["advocate"], body="Switch the router to channel 6.")
    qa.vote_helpful(asker, answer)
    qa.accept_solution(asker, question, answer)
    cases.escalate_thread(asker, escalated, "Still broken after a reset")
    flags.flag_post(asker, advert, flags.NewFlag(reason="spam", note="An advert"))
    suspensions.suspend_user(users["moderator"], make.make_user(), suspensions.SuspensionInput(
        until=clock.now() + timedelta(days=1), reason="Cooling off"))
    article = articles.create_article(users["moderator"], articles.ArticleDraft(
        title="Fix evening connection drops", body="Switch the router to channel 6.", category_id=general.id))
    lifecycle.publish(users["moderator"], article)
    pools = {name: list(db.session.scalars(select(model.id).order_by(model.id))) for name, model in ID_SOURCES.items()}
    pools["assignee_id"] = [users["agent"].id, asker.id]
    return Community(users, pools)


def load_schema(app: Flask):
    """The served document; credentials come from the caller, not from generated security parameters."""
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def operations(schema) -> Iterator:
    """Every operation, deletions last, so the rows they remove are still there for the others."""
    found = [result.ok() for result in schema.get_all_operations()]
    yield from sorted(found, key=lambda operation: operation.method.upper() == "DELETE")


def aim_at_seeded_rows(case, data, id_pools: dict[str, list[int]]) -> None:
    """Draw ids from the seeded rows (or keep the generated one): otherwise nearly every request is a 404.

    Only well-formed ids are replaced: a deliberately broken one (negative mode) is sent as generated.
    """
    for values in (case.path_parameters, case.body):
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            if name in id_pools and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                values[name] = data.draw(st.sampled_from([*id_pools[name], value]))


def strategies(schema, operation, caller: str) -> Iterator[tuple[str, int, object]]:
    """(label, examples, strategy): the documented examples once each, then generated valid and broken requests."""
    for n, strategy in enumerate(schema.get_strategies_from_examples(operation)):
        yield f"example {n}", 1, strategy
    budget = EXAMPLES[caller]
    if caller == "anonymous" and not open_to_anonymous(operation):
        budget = TOKEN_REQUIRED_FOR_ANONYMOUS
    for mode, count in budget.items():
        yield mode.value, count, operation.as_strategy(generation_mode=mode)


def open_to_anonymous(operation) -> bool:
    """The document lists the empty requirement ({}) among the operation's security options."""
    return {} in operation.definition.raw.get("security", [{}])


def exercise(schema, operation, client: FlaskClient, caller: str, community: Community) -> list[str]:
    """Bounded, derandomized generation for one operation; the first failure of each kind is kept."""
    failures: dict[str, str] = {}
    headers = community.headers(caller)
    for label, count, strategy in strategies(schema, operation, caller):
        send_examples(strategy, count, f"{operation.label} [{caller}, {label}]", client, headers,
                      community.id_pools, failures)
    return list(failures.values())


def send_examples(strategy, count: int, label: str, client, headers, id_pools, failures: dict[str, str]) -> None:
    checks = [CHECKS.get_one(name) for name in CHECK_NAMES]

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy, data=st.data())
    def run(case, data):
        aim_at_seeded_rows(case, data, id_pools)
        try:
            case.validate_response(case.call(session=client, headers=headers), checks=checks)
        except (Exception, FailureGroup) as exc:  # noqa: BLE001 - every failure is collected and reported together
            key = f"{label} {type(exc).__name__}"
            failures.setdefault(key, f"{key}: {str(exc)[:1500]}")

    try:
        run()
    except Unsatisfiable:  # nothing to break (no parameters, no body): the valid requests covered it
        pass


@pytest.mark.parametrize("caller", EXAMPLES)
def test_every_operation_answers_as_documented(app, community, caller):
    client = WsgiClient(app)
    schema = load_schema(app)
    failures = []
    for operation in operations(schema):
        failures += exercise(schema, operation, client, caller, community)
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)


def validated(schema, client, method: str, path: str, **request):
    """Send one hand-made request and check its answer against the document (raises on any mismatch)."""
    operation = schema[path][method]
    case = operation.Case(**request, media_type="application/json" if "body" in request else None)
    response = case.call(session=client)
    case.validate_response(response, checks=[CHECKS.get_one(name) for name in CHECK_NAMES])
    return response


def test_a_rate_limited_sign_in_answers_the_documented_429(app, community, limits_on):
    client = WsgiClient(app)
    schema = load_schema(app)
    body = {"email": community.users["member"].email, "password": "not the password"}
    statuses = [validated(schema, client, "POST", "/tokens", body=body).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    last = validated(schema, client, "POST", "/tokens", body={**body, "password": PASSWORD})
    assert last.status_code == 429 and int(last.headers["retry-after"][0]) > 0


def test_a_conditional_read_answers_the_documented_304(app, community):
    client = WsgiClient(app)
    schema = load_schema(app)
    thread_id = community.id_pools["thread_id"][0]
    first = validated(schema, client, "GET", "/threads/{thread_id}", path_parameters={"thread_id": thread_id})
    etag = first.headers["etag"][0]  # schemathesis keeps headers lower-cased, as lists
    again = validated(schema, client, "GET", "/threads/{thread_id}", path_parameters={"thread_id": thread_id},
                      headers={"If-None-Match": etag})
    assert (first.status_code, again.status_code, again.content) == (200, 304, b"")


@pytest.mark.parametrize("path", ["/api/v1/search?q=router", "/api/v1/categories", "/api/v1/threads/1"])
def test_a_bad_token_is_refused_on_public_reads_too(app, community, path):
    """Not silently served as anonymous: the integrator learns the token stopped working."""
    response = WsgiClient(app).get(path, headers=community.headers("revoked"))
    assert (response.status_code, response.mimetype) == (401, "application/problem+json")
