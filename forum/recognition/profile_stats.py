"""What a member's profile shows of their standing: figures, progress to the next rank, badges, recent activity.

The figures count only what everyone can see (live, public posts in live, public threads), so they
are the same whoever looks and say nothing about hidden or deleted content; they mean what the
badges mean (forum.recognition.history). Recent activity is the member's latest posts the *viewer*
may read (forum.services.permissions), so a moderator sees more than a visitor and nobody sees
what they may not. A profile costs a fixed three statements however busy the member is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from forum.core.extensions import db
from forum.models import Post, Thread, ThreadKind, User, Visibility, Vote
from forum.recognition import badges, history, ranks
from forum.services.permissions import visible_posts

RECENT_ACTIVITY = 10


@dataclass(frozen=True)
class Figures:
    """A member's public record in numbers."""

    answers: int  # live replies to other people's questions
    solutions: int  # accepted solutions (User.solution_count: standing acceptance rows)
    helpful_votes: int  # helpful votes on their live posts, serial voting left out
    questions: int  # live questions they asked


@dataclass(frozen=True)
class Activity:
    """One recent post: a question asked, an answer (or a discussion reply) given, or an accepted solution."""

    post: Post
    kind: str  # "question" | "answer" | "reply" | "solution"

    @property
    def thread(self) -> Thread:
        return self.post.thread


@dataclass(frozen=True)
class Profile:
    figures: Figures
    progress: ranks.RankProgress
    badges: list[badges.Held]
    activity: list[Activity]


def member_profile(viewer: User | None, member: User) -> Profile:
    """Everything the profile shows of member's standing, as viewer may see it (three statements)."""
    return Profile(
        figures=figures_of(member),
        progress=ranks.progress_for(member.reputation),
        badges=badges.badges_of([member.id])[member.id],
        activity=recent_activity(viewer, member),
    )


def figures_of(member: User) -> Figures:
    """The member's answers, helpful votes received and questions, in one statement of three counts."""
    answers = (
        select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == member.id, *history.helping()).scalar_subquery()
    )
    voted, voted_thread = aliased(Post), aliased(Thread)
    votes = (
        select(func.count(Vote.user_id)).join(voted, voted.id == Vote.post_id)
        .join(voted_thread, voted_thread.id == voted.thread_id)
        .where(voted.author_id == member.id, *history.live_post(voted, voted_thread), history.honest_vote())
        .scalar_subquery()
    )
    public = Visibility.PUBLIC.value
    questions = (
        select(func.count(Thread.id))
        .where(Thread.author_id == member.id, Thread.kind == ThreadKind.QUESTION.value,
               Thread.deleted_at.is_(None), Thread.visibility == public)
        .scalar_subquery()
    )
    counted = db.session.execute(select(answers, votes, questions)).one()
    return Figures(answers=int(counted[0]), solutions=member.solution_count, helpful_votes=int(counted[1]),
                   questions=int(counted[2]))


def recent_activity(viewer: User | None, member: User, limit: int = RECENT_ACTIVITY) -> list[Activity]:
    """The member's latest posts the viewer may read, newest first, each with its thread (one statement)."""
    posts = db.session.scalars(
        visible_posts(viewer).options(joinedload(Post.thread)).where(Post.author_id == member.id)
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    ).all()
    return [Activity(post, _kind(post)) for post in posts]


def _kind(post: Post) -> str:
    if post.is_question:
        return "question"
    if post.thread.accepted_post_id == post.id:
        return "solution"
    answering = post.thread.kind == ThreadKind.QUESTION.value and post.author_id != post.thread.author_id
    return "answer" if answering else "reply"  # a follow-up in one's own question answers nobody (as the counts)
