"""Self-service data export (issue 20): ask on the privacy page or the API, the worker builds a ZIP with
progress, the member is told in-app and by email, only they can download it, and it is gone after 48 hours."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from forum import cases, uploads
from forum.accounts import data_export, export_archive, members
from forum.core import clock, job_registry
from forum.core.extensions import db
from forum.models import DataExport, Job, JobStatus, Notification, NotificationKind
from forum.services import qa, subscriptions
from tests import factories
from tests.uploads.conftest import s3_server, s3_settings, store  # noqa: F401  # fixtures: both blob stores

UPLOAD_BYTES = b"2026-11-19 21:04 link down\n2026-11-19 21:05 link up\n"


@pytest.fixture
def member(make):
    return make.make_user(username="ada", display_name="Ada Lovelace", time_zone="Europe/Paris")


@pytest.fixture
def history(make, member):
    """A member with something in every section, among other people's data that must stay out."""
    other = make.make_user(username="bob", email="bob.private@example.com")
    agent = make.make_user(role="agent", username="agentsmith")
    thread = make.make_thread(author=member, title="Router drops every evening",
                              body="My router drops the link at 9 pm. QUESTION-TEXT")
    answer = make.make_reply(thread, author=other, body="Try channel 6, it helped me.")
    mine = make.make_reply(thread, author=member, body="Channel 6 works, thanks! REPLY-TEXT")
    elsewhere = make.make_thread(author=other, title="Printer offline")
    qa.vote_helpful(member, answer)
    qa.vote_helpful(other, mine)
    case, _ = cases.escalate_thread(member, thread, "Still dropping")
    cases.post_message(agent, case, "We are checking the line. CUSTOMER-VISIBLE", "customer")
    cases.post_message(agent, case, "INTERNAL-NOTE: looks like a faulty modem batch", "internal")
    cases.post_message(member, case, "Thanks, I will wait. FROM-MEMBER", "customer")
    upload = uploads.store_stream(member, io.BytesIO(UPLOAD_BYTES), "router.log", "text/plain")
    factories.session_key_for(member)
    db.session.commit()
    return {"other": other, "thread": thread, "mine": mine, "answer": answer, "elsewhere": elsewhere,
            "case": case, "upload": upload}


def other_client(app: Flask, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = factories.session_key_for(user)
        sess["_fresh"] = True
    return client


def open_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def latest(user) -> DataExport:
    return db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)
                              .order_by(DataExport.id.desc())).first()


def build_everything(run_jobs) -> None:
    run_jobs()
    db.session.expire_all()


# ---- the privacy page -------------------------------------------------------------------------------------------


def test_a_member_requests_their_data_on_the_privacy_page_and_downloads_the_zip(login_as, member, history, run_jobs):
    client = login_as(member)
    page = client.get("/settings/privacy")
    assert page.status_code == 200 and "Download your data" in page.text
    assert "Request my data" in page.text and "<progress" not in page.text

    requested = client.post("/settings/privacy/export")
    assert requested.status_code == 302 and requested.headers["Location"].endswith("/settings/privacy")
    pending = client.get("/settings/privacy").text
    assert re.search(r'<progress id="export-progress" max="100" value="0">', pending)
    assert '<meta http-equiv="refresh"' in pending  # it shows progress without any script

    build_everything(run_jobs)
    export = latest(member)
    ready = client.get("/settings/privacy").text
    link = f"/settings/privacy/export/{export.id}/download"
    assert f'href="{link}"' in ready and "<progress" not in ready and "http-equiv" not in ready
    assert "available until 22 November 2026, 10:00 Europe/Paris" in ready  # 48 h on, in the member's time zone

    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "posts/" in " ".join(open_zip(download).namelist())


def test_the_archive_holds_the_members_own_data(login_as, member, history, run_jobs):
    client = login_as(member)
    client.post("/settings/privacy/export")
    build_everything(run_jobs)
    archive = open_zip(client.get(data_export.download_path(latest(member))))
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "settings.json", "votes.json", "reputation.json", "notifications.json",
            "cases.json", "uploads.json", "sessions.json"} <= names

    thread = history["thread"]
    posts = archive.read(f"posts/{thread.id}-{thread.slug}.md").decode()
    assert posts.startswith("# Router drops every evening")
    assert "QUESTION-TEXT" in posts and "REPLY-TEXT" in posts
    assert "- Posted: 2026-11-20T09:00:00Z" in posts and "- Visibility: public" in posts
    assert "Try channel 6" not in posts  # other people's replies are theirs
    assert not any(name.startswith(f"posts/{history['elsewhere'].id}-") for name in names)

    assert read_json(archive, "votes.json") == [
        {"post_id": history["answer"].id, "thread_id": thread.id, "created_at": "2026-11-20T09:00:00Z"}]
    ledger = read_json(archive, "reputation.json")
    assert ledger and {row["post_id"] for row in ledger} == {history["mine"].id}
    assert all("actor" not in json.dumps(row) for row in ledger)  # who voted stays the voter's business
    kinds = {row["kind"] for row in read_json(archive, "notifications.json")}
    assert NotificationKind.VOTES.value in kinds

    settings = read_json(archive, "settings.json")
    assert settings["time_zone"] == "Europe/Paris" and settings["email_frequency"] == "immediately"
    profile = read_json(archive, "profile.json")
    assert profile["email"] == "ada@example.com" and profile["display_name"] == "Ada Lovelace"
    assert read_json(archive, "sessions.json")[0]["ip_address"] == "127.0.0.1"

    uploaded = read_json(archive, "uploads.json")
    assert [entry["filename"] for entry in uploaded] == ["router.log"]
    assert archive.read(uploaded[0]["file"]) == UPLOAD_BYTES


def test_case_messages_meant_for_the_customer_are_in_but_internal_notes_never(login_as, member, history, run_jobs):
    client = login_as(member)
    client.post("/settings/privacy/export")
    build_everything(run_jobs)
    archive = open_zip(client.get(data_export.download_path(latest(member))))
    (case,) = read_json(archive, "cases.json")
    bodies = [message["body"] for message in case["messages"]]
    assert any("CUSTOMER-VISIBLE" in body for body in bodies) and any("FROM-MEMBER" in body for body in bodies)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"INTERNAL-NOTE" not in everything
    assert b"bob.private@example.com" not in everything  # nobody else's email address
    assert b"password" not in read_json_bytes(archive, "profile.json")


def read_json_bytes(archive: zipfile.ZipFile, name: str) -> bytes:
    return archive.read(name).lower()


def test_progress_shows_on_the_page_while_the_archive_is_being_built(login_as, member, history, run_jobs,
                                                                      monkeypatch):
    client = login_as(member)
    client.post("/settings/privacy/export")
    seen: list[str] = []
    sections = list(export_archive.SECTIONS)
    middle = len(sections) // 2
    sections.insert(middle, ("peek", lambda _archive, _user: seen.append(client.get("/settings/privacy").text)))
    monkeypatch.setattr(export_archive, "SECTIONS", sections)
    build_everything(run_jobs)
    expected = middle * 100 // len(sections)
    assert expected > 0
    assert f'<progress id="export-progress" max="100" value="{expected}">' in seen[0]
    assert f"{expected}% done" in seen[0]
    assert data_export.status_of(latest(member)) == "ready"


def exports_of(user) -> int:
    return db.session.scalar(select(db.func.count(DataExport.id)).where(DataExport.user_id == user.id))


def test_a_second_request_while_one_is_pending_gives_the_pending_one(login_as, member, run_jobs, clock_at):
    client = login_as(member)
    client.post("/settings/privacy/export")
    client.post("/settings/privacy/export")
    assert exports_of(member) == 1
    jobs = db.session.scalars(select(Job).where(Job.name == data_export.BUILD_JOB)).all()
    assert len(jobs) == 1
    build_everything(run_jobs)
    clock_at.advance(hours=24)
    client.post("/settings/privacy/export")  # a day on, a new request makes a fresh archive
    assert exports_of(member) == 2


def test_a_pending_export_whose_build_died_is_built_when_asked_again(login_as, member, run_jobs):
    """A worker killed on every attempt leaves the job dead: asking again must not answer "pending" forever."""
    client = login_as(member)
    client.post("/settings/privacy/export")
    db.session.execute(db.update(Job).where(Job.name == data_export.BUILD_JOB).values(status=JobStatus.DEAD.value))
    db.session.commit()
    client.post("/settings/privacy/export")
    assert exports_of(member) == 1  # the same export, queued again
    build_everything(run_jobs)
    assert latest(member).status == "ready"


def test_at_most_one_new_archive_a_day_while_the_last_one_is_ready(login_as, api_client, member, run_jobs, clock_at):
    client = login_as(member)
    client.post("/settings/privacy/export")
    build_everything(run_jobs)
    ready = latest(member)
    clock_at.advance(hours=23, minutes=59)
    again = client.post("/settings/privacy/export", follow_redirects=True)
    assert "so we did not make another one" in again.text and "21 November 2026, 10:00 Europe/Paris" in again.text
    assert f'href="/settings/privacy/export/{ready.id}/download"' in again.text
    answer = api_client(member).post("/api/v1/me/export")
    assert answer.status_code == 202 and answer.json["id"] == ready.id and answer.json["status"] == "ready"
    assert answer.json["url"] and "2026-11-21T09:00:00Z" in answer.json["detail"]
    assert exports_of(member) == 1 and db.session.scalar(
        select(db.func.count(Job.id)).where(Job.name == data_export.BUILD_JOB, Job.status == JobStatus.QUEUED.value)
    ) == 0

    clock_at.advance(minutes=1)
    fresh = api_client(member).post("/api/v1/me/export")
    assert fresh.status_code == 202 and fresh.json["status"] == "pending" and "detail" not in fresh.json
    assert exports_of(member) == 2


def test_the_member_is_told_in_app_and_by_email_with_a_working_link(app, login_as, member, run_jobs, smtp_server):
    client = login_as(member)
    client.post("/settings/privacy/export")
    build_everything(run_jobs)
    notification = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert notification.kind == NotificationKind.DATA_EXPORT.value
    assert "Your data export is ready" in client.get("/notifications").text

    (mail,) = smtp_server.messages
    assert mail["To"] == member.email and "data export is ready" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://localhost(/settings/privacy/export/\d+/download)", text).group(1)
    assert "22 November 2026, 10:00 Europe/Paris" in text
    assert client.get(link).status_code == 200


def test_only_the_owner_can_download(app, client, make, member, run_jobs):
    factories.session_key_for(member)
    export = data_export.request_export(member)
    build_everything(run_jobs)
    link = data_export.download_path(export)

    stranger = other_client(app, make.make_user())
    refused = stranger.get(link)
    assert refused.status_code == 404 and b"PK" not in refused.get_data()[:2]
    admin = other_client(app, make.make_user(role="admin"))
    assert admin.get(link).status_code == 404

    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_after_48_hours_the_export_is_expired_and_the_sweep_deletes_the_file(login_as, member, run_jobs, clock_at):
    client = login_as(member)
    client.post("/settings/privacy/export")
    build_everything(run_jobs)
    export = latest(member)
    path = data_export.exports_dir() / export.file_name
    assert path.is_file()

    clock_at.advance(hours=47, minutes=59)
    assert client.get(data_export.download_path(export)).status_code == 200
    clock_at.advance(minutes=1)
    gone = client.get(data_export.download_path(export))
    assert gone.status_code == 410 and "expired" in gone.text and "request a new one" in gone.text
    assert "Your last archive expired on 22 November 2026, 10:00 Europe/Paris" in client.get("/settings/privacy").text

    swept = job_registry.handler_for(data_export.SWEEP_JOB)({})
    assert swept["expired"] == 1 and not path.exists()
    db.session.expire_all()
    assert latest(member).status == "expired" and latest(member).file_name is None
    assert client.get(data_export.download_path(export)).status_code == 410


def test_the_sweep_removes_debris_of_crashed_builds_but_not_live_archives(member, run_jobs, clock_at):
    export = data_export.request_export(member)
    build_everything(run_jobs)
    folder = data_export.exports_dir()
    debris = folder / ".partial-crashed.zip"
    debris.write_bytes(b"half an archive")
    old = (clock_at.now - timedelta(days=2)).timestamp()
    os.utime(debris, (old, old))
    os.utime(folder / export.file_name, (old, old))  # old on disk, but a live export names it
    data_export.sweep_exports()
    assert not debris.exists() and (folder / export.file_name).is_file()


def test_a_suspended_member_can_request_and_download_their_data(login_as, member, run_jobs, clock_at):
    member.suspended_until = clock_at.now + timedelta(days=30)
    db.session.commit()
    client = login_as(member)
    assert client.post("/settings/privacy/export").status_code == 302
    build_everything(run_jobs)
    assert client.get(data_export.download_path(latest(member))).status_code == 200


def test_an_unconfirmed_member_can_request_their_data(login_as, make, run_jobs):
    unconfirmed = make.make_user(verified=False)
    client = login_as(unconfirmed)
    assert client.post("/settings/privacy/export").status_code == 302
    build_everything(run_jobs)
    assert latest(unconfirmed).status == "ready"


def test_a_failed_build_says_so_and_is_retried_with_backoff(login_as, member, run_jobs, clock_at, monkeypatch):
    client = login_as(member)
    client.post("/settings/privacy/export")
    sections = list(export_archive.SECTIONS)

    def broken(_archive, _user):
        raise OSError("disk full")

    monkeypatch.setattr(export_archive, "SECTIONS", [*sections[:3], ("broken", broken), *sections[3:]])
    build_everything(run_jobs)
    export = latest(member)
    assert export.status == "failed"
    assert "Building your archive failed" in client.get("/settings/privacy").text
    job = db.session.scalar(select(Job).where(Job.name == data_export.BUILD_JOB))
    assert job.status == JobStatus.QUEUED.value and job.run_at > clock_at.now and "disk full" in job.last_error
    assert not any(data_export.exports_dir().glob(".partial-*"))

    monkeypatch.setattr(export_archive, "SECTIONS", sections)
    clock_at.advance(hours=1)
    build_everything(run_jobs)
    assert latest(member).status == "ready" and latest(member).id == export.id


def test_uploads_are_read_from_the_blob_store_on_disk_and_in_s3(member, run_jobs, store):  # noqa: F811
    uploads.store_stream(member, io.BytesIO(UPLOAD_BYTES), "router.log", "text/plain")
    db.session.commit()
    export = data_export.request_export(member)
    build_everything(run_jobs)
    archive = zipfile.ZipFile(data_export.exports_dir() / export.file_name)
    (entry,) = read_json(archive, "uploads.json")
    assert archive.read(entry["file"]) == UPLOAD_BYTES


def file_upload(user, content: bytes, name: str):
    return uploads.store_stream(user, io.BytesIO(content), name, "text/plain")


def archive_of(user, run_jobs) -> zipfile.ZipFile:
    export = data_export.request_export(user)
    build_everything(run_jobs)
    return zipfile.ZipFile(data_export.exports_dir() / db.session.get(DataExport, export.id).file_name)


def exported_files(archive: zipfile.ZipFile) -> dict[bytes, str]:
    """Each file's bytes in uploads/, with its "from" in uploads.json."""
    return {archive.read(entry["file"]): entry.get("from") for entry in read_json(archive, "uploads.json")
            if entry["file"]}


def test_an_agents_archive_holds_no_file_from_other_customers_cases(make, run_jobs):
    customer = make.make_user(username="carol")
    agent = make.make_user(role="agent", username="agentx")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer, title="Billing wrong"), "help")
    note = file_upload(agent, b"CAROLS-ACCOUNT-FOR-STAFF", "carol-account.txt")
    cases.post_message(agent, case, "INTERNAL: see attached", "internal", [note.id])
    answer = file_upload(agent, b"CAROLS-INVOICE", "invoice.txt")
    cases.post_message(agent, case, "Here is your corrected invoice", "customer", [answer.id])
    on_post = file_upload(agent, b"ON-MY-POST", "mine.txt")
    thread = make.make_thread(author=agent, title="How I reset a modem")
    uploads.attach(on_post, post=make.make_reply(thread, author=agent, body="The log of my last reset"))
    gone = file_upload(agent, b"ON-MY-DELETED-POST", "deleted.txt")
    deleted = make.make_reply(thread, author=agent, body="An answer I took back")
    uploads.attach(gone, post=deleted)
    file_upload(agent, b"NOT-USED-YET", "draft.txt")
    picture = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(picture, "PNG")
    picture.seek(0)
    uploads.set_avatar_from_stream(agent, picture, "me.png")
    members.set_role(make.make_user(role="admin"), agent, "member")  # later a member again, or not: the same
    deleted.deleted_at = clock.now()
    db.session.commit()

    files = exported_files(archive_of(agent, run_jobs))
    assert b"CAROLS-ACCOUNT-FOR-STAFF" not in files and b"CAROLS-INVOICE" not in files
    assert b"ON-MY-DELETED-POST" not in files  # what they can no longer see is not theirs to take
    assert files[b"ON-MY-POST"] == "you" and files[b"NOT-USED-YET"] == "you"
    assert any(content.startswith(b"\x89PNG") for content in files)  # their picture


def test_a_customers_archive_holds_the_files_support_sent_them_but_no_internal_one(make, member, run_jobs):
    agent = make.make_user(role="agent", username="agenty")
    case, _ = cases.escalate_thread(member, make.make_thread(author=member, title="Router drops"), "help")
    sent = file_upload(agent, b"FIRMWARE-FOR-ADA", "firmware.txt")
    cases.post_message(agent, case, "Please install this", "customer", [sent.id])
    note = file_upload(agent, b"STAFF-ONLY-LOG", "log.txt")
    cases.post_message(agent, case, "INTERNAL: line test", "internal", [note.id])
    mine = file_upload(member, b"ADAS-SCREENSHOT", "screen.txt")
    cases.post_message(member, case, "Here is what I see", "customer", [mine.id])
    db.session.commit()

    files = exported_files(archive_of(member, run_jobs))
    assert files == {b"FIRMWARE-FOR-ADA": "support", b"ADAS-SCREENSHOT": "you"}


def test_follows_are_in_the_settings_and_helpful_votes_name_no_voter(member, history, run_jobs, make):
    category = make.make_category(name="Routers")
    subscriptions.watch(member, category)
    subscriptions.mute(member, history["elsewhere"])
    archive = archive_of(member, run_jobs)
    follows = read_json(archive, "settings.json")["follows"]
    assert {"category_id": category.id, "category": "Routers", "muted": False,
            "since": "2026-11-20T09:00:00Z"} in follows
    assert {"thread_id": history["elsewhere"].id, "thread_title": "Printer offline", "muted": True,
            "since": "2026-11-20T09:00:00Z"} in follows
    assert any(entry.get("thread_id") == history["thread"].id and not entry["muted"] for entry in follows)

    (voted,) = [row for row in read_json(archive, "notifications.json") if row["kind"] == NotificationKind.VOTES]
    assert voted["from"] is None and voted["message"] == "" and voted["post_id"] == history["mine"].id
    assert "bob" not in json.dumps(voted)


def test_an_empty_section_is_an_empty_list(member, run_jobs):
    archive = archive_of(member, run_jobs)
    for name in ("votes.json", "reputation.json", "notifications.json", "cases.json"):
        assert read_json(archive, name) == []


def test_two_builds_of_one_export_at_once_publish_one_archive_and_tell_once(member, run_jobs, monkeypatch):
    """A retried job starting while the first run still works (or a new request's job beside a retry)."""
    export = data_export.request_export(member)
    folder = data_export.exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    sections, raced = list(export_archive.SECTIONS), []

    def second_build(_archive, _user):
        if not raced:
            raced.append(True)
            data_export.build_export({"export_id": export.id})

    monkeypatch.setattr(export_archive, "SECTIONS", [*sections[:2], ("race", second_build), *sections[2:]])
    build_everything(run_jobs)
    assert latest(member).status == "ready"
    told = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).all()
    assert len(told) == 1
    assert set(folder.iterdir()) - before == {folder / latest(member).file_name}  # no second or partial file


def test_an_archive_whose_publishing_fails_is_deleted(member, run_jobs, monkeypatch):
    export = data_export.request_export(member)
    folder = data_export.exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())

    def mail_down(*_args, **_kwargs):
        raise OSError("mail queue unavailable")

    monkeypatch.setattr(data_export, "queue_email", mail_down)
    build_everything(run_jobs)
    assert db.session.get(DataExport, export.id).status == "failed"
    assert set(folder.iterdir()) == before


# ---- the API ----------------------------------------------------------------------------------------------------


def test_the_api_requests_reports_and_serves_the_export(api_client, member, history, run_jobs):
    api = api_client(member)
    assert api.get("/api/v1/me/export").status_code == 404
    assert api.get("/api/v1/me/export").mimetype == "application/problem+json"

    first = api.post("/api/v1/me/export")
    assert first.status_code == 202 and first.json["status"] == "pending" and first.json["url"] is None
    again = api.post("/api/v1/me/export", json={})
    assert again.status_code == 202 and again.json["id"] == first.json["id"]
    assert api.get("/api/v1/me/export").json["status"] == "pending"

    build_everything(run_jobs)
    shown = api.get("/api/v1/me/export").json
    assert shown["status"] == "ready" and shown["progress"] == 100
    assert shown["expires_at"] == "2026-11-22T09:00:00Z"
    assert shown["download_url"] == f"/settings/privacy/export/{shown['id']}/download"
    archive = api.get(shown["url"])  # with the bearer token: no browser session needed
    assert archive.status_code == 200 and archive.headers["Cache-Control"] == "private, no-store"
    assert f"posts/{history['thread'].id}-{history['thread'].slug}.md" in open_zip(archive).namelist()


def test_the_api_archive_is_the_owners_only_and_expires(api_client, make, member, run_jobs, clock_at):
    api_client(member).post("/api/v1/me/export")
    build_everything(run_jobs)
    url = api_client(member).get("/api/v1/me/export").json["url"]
    stranger = api_client(make.make_user()).get(url)
    assert stranger.status_code == 404 and stranger.mimetype == "application/problem+json"
    assert api_client().get(url).status_code == 401

    clock_at.advance(hours=48)
    shown = api_client(member).get("/api/v1/me/export").json
    assert shown["status"] == "expired" and shown["url"] is None
    assert api_client(member).get(url).status_code == 410


def test_the_api_export_works_while_suspended(api_client, member, run_jobs, clock_at):
    api = api_client(member)
    member.suspended_until = clock_at.now + timedelta(days=30)
    db.session.commit()
    assert api.post("/api/v1/me/export").status_code == 202
    assert api.post("/api/v1/threads", json={}).status_code == 403  # still suspended for taking part
    build_everything(run_jobs)
    assert api.get("/api/v1/me/export").json["status"] == "ready"


def test_the_api_refuses_a_body_that_is_not_json(api_client, member):
    answer = api_client(member).post("/api/v1/me/export", data="hello", content_type="text/plain")
    assert answer.status_code == 415
    assert db.session.scalar(select(DataExport.id).where(DataExport.user_id == member.id)) is None


def test_signed_out_callers_are_sent_to_sign_in_or_refused(client):
    page = client.get("/settings/privacy")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    assert client.post("/api/v1/me/export").status_code == 401
    assert client.get("/api/v1/me/export").status_code == 401


def test_an_erased_account_leaves_no_archive_behind(member, run_jobs):
    export = data_export.request_export(member)
    build_everything(run_jobs)
    path = data_export.exports_dir() / export.file_name
    assert data_export.discard_exports(member) == 1
    db.session.commit()
    assert not path.exists() and latest(member) is None
