"""What a member earns when staff publish an article they proposed, and its exact undo when it is withdrawn.

One ARTICLE_PUBLISHED ledger row per article while it stands (knowledge.published_points, naming the
article and the thread it was born from), so publishing again after an archive pays nothing more; a
withdrawal reverses the row, after which publishing again pays again. Staff write articles as part of
their job and earn nothing for them, as for case work. The ledger's own job
(recognition.check_user, queued by every award) then grants the Author badge. Callers commit.
"""

from __future__ import annotations

from forum.core.extensions import db
from forum.models import Article, Correction, LedgerReason, ReputationEvent, Thread, User
from forum.recognition.reputation import award, lock_users, reverse_rows, standing_rows
from forum.services import community_settings


def _standing_credit(article: Article) -> list[ReputationEvent]:
    return standing_rows(ReputationEvent.article_id == article.id,
                         ReputationEvent.reason == LedgerReason.ARTICLE_PUBLISHED.value)


def on_article_published(article: Article, publisher: User | None) -> ReputationEvent | None:
    """Pay the author of a published proposal once; None when nothing is due (staff author, already paid).

    The author's row is locked first (PostgreSQL), so two publications racing each other pay once.
    """
    author = db.session.get(User, article.author_id)
    if author is None or author.is_staff or author.anonymized_at is not None:
        return None
    lock_users([author.id])
    if _standing_credit(article):
        return None
    thread = db.session.get(Thread, article.source_thread_id) if article.source_thread_id is not None else None
    points = int(community_settings.cached_setting("knowledge.published_points"))
    return award(author.id, LedgerReason.ARTICLE_PUBLISHED, thread=thread, actor=publisher, points=points,
                 article_id=article.id)


def on_article_withdrawn(article: Article, actor: User | None = None) -> int:
    """Reverse what publishing the article paid (its standing row); returns how many reversals were written."""
    return reverse_rows(_standing_credit(article), actor, Correction.WITHDRAWN)
