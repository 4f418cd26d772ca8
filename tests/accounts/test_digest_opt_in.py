"""New accounts get only the emails they asked for (issue 20, item 5): the weekly digest is opt-in for
accounts made now, by any way in, while accounts that had it keep it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts import members
from forum.models import Category, OutboundEmail, User
from forum.services import digests, subscriptions
from tests.web.helpers import text

PASSWORD = "a long enough passphrase"
DIGEST_SUBJECT = "%questions are waiting for you"


@pytest.fixture
def category(make) -> Category:
    return make.make_category(name="Billing")


def digests_to(db, address: str) -> int:
    return len(db.session.scalars(select(OutboundEmail).where(
        OutboundEmail.to_address == address, OutboundEmail.subject.like(DIGEST_SUBJECT))).all())


def account(db, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_accounts_made_on_the_page_or_the_api_get_no_weekly_digest(client, app, db, make, category):
    assert client.post("/auth/register", data={"username": "ana", "email": "ana@example.com",
                                               "password": PASSWORD}).status_code == 302
    assert app.test_client().post("/api/v1/users", json={"username": "ben", "email": "ben@example.com",
                                                         "password": PASSWORD}).status_code == 201
    members.add_passwordless_user("cid", "cid@example.com")  # as an identity provider's sign-in makes one
    db.session.commit()
    old_hand = make.make_user(username="olga", weekly_digest=True)  # chose it before, or kept it from before
    newcomers = [account(db, "ana"), account(db, "ben"), account(db, "cid")]
    assert [user.weekly_digest for user in newcomers] == [False, False, False]
    for user in (*newcomers, old_hand):
        subscriptions.watch(user, category)
    make.make_thread(category=category, title="Charged twice for the yearly plan")

    assert digests.send_weekly_digests() == 1
    assert digests_to(db, "olga@example.com") == 1
    assert [digests_to(db, user.email) for user in newcomers] == [0, 0, 0]


def test_the_settings_page_offers_the_digest_unticked_and_ticking_it_opts_in(client, login_as, db, make, category):
    member = make.make_user(username="carla")
    page = login_as(member)
    form = text(page.get("/settings/notifications"))
    assert not re.search(r'<input[^>]*checked[^>]*name="weekly_digest"', form)
    assert re.search(r'<input[^>]*name="weekly_digest"', form)
    page.post("/settings/notifications", data={"email_frequency": "immediately", "weekly_digest": "y"})
    db.session.refresh(member)
    assert member.weekly_digest is True
    subscriptions.watch(member, category)
    make.make_thread(category=category, title="Invoice shows the wrong VAT rate")
    assert digests.send_weekly_digests() == 1 and digests_to(db, "carla@example.com") == 1
