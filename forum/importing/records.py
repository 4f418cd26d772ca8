"""The import mapping read back: what a source record became, and what the pages show of it.

Everything an import writes is remembered here (ImportedRecord), one row per source record: the
importer asks which of a batch's ids are mapped already (so a re-run adds nothing), the thread page
asks for its posts' attribution, the old addresses ask where a source question or answer lives now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import ImportedKind, ImportedRecord, Post, Thread, User

# The renderer_version of imported HTML: no Markdown renderer reaches it, so the re-renderer
# (forum.writing.rerender) leaves these bodies alone, having no source to render again.
IMPORTED_HTML = 1_000_000
_CC_BY_SA = re.compile(r"CC BY-SA (\d\.\d)")


@dataclass(frozen=True)
class Attribution:
    """What CC BY-SA asks an imported post to show: where it was, who wrote it, under which licence."""

    site: str
    source_url: str
    author: str
    licence: str

    @property
    def licence_url(self) -> str | None:
        """"CC BY-SA 3.0" → https://creativecommons.org/licenses/by-sa/3.0/ (None for another licence)."""
        match = _CC_BY_SA.fullmatch(self.licence.strip())
        return f"https://creativecommons.org/licenses/by-sa/{match.group(1)}/" if match else None


def mapped(source: str, kind: ImportedKind, source_ids: Iterable[int]) -> dict[int, ImportedRecord]:
    """The records of these source ids already imported from source, by source id."""
    ids = sorted(set(source_ids))
    found: dict[int, ImportedRecord] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update((record.source_id, record) for record in db.session.scalars(
            select(ImportedRecord).where(ImportedRecord.source == source, ImportedRecord.kind == kind.value,
                                         ImportedRecord.source_id.in_(chunk))))
    return found


def remember(source: str, kind: ImportedKind, source_id: int, **fields) -> ImportedRecord:
    """Add (the caller commits) the mapping of one source record to what it became."""
    record = ImportedRecord(source=source, kind=kind.value, source_id=source_id, imported_at=clock.now(), **fields)
    db.session.add(record)
    return record


def count(source: str, kind: ImportedKind) -> int:
    return db.session.scalar(select(func.count(ImportedRecord.id)).where(
        ImportedRecord.source == source, ImportedRecord.kind == kind.value)) or 0


def page_attributions(question: Post | None, posts: Iterable[Post | None]) -> dict[int, Attribution]:
    """The attribution of a thread page's imported posts; no query at all for a thread that was not imported.

    An imported thread's question holds stored HTML (IMPORTED_HTML), which the page has loaded anyway, so
    threads written here (nearly every page) cost nothing; the thread page stays within its statement budget.
    """
    if question is None or question.renderer_version != IMPORTED_HTML:
        return {}
    return attributions(post.id for post in (question, *posts) if post is not None)


def attributions(post_ids: Iterable[int]) -> dict[int, Attribution]:
    """The attribution of each imported post among post_ids (one query, for a whole thread page)."""
    ids = [post_id for post_id in post_ids if post_id]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ImportedRecord.post_id, ImportedRecord.source, ImportedRecord.source_url, ImportedRecord.author,
               ImportedRecord.licence)
        .where(ImportedRecord.post_id.in_(ids), ImportedRecord.source_url.is_not(None))
    )
    return {post_id: Attribution(site=site_name(source), source_url=url, author=author or "", licence=licence or "")
            for post_id, source, url, author, licence in rows}


def site_name(source: str) -> str:
    """"https://conlang.meta.stackexchange.com" → "conlang.meta.stackexchange.com"."""
    return source.split("://", 1)[-1].rstrip("/")


def thread_for_question(source_id: int) -> Thread | None:
    """The live thread a source question became (the first import that has it, when several sites were)."""
    return db.session.scalar(
        select(Thread).join(ImportedRecord, ImportedRecord.thread_id == Thread.id)
        .where(ImportedRecord.kind == ImportedKind.QUESTION.value, ImportedRecord.source_id == source_id,
               Thread.deleted_at.is_(None))
        .order_by(ImportedRecord.id).limit(1)
    )


def post_for_answer(source_id: int) -> Post | None:
    """The live reply a source answer became (its thread must be live too)."""
    return db.session.scalar(
        select(Post).join(ImportedRecord, ImportedRecord.post_id == Post.id).join(Thread, Thread.id == Post.thread_id)
        .where(ImportedRecord.kind == ImportedKind.ANSWER.value, ImportedRecord.source_id == source_id,
               Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
        .order_by(ImportedRecord.id).limit(1)
    )


def imported_user(user_id: int) -> ImportedRecord | None:
    """The record of an account an import created (None for accounts made here)."""
    return db.session.scalar(select(ImportedRecord).where(
        ImportedRecord.user_id == user_id, ImportedRecord.kind == ImportedKind.USER.value).limit(1))


def user_for_source(source: str, source_id: int) -> User | None:
    record = mapped(source, ImportedKind.USER, [source_id]).get(source_id)
    return db.session.get(User, record.user_id) if record is not None and record.user_id else None
