"""Linking a saved post or case message to the uploads its body references: the only way uploads become visible.

A body references an upload by Markdown pointing at this site's stable /uploads/<id>/<name>
address (the editor inserts it). When the post or message is saved, each referenced upload that
its author uploaded is attached; an upload somebody else uploaded is skipped silently, so pasting
another member's URL grants nothing and stays a dead link for everyone who could not already see
it. Explicit upload_ids (the case message API) must all be the author's, or the message is refused;
they are appended to the body as references.
References are read from the rendered HTML, so a URL inside code or plain text attaches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, exists, func, select

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Article, Attachment, CaseMessage, Post, Upload, User, Visibility
from forum.services import community_settings, markup
from forum.uploads import service

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL: a larger number names no row (and is a 500)
_REFERENCE = re.compile(r"""(?:href|src)="/uploads/(\d+)/""")
_MARKDOWN_SPECIALS = re.compile(r"([\\\[\]()*_`<>!])")


def referenced_ids(body: str | None) -> list[int]:
    """Upload ids the rendered body links or shows, in order of first appearance."""
    found: list[int] = []
    for match in _REFERENCE.finditer(markup.render_markdown(body or "")):
        upload_id = int(match.group(1))
        if upload_id not in found and 0 < upload_id <= MAX_ID:
            found.append(upload_id)
    return found


def own_uploads(author_id: int, upload_ids: Iterable[int]) -> list[Upload]:
    """Those of the uploads that author_id uploaded and that staff have not removed."""
    ids = list(upload_ids)
    if not ids:
        return []
    query = select(Upload).where(Upload.id.in_(ids), Upload.uploader_id == author_id, Upload.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Upload.id)))


def own_referenced_count(author: User, body: str | None) -> int:
    """How many of the author's own uploads a draft body references (for holds and the spam score)."""
    return len(own_uploads(author.id, referenced_ids(body)))


def _explicit(author_id: int, upload_ids: object) -> list[int]:
    """upload_ids as given by an API caller: a list of integer ids, every one the author's own upload."""
    if upload_ids is None:
        return []
    if not isinstance(upload_ids, list) or not all(type(i) is int and 0 < i <= MAX_ID for i in upload_ids):
        raise Invalid({"upload_ids": [_("Give upload_ids as a list of upload ids.")]})
    owned = {upload.id for upload in own_uploads(author_id, upload_ids)}
    strangers = [i for i in upload_ids if i not in owned]
    if strangers:
        raise Invalid({"upload_ids": [_("Upload %(id)s is not one of your uploads.", id=strangers[0])]})
    return list(dict.fromkeys(upload_ids))


def with_references(author: User, body: str, upload_ids: object) -> str:
    """The body with a Markdown reference appended for each of upload_ids it does not reference yet.

    So an attachment sent by id shows in the message like one the editor inserted, and the body stays
    the one record of what is attached. Invalid when an id is not one of the author's uploads.
    """
    explicit = _explicit(author.id, upload_ids)
    present = set(referenced_ids(body))
    missing = [upload for upload in own_uploads(author.id, explicit) if upload.id not in present]
    if not missing:
        return body
    return "\n\n".join([body, *(markdown_reference(upload) for upload in missing)])


def link_post(post: Post, editor: User | None = None) -> None:
    """Make the post's attachments the author's uploads its body references; the caller commits.

    editor: who wrote this version. Only the author's own writing attaches anything: an editor
    (a moderator, a wiki editor) who adds a reference to one of the author's files must not publish
    a file the author kept private (a case attachment, an unused upload). Their edits can only take
    attachments away, with the references they remove.
    """
    wanted = {upload.id: upload for upload in own_uploads(post.author_id, referenced_ids(post.body))}
    db.session.flush()
    have = set(db.session.scalars(select(Attachment.upload_id).where(Attachment.post_id == post.id)))
    stale = have - wanted.keys()
    if stale:
        db.session.execute(delete(Attachment).where(Attachment.post_id == post.id,
                                                    Attachment.upload_id.in_(stale)))
    if editor is not None and editor.id != post.author_id:
        return
    for upload_id, upload in wanted.items():
        if upload_id not in have:
            service.attach(upload, post=post)


def link_case_message(message: CaseMessage) -> None:
    """Attach the author's uploads the message references (with_references added any explicit ones)."""
    db.session.flush()
    for upload in own_uploads(message.author_id, referenced_ids(message.body)):
        service.attach(upload, case_message=message)


def link_article(article: Article, editor: User) -> None:
    """Make the article's attachments the uploads its body references that it already had, plus the editor's
    own; the caller commits. References removed by an edit detach their uploads; a reference to someone
    else's upload attaches nothing (as for posts)."""
    db.session.flush()
    have = set(db.session.scalars(select(Attachment.upload_id).where(Attachment.article_id == article.id)))
    referenced = referenced_ids(article.body)
    stale = have - set(referenced)
    if stale:
        db.session.execute(delete(Attachment).where(Attachment.article_id == article.id,
                                                    Attachment.upload_id.in_(stale)))
    for upload in own_uploads(editor.id, [i for i in referenced if i not in have]):
        service.attach(upload, article=article, editor=editor)


def published_posts_with_attachments(author: User, exclude_post_id: int | None = None) -> int:
    """How many of author's published posts carry an attachment (counted up to the hold setting)."""
    most = hold_count()
    query = select(Post.id).where(
        Post.author_id == author.id, Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value,
        exists().where(Attachment.post_id == Post.id),
    )
    if exclude_post_id is not None:
        query = query.where(Post.id != exclude_post_id)
    return db.session.scalar(select(func.count()).select_from(query.limit(most).subquery())) or 0


def hold_count() -> int:
    """The setting: how many of a new member's first posts with attachments wait for review."""
    return int(community_settings.get_setting("uploads.hold_new_member_posts"))


def markdown_reference(upload: Upload, alt: str | None = None) -> str:
    """What the editor inserts: an image shown inline, or a file link that names the file and its size."""
    url = service.url_for_upload(upload)
    if upload.is_image:
        return f"![{_escape(alt if alt is not None and alt.strip() else upload.alt or upload.filename)}]({url})"
    return f"[{_escape(upload.filename)} ({human_size(upload.size)})]({url})"


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def human_size(size: int) -> str:
    """1 KB = 1024 bytes, as file managers show it."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
