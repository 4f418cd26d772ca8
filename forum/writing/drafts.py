"""Drafts: what a member is writing, saved every few seconds while typing, so that nothing typed is lost.

A draft is stored under a key that names what the text will become once published:

- ``question-<category_id>``: a new question in that category (the Ask page),
- ``reply-<thread_id>``: a reply to that thread,
- ``edit-<post_id>``: a new version of that post.

Saving checks the key against what the member may do right now (ask at all, reply to that thread,
edit that post), so a draft never exists for something its author could not publish. Reading and
discarding only look at the member's own rows: another member's key answers "not found", like a
key that names nothing. A member keeps at most MAX_DRAFTS drafts; saving one more lets the one
left alone longest go (autosave must never fail in the middle of typing because of an old draft).
Publishing discards the matching draft (discard(), called by forum.services.posting in the
publishing transaction). A draft's body keeps the uploads it references from the orphan sweep
(forum.uploads.cleanup), so a screenshot added to a draft survives until the draft is published.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.core import clock
from forum.core.errors import ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Category, Draft, Post, Thread, User
from forum.services import reading
from forum.services.permissions import Action, require, visible_posts, visible_threads

# The limits of what may be published (forum.services.posting: MAX_BODY_BYTES, check_title); a unit test
# keeps them equal. Not imported: posting imports this module to discard drafts on publish.
MAX_BODY_BYTES = 64 * 1024
MAX_TITLE_CHARS = 200
MAX_DRAFTS = 50
AUTOSAVE_RATE = "60 per minute"  # drafts.js saves at most every 2 s while typing: room for two tabs
KINDS = ("question", "reply", "edit")
_KEY = re.compile(r"(question|reply|edit)-([1-9][0-9]{0,9})")  # fullmatch: "$" allows a final newline
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL: a larger number names no row


@dataclass(frozen=True)
class DraftKey:
    kind: str  # question | reply | edit
    target_id: int  # the category, thread or post id

    def __str__(self) -> str:
        return f"{self.kind}-{self.target_id}"


@dataclass(frozen=True)
class DraftInput:
    body: str
    title: str = ""  # only questions have one; ignored for replies and edits


@dataclass(frozen=True)
class DraftEntry:
    """A draft on its author's profile, with what it belongs to (None when that is gone or hidden now)."""

    draft: Draft
    kind: str
    category: Category | None = None
    thread: Thread | None = None
    post: Post | None = None


def question_key(category_id: int) -> str:
    return str(DraftKey("question", category_id))


def reply_key(thread_id: int) -> str:
    return str(DraftKey("reply", thread_id))


def edit_key(post_id: int) -> str:
    return str(DraftKey("edit", post_id))


def parse_key(key: str) -> DraftKey:
    """The key's parts; a key of no known form names no draft (NotFound, as for a missing one)."""
    match = _KEY.fullmatch(key or "")
    if match is None or int(match.group(2)) > MAX_ID:
        raise NotFound(_("There is no such draft. Keys look like question-3, reply-42 or edit-108."))
    return DraftKey(match.group(1), int(match.group(2)))


def _require_target(user: User, key: DraftKey) -> None:
    """The member may publish what the key names: ask in the category, reply to the thread, edit the post."""
    if key.kind == "question":
        if db.session.get(Category, key.target_id) is None:
            raise NotFound(_("That category does not exist."))
        require(user, Action.THREAD_CREATE)
    elif key.kind == "reply":
        require(user, Action.THREAD_REPLY, reading.get_thread(user, key.target_id))
    else:
        require(user, Action.POST_EDIT, reading.get_post(user, key.target_id))


def _checked(key: DraftKey, data: DraftInput) -> tuple[str, str]:
    errors = ErrorCollector()
    body = data.body if isinstance(data.body, str) else ""
    title = data.title if isinstance(data.title, str) and key.kind == "question" else ""
    if not isinstance(data.body, str):
        errors.add("body", _("The body is text."))
    elif not body.strip() and not title.strip():
        errors.add("body", _("There is nothing to save: discard the draft instead."))
    elif len(body.encode("utf-8")) > MAX_BODY_BYTES:
        errors.add("body", _("This is too long: posts can be at most %(kb)d KB.", kb=MAX_BODY_BYTES // 1024))
    if len(title) > MAX_TITLE_CHARS:
        errors.add("title", _("Keep the title under %(max)d characters.", max=MAX_TITLE_CHARS))
    elif any(unicodedata.category(ch) == "Cc" for ch in title):
        errors.add("title", _("Keep the title on one line, without control characters."))
    if "\x00" in body:
        errors.add("body", _("The text contains a NUL character."))
    errors.raise_if_any()
    return body, title


def save_draft(user: User, key: str, data: DraftInput) -> Draft:
    """Create or replace the member's draft under key; the oldest draft goes past MAX_DRAFTS."""
    require(user, Action.DRAFT_SAVE)
    parsed = parse_key(key)
    _require_target(user, parsed)
    body, title = _checked(parsed, data)
    try:
        draft = _upsert(user, str(parsed), body, title)
    except IntegrityError:  # another request of the same member created it first: replace that one
        db.session.rollback()
        draft = _upsert(user, str(parsed), body, title)
    _keep_bounded(user, draft)
    db.session.commit()
    return draft


def _upsert(user: User, key: str, body: str, title: str) -> Draft:
    moment = clock.now()
    draft = find_draft(user, key)
    if draft is None:
        draft = Draft(user_id=user.id, key=key, created_at=moment)
        db.session.add(draft)
    draft.body, draft.title, draft.updated_at = body, title, moment
    db.session.flush()
    return draft


def _keep_bounded(user: User, kept: Draft) -> None:
    """Past MAX_DRAFTS, drop the drafts left alone longest (never the one just saved)."""
    count = db.session.scalar(select(func.count(Draft.id)).where(Draft.user_id == user.id)) or 0
    if count <= MAX_DRAFTS:
        return
    oldest = select(Draft.id).where(Draft.user_id == user.id, Draft.id != kept.id)
    oldest = oldest.order_by(Draft.updated_at, Draft.id).limit(count - MAX_DRAFTS)
    db.session.execute(delete(Draft).where(Draft.id.in_(list(db.session.scalars(oldest)))))


def find_draft(user: User, key: str) -> Draft | None:
    """The member's own draft under key, or None (also for malformed keys)."""
    if _KEY.fullmatch(key or "") is None:
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def get_draft(user: User, key: str) -> Draft:
    """The member's own draft under key; NotFound when there is none (another member's is never found)."""
    draft = find_draft(user, str(parse_key(key)))
    if draft is None:
        raise NotFound(_("You have no draft under that key."))
    return draft


def delete_draft(user: User, key: str) -> bool:
    """Discard the member's draft under key; whether there was one (discarding twice is no error)."""
    require(user, Action.DRAFT_SAVE)
    parsed = parse_key(key)
    removed = discard(user, str(parsed))
    db.session.commit()
    return removed


def discard(user: User, key: str) -> bool:
    """Drop the member's draft under key in the caller's transaction (publishing calls this); the caller commits."""
    result = db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))
    return bool(result.rowcount)


def latest_question_draft(user: User) -> Draft | None:
    """The member's most recently saved new-question draft, whichever category (the Ask page without one)."""
    query = select(Draft).where(Draft.user_id == user.id, Draft.key.like("question-%"))
    return db.session.scalar(query.order_by(Draft.updated_at.desc(), Draft.id.desc()).limit(1))


def drafts_of(user: User) -> list[Draft]:
    """Every draft of the member, newest first (their data export, anonymisation)."""
    query = select(Draft).where(Draft.user_id == user.id).order_by(Draft.updated_at.desc(), Draft.id.desc())
    return list(db.session.scalars(query))


def list_drafts(user: User) -> list[DraftEntry]:
    """The member's drafts with what each belongs to, for their profile page (three statements at most more)."""
    drafts = drafts_of(user)
    ids: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for draft in drafts:
        parsed = _KEY.fullmatch(draft.key)
        if parsed:
            ids[parsed.group(1)].append(int(parsed.group(2)))
    categories = _by_id(select(Category).where(Category.id.in_(ids["question"])), ids["question"])
    threads = _by_id(visible_threads(user).where(Thread.id.in_(ids["reply"])), ids["reply"])
    posts = _by_id(visible_posts(user).where(Post.id.in_(ids["edit"])), ids["edit"])
    entries = []
    for draft in drafts:
        match = _KEY.fullmatch(draft.key)
        if match is None:
            continue
        kind, target = match.group(1), int(match.group(2))
        entries.append(DraftEntry(draft, kind, category=categories.get(target) if kind == "question" else None,
                                  thread=threads.get(target) if kind == "reply" else None,
                                  post=posts.get(target) if kind == "edit" else None))
    return entries


def _by_id(query, wanted: list[int]) -> dict[int, object]:
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(query)}
