"""Admins keep tags tidy: describe a tag, rename it, and give it synonyms (merging is in forum.tagging.merging).

Every change is checked (Action.TAG_MANAGE), audited with the state before and after, and committed
once: all of it or nothing. A renamed tag keeps its old name as a synonym, so old links, feeds and
habits keep working. Tag names and synonym names never overlap: a name means exactly one tag.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core import clock
from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Tag, TagSynonym, User
from forum.services import audit_writer, indexing, markup
from forum.services.permissions import Action, require
from forum.tagging import lookups

MAX_DESCRIPTION_CHARS = 2000


def valid_name(field: str, raw: str) -> str:
    """A tag name as normalize_tags would store it; Invalid({field: [...]}) when it could not be a tag."""
    name = lookups.clean(raw)
    if not name:
        raise Invalid({field: [_("Write a tag name.")]})
    if not lookups.TAG_PATTERN.match(name):
        raise Invalid({field: [_("“%(tag)s” is not a valid tag: use up to 32 letters, digits, '-', '+', '#' or '.'.",
                                 tag=name[:40])]})
    return name


def _name_owner(name: str) -> tuple[Tag | None, TagSynonym | None]:
    """Who already uses name: a tag of that name, or a synonym of that name."""
    tag = db.session.scalar(select(Tag).where(Tag.name == name))
    synonym = db.session.scalar(select(TagSynonym).where(TagSynonym.name == name))
    return tag, synonym


def reindex_threads(thread_ids: list[int]) -> None:
    """Queue a search update for each thread (in this transaction: only if it commits)."""
    for thread_id in sorted(set(thread_ids)):
        indexing.reindex_thread(thread_id, db.session)


def reindex_articles(article_ids: list[int]) -> None:
    """Queue a search update for each published article (in this transaction: only if it commits)."""
    for article_id in sorted(set(article_ids)):
        indexing.reindex_article(article_id, db.session)


def describe(actor: User | None, tag: Tag, text: str) -> bool:
    """Set what the tag is for (Markdown, rendered once here); False when it already said so."""
    require(actor, Action.TAG_MANAGE, tag)
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise Invalid({"description": [_("Keep the description under %(max)d characters.", max=MAX_DESCRIPTION_CHARS)]})
    if "\x00" in text:
        raise Invalid({"description": [_("The description holds a character that cannot be stored.")]})
    if text == tag.description:
        return False
    before = {"description": tag.description}
    tag.description = text
    tag.description_html = markup.render_markdown(text) if text else ""
    audit_writer.record(actor, "tag.describe", "tag", tag.id, before=before, after={"description": text})
    db.session.commit()
    return True


def rename(actor: User | None, tag: Tag, new_name: str) -> bool:
    """Give the tag a new name; the old one becomes its synonym. False when the name is unchanged.

    A name another tag has is refused with the advice to merge; a synonym of this very tag may
    become its name (the two swap places), a synonym of another tag may not.
    """
    require(actor, Action.TAG_MANAGE, tag)
    name = valid_name("name", new_name)
    if name == tag.name:
        return False
    other, synonym = _name_owner(name)
    if other is not None:
        raise Invalid({"name": [_("“%(name)s” is already a tag: merge “%(tag)s” into it instead.",
                                  name=name, tag=tag.name)]})
    if synonym is not None and synonym.tag_id != tag.id:
        raise Invalid({"name": [_("“%(name)s” is a synonym of “%(other)s”: remove it there first, "
                                  "or merge “%(tag)s” into “%(other)s”.",
                                  name=name, other=synonym.tag.name, tag=tag.name)]})
    old = tag.name
    if synonym is not None:
        db.session.delete(synonym)
        db.session.flush()  # the old name may take the freed synonym row's place
    tag.name = name
    db.session.add(TagSynonym(name=old, tag_id=tag.id, created_at=clock.now()))
    reindex_threads(lookups.thread_ids_of(tag))
    reindex_articles(lookups.published_article_ids_of(tag))
    audit_writer.record(actor, "tag.rename", "tag", tag.id, before={"name": old}, after={"name": name})
    db.session.commit()
    return True


def add_synonym(actor: User | None, tag: Tag, raw_name: str) -> TagSynonym:
    """Another name that stands for the tag on input and in search; never a tag's name nor another synonym."""
    require(actor, Action.TAG_MANAGE, tag)
    name = valid_name("synonym", raw_name)
    other, synonym = _name_owner(name)
    if other is not None:
        refusal = _("“%(name)s” cannot be a synonym: that is this tag's own name.", name=name) if other.id == tag.id \
            else _("“%(name)s” cannot be a synonym: that is a tag of its own: merge “%(name)s” into “%(tag)s” instead.",
                   name=name, tag=tag.name)
        raise Invalid({"synonym": [refusal]})
    if synonym is not None:
        raise Invalid({"synonym": [_("“%(name)s” is already a synonym of “%(tag)s”.",
                                     name=name, tag=synonym.tag.name)]})
    row = TagSynonym(name=name, tag_id=tag.id, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    audit_writer.record(actor, "tag.synonym_add", "tag", tag.id, before={"synonyms": _names(tag, without=name)},
                        after={"synonyms": _names(tag)})
    db.session.commit()
    return row


def remove_synonym(actor: User | None, tag: Tag, synonym_id: int) -> None:
    """Stop mapping one synonym to the tag (threads keep their tag; the name is free again)."""
    require(actor, Action.TAG_MANAGE, tag)
    synonym = db.session.get(TagSynonym, synonym_id)
    if synonym is None or synonym.tag_id != tag.id:
        raise NotFound(_("That synonym does not belong to this tag."))
    before = _names(tag)
    db.session.delete(synonym)
    db.session.flush()
    audit_writer.record(actor, "tag.synonym_remove", "tag", tag.id, before={"synonyms": before},
                        after={"synonyms": _names(tag)})
    db.session.commit()


def _names(tag: Tag, without: str | None = None) -> list[str]:
    return [synonym.name for synonym in lookups.synonyms_of(tag) if synonym.name != without]
