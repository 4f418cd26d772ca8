"""Posting an idea: it lands in an ideas category with status new, and questions stay out of ideas categories."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.errors import Invalid
from forum.ideas import NewIdea, post_idea
from forum.models import IDEA_KIND, Idea, IdeaStatus, Subscription
from forum.services import posting


def test_a_posted_idea_is_a_thread_of_kind_idea_with_status_new_watched_by_its_author(db, idea, idea_author):
    assert idea.thread.kind == IDEA_KIND
    assert idea.status == IdeaStatus.NEW.value and idea.vote_count == 0
    assert idea.thread_id == idea.thread.id
    watch = db.session.scalar(select(Subscription).where(Subscription.user_id == idea_author.id,
                                                         Subscription.thread_id == idea.thread_id))
    assert watch is not None and not watch.muted


def test_an_idea_in_a_threads_category_is_refused(make):
    category = make.make_category()
    with pytest.raises(Invalid) as refused:
        post_idea(make.make_user(), NewIdea(category.id, "Export invoices as CSV", "Please add it."))
    assert "category_id" in refused.value.errors


def test_a_question_in_an_ideas_category_is_refused_and_nothing_is_stored(db, make, ideas_category):
    before = db.session.query(Idea).count()
    with pytest.raises(Invalid) as refused:
        posting.start_thread(make.make_user(), posting.NewThread(ideas_category.id, "How do I export invoices?",
                                                                 "Where is the button?"))
    assert "category_id" in refused.value.errors
    db.session.rollback()
    assert db.session.query(Idea).count() == before


def test_start_thread_never_makes_an_idea_from_its_kind_field(make, ideas_category):
    with pytest.raises(Invalid) as refused:
        posting.start_thread(make.make_user(), posting.NewThread(make.make_category().id, "Export invoices as CSV",
                                                                 "Please add it.", kind="idea"))
    assert "kind" in refused.value.errors
