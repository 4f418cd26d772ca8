"""An article's life cycle: draft → in review → published → archived, and what publishing earns.

The author (or staff) submits a draft for review; staff publish it, send it back to draft with a note,
or archive it. Publishing counts as a review (reviewed_at), links the source thread to the article
(Thread.article_id: "This answer is now an article"), pays a member author once per article
(recognition.on_article_published: a ledger row with its cause) and announces article.published.
Archiving unlinks the thread; archiving as withdrawn also reverses the reputation, and publishing again
afterwards pays again. Staff actions are audited. Every public operation commits once.
"""

from __future__ import annotations

from sqlalchemy import select

from forum import recognition
from forum.core import clock, events, i18n
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import Article, ArticleStatus, NotificationKind, Thread, User
from forum.services import audit_writer, notifications
from forum.services.permissions import Action, is_active, require

MAX_REASON_CHARS = 500
STATUS_CHOICES = ", ".join(status.value for status in ArticleStatus)


def tell(user_id: int, article: Article, message: str) -> None:
    """An ARTICLE notification leading to the article (emailed if the member wants email now); caller commits.

    message is a lazy string (_l): it is stored in the recipient's language, whoever's request or job this is.
    """
    recipient = db.session.get(User, user_id)
    with i18n.reading_as(getattr(recipient, "language", None), getattr(recipient, "time_zone", None)):
        text = str(message)
    notifications.notify([user_id], notifications.Event(
        NotificationKind.ARTICLE, thread=None, message=text, article_id=article.id))


def _audit(actor: User, action: str, article: Article, reason: str, before: dict, after: dict) -> None:
    """A staff action on an article, in the audit log; the title (in both states) names it in the log."""
    title = {"title": article.title}
    audit_writer.record(actor, action, "article", article.id, reason, {**title, **before}, {**title, **after})


def submit_for_review(actor: User | None, article: Article) -> Article:
    """The author (or staff) asks staff to review a draft."""
    require(actor, Action.ARTICLE_SUBMIT, article)
    article.status = ArticleStatus.IN_REVIEW.value
    db.session.commit()
    return article


def publish(actor: User | None, article: Article) -> Article:
    """Staff publish a draft, an article in review or an archived one; publishing counts as a review.

    published_at keeps the first publication. A member author is paid once per article (not again on
    a republication while the first payment stands) and told; a staff author earns nothing.
    """
    require(actor, Action.ARTICLE_PUBLISH, article)
    _lock(article)
    if article.status == ArticleStatus.PUBLISHED.value:  # another publication committed while this one waited
        raise Conflict(_("This article is already published."))
    before = article.status
    moment = clock.now()
    article.status = ArticleStatus.PUBLISHED.value
    article.published_at = article.published_at or moment
    article.reviewed_at = moment
    article.review_reminded_at = None
    article.archived_at = None
    _link_source_thread(article)
    recognition.on_article_published(article, actor)
    if article.author_id != actor.id:
        tell(article.author_id, article, _l("Your article “%(title)s” is published.", title=article.title))
    events.publish("article.published", article_id=article.id)
    _audit(actor, "article.publish", article, "", {"status": before}, {"status": article.status})
    db.session.commit()
    return article


def _lock(article: Article) -> None:
    """Lock the article's row (PostgreSQL; SQLite's one writer already waits) and read it again, so two staff
    publishing at once publish, announce and audit it once."""
    db.session.scalars(select(Article).where(Article.id == article.id).with_for_update()
                       .execution_options(populate_existing=True)).one()


def _source_thread(article: Article) -> Thread | None:
    return db.session.get(Thread, article.source_thread_id) if article.source_thread_id is not None else None


def _link_source_thread(article: Article) -> None:
    """The source thread shows this article, unless it already shows another published one."""
    thread = _source_thread(article)
    if thread is None or thread.article_id == article.id:
        return
    current = db.session.get(Article, thread.article_id) if thread.article_id is not None else None
    if current is None or current.status != ArticleStatus.PUBLISHED.value:
        thread.article_id = article.id


def _unlink_source_thread(article: Article) -> None:
    """The source thread stops showing this article; it shows another published article born from it, if any
    (the first published), since "This answer is now an article" is still true of that one."""
    thread = _source_thread(article)
    if thread is None or thread.article_id != article.id:
        return
    thread.article_id = db.session.scalar(
        select(Article.id).where(Article.source_thread_id == thread.id, Article.id != article.id,
                                 Article.status == ArticleStatus.PUBLISHED.value)
        .order_by(Article.published_at, Article.id).limit(1))


def archive(actor: User | None, article: Article, *, withdrawn: bool = False, reason: str = "") -> Article:
    """Staff archive an article: still reachable by link (with a notice), gone from lists and search.

    withdrawn says the article should never have been published: its author's reputation for it is
    reversed too (publishing it again would pay again).
    """
    require(actor, Action.ARTICLE_ARCHIVE, article)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid({"reason": [_("Keep the reason under %(max)d characters.", max=MAX_REASON_CHARS)]})
    before = article.status
    article.status = ArticleStatus.ARCHIVED.value
    article.archived_at = clock.now()
    _unlink_source_thread(article)
    if withdrawn:
        recognition.on_article_withdrawn(article, actor)
    _audit(actor, "article.withdraw" if withdrawn else "article.archive", article, reason, {"status": before},
           {"status": article.status})
    db.session.commit()
    return article


def return_to_draft(actor: User | None, article: Article, note: str = "") -> Article:
    """Staff send an article in review back to its author as a draft, saying why in note."""
    require(actor, Action.ARTICLE_MANAGE, article)
    if article.status != ArticleStatus.IN_REVIEW.value:
        raise Conflict(_("Only an article in review can go back to draft."))
    note = (note or "").strip()
    if len(note) > MAX_REASON_CHARS:
        raise Invalid({"note": [_("Keep the note under %(max)d characters.", max=MAX_REASON_CHARS)]})
    article.status = ArticleStatus.DRAFT.value
    if article.author_id != actor.id:
        tell(article.author_id, article,
             _l("Your article “%(title)s” went back to draft. %(note)s", title=article.title, note=note) if note
             else _l("Your article “%(title)s” went back to draft.", title=article.title))
    _audit(actor, "article.return_to_draft", article, note, {"status": ArticleStatus.IN_REVIEW.value},
           {"status": article.status})
    db.session.commit()
    return article


def change_status(actor: User | None, article: Article, status: str, *, withdrawn: bool = False) -> Article:
    """PATCH /api/v1/articles/{id} {status}: in_review submits, archived archives, draft returns to draft.

    Publishing has its own route (POST …/publish); asking for the status the article has changes nothing.
    """
    if not isinstance(status, str) or status not in {choice.value for choice in ArticleStatus}:
        raise Invalid({"status": [_("Choose one of: %(choices)s.", choices=STATUS_CHOICES)]})
    if status == article.status:
        return article
    if status == ArticleStatus.PUBLISHED.value:
        raise Invalid({"status": [_("Publish through POST /articles/{id}/publish.")]})
    if status == ArticleStatus.IN_REVIEW.value:
        return submit_for_review(actor, article)
    if status == ArticleStatus.ARCHIVED.value:
        return archive(actor, article, withdrawn=withdrawn)
    return return_to_draft(actor, article)


def set_owner(actor: User | None, article: Article, owner_id: int) -> Article:
    """Staff name who keeps the article current (reminded when it passes its review interval)."""
    require(actor, Action.ARTICLE_MANAGE, article)
    owner = db.session.get(User, owner_id) if type(owner_id) is int else None
    if owner is None or owner.anonymized_at is not None or not is_active(owner):
        raise Invalid({"owner_id": [_("Choose an active member as the owner.")]})
    if owner.id == article.owner_id:
        return article
    before = article.owner_id
    article.owner_id = owner.id
    if owner.id != actor.id:
        tell(owner.id, article, _l("You now keep the article “%(title)s” current.", title=article.title))
    _audit(actor, "article.owner", article, "", {"owner_id": before}, {"owner_id": owner.id})
    db.session.commit()
    return article
