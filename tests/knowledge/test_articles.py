"""Proposing and editing articles: who may, what is refused, and every save kept as a version."""

from __future__ import annotations

import pytest

from forum.core.errors import Forbidden, Invalid, NotFound
from forum.knowledge import articles
from forum.models import ArticleStatus


def _draft(category_id: int, **fields) -> articles.ArticleDraft:
    return articles.ArticleDraft(title=fields.pop("title", "Reset a forgotten password"),
                                 body=fields.pop("body", "Use **Forgot password** on the sign-in page."),
                                 category_id=category_id, **fields)


def test_a_member_with_the_privilege_proposes_a_draft_kept_as_version_one(make, proposer):
    category = make.make_category()
    article = articles.create_article(proposer, _draft(category.id, tags=["password", "sign-in"]))
    assert article.status == ArticleStatus.DRAFT.value
    assert article.owner_id == proposer.id and article.slug == "reset-a-forgotten-password"
    assert "<strong>Forgot password</strong>" in article.body_html
    assert [tag.name for tag in article.tags] == ["password", "sign-in"]
    assert [(v.number, v.title) for v in articles.versions(article)] == [(1, "Reset a forgotten password")]


def test_a_member_without_the_privilege_or_suspended_may_not_propose(make, clock_at):
    newcomer = make.make_user(reputation=999)
    with pytest.raises(Forbidden):
        articles.create_article(newcomer, _draft(make.make_category().id))
    advocate = make.make_user(role="advocate")
    assert articles.create_article(advocate, _draft(make.make_category().id)).author_id == advocate.id


def test_bad_input_is_refused_with_every_reason_and_nothing_stored(make, proposer):
    with pytest.raises(Invalid) as refused:
        articles.create_article(proposer, articles.ArticleDraft(title="short", body=" ", category_id=None))
    assert set(refused.value.errors) == {"title", "body", "category_id"}


def test_each_real_change_is_a_new_version_and_saving_nothing_new_stores_nothing(make, proposer):
    article = articles.create_article(proposer, _draft(make.make_category().id))
    articles.edit_article(proposer, article, articles.ArticleChange(body="Use the reset link we email you.",
                                                                    note="Simpler"))
    articles.edit_article(proposer, article, articles.ArticleChange(body="Use the reset link we email you."))
    history = articles.versions(article)
    assert [(v.number, v.note) for v in history] == [(2, "Simpler"), (1, "")]
    assert history[1].body == "Use **Forgot password** on the sign-in page."
    assert articles.version(article, 2).body == article.body == "Use the reset link we email you."
    with pytest.raises(NotFound):
        articles.version(article, 3)


def test_drafts_look_absent_to_other_members_and_visitors(make, proposer, staff):
    article = articles.create_article(proposer, _draft(make.make_category().id))
    for stranger in (None, make.make_user(reputation=5000)):
        with pytest.raises(NotFound):
            articles.visible_article(stranger, article.id)
    assert articles.visible_article(staff, article.id) is article
    assert articles.visible_article(proposer, article.id) is article
