"""Who may see an upload: decided by attachment records only, never by where its URL was pasted.

Until it is attached, an upload is its uploader's (and staff may look, to moderate it). Once attached,
it is visible to exactly those who may see a post or case message it is attached to, and that its
uploader wrote: a public post's readers, a case's customer and agents, an internal note's agents
only; or a knowledge-base article it is attached to (only its uploader's own save attaches it, see
forum.uploads.linking): anyone once the article is published or archived, its author and staff while
it is a draft or in review (forum.knowledge.rules.may_view, through the permission layer). A post that
is hidden or deleted takes its attachments with it (forum.services.permissions decides, as for the post
itself). An avatar is a public picture. A removed upload is seen by nobody.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Article, Attachment, CaseMessage, MessageVisibility, Post, Upload, User
from forum.services.permissions import Action, can, is_agent, is_staff, visible_posts


def _is_avatar(upload: Upload) -> bool:
    return bool(db.session.scalar(select(exists().where(User.avatar_upload_id == upload.id))))


def _is_attached(upload: Upload) -> bool:
    return bool(db.session.scalar(select(exists().where(Attachment.upload_id == upload.id))))


def _visible_through_a_post(viewer: User | None, upload: Upload) -> bool:
    query = (
        visible_posts(viewer)
        .join(Attachment, Attachment.post_id == Post.id)
        .where(Attachment.upload_id == upload.id, Post.author_id == upload.uploader_id)
        .limit(1)
    )
    return db.session.scalar(query) is not None


def _visible_through_a_case_message(viewer: User | None, upload: Upload) -> bool:
    messages = db.session.scalars(
        select(CaseMessage).join(Attachment, Attachment.case_message_id == CaseMessage.id)
        .options(joinedload(CaseMessage.case))
        .where(Attachment.upload_id == upload.id, CaseMessage.author_id == upload.uploader_id)
    )
    for message in messages:
        internal = message.visibility == MessageVisibility.INTERNAL.value
        if can(viewer, Action.CASE_VIEW, message.case) and (not internal or is_agent(viewer)):
            return True
    return False


def _visible_through_an_article(viewer: User | None, upload: Upload) -> bool:
    articles = db.session.scalars(
        select(Article).join(Attachment, Attachment.article_id == Article.id).where(Attachment.upload_id == upload.id)
    )
    return any(can(viewer, Action.ARTICLE_VIEW, article) for article in articles)


def can_see(viewer: User | None, upload: Upload) -> bool:
    """Whether viewer may fetch the upload (and its renditions)."""
    if upload.removed_at is not None:
        return False
    if _is_avatar(upload):
        return True
    if not _is_attached(upload):
        return viewer is not None and (viewer.id == upload.uploader_id or is_staff(viewer))
    return (_visible_through_a_post(viewer, upload) or _visible_through_a_case_message(viewer, upload)
            or _visible_through_an_article(viewer, upload))


def visible_upload(viewer: User | None, upload_id: int) -> Upload:
    """The upload when viewer may see it; NotFound otherwise, exactly as when it does not exist."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or not can_see(viewer, upload):
        raise NotFound(_("That file does not exist or is not visible to you."))
    return upload
