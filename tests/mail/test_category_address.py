"""A category's email address (issue 24, item 2): set on the admin's category form, shown to members.

The address is checked where it is saved: a whole address, stored lowercase, one category per address,
and never the mailbox replies and bounces come back to (mail to it would be read as a reply, or loop).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry, Category

ADDRESS = "billing@support.example.com"


@pytest.fixture
def billing(make) -> Category:
    return make.make_category("Billing", slug="billing")


@pytest.fixture
def admin(make, login_as):
    return login_as(make.make_user(role="admin"))


def edit(client, category: Category, address: str):
    form = {"name": category.name, "slug": category.slug, "description": "", "position": "0",
            "email_address": address}
    return client.post(f"/admin/categories/{category.id}/edit", data=form)


def test_an_admin_gives_a_category_an_address_stored_lowercase(admin, billing):
    assert edit(admin, billing, "  Billing@Support.Example.COM ").status_code == 302

    db.session.refresh(billing)
    assert billing.email_address == ADDRESS
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "category.update"))
    assert ADDRESS in entry.after_json
    assert f'value="{ADDRESS}"' in admin.get(f"/admin/categories/{billing.id}/edit").text


def test_an_empty_address_removes_it(admin, billing):
    billing.email_address = ADDRESS
    db.session.commit()

    assert edit(admin, billing, "").status_code == 302

    db.session.refresh(billing)
    assert billing.email_address is None


@pytest.mark.parametrize(("address", "message"), [
    ("billing", "Enter a whole email address"),
    ("billing@", "Enter a whole email address"),
    ("reply@horseshoe.local", "where replies and bounces come back to"),
    ("reply+t1-2-3-4-abc@horseshoe.local", "where replies and bounces come back to"),
    ("bounces@horseshoe.local", "where replies and bounces come back to"),
    ("no-reply@horseshoe.local", "the address the site sends from"),
])
def test_an_address_that_cannot_work_is_refused_with_what_to_fix(admin, billing, address, message):
    response = edit(admin, billing, address)

    assert response.status_code == 422 and message in response.text
    db.session.refresh(billing)
    assert billing.email_address is None


def test_two_categories_cannot_share_an_address(admin, billing, make):
    other = make.make_category("Shipping", slug="shipping")
    other.email_address = ADDRESS
    db.session.commit()

    response = edit(admin, billing, ADDRESS.upper())

    assert response.status_code == 422 and "“Shipping” already has that address" in response.text


def test_members_see_the_address_on_the_category_page_and_visitors_do_not(billing, make, client, login_as):
    billing.email_address = ADDRESS
    db.session.commit()

    assert ADDRESS not in client.get("/c/billing").text  # not handed to address-harvesting crawlers
    member = login_as(make.make_user())
    assert f"Ask by email: <a href=\"mailto:{ADDRESS}\">{ADDRESS}</a>" in member.get("/c/billing").text


def test_a_category_without_an_address_shows_none(billing, make, login_as):
    assert "Ask by email" not in login_as(make.make_user()).get("/c/billing").text
