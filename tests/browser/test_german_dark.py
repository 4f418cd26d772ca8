"""A member switches to German and the dark theme in Chromium (issue 27): the thread page, an email and an
error page follow, axe-core finds nothing, and a visitor's times are rewritten in their own zone and language.

Expected German words come from the committed catalogue (tests.i18n.test_languages.translated), so the test
holds whatever wording a translator picks and fails when a page is not translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from forum.core import clock
from forum.core.extensions import db
from forum.models import Thread, User
from forum.services import posting
from tests.browser.conftest import committed_data
from tests.browser.test_accessibility import RUN_AXE, build_site, visit_as
from tests.browser.test_themes import BACKDROP
from tests.conftest import TEST_NOW
from tests.i18n.test_languages import translated
from tests.mail.outbound_support import sent_to, text_of


@pytest.fixture(scope="module")
def site(app, live_server) -> Iterator:
    with committed_data(app) as data:
        clock.freeze(TEST_NOW)
        built = build_site(data, threads=4, users=5)
        yield data, built


def test_a_member_reads_the_thread_an_email_and_an_error_page_in_german_and_dark(visitor, site):
    data, built = site
    person = visit_as(visitor, built, "member")
    page = person.open(built.thread_path)
    assert page.evaluate("document.documentElement.lang") == "en"

    page.select_option("#language-choice", "de")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.url.endswith(built.thread_path) or "/t/" in page.url  # back on the thread it was used on

    page.select_option("#theme-choice", "dark")
    page.locator(".theme-switcher button").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(BACKDROP) < 0.2
    header = page.locator(".site-header").inner_text()
    assert translated("de", "Ask a question") in header and "Ask a question" not in header
    assert translated("de", "Reputation and privileges") in page.locator(".site-footer").inner_text()
    assert page.evaluate(RUN_AXE) == []

    missing = person.open("/no-such-page", status=404)
    assert missing.evaluate("document.documentElement.lang") == "de"
    assert translated("de", "Back to the community") in missing.locator("main").inner_text()
    assert missing.evaluate(BACKDROP) < 0.2 and missing.evaluate(RUN_AXE) == []
    person.assert_clean()

    db.session.commit()  # a fresh read: the browser's requests changed the member
    db.session.expire_all()
    member = db.session.scalar(db.select(User).where(User.email == built.member_email))
    assert (member.language, member.theme) == ("de", "dark")
    thread = db.session.get(Thread, int(built.thread_path.rsplit("/", 1)[1]))
    data.write(posting.reply_to_thread, data.make_user(username="olaf"), thread, "Try the 5 GHz band.")
    data.run_jobs()
    message, _envelope = sent_to(data.mail, built.member_email)[-1]
    body = text_of(message)
    assert translated("de", "Open it: %(link)s").split("%(link)s")[0] in body and "Open it:" not in body


def test_a_visitor_s_times_are_rewritten_in_their_zone_and_language(visitor, site):
    """One cached page for every visitor holds UTC; localtime.js shows each their own time."""
    _data, built = site
    person = visit_as(visitor, built, "visitor", timezone_id="Europe/Berlin", locale="de-DE",
                      extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    page = person.open("/auth/login")  # any page: the footer and its script are on every page
    assert page.evaluate("document.documentElement.lang") == "de"
    stamp = page.evaluate("""() => {
      const time = document.createElement("time");
      time.setAttribute("datetime", "2026-12-10T09:00:00Z");
      time.setAttribute("data-localise", "datetime");
      time.textContent = "10 December 2026, 09:00 UTC";
      document.body.append(time);
      return new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = "/static/localtime.js?again";
        script.onload = () => resolve(time.textContent);
        document.head.append(script);
      });
    }""")
    assert re.fullmatch(r"10\. Dezember 2026(,| um) 10:00", stamp), stamp  # Berlin is an hour ahead in December
    person.assert_clean()
