"""Suspension is read-only, for every role (issue 20, item 6): one test per action on both front ends.

Each action is tried twice by the same person with the same request: once while suspended, when the web
answers a 403 page that explains the suspension and the API a 403 problem of type account-suspended, and
not one row anywhere changes; and once in good standing, when it goes through. So every refusal is the
suspension's doing, not a broken request. Member actions are tried by a suspended member, moderator,
agent and admin; staff powers by the staff roles that hold them.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from forum import cases
from forum.accounts import tokens as api_tokens
from forum.core import clock
from forum.core.extensions import db
from forum.http.urls import thread_path
from forum.models import Case, CaseMessage, Notification, Post, Subscription, Thread, User
from forum.services import community_settings, notifications, reading
from moderation.models import ReviewKind
from moderation.services import review_queue, suspensions

SUSPENDED_TEXT = "Your account is suspended until"
EVERY_ROLE = ("member", "moderator", "agent", "admin")
STAFF = ("moderator", "agent", "admin")
AGENTS = ("agent", "admin")
ADMIN = ("admin",)
# Columns that any authenticated request may touch, refused or not (api.md: a token's last use is shown).
BOOKKEEPING = {"api_token": {"last_used_at"}}


@dataclass
class Scene:
    """The actor's own question (answered by helper), the actor's reply on asker's question, a question
    the actor never touched, asker's support case, and a flagged post waiting in the review queue."""

    actor: User
    boss: User
    helper: User
    asker: User
    ids: dict[str, Any] = field(default_factory=dict)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def scene_for(make) -> Callable[[str], Scene]:
    def build(role: str) -> Scene:
        scene = Scene(actor=make.make_user(role), boss=make.make_user("admin"), helper=make.make_user(),
                      asker=make.make_user())
        category, spare = make.make_category(), make.make_category()
        own = make.make_thread(author=scene.actor, category=category, tags=["router"])
        their_reply = make.make_reply(own, author=scene.helper, body="Move the router away from the microwave.")
        theirs = make.make_thread(author=scene.asker, category=category)
        own_reply = make.make_reply(theirs, author=scene.actor, body="Same here since the update.")
        fresh = make.make_thread(author=scene.asker, category=category)
        case, _ = cases.escalate_thread(scene.asker, theirs, "Charged twice")
        item = review_queue.open_item(their_reply, ReviewKind.FLAGGED, "spam")
        db.session.commit()
        scene.ids.update(
            category=category.id, spare=spare.id, own_thread=own.id, their_reply=their_reply.id,
            own_question=reading.question_post(own).id, their_thread=theirs.id, own_reply=own_reply.id,
            fresh_thread=fresh.id, case=case.id, item=item.id, helper=scene.helper.id,
            helper_name=scene.helper.username, tag="router", category_slug=category.slug,
            own_thread_page=thread_path(own),
            until=f"{clock.now() + timedelta(days=30):%Y-%m-%dT%H:%M:%SZ}",
        )
        return scene

    return build


def suspend(scene: Scene) -> None:
    suspensions.suspend_user(scene.boss, scene.actor, suspensions.SuspensionInput(
        clock.now() + timedelta(days=7), "Spamming the billing category"))


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table: any insert, update or delete shows."""
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in BOOKKEEPING.get(table.name, ())]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str]) -> list[str]:
    db.session.expire_all()
    after = fingerprint()
    return sorted(name for name in before if before[name] != after[name])


@dataclass(frozen=True)
class Call:
    """One request; strings in path, data and json are formatted with the scene's ids."""

    method: str
    path: str
    data: dict[str, Any] | Callable[[], dict[str, Any]] | None = None  # a callable: built when sent
    json: dict[str, Any] | None = None
    file: str | None = None  # the multipart field carrying a small PNG


@dataclass(frozen=True)
class Act:
    name: str
    roles: tuple[str, ...]
    web: Call | None = None
    api: Call | None = None
    prepare: Callable[[Scene], None] | None = None


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """Put the scene's ids in; a string that is one placeholder becomes the id itself (a number in JSON)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {_fill(key, ids): _fill(item, ids) for key, item in value.items()}
    return value


def _with_avatar(scene: Scene) -> None:
    from forum import uploads

    uploads.set_avatar_from_stream(scene.actor, io.BytesIO(_png()), "me.png")
    db.session.commit()


def _settings_form() -> dict[str, str]:
    """The whole settings page as an admin sends it (a ticked box sends "y"), with one value changed."""
    shown = {key: ("y" if value else None) if isinstance(value, bool) else
             ", ".join(value) if isinstance(value, list) else str(value)
             for key, value in community_settings.all_settings().items()}
    shown["moderation.hide_threshold"] = "4"
    return {key: value for key, value in shown.items() if value is not None}


THREAD = {"category_id": "{category}", "kind": "question", "title": "Printer offline after the update",
          "body": "Since Tuesday the printer shows offline on every laptop.", "tags": ""}
ACTS = [
    # taking part: every role
    Act("start a thread", EVERY_ROLE, Call("POST", "/ask", data=THREAD),
        Call("POST", "/api/v1/threads", json={**THREAD, "tags": []})),
    Act("reply", EVERY_ROLE, Call("POST", "/t/{fresh_thread}/reply", data={"body": "Same for me, any news?"}),
        Call("POST", "/api/v1/threads/{fresh_thread}/posts", json={"body": "Same for me, any news?"})),
    Act("edit own post", EVERY_ROLE, Call("POST", "/p/{own_reply}/edit", data={"body": "Same since Tuesday's update."}),
        Call("PATCH", "/api/v1/posts/{own_reply}", json={"body": "Same since Tuesday's update."})),
    Act("edit own thread", EVERY_ROLE, Call("POST", "/t/{own_thread}/edit", data={"title": "Wi-Fi drops at 8 pm",
                                                                                 "tags": "router"}),
        Call("PATCH", "/api/v1/threads/{own_thread}", json={"title": "Wi-Fi drops at 8 pm"})),
    Act("delete own post", EVERY_ROLE, Call("POST", "/p/{own_reply}/delete", data={"confirm": "delete"}),
        Call("DELETE", "/api/v1/posts/{own_reply}")),
    Act("vote helpful", EVERY_ROLE, Call("POST", "/p/{their_reply}/helpful"),
        Call("POST", "/api/v1/posts/{their_reply}/votes")),
    Act("accept an answer", EVERY_ROLE, Call("POST", "/p/{their_reply}/accept"),
        Call("PUT", "/api/v1/threads/{own_thread}/accepted", json={"post_id": "{their_reply}"})),
    Act("flag", EVERY_ROLE, Call("POST", "/p/{their_reply}/flag", data={"flag-{their_reply}-reason": "spam"}),
        Call("POST", "/api/v1/posts/{their_reply}/flags", json={"reason": "spam"})),
    Act("watch a thread", EVERY_ROLE, Call("POST", "/t/{fresh_thread}/watch"),
        Call("POST", "/api/v1/threads/{fresh_thread}/subscription")),
    Act("follow a category", EVERY_ROLE, Call("POST", "/c/{category_slug}/follow")),
    Act("follow a tag", EVERY_ROLE, Call("POST", "/tags/{tag}/follow")),
    Act("me too", EVERY_ROLE, Call("POST", "/t/{fresh_thread}/me-too"),
        Call("POST", "/api/v1/threads/{fresh_thread}/me-too")),
    Act("give feedback", EVERY_ROLE, Call("POST", "/t/{own_thread}/feedback", data={"resolved": "yes", "rating": "5"}),
        Call("POST", "/api/v1/threads/{own_thread}/feedback", json={"resolved": True, "rating": 5})),
    Act("change the profile", EVERY_ROLE,
        Call("POST", "/settings/profile", data={"display_name": "Free Stuff", "bio": "Visit my shop",
                                                "time_zone": "UTC"}),
        Call("PATCH", "/api/v1/me", json={"display_name": "Free Stuff"})),
    Act("upload a file", EVERY_ROLE, Call("POST", "/uploads", file="file"),
        Call("POST", "/api/v1/uploads", file="file")),
    Act("set an avatar", EVERY_ROLE, Call("POST", "/settings/profile/avatar", file="file"),
        Call("PUT", "/api/v1/me/avatar", file="file")),
    Act("remove the avatar", EVERY_ROLE, Call("POST", "/settings/profile/avatar/remove"),
        Call("DELETE", "/api/v1/me/avatar"), prepare=_with_avatar),
    Act("create a personal token", EVERY_ROLE,
        Call("POST", "/settings/tokens", data={"name": "script", "scope": "write"})),
    # staff powers
    Act("hide a post", STAFF, Call("POST", "/moderation/posts/{their_reply}/hide", data={"reason": "spam"}),
        Call("POST", "/api/v1/posts/{their_reply}/hide", json={"reason": "spam"})),
    Act("edit another's post", STAFF, Call("POST", "/p/{their_reply}/edit", data={"body": "Edited by staff.",
                                                                                      "reason": "tidy"}),
        Call("PATCH", "/api/v1/posts/{their_reply}", json={"body": "Edited by staff.", "reason": "tidy"})),
    Act("delete another's post", STAFF, Call("POST", "/p/{their_reply}/delete",
                                             data={"reason": "spam", "confirm": "delete"}),
        Call("DELETE", "/api/v1/posts/{their_reply}", json={"reason": "spam"})),
    Act("lock a thread", STAFF, Call("POST", "/moderation/threads/{fresh_thread}/lock")),
    Act("merge threads", STAFF, Call("POST", "/moderation/threads/{fresh_thread}/merge",
                                     data={"merge-target_id": "{their_thread}"}),
        Call("POST", "/api/v1/threads/{fresh_thread}/merge", json={"target_id": "{their_thread}", "reason": "dup"})),
    Act("suspend another member", STAFF, Call("POST", "/moderation/users/{helper}/suspend",
                                              data={"days": "7", "reason": "Spam", "confirm": "suspend"}),
        Call("POST", "/api/v1/users/{helper}/suspension", json={"until": "{until}", "reason": "Spam"})),
    Act("decide in the review queue", STAFF, Call("POST", "/moderation/queue/{item}", data={"action": "dismiss"}),
        Call("POST", "/api/v1/moderation/queue/{item}", json={"action": "dismiss"})),
    Act("make an advocate", STAFF, Call("POST", "/u/{helper_name}/advocate")),
    Act("create a mission", STAFF, Call("POST", "/staff/missions", data={
        "title": "Solve three", "metric": "solutions", "goal": "3", "points": "5",
        "starts_at": "2026-11-01T00:00", "ends_at": "2026-12-31T00:00"})),
    Act("publish a case resolution", AGENTS, Call("POST", "/desk/cases/{case}/resolve",
                                                  data={"resolution": "Refunded the second charge."}),
        Call("POST", "/api/v1/cases/{case}/resolution", json={"resolution": "Refunded.", "publish_to_thread": True})),
    Act("reply to a case as its agent", AGENTS, Call("POST", "/desk/cases/{case}/messages",
                                                     data={"body": "We are on it.", "visibility": "customer"})),
    Act("change a case", AGENTS, Call("POST", "/desk/cases/{case}/priority", data={"priority": "high"}),
        Call("PATCH", "/api/v1/cases/{case}", json={"priority": "high"})),
    Act("claim a case", AGENTS, Call("POST", "/desk/cases/{case}/claim")),
    Act("open an incident", AGENTS, Call("POST", "/staff/incidents", data={"title": "Billing outage",
                                                                         "thread_ids": "{fresh_thread}"})),
    Act("change settings", ADMIN, Call("POST", "/admin/settings", data=_settings_form),
        Call("PATCH", "/api/v1/settings", json={"moderation.hide_threshold": 4})),
    Act("create a category", ADMIN, Call("POST", "/admin/categories", data={"name": "Shipping", "slug": "shipping",
                                                                            "position": "0"}),
        Call("POST", "/api/v1/categories", json={"name": "Shipping", "slug": "shipping"})),
    Act("change a member's role", ADMIN, Call("POST", "/admin/users/{helper}/role", data={"role": "moderator"})),
    Act("add a watched word", ADMIN, Call("POST", "/admin/watched-words", data={"phrase": "zzzfree", "mode": "block"})),
    Act("subscribe a webhook", ADMIN, Call("POST", "/admin/webhooks", data={
        "url": "https://93.184.215.14/x", "events": "post.created", "secret": "a-secret-of-length"}),
        Call("POST", "/api/v1/webhooks", json={"url": "https://93.184.215.14/x", "events": ["post.created"],
                                               "secret": "a-secret-of-length"})),
]
CASES = [
    pytest.param(act, role, front, id=f"{act.name}-{front}-{role}")
    for act in ACTS for role in act.roles for front in ("web", "api") if getattr(act, front) is not None
]
# The control needs one role per action: the refusal's own message already shows it came from the suspension.
CONTROLS = [
    pytest.param(act, act.roles[0], front, id=f"{act.name}-{front}-{act.roles[0]}")
    for act in ACTS for front in ("web", "api") if getattr(act, front) is not None
]


def _csrf_from_profile(client) -> str:
    import re

    page = client.get("/settings/profile").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def send(client, call: Call, scene: Scene, *, web: bool):
    """The call as a browser (session, CSRF) or an API client (bearer token) makes it."""
    kwargs: dict[str, Any] = {}
    if call.data is not None:
        kwargs["data"] = _fill(call.data() if callable(call.data) else call.data, scene.ids)
    if call.json is not None:
        kwargs["json"] = _fill(call.json, scene.ids)
    if call.file:
        kwargs["data"] = {call.file: (io.BytesIO(_png()), "shot.png", "image/png")}
        kwargs["content_type"] = "multipart/form-data"
        if web and call.path == "/settings/profile/avatar":  # a plain form: its CSRF token travels in the body
            kwargs["data"]["csrf_token"] = _csrf_from_profile(client)
            kwargs["csrf"] = False
    if web and call.path == "/settings/profile/avatar/remove":
        kwargs["data"], kwargs["csrf"] = {"csrf_token": _csrf_from_profile(client)}, False
    return client.open(_fill(call.path, scene.ids), method=call.method, **kwargs)


@pytest.fixture
def client_for(login_as, api_client):
    """A signed-in browser or a bearer-token client for user, made while the account is in good standing."""

    def make(user: User, front: str):
        return login_as(user) if front == "web" else api_client(user)

    return make


@pytest.mark.parametrize(("act", "role", "front"), CASES)
def test_a_suspended_account_is_refused_and_nothing_is_stored(scene_for, client_for, act, role, front):
    scene = scene_for(role)
    if act.prepare:
        act.prepare(scene)
    client = client_for(scene.actor, front)
    suspend(scene)
    reputation_before = {user.id: user.reputation for user in (scene.actor, scene.helper, scene.asker)}
    before = fingerprint()
    response = send(client, getattr(act, front), scene, web=front == "web")
    assert response.status_code == 403, response.get_data(as_text=True)[:600]
    if front == "web":
        page = response.get_data(as_text=True)
        assert "Account suspended" in page and SUSPENDED_TEXT in page and "appeal" in page
    else:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["type"].endswith("/account-suspended")
        assert SUSPENDED_TEXT in response.get_json()["detail"]
    assert changed_tables(before) == []
    assert {user.id: db.session.get(User, user.id).reputation for user in (scene.actor, scene.helper, scene.asker)} \
        == reputation_before


@pytest.mark.parametrize(("act", "role", "front"), CONTROLS)
def test_in_good_standing_the_same_request_goes_through(scene_for, client_for, act, role, front):
    """The control: each request above would store something, so "nothing stored" is not true by accident."""
    scene = scene_for(role)
    if act.prepare:
        act.prepare(scene)
    client = client_for(scene.actor, front)
    before = fingerprint()
    response = send(client, getattr(act, front), scene, web=front == "web")
    assert response.status_code < 400, response.get_data(as_text=True)[:600]
    assert changed_tables(before) != []


# --- what stays open ------------------------------------------------------------------------------------------


def _problem_type(response) -> str:
    return response.get_json()["type"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_a_suspended_account_still_reads_and_sees_why_with_a_way_to_appeal(scene_for, client_for, role):
    scene = scene_for(role)
    browser, api = client_for(scene.actor, "web"), client_for(scene.actor, "api")
    suspend(scene)
    ids = scene.ids
    for path in ("/", ids["own_thread_page"], f"/u/{scene.actor.username}", "/notifications", "/settings/tokens",
                 "/settings/notifications", "/appeal", f"/c/{ids['category_slug']}"):
        assert browser.get(path).status_code == 200, path
    home = browser.get("/").get_data(as_text=True)
    assert "Your account is suspended until" in home and "Spamming the billing category" in home
    assert 'href="/appeal"' in home
    for path in ("/api/v1/me", f"/api/v1/threads/{ids['own_thread']}", "/api/v1/notifications"):
        assert api.get(path).status_code == 200, path


def test_a_suspended_member_is_offered_no_button_that_would_be_refused(scene_for, client_for, db):
    scene = scene_for("member")
    browser = client_for(scene.actor, "web")
    fresh = db.session.get(Thread, scene.ids["fresh_thread"])
    before = browser.get(thread_path(fresh)).get_data(as_text=True)
    assert "Me too: I have this question too" in before  # the control: offered in good standing
    assert "Helpful (" in browser.get(scene.ids["own_thread_page"]).get_data(as_text=True)
    suspend(scene)
    page = browser.get(thread_path(fresh)).get_data(as_text=True)
    assert "Me too: I have this question too" not in page and f"/t/{fresh.id}/me-too" not in page
    assert "Helpful (" not in browser.get(scene.ids["own_thread_page"]).get_data(as_text=True)


@pytest.mark.parametrize(("role", "page", "api_path"), [
    ("moderator", "/moderation/queue", "/api/v1/moderation/queue"),
    ("agent", "/desk", "/api/v1/cases"),
    ("admin", "/admin/settings", "/api/v1/settings"),
])
def test_a_suspended_staff_member_loses_the_staff_pages_too(scene_for, client_for, role, page, api_path):
    scene = scene_for(role)
    browser, api = client_for(scene.actor, "web"), client_for(scene.actor, "api")
    assert browser.get(page).status_code == 200 and api.get(api_path).status_code == 200
    suspend(scene)
    assert browser.get(page).status_code == 403
    assert api.get(api_path).status_code == 403


def test_signing_out_stays_open(scene_for, client_for):
    scene = scene_for("member")
    browser = client_for(scene.actor, "web")
    suspend(scene)
    assert browser.post("/auth/logout").status_code == 302
    assert "Sign in" in browser.get("/").get_data(as_text=True)


@pytest.mark.parametrize("front", ["web", "api"])
def test_a_suspended_customer_still_writes_to_their_own_case_and_to_no_other(scene_for, client_for, make, front):
    scene = scene_for("member")
    own_case, _ = cases.escalate_thread(scene.actor, db.session.get(Thread, scene.ids["own_thread"]), "Help")
    client = client_for(scene.actor, front)
    suspend(scene)
    if front == "web":
        sent = client.post(f"/cases/{own_case.id}/messages", data={"body": "My account number is 12345."})
        other = client.post(f"/cases/{scene.ids['case']}/messages", data={"body": "Let me in."})
    else:
        sent = client.post(f"/api/v1/cases/{own_case.id}/messages", json={"body": "My account number is 12345."})
        other = client.post(f"/api/v1/cases/{scene.ids['case']}/messages", json={"body": "Let me in."})
    assert sent.status_code == (302 if front == "web" else 201), sent.get_data(as_text=True)[:400]
    assert other.status_code == 404
    bodies = db.session.scalars(select(CaseMessage.body).where(CaseMessage.author_id == scene.actor.id)).all()
    assert bodies == ["My account number is 12345."]


@pytest.mark.parametrize("role", AGENTS)
def test_a_suspended_agent_cannot_write_to_a_case_through_the_open_message_route(scene_for, client_for, role):
    """POST /cases/{id}/messages stays open for customers; an agent under suspension finds no one's case."""
    scene = scene_for(role)
    api = client_for(scene.actor, "api")
    suspend(scene)
    before = fingerprint()
    for visibility in ("customer", "internal"):
        response = api.post(f"/api/v1/cases/{scene.ids['case']}/messages",
                            json={"body": "We are on it.", "visibility": visibility})
        assert response.status_code == 404
    assert api.get(f"/api/v1/cases/{scene.ids['case']}").status_code == 404
    assert changed_tables(before) == []


@pytest.mark.parametrize("front", ["web", "api"])
def test_a_suspended_asker_still_asks_the_support_team_for_help(scene_for, client_for, front):
    scene = scene_for("member")
    client = client_for(scene.actor, front)
    suspend(scene)
    thread_id = scene.ids["own_thread"]
    if front == "web":
        response = client.post(f"/t/{thread_id}/escalate", data={"reason": "Still dropping every evening"})
    else:
        response = client.post(f"/api/v1/threads/{thread_id}/escalations", json={"reason": "Still dropping"})
    assert response.status_code == (302 if front == "web" else 201), response.get_data(as_text=True)[:400]
    assert db.session.scalar(select(Case).where(Case.thread_id == thread_id)).customer_id == scene.actor.id


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("front", ["web", "api"])
def test_suspended_staff_escalate_no_one_else_s_thread(scene_for, client_for, role, front):
    scene = scene_for(role)
    client = client_for(scene.actor, front)
    suspend(scene)
    before = fingerprint()
    thread_id = scene.ids["fresh_thread"]
    if front == "web":
        response = client.post(f"/t/{thread_id}/escalate", data={"reason": "Escalating"})
    else:
        response = client.post(f"/api/v1/threads/{thread_id}/escalations", json={"reason": "Escalating"})
    assert response.status_code == 403
    assert changed_tables(before) == []


def test_a_suspended_member_revokes_their_own_token_on_the_tokens_page(scene_for, client_for):
    scene = scene_for("member")
    token = api_tokens.create_personal_token(scene.actor, api_tokens.TokenInput("phone", "write")).token
    browser = client_for(scene.actor, "web")
    suspend(scene)
    page = browser.get("/settings/tokens").get_data(as_text=True)
    assert "phone" in page
    assert browser.post(f"/settings/tokens/{token.id}/revoke").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_a_suspended_member_gives_up_the_token_the_api_call_carries(scene_for, client_for):
    scene = scene_for("member")
    api = client_for(scene.actor, "api")
    suspend(scene)
    assert api.delete("/api/v1/tokens/current").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("front", ["web", "api"])
def test_a_suspended_member_still_marks_notifications_read(scene_for, client_for, front):
    scene = scene_for("member")
    client = client_for(scene.actor, front)
    suspend(scene)  # the suspension notice itself is unread now
    unread = select(Notification).where(Notification.user_id == scene.actor.id, Notification.read_at.is_(None))
    assert db.session.scalars(unread).all()
    response = client.post("/notifications/read") if front == "web" else client.post("/api/v1/notifications/read",
                                                                                        json={})
    assert response.status_code in (200, 302)
    assert db.session.scalars(unread).all() == []


@pytest.mark.parametrize("front", ["web", "api"])
def test_a_suspended_member_may_ask_for_less_email_but_not_touch_the_profile(scene_for, client_for, front):
    """Email preferences decide only what reaches one's own inbox: open. The profile is public: closed."""
    scene = scene_for("member")
    client = client_for(scene.actor, front)
    suspend(scene)
    if front == "web":
        response = client.post("/settings/notifications", data={"email_frequency": "off"})
    else:
        before = fingerprint()
        mixed = client.patch("/api/v1/me", json={"display_name": "Free Stuff", "email_frequency": "off"})
        assert mixed.status_code == 403 and _problem_type(mixed) == "account-suspended"
        assert changed_tables(before) == []
        response = client.patch("/api/v1/me", json={"email_frequency": "off"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:400]
    user = db.session.get(User, scene.actor.id)
    db.session.refresh(user)
    assert user.email_frequency == "off" and user.display_name == ""


@pytest.mark.parametrize("front", ["web", "api"])
def test_a_suspended_member_may_mute_but_not_watch(scene_for, client_for, front):
    scene = scene_for("member")
    client = client_for(scene.actor, front)
    suspend(scene)
    thread_id = scene.ids["fresh_thread"]
    path = f"/t/{thread_id}/mute" if front == "web" else f"/api/v1/threads/{thread_id}/subscription"
    response = client.post(path) if front == "web" else client.delete(path)
    assert response.status_code in (204, 302)
    muted = db.session.scalar(select(Subscription).where(Subscription.user_id == scene.actor.id,
                                                         Subscription.thread_id == thread_id))
    assert muted is not None and muted.muted


def test_the_unsubscribe_link_works_in_a_suspended_member_s_browser(scene_for, client_for):
    scene = scene_for("member")
    browser = client_for(scene.actor, "web")
    suspend(scene)
    token = notifications.unsubscribe_url(scene.actor).rsplit("/", 1)[1]
    assert browser.post(f"/unsubscribe/{token}").status_code == 200
    db.session.refresh(scene.actor)
    assert scene.actor.email_frequency == "off"


@pytest.mark.parametrize("front", ["web", "api"])
def test_when_the_suspension_ends_everything_comes_back(scene_for, client_for, clock_at, front):
    scene = scene_for("moderator")
    client = client_for(scene.actor, front)
    suspend(scene)
    thread_id, reply_id = scene.ids["fresh_thread"], scene.ids["their_reply"]
    if front == "web":
        refused = client.post(f"/t/{thread_id}/reply", data={"body": "Same for me, any news?"})
    else:
        refused = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Same for me, any news?"})
    assert refused.status_code == 403
    clock_at.advance(days=7, minutes=1)
    if front == "web":
        assert "is suspended until" not in client.get("/").get_data(as_text=True)
        replied = client.post(f"/t/{thread_id}/reply", data={"body": "Same for me, any news?"})
        hidden = client.post(f"/moderation/posts/{reply_id}/hide", data={"reason": "spam"})
    else:
        replied = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Same for me, any news?"})
        hidden = client.post(f"/api/v1/posts/{reply_id}/hide", json={"reason": "spam"})
    assert replied.status_code in (201, 302) and hidden.status_code in (200, 302)
    assert db.session.get(Post, reply_id).visibility == "hidden"
    assert db.session.scalar(select(Post).where(Post.thread_id == thread_id, Post.author_id == scene.actor.id))
