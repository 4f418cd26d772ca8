"""Sign-up defences (issue 20): the honeypot field, the minimum time to fill the form and the blocked
email domains, each a setting, each on and off. A refusal is a form error a person can act on (422),
never a 500, and stores no account and sends no mail.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from forum.accounts import signup_defences
from forum.models import OutboundEmail, User
from forum.services import community_settings
from tests.web.helpers import text

PASSWORD = "a long enough passphrase"
STAMP = re.compile(r'<input[^>]*name="shown"[^>]*value="([^"]*)"')
QUICK = "That was quicker than a person types"
HONEYPOT = "Something filled in a field that people never see"
MISSING = "This form was missing part of the page it came from"


def settings(**changes) -> None:
    community_settings.update_settings_from_console({f"accounts.{key}": value for key, value in changes.items()})


def shown_stamp(page: str) -> str:
    match = STAMP.search(page)
    assert match, "the sign-up page carries no stamp"
    return html.unescape(match.group(1))


def sign_up(client, username: str = "newbie", email: str = "newbie@example.com", **extra: str):
    return client.post("/auth/register", data={"username": username, "email": email, "password": PASSWORD, **extra})


def accounts(db) -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def mails(db) -> int:
    return db.session.scalar(select(func.count(OutboundEmail.id))) or 0


def test_the_honeypot_is_out_of_sight_and_out_of_reach_for_people(client, db):
    page = text(client.get("/auth/register"))
    field = re.search(r'<input[^>]*name="website"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert re.search(r'<div class="visually-hidden" aria-hidden="true">\s*<label for="website"', page)


def test_a_form_that_fills_in_the_honeypot_is_refused_and_stores_nothing(client, db):
    refused = sign_up(client, website="https://cheap-pills.example")
    assert refused.status_code == 422
    assert HONEYPOT in html.unescape(text(refused))
    assert "cheap-pills" not in text(refused)  # emptied, so a person's next try passes
    assert (accounts(db), mails(db)) == (0, 0)
    assert sign_up(client, website="").status_code == 302
    assert accounts(db) == 1


def test_with_the_honeypot_off_the_field_is_gone_and_ignored(client, db):
    settings(signup_honeypot=False)
    assert 'name="website"' not in text(client.get("/auth/register"))
    assert sign_up(client, website="https://cheap-pills.example").status_code == 302
    assert accounts(db) == 1


def test_a_form_sent_back_faster_than_a_person_types_is_refused_until_they_take_their_time(client, db, clock_at):
    settings(signup_min_seconds=3)
    stamp = shown_stamp(text(client.get("/auth/register")))
    clock_at.advance(seconds=2)
    refused = sign_up(client, shown=stamp)
    assert refused.status_code == 422
    assert QUICK in text(refused) and "please check your details and try again" in text(refused)
    assert (accounts(db), mails(db)) == (0, 0)
    assert shown_stamp(text(refused)) == stamp  # the time already spent still counts

    clock_at.advance(seconds=1)
    assert sign_up(client, shown=shown_stamp(text(refused))).status_code == 302
    assert accounts(db) == 1


@pytest.mark.parametrize("stamp", ["", "not-a-stamp", "eyJzaG93biI6MH0.forged-signature"])
def test_a_missing_or_forged_stamp_is_refused_and_the_page_comes_back_with_a_genuine_one(client, db, clock_at,
                                                                                         stamp):
    settings(signup_min_seconds=3)
    refused = sign_up(client, shown=stamp)
    assert refused.status_code == 422 and MISSING in text(refused)
    assert accounts(db) == 0
    clock_at.advance(seconds=3)
    assert sign_up(client, shown=shown_stamp(text(refused))).status_code == 302


def test_a_stamp_cannot_be_made_to_claim_an_earlier_moment(client, db, clock_at):
    """The stamp is signed: a program cannot write its own "shown an hour ago"."""
    settings(signup_min_seconds=3)
    genuine = shown_stamp(text(client.get("/auth/register")))
    signature = genuine.partition(".")[2]
    forged = signup_defences._stamps().dump_payload({"shown": clock_at.now.timestamp() - 3600}).decode()
    assert sign_up(client, shown=f"{forged}.{signature}").status_code == 422
    assert accounts(db) == 0


def test_a_stamp_lasts_an_hour_then_the_page_comes_back_with_a_fresh_one(client, db, clock_at):
    """One stamp fetched once must not pass every form a program sends for ever after."""
    settings(signup_min_seconds=3)
    stamp = shown_stamp(text(client.get("/auth/register")))
    clock_at.advance(minutes=59)
    assert sign_up(client, "first1", "first1@example.com", shown=stamp).status_code == 302
    client.post("/auth/logout")
    clock_at.advance(minutes=1, seconds=1)
    stale = sign_up(client, shown=stamp)
    assert stale.status_code == 422
    assert "This form was open for over an hour" in text(stale) and "Please try again" in text(stale)
    assert accounts(db) == 1
    fresh = shown_stamp(text(stale))
    assert fresh != stamp
    clock_at.advance(seconds=3)
    assert sign_up(client, shown=fresh).status_code == 302
    assert accounts(db) == 2


def test_with_no_minimum_time_an_instant_form_without_a_stamp_is_accepted(client, db):
    settings(signup_min_seconds=0)
    assert sign_up(client).status_code == 302
    assert accounts(db) == 1


def test_a_blocked_domain_and_its_subdomains_cannot_sign_up_on_the_page(client, db):
    settings(blocked_email_domains=["Spam.Example", "@trash-mail.example."])
    for address in ("bot@spam.example", "BOT@Mail.SPAM.example", "bot@trash-mail.example"):
        refused = sign_up(client, email=address)
        assert refused.status_code == 422, address
        page = html.unescape(text(refused))
        assert "This community does not accept sign-ups with addresses at" in page
        assert re.search(r'id="email-errors"', page)  # shown beside the email field
    assert (accounts(db), mails(db)) == (0, 0)
    assert sign_up(client, email="person@notspam.example").status_code == 302  # a name merely ending alike


def test_a_blocked_domain_cannot_sign_up_through_the_api(client, db):
    settings(blocked_email_domains=["spam.example"])
    refused = client.post("/api/v1/users", json={"username": "bot1", "email": "bot@eu.spam.example",
                                                 "password": PASSWORD})
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["errors"]["email"] == [
        "This community does not accept sign-ups with addresses at spam.example. Please use another address."]
    assert (accounts(db), mails(db)) == (0, 0)


def test_with_no_domain_blocked_any_address_signs_up(client, db):
    settings(blocked_email_domains=[])
    created = client.post("/api/v1/users", json={"username": "person1", "email": "p@spam.example",
                                                 "password": PASSWORD})
    assert created.status_code == 201
    assert sign_up(client, email="another@spam.example").status_code == 302
    assert accounts(db) == 2


def test_an_operator_creating_an_account_at_a_blocked_domain_is_told_why(app, db):
    settings(blocked_email_domains=["spam.example"])
    made = app.test_cli_runner().invoke(args=["users", "create", "--email", "ops@spam.example", "--username",
                                              "ops_made", "--password", PASSWORD, "--role", "member"])
    assert made.exit_code == 1
    assert "email: This community does not accept sign-ups with addresses at spam.example" in made.output
    assert accounts(db) == 0
