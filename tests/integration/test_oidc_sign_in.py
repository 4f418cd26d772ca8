"""Sign in with an identity provider, end to end against a real OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import event, func, select

from forum import accounts
from forum.accounts import oidc_tokens, two_factor
from forum.core import database
from forum.models import User, UserIdentity
from tests.accounts.test_two_factor import code_for
from tests.conftest import free_port
from tests.factories import PASSWORD
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, KEY_ID, Provider, s256
from tests.web.helpers import text

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def provider(app, monkeypatch) -> Iterator[Provider]:
    idp = Provider().start()
    oidc_tokens.clear_cache()  # a new provider may get the port of an earlier one: never reuse its keys
    settings = app.config["HORSESHOE"]
    configured = {"oidc_issuer": idp.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
                  "oidc_name": "Acme ID"}
    for name, value in configured.items():
        monkeypatch.setattr(settings, name, value)
    yield idp
    idp.stop()


def go_to_provider(client, query: str = "") -> str:
    """Press "Sign in with Acme ID": the answer sends the browser to the provider's authorize URL."""
    response = client.post(f"/auth/oidc/start{query}")
    assert response.status_code == 303, text(response)[:300]
    return response.headers["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "localhost"), url
    return f"{parts.path}?{parts.query}"


def sign_in(client, provider: Provider, query: str = ""):
    """The whole round trip: start, the provider approves, back to our callback. Returns the callback's answer."""
    back = provider.authorize(go_to_provider(client, query))
    return client.get(local(back))


def signed_in_username(client) -> str | None:
    me = client.get("/api/v1/me")
    return me.get_json()["username"] if me.status_code == 200 else None


def identities(db) -> list[tuple[str, str, int]]:
    rows = db.session.execute(select(UserIdentity.issuer, UserIdentity.subject, UserIdentity.user_id))
    return [tuple(row) for row in rows]


def test_sign_in_page_offers_the_provider_only_when_it_is_configured(client, app, monkeypatch):
    assert "Sign in with" not in text(client.get("/auth/login"))
    assert client.post("/auth/oidc/start").status_code == 404
    settings = app.config["HORSESHOE"]
    for name, value in {"oidc_issuer": "https://id.example.com", "oidc_client_id": "c",
                        "oidc_client_secret": "s", "oidc_name": "Acme ID"}.items():
        monkeypatch.setattr(settings, name, value)
    page = text(client.get("/auth/login"))
    assert "Sign in with Acme ID" in page and "Forgot your password?" in page


def test_first_sign_in_links_the_account_with_the_verified_email_and_the_next_finds_the_identity(
    client, make, db, provider
):
    ada = make.make_user(username="ada_l", email="ada@example.com")
    authorize = urlsplit(go_to_provider(client, "?next=/settings/profile"))
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert f"http://{authorize.netloc}{authorize.path}" == f"{provider.issuer}/authorize"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256" and query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://localhost/auth/oidc/callback"
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]

    response = client.get(local(provider.authorize(authorize.geturl())))
    assert response.status_code == 302 and response.headers["Location"] == "/settings/profile"
    assert signed_in_username(client) == "ada_l"
    # The code was redeemed with the client secret and the PKCE verifier matching the challenge.
    (redeemed,) = provider.token_requests
    assert s256(redeemed["code_verifier"]) == query["code_challenge"]
    assert redeemed["grant_type"] == "authorization_code" and "client_secret" not in redeemed
    assert identities(db) == [(provider.issuer, "idp-0001", ada.id)]

    client.post("/auth/logout")
    assert signed_in_username(client) is None
    provider.person["email"] = "ada.lovelace@example.org"  # the subject, not the email, is the lasting key
    assert sign_in(client, provider).status_code == 302
    assert signed_in_username(client) == "ada_l"
    assert identities(db) == [(provider.issuer, "idp-0001", ada.id)]
    assert db.session.scalar(select(func.count(User.id))) == 1
    # The discovery document and the keys were fetched once and then served from the cache.
    assert provider.requests.count(("GET", "/.well-known/openid-configuration")) == 1
    assert provider.requests.count(("GET", "/jwks")) == 1


def test_a_newcomer_gets_a_member_account_with_a_free_username(client, make, db, provider):
    make.make_user(username="ada", email="someone.else@example.com")
    assert sign_in(client, provider).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
    assert (user.username, user.display_name, user.role) == ("ada2", "Ada Lovelace", "member")
    assert signed_in_username(client) == "ada2"
    assert identities(db) == [(provider.issuer, "idp-0001", user.id)]


def test_a_name_claim_with_control_characters_is_stored_without_them(client, db, provider):
    """A NUL from the provider would be a 500 on PostgreSQL; other control characters are noise."""
    provider.person["name"] = "Ada\x00 Love\x07lace"
    assert sign_in(client, provider).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.display_name == "Ada Lovelace"


def test_suspended_people_sign_in_as_usual(client, make, provider, clock_at):
    make.make_user(username="ada_l", email="ada@example.com", suspended_until=clock_at.now.replace(year=2027),
                   suspension_reason="Spam")
    assert sign_in(client, provider).status_code == 302
    assert signed_in_username(client) == "ada_l"


def refused(response, words: str) -> None:
    assert response.status_code == 401, response.status_code
    page = text(response)
    assert "Sign-in did not work" in page and words in page, page[:600]


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(client, make, db, provider):
    make.make_user(username="ada_l", email="ada@example.com")
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID})  # same key id, other key
    refused(sign_in(client, provider), "The answer from Acme ID failed its signature check.")
    assert signed_in_username(client) is None
    assert identities(db) == []


def test_a_token_for_another_application_is_refused(client, db, provider):
    provider.claim_overrides = {"aud": "someone-elses-app"}
    refused(sign_in(client, provider), "The sign-in from Acme ID was issued for another application.")
    assert signed_in_username(client) is None
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_token_from_another_issuer_is_refused(client, provider):
    provider.claim_overrides = {"iss": "https://evil.example.com"}
    refused(sign_in(client, provider), "The sign-in from Acme ID was issued by someone else.")


def test_an_expired_token_is_refused(client, db, provider):
    provider.lifetime_s = -600  # expired ten minutes ago: well past the one minute of clock skew allowed
    refused(sign_in(client, provider), "The sign-in from Acme ID has expired. Please try again.")
    assert signed_in_username(client) is None


def test_a_token_carrying_another_nonce_is_refused(client, provider):
    provider.claim_overrides = {"nonce": "a-nonce-from-some-other-sign-in"}
    refused(sign_in(client, provider), "The sign-in from Acme ID does not belong to this sign-in.")


def test_a_replayed_callback_is_refused_even_when_the_provider_accepts_the_code_again(client, app, make, provider):
    provider.reuse_codes = True  # a sloppy provider: only our nonce check stands in the way
    make.make_user(username="ada_l", email="ada@example.com")
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    back = provider.authorize(go_to_provider(client))
    before = client.get_cookie(cookie_name).value  # what an attacker copied from the browser
    assert client.get(local(back)).status_code == 302
    client.post("/auth/logout")

    client.set_cookie(cookie_name, before)
    refused(client.get(local(back)), "This sign-in from Acme ID was already used. Please start again.")
    assert signed_in_username(client) is None
    assert len(provider.token_requests) == 2  # the provider did hand out the same ID token twice


def test_the_same_callback_twice_in_one_browser_is_refused(client, provider):
    back = provider.authorize(go_to_provider(client))
    assert client.get(local(back)).status_code == 302
    refused(client.get(local(back)), "This sign-in was not started in this browser, or was already used.")


def test_a_callback_with_another_state_is_refused(client, provider):
    back = provider.authorize(go_to_provider(client))
    forged = back.replace("state=", "state=x")
    refused(client.get(local(forged)), "This sign-in was not started in this browser")
    assert signed_in_username(client) is None
    assert provider.token_requests == []  # refused before the code was even redeemed


def test_a_callback_nobody_started_is_refused(client, provider):
    refused(client.get("/auth/oidc/callback?code=abc&state=def"), "was not started in this browser")


def test_an_unverified_email_does_not_link_to_an_existing_account(client, make, db, provider):
    ada = make.make_user(username="ada_l", email="ada@example.com")
    provider.person["email_verified"] = False
    refused(sign_in(client, provider), "Acme ID has not verified that address, so we cannot connect them.")
    assert signed_in_username(client) is None
    assert identities(db) == []
    assert db.session.scalar(select(func.count(User.id))) == 1 and ada.email == "ada@example.com"


def test_cancelling_at_the_provider_says_so(client, provider):
    back = provider.authorize(go_to_provider(client))
    state = parse_qs(urlsplit(back).query)["state"][0]
    refused(client.get(f"/auth/oidc/callback?error=access_denied&state={state}"), "Sign-in at Acme ID was cancelled.")


def test_an_unreachable_provider_is_a_clear_message_not_an_error(client, app, monkeypatch):
    settings = app.config["HORSESHOE"]
    for name, value in {"oidc_issuer": f"http://127.0.0.1:{free_port()}", "oidc_client_id": "c",
                        "oidc_client_secret": "s", "oidc_name": "Acme ID"}.items():
        monkeypatch.setattr(settings, name, value)
    response = client.post("/auth/oidc/start")
    assert response.status_code == 503
    assert "We could not reach Acme ID. Please try again in a moment." in text(response)


def test_starting_needs_the_csrf_token(client, provider):
    assert client.post("/auth/oidc/start", csrf=False).status_code == 400
    assert provider.requests == []


def test_a_discovery_document_naming_another_issuer_is_not_trusted(client, provider):
    provider.discovery_overrides = {"issuer": "https://evil.example.com"}
    refused(client.post("/auth/oidc/start"), "Acme ID&#39;s discovery document names another issuer.")


def test_a_wrong_client_secret_is_reported_plainly(client, app, provider, monkeypatch):
    monkeypatch.setattr(app.config["HORSESHOE"], "oidc_client_secret", "not the secret")
    refused(sign_in(client, provider), "Acme ID refused the sign-in (invalid_client). Please try again.")


def test_after_signing_in_only_same_site_pages_are_followed(client, provider):
    response = sign_in(client, provider, "?next=//evil.example.com/phish")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_discovery_document_naming_a_file_url_is_not_fetched(client, provider):
    provider.discovery_overrides = {"token_endpoint": "file:///etc/passwd"}
    back = provider.authorize(go_to_provider(client))
    refused(client.get(local(back)), "Acme ID named an address that is not http or https.")


def test_an_account_with_two_factor_gives_its_code_after_the_provider_too(client, make, db, provider):
    """The provider vouches for the email, not for the second factor the member chose here."""
    ada = make.make_user(username="ada_l", email="ada@example.com")
    assert sign_in(client, provider).status_code == 302  # links the identity (and ends the old credentials)
    client.post("/auth/logout")
    two_factor.start_enrolment(ada)
    two_factor.confirm_enrolment(ada, PASSWORD, code_for(ada))
    response = sign_in(client, provider)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/two-factor/challenge")
    assert signed_in_username(client) is None
    answered = client.post("/settings/two-factor/challenge", data={"code": code_for(ada, 1)})
    assert answered.status_code == 302 and signed_in_username(client) == "ada_l"


def test_linking_an_unconfirmed_account_drops_the_second_factor_its_registrant_set_up(client, make, db, provider):
    """Nobody proved the address here: whoever registered it may be a squatter, so all of it ends."""
    squatter = make.make_user(username="squatter", email="ada@example.com", verified=False)
    two_factor.start_enrolment(squatter)
    two_factor.confirm_enrolment(squatter, PASSWORD, code_for(squatter))
    response = sign_in(client, provider)
    assert response.status_code == 302 and signed_in_username(client) == "squatter"
    db.session.refresh(squatter)
    assert not squatter.two_factor_enabled and squatter.email_verified_at is not None
    assert accounts.authenticate("ada@example.com", PASSWORD) is None


def test_signing_in_through_the_provider_claims_an_account_staged_from_email(client, make, db, provider):
    """Someone who wrote in by email got an account without a password; the provider proves the address."""
    staged = make.make_user(username="ada_wrote_in", email="ada@example.com", verified=False)
    staged.staged_at = staged.created_at
    db.session.commit()
    assert sign_in(client, provider).status_code == 302 and signed_in_username(client) == "ada_wrote_in"
    db.session.refresh(staged)
    assert staged.staged_at is None and staged.email_verified_at is not None


def test_linking_a_confirmed_account_with_two_factor_asks_for_its_code_and_keeps_its_password(
        client, app, make, db, provider, clock_at):
    """The provider vouches for the email, not for the second factor the owner chose here."""
    ada = make.make_user(username="ada_l", email="ada@example.com")
    two_factor.start_enrolment(ada)
    two_factor.confirm_enrolment(ada, PASSWORD, code_for(ada))
    elsewhere = app.test_client()  # the owner, signed in with the password and a code on another device
    elsewhere.post("/auth/login", data={"email": ada.email, "password": PASSWORD})
    assert elsewhere.post("/settings/two-factor/challenge", data={"code": code_for(ada, 1)}).status_code == 302

    response = sign_in(client, provider)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/two-factor/challenge")
    assert signed_in_username(client) is None
    assert "Welcome, ada_l!" in text(client.get("/settings/two-factor/challenge")), "the message waits for the code"
    db.session.refresh(ada)
    assert ada.two_factor_enabled and accounts.authenticate("ada@example.com", PASSWORD) is not None
    assert identities(db) == [(provider.issuer, "idp-0001", ada.id)]
    assert signed_in_username(elsewhere) == "ada_l", "the owner's sessions stay"

    clock_at.advance(seconds=60)  # past the step the other device's code used
    assert client.post("/settings/two-factor/challenge", data={"code": code_for(ada)}).status_code == 302
    assert signed_in_username(client) == "ada_l"


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_linking_a_staff_account_keeps_its_password_and_sessions(client, app, make, db, provider, role):
    staff = make.make_user(role=role, username="ada_l", email="ada@example.com")
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": staff.email, "password": PASSWORD})
    assert sign_in(client, provider).status_code == 302 and signed_in_username(client) == "ada_l"
    assert accounts.authenticate("ada@example.com", PASSWORD) is not None
    assert signed_in_username(elsewhere) == "ada_l"


def test_linking_an_unconfirmed_staff_account_ends_its_password(client, make, db, provider):
    make.make_user(role="moderator", username="ada_l", email="ada@example.com", verified=False)
    assert sign_in(client, provider).status_code == 302 and signed_in_username(client) == "ada_l"
    assert accounts.authenticate("ada@example.com", PASSWORD) is None


def test_the_callbacks_writes_begin_as_writes(client, make, db, provider, monkeypatch):
    """The provider returns by GET, whose transactions begin read-only on SQLite; a sign-in that then writes
    would fail with "database is locked" when another request wrote in between (forum.core.database)."""
    make.make_user(username="ada_l", email="ada@example.com", deletion_scheduled_at=datetime(2027, 1, 1, tzinfo=UTC))
    back = provider.authorize(go_to_provider(client))
    in_read_only_transaction: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if WRITE.match(statement) and database._read_only.get():
            in_read_only_transaction.append(statement.split("(")[0][:60])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(local(back)).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert signed_in_username(client) == "ada_l"
    assert in_read_only_transaction == []
