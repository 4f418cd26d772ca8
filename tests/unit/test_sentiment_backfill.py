"""Backfilling the sentiment of posts stored before sentiment existed: batched, resumable, never overwriting."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from forum.core.extensions import db
from forum.models import Post
from forum.services import sentiment
from tests.queries import count_statements

HAPPY, FURIOUS = "Thanks, that fixed it! Great help.", "This is terrible, awful service. I am furious and I hate this."


@pytest.fixture
def old_posts(make):
    """Five posts as an old database holds them (no sentiment), and one already scored."""
    thread = make.make_thread(body="**Thanks** so much, _wonderful_ answer")
    bodies = [HAPPY, FURIOUS, "Try a different channel.", HAPPY]
    posts = [db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()]
    posts += [make.make_reply(thread, body=body) for body in bodies]
    scored_already = make.make_reply(thread, body=FURIOUS)
    db.session.execute(update(Post).where(Post.id.in_([p.id for p in posts])).values(sentiment=None))
    db.session.execute(update(Post).where(Post.id == scored_already.id).values(sentiment=0.25))
    db.session.commit()
    return posts, scored_already


def scores(posts: list[Post]) -> list[float | None]:
    ids = [post.id for post in posts]
    by_id = dict(db.session.execute(select(Post.id, Post.sentiment).where(Post.id.in_(ids))).all())
    return [by_id[post_id] for post_id in ids]


def test_every_unscored_post_gets_its_vader_score_in_batches(old_posts):
    posts, scored_already = old_posts
    assert sentiment.count_unscored() == 5
    batches: list[int] = []
    assert sentiment.backfill(batches.append, batch=2) == 5
    assert batches == [2, 2, 1]
    assert scores(posts) == pytest.approx([0.7832, 0.8748, -0.926, 0.0, 0.8748])
    assert scores([scored_already]) == [0.25]  # a stored score is never recomputed
    assert sentiment.count_unscored() == 0


def test_each_batch_reads_a_bounded_slice_of_posts(old_posts):
    with count_statements() as statements:
        sentiment.backfill(batch=2)
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 4  # three batches of at most 2, then the empty read that ends it
    assert all("LIMIT" in sql.upper() for sql in reads)


def test_an_interrupted_run_keeps_its_batches_and_a_rerun_finishes_the_rest(old_posts):
    posts, _ = old_posts

    def stop(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sentiment.backfill(stop, batch=2)
    db.session.rollback()
    assert scores(posts)[:2] == pytest.approx([0.7832, 0.8748])  # the first batch was committed
    assert scores(posts)[2:] == [None, None, None]
    assert sentiment.count_unscored() == 3
    assert sentiment.backfill(batch=2) == 3
    assert sentiment.backfill(batch=2) == 0
    assert scores(posts) == pytest.approx([0.7832, 0.8748, -0.926, 0.0, 0.8748])


def test_the_cli_scores_with_a_progress_bar_and_is_safe_to_rerun(app, old_posts):
    posts, _ = old_posts
    first = app.test_cli_runner().invoke(args=["analytics", "backfill-sentiment", "--batch", "3"])
    assert first.exit_code == 0, first.output
    assert "Scoring post sentiment" in first.output
    assert "Scored 5 posts." in first.output
    again = app.test_cli_runner().invoke(args=["analytics", "backfill-sentiment"])
    assert again.exit_code == 0, again.output
    assert "Every post already has a sentiment score." in again.output
    assert scores(posts) == pytest.approx([0.7832, 0.8748, -0.926, 0.0, 0.8748])


def test_the_cli_refuses_a_batch_size_of_zero(app, db):
    result = app.test_cli_runner().invoke(args=["analytics", "backfill-sentiment", "--batch", "0"])
    assert result.exit_code == 2
    assert "--batch" in result.output
