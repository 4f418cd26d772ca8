"""IP addresses are dropped after privacy.ip_retention_days (issue 20, item 5): sessions and sign-in audit entries.

The periodic job runs by its registered name, as the worker would run it.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.accounts import address_retention
from forum.core import job_registry
from forum.core.extensions import db
from forum.models import AuditEntry, UserSession
from forum.services import audit_writer, community_settings
from tests.accounts.test_sessions import HOME_IP, IPHONE, PHONE_IP, signed_in_browser

JOB = "accounts.forget_old_addresses"
WRONG = "not the password at all"


def run_retention_job() -> dict:
    handler = job_registry.handler_for(JOB)
    assert handler is not None, f"{JOB} is not registered"
    return handler({})


def stored_addresses() -> list[str | None]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession.ip_address).order_by(UserSession.id)))


def limited_entries() -> list[dict]:
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEntry.after_json).where(AuditEntry.action == "account.sign_in_limited")
                              .order_by(AuditEntry.id))
    return [json.loads(row) for row in rows]


def refuse_sign_ins(client, email: str) -> None:
    """Wrong passwords through the form until the account's limit refuses one (which is audited)."""
    for _ in range(11):
        client.post("/auth/login", data={"email": email, "password": WRONG})
    assert client.post("/auth/login", data={"email": email, "password": WRONG}).status_code == 429


@pytest.fixture
def member(make):
    return make.make_user(username="rosa")


def test_the_job_is_periodic(app):
    assert JOB in job_registry.periodic()


def test_session_addresses_are_dropped_after_90_days_by_default(app, member, clock_at):
    signed_in_browser(app, member)
    clock_at.advance(days=60)
    signed_in_browser(app, member, IPHONE, PHONE_IP)

    clock_at.advance(days=29, hours=23)
    assert run_retention_job()["sessions"] == 0
    assert stored_addresses() == [HOME_IP, PHONE_IP]

    clock_at.advance(hours=2)
    assert run_retention_job()["sessions"] == 1
    assert stored_addresses() == [None, PHONE_IP]


def test_the_admins_retention_period_is_obeyed(app, member, clock_at):
    community_settings.update_settings_from_console({"privacy.ip_retention_days": 7})
    browser = signed_in_browser(app, member)
    clock_at.advance(days=7, minutes=1)

    run_retention_job()

    assert stored_addresses() == [None]
    assert "unknown" in browser.get("/settings/sessions").get_data(as_text=True)  # still signed in, address gone


def test_sign_in_audit_entries_lose_their_address_after_the_period(app, member, clock_at):
    from_home = app.test_client()
    from_home.environ_base["REMOTE_ADDR"] = HOME_IP
    refuse_sign_ins(from_home, member.email)
    assert [entry["source"] for entry in limited_entries()] == [HOME_IP]
    clock_at.advance(days=89)
    from_phone = app.test_client()
    from_phone.environ_base["REMOTE_ADDR"] = PHONE_IP
    refuse_sign_ins(from_phone, "nobody@example.com")
    # An address-free entry of another kind that happens to have a "source" (a case's origin) is not touched.
    audit_writer.record(None, "case.escalate", "case", 1, after={"source": "thread"})
    db.session.commit()

    clock_at.advance(days=1, minutes=1)
    assert run_retention_job()["audit_entries"] == 1

    old, recent = limited_entries()
    assert old["source"] is None and old["known_account"] is True and old["limited_until"]
    assert recent["source"] == PHONE_IP
    other = db.session.scalar(select(AuditEntry.after_json).where(AuditEntry.action == "case.escalate"))
    assert json.loads(other) == {"source": "thread"}
    assert run_retention_job()["audit_entries"] == 0  # nothing left to scrub: the job is idempotent


def test_forgetting_one_accounts_addresses_leaves_everyone_elses(app, member, make):
    stranger = make.make_user(username="stranger")
    signed_in_browser(app, member)
    signed_in_browser(app, stranger, IPHONE, PHONE_IP)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = HOME_IP
    refuse_sign_ins(client, member.email)
    refuse_sign_ins(client, stranger.email)

    assert address_retention.forget_addresses_of(member.id) == 1
    db.session.commit()

    assert stored_addresses() == [None, PHONE_IP]
    assert [entry["source"] for entry in limited_entries()] == [None, HOME_IP]
