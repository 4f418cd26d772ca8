"""Merge one tag into another: its threads, articles, followers and synonyms move, its name becomes a synonym,
it is gone.

One transaction: the thread links, subscriptions and synonyms move by a few set-based statements,
the source tag is deleted, the audit entry is written and the moved threads are queued for a search
update, all committed together or not at all.

- A thread carrying both tags keeps one link (to the target); no thread gains a tag count. Knowledge-base
  articles move the same way (deleting the source would otherwise drop its article links); the published
  ones are queued for a search update, since their documents name the tag.
- A follower of the source follows the target, unless they already have a row for the target: that
  row, watching or muted, is their own later choice about the target and is kept as it is. A muted
  (unfollowed) source row moves as muted, so an explicit "not interested" survives the merge.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Subscription, Tag, TagSynonym, User, article_tag
from forum.models.content import thread_tag
from forum.services import audit_writer
from forum.services.permissions import Action, require
from forum.tagging import lookups, service


def merge(actor: User | None, source: Tag, target: Tag) -> Tag:
    """Fold source into target and delete source; returns target."""
    require(actor, Action.TAG_MANAGE, source)
    if source.id == target.id:
        raise Invalid({"target": [_("Choose another tag to merge into.")]})
    db.session.flush()  # the statements below change rows under the ORM: nothing may be left unflushed
    before = {"name": source.name, "threads": len(lookups.thread_ids_of(source)),
              "followers": lookups.follower_count(source), "synonyms": [s.name for s in lookups.synonyms_of(source)]}
    moved_articles = _move_links(article_tag, article_tag.c.article_id, source, target)
    moved_threads = _move_threads(source, target)
    moved_followers = _move_followers(source, target)
    db.session.execute(update(TagSynonym).where(TagSynonym.tag_id == source.id).values(tag_id=target.id))
    name = source.name
    source_id = source.id
    db.session.delete(source)
    db.session.flush()
    db.session.add(TagSynonym(name=name, tag_id=target.id, created_at=clock.now()))
    service.reindex_threads(moved_threads)
    service.reindex_articles([i for i in lookups.published_article_ids_of(target) if i in set(moved_articles)])
    audit_writer.record(actor, "tag.merge", "tag", source_id, before=before,
                        after={"into": target.name, "into_id": target.id, "threads_moved": len(moved_threads),
                               "followers_moved": moved_followers})
    db.session.commit()
    return target


def _move_threads(source: Tag, target: Tag) -> list[int]:
    """Re-link source's threads to target (those already with target keep their one link); their ids."""
    return _move_links(thread_tag, thread_tag.c.thread_id, source, target)


def _move_links(table, owner, source: Tag, target: Tag) -> list[int]:
    """Re-link the rows (threads or articles: owner is the link table's column naming them) tagged with source
    to target; those already with target keep their one link. Returns the owners' ids."""
    owner_ids = list(db.session.scalars(select(owner).where(table.c.tag_id == source.id)))
    if not owner_ids:
        return []
    has_target = set(db.session.scalars(select(owner).where(table.c.tag_id == target.id, owner.in_(owner_ids))))
    db.session.execute(delete(table).where(table.c.tag_id == source.id))
    missing = [{owner.key: owner_id, "tag_id": target.id} for owner_id in owner_ids if owner_id not in has_target]
    if missing:
        db.session.execute(insert(table), missing)
    db.session.expire_all()  # loaded threads' and articles' tag lists changed under the ORM
    return owner_ids


def _move_followers(source: Tag, target: Tag) -> int:
    """Source's subscriptions move to target unless their member already has a row for target; how many moved."""
    already = select(Subscription.user_id).where(Subscription.tag_id == target.id).scalar_subquery()
    moved = db.session.execute(
        update(Subscription)
        .where(Subscription.tag_id == source.id, Subscription.user_id.not_in(already))
        .values(tag_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(delete(Subscription).where(Subscription.tag_id == source.id)
                       .execution_options(synchronize_session=False))
    return moved
