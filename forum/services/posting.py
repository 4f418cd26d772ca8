"""Writing: start threads, reply, edit with revision history, soft delete.

Every body is rendered and sanitized here, at write time, by forum.services.markup;
pages only ever show the stored body_html.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select

from forum import cases, recognition, uploads, writing
from forum.core import clock, database, events
from forum.core.errors import ErrorCollector, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.text import visible_length
from forum.models import (
    IDEA_KIND,
    Category,
    CategoryKind,
    Post,
    PostRevision,
    RevisionField,
    Thread,
    ThreadKind,
    ThreadStatus,
    User,
)
from forum.services import (
    audit_writer,
    markup,
    moderation_state,
    needs_info,
    notifications,
    policies,
    sentiment,
)
from forum.services.permissions import Action, is_moderator, is_staff, require
from forum.tagging.naming import MAX_TAGS, normalize_tags, tags_by_name  # noqa: F401  (callers import them from here)
from forum.writing import edit_history

MAX_BODY_BYTES = 64 * 1024


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
    reason: str = ""  # why: kept in the audit log (move, lock, pin) and on title/tag/category revisions


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "thread"


def _check_body(errors: ErrorCollector, body: str) -> None:
    if not (body or "").strip():
        errors.add("body", _("Write something first."))
    elif len(body.encode("utf-8")) > MAX_BODY_BYTES:
        errors.add("body", _("This is too long: posts can be at most %(kb)d KB.", kb=MAX_BODY_BYTES // 1024))


def check_title(errors: ErrorCollector, title: str) -> None:
    """Control characters and titles of only invisible characters are refused: lists would show a blank line."""
    if any(unicodedata.category(ch) == "Cc" for ch in title or ""):
        errors.add("title", _("Keep the title on one line, without control characters."))
        return
    if (title or "").strip() and not visible_length(title):
        errors.add("title", _("Write the title in visible characters: zero-width and other invisible "
                              "characters are all it holds."))
        return
    if visible_length(title or "") < 8:
        errors.add("title", _("Write a title of at least %(min)d characters that says what the question is about.",
                              min=8))
    elif len((title or "").strip()) > 200:
        errors.add("title", _("Keep the title under %(max)d characters.", max=200))


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
        sentiment=sentiment.score(body),
    )


def _review(errors: ErrorCollector, draft: policies.Draft) -> policies.Review | None:
    """Run the registered content checks; their refusals join the form's other errors."""
    try:
        return policies.review(draft)
    except Invalid as exc:
        for key, messages in exc.errors.items():
            for message in messages:
                errors.add(key, message)
        return None


def start_thread(actor: User, data: NewThread) -> Thread:
    """Open a question or discussion with its first post; held ones wait unseen for a moderator."""
    require(actor, Action.THREAD_CREATE)
    thread, question, review = stage_thread(actor, data)
    if review.held:
        moderation_state.hold_new_post(question, review.hold_reasons)
    else:
        notifications.on_new_thread(thread, question, actor)
        events.publish("thread.created", thread_id=thread.id)
    db.session.commit()
    return thread


def stage_thread(actor: User, data: NewThread, *, idea: bool = False) -> tuple[Thread, Post, policies.Review]:
    """Check and add a thread with its question post, unannounced and uncommitted (forum.ideas builds on it).

    Ideas live only in ideas categories and questions and discussions never do, so each list shows one kind.
    """
    errors = ErrorCollector()
    category = db.session.get(Category, data.category_id) if isinstance(data.category_id, int) else None
    if category is None:
        errors.add("category_id", _("Choose a category."))
    elif (category.kind == CategoryKind.IDEAS.value) != idea:
        errors.add("category_id", _("Choose an ideas category.") if idea
                   else _("This category holds ideas: post ideas on the ideas board."))
    if not idea and data.kind not in {k.value for k in ThreadKind}:
        errors.add("kind", _("Choose question or discussion."))
    check_title(errors, data.title)
    _check_body(errors, data.body)
    tags = normalize_tags(errors, data.tags)
    review = _review(errors, policies.Draft(actor, "thread", data.body or "", data.title or ""))
    errors.raise_if_any()
    thread = _new_thread(actor, category, IDEA_KIND if idea else data.kind, review.title or data.title, tags)
    question = _new_post(thread, actor, review.body, is_question=True)
    db.session.add_all([thread, question])
    db.session.flush()
    uploads.link_post(question)  # the author's uploads the body references become its attachments
    writing.discard(actor, writing.question_key(category.id))  # published: the Ask draft is done
    return thread, question, review


def _new_thread(actor: User, category: Category, kind: str, title: str, tags: list[str]) -> Thread:
    moment = clock.now()
    thread = Thread(
        category_id=category.id,
        author_id=actor.id,
        kind=kind,
        title=title.strip(),
        slug=slugify(title),
        status=ThreadStatus.OPEN.value,
        locked=False,
        pinned=False,
        reply_count=0,
        created_at=moment,
        last_activity_at=moment,
    )
    thread.tags = tags_by_name(tags)
    return thread


def check_reply(actor: User, thread: Thread, body: str) -> policies.Review:
    """May actor reply, and what do the content checks make of the body: the reads before a reply's writes.

    Raises Forbidden or Invalid like reply_to_thread. Reads only, so a caller may run it outside
    the write lock (database.reading), then publish_reply what it returns.
    """
    require(actor, Action.THREAD_REPLY, thread)
    errors = ErrorCollector()
    _check_body(errors, body)
    review = _review(errors, policies.Draft(actor, "reply", body or "", thread=thread))
    errors.raise_if_any()
    return review


def reply_to_thread(actor: User, thread: Thread, body: str, *, keep_loaded: bool = False) -> Post:
    """Add a reply and tell watchers; a reply by the asker answers a "needs more info" request.

    A reply the content checks hold is stored pending: uncounted and unannounced until approved.
    keep_loaded: see publish_reply.
    """
    return publish_reply(actor, thread, check_reply(actor, thread, body), keep_loaded=keep_loaded)


def publish_reply(actor: User, thread: Thread, review: policies.Review, *, keep_loaded: bool = False) -> Post:
    """Store the reply check_reply passed (review.body, held if review says so) and announce it.

    keep_loaded: the caller answers with the new post at once (the API), so the commit leaves what
    the session holds loaded (database.commit_keeping_loaded); loops that go on working (the incident
    fan-out, the demo) keep the ordinary commit, which reads everything afresh afterwards.
    """
    post = _new_post(thread, actor, review.body, is_question=False)
    db.session.add(post)
    db.session.flush()
    uploads.link_post(post)
    writing.discard(actor, writing.reply_key(thread.id))  # published: the reply draft is done
    if review.held:
        moderation_state.hold_new_post(post, review.hold_reasons)
        db.session.commit()
        return post
    moderation_state.count_reply(thread, post, by_asker=actor.id == thread.author_id)  # the counters it sets are loaded
    if actor.id == thread.author_id and thread.status == ThreadStatus.NEEDS_INFO.value:
        needs_info.clear_info_request(actor, thread, commit=False)
    notifications.on_reply(thread, post, actor)
    events.publish("post.created", post_id=post.id)
    if actor.id != thread.author_id:
        recognition.check_user_soon(actor.id)  # answering moves no points, but badges and missions count answers
        if is_staff(actor):  # acting as staff now: not suspended, not owing a second factor
            cases.on_staff_reply(thread, post)  # a public staff answer is the case's first response
    else:
        cases.on_asker_follow_up(thread, post)  # a strongly negative follow-up reaches support
    if keep_loaded:
        # The post, its author and its thread are what this transaction wrote (count_reply's UPDATE returned the
        # counters): expired by an ordinary commit, the answer would read each again (on SQLite in another write
        # transaction begun IMMEDIATE just to read back what was written).
        database.commit_keeping_loaded()
    else:
        db.session.commit()
    return post


def edit_post(actor: User, post: Post, body: str, *, reason: str = "") -> Post:
    """Replace a post's body, keeping the previous source (and the editor's reason) as a revision.

    The content checks see the new text; a held edit takes the post out of view until approved.
    A moderator editing someone else's post must say why: the edit is audited with the reason
    and the author is told it (a MODERATION notification).
    """
    require(actor, Action.POST_EDIT, post)
    errors = ErrorCollector()
    _check_body(errors, body)
    reason = edit_history.check_reason(errors, actor, post, reason)
    review = _review(errors, policies.Draft(actor, "edit", body or "", thread=post.thread, post_id=post.id))
    errors.raise_if_any()
    body = review.body
    if body == post.body:
        if writing.discard(actor, writing.edit_key(post.id)):  # nothing to save, and no draft left to restore
            db.session.commit()
        return post
    moment = clock.now()
    moderating = _moderating(actor, post)
    if moderating:
        audit_writer.record(actor, "post.edit", "post", post.id, reason, {"body": post.body}, {"body": body})
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id, field=RevisionField.BODY.value, body=post.body,
                                reason=reason or None, created_at=moment))
    post.body = body
    post.body_html = markup.render_markdown(body)
    post.renderer_version = markup.RENDERER_VERSION
    post.sentiment = sentiment.score(body)
    post.edited_at = moment
    uploads.link_post(post, actor)  # the author's new references attach; removed ones detach
    writing.discard(actor, writing.edit_key(post.id))  # saved: the edit draft is done
    if review.held:
        moderation_state.hold_edited_post(post, review.hold_reasons)
    notifications.on_edit(post)  # members it newly quotes hear of it (not while held)
    if moderating:
        moderation_state.tell_author_of_edit(post, actor, reason)
    db.session.commit()
    return post


def _moderating(actor: User, post: Post) -> bool:
    """Acting on someone else's post as a moderator: such actions go to the audit log."""
    return is_moderator(actor) and actor.id != post.author_id


def delete_post(actor: User, post: Post, *, reason: str = "") -> None:
    """Soft-delete a post; deleting the question removes the whole thread from view.

    Counters, solution and reputation move in moderation_state.remove_post, exactly once even
    for concurrent deletes. A moderator deleting someone else's post must say why: it is audited
    with the reason and the author is told it.
    """
    require(actor, Action.POST_DELETE, post)
    errors = ErrorCollector()
    reason = edit_history.check_reason(errors, actor, post, reason)
    errors.raise_if_any()
    moderating = _moderating(actor, post)
    if not moderation_state.remove_post(post, actor, reason, tell_author=moderating):
        db.session.rollback()
        return
    if moderating:
        audit_writer.record(actor, "post.delete", "post", post.id, reason, {"deleted": False}, {"deleted": True})
    db.session.commit()


def _apply_moderator_fields(errors: ErrorCollector, thread: Thread, change: ThreadChange) -> None:
    """A move stays within the category's kind: an idea never lands among questions, nor a question on the board."""
    if change.category_id is not None:
        category = db.session.get(Category, change.category_id)
        if category is None:
            errors.add("category_id", _("Choose an existing category."))
        elif (category.kind == CategoryKind.IDEAS.value) != (thread.kind == IDEA_KIND):
            errors.add("category_id", _("Move an idea to another ideas category, and a question or discussion to "
                                        "a category that holds them."))
        else:
            thread.category_id = change.category_id
    if change.locked is not None:
        thread.locked = change.locked
    if change.pinned is not None:
        thread.pinned = change.pinned


MODERATOR_FIELDS = ("category_id", "locked", "pinned")


def _audit_moderator_fields(actor: User, thread: Thread, before: dict, reason: str) -> None:
    """One audit entry per moderator change that really changed something (move, lock, pin)."""
    actions = {"category_id": "thread.move", "locked": "thread.lock", "pinned": "thread.pin"}
    for name in MODERATOR_FIELDS:
        after = getattr(thread, name)
        if after != before[name]:
            action = actions[name] if after is not False else actions[name].replace(".", ".un", 1)
            audit_writer.record(actor, action, "thread", thread.id, reason, {name: before[name]}, {name: after})


def _question_of(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True)))


def update_thread(actor: User, thread: Thread, change: ThreadChange) -> Thread:
    """Authors change title and tags; moderators also move, lock and pin (each audited).

    Title, tag and category changes become revisions of the question post, with the reason if one is given.
    """
    require(actor, Action.THREAD_EDIT, thread)
    wants_moderation = any(v is not None for v in (change.category_id, change.locked, change.pinned))
    if wants_moderation:
        require(actor, Action.THREAD_MODERATE, thread)
    before = {name: getattr(thread, name) for name in MODERATOR_FIELDS}
    history = edit_history.thread_fields(thread)
    category = thread.category.name if change.category_id is not None else ""
    errors = ErrorCollector()
    reason = edit_history.check_thread_reason(errors, change.reason)
    review = None
    if change.title is not None:
        check_title(errors, change.title)
        review = _review(errors, policies.Draft(actor, "title", "", change.title, thread))
    tags = normalize_tags(errors, change.tags) if change.tags is not None else None
    _apply_moderator_fields(errors, thread, change)
    if errors.errors:
        db.session.rollback()
        raise Invalid(errors.errors)
    if change.title is not None:
        title = review.title if review is not None and review.title else change.title
        thread.title = title.strip()
        thread.slug = slugify(title)
        if review is not None and review.held:
            moderation_state.hold_edited_post(_question_of(thread), review.hold_reasons)
    if tags is not None:
        thread.tags = tags_by_name(tags)
    edit_history.record_thread_changes(actor, thread, history, category, reason)
    if wants_moderation:
        _audit_moderator_fields(actor, thread, before, reason)
    db.session.commit()
    return thread
