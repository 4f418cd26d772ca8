"""Signed-in browsers (issue 20, item 4): each sign-in is a server-side session the member can see and end.

Browsers sign in through the real sign-in form, each test client being one browser with its own address
and User-Agent. A browser is signed in when the header offers "Sign out".
"""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forum.accounts import members, password_reset, session_display, sessions
from forum.core.extensions import db
from forum.models import OutboundEmail, User, UserSession
from tests import factories
from tests.accounts import tiny_mmdb
from tests.queries import count_statements

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")
HOME_IP, PHONE_IP, OFFICE_IP = "203.0.113.77", "198.51.100.23", "192.0.2.8"
PAGE = "/settings/sessions"
RESET_LINK = re.compile(r"http://localhost(/auth/reset/[\w.-]+)")
NEW_PASSWORD = "a brand new saddle 42"
THIS_BROWSER_ROW = re.compile(r'<tr aria-current="true">(.*?)</tr>', re.DOTALL)


def browser(app: Flask, agent: str = FIREFOX, ip: str = HOME_IP) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    return client


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Submit the sign-in form as this browser."""
    response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def signed_in_browser(app: Flask, user: User, agent: str = FIREFOX, ip: str = HOME_IP) -> FlaskClient:
    return sign_in(browser(app, agent, ip), user)


def is_signed_in(client: FlaskClient) -> bool:
    return "Sign out" in client.get("/").get_data(as_text=True)


def cookie_key(client: FlaskClient) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def session_id_of(client: FlaskClient) -> int:
    """The id of the session this browser's cookie names."""
    user = sessions.load(cookie_key(client))
    assert user is not None
    return user.current_session_id


def live_count(user: User) -> int:
    db.session.expire_all()
    return len(sessions.live_sessions(user))


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="rosa")


@pytest.fixture
def laptop(app, member) -> FlaskClient:
    return signed_in_browser(app, member, FIREFOX, HOME_IP)


@pytest.fixture
def phone(app, member, laptop) -> FlaskClient:
    return signed_in_browser(app, member, IPHONE, PHONE_IP)


def test_both_browsers_signed_in_through_the_form_are_listed_by_name(laptop, phone):
    page = laptop.get(PAGE)
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "Firefox 128 on Linux" in html and "Mobile Safari 17 on iOS 17" in html
    (this_browser,) = THIS_BROWSER_ROW.findall(html)
    assert "Firefox 128 on Linux" in this_browser and "This browser" in this_browser
    assert "Sign out" not in this_browser  # the header's sign-out ends this one; the rows end the others
    assert html.count(">Sign out<") == 1 + 1  # the header's, and the phone's row
    assert "Sign out all other sessions" in html
    assert "20 November 2026, 09:00 UTC" in html and "just now" in html  # absolute and relative times


def test_the_address_is_shown_as_its_network_never_whole(app, member, laptop):
    signed_in_browser(app, member, CHROME, "2001:db8:85a3:7:8a2e::7334")
    html = laptop.get(PAGE).get_data(as_text=True)

    assert "203.0.113.0/24" in html and HOME_IP not in html
    assert "2001:db8:85a3::/48" in html and "8a2e" not in html


def test_ending_one_browser_signs_it_out_at_its_next_request(laptop, phone, member):
    response = laptop.post(f"{PAGE}/{session_id_of(phone)}/end", follow_redirects=True)

    assert "That browser is signed out" in response.get_data(as_text=True)
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert live_count(member) == 1


def test_an_ended_sessions_cookie_gives_signed_out_pages(laptop, phone, member):
    ended_key = cookie_key(phone)
    laptop.post(f"{PAGE}/{session_id_of(phone)}/end")

    home = phone.get("/").get_data(as_text=True)
    assert "Sign in" in home and "rosa" not in home
    assert phone.get(PAGE).headers["Location"].startswith("/auth/login?next=")
    assert phone.post(f"{PAGE}/end-others").headers["Location"].startswith("/auth/login")
    assert sessions.load(ended_key) is None
    assert is_signed_in(laptop)  # the ended browser's tries changed nothing for the others


def test_sign_out_all_other_sessions_keeps_only_this_browser(app, member, laptop, phone):
    desktop = signed_in_browser(app, member, CHROME, OFFICE_IP)

    response = laptop.post(f"{PAGE}/end-others", follow_redirects=True)

    assert "Signed out 2 other browsers. This one stays signed in." in response.get_data(as_text=True)
    assert (is_signed_in(laptop), is_signed_in(phone), is_signed_in(desktop)) == (True, False, False)
    assert "No other browser is signed in." in laptop.get(PAGE).get_data(as_text=True)


def test_signing_out_ends_this_session_only(laptop, phone, member):
    phone.post("/auth/logout")

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    html = laptop.get(PAGE).get_data(as_text=True)
    assert "Mobile Safari" not in html and live_count(member) == 1


def test_another_members_session_is_a_404_and_stays_signed_in(app, laptop, make):
    stranger = make.make_user(username="stranger")
    theirs = signed_in_browser(app, stranger, CHROME, OFFICE_IP)

    assert laptop.post(f"{PAGE}/{session_id_of(theirs)}/end").status_code == 404
    assert laptop.post(f"{PAGE}/999999/end").status_code == 404
    assert is_signed_in(theirs)
    assert "Chrome" not in laptop.get(PAGE).get_data(as_text=True)


def test_a_suspended_member_can_still_end_their_other_sessions(laptop, phone, member, clock_at):
    member.suspended_until = clock_at.now.replace(year=2099)
    db.session.commit()

    assert laptop.post(f"{PAGE}/{session_id_of(phone)}/end").status_code == 302
    assert not is_signed_in(phone)
    assert laptop.post(f"{PAGE}/end-others").status_code == 302


def test_an_unverified_member_can_end_their_other_sessions_too(app, make):
    newcomer = make.make_user(username="newcomer", verified=False)
    first, second = signed_in_browser(app, newcomer), signed_in_browser(app, newcomer, IPHONE, PHONE_IP)

    assert first.post(f"{PAGE}/end-others").status_code == 302
    assert not is_signed_in(second) and is_signed_in(first)


def test_a_password_reset_link_ends_the_other_sessions_and_signs_this_browser_in_afresh(laptop, phone, member):
    old_phone_key = cookie_key(phone)
    password_reset.request_password_reset(member.email)
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == member.email)).one()
    link = RESET_LINK.search(mail.text_body).group(1)

    assert phone.post(link, data={"password": NEW_PASSWORD}).status_code == 302

    assert is_signed_in(phone) and not is_signed_in(laptop)
    assert cookie_key(phone) != old_phone_key and sessions.load(old_phone_key) is None
    assert live_count(member) == 1


def test_a_password_change_keeps_the_session_that_made_it(laptop, phone, member):
    changing = sessions.load(cookie_key(laptop))  # the account as the laptop's requests see it

    members.set_password(changing, NEW_PASSWORD)

    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert live_count(member) == 1


def test_the_session_key_changes_at_every_sign_in(app, member):
    client = browser(app)
    with client.session_transaction() as sess:  # a cookie planted before sign-in (session fixation)
        sess["_user_id"] = "s1.planted-by-someone-else"
        sess["planted"] = "yes"
    sign_in(client, member)
    first = cookie_key(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess

    sign_in(client, member)
    second = cookie_key(client)
    other_browser = cookie_key(signed_in_browser(app, member, IPHONE, PHONE_IP))

    assert len({first, second, other_browser, "s1.planted-by-someone-else"}) == 4
    assert sessions.load(first) is None  # the key this browser held before is over, not left live
    assert sessions.load(second) == member and sessions.load(other_browser) == member
    assert live_count(member) == 2


def test_a_session_idle_for_more_than_30_days_is_over(app, member, laptop, phone, clock_at):
    for _ in range(3):  # the laptop is used every 29 days, the phone never again
        clock_at.advance(days=29)
        assert is_signed_in(laptop)

    assert not is_signed_in(phone)
    assert "Mobile Safari" not in laptop.get(PAGE).get_data(as_text=True)
    clock_at.advance(days=30, minutes=1)
    assert not is_signed_in(laptop)


def last_seen(client: FlaskClient):
    db.session.expire_all()
    return db.session.scalar(select(UserSession.last_seen_at).where(UserSession.id == session_id_of(client)))


def test_last_seen_is_noted_at_most_every_five_minutes(laptop, clock_at):
    signed_in_at = clock_at.now
    clock_at.advance(minutes=4, seconds=59)
    laptop.get(PAGE)
    assert last_seen(laptop) == signed_in_at

    later = clock_at.advance(seconds=1)
    html = laptop.get(PAGE).get_data(as_text=True)
    assert last_seen(laptop) == later
    assert "20 November 2026, 09:05 UTC" in html

    clock_at.advance(minutes=3)
    laptop.get(PAGE)
    assert last_seen(laptop) == later


def test_times_are_shown_in_the_members_time_zone(app, member, laptop):
    member.time_zone = "Europe/Paris"
    db.session.commit()
    assert "20 November 2026, 10:00 Europe/Paris" in laptop.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("agent, words", [
    (FIREFOX, "Firefox 128 on Linux"),
    (CHROME, "Chrome 126 on Windows 10"),
    ("curl/8.5.0", "curl 8"),
    ("", "Unknown browser"),
    ("\x00not a browser at all", "Unknown browser"),
])
def test_browsers_are_described_in_words(agent, words):
    assert session_display.describe_browser(agent) == words


HOLD_S = 0.5  # the other writer holds the write lock this long, then commits


def test_noting_last_seen_in_a_page_view_waits_for_another_writer(app: Flask, committed, clock_at):
    """A GET's transaction begins deferred; noting the visit must not upgrade it (SQLite: "database is locked")."""
    member = factories.make_user(username="reader")
    other_id = factories.make_user(username="busy").id
    client = browser(app)
    with client.session_transaction() as sess:
        sess["_user_id"] = factories.session_key_for(member)
    db.session.remove()
    clock_at.advance(minutes=6)

    writer = db.engine.connect()
    transaction = writer.begin()  # SQLite: BEGIN IMMEDIATE, the write lock, as the job worker takes it
    writer.execute(update(User).where(User.id == other_id).values(bio="Indexing meanwhile"))
    committing = threading.Timer(HOLD_S, transaction.commit)
    committing.start()
    try:
        page = client.get(PAGE)
    finally:
        committing.join()
        writer.close()

    assert page.status_code == 200, page.get_data(as_text=True)
    db.session.remove()
    assert db.session.scalar(select(UserSession.last_seen_at)) == clock_at.now


# --- where a browser signed in from: a place when the operator configured a GeoIP database ---------------------

LYON = {"city": {"names": {"en": "Lyon", "fr": "Lyon"}}, "country": {"iso_code": "FR", "names": {"en": "France"}}}


@pytest.fixture
def geoip_db(app, monkeypatch):
    """Point HORSESHOE_GEOIP_DB's setting at a path for this test."""

    def configure(path) -> None:
        monkeypatch.setattr(app.config["HORSESHOE"], "geoip_db", str(path))

    return configure


def test_a_configured_geoip_database_shows_a_place_instead_of_the_network(app, member, laptop, geoip_db, tmp_path):
    pytest.importorskip("maxminddb")
    geoip_db(tiny_mmdb.write(tmp_path / "city.mmdb", {"203.0.113.0/24": LYON,
                                                      "198.51.100.0/24": {"country": {"names": {"en": "Japan"}}}}))
    signed_in_browser(app, member, IPHONE, PHONE_IP)
    signed_in_browser(app, member, CHROME, OFFICE_IP)  # an address the database does not know

    html = laptop.get(PAGE).get_data(as_text=True)

    assert "Lyon, France" in html and "203.0.113.0/24" not in html
    assert "Japan" in html and "198.51.100.0/24" not in html
    assert "192.0.2.0/24" in html


def test_without_the_geoip_package_a_configured_database_falls_back_to_the_network(
        app, laptop, geoip_db, tmp_path, monkeypatch):
    geoip_db(tiny_mmdb.write(tmp_path / "city.mmdb", {"203.0.113.0/24": LYON}))
    monkeypatch.setattr(session_display, "maxminddb", None)  # the "geoip" extra not installed

    page = laptop.get(PAGE)

    assert page.status_code == 200
    assert "203.0.113.0/24" in page.get_data(as_text=True)


@pytest.mark.parametrize("content", [None, b"", b"not a MaxMind database at all" * 10])
def test_a_missing_or_broken_geoip_file_falls_back_to_the_network(app, laptop, geoip_db, tmp_path, content):
    path = tmp_path / "GeoLite2-City.mmdb"
    if content is not None:
        path.write_bytes(content)
    geoip_db(path)

    page = laptop.get(PAGE)

    assert page.status_code == 200
    assert "203.0.113.0/24" in page.get_data(as_text=True)


def test_an_ipv6_browser_with_an_ipv4_only_database_shows_its_network(app, member, laptop, geoip_db, tmp_path):
    pytest.importorskip("maxminddb")
    geoip_db(tiny_mmdb.write(tmp_path / "city.mmdb", {"203.0.113.0/24": LYON}))
    signed_in_browser(app, member, CHROME, "2001:db8:85a3:7:8a2e::7334")

    html = laptop.get(PAGE).get_data(as_text=True)

    assert "Lyon, France" in html and "2001:db8:85a3::/48" in html


def test_knowing_who_is_signed_in_costs_one_statement(make, db):
    """Every signed-in request starts here: the session and its user come in one query."""
    member = make.make_user()
    key, username = make.session_key_for(member), member.username
    db.session.expunge_all()  # nothing in the identity map: what a fresh request finds
    with count_statements() as statements:
        user = sessions.load(key)
        assert user is not None and user.username == username and user.reputation == 0
    assert len(statements) == 1, statements
