"""The API tokens page (/settings/tokens) and the admin's service tokens page (/admin/service-tokens)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import accounts
from forum.models import ApiToken, AuditEntry, User
from tests.web.helpers import is_sign_in_redirect, text


def raw_token(response) -> str:
    match = re.search(r'value="(hs_[A-Za-z0-9_-]+)"', text(response))
    assert match, text(response)[:800]
    return match.group(1)


def me(app, raw: str):
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return api.get("/api/v1/me")


def table_rows(response) -> list[str]:
    """Each body row of the tokens table, as its visible words."""
    body = text(response).split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in text(response) else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if row.strip()]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert is_sign_in_redirect(client.get("/settings/tokens"))
    assert is_sign_in_redirect(client.post("/settings/tokens", data={"name": "x", "scope": "read"}))


def test_creating_a_token_shows_it_once_and_it_works_with_its_scope(app, client, login_as, make, clock_at):
    user = make.make_user(username="carla")
    login_as(user)
    response = client.post("/settings/tokens", data={"name": "Phone app", "scope": "read"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Copy the token now: it is not shown again." in text(response)
    raw = raw_token(response)
    assert me(app, raw).get_json()["username"] == "carla"

    listing = client.get("/settings/tokens")
    assert raw not in text(listing)
    assert table_rows(listing) == ["Phone app read just now just now Revoke Phone app"]


def test_the_list_shows_name_scope_created_and_last_used_never_the_secret(app, client, login_as, make, clock_at):
    user = make.make_user()
    raw = accounts.create_api_token(user, name="Nightly export", scope="write")
    clock_at.advance(hours=3)
    accounts.create_api_token(user, name="Old laptop", scope="read")
    accounts.create_api_token(make.make_user(), name="Someone else's", scope="write")
    clock_at.advance(hours=2)
    me(app, raw)
    clock_at.advance(minutes=10)
    response = login_as(user).get("/settings/tokens")
    assert table_rows(response) == [
        "Old laptop read 2 hr ago never Revoke Old laptop",
        "Nightly export write 5 hr ago 10 min ago Revoke Nightly export",
    ]
    assert raw not in text(response)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "", "scope": "read"}, "Give the token a name, such as the app or script that will use it."),
        ({"name": "   ", "scope": "write"}, "Give the token a name, such as the app or script that will use it."),
        ({"name": "x" * 65, "scope": "read"}, "Field cannot be longer than 64 characters."),
        ({"name": "Bot", "scope": "admin"}, "Not a valid choice."),
    ],
)
def test_bad_input_is_a_clear_form_error_and_mints_nothing(client, login_as, make, db, data, field_error):
    login_as(make.make_user())
    response = client.post("/settings/tokens", data=data)
    assert response.status_code == 422
    assert field_error in text(response)
    assert db.session.scalars(select(ApiToken)).all() == []


def test_revoking_a_token_stops_it_at_once(app, client, login_as, make):
    user = make.make_user()
    raw = accounts.create_api_token(user, name="Old laptop", scope="write")
    token = user.tokens[0]
    response = login_as(user).post(f"/settings/tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/tokens"
    assert me(app, raw).status_code == 401
    page = client.get("/settings/tokens")
    assert "The token “Old laptop” is revoked: apps using it can no longer sign in." in text(page)
    assert table_rows(page) == []


def test_nobody_revokes_someone_elses_token(app, client, login_as, make):
    owner = make.make_user()
    raw = accounts.create_api_token(owner, name="Mine")
    token_id = owner.tokens[0].id
    login_as(make.make_user(role="admin"))
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 404
    assert me(app, raw).status_code == 200


def test_revoking_needs_the_csrf_token(app, client, login_as, make):
    user = make.make_user()
    raw = accounts.create_api_token(user, name="Mine")
    login_as(user).post(f"/settings/tokens/{user.tokens[0].id}/revoke", csrf=False)
    assert me(app, raw).status_code == 200


def test_suspended_people_list_and_revoke_but_do_not_create(app, client, login_as, make, clock_at):
    user = make.make_user(suspended_until=clock_at.now + timedelta(days=3), suspension_reason="Spam")
    raw = accounts.create_api_token(user, name="Script")
    login_as(user)
    page = client.get("/settings/tokens")
    assert "While your account is suspended you can revoke tokens but not create new ones." in text(page)
    assert 'name="scope"' not in text(page)
    assert client.post("/settings/tokens", data={"name": "New", "scope": "write"}).status_code == 403
    assert len(user.tokens) == 1
    client.post(f"/settings/tokens/{user.tokens[0].id}/revoke")
    assert me(app, raw).status_code == 401


def test_profile_settings_link_to_the_tokens_page(client, login_as, make):
    assert 'href="/settings/tokens"' in text(login_as(make.make_user()).get("/settings/profile"))


# --- service tokens ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "moderator", "agent"])
def test_only_admins_manage_service_tokens(client, login_as, make, role):
    login_as(make.make_user(role=role))
    assert client.get("/admin/service-tokens").status_code == 403
    form = {"account_id": "new", "new_username": "sneaky-bot", "role": "admin", "name": "x", "scope": "write"}
    assert client.post("/admin/service-tokens", data=form).status_code == 403
    assert client.post("/admin/service-tokens/1/revoke").status_code == 403


def test_admin_creates_a_service_account_with_a_token_that_acts_with_its_role(app, client, login_as, make, db):
    admin = make.make_user(role="admin")
    login_as(admin)
    form = {"account_id": "new", "new_username": "helpdesk-bot", "role": "agent", "name": "Zendesk", "scope": "write"}
    response = client.post("/admin/service-tokens", data=form)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = raw_token(response)
    body = me(app, raw).get_json()
    assert (body["username"], body["role"]) == ("helpdesk-bot", "agent")
    bot = db.session.scalar(select(User).where(User.username == "helpdesk-bot"))
    assert accounts.authenticate(bot.email, accounts.NO_PASSWORD) is None  # no password: only the token gets in
    assert (bot.email_frequency, bot.weekly_digest) == ("off", False)

    # A second token for the same account, picked from the list of service accounts.
    page = client.get("/admin/service-tokens")
    assert f'<option value="{bot.id}">helpdesk-bot</option>' in text(page)
    again = client.post("/admin/service-tokens", data={**form, "account_id": str(bot.id), "name": "Reports",
                                                       "scope": "read"})
    assert raw_token(again) != raw
    assert table_rows(client.get("/admin/service-tokens")) == [
        "Reports helpdesk-bot agent read just now never Revoke Reports of helpdesk-bot",
        "Zendesk helpdesk-bot agent write just now just now Revoke Zendesk of helpdesk-bot",
    ]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == admin.id)).all()
    assert sorted(actions) == ["service_account.create", "service_token.create", "service_token.create"]


def test_human_accounts_are_not_offered_and_cannot_be_picked(client, login_as, make, db):
    human = make.make_user(username="real-person")
    login_as(make.make_user(role="admin"))
    assert "real-person" not in text(client.get("/admin/service-tokens"))
    form = {"account_id": str(human.id), "name": "Steal", "scope": "write", "role": "member"}
    response = client.post("/admin/service-tokens", data=form)
    assert response.status_code == 422 and "Not a valid choice." in text(response)
    assert human.tokens == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"new_username": "a"}, "Use 3–32 letters, digits, &#39;_&#39;, &#39;.&#39; or &#39;-&#39;, such as helpdesk"),
        ({"new_username": "taken-name"}, "That username is taken."),
        ({"name": ""}, "Give the token a name, such as the app or script that will use it."),
        ({"role": "overlord"}, "Not a valid choice."),
    ],
)
def test_bad_service_token_input_is_a_form_error(client, login_as, make, db, changes, message):
    make.make_user(username="taken-name")
    login_as(make.make_user(role="admin"))
    form = {"account_id": "new", "new_username": "helpdesk-bot", "role": "agent", "name": "Zendesk", "scope": "write"}
    response = client.post("/admin/service-tokens", data={**form, **changes})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(User).where(User.username == "helpdesk-bot")) is None


def test_admin_revokes_a_service_token(app, client, login_as, make, db):
    admin = make.make_user(role="admin")
    login_as(admin)
    form = {"account_id": "new", "new_username": "chat-bot", "role": "member", "name": "Chat", "scope": "write"}
    raw = raw_token(client.post("/admin/service-tokens", data=form))
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Chat"))
    response = client.post(f"/admin/service-tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert me(app, raw).status_code == 401
    assert "The token “Chat” of chat-bot is revoked." in text(client.get("/admin/service-tokens"))
    personal = accounts.create_api_token(admin, name="Mine")
    personal_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Mine"))
    assert client.post(f"/admin/service-tokens/{personal_id}/revoke").status_code == 404  # not a service token
    assert me(app, personal).status_code == 200


def test_admin_index_links_to_service_tokens(client, login_as, make):
    assert 'href="/admin/service-tokens"' in text(login_as(make.make_user(role="admin")).get("/admin"))
