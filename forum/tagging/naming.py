"""Tags as members type them: checked, lower-cased and mapped from synonyms (normalize_tags), then found or
created (tags_by_name). Every writer of tags goes through these: questions, ideas, articles and imports.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Tag
from forum.models.content import TagSynonym
from forum.tagging import lookups

MAX_TAGS = 5


def normalize_tags(errors: ErrorCollector, raw_tags: list[str] | str) -> list[str]:
    """Lower-cased tags, each synonym replaced by its tag (forum.tagging), de-duplicated; reports each bad one.

    The limit counts tags after mapping: "password, pwd" is one tag.
    """
    if isinstance(raw_tags, str):
        raw_tags = re.split(r"[,\s]+", raw_tags)
    names: list[str] = []
    for raw in raw_tags:
        if not isinstance(raw, str):
            errors.add("tags", _("Tags must be text."))
            continue
        tag = raw.strip().lower()
        if not tag or tag in names:
            continue
        if not lookups.TAG_PATTERN.match(tag):
            errors.add("tags", _("“%(tag)s” is not a valid tag: use up to 32 letters, digits, '-', '+', '#' or '.'.",
                                 tag=tag[:40]))
        names.append(tag)
    synonyms = lookups.canonical_names(names)
    tags = list(dict.fromkeys(synonyms.get(name, name) for name in names))
    if len(tags) > MAX_TAGS:
        errors.add("tags", _("Use at most %(max)d tags.", max=MAX_TAGS))
    return tags


def tags_by_name(names: list[str]) -> list[Tag]:
    """The tags named (a synonym stands for its tag), created when new; each tag once, in the order named."""
    names = [name.strip().lower() for name in names]
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    unknown = [name for name in names if name not in existing]
    if unknown:  # synonyms are looked up only for names that are not tags (normalize_tags mapped them already)
        for synonym in db.session.scalars(select(TagSynonym).where(TagSynonym.name.in_(unknown))):
            existing[synonym.name] = synonym.tag
    for name in names:
        if name not in existing:
            existing[name] = Tag(name=name)
            db.session.add(existing[name])
    return list(dict.fromkeys(existing[name] for name in names))
