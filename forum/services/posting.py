"""Writing: start threads, reply, edit with revision history, soft delete.

Every body is rendered and sanitized here, at write time, by forum.services.markup;
pages only ever show the stored body_html.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import Category, Post, PostRevision, Tag, Thread, ThreadKind, ThreadStatus, User
from forum.services import clock, indexing, markup, needs_info, notifications, qa
from forum.services.errors import ErrorCollector, Invalid
from forum.services.permissions import Action, require

MAX_BODY_BYTES = 64 * 1024
MAX_TAGS = 5
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.-]{0,31}$")


@dataclass(frozen=True)
class NewThread:
    category_id: int | None
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    kind: str = ThreadKind.QUESTION.value


@dataclass(frozen=True)
class ThreadChange:
    """Fields a PATCH may set; None means "leave as is"."""

    title: str | None = None
    tags: list[str] | None = None
    category_id: int | None = None
    locked: bool | None = None
    pinned: bool | None = None


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "thread"


def _check_body(errors: ErrorCollector, body: str) -> None:
    if not (body or "").strip():
        errors.add("body", "Write something first.")
    elif len(body.encode("utf-8")) > MAX_BODY_BYTES:
        errors.add("body", f"This is too long: posts can be at most {MAX_BODY_BYTES // 1024} KB.")


def _check_title(errors: ErrorCollector, title: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in title or ""):
        errors.add("title", "Keep the title on one line, without control characters.")
        return
    length = len((title or "").strip())
    if length < 8:
        errors.add("title", "Write a title of at least 8 characters that says what the question is about.")
    elif length > 200:
        errors.add("title", "Keep the title under 200 characters.")


def normalize_tags(errors: ErrorCollector, raw_tags: list[str] | str) -> list[str]:
    """Lower-cased, de-duplicated tags; reports each bad one."""
    if isinstance(raw_tags, str):
        raw_tags = re.split(r"[,\s]+", raw_tags)
    tags: list[str] = []
    for raw in raw_tags:
        if not isinstance(raw, str):
            errors.add("tags", "Tags must be text.")
            continue
        tag = raw.strip().lower()
        if not tag or tag in tags:
            continue
        if not TAG_PATTERN.match(tag):
            errors.add("tags", f"“{tag[:40]}” is not a valid tag: use up to 32 letters, digits, '-', '+', '#' or '.'.")
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors.add("tags", f"Use at most {MAX_TAGS} tags.")
    return tags


def _tags_by_name(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in existing:
            existing[name] = Tag(name=name)
            db.session.add(existing[name])
    return [existing[name] for name in names]


def _new_post(thread: Thread, author: User, body: str, is_question: bool) -> Post:
    moment = clock.now()
    return Post(
        thread=thread,
        author_id=author.id,
        is_question=is_question,
        body=body,
        body_html=markup.render_markdown(body),
        renderer_version=markup.RENDERER_VERSION,
        created_at=moment,
    )


def start_thread(actor: User, data: NewThread) -> Thread:
    """Open a question or discussion with its first post."""
    require(actor, Action.THREAD_CREATE)
    errors = ErrorCollector()
    category = db.session.get(Category, data.category_id) if isinstance(data.category_id, int) else None
    if category is None:
        errors.add("category_id", "Choose a category.")
    if data.kind not in {k.value for k in ThreadKind}:
        errors.add("kind", "Choose question or discussion.")
    _check_title(errors, data.title)
    _check_body(errors, data.body)
    tags = normalize_tags(errors, data.tags)
    errors.raise_if_any()
    moment = clock.now()
    thread = Thread(
        category_id=category.id,
        author_id=actor.id,
        kind=data.kind,
        title=data.title.strip(),
        slug=slugify(data.title),
        status=ThreadStatus.OPEN.value,
        locked=False,
        pinned=False,
        reply_count=0,
        created_at=moment,
        last_activity_at=moment,
    )
    thread.tags = _tags_by_name(tags)
    question = _new_post(thread, actor, data.body, is_question=True)
    db.session.add_all([thread, question])
    db.session.flush()
    notifications.on_new_thread(thread, question, actor)
    indexing.reindex_thread(thread.id)
    db.session.commit()
    return thread


def reply_to_thread(actor: User, thread: Thread, body: str) -> Post:
    """Add a reply and tell watchers; a reply by the asker answers a "needs more info" request."""
    require(actor, Action.THREAD_REPLY, thread)
    errors = ErrorCollector()
    _check_body(errors, body)
    errors.raise_if_any()
    post = _new_post(thread, actor, body, is_question=False)
    db.session.add(post)
    db.session.flush()
    _count_reply(thread, post, by_asker=actor.id == thread.author_id)
    db.session.refresh(thread)
    if actor.id == thread.author_id and thread.status == ThreadStatus.NEEDS_INFO.value:
        needs_info.clear_info_request(actor, thread, commit=False)
    notifications.on_reply(thread, post, actor)
    indexing.reindex_thread(thread.id)
    db.session.commit()
    return post


def _count_reply(thread: Thread, post: Post, by_asker: bool) -> None:
    """Move counters and status by atomic SQL, so concurrent replies never lose an update.

    A question answered by someone other than the asker becomes "answered".
    """
    values = {"reply_count": Thread.reply_count + 1, "last_activity_at": post.created_at}
    if not by_asker:
        values["first_reply_at"] = func.coalesce(Thread.first_reply_at, post.created_at)
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(**values))
    if not by_asker:
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id, Thread.status == ThreadStatus.OPEN.value)
            .values(status=ThreadStatus.ANSWERED.value)
        )


def edit_post(actor: User, post: Post, body: str) -> Post:
    """Replace a post's body, keeping the previous source as a revision."""
    require(actor, Action.POST_EDIT, post)
    errors = ErrorCollector()
    _check_body(errors, body)
    errors.raise_if_any()
    if body == post.body:
        return post
    moment = clock.now()
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id, body=post.body, created_at=moment))
    post.body = body
    post.body_html = markup.render_markdown(body)
    post.renderer_version = markup.RENDERER_VERSION
    post.edited_at = moment
    indexing.reindex_thread(post.thread_id)
    db.session.commit()
    return post


def delete_post(actor: User, post: Post) -> None:
    """Soft-delete a post; deleting the question removes the whole thread from view.

    The post row is claimed with a conditional UPDATE, so two concurrent deletes (PostgreSQL
    runs READ COMMITTED) move the counters once.
    """
    require(actor, Action.POST_DELETE, post)
    moment = clock.now()
    claimed = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.deleted_at.is_(None))
        .values(deleted_at=moment, deleted_by_id=actor.id)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return
    db.session.refresh(post)
    thread = post.thread
    if post.is_question:
        thread.deleted_at = moment
    else:
        db.session.execute(
            update(Thread).where(Thread.id == post.thread_id).values(reply_count=Thread.reply_count - 1)
        )
        db.session.refresh(thread)
        _recount_first_reply(thread)
    if thread.accepted_post_id == post.id:
        qa.drop_solution(thread)
    indexing.reindex_thread(thread.id)
    db.session.commit()


def _recount_first_reply(thread: Thread) -> None:
    """After a reply disappears: the first reply by someone else may now be later, or gone."""
    thread.first_reply_at = db.session.scalar(
        select(func.min(Post.created_at)).where(
            Post.thread_id == thread.id, Post.is_question.is_(False), Post.deleted_at.is_(None),
            Post.author_id != thread.author_id,
        )
    )
    if thread.status in {ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value}:
        thread.status = qa.status_without_solution(thread)


def _apply_moderator_fields(errors: ErrorCollector, thread: Thread, change: ThreadChange) -> None:
    if change.category_id is not None:
        if db.session.get(Category, change.category_id) is None:
            errors.add("category_id", "Choose an existing category.")
        else:
            thread.category_id = change.category_id
    if change.locked is not None:
        thread.locked = change.locked
    if change.pinned is not None:
        thread.pinned = change.pinned


def update_thread(actor: User, thread: Thread, change: ThreadChange) -> Thread:
    """Authors change title and tags; moderators also move, lock and pin."""
    require(actor, Action.THREAD_EDIT, thread)
    wants_moderation = any(v is not None for v in (change.category_id, change.locked, change.pinned))
    if wants_moderation:
        require(actor, Action.THREAD_MODERATE, thread)
    errors = ErrorCollector()
    if change.title is not None:
        _check_title(errors, change.title)
    tags = normalize_tags(errors, change.tags) if change.tags is not None else None
    _apply_moderator_fields(errors, thread, change)
    if errors.errors:
        db.session.rollback()
        raise Invalid(errors.errors)
    if change.title is not None:
        thread.title = change.title.strip()
        thread.slug = slugify(change.title)
    if tags is not None:
        thread.tags = _tags_by_name(tags)
    indexing.reindex_thread(thread.id)
    db.session.commit()
    return thread

