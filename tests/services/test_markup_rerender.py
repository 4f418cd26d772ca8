"""Stored HTML from an older renderer is re-rendered from its source, batch by batch, resumably, by the
`rerender-posts` command or the `markup.rerender` job; nothing else about a post changes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from forum.cli import demo
from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationMessage, Job, JobStatus, Post
from forum.services import markup
from forum.writing import rerender

CODE = "Try this:\n\n```python\nimport os\nprint(os.getcwd())\n```\n\nThanks @someone"
OLD_HTML = "<p>rendered by version 3</p>"


def _age(posts: list[Post], version: int = 3) -> None:
    """Make posts look as an older renderer left them."""
    db.session.execute(update(Post).where(Post.id.in_([p.id for p in posts]))
                       .values(renderer_version=version, body_html=OLD_HTML))
    db.session.commit()


@pytest.fixture
def thread(make):
    return make.make_thread(body=CODE, replies=4)


def _posts(thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id)))


def _state(post_id: int) -> tuple:
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    return post.body_html, post.renderer_version, post.edited_at, post.body, post.sentiment


def test_old_posts_are_rerendered_from_their_source_and_current_ones_left_alone(thread, clock_at):
    posts = _posts(thread)
    edited = clock.now() - timedelta(days=3)
    db.session.execute(update(Post).where(Post.id == posts[1].id).values(edited_at=edited))
    _age(posts[:3])
    current = posts[3]
    db.session.execute(update(Post).where(Post.id == current.id).values(body_html="<p>kept as it is</p>"))
    db.session.commit()
    before = {post.id: _state(post.id) for post in posts}

    assert rerender.count_stale() == {"post": 3, "conversation_message": 0}
    assert rerender.rerender_all() == 3

    for post in posts[:3]:
        html, version, edited_at, body, sentiment = _state(post.id)
        assert (html, version) == (markup.render_markdown(body), markup.RENDERER_VERSION)
        assert (edited_at, body, sentiment) == before[post.id][2:]
    assert '<span class="kn">import</span>' in _state(posts[0].id)[0]
    assert _state(posts[1].id)[2] == edited
    assert _state(current.id) == before[current.id]
    assert _state(posts[4].id) == before[posts[4].id]
    assert rerender.count_stale()["post"] == 0


def test_the_search_index_hears_of_changed_html(thread, run_jobs):
    run_jobs()
    _age(_posts(thread)[:1])
    run_jobs()
    rerender.rerender_all()
    queued = db.session.scalars(select(Job.payload_json).where(
        Job.name == "search.index_thread", Job.status == JobStatus.QUEUED.value))
    assert json.dumps({"thread_id": thread.id}) in list(queued)


def test_a_run_that_stops_halfway_resumes_where_it_stopped(thread):
    posts = _posts(thread)
    _age(posts)
    seen = []

    def crash_after_two_batches(kind, count):
        seen.append(count)
        if len(seen) == 2:
            raise RuntimeError("the worker was killed")

    with pytest.raises(RuntimeError, match="killed"):
        rerender.rerender_all(crash_after_two_batches, batch=2)
    db.session.rollback()
    assert rerender.count_stale()["post"] == 1  # the two committed batches stayed done
    assert [_state(p.id)[1] for p in posts] == [markup.RENDERER_VERSION] * 4 + [3]

    again = []
    assert rerender.rerender_all(lambda kind, count: again.append((kind, count)), batch=2) == 1
    assert again == [("post", 1)]
    assert all(_state(p.id)[0] == markup.render_markdown(p.body) for p in posts)


def test_a_post_already_rendered_by_a_newer_version_is_not_touched(thread):
    post = _posts(thread)[0]
    db.session.execute(update(Post).where(Post.id == post.id)
                       .values(renderer_version=markup.RENDERER_VERSION + 1, body_html="<p>future</p>"))
    db.session.commit()
    assert rerender.rerender_all() == 0
    assert _state(post.id)[:2] == ("<p>future</p>", markup.RENDERER_VERSION + 1)


def _old_message(author_id: int, body: str) -> ConversationMessage:
    moment = clock.now()
    conversation = Conversation(title="Old", started_by_id=author_id, created_at=moment, last_message_at=moment)
    db.session.add(conversation)
    db.session.flush()
    message = ConversationMessage(conversation_id=conversation.id, author_id=author_id, body=body,
                                  body_html=OLD_HTML, renderer_version=2, created_at=moment)
    db.session.add(message)
    db.session.commit()
    return message


def test_the_job_does_a_batch_and_queues_the_next_until_posts_and_messages_are_done(
        thread, run_jobs, monkeypatch):
    run_jobs()
    posts = _posts(thread)
    _age(posts)
    message = _old_message(posts[0].author_id, "```json\n{\"a\": 1}\n```")
    monkeypatch.setattr(rerender, "BATCH", 2)
    rerender.enqueue()
    db.session.commit()
    run_jobs()
    ran = db.session.scalars(select(Job.payload_json).where(Job.name == rerender.JOB).order_by(Job.id)).all()
    assert [json.loads(payload)["kind"] for payload in ran] == ["post"] * 3 + ["conversation_message"]
    assert rerender.count_stale() == {"post": 0, "conversation_message": 0}
    db.session.expire_all()
    stored = db.session.get(ConversationMessage, message.id)
    assert '<code class="language-json">' in stored.body_html
    assert stored.renderer_version == markup.RENDERER_VERSION


def test_the_command_prints_progress_and_says_when_nothing_is_left(app, thread):
    _age(_posts(thread))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rerender-posts", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [  # stderr names the data directory
        f"Re-rendering 5 rows older than version {markup.RENDERER_VERSION}.",
        "  posts: 2/5", "  posts: 4/5", "  posts: 5/5",
        "Re-rendered 5 of 5 rows.",
    ]
    again = runner.invoke(args=["rerender-posts"])
    assert again.stdout == f"Everything is rendered by the current renderer (version {markup.RENDERER_VERSION}).\n"


def test_the_command_can_leave_the_work_to_the_worker(app, thread, run_jobs):
    run_jobs()
    _age(_posts(thread)[:2])
    result = app.test_cli_runner().invoke(args=["rerender-posts", "--in-background"])
    assert "Queued markup.rerender for 2 rows" in result.output
    assert rerender.count_stale()["post"] == 2
    run_jobs()
    assert rerender.count_stale()["post"] == 0


def test_the_demo_community_is_rendered_by_the_current_renderer(db):
    demo.seed_demo(threads=6, users=6)
    assert db.session.scalar(select(func.count(Post.id))) > 6
    assert rerender.count_stale() == {"post": 0, "conversation_message": 0}
