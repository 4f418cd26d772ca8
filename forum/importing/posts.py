"""Turning a dump's posts into threads and replies, one batch at a time (the caller commits each batch).

Questions become question threads, answers and comments replies in their question's thread, each
with its original date, author and licence remembered (ImportedRecord) for the attribution line.
Bodies are the source's HTML through the one sanitizer (markup.sanitize_html); comments are the
source's Markdown, rendered like any post here. Question and answer HTML has no Markdown source, so
its renderer_version is IMPORTED_HTML: the re-renderer (forum.writing.rerender) leaves it alone. An
answer's and a question's upvotes become its vote count and one imported ledger row
(recognition.credit_imported_scores). Every step skips what the mapping already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import escape
from sqlalchemy import select

from forum import recognition
from forum.core.extensions import db
from forum.http.urls import thread_path
from forum.importing import records
from forum.importing.dump_reader import number, parse_date, parse_tags
from forum.importing.people import DELETED_USER_ID
from forum.models import Category, ImportedKind, Post, Thread, ThreadKind, ThreadStatus
from forum.services import markup
from forum.services.posting import slugify, tags_by_name
from forum.tagging import lookups

IMPORTED_HTML = records.IMPORTED_HTML
DEFAULT_LICENCE = "CC BY-SA 4.0"
UNTITLED = "(untitled)"


@dataclass
class Target:
    """Where an import writes: its source site, the category its threads go in, the upvotes per source post."""

    source: str
    category: Category
    upvotes: dict[int, int]


def _authors(target: Target, rows: list[dict[str, str]], key: str = "OwnerUserId") -> dict[int | None, int]:
    """Local user id per source user id of these rows; authors with no imported account map to the stand-in."""
    wanted = {number(row, key) for row in rows} | {DELETED_USER_ID}
    found = records.mapped(target.source, ImportedKind.USER, (uid for uid in wanted if uid is not None))
    stand_in = found[DELETED_USER_ID].user_id
    return {uid: (found[uid].user_id if uid in found else stand_in) for uid in wanted} | {None: stand_in}


def _author_name(row: dict[str, str], names: dict[int, str], key: str, display_key: str) -> str:
    uid = number(row, key)
    return names.get(uid) or row.get(display_key) or "deleted user"


def _names(target: Target, rows: list[dict[str, str]], key: str) -> dict[int, str]:
    found = records.mapped(target.source, ImportedKind.USER,
                           (uid for uid in (number(row, key) for row in rows) if uid is not None))
    return {uid: record.author or "" for uid, record in found.items()}


def _tag_names(raw: str | None) -> list[str]:
    names = [name[:32] for name in parse_tags(raw)]
    return list(dict.fromkeys(name for name in names if lookups.TAG_PATTERN.match(name)))


def _post(thread: Thread, author_id: int, html: str, created: datetime, *, is_question: bool, votes: int) -> Post:
    clean = markup.sanitize_html(html)
    return Post(thread=thread, author_id=author_id, is_question=is_question, body=clean, body_html=clean,
                renderer_version=IMPORTED_HTML, vote_count=votes, created_at=created)


def add_questions(target: Target, rows: list[dict[str, str]]) -> int:
    """A thread per source question not imported yet; returns how many were added."""
    known = records.mapped(target.source, ImportedKind.QUESTION, (number(row, "Id") for row in rows))
    fresh = [row for row in rows if number(row, "Id") not in known]
    if not fresh:
        return 0
    authors, names = _authors(target, fresh), _names(target, fresh, "OwnerUserId")
    made: list[tuple[dict[str, str], Post]] = []
    for row in fresh:
        created = parse_date(row.get("CreationDate"))
        title = (row.get("Title") or UNTITLED).strip()[:200]
        votes = target.upvotes.get(number(row, "Id"), 0)
        thread = Thread(
            category_id=target.category.id, author_id=authors[number(row, "OwnerUserId")],
            kind=ThreadKind.QUESTION.value, title=title, slug=slugify(title),
            status=ThreadStatus.CLOSED.value if row.get("ClosedDate") else ThreadStatus.OPEN.value,
            locked=False, pinned=False, reply_count=0, vote_count=votes, created_at=created,
            last_activity_at=created,
        )
        thread.tags = tags_by_name(_tag_names(row.get("Tags")))
        post = _post(thread, thread.author_id, row.get("Body") or "", created, is_question=True, votes=votes)
        db.session.add_all([thread, post])
        made.append((row, post))
    db.session.flush()
    _remember_posts(target, ImportedKind.QUESTION, made, names, "q")
    return len(made)


def _remember_posts(target: Target, kind: ImportedKind, made: list[tuple[dict[str, str], Post]],
                    names: dict[int, str], letter: str) -> None:
    """Map each new post to its source row and credit its upvotes."""
    scores = []
    for row, post in made:
        source_id = number(row, "Id")
        votes = target.upvotes.get(source_id, 0)
        records.remember(
            target.source, kind, source_id, post_id=post.id, thread_id=post.thread_id,
            source_url=f"{target.source}/{letter}/{source_id}",
            author=_author_name(row, names, "OwnerUserId", "OwnerDisplayName")[:150],
            licence=(row.get("ContentLicense") or DEFAULT_LICENCE)[:32], score=votes,
        )
        scores.append((post, votes, post.created_at))
    recognition.credit_imported_scores(scores)


def _threads_of(target: Target, kind: ImportedKind, parent_ids: set[int]) -> dict[int, Thread]:
    """The local thread per source parent id (questions, or for comments questions and answers)."""
    by_parent = records.mapped(target.source, kind, parent_ids)
    thread_ids = {record.thread_id for record in by_parent.values()}
    threads = {thread.id: thread for thread in db.session.scalars(select(Thread).where(Thread.id.in_(thread_ids)))}
    return {parent: threads[record.thread_id] for parent, record in by_parent.items()}


def _count_reply(thread: Thread, post: Post, *, answers: bool) -> None:
    thread.reply_count += 1
    thread.first_reply_at = min(filter(None, (thread.first_reply_at, post.created_at)))
    thread.last_activity_at = max(thread.last_activity_at, post.created_at)
    if answers and thread.status == ThreadStatus.OPEN.value:
        thread.status = ThreadStatus.ANSWERED.value


def add_answers(target: Target, rows: list[dict[str, str]]) -> tuple[int, int]:
    """A reply per source answer not imported yet; returns (added, skipped because the question is missing)."""
    known = records.mapped(target.source, ImportedKind.ANSWER, (number(row, "Id") for row in rows))
    fresh = [row for row in rows if number(row, "Id") not in known]
    if not fresh:
        return 0, 0
    threads = _threads_of(target, ImportedKind.QUESTION, {number(row, "ParentId") for row in fresh})
    authors, names = _authors(target, fresh), _names(target, fresh, "OwnerUserId")
    made: list[tuple[dict[str, str], Post]] = []
    for row in fresh:
        thread = threads.get(number(row, "ParentId"))
        if thread is None:
            continue
        votes = target.upvotes.get(number(row, "Id"), 0)
        post = _post(thread, authors[number(row, "OwnerUserId")], row.get("Body") or "",
                     parse_date(row.get("CreationDate")), is_question=False, votes=votes)
        db.session.add(post)
        _count_reply(thread, post, answers=True)
        made.append((row, post))
    db.session.flush()
    _remember_posts(target, ImportedKind.ANSWER, made, names, "a")
    return len(made), len(fresh) - len(made)


def add_comments(target: Target, rows: list[dict[str, str]]) -> tuple[int, int]:
    """A reply per source comment not imported yet, in the thread of the post it was on."""
    known = records.mapped(target.source, ImportedKind.COMMENT, (number(row, "Id") for row in rows))
    fresh = [row for row in rows if number(row, "Id") not in known]
    if not fresh:
        return 0, 0
    parents = {number(row, "PostId") for row in fresh}
    threads = _threads_of(target, ImportedKind.QUESTION, parents) | _threads_of(target, ImportedKind.ANSWER, parents)
    authors, names = _authors(target, fresh, "UserId"), _names(target, fresh, "UserId")
    made: list[tuple[dict[str, str], Post]] = []
    for row in fresh:
        thread = threads.get(number(row, "PostId"))
        if thread is None:
            continue
        text = row.get("Text") or ""
        post = Post(thread=thread, author_id=authors[number(row, "UserId")], is_question=False, body=text,
                    body_html=markup.render_markdown(text), renderer_version=markup.RENDERER_VERSION,
                    created_at=parse_date(row.get("CreationDate")))
        db.session.add(post)
        _count_reply(thread, post, answers=False)
        made.append((row, post))
    db.session.flush()
    for row, post in made:
        source_id = number(row, "Id")
        records.remember(target.source, ImportedKind.COMMENT, source_id, post_id=post.id, thread_id=post.thread_id,
                         source_url=f"{target.source}/posts/comments/{source_id}",
                         author=_author_name(row, names, "UserId", "UserDisplayName")[:150],
                         licence=(row.get("ContentLicense") or DEFAULT_LICENCE)[:32])
    return len(made), len(fresh) - len(made)


def accept_answers(target: Target, accepted: dict[int, int]) -> int:
    """Mark each question's accepted answer (question source id → answer source id); returns how many changed."""
    threads = _threads_of(target, ImportedKind.QUESTION, set(accepted))
    answers = records.mapped(target.source, ImportedKind.ANSWER, set(accepted.values()))
    changed = 0
    for question_id, thread in threads.items():
        record = answers.get(accepted[question_id])
        if record is None or thread.accepted_post_id is not None or record.thread_id != thread.id:
            continue
        post = db.session.get(Post, record.post_id)
        thread.accepted_post_id, thread.accepted_by_id = post.id, thread.author_id
        thread.solved_at, thread.solved_by = post.created_at, "community"
        if thread.status != ThreadStatus.CLOSED.value:
            thread.status = ThreadStatus.SOLVED.value
        changed += 1
    return changed


def add_links(target: Target, rows: list[dict[str, str]]) -> tuple[int, int]:
    """Duplicates become the duplicate relation, other links a "Linked:" line on the linking post.

    Returns (duplicates, link lines) added; a link whose ends were not imported is skipped.
    """
    known = records.mapped(target.source, ImportedKind.LINK, (number(row, "Id") for row in rows))
    fresh = [row for row in rows if number(row, "Id") not in known]
    ends = {number(row, "PostId") for row in fresh} | {number(row, "RelatedPostId") for row in fresh}
    questions = _threads_of(target, ImportedKind.QUESTION, ends)
    posts = records.mapped(target.source, ImportedKind.QUESTION, ends)
    duplicates = lines = 0
    for row in fresh:
        here, there = questions.get(number(row, "PostId")), questions.get(number(row, "RelatedPostId"))
        if here is None or there is None or here.id == there.id:
            continue
        if row.get("LinkTypeId") == "3":
            if here.duplicate_of_id is None:
                here.duplicate_of_id, here.status = there.id, ThreadStatus.CLOSED.value
            duplicates += 1
        else:
            _append_link_line(db.session.get(Post, posts[number(row, "PostId")].post_id), there)
            lines += 1
        records.remember(target.source, ImportedKind.LINK, number(row, "Id"), thread_id=here.id)
    return duplicates, lines


def _append_link_line(post: Post, there: Thread) -> None:
    line = f'<p>Linked: <a href="{escape(thread_path(there))}">{escape(there.title)}</a></p>'
    post.body_html = markup.sanitize_html(post.body_html + line)
    post.body = post.body_html
