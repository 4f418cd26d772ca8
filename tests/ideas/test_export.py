"""A member's data export holds their ideas (with status and the team's note) and their idea votes (open or given
back), and names an idea they voted for only while they may still read it."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from forum.accounts import data_export
from forum.core.extensions import db
from forum.ideas import voting
from forum.ideas.status import change_status
from forum.models import DataExport, Post
from forum.services import moderation_state


def _archive(user, run_jobs) -> zipfile.ZipFile:
    export = data_export.request_export(user)
    run_jobs()
    return zipfile.ZipFile(data_export.exports_dir() / db.session.get(DataExport, export.id).file_name)


def _read(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_the_archive_holds_the_members_ideas_with_their_status(make, idea, idea_author, staff, run_jobs):
    change_status(staff, idea, "planned", note="We start in May.")
    archive = _archive(idea_author, run_jobs)
    assert {"ideas.json", "idea_votes.json"} <= set(archive.namelist())
    [exported] = _read(archive, "ideas.json")
    assert {key: exported[key] for key in ("id", "title", "status", "status_note", "vote_count", "deleted")} == {
        "id": idea.thread_id, "title": "Export invoices as CSV", "status": "planned",
        "status_note": "We start in May.", "vote_count": 0, "deleted": False}
    assert exported["created_at"].endswith("Z") and exported["status_changed_at"].endswith("Z")
    assert _read(archive, "idea_votes.json") == []
    assert "idea_votes.json" in archive.read("README.txt").decode()


def test_the_archive_holds_the_members_votes_open_and_given_back(make, idea, ideas_category, staff, run_jobs):
    voter = make.make_user()
    other = make.make_idea(category=ideas_category, title="Dark mode")
    voting.vote(voter, idea)
    voting.vote(voter, other)
    change_status(staff, idea, "shipped")
    archive = _archive(voter, run_jobs)
    votes = {vote["idea_id"]: vote for vote in _read(archive, "idea_votes.json")}
    assert set(votes) == {idea.thread_id, other.thread_id}
    assert votes[idea.thread_id]["title"] == "Export invoices as CSV" and votes[idea.thread_id]["released_at"]
    assert votes[other.thread_id]["title"] == "Dark mode" and votes[other.thread_id]["released_at"] is None
    assert _read(archive, "ideas.json") == []  # they posted none


def test_an_idea_the_voter_can_no_longer_read_is_listed_without_its_title(make, idea, staff, run_jobs):
    voter = make.make_user()
    voting.vote(voter, idea)
    question = db.session.scalars(select(Post).where(Post.thread_id == idea.thread_id, Post.is_question)).one()
    moderation_state.hide_post(question, staff, "spam")
    db.session.commit()
    [vote] = _read(_archive(voter, run_jobs), "idea_votes.json")
    assert (vote["idea_id"], vote["title"]) == (idea.thread_id, None)
