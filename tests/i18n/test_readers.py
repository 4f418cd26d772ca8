"""Text written for one reader while another's request runs: an email in its recipient's language and time zone,
and signed-in pages in the member's own time zone while visitors' pages stay one UTC copy for localtime.js.
"""

from __future__ import annotations

from datetime import UTC, datetime

from forum.core import i18n
from forum.http.templating import timestamp
from forum.services import posting
from tests.i18n.test_languages import translated
from tests.mail.outbound_support import sent_to, text_of
from tests.web.helpers import text

MOMENT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def test_a_reply_notification_reaches_a_german_member_in_german(make, smtp_server, run_jobs, app):
    asker = make.make_user(username="greta", email="greta@example.com", language="de")
    thread = make.make_thread(author=asker, title="Scanner skips pages")
    english_speaker = make.make_user(username="quin", email="quin@example.com")
    with app.test_request_context(headers={"Accept-Language": "en"}):  # the replier's request is English
        posting.reply_to_thread(english_speaker, thread, "Clean the rollers.")
    run_jobs()

    [(message, _envelope)] = sent_to(smtp_server, "greta@example.com")
    body = text_of(message)
    assert message["Subject"] == "Re: Scanner skips pages"  # the thread's own title: not translated
    greeting, opening = translated("de", "Hello %(name)s,"), translated("de", "Open it: %(link)s")
    assert greeting % {"name": "greta"} in body and opening.split("%(link)s")[0] in body
    assert "Hello greta" not in body and "Open it:" not in body


def test_an_english_member_still_gets_english_mail(make, smtp_server, run_jobs, app):
    asker = make.make_user(username="pia", email="pia@example.com")
    thread = make.make_thread(author=asker, title="Printer prints blank pages")
    with app.test_request_context(headers={"Accept-Language": "de"}):  # the replier's request is German
        posting.reply_to_thread(make.make_user(username="olaf", language="de"), thread, "Check the toner.")
    run_jobs()
    [(message, _envelope)] = sent_to(smtp_server, "pia@example.com")
    assert "Hello pia," in text_of(message) and "Open it: http" in text_of(message)


def test_a_moment_is_written_in_the_reader_s_language_and_zone(app):
    with app.test_request_context():
        assert i18n.format_moment(MOMENT) == "10 December 2026, 09:00 UTC"
        with i18n.reading_as("de", "Europe/Berlin"):
            assert i18n.format_moment(MOMENT) == "10. Dezember 2026, 10:00"  # CET: an hour ahead, no "UTC"
        with i18n.reading_as("es", "America/Mexico_City"):
            assert i18n.format_moment(MOMENT) == "10 de diciembre de 2026, 3:00"
        assert i18n.format_moment(MOMENT) == "10 December 2026, 09:00 UTC"  # restored afterwards


def test_a_timestamp_carries_the_moment_for_the_visitor_s_browser(app):
    with app.test_request_context():
        html = str(timestamp(MOMENT))
    assert html == ('<time datetime="2026-12-10T09:00:00Z" data-localise="datetime">'
                    "10 December 2026, 09:00 UTC</time>")


def test_visitors_get_the_localising_script_and_members_their_own_zone(client, make, login_as, db):
    visitor_page = client.get("/").get_data(as_text=True)
    assert "localtime.js" in visitor_page
    member = make.make_user(username="greta", time_zone="Europe/Berlin", language="de")
    member.suspended_until, member.suspension_reason = MOMENT, "Spam"
    db.session.commit()
    login_as(member)
    page = client.get("/")
    assert "localtime.js" not in page.get_data(as_text=True)
    assert "10. Dezember 2026, 10:00" in text(page)  # the suspension banner's end, in Berlin time
