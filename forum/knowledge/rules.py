"""Who may read, propose, edit, submit, publish, archive and rate an article (installed with
permissions.register_rules from forum.knowledge.init_app).

Published and archived articles are public (archived ones reachable by link, with a notice, and absent
from search and lists); drafts and articles in review are seen only by their author and staff, and a
refusal looks like absence (ARTICLE_VIEW is hidden when refused). An article staff archived without ever
publishing it (a proposal turned down) stays as private as the draft it was: archiving is no way to
publish, and its text may hold what review would have removed. Proposing needs the article privilege:
staff, advocates, or knowledge.propose_reputation. Nobody writes while suspended or unverified (is_active).
"""

from __future__ import annotations

from typing import Any

from forum.models import Article, ArticleStatus, User
from forum.services import community_settings
from forum.services.permissions import Action, advocate_or_reputation, is_active, is_staff, signed_in


def _status(article: Article) -> ArticleStatus:
    return ArticleStatus(article.status)


def _is_author(user: User | None, article: Article) -> bool:
    return signed_in(user) and article.author_id == user.id


def is_public(article: Article) -> bool:
    """Anyone may read it: published, or archived after having been published (published_at is kept)."""
    status = _status(article)
    if status is ArticleStatus.ARCHIVED:
        return article.published_at is not None
    return status.is_public


def may_view(user: User | None, article: Article | None) -> bool:
    if article is None:
        return False
    return is_public(article) or is_staff(user) or _is_author(user, article)


def holds_article_privilege(user: User | None) -> bool:
    """Staff, advocates, or members with the reputation the setting names (domain.md's privilege table)."""
    return advocate_or_reputation(user, community_settings.cached_setting("knowledge.propose_reputation"))


def may_propose(user: User | None, _target: Any = None) -> bool:
    return holds_article_privilege(user)


def may_edit(user: User | None, article: Article | None) -> bool:
    if article is None or not is_active(user):
        return False
    status = _status(article)
    if is_staff(user):
        return status is not ArticleStatus.ARCHIVED
    return _is_author(user, article) and status in (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW)


def may_submit(user: User | None, article: Article | None) -> bool:
    return (article is not None and is_active(user) and _status(article) is ArticleStatus.DRAFT
            and (is_staff(user) or _is_author(user, article)))


def may_publish(user: User | None, article: Article | None) -> bool:
    return article is not None and is_active(user) and is_staff(user) \
        and _status(article) is not ArticleStatus.PUBLISHED


def may_archive(user: User | None, article: Article | None) -> bool:
    return article is not None and is_active(user) and is_staff(user) \
        and _status(article) is not ArticleStatus.ARCHIVED


def may_give_feedback(user: User | None, article: Article | None) -> bool:
    return article is not None and is_active(user) and _status(article) is ArticleStatus.PUBLISHED


def may_manage(user: User | None, _target: Any = None) -> bool:
    return is_active(user) and is_staff(user)


RULES = {
    Action.ARTICLE_VIEW: may_view,
    Action.ARTICLE_PROPOSE: may_propose,
    Action.ARTICLE_EDIT: may_edit,
    Action.ARTICLE_SUBMIT: may_submit,
    Action.ARTICLE_PUBLISH: may_publish,
    Action.ARTICLE_ARCHIVE: may_archive,
    Action.ARTICLE_FEEDBACK: may_give_feedback,
    Action.ARTICLE_MANAGE: may_manage,
}
