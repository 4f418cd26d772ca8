"""The header's menus: staff tools sit in a "Staff" menu that only staff get, with a total of what waits;
members get the community and account menus; each page says how wide it is."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forum.cases import escalate_thread
from forum.http.urls import thread_path
from forum.models import CaseSource
from forum.services import community_settings
from moderation.services import flags
from tests.web.helpers import text

STAFF_LINKS = {
    "moderator": ["/moderation/needs-staff", "/moderation/duplicates", "/moderation/queue", "/admin/articles",
                  "/moderation/audit"],
    "agent": ["/desk", "/staff/incidents", "/moderation/needs-staff", "/moderation/duplicates", "/moderation/queue",
              "/admin/articles", "/staff/analytics", "/moderation/audit"],
    "admin": ["/desk", "/staff/incidents", "/moderation/needs-staff", "/moderation/duplicates", "/moderation/queue",
              "/admin/articles", "/staff/analytics", "/moderation/audit", "/admin"],
}
STAFF_ONLY = {href for hrefs in STAFF_LINKS.values() for href in hrefs} - {"/moderation/queue"}


class Header(HTMLParser):
    """The header's menus (summary text → the links inside) and the links outside any menu."""

    def __init__(self, html: str):
        super().__init__()
        self.menus: dict[str, list[str]] = {}
        self.loose: list[str] = []
        self._inside, self._open, self._summary = False, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "header":
            self._inside = True
        elif not self._inside:
            return
        elif tag == "details" and "data-menu" in attrs:
            self._open.append([])
        elif tag == "summary" and self._open:
            self._summary = []
        elif tag == "a":
            (self._open[-1] if self._open else self.loose).append(attrs["href"])

    def handle_data(self, data):
        if self._summary is not None:
            self._summary.append(data)

    def handle_endtag(self, tag):
        if tag == "header":
            self._inside = False
        elif tag == "summary" and self._summary is not None:
            self._name = " ".join("".join(self._summary).split())
            self._summary = None
        elif tag == "details" and self._inside and self._open:
            self.menus[self._name] = self._open.pop()

    def menu(self, starts: str) -> list[str] | None:
        return next((links for name, links in self.menus.items() if name.startswith(starts)), None)


def header(client, path: str = "/") -> Header:
    return Header(text(client.get(path)))


@pytest.mark.parametrize("caller", ["anonymous", "author", "advocate"])
def test_members_and_visitors_get_no_staff_menu_and_no_staff_links(act_as, caller):
    seen = header(act_as(caller))
    assert seen.menu("Staff") is None
    every_link = set(seen.loose).union(*seen.menus.values())
    assert every_link & STAFF_ONLY == set()
    assert seen.menu("Community") == ["/ideas", "/roadmap", "/leaderboard", "/badges", "/missions", "/scorecard"]


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_staff_find_their_tools_in_the_staff_menu_and_only_there(make, login_as, client, role):
    login_as(make.make_user(role=role))
    seen = header(client)
    assert seen.menu("Staff") == STAFF_LINKS[role]
    assert set(seen.loose) & set(STAFF_LINKS["admin"]) == set()  # not also loose in the bar


def test_the_staff_button_shows_what_waits_in_all_queues_and_each_tool_its_own(community, make, login_as, client):
    agent = make.make_user(role="agent")
    login_as(agent)
    assert re.search(r"<summary[^>]*>Staff</summary>", text(client.get("/")))  # nothing waits: no number
    for _ in range(2):
        escalate_thread(None, make.make_thread(), source=CaseSource.SLA)
    flags.flag_post(make.make_user(), community.reply, flags.NewFlag("spam", "Selling things"))
    page = text(client.get("/"))
    assert ">Staff <span class=\"queue-count\">3<span class=\"visually-hidden\"> waiting in your queues" in page
    assert '>Desk <span class="queue-count">2<span class="visually-hidden"> new or overdue' in page
    assert '>Review queue <span class="queue-count">1<span class="visually-hidden"> waiting' in page


def test_a_trusted_member_who_reviews_gets_the_review_queue_without_a_staff_menu(make, login_as, client):
    login_as(make.make_user("advocate", reputation=5000))
    seen = header(client)
    assert seen.menu("Staff") is None and "/moderation/queue" in seen.loose


def test_the_account_menu_holds_profile_settings_messages_and_sign_out(act_as, community):
    page = text(act_as("author").get("/"))
    account = Header(page).menu("asker")
    assert account == ["/u/asker", "/settings/profile", "/messages"]
    menu = page[page.index('class="menu menu-end account-menu"'):]
    assert menu.index('action="/auth/logout"') < menu.index("</details>")  # "Sign out" is in it too
    assert "Sign out" not in text(act_as("anonymous").get("/"))


@pytest.mark.parametrize(("path", "layout"), [("/", "normal"), ("/desk", "wide"), ("/staff/analytics", "wide"),
                                              ("/moderation/queue", "wide"), ("/admin", "wide")])
def test_staff_work_pages_are_wide_and_the_rest_normal(act_as, path, layout):
    assert f'<body class="layout-{layout}">' in text(act_as("admin").get(path))


def test_threads_use_the_reading_width(act_as, community):
    assert '<body class="layout-reading">' in text(act_as("anonymous").get(thread_path(community.thread)))


@pytest.fixture
def staff_must_enrol(db):
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": True})
    yield
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": False})


def test_staff_who_act_as_members_get_no_empty_staff_menu(make, login_as, client, staff_must_enrol):
    login_as(make.make_user(role="admin"))  # no second factor yet: no staff powers until they enrol
    seen = header(client)
    assert seen.menu("Staff") is None
    assert set(seen.loose).union(*seen.menus.values()) & STAFF_ONLY == set()
