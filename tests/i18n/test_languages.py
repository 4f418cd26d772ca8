"""Pages in the reader's language (issue 27 item 2): chosen from Accept-Language, the footer's switcher or the
member's setting; said in <html lang> and Content-Language; shared caches told with Vary.

Expected words are read from the committed catalogues (forum/translations), so the tests hold whatever wording
a translator picks, and fail when the page is not translated at all.
"""

from __future__ import annotations

from functools import cache

import pytest
from babel.messages.pofile import read_po

from forum.core import i18n
from forum.models import User
from tests.web.helpers import text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
SPANISH = {"Accept-Language": "es-MX,es;q=0.8"}


@cache
def translated(language: str, english: str) -> str:
    """What the committed catalogue says for an English text."""
    with (i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        message = read_po(source, locale=language).get(english)
    assert message is not None and message.string, f"{english!r} is not in the {language} catalogue"
    return message.string


def html_lang(response) -> str:
    return response.get_data(as_text=True).split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_visitor_reads_the_language_their_browser_asks_for(client, make):
    make.make_thread(title="My router reboots at night")
    english = client.get("/")
    assert html_lang(english) == "en" and english.headers["Content-Language"] == "en"
    assert "Ask a question" in text(english)
    german = client.get("/", headers=GERMAN)
    assert html_lang(german) == "de" and german.headers["Content-Language"] == "de"
    assert translated("de", "Ask a question") in text(german) and "Ask a question" not in text(german)
    assert "Accept-Language" in german.headers["Vary"]
    spanish = client.get("/", headers=SPANISH)
    assert html_lang(spanish) == "es" and translated("es", "Ask a question") in text(spanish)


def test_a_language_nobody_translated_falls_back_to_english(client):
    response = client.get("/", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    assert html_lang(response) == "en" and "Ask a question" in text(response)


def test_a_visitor_switches_language_with_the_footer_form_and_it_sticks(client):
    page = client.get("/", headers=GERMAN)
    assert 'action="/language"' in page.get_data(as_text=True)
    switched = client.post("/language", data={"language": "es", "next": "/search?q=wifi"}, csrf=False)
    assert switched.status_code == 303 and switched.headers["Location"] == "/search?q=wifi"
    assert "language=es" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
    assert html_lang(client.get("/", headers=GERMAN)) == "es"  # the choice outranks the browser's header


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switcher_only_ever_returns_to_this_site(client, target):
    response = client.post("/language", data={"language": "de", "next": target}, csrf=False)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_member_s_language_is_stored_and_needs_the_form_s_token(client, make, login_as, db):
    member = make.make_user(username="greta")
    login_as(member)
    refused = client.post("/language", data={"language": "de", "next": "/"}, csrf=False)
    assert refused.status_code == 400 and db.session.get(User, member.id).language is None
    assert client.post("/language", data={"language": "de", "next": "/"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, member.id).language == "de"
    page = client.get("/", headers={"Accept-Language": "es"})  # their setting outranks their browser
    assert html_lang(page) == "de" and translated("de", "Ask a question") in text(page)


def test_the_api_answers_in_the_header_s_language_only_and_keeps_the_problem_type(api_client, make):
    member = make.make_user(username="greta", language="de")
    client = api_client(member)
    plain = client.get("/api/v1/threads/999999")
    assert plain.status_code == 404 and plain.json["title"] == "Not found"  # no header: English, whatever her setting
    german = client.get("/api/v1/threads/999999", headers=GERMAN)
    assert german.status_code == 404 and german.json["title"] == translated("de", "Not found")
    assert german.json["type"] == plain.json["type"] and german.headers["Content-Language"] == "de"


def test_relative_times_are_in_the_reader_s_language(client, make, clock_at):
    make.make_thread(title="My router reboots at night")
    clock_at.advance(hours=3)
    assert "3 hr ago" in text(client.get("/"))
    assert "vor 3 Std." in text(client.get("/", headers=GERMAN))
    assert "hace 3 h" in text(client.get("/", headers=SPANISH))


def test_the_settings_page_chooses_language_and_theme_and_refuses_others(client, make, login_as, db):
    member = make.make_user(username="greta", language="de")
    login_as(member)
    page = client.get("/settings/profile").get_data(as_text=True)
    assert '<option selected value="de">Deutsch</option>' in page or 'value="de" selected' in page
    form = {"display_name": "", "bio": "", "time_zone": "Europe/Berlin", "language": "", "theme": "dark"}
    assert client.post("/settings/profile", data=form).status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, member.id)
    assert (stored.language, stored.theme, stored.time_zone) == (None, "dark", "Europe/Berlin")  # "": the browser's
    refused = client.post("/settings/profile", data=form | {"language": "fr", "theme": "sepia"})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, member.id).theme == "dark"
