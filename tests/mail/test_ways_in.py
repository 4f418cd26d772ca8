"""The three ways mail reaches Horseshoe, each with real messages: the SMTP listener, the pipe command, the webhook.

`flask mail listen` runs here as the real aiosmtpd listener on a free port, spoken to with smtplib; `flask
mail receive` is called through Click and once as a real process, reading bytes from standard input; the
provider webhook is called signed, as a provider would sign it. Each stores the message once, queues it, and
the worker then makes of it what any other way in would. Each refuses what a mail server or provider must
hear refused: other domains (no open relay), over-size mail, bad or missing signatures, stale ones, replays;
and each asks the sender to try again later while the database cannot store the message.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from forum import create_app
from forum.core import clock, worker
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.integrations import delivery
from forum.mail import inbound, parsing
from forum.models import InboundMail, InboundStatus, Job, Post, Thread, User
from forum.services import community_settings
from tests import factories
from tests.conftest import free_port
from tests.mail.inbound_support import email, thread_address
from tests.support.crash import wait_for

ROOT = Path(__file__).resolve().parents[2]
INBOUND = "/api/v1/integrations/mail/inbound"
SECRET = "a-long-inbound-secret-for-tests"
ANSWER = "Changing the channel to 11 fixed it for me."


def stored() -> list[InboundMail]:
    """Every message stored, read afresh (the listener and the pipe process commit from elsewhere)."""
    db.session.remove()
    return list(db.session.scalars(select(InboundMail).order_by(InboundMail.id)))


def queued_jobs() -> list[dict]:
    return [json.loads(job.payload_json) for job in db.session.scalars(
        select(Job).where(Job.name == inbound.PROCESS_JOB).order_by(Job.id))]


def set_setting(key: str, value) -> None:
    community_settings.update_settings_from_console({key: value})


def broken_app(tmp_path: Path, **settings) -> Flask:
    """The app as deployed against a database that cannot be opened (its folder does not exist)."""
    return create_app(Settings(data_dir=str(tmp_path / "data"), secret_key="test-secret-key", testing=True,
                               database_url=f"sqlite:///{tmp_path / 'gone' / 'horseshoe.sqlite3'}", **settings))


@pytest.fixture
def asker() -> User:
    return factories.make_user(username="ana", email="ana@example.com", reputation=50)


@pytest.fixture
def thread(asker) -> Thread:
    thread = factories.make_thread(author=asker, title="Connection drops every evening")
    factories.make_reply(thread, factories.make_user(username="bea", email="bea@example.com"),
                         "Have you tried restarting it?")
    return thread


def replies_by(user_id: int, thread_id: int) -> list[str]:
    return list(db.session.scalars(select(Post.body).where(
        Post.thread_id == thread_id, Post.author_id == user_id, Post.is_question.is_(False))))


def crlf(raw: bytes) -> bytes:
    """Line ends as SMTP carries them (smtplib sends bytes as they are)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --- the SMTP listener (flask mail listen) ----------------------------------------------------------------------


# Taken at RCPT without a database lookup (the listener checks the shape; the worker checks the key later).
OURS = "bounces+1-aaaaaaaaaaaaaaaa@horseshoe.local"


def smtp(port: int) -> smtplib.SMTP:
    """A client of the listener. The test's own transaction ends first: reading began it IMMEDIATE, and SQLite
    lets one writer at a time, so the listener would wait for it."""
    db.session.commit()
    return smtplib.SMTP("127.0.0.1", port, timeout=30)


def test_mail_through_the_listener_is_stored_once_and_queued_for_the_worker(listen, asker, thread):
    port = listen()
    to, ids = thread_address(asker, thread.id), (asker.id, thread.id)
    raw = crlf(email("ana@example.com", to, ANSWER))

    with smtp(port) as client:
        assert client.sendmail("ana@example.com", [to], raw) == {}
        assert client.sendmail("ana@example.com", [to], raw) == {}  # the sending server retried: 250 again

    [mail] = stored()
    assert (mail.channel, mail.to_address, mail.status) == ("smtp", to, InboundStatus.RECEIVED.value)
    assert queued_jobs() == [{"id": mail.id, "envelope_recipients": [to]}]
    # the listener's own (empty) verdict on top: a sender's forged Authentication-Results is never the topmost
    assert mail.raw.startswith(b"Authentication-Results: ") and mail.raw.split(b"\r\n", 1)[0].endswith(b"; none")

    worker.run_until_empty()
    assert replies_by(*ids) == [ANSWER]


def test_an_authentication_result_the_sender_wrote_is_not_believed_through_the_listener(listen):
    """Nothing checked DKIM on the way in: a sender's own "dkim=pass" must not make a stranger a member."""
    verdict = "mx.horseshoe.local; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"
    forged = crlf(email("ana@example.com", OURS, "Refund me", headers={"Authentication-Results": verdict}))
    assert parsing.parse(forged).authentication.vouches_for("ana@example.com")  # as the header alone would claim
    port = listen()

    with smtp(port) as client:
        client.sendmail("ana@example.com", [OURS], forged)

    [mail] = stored()
    assert not parsing.parse(mail.raw).authentication.vouches_for("ana@example.com")


def test_the_listener_is_no_open_relay(listen):
    port = listen()
    with smtp(port) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("someone@example.net", ["victim@elsewhere.example"], email("someone@example.net",
                        "victim@elsewhere.example", "Relay this, please."))
    assert refused.value.recipients["victim@elsewhere.example"][0] == 550
    assert b"no such user here" in refused.value.recipients["victim@elsewhere.example"][1]

    with smtp(port) as client:  # one recipient of ours among others: only ours is taken
        not_taken = client.sendmail("someone@example.net", [OURS, "other@elsewhere.example"],
                                    email("someone@example.net", OURS, "Hello"))
    assert set(not_taken) == {"other@elsewhere.example"}
    assert [mail.to_address for mail in stored()] == [OURS]


def test_a_category_address_on_another_domain_is_taken(listen):
    category = factories.make_category("Billing")
    category.email_address = "billing@support.example.com"
    db.session.commit()
    port = listen()

    with smtp(port) as client:
        assert client.sendmail("cleo@example.org", ["Billing@Support.Example.com"],
                               email("cleo@example.org", "billing@support.example.com", "Charged twice")) == {}
    assert [mail.to_address for mail in stored()] == ["Billing@Support.Example.com"]


def test_over_size_mail_is_refused_with_552_and_not_stored(listen):
    set_setting("mail.max_message_mb", 0.1)
    port = listen()
    raw = crlf(email("ana@example.com", OURS, "Logs attached.",
                     attachments=[("big.log", "text/plain", b"line of log\n" * 12_000)]))

    with smtp(port) as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.sendmail("ana@example.com", [OURS], raw)  # SIZE= announced: refused at MAIL
    assert refused.value.smtp_code == 552
    with smtp(port) as client:  # a client that does not announce the size is cut off during DATA
        client.ehlo()
        client.mail("ana@example.com")
        client.rcpt(OURS)
        assert client.data(raw)[0] == 552
    assert stored() == []


def test_the_listener_asks_the_sender_to_retry_while_the_database_is_down(listen, tmp_path):
    port = listen(broken_app(tmp_path))
    with smtp(port) as client, pytest.raises(smtplib.SMTPDataError) as failed:
        client.sendmail("ana@example.com", [OURS], email("ana@example.com", OURS, "Anyone there?"))
    assert failed.value.smtp_code == 451  # temporary: the sending server keeps the message and tries again


def test_mail_to_an_address_that_means_nothing_is_refused_at_the_door(listen, smtp_server):
    """sales@ our domain is neither a reply, a bounce nor a category address: the sending server is told (550),
    so it reports to its own sender; Horseshoe stores nothing and sends no bounce of its own."""
    port = listen()
    with smtp(port) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("cleo@example.org", ["sales@horseshoe.local"],
                        email("cleo@example.org", "sales@horseshoe.local", "Do you sell routers?"))

    assert refused.value.recipients["sales@horseshoe.local"][0] == 550
    assert stored() == []
    worker.run_until_empty()
    assert [m for m in smtp_server.messages if m["To"] == "cleo@example.org"] == []


def accepting(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_flask_mail_listen_serves_until_sigterm(app, committed):
    port = free_port()
    db.session.commit()  # the test's transaction holds SQLite's write lock (see smtp())
    argv = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "mail", "listen", "--port", str(port)]
    process = subprocess.Popen(argv, cwd=ROOT, env=process_env(app), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: accepting(port) or process.poll() is not None, 60, "flask mail listen to accept mail")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            hello = crlf(email("cleo@example.org", OURS, "Hello there"))
            assert client.sendmail("cleo@example.org", [OURS], hello) == {}
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        f"Listening for mail on 127.0.0.1:{port}: reply and bounce addresses at horseshoe.local and every "
        "category's address, up to 10 MB a message. Ctrl-C (or SIGTERM) stops.",
        "Stopped listening.",
    ]
    [mail] = stored()
    assert (mail.channel, mail.to_address) == ("smtp", OURS)


# --- the pipe (flask mail receive) ------------------------------------------------------------------------------


def pipe(app: Flask, raw: bytes, *recipients: str):
    args = ["mail", "receive", *[part for r in recipients for part in ("--recipient", r)]]
    return app.test_cli_runner().invoke(args=args, input=raw)


def test_mail_receive_stores_one_message_from_standard_input_and_says_so(app, make, run_jobs):
    asker = make.make_user(username="ana", email="ana@example.com", reputation=50)
    thread = make.make_thread(author=asker, title="Connection drops every evening")
    make.make_reply(thread, make.make_user(), "Have you tried restarting it?")
    to = thread_address(asker, thread.id)
    raw = email("ana@example.com", to, ANSWER)

    first, again = pipe(app, raw, to), pipe(app, raw, to)

    [mail] = db.session.scalars(select(InboundMail)).all()
    assert (first.exit_code, first.stdout) == (0, f"queued {mail.id}\n")
    assert (again.exit_code, again.stdout) == (0, f"duplicate {mail.id}\n")  # the mail server retried
    assert (mail.channel, mail.to_address, mail.raw) == ("pipe", to, raw)
    run_jobs()
    assert replies_by(asker.id, thread.id) == [ANSWER]


def test_mail_receive_refuses_empty_and_over_size_input_for_good(app, db):
    empty = pipe(app, b"")
    assert empty.exit_code == 65 and "the message is empty" in empty.stderr

    set_setting("mail.max_message_mb", 0.1)
    big = pipe(app, email("ana@example.com", "help@horseshoe.local", "x",
                          attachments=[("big.log", "text/plain", b"line of log\n" * 12_000)]))
    assert big.exit_code == 65 and "accepts mail up to 0.1 MB" in big.stderr
    assert db.session.scalar(select(func.count(InboundMail.id))) == 0


def test_mail_receive_asks_the_mail_server_to_retry_when_the_database_fails(app, db, monkeypatch):
    def locked(*_args, **_kwargs):  # what SQLite says once its busy timeout (10 s) has run out
        raise OperationalError("INSERT INTO inbound_mail ...", {}, Exception("database is locked"))

    monkeypatch.setattr(inbound, "receive", locked)
    result = pipe(app, email("ana@example.com", "help@horseshoe.local", "Hello"))
    assert result.exit_code == 75  # EX_TEMPFAIL: Postfix and Exim keep the message and try again
    assert "the database is unavailable (database is locked)" in result.stderr
    assert "Traceback" not in result.stderr


def process_env(app: Flask, **overrides: str) -> dict[str, str]:
    settings = app.config["HORSESHOE"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("HORSESHOE_")}
    env.update({"HORSESHOE_DATA_DIR": settings.data_dir, "HORSESHOE_SECRET_KEY": "test-secret-key",
                "HORSESHOE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "HORSESHOE_TESTING": "1",
                **overrides})
    return env


def run_receive(env: dict[str, str], raw: bytes, *recipients: str) -> subprocess.CompletedProcess:
    """`flask --app wsgi mail receive` as Postfix's pipe runs it: a process, the message on standard input."""
    flask = Path(sys.executable).with_name("flask")
    argv = [str(flask), "--app", "wsgi", "mail", "receive", *[p for r in recipients for p in ("--recipient", r)]]
    return subprocess.run(argv, input=raw, cwd=ROOT, env=env, capture_output=True, timeout=120)


@pytest.mark.real_clock  # the process queues its job at its own, real, time: the worker here must see it due
def test_mail_receive_as_a_mail_servers_pipe_runs_it(app, committed, asker, thread):
    to, ids = thread_address(asker, thread.id), (asker.id, thread.id)
    raw = email("ana@example.com", to, ANSWER).replace(b"\r\n", b"\n")  # Postfix pipes with bare newlines
    db.session.commit()  # the test's transaction holds SQLite's write lock (see smtp())

    done = run_receive(process_env(app), raw, to)

    assert done.returncode == 0, done.stderr.decode()
    [mail] = stored()
    assert done.stdout.decode() == f"queued {mail.id}\n" and mail.channel == "pipe"
    worker.run_until_empty()
    assert replies_by(*ids) == [ANSWER]


def test_mail_receive_without_its_database_keeps_the_mail_at_the_mail_server(app, tmp_path):
    env = process_env(app, HORSESHOE_DATA_DIR=str(tmp_path / "elsewhere"))
    del env["HORSESHOE_DATABASE_URL"]

    done = run_receive(env, email("ana@example.com", "help@horseshoe.local", "Hello"))

    assert done.returncode == 75, done.stderr.decode()  # not 1, which a pipe's mail server takes as "bounce it"
    assert "No Horseshoe database" in done.stderr.decode() and done.stdout == b""


# --- the provider webhook (POST /api/v1/integrations/mail/inbound) --------------------------------------------


@pytest.fixture
def secret(app, monkeypatch) -> str:
    monkeypatch.setattr(app.config["HORSESHOE"], "mail_inbound_secret", SECRET)
    return SECRET


def signed(raw: bytes, *, key: str = SECRET, age_s: int = 0, media: str = "message/rfc822") -> dict[str, str]:
    stamp = str(int(clock.now().timestamp()) - age_s)
    return {"Content-Type": media, "Horseshoe-Timestamp": stamp, "Horseshoe-Signature": delivery.sign(key, stamp, raw)}


def post(client, raw: bytes, headers: dict[str, str]):
    return client.post(INBOUND, data=raw, headers=headers)


def refused(response, words: str) -> bool:
    problem = response.get_json()
    return (response.status_code, response.mimetype) == (401, "application/problem+json") and words in problem["detail"]


def test_a_signed_message_from_a_provider_is_stored_and_handled(client, secret, make, run_jobs):
    asker = make.make_user(username="ana", email="ana@example.com", reputation=50)
    thread = make.make_thread(author=asker, title="Connection drops every evening")
    make.make_reply(thread, make.make_user(), "Have you tried restarting it?")
    raw = email("ana@example.com", thread_address(asker, thread.id), ANSWER)

    response = post(client, raw, signed(raw))

    assert response.status_code == 204
    [mail] = db.session.scalars(select(InboundMail)).all()
    assert (mail.channel, mail.raw) == ("api", raw)
    run_jobs()
    assert replies_by(asker.id, thread.id) == [ANSWER]


def test_unsigned_forged_stale_and_replayed_messages_are_refused(client, secret, db):
    raw = email("ana@example.com", "help@horseshoe.local", "Hello")
    assert refused(post(client, raw, {"Content-Type": "message/rfc822"}), "Horseshoe-Signature are required")
    assert refused(post(client, raw, signed(raw, key="not-the-secret")), "does not match")
    assert refused(post(client, raw, {**signed(raw), "Horseshoe-Signature": signed(b"other")["Horseshoe-Signature"]}),
                   "does not match")
    assert refused(post(client, raw, signed(raw, age_s=301)), "stale")
    assert db.session.scalar(select(func.count(InboundMail.id))) == 0

    assert post(client, raw, signed(raw)).status_code == 204
    assert refused(post(client, raw, signed(raw)), "already received")  # freshly signed, same message: a replay
    assert db.session.scalar(select(func.count(InboundMail.id))) == 1


def test_without_a_secret_the_webhook_refuses_everything(client, db):
    raw = email("ana@example.com", "help@horseshoe.local", "Hello")
    assert refused(post(client, raw, signed(raw, key="")), "HORSESHOE_MAIL_INBOUND_SECRET is not set")
    assert db.session.scalar(select(func.count(InboundMail.id))) == 0


def test_the_webhook_takes_mail_up_to_the_communitys_size_not_the_apis(client, secret, app, db):
    attachment = b"line of log\n" * 30_000  # 360 KB: above the API's usual body limit
    assert len(attachment) > app.config["MAX_CONTENT_LENGTH"]
    raw = email("ana@example.com", "help@horseshoe.local", "Logs attached.",
                attachments=[("big.log", "text/plain", attachment)])
    assert post(client, raw, signed(raw)).status_code == 204

    set_setting("mail.max_message_mb", 0.1)
    bigger = raw.replace(b"Logs attached.", b"More logs attached.")
    response = post(client, bigger, signed(bigger))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert "0.1 MB" in response.get_json()["detail"]
    assert db.session.scalar(select(func.count(InboundMail.id))) == 1


def test_the_webhook_wants_a_raw_message(client, secret, db):
    raw = email("ana@example.com", "help@horseshoe.local", "Hello")
    assert post(client, raw, signed(raw, media="application/json")).status_code == 415
    assert post(client, raw, signed(raw, media="application/octet-stream")).status_code == 204
    assert post(client, b"  \n", signed(b"  \n")).status_code == 422


def test_the_webhook_asks_the_provider_to_retry_while_the_database_is_down(tmp_path):
    app = broken_app(tmp_path, mail_inbound_secret=SECRET)
    raw = email("ana@example.com", "help@horseshoe.local", "Hello")
    with app.app_context():
        response = app.test_client().post(INBOUND, data=raw, headers=signed(raw))
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert response.mimetype == "application/problem+json"


def test_an_address_sending_bad_signatures_is_slowed_down(client, secret, db, limits_on):
    raw = email("ana@example.com", "help@horseshoe.local", "Hello")
    for _ in range(30):
        assert post(client, raw, signed(raw, key="guess")).status_code == 401
    assert post(client, raw, signed(raw, key="guess")).status_code == 429
    assert post(client, raw, signed(raw)).status_code == 429  # until the minute is over


def test_a_signed_provider_is_never_held_up_by_the_limit(client, secret, db, limits_on):
    for n in range(40):
        raw = email("ana@example.com", "help@horseshoe.local", f"Message {n}")
        assert post(client, raw, signed(raw)).status_code == 204

