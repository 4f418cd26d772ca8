"""Reading received mail (forum.mail.parsing): real messages as mail clients and servers write them.

The samples in tests/mail/samples are what Gmail, Outlook, Apple Mail, Thunderbird, Roundcube, Postfix,
Exim and Mailman send. Each test checks what a member or an admin would see: the words kept for the
post, the quote and signature gone, the attachment's name and bytes, why a message is never answered,
which address bounced, and whose Authentication-Results are believed.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.mail.message import InboundMessage
from forum.mail.parsing import parse

SAMPLES = Path(__file__).parent / "samples"
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.eml").read_bytes()


def message(body: str, *headers: str, content_type: str = "text/plain; charset=utf-8") -> bytes:
    """A small message written the way a mail client would, for the cases no sample covers."""
    lines = ["From: Jane Customer <jane@example.com>", "To: support@forum.example.org",
             "Subject: Hello", "Message-ID: <m1@example.com>", "MIME-Version: 1.0",
             f"Content-Type: {content_type}", *headers, "", body]
    return "\r\n".join(lines).encode("utf-8")


# --- replies: the new words only


def test_a_gmail_reply_keeps_the_new_words_without_quote_or_signature():
    parsed = parse(sample("gmail_reply"))

    assert parsed.text == ("That did it — the export now has all 4,213 rows. Thank you!\n\n"
                           "One more thing: the dates come out as MM/DD/YYYY. Is there a setting for ISO dates?")
    assert "Jane Customer\nOperations, Northwind Traders" in parsed.full_text
    assert "> Add ?limit=0 to the export URL" in parsed.full_text
    assert parsed.from_address == "jane.customer@gmail.com"
    assert parsed.from_name == "Jane Customer"
    assert parsed.subject == "Re: [Horseshoe] Export to CSV stops at 1,000 rows"
    assert parsed.message_id == "<CAJx8Z=q2xN1pQ7uG3mK0rD9Yw4vB6tH5cL8eF0sA1nU2iO3pRg@mail.gmail.com>"
    assert parsed.in_reply_to == "<post-1007.thread-42@forum.example.org>"
    assert parsed.references == ("<post-1001.thread-42@forum.example.org>",
                                 "<post-1007.thread-42@forum.example.org>")
    assert parsed.recipients == ("reply+t42-1007-7-19878-k3xq7mbzt2wn5rpa@forum.example.org",)
    assert parsed.automatic == "" and parsed.delivery_report is None and parsed.attachments == ()


def test_an_outlook_reply_loses_the_from_sent_block_and_the_sign_off():
    parsed = parse(sample("outlook_reply"))

    assert parsed.text == ("Hi Priya,\n\nYes, restarting the connector fixed it – it’s syncing again since "
                           "10:50. You can close the case.")
    assert "Sent: Tuesday, June 4, 2024" in parsed.full_text
    assert parsed.from_address == "bob.miller@contoso.com"
    assert parsed.recipients == ("reply+c88-512-9-19878-d4f6h2j3k5m7n2p4@forum.example.org",
                                 "servicedesk@contoso.com")


def test_an_apple_mail_reply_loses_sent_from_my_iphone_and_the_quoted_header():
    parsed = parse(sample("apple_mail_reply"))

    assert parsed.text == "Sure, Thursday at 15:00 works for me. I’ll bring the logs.\n\nTom"
    assert "Sent from my iPhone" in parsed.full_text
    assert parsed.in_reply_to == "<conversation-5.message-77@forum.example.org>"


def test_a_german_thunderbird_reply_is_unwrapped_and_loses_greeting_and_quote():
    parsed = parse(sample("thunderbird_german_reply"))

    assert parsed.text == ("Hallo zusammen,\n\nbei mir tritt das gleiche Problem auf: nach genau 1.000 Zeilen "
                           "ist Schluss, auch mit ?limit=0. Wir nutzen Version 4.2.1 unter Debian 12.")
    assert "Viele Grüße\nJürgen" in parsed.full_text
    assert parsed.from_name == "Jürgen Weber"
    assert parsed.references == ("<post-1001.thread-42@forum.example.org>",
                                 "<post-1009.thread-42@forum.example.org>")


def test_a_french_reply_loses_its_a_ecrit_quote_and_cordialement():
    parsed = parse(sample("french_gmail_reply"))

    assert parsed.text == "Bonjour,\n\nMerci, la mise à jour 4.2.2 a réglé le problème des accents."
    assert parsed.subject == "Re: [Horseshoe] Problème d'affichage des accents"
    assert parsed.from_name == "Amélie Durand"


def test_a_reply_with_nothing_above_the_quote_has_no_text_to_post():
    raw = message("On Tue, 4 Jun 2024 at 10:02, Horseshoe <reply@forum.example.org> wrote:\r\n"
                  "> Alex answered your question.\r\n> Add ?limit=0 to the URL.\r\n")

    parsed = parse(raw)

    assert parsed.text == ""  # the router refuses an empty reply rather than posting the quote back
    assert parsed.full_text.startswith("On Tue, 4 Jun 2024")


def test_a_sentence_that_starts_like_a_sign_off_is_kept():
    raw = message("Hi team,\r\n\r\nThanks, that fixed it. But now the PDF export fails with error 500.\r\n"
                  "\r\nBest regards,\r\nJane\r\n")

    assert parse(raw).text == "Hi team,\n\nThanks, that fixed it. But now the PDF export fails with error 500."


def test_a_bulleted_list_is_not_taken_for_a_signature():
    raw = message("Steps to reproduce:\r\n- open the export page\r\n- choose CSV\r\n\r\nIt stops at 1,000 rows.\r\n")

    assert parse(raw).text == "Steps to reproduce:\n- open the export page\n- choose CSV\n\nIt stops at 1,000 rows."


# --- HTML and charsets


def test_html_only_mail_becomes_text_without_scripts_or_styles():
    parsed = parse(sample("html_only"))

    assert parsed.text.startswith("Hello,\n\nour webhook endpoint was down for an hour last night. Does "
                                  "Horseshoe retry failed deliveries, and for how long?")
    assert "[the retry section of the docs](https://docs.example.org/webhooks#retries)" in parsed.text
    assert "* Endpoint: https://hooks.example.net/horseshoe\n* Events: case.updated" in parsed.text
    assert parsed.text.endswith("Thanks!\nLena")
    for leftover in ("document.cookie", "alert", "evil.example", "font-family", "secret-style-marker", "<p>",
                     "Webhook retries"):
        assert leftover not in parsed.full_text


def test_latin_1_mail_reads_with_its_accents():
    parsed = parse(sample("iso_8859_1"))

    assert "der Link zum Zurücksetzen des Passworts führt zu einer Fehlerseite (\"Ungültiger Schlüssel\")." in (
        parsed.text)
    assert "im Café" in parsed.text
    assert "Mit freundlichen Grüßen" not in parsed.text
    assert parsed.subject == "Passwort zurücksetzen funktioniert nicht"
    assert (parsed.from_name, parsed.from_address) == ("Hanna Müller", "h.mueller@example.at")


def test_encoded_words_in_subject_and_name_are_decoded_to_one_line():
    parsed = parse(sample("rfc2047_subject"))

    assert parsed.subject == "ログインできません (café) — login fails"
    assert parsed.from_name == "山田 健二"
    assert parsed.text == "パスワードを入力してもログインできません。\nI cannot log in even with the correct password."


def test_windows_1252_text_labelled_latin_1_keeps_its_quotes_and_dashes():
    raw = message("", content_type="text/plain; charset=iso-8859-1").replace(
        b"\r\n\r\n", b"\r\n\r\n\x93It\x92s broken\x94 \x96 again.\r\n")

    assert parse(raw).text == "“It’s broken” – again."


@pytest.mark.parametrize("charset", ["x-klingon", "unicode_escape", "base64", ""])
def test_an_unknown_or_hostile_charset_falls_back_to_utf8(charset: str):
    raw = message("Grüße aus Köln \\ud800", content_type=f'text/plain; charset="{charset}"')

    assert parse(raw).text == "Grüße aus Köln \\ud800"


def test_a_long_subject_is_cut_to_one_line_of_200_characters():
    raw = message("Body", "Subject: " + "word " * 30 + "\r\n " + "more " * 40)

    subject = parse(raw.replace(b"Subject: Hello\r\n", b"")).subject
    assert len(subject) == 200 and "\n" not in subject and subject.startswith("word word")


# --- attachments


def test_attachments_arrive_with_their_names_and_bytes():
    parsed = parse(sample("mixed_attachments"))

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("invoice-2024-0612.pdf", "application/pdf"), ("VAT settings.png", "image/png")]
    pdf, png = (a.data for a in parsed.attachments)
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    assert png == PNG
    assert parsed.text == "Here is the invoice and a screenshot of the settings page.\n\nMaria"


def test_an_inline_picture_and_a_forwarded_message_are_attachments_but_the_body_is_not():
    boundary = "b1"
    body = "\r\n".join([
        f"--{boundary}", "Content-Type: text/plain; charset=utf-8", "", "See the picture.", "",
        f"--{boundary}", 'Content-Type: image/png; name="screen.png"',
        "Content-Disposition: inline; filename=screen.png",
        "Content-Transfer-Encoding: base64", "Content-ID: <screen@example.com>", "",
        base64.b64encode(PNG).decode(), "",
        f"--{boundary}", "Content-Type: message/rfc822", 'Content-Disposition: attachment; filename="earlier.eml"', "",
        "From: someone@example.org", "Subject: earlier", "", "The earlier message.", "",
        f"--{boundary}", "Content-Type: application/octet-stream", "Content-Disposition: attachment", "", "nameless",
        f"--{boundary}--", ""])
    parsed = parse(message(body, content_type=f'multipart/mixed; boundary="{boundary}"'))

    assert [a.filename for a in parsed.attachments] == ["screen.png", "earlier.eml"]
    assert parsed.attachments[0].data == PNG
    assert b"The earlier message." in parsed.attachments[1].data
    assert parsed.text == "See the picture."


def test_a_file_name_with_a_path_keeps_only_its_last_part():
    body = "\r\n".join(["--b", "Content-Type: text/plain", "", "Log attached.", "--b",
                        'Content-Type: text/plain; name="..\\\\..\\\\Windows\\\\app.log"',
                        'Content-Disposition: attachment; filename="../../etc/app.log"', "", "ERROR 1", "--b--", ""])

    parsed = parse(message(body, content_type='multipart/mixed; boundary="b"'))

    assert [(a.filename, a.data) for a in parsed.attachments] == [("app.log", b"ERROR 1")]
    assert parsed.text == "Log attached."


# --- mail that must never be answered


def test_a_postfix_bounce_names_the_failed_address_and_why():
    parsed = parse(sample("postfix_dsn_failed"))

    report = parsed.delivery_report
    assert report is not None and report.failed_recipients == ("old.address@example.com",)
    assert report.permanent is True
    assert report.reason == ("550 5.1.1 <old.address@example.com>: Recipient address rejected: User unknown in "
                             "virtual mailbox table")
    assert parsed.automatic == "delivery report"
    assert parsed.attachments == ()  # the returned original is not an upload


def test_a_delayed_delivery_report_is_not_a_hard_bounce():
    parsed = parse(sample("postfix_dsn_delayed"))

    report = parsed.delivery_report
    assert report is not None and report.failed_recipients == () and report.permanent is False
    assert report.reason == "connect to mx.slow.example.org[192.0.2.44]:25: Connection timed out"
    assert parsed.automatic == "delivery report"


def test_an_exim_bounce_is_recognised_by_its_failed_recipients_header():
    parsed = parse(sample("exim_bounce"))

    report = parsed.delivery_report
    assert report is not None and report.failed_recipients == ("lisa@gone.example.com",) and report.permanent
    assert report.reason == "550 5.1.1 <lisa@gone.example.com>: Recipient address rejected: User unknown"
    assert parsed.automatic == "delivery report"


def test_a_vacation_reply_is_automatic():
    parsed = parse(sample("vacation_auto_reply"))

    assert parsed.automatic == "auto-replied"
    assert parsed.delivery_report is None


def test_mailing_list_mail_is_automatic():
    assert parse(sample("mailing_list")).automatic == "mailing list"


@pytest.mark.parametrize(("header", "reason"), [
    ("Auto-Submitted: auto-generated", "auto-generated"),
    ("Auto-Submitted: auto-notified; owner-email=\"ops@example.com\"", "auto-notified"),
    ("Auto-Submitted: something-else", "automatic"),
    ("Auto-Submitted: no", ""),
    ("Precedence: bulk", "bulk"),
    ("Precedence: junk", "bulk"),
    ("Precedence: list", "mailing list"),
    ("Precedence: auto_reply", "auto-replied"),
    ("Precedence: first-class", ""),
    ("X-Autoreply: yes", "auto-replied"),
    ("X-Autorespond: Out of office", "auto-replied"),
    ("X-Auto-Response-Suppress: All", "automatic"),
    ("X-Auto-Response-Suppress: OOF, AutoReply", "automatic"),
    ("X-Auto-Response-Suppress: DR, RN, NRN", ""),
    ("List-Id: Announcements <announce.example.com>", "mailing list"),
    ("List-Unsubscribe: <mailto:unsubscribe@news.example.com>", "mailing list"),
    ("Return-Path: <>", "null sender"),
    ("Return-Path: <jane@example.com>", ""),
])
def test_automatic_mail_is_recognised_by_its_headers(header: str, reason: str):
    assert parse(message("Hello.", header)).automatic == reason


def test_a_read_receipt_is_automatic():
    body = "\r\n".join(["--r", "Content-Type: text/plain", "", "Your message was displayed.", "--r",
                        "Content-Type: message/disposition-notification", "",
                        "Final-Recipient: rfc822; jane@example.com", "Disposition: manual-action/MDN-sent-manually;"
                        " displayed", "--r--", ""])
    raw = message(body, content_type='multipart/report; report-type=disposition-notification; boundary="r"')

    parsed = parse(raw)

    assert parsed.automatic == "read receipt" and parsed.delivery_report is None


# --- who vouches for the sender


def test_the_receiving_servers_dkim_and_dmarc_passes_are_read():
    parsed = parse(sample("gmail_reply"))

    assert parsed.authentication.dkim_pass_domains == ("gmail.com",)
    assert parsed.authentication.dmarc_pass_from == ("gmail.com",)
    assert parsed.authentication.vouches_for("jane.customer@gmail.com")


def test_a_dkim_pass_that_names_only_header_i_counts_for_its_domain():
    parsed = parse(sample("french_gmail_reply"))

    assert parsed.authentication.dkim_pass_domains == ("gmail.com",)


def test_a_forged_pass_below_the_servers_own_header_is_not_believed():
    parsed = parse(sample("forged_authentication_results"), trusted_authserv_id="")

    assert parsed.authentication.dkim_pass_domains == () and parsed.authentication.dmarc_pass_from == ()
    assert not parsed.authentication.vouches_for("ceo@bigbank.example")


def test_a_configured_authserv_id_is_believed_wherever_its_header_is_and_no_other():
    raw = message("Hello.", "Authentication-Results: filter.attacker.example; dkim=pass header.d=bigbank.example",
                  "Authentication-Results: MX.Forum.Example.org; dkim=fail header.d=bigbank.example;"
                  " dmarc=pass header.from=example.com",
                  "Authentication-Results: relay.example.net; dmarc=pass header.from=bigbank.example")

    trusted = parse(raw, trusted_authserv_id="mx.forum.example.org").authentication
    topmost = parse(raw, trusted_authserv_id="").authentication

    assert (trusted.dkim_pass_domains, trusted.dmarc_pass_from) == ((), ("example.com",))
    assert (topmost.dkim_pass_domains, topmost.dmarc_pass_from) == (("bigbank.example",), ())


def test_the_authserv_id_comes_from_the_settings_when_an_app_runs(app, monkeypatch):
    raw = message("Hello.", "Authentication-Results: mail.attacker.example; dmarc=pass header.from=example.com",
                  "Authentication-Results: mx.forum.example.org; dmarc=pass header.from=example.com")
    monkeypatch.setattr(app.config["HORSESHOE"], "mail_authserv_id", "mx.forum.example.org")

    with app.app_context():
        assert parse(raw).authentication.dmarc_pass_from == ("example.com",)
    monkeypatch.setattr(app.config["HORSESHOE"], "mail_authserv_id", "mx.other.example")
    with app.app_context():
        assert parse(raw).authentication.dmarc_pass_from == ()


def test_an_unreadable_authentication_results_header_vouches_for_nobody():
    raw = message("Hello.", "Authentication-Results: ;;; dkim=pass header.d=example.com")

    assert parse(raw, trusted_authserv_id="").authentication.dkim_pass_domains == ()


# --- recipients, and headers nobody can read


def test_envelope_recipients_come_first_and_each_address_once():
    raw = message("Hello.", "Cc: \"Support\" <SUPPORT@forum.example.org>, ops@example.com",
                  "Delivered-To: questions@forum.example.org", "X-Original-To: Questions@Forum.Example.org")

    parsed = parse(raw, ["<Billing@Forum.Example.org>", "questions@forum.example.org"])

    assert parsed.recipients == ("billing@forum.example.org", "questions@forum.example.org",
                                 "support@forum.example.org", "ops@example.com")


def test_a_header_that_cannot_be_read_counts_as_missing():
    raw = (b"From: =?utf-8?B?####?= <<<@@>>>\r\nTo: undisclosed-recipients:;\r\nSubject: \xff\xfeHi\r\n"
           b"Message-ID: not an id\r\nIn-Reply-To: (just a comment)\r\n\r\nStill here.\r\n")

    parsed = parse(raw)

    assert (parsed.from_address, parsed.recipients, parsed.in_reply_to) == ("", (), "")
    assert parsed.text == "Still here."
    assert "Hi" in parsed.subject


def test_garbage_gives_an_empty_message_rather_than_an_error():
    raw = sample("garbage")

    parsed = parse(raw)

    assert isinstance(parsed, InboundMessage) and parsed.size == len(raw)
    assert parsed.from_address == "" and parsed.recipients == () and parsed.attachments == ()
    assert parsed.delivery_report is None and parsed.authentication.dkim_pass_domains == ()


def _mutated(data: tuple[str, int, bytes]) -> bytes:
    name, at, junk = data
    raw = sample(name)
    at %= len(raw)
    return raw[:at] + junk + raw[at + len(junk):]


raw_mail = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda head, tail: head + b"\r\n\r\n" + tail,
              st.sampled_from([b"Content-Type: multipart/mixed; boundary=x", b"Content-Type: multipart/report; "
                               b"report-type=delivery-status; boundary=x",
                               b"Content-Type: text/html; charset=utf-7", b"From: a@b\r\nX-Failed-Recipients: ,;@"]),
              st.binary(max_size=1000)),
    st.builds(_mutated, st.tuples(st.sampled_from([p.stem for p in SAMPLES.glob("*.eml")]),
                                  st.integers(min_value=0), st.binary(min_size=1, max_size=200))),
)


@PROPERTY
@given(raw=raw_mail)
def test_parse_never_raises_whatever_arrives(raw: bytes):
    parsed = parse(raw, ["x@y.org"], trusted_authserv_id="")

    assert parsed.size == len(raw)
    for text in (parsed.text, parsed.full_text, parsed.subject, parsed.from_name, parsed.from_address):
        text.encode("utf-8")  # storable: no lone surrogates
        assert "\x00" not in text
    assert len(parsed.subject) <= 200
