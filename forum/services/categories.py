"""Categories: the sections of the community, managed by admins."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Category, Thread, User
from forum.services.errors import Conflict, ErrorCollector, NotFound
from forum.services.permissions import Action, require

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CategoryInput:
    slug: str
    name: str
    description: str = ""
    position: int = 0


def _validate(data: CategoryInput) -> None:
    errors = ErrorCollector()
    if not SLUG_PATTERN.match(data.slug or "") or len(data.slug) > 64:
        errors.add("slug", "Use lowercase letters, digits and single dashes (up to 64).")
    if not 1 <= len((data.name or "").strip()) <= 80:
        errors.add("name", "Give the category a name of up to 80 characters.")
    if len(data.description or "") > 2000:
        errors.add("description", "Use at most 2,000 characters.")
    if not isinstance(data.position, int) or not -10000 <= data.position <= 10000:
        errors.add("position", "Use a whole number from -10000 to 10000.")
    errors.raise_if_any()


def _ensure_slug_free(slug: str, exclude_id: int | None = None) -> None:
    query = select(Category.id).where(Category.slug == slug)
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    if db.session.scalar(query):
        raise Conflict("That slug is already used.", {"slug": ["That slug is already used."]})


def create_category(actor: User, data: CategoryInput) -> Category:
    require(actor, Action.CATEGORY_MANAGE)
    _validate(data)
    _ensure_slug_free(data.slug)
    category = Category(
        slug=data.slug, name=data.name.strip(), description=data.description.strip(), position=data.position
    )
    db.session.add(category)
    db.session.commit()
    return category


def update_category(actor: User, category: Category, data: CategoryInput) -> Category:
    require(actor, Action.CATEGORY_MANAGE)
    _validate(data)
    _ensure_slug_free(data.slug, exclude_id=category.id)
    category.slug, category.name = data.slug, data.name.strip()
    category.description, category.position = data.description.strip(), data.position
    db.session.commit()
    return category


def list_categories() -> list[tuple[Category, int]]:
    """Every category in display order with its count of live threads (one query)."""
    counts = (
        select(Thread.category_id, func.count(Thread.id).label("n"))
        .where(Thread.deleted_at.is_(None))
        .group_by(Thread.category_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Category, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.name)
    )
    return [(category, count) for category, count in rows]


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound("No such category.")
    return category


def get_category_by_slug(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound("No such category.")
    return category
