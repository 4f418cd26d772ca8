"""What people see of an import: old addresses that still work, attribution, claiming an account, the command."""

from __future__ import annotations

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import select

from forum.accounts import members
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.importing import people, stackexchange
from forum.models import ImportedKind, ImportedRecord, Post, Thread, User
from tests import factories
from tests.importing.conftest import SAMPLE, SITE


def _record(kind: ImportedKind, source_id: int) -> ImportedRecord:
    return db.session.scalar(select(ImportedRecord).where(ImportedRecord.kind == kind.value,
                                                          ImportedRecord.source_id == source_id))


def test_old_question_and_answer_addresses_redirect_permanently(imported, client, sample):
    question_id = next(iter(sample.accepted))
    thread = db.session.get(Thread, _record(ImportedKind.QUESTION, question_id).thread_id)
    for path in (f"/questions/{question_id}/some-old-slug", f"/questions/{question_id}"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/t/{thread.id}/{thread.slug}")
    answer = _record(ImportedKind.ANSWER, sample.accepted[question_id])
    response = client.get(f"/a/{sample.accepted[question_id]}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{thread.id}/{thread.slug}#p{answer.post_id}")
    assert client.get("/questions/987654/nothing-here").status_code == 404
    assert client.get("/a/987654").status_code == 404


def test_thread_page_shows_each_imported_posts_source_author_and_licence(imported, client, sample):
    row = next(row for row in sample.questions if int(row["Id"]) in sample.accepted)
    author = next(user["DisplayName"] for user in sample.users if user["Id"] == row["OwnerUserId"])
    thread = db.session.get(Thread, _record(ImportedKind.QUESTION, int(row["Id"])).thread_id)
    page = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
    assert "Originally posted on" in page
    assert f'href="{SITE}/q/{row["Id"]}"' in page
    assert f"by {escape(author)}" in page
    assert row["ContentLicense"] in page
    assert f'href="{SITE}/a/{row["AcceptedAnswerId"]}"' in page  # the accepted answer's own line


def test_claim_link_sets_a_password_and_signs_in(imported, client, app):
    user = db.session.get(User, _record(ImportedKind.USER, 12).user_id)
    with app.test_request_context():
        token = people.claim_token(user)
    assert client.get(f"/claim/{token}").status_code == 200
    response = client.post(f"/claim/{token}", data={"email": "owner12@example.com",
                                                    "password": "a brand new passphrase"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    db.session.expire_all()  # the request wrote through its own session
    assert members.authenticate("owner12@example.com", "a brand new passphrase").id == user.id
    with app.test_request_context():
        notifications = url_for("notifications.index")
    assert client.get(notifications).status_code == 200  # signed in: not sent to the sign-in page
    again = client.get(f"/claim/{token}")  # the link dies once the account has a password
    assert again.status_code in (302, 303) and "/auth/login" in again.headers["Location"]


def test_claim_link_is_refused_for_accounts_made_here(imported, app):
    member = factories.make_user()
    with app.test_request_context(), pytest.raises(NotFound):
        people.claim_token(member)


def test_email_mapping_gives_accounts_their_addresses(imported, tmp_path):
    mapping = tmp_path / "emails.csv"
    mapping.write_text("id,email\n12,twelve@example.com\n999999,nobody@example.com\n31,not-an-address\n")
    result = people.apply_email_mapping(SITE, mapping)
    assert result.updated == 1
    assert len(result.problems) == 2
    user = db.session.get(User, _record(ImportedKind.USER, 12).user_id)
    assert user.email == "twelve@example.com" and user.email_verified_at is not None


def test_html_bodies_go_through_the_sanitizer(db, tmp_path):
    dump = tmp_path / "evil.stackexchange.com"
    dump.mkdir()
    (dump / "Users.xml").write_text('<?xml version="1.0" encoding="utf-8"?><users>'
                                    '<row Id="5" DisplayName="Mallory" CreationDate="2019-01-01T00:00:00.000"/>'
                                    '</users>')
    body = ('&lt;p onclick=&quot;steal()&quot;&gt;Hello&lt;script&gt;alert(1)&lt;/script&gt;'
            '&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt;&lt;/p&gt;')
    (dump / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><posts>'
        f'<row Id="1" PostTypeId="1" CreationDate="2019-01-02T00:00:00.000" Body="{body}" OwnerUserId="5" '
        'Title="A question with a script in it" Tags="&lt;meta&gt;" ContentLicense="CC BY-SA 4.0"/></posts>')
    summary = stackexchange.import_dump(dump, "https://evil.stackexchange.com")
    assert summary.added["questions"] == 1
    post = db.session.scalar(select(Post).join(ImportedRecord, ImportedRecord.post_id == Post.id)
                             .where(ImportedRecord.source == "https://evil.stackexchange.com"))
    assert "Hello" in post.body_html
    for unsafe in ("<script", "onclick", "javascript:"):
        assert unsafe not in post.body_html and unsafe not in post.body


def test_command_imports_with_a_summary_and_resumes(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "stackexchange", str(SAMPLE),
                                 "--site-url", "conlang.meta.stackexchange.com"])
    assert result.exit_code == 0, result.output
    assert "questions: 54 added" in result.output
    assert "comments: 230 added" in result.output
    again = runner.invoke(args=["import", "stackexchange", str(SAMPLE), "--site-url", SITE])
    assert "questions: 0 added, 54 skipped" in again.output
