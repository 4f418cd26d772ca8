""""Did this help?" and views: the two things readers tell an article without writing a word of it.

One answer per member and article (the unique key uq_article_feedback_member): answering again replaces the
answer and its comment, so the counters always equal the rows. Counters move with SQL `+ 1`/`- 1` in the
same transaction as the row, never read-modify-write, so concurrent answers from different members add up.
The comment is plain text for staff (shown escaped on the staff page, never on the public page).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from forum.core import clock
from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, format_number
from forum.models import Article, ArticleFeedback, ArticleStatus, User
from forum.services.permissions import Action, require, signed_in

MAX_COMMENT_CHARS = 2000


def _checked(helpful: object, comment: object) -> str:
    """The trimmed comment, or Invalid naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    if not isinstance(helpful, bool):
        errors["helpful"] = [_("Answer yes or no.")]
    if not isinstance(comment, str):
        errors["comment"] = [_("The comment must be text.")]
        comment = ""
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        errors["comment"] = [_("Keep the comment to %(max)s characters (this one has %(length)s).",
                               max=format_number(MAX_COMMENT_CHARS), length=format_number(len(comment)))]
    if errors:
        raise Invalid(errors)
    return comment


def _counter(helpful: bool):
    return Article.helpful_count if helpful else Article.not_helpful_count


def _insert(actor: User, article: Article, helpful: bool, comment: str) -> bool:
    """The member's first answer, in a savepoint: False when a row already exists (answered before, or a
    double click's other request got there first: the unique key settles it)."""
    moment = clock.now()
    try:
        with db.session.begin_nested():
            db.session.execute(insert(ArticleFeedback).values(
                article_id=article.id, user_id=actor.id, helpful=helpful, comment=comment,
                created_at=moment, updated_at=moment))
    except IntegrityError:
        return False
    counter = _counter(helpful)
    db.session.execute(update(Article).where(Article.id == article.id).values({counter: counter + 1}))
    return True


def _change(actor: User, article: Article, helpful: bool, comment: str) -> None:
    """Replace an existing answer. The flip is a conditional UPDATE (only a row still holding the other
    answer changes), so two requests flipping at once move the counters once."""
    mine = (ArticleFeedback.article_id == article.id, ArticleFeedback.user_id == actor.id)
    flipped = db.session.execute(
        update(ArticleFeedback).where(*mine, ArticleFeedback.helpful.is_(not helpful)).values(helpful=helpful)
    ).rowcount
    if flipped:
        gained, lost = _counter(helpful), _counter(not helpful)
        db.session.execute(update(Article).where(Article.id == article.id)
                           .values({gained: gained + 1, lost: lost - 1}))
    db.session.execute(update(ArticleFeedback).where(*mine).values(comment=comment, updated_at=clock.now()))


def give(actor: User | None, article: Article, helpful: bool, comment: str = "") -> tuple[ArticleFeedback, bool]:
    """Record actor's answer (and optional comment) about a published article; commits.

    Returns the row and whether it is new. Refused unless ARTICLE_FEEDBACK (signed in, active, published).
    """
    require(actor, Action.ARTICLE_FEEDBACK, article)
    comment = _checked(helpful, comment)
    created = _insert(actor, article, helpful, comment)
    if not created:
        _change(actor, article, helpful, comment)
    db.session.commit()
    row = db.session.scalar(select(ArticleFeedback).where(ArticleFeedback.article_id == article.id,
                                                           ArticleFeedback.user_id == actor.id))
    return row, created


def answer_of(viewer: User | None, article: Article) -> ArticleFeedback | None:
    """The viewer's current answer about the article, or None (signed out, or not answered yet)."""
    if not signed_in(viewer):
        return None
    return db.session.scalar(select(ArticleFeedback).where(ArticleFeedback.article_id == article.id,
                                                           ArticleFeedback.user_id == viewer.id))


def count_view(article: Article) -> None:
    """One more view of a published article (NotFound for any other); commits.

    The page sends the beacon (forum/static/kb_views.js) once per page load, so crawlers that run no
    JavaScript are not counted: a feature, since views are meant to count readers. The UPDATE goes to the
    session's connection rather than through session.execute, which forum.http.page_cache watches: the view
    count shows on no page a signed-out visitor sees, so one more view must not retire every cached page.
    """
    if article is None or article.status != ArticleStatus.PUBLISHED.value:
        raise NotFound(_("That article does not exist or is not published."))
    table = Article.__table__
    db.session.connection().execute(
        update(table).where(table.c.id == article.id).values(view_count=table.c.view_count + 1))
    db.session.commit()
