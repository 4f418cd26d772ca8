"""New questions by email (issue 24, item 2): mail to a category's address opens a question as its sender.

Real messages go through forum.mail.inbound.receive and the worker. A sender is trusted only when our
receiving server's Authentication-Results (the topmost header) show DKIM or DMARC pass for the address;
everyone else gets a link, and only following it (a button on the page it opens) publishes. The web's
rules apply: watched words, the new-member sandbox, the personal-data guard, the rate limit.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum.accounts import members
from forum.core import outbox
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.mail import confirmations
from forum.models import (
    Attachment,
    Case,
    Category,
    InboundMail,
    InboundStatus,
    OutboundEmail,
    Post,
    Thread,
    Upload,
    User,
)
from forum.services import community_settings
from moderation.services import watched_words
from tests import factories
from tests.concurrency import race
from tests.mail.inbound_support import bounces_to, deliver, email, says

TO = "help@support.example.com"
SUBJECT = "Router drops the connection every evening"
TEXT = "Every evening at about eight my router loses the connection for a minute. What can I try?"
SIGNATURE = "\n\n-- \nAna Lima\nPhone: 020 7946 0958\n"
LINK = re.compile(r"http://localhost(/mail/confirm/\S+)")


@pytest.fixture
def support(make) -> Category:
    category = make.make_category("Support")
    category.email_address = TO
    db.session.commit()
    return category


@pytest.fixture
def ana(make) -> User:
    return make.make_user(username="ana", email="ana@example.com")


def vouched(domain: str, *, dkim: bool = True) -> str:
    """The Authentication-Results our receiving server adds to mail it has checked."""
    result = f"dkim=pass header.d={domain}" if dkim else f"dmarc=pass header.from={domain}"
    return f"Authentication-Results: mx.horseshoe.local; spf=pass smtp.mailfrom={domain}; {result}\r\n"


def question(sender: str, text: str = TEXT + SIGNATURE, *, subject: str = SUBJECT, trusted: bool = False) -> bytes:
    """A new question as a mail client sends it (nothing quoted); trusted: as our server received it, vouched for."""
    raw = email(sender, TO, text, subject=subject, quoted="")
    domain = sender.rpartition("@")[2].strip(">")
    return (vouched(domain).encode() if trusted else b"") + raw


def questions_in(category: Category) -> list[Thread]:
    return list(db.session.scalars(select(Thread).where(Thread.category_id == category.id).order_by(Thread.id)))


def mail_to(address: str, subject_start: str) -> OutboundEmail:
    return db.session.scalars(select(OutboundEmail).where(
        OutboundEmail.to_address == address, OutboundEmail.subject.startswith(subject_start))
        .order_by(OutboundEmail.id.desc())).first()


def link_in(email_sent: OutboundEmail) -> str:
    return LINK.search(email_sent.text_body).group(1)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def set_setting(key: str, value) -> None:
    community_settings.update_settings_from_console({key: value})


def test_a_trusted_email_from_a_member_opens_the_question_in_the_category(ana, support, smtp_server, run_jobs):
    mail = deliver(question("Ana Lima <ana@example.com>", trusted=True), TO)

    [thread] = questions_in(support)
    assert (thread.title, thread.author_id, thread.visibility) == (SUBJECT, ana.id, "public")
    body = db.session.get(Post, mail.post_id).body
    assert body == TEXT  # the signature (and the phone number in it) is not published
    assert (mail.status, mail.thread_id, mail.user_id) == (InboundStatus.POSTED.value, thread.id, ana.id)
    assert mail.raw is None
    receipt = next(m for m in smtp_server.messages if m["Subject"].startswith("Posted:"))
    assert receipt["To"] == "ana@example.com"
    assert f"/t/{thread.id}/{thread.slug}" in receipt.get_body(preferencelist=("plain",)).get_content()


def test_a_dmarc_pass_alone_is_trusted_too(ana, support):
    raw = vouched("example.com", dkim=False).encode() + email("ana@example.com", TO, TEXT, subject=SUBJECT, quoted="")

    assert deliver(raw, TO).status == InboundStatus.POSTED.value


def test_an_untrusted_email_is_published_only_when_its_link_is_followed(ana, support, client, smtp_server, run_jobs):
    mail = deliver(question("ana@example.com"), TO)

    assert questions_in(support) == []
    assert (mail.status, mail.user_id, mail.category_id) == (InboundStatus.PENDING.value, ana.id, support.id)
    assert mail.raw is not None
    [sent] = [m for m in smtp_server.messages if m["Subject"].startswith(confirmations.SUBJECT_PREFIX)]
    assert sent["To"] == "ana@example.com"
    link = LINK.search(sent.get_body(preferencelist=("plain",)).get_content()).group(1)

    page = client.get(link)  # a mail scanner opening the link publishes nothing
    assert page.status_code == 200 and "Publish my question" in page.text and SUBJECT in page.text
    assert questions_in(support) == []

    published = client.post(link)
    assert published.status_code == 303
    [thread] = questions_in(support)
    assert (thread.author_id, thread.title) == (ana.id, SUBJECT)
    db.session.expire_all()
    mail = db.session.get(InboundMail, mail.id)
    assert (mail.status, mail.thread_id, mail.raw) == (InboundStatus.POSTED.value, thread.id, None)

    again = client.get(link)
    assert "This question is published" in again.text and f"/t/{thread.id}/{thread.slug}" in again.text
    assert client.post(link).status_code == 200
    assert len(questions_in(support)) == 1


def test_a_link_followed_after_the_confirmation_days_publishes_nothing(ana, support, client, clock_at, run_jobs):
    mail = deliver(question("ana@example.com"), TO)
    link = link_in(mail_to("ana@example.com", confirmations.SUBJECT_PREFIX))

    clock_at.advance(days=7, hours=1)  # mail.confirmation_days is 7
    page = client.post(link)

    assert page.status_code == 422 and "has expired" in page.text
    assert questions_in(support) == []
    outbox.enqueue(confirmations.EXPIRE_JOB)
    run_jobs()
    db.session.expire_all()
    mail = db.session.get(InboundMail, mail.id)
    assert (mail.status, mail.raw) == (InboundStatus.REFUSED.value, None)
    assert mail.outcome == "Never confirmed: dropped after 7 days."
    assert "no longer waiting" in client.get(link).text


def test_a_question_whose_publishing_was_interrupted_is_not_published_twice_and_its_raw_goes(
        ana, support, client, clock_at, run_jobs):
    mail = deliver(question("ana@example.com"), TO)
    link = link_in(mail_to("ana@example.com", confirmations.SUBJECT_PREFIX))
    mail.status, mail.outcome = InboundStatus.POSTED.value, confirmations.PUBLISHING  # a press that never finished
    db.session.commit()

    page = client.post(link)

    assert page.status_code == 422 and "being published" in page.text
    assert questions_in(support) == []
    clock_at.advance(days=8)
    outbox.enqueue(confirmations.EXPIRE_JOB)
    run_jobs()
    db.session.expire_all()
    mail = db.session.get(InboundMail, mail.id)
    assert (mail.status, mail.raw, mail.outcome) == (InboundStatus.REFUSED.value, None, confirmations.INTERRUPTED)


def test_a_link_that_was_altered_is_not_valid(ana, support, client):
    deliver(question("ana@example.com"), TO)
    link = link_in(mail_to("ana@example.com", confirmations.SUBJECT_PREFIX))

    page = client.post(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))

    assert page.status_code == 422 and "not valid" in page.text
    assert questions_in(support) == []


def test_a_forged_authentication_results_header_below_ours_is_not_trusted(ana, support):
    """Anyone can write the header into their mail; our server's own (the topmost) says dkim=none."""
    forged = email("ana@example.com", TO, TEXT, subject=SUBJECT, quoted="")
    forged = vouched("example.com").encode() + forged  # what the forger wrote in...
    ours = b"Authentication-Results: mx.horseshoe.local; dkim=none; spf=softfail smtp.mailfrom=example.com\r\n"

    mail = deliver(ours + forged, TO)  # ...and what our server added above it

    assert mail.status == InboundStatus.PENDING.value
    assert questions_in(support) == []


def test_dkim_pass_for_another_domain_does_not_vouch_for_the_sender(ana, support):
    raw = vouched("attacker.example").encode() + email("ana@example.com", TO, TEXT, subject=SUBJECT, quoted="")

    assert deliver(raw, TO).status == InboundStatus.PENDING.value
    assert questions_in(support) == []


def test_an_unknown_sender_gets_a_staged_account_and_the_question_once_confirmed(support, client):
    set_setting("mail.staged_accounts", True)

    mail = deliver(question("Chris Doe <Chris.Doe+shop@customer.example>"), TO)

    chris = db.session.scalar(select(User).where(User.email == "chris.doe+shop@customer.example"))
    assert (chris.username, chris.display_name, chris.password_hash) == ("chris.doe", "Chris Doe", members.NO_PASSWORD)
    assert chris.staged_at is not None and chris.email_verified_at is None  # a From line proves nothing
    assert (mail.status, mail.user_id) == (InboundStatus.PENDING.value, chris.id)
    assert questions_in(support) == []
    confirmation = mail_to(chris.email, confirmations.SUBJECT_PREFIX)
    assert "chris.doe" in confirmation.text_body and "Forgot your password" in confirmation.text_body

    assert client.post(link_in(confirmation)).status_code == 303

    [thread] = questions_in(support)
    assert thread.author_id == chris.id and thread.visibility == "public"
    db.session.refresh(chris)
    assert chris.email_verified_at is not None  # the link reached the mailbox
    assert chris.staged_at is not None  # still unclaimed: no password yet


def test_a_staged_sender_who_writes_again_before_confirming_gets_another_link(support):
    """The account is not refused as unverified: the link is how its owner proves the address."""
    set_setting("mail.staged_accounts", True)
    deliver(question("jo@customer.example"), TO)

    second = deliver(question("jo@customer.example", "Also, my invoice shows the wrong month.",
                              subject="Invoice shows the wrong month"), TO)

    assert second.status == InboundStatus.PENDING.value
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "jo@customer.example")) == 1


def test_a_staged_username_is_made_valid_and_unique(make, support):
    set_setting("mail.staged_accounts", True)
    make.make_user(username="member")

    deliver(question("li@customer.example", trusted=True), TO)  # "li" is too short for a username

    staged = db.session.scalar(select(User).where(User.email == "li@customer.example"))
    assert staged.username == "member2"
    assert members.USERNAME_PATTERN.match(staged.username)


def test_a_vouched_for_unknown_sender_is_staged_verified_and_published_at_once(support):
    set_setting("mail.staged_accounts", True)

    mail = deliver(question("dana@customer.example", trusted=True), TO)

    dana = db.session.scalar(select(User).where(User.email == "dana@customer.example"))
    assert dana.email_verified_at is not None and dana.staged_at is not None
    assert mail.status == InboundStatus.POSTED.value
    assert [thread.author_id for thread in questions_in(support)] == [dana.id]
    receipt = mail_to("dana@customer.example", "Posted:")
    assert "set a password" in receipt.text_body


def test_with_staged_accounts_off_an_unknown_sender_is_invited_to_sign_up(support):
    mail = deliver(question("erin@customer.example", trusted=True), TO)

    assert db.session.scalar(select(User).where(User.email == "erin@customer.example")) is None
    assert questions_in(support) == []
    assert mail.status == InboundStatus.REFUSED.value and "invited to sign up" in mail.outcome
    invitation = mail_to("erin@customer.example", "Sign up")
    assert "http://localhost/auth/register" in invitation.text_body

    again = deliver(question("erin@customer.example", "And a second question, please help."), TO)

    assert again.status == InboundStatus.REFUSED.value
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address == "erin@customer.example")) == 1  # one invitation an hour is plenty


def test_one_invitation_an_hour_reaches_a_mailbox_under_any_plus_spelling(support):
    """Forged mail from erin+1@, erin+2@ … all lands in Erin's inbox: she is invited once, not once per spelling."""
    for tag in ("", "+a", "+b", "+shop"):
        deliver(question(f"erin{tag}@customer.example", f"Question from spelling {tag or 'plain'}, please help."), TO)

    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address.like("erin%@customer.example"))) == 1


def test_a_blocked_domain_gets_an_invitation_and_no_account(support):
    set_setting("mail.staged_accounts", True)
    set_setting("accounts.blocked_email_domains", ["throwaway.example"])

    mail = deliver(question("fay@mx.throwaway.example", trusted=True), TO)  # a subdomain is blocked too

    assert db.session.scalar(select(User).where(User.email == "fay@mx.throwaway.example")) is None
    assert mail.status == InboundStatus.REFUSED.value
    assert mail_to("fay@mx.throwaway.example", "Sign up") is not None
    assert questions_in(support) == []


def test_a_blocked_watched_word_refuses_the_question_as_on_the_web(make, ana, support):
    admin = make.make_user(role="admin")
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("zzzforbidden", "block"))

    mail = deliver(question("ana@example.com", "Can I buy zzzforbidden here? " + TEXT, trusted=True), TO)

    assert questions_in(support) == []
    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "rejected") and "“zzzforbidden” is not allowed here" in bounce.text_body


def test_a_watched_word_for_approval_holds_the_question_for_a_moderator(make, ana, support):
    admin = make.make_user(role="admin")
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("refund", "require_approval"))

    mail = deliver(question("ana@example.com", "I want a refund. " + TEXT, trusted=True), TO)

    [thread] = questions_in(support)
    assert thread.visibility == "pending"
    assert mail.status == InboundStatus.POSTED.value and "moderator" in mail.outcome
    assert "approval" in mail_to("ana@example.com", "Posted:").text_body


def test_a_new_members_links_wait_in_the_sandbox_as_on_the_web(ana, support):
    text = "The status page at https://status.example.net/today says nothing. " + TEXT

    deliver(question("ana@example.com", text, trusted=True), TO)

    [thread] = questions_in(support)
    assert thread.visibility == "pending"


def test_attachments_become_the_questions_uploads(make, support):
    make.make_user(username="kim", email="kim@example.com", reputation=50)  # past the new-member sandbox
    raw = vouched("example.com").encode() + email(
        "kim@example.com", TO, TEXT, subject=SUBJECT, quoted="",
        attachments=[("status.png", "image/png", png()), ("setup.html", "text/html", b"<p>no</p>")])

    mail = deliver(raw, TO)

    [thread] = questions_in(support)
    post = db.session.get(Post, mail.post_id)
    [attached] = db.session.scalars(select(Upload).join(Attachment, Attachment.upload_id == Upload.id)
                                    .where(Attachment.post_id == post.id)).all()
    assert attached.filename == "status.png" and f"(/uploads/{attached.id}/status.png)" in post.body
    assert thread.visibility == "public" and "Not attached: setup.html" in mail.outcome


def test_personal_data_waits_for_the_link_and_can_go_privately_to_support(ana, support, client):
    text = TEXT + "\n\nMy card is 4111 1111 1111 1111 if you need it."

    mail = deliver(question("ana@example.com", text, trusted=True), TO)

    assert mail.status == InboundStatus.PENDING.value and questions_in(support) == []
    confirmation = mail_to("ana@example.com", confirmations.SUBJECT_PREFIX)
    assert "a card number" in confirmation.text_body
    link = link_in(confirmation)
    page = client.get(link)
    assert "This looks like personal data" in page.text and "Send it privately" in page.text
    assert client.post(link).status_code == 422  # the page asks: publicly, or privately
    assert questions_in(support) == []

    assert client.post(link, data={"personal_data": "private"}).status_code == 303

    [thread] = questions_in(support)
    question_post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert "4111" not in question_post.body and "[card number removed]" in question_post.body
    case = db.session.scalar(select(Case).where(Case.thread_id == thread.id))
    assert case is not None and case.customer_id == ana.id


def test_the_web_rate_limit_counts_questions_by_email(make, ana, support, limits_on):
    for n in range(3):  # a member's first day: 3 new threads (forum.core.posting_rules)
        make.make_thread(author=ana, title=f"Earlier question number {n}")

    mail = deliver(question("ana@example.com", trusted=True), TO)

    assert mail.status == InboundStatus.REFUSED.value
    assert questions_in(support) == []
    [bounce] = bounces_to("ana@example.com")
    assert "try again in" in bounce.text_body


def test_a_link_followed_over_the_rate_limit_keeps_the_question_waiting(make, ana, support, client, limits_on):
    mail = deliver(question("ana@example.com"), TO)
    link = link_in(mail_to("ana@example.com", confirmations.SUBJECT_PREFIX))
    for n in range(3):
        make.make_thread(author=ana, title=f"Earlier question number {n}")

    page = client.post(link)

    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "try again in" in page.text and "Publish my question" in page.text
    db.session.expire_all()
    assert db.session.get(InboundMail, mail.id).status == InboundStatus.PENDING.value
    assert len(questions_in(support)) == 0


@pytest.mark.parametrize("standing", ["suspended", "unverified"])
def test_a_suspended_or_unverified_member_is_refused(make, support, clock_at, standing):
    overrides = ({"suspended_until": clock_at.now + timedelta(days=3)} if standing == "suspended"
                 else {"verified": False})
    make.make_user(username="gus", email="gus@example.com", **overrides)

    mail = deliver(question("gus@example.com", trusted=True), TO)

    assert mail.status == InboundStatus.REFUSED.value
    assert questions_in(support) == []
    assert says(bounces_to("gus@example.com")[-1], standing)


def test_an_email_with_no_words_of_its_own_is_refused(ana, support):
    mail = deliver(question("ana@example.com", SIGNATURE, trusted=True), TO)

    assert mail.status == InboundStatus.REFUSED.value
    assert says(bounces_to("ana@example.com")[-1], "empty_question")


def test_a_short_subject_takes_the_title_from_the_first_words(ana, support):
    deliver(question("ana@example.com", subject="Help!", trusted=True), TO)

    [thread] = questions_in(support)
    assert thread.title == TEXT


def test_a_staged_account_is_claimed_through_the_password_reset(support, client):
    set_setting("mail.staged_accounts", True)
    deliver(question("hal@customer.example", trusted=True), TO)
    hal = db.session.scalar(select(User).where(User.email == "hal@customer.example"))
    assert hal.staged_at is not None

    client.post("/auth/forgot", data={"email": "hal@customer.example"})
    reset = mail_to("hal@customer.example", "Reset your")
    path = re.search(r"http://localhost(/auth/reset/\S+)", reset.text_body).group(1)
    assert client.post(path, data={"password": "a long new passphrase"}).status_code in (302, 303)

    db.session.refresh(hal)
    assert hal.staged_at is None and hal.password_hash != members.NO_PASSWORD
    assert members.authenticate("hal@customer.example", "a long new passphrase") is not None


def test_signing_up_with_a_staged_address_sends_the_link_to_claim_it(support, client, api_client):
    set_setting("mail.staged_accounts", True)
    deliver(question("ivy@customer.example", trusted=True), TO)

    page = client.post("/auth/register", data={"username": "ivy", "email": "ivy@customer.example",
                                                "password": "a long enough passphrase"}, follow_redirects=True)

    assert "We emailed you a link to claim it" in page.text
    assert mail_to("ivy@customer.example", "Reset your") is not None
    answer = api_client().post("/api/v1/users", json={"username": "ivy2", "email": "ivy@customer.example",
                                                      "password": "a long enough passphrase"})
    assert answer.status_code == 409 and "password reset" in answer.json["detail"]
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "ivy@customer.example")) == 1


@pytest.mark.parametrize("attempt", range(3))  # a race: several tries catch it reliably
@pytest.mark.usefixtures("committed")
def test_the_button_pressed_twice_at_once_publishes_one_question(app, attempt):
    factories.make_user(username="lou", email="lou@example.com")
    category = factories.make_category("Support")
    category.email_address, category_id = TO, category.id
    db.session.commit()
    deliver(question("lou@example.com"), TO)
    token = link_in(mail_to("lou@example.com", confirmations.SUBJECT_PREFIX)).rsplit("/", 1)[1]

    failures = race(app, [lambda: confirmations.confirm(token), lambda: confirmations.confirm(token)])

    assert len(questions_in(db.session.get(Category, category_id))) == 1
    assert all(isinstance(failure, confirmations.NotPublished | Invalid) for failure in failures)
