"""Importing the real conlang.meta sample: what lands matches the files, twice adds nothing, a stop resumes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.importing import stackexchange
from forum.models import ImportedKind, ImportedRecord, LedgerReason, Post, ReputationEvent, Thread, User
from forum.recognition import upkeep
from tests.importing.conftest import SAMPLE, SITE


def _records(kind: ImportedKind) -> dict[int, ImportedRecord]:
    return {record.source_id: record for record in db.session.scalars(
        select(ImportedRecord).where(ImportedRecord.source == SITE, ImportedRecord.kind == kind.value))}


def _state() -> dict[str, object]:
    """Everything an import writes that a reader would notice, to compare two databases' imports."""
    threads = db.session.scalars(select(Thread).order_by(Thread.id)).all()
    return {
        "threads": [(t.title, t.reply_count, t.status, t.vote_count, t.accepted_post_id is not None,
                     t.duplicate_of_id is not None, sorted(tag.name for tag in t.tags)) for t in threads],
        "posts": db.session.scalar(select(func.count(Post.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "records": db.session.scalar(select(func.count(ImportedRecord.id))),
        "ledger": db.session.execute(select(func.count(ReputationEvent.id), func.sum(ReputationEvent.delta))).one(),
        "reputation": db.session.scalar(select(func.sum(User.reputation))),
    }


def test_questions_answers_comments_and_users_match_the_files(imported, sample):
    assert len(_records(ImportedKind.QUESTION)) == len(sample.questions) == 54
    assert len(_records(ImportedKind.ANSWER)) == len(sample.answers) == 115
    assert len(_records(ImportedKind.COMMENT)) == len(sample.comments) == 230
    assert len(_records(ImportedKind.USER)) == len(sample.users) + 1  # and the stand-in for deleted accounts
    threads = db.session.scalars(select(Thread).join(ImportedRecord, ImportedRecord.thread_id == Thread.id)
                                 .where(ImportedRecord.kind == "question")).all()
    assert sum(thread.reply_count for thread in threads) == 115 + 230
    first = min(sample.questions, key=lambda row: int(row["Id"]))
    thread = db.session.get(Thread, _records(ImportedKind.QUESTION)[int(first["Id"])].thread_id)
    assert thread.title == first["Title"]
    assert thread.created_at.isoformat().startswith(first["CreationDate"][:19])  # its own date, not the import's
    assert imported.added["questions"] == 54


def test_imported_accounts_have_no_password_and_no_real_email(imported, sample):
    row = next(row for row in sample.users if row["Id"] == "12")
    user = db.session.get(User, _records(ImportedKind.USER)[12].user_id)
    assert user.display_name == row["DisplayName"]
    assert user.password_hash == "!no-password"
    assert user.email.endswith("@import.invalid")


def test_accepted_answers_are_the_solutions(imported, sample):
    questions, answers = _records(ImportedKind.QUESTION), _records(ImportedKind.ANSWER)
    assert len(sample.accepted) == 11
    for question_id, answer_id in sample.accepted.items():
        thread = db.session.get(Thread, questions[question_id].thread_id)
        assert thread.accepted_post_id == answers[answer_id].post_id


def test_each_posts_upvotes_are_its_score_and_one_ledger_row(imported, sample):
    records = {**_records(ImportedKind.QUESTION), **_records(ImportedKind.ANSWER)}
    for source_id, record in records.items():
        assert db.session.get(Post, record.post_id).vote_count == sample.upvotes.get(source_id, 0)
    rows = db.session.scalars(select(ReputationEvent).where(
        ReputationEvent.reason == LedgerReason.IMPORTED_SCORE.value)).all()
    scored = {record.post_id for source_id, record in records.items() if sample.upvotes.get(source_id)}
    assert sorted(row.post_id for row in rows) == sorted(scored)
    answer = max(_records(ImportedKind.ANSWER).items(), key=lambda item: sample.upvotes.get(item[0], 0))
    row = next(row for row in rows if row.post_id == answer[1].post_id)
    assert row.delta == 10 * sample.upvotes[answer[0]]  # a reply's helpful-vote points per upvote
    assert upkeep.recompute_totals(fix=False) == []  # every total equals its ledger


def test_duplicate_link_is_the_duplicate_relation_and_others_a_link_line(imported, sample):
    questions = _records(ImportedKind.QUESTION)
    duplicate = next(row for row in sample.links if row["LinkTypeId"] == "3")
    thread = db.session.get(Thread, questions[int(duplicate["PostId"])].thread_id)
    assert thread.duplicate_of_id == questions[int(duplicate["RelatedPostId"])].thread_id
    assert thread.status == "closed"
    linked = next(row for row in sample.links if row["LinkTypeId"] == "1")
    target = db.session.get(Thread, questions[int(linked["RelatedPostId"])].thread_id)
    post = db.session.get(Post, questions[int(linked["PostId"])].post_id)
    assert f'href="/t/{target.id}/{target.slug}"' in post.body_html
    assert "Linked:" in post.body_html


def test_running_twice_adds_nothing(imported):
    before = _state()
    again = stackexchange.import_dump(SAMPLE, SITE)
    assert sum(again.added.values()) == 0
    assert again.skipped["questions"] == 54 and again.skipped["comments"] == 230
    assert _state() == before


def test_an_interrupted_import_resumes_to_the_same_result(db):
    with pytest.raises(stackexchange.Interrupted):
        stackexchange.import_dump(SAMPLE, SITE, batch_size=40, stop_after_batches=7)
    halfway = db.session.scalar(select(func.count(ImportedRecord.id)))
    assert 0 < halfway < 600
    stackexchange.import_dump(SAMPLE, SITE, batch_size=40)
    resumed = _state()
    for table in (ReputationEvent, ImportedRecord, Post, Thread):  # start over, uninterrupted, and compare
        db.session.execute(table.__table__.delete())
    db.session.execute(User.__table__.delete())
    db.session.commit()
    stackexchange.import_dump(SAMPLE, SITE, batch_size=40)
    assert _state() == resumed
