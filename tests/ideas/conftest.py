"""Fixtures the ideas tests share: staff, an ideas category, and an idea posted by its author "owner"."""

from __future__ import annotations

import pytest

from forum.models import Category, Idea, User


@pytest.fixture
def staff(make) -> User:
    return make.make_user(role="moderator", username="mona")


@pytest.fixture
def ideas_category(make) -> Category:
    return make.make_ideas_category(name="Feature ideas", slug="feature-ideas")


@pytest.fixture
def idea_author(make) -> User:
    return make.make_user(username="owner")


@pytest.fixture
def idea(make, ideas_category: Category, idea_author: User) -> Idea:
    return make.make_idea(author=idea_author, category=ideas_category, title="Export invoices as CSV")
