"""The theme switcher (issue 27 item 3): a member's choice is stored and sent in <html data-theme>; a visitor's
page stays one shared copy ("auto", their choice applied by theme.js from their browser's storage)."""

from __future__ import annotations

import re

import pytest

from forum.core.extensions import db
from forum.models import User


def theme_of(html: str) -> str:
    return re.search(r'<html [^>]*data-theme="([a-z]+)"', html).group(1)


def test_a_visitor_s_page_is_automatic_and_leaves_the_choice_to_their_browser(client):
    page = client.get("/").get_data(as_text=True)
    assert theme_of(page) == "auto" and "data-visitor-theme" in page
    assert "theme.js" in page and "data-visitor hidden" in page  # the switcher shows once the script runs
    assert client.post("/theme", data={"theme": "dark"}).status_code in (302, 401)  # visitors store nothing


@pytest.mark.parametrize("theme", ["dark", "light", "auto"])
def test_a_member_s_theme_is_stored_and_every_page_carries_it(client, make, login_as, theme):
    member = make.make_user(username="nina")
    login_as(member)
    response = client.post("/theme", data={"theme": theme, "next": "/search"})
    assert response.status_code == 303 and response.headers["Location"] == "/search"
    db.session.expire_all()
    assert db.session.get(User, member.id).theme == theme
    page = client.get("/").get_data(as_text=True)
    assert theme_of(page) == theme and "data-visitor-theme" not in page
    assert f'<option value="{theme}" selected>' in page


def test_an_unknown_theme_is_refused_and_the_stored_one_kept(client, make, login_as):
    member = make.make_user(username="nina", theme="dark")
    login_as(member)
    response = client.post("/theme", data={"theme": "purple"})
    assert response.status_code == 422
    assert db.session.get(User, member.id).theme == "dark"


def test_the_theme_form_needs_the_member_s_csrf_token(client, make, login_as):
    member = make.make_user(username="nina")
    login_as(member)
    assert client.post("/theme", data={"theme": "dark"}, csrf=False).status_code == 400
    assert db.session.get(User, member.id).theme == "auto"
