"""Threads that link to an article: found in public posts, new or edited, by the periodic job (late runs
included) and by the backfill; hidden and deleted posts, other sites and code blocks are not links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core import outbox
from forum.core.extensions import db
from forum.knowledge import links, stats
from forum.models import Article, ArticleLink, ArticleStatus, Post, User
from forum.services import moderation_state, posting


@pytest.fixture
def article(make_article) -> Article:
    return make_article(status=ArticleStatus.PUBLISHED, title="Fix evening connection drops")


@pytest.fixture
def writer(make) -> User:
    """A member whose links are published at once (reputation past the links privilege)."""
    return make.make_user(username="wes", reputation=100)


def _linked(article: Article) -> set[int]:
    return set(db.session.scalars(select(ArticleLink.thread_id).where(ArticleLink.article_id == article.id)))


def _run_job() -> int:
    """One run of knowledge.find_links as the worker makes it: queued, claimed, run, finished (the record the
    next run starts from)."""
    outbox.enqueue(links.FIND_JOB, {})
    db.session.commit()
    job = outbox.claim_next({links.FIND_JOB})
    found = links.find_links({})
    outbox.finish(job)
    return found


def test_a_new_reply_linking_to_the_article_is_found(make, article, writer):
    thread = make.make_thread(title="Evening drops again")
    make.make_reply(thread, author=writer, body=f"This is answered in [the article](/kb/{article.id}/{article.slug}).")
    other = make.make_thread(author=writer, title="Another evening drop",
                             body=f"Following http://localhost/kb/{article.id} did not help me.")

    assert _run_job() == 2
    assert _linked(article) == {thread.id, other.id}


def test_an_old_post_edited_to_link_to_the_article_is_found(make, article, writer, clock_at):
    thread = make.make_thread(title="Evening drops again")
    reply = make.make_reply(thread, author=writer, body="Try channel 11.")
    clock_at.advance(days=30)
    _run_job()
    assert _linked(article) == set()

    clock_at.advance(days=3)
    posting.edit_post(writer, reply, f"Try channel 11, as [the article](/kb/{article.id}) says.")
    clock_at.advance(minutes=10)
    _run_job()
    assert _linked(article) == {thread.id}


def test_a_run_after_the_worker_was_away_for_days_still_finds_the_posts_of_those_days(make, article, writer,
                                                                                      clock_at):
    _run_job()
    clock_at.advance(days=1)
    thread = make.make_thread(author=writer, title="Evening drops", body=f"See [it](/kb/{article.id}).")
    clock_at.advance(days=2)
    _run_job()
    assert _linked(article) == {thread.id}


def test_hidden_and_deleted_posts_are_not_links(make, article, writer, staff):
    hidden_thread = make.make_thread(title="Hidden link thread")
    hidden = make.make_reply(hidden_thread, author=writer, body=f"[Read this](/kb/{article.id})")
    moderation_state.hide_post(hidden, staff, "Off topic.")
    db.session.commit()
    deleted_thread = make.make_thread(title="Deleted link thread")
    deleted = make.make_reply(deleted_thread, author=writer, body=f"[Read this](/kb/{article.id})")
    posting.delete_post(writer, deleted)

    _run_job()
    assert _linked(article) == set()


def test_code_blocks_other_sites_and_missing_articles_are_not_links(make, article, writer):
    thread = make.make_thread(title="Code and strangers")
    make.make_reply(thread, author=writer, body=(
        f"Inline `/kb/{article.id}` and\n\n```\nhttp://localhost/kb/{article.id}\n"
        f"<a href=\"/kb/{article.id}\">x</a>\n```\n\n"
        f"[elsewhere](https://other.example/kb/{article.id}) [missing](/kb/{article.id + 999}) "
        f"[lookalike](/kbx/{article.id})"))

    assert _run_job() == 0
    assert _linked(article) == set()


def test_running_again_records_each_thread_once(make, article, writer):
    thread = make.make_thread(title="Twice linked")
    make.make_reply(thread, author=writer, body=f"[one](/kb/{article.id}) and [two](/kb/{article.id}#fix)")
    make.make_reply(thread, author=writer, body=f"Again: [three](/kb/{article.id})")

    assert _run_job() == 1
    assert links.find_links({}) == 0 and links.backfill() == 0
    assert _linked(article) == {thread.id}


def test_the_backfill_finds_links_in_posts_from_before_the_knowledge_base(make, article, writer, clock_at):
    thread = make.make_thread(author=writer, title="Years old", body=f"[article](/kb/{article.id})")
    clock_at.advance(days=400)
    _run_job()
    db.session.execute(ArticleLink.__table__.delete())  # as if the links had never been looked for
    db.session.commit()

    _run_job()
    assert _linked(article) == set()  # the periodic job looks only at recent posts
    assert links.backfill() == 1
    assert _linked(article) == {thread.id}


def test_the_staff_table_counts_threads_still_public(make, article, writer, staff):
    kept = make.make_thread(author=writer, title="Kept thread", body=f"[a](/kb/{article.id})")
    gone = make.make_thread(author=writer, title="Deleted thread", body=f"[a](/kb/{article.id})")
    _run_job()
    question = db.session.scalar(select(Post).where(Post.thread_id == gone.id, Post.is_question.is_(True)))
    posting.delete_post(writer, question)

    [row] = stats.published_table(staff).rows
    assert row.link_count == 1 and links.link_counts([article.id]) == {article.id: 1}
    assert _linked(article) == {kept.id, gone.id}  # recorded, though no longer counted


def test_an_href_names_an_article_only_on_this_site(app):
    site = "http://localhost"
    with app.app_context():
        assert links.linked_article_ids('<a href="/kb/5/fix-it#cause">a</a>', site) == {5}
        assert links.linked_article_ids('<a href="HTTP://LOCALHOST/kb/6?x=1">a</a>', site) == {6}
        assert links.linked_article_ids('<a href="http://localhost.evil.example/kb/7">a</a>', site) == set()
        assert links.linked_article_ids('<pre><code><a href="/kb/8">a</a></code></pre>', site) == set()
        assert links.linked_article_ids('<a href="/kb/9abc">a</a> <a href="/kb/">b</a>', site) == set()


def test_the_job_looks_back_at_least_two_intervals(make, article, writer, clock_at):
    _run_job()
    clock_at.advance(seconds=links.INTERVAL_S // 2)
    thread = make.make_thread(author=writer, title="Between runs", body=f"[a](/kb/{article.id})")
    clock_at.advance(seconds=links.INTERVAL_S + 60)
    assert _run_job() == 1 and _linked(article) == {thread.id}
