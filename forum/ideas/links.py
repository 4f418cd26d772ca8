"""Staff link the questions and cases that mention an idea to it, so the ideas report shows what asks for it.

Links are attached by staff only (IDEA_MANAGE); nothing finds them by itself. A link names exactly one
question (a thread the actor may see, not an idea) or one case (one the actor may open); attaching the same
one twice answers the link already there, so a double click or two staff at once never make two (the
unique keys decide a race). Attaching and detaching are audited against the idea, as its status changes are.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.core import clock
from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import IDEA_KIND, Case, Idea, IdeaLink, Thread, User
from forum.services import audit_writer
from forum.services.permissions import Action, can, require, visible_threads


def attach(actor: User, idea: Idea, *, thread_id: int | None = None, case_id: int | None = None) -> IdeaLink:
    """Link one question or one case to the idea (the existing link when it is there already). Commits."""
    require(actor, Action.IDEA_MANAGE, idea)
    target = _checked_target(actor, idea, thread_id, case_id)
    existing = _existing(idea, target)
    if existing is not None:
        return existing
    link = IdeaLink(idea_id=idea.thread_id, added_by_id=actor.id, created_at=clock.now(), **target)
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:  # attached by someone else since _existing looked: theirs is the link
        found = _existing(idea, target)
        if found is None:
            raise
        return found
    audit_writer.record(actor, "idea.link", "thread", idea.thread_id, after=target)
    db.session.commit()
    return link


def detach(actor: User, link_id: int, *, idea: Idea | None = None) -> None:
    """Remove a link (NotFound when there is none with this id, or, given idea, not one of that idea's). Commits."""
    require(actor, Action.IDEA_MANAGE)
    link = db.session.get(IdeaLink, link_id)
    if link is None or (idea is not None and link.idea_id != idea.thread_id):
        raise NotFound(_("That link does not exist."))
    before = {"thread_id": link.thread_id} if link.thread_id is not None else {"case_id": link.case_id}
    audit_writer.record(actor, "idea.unlink", "thread", link.idea_id, before=before)
    db.session.delete(link)
    db.session.commit()


def links_of(idea: Idea) -> list[IdeaLink]:
    """The idea's links, oldest first."""
    return list(db.session.scalars(select(IdeaLink).where(IdeaLink.idea_id == idea.thread_id)
                                   .order_by(IdeaLink.created_at, IdeaLink.id)))


def links_for(idea_ids: list[int]) -> dict[int, list[tuple[IdeaLink, str | None, str | None]]]:
    """idea id → its links, oldest first, each with its question's title and slug (None for a case): the
    report's rows in one statement, whatever the number of ideas."""
    if not idea_ids:
        return {}
    rows = db.session.execute(
        select(IdeaLink, Thread.title, Thread.slug).outerjoin(Thread, Thread.id == IdeaLink.thread_id)
        .where(IdeaLink.idea_id.in_(idea_ids)).order_by(IdeaLink.created_at, IdeaLink.id))
    found: dict[int, list[tuple[IdeaLink, str | None, str | None]]] = {idea_id: [] for idea_id in idea_ids}
    for link, title, slug in rows:
        found[link.idea_id].append((link, title, slug))
    return found


def _checked_target(actor: User, idea: Idea, thread_id: int | None, case_id: int | None) -> dict[str, int]:
    """{"thread_id": id} or {"case_id": id}, after checking the actor may see it; Invalid otherwise."""
    if (thread_id is None) == (case_id is None):
        raise Invalid({"thread_id": [_("Name one question or one case to link.")]})
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None or not can(actor, Action.CASE_VIEW, case):
            raise Invalid({"case_id": [_("There is no such case, or you cannot open it.")]})
        return {"case_id": case_id}
    if thread_id == idea.thread_id:
        raise Invalid({"thread_id": [_("An idea cannot be linked to itself.")]})
    kind = db.session.scalar(visible_threads(actor).with_only_columns(Thread.kind)
                             .where(Thread.id == thread_id, Thread.deleted_at.is_(None)))  # staff see deleted ones
    if kind is None:
        raise Invalid({"thread_id": [_("There is no such question, or you cannot see it.")]})
    if kind == IDEA_KIND:
        raise Invalid({"thread_id": [_("Link a question; to join two ideas, mark one a duplicate.")]})
    return {"thread_id": thread_id}


def _existing(idea: Idea, target: dict[str, int]) -> IdeaLink | None:
    column, value = next(iter(target.items()))
    return db.session.scalar(select(IdeaLink).where(IdeaLink.idea_id == idea.thread_id,
                                                    getattr(IdeaLink, column) == value))
