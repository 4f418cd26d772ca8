"""The demo's ideas board: the "Feature ideas" category holds ideas (forum.ideas), posted through
forum.ideas.post_idea by demo_story like the other threads, then voted for by members in the days after and
moved along the roadmap by staff.

Every step goes through the services (forum.ideas.vote, change_status) at its moment on the timeline, so
budgets, notifications to voters and the shipped idea's reputation happen as they would have. A member
whose votes are spent simply votes no more, as on the site.
"""

from __future__ import annotations

from datetime import timedelta

from forum.cli.demo_story import Plot, StoryWriter
from forum.core.errors import DomainError
from forum.ideas import change_status, vote
from forum.models import IDEA_KIND, Category, CategoryKind, IdeaStatus

# The status staff give the n-th idea of the story (cycled; None leaves it new), with the note voters read.
STATUS_STORY: tuple[tuple[IdeaStatus, str] | None, ...] = (
    (IdeaStatus.PLANNED, "We are planning this for the next app release."),
    None,
    (IdeaStatus.UNDER_REVIEW, "The product team is looking at how this would work."),
    (IdeaStatus.SHIPPED, "Shipped in app 6.2: update the app to try it. Thanks for the idea!"),
    None,
    (IdeaStatus.IN_PROGRESS, "Our developers are building this now."),
    (IdeaStatus.DECLINED, "Thanks, but this does not fit our plans for the coming year."),
    None,
)
MAX_VOTES = 9  # votes an idea gathers at most in the demo (members have ten each)


def make_ideas_category(category: Category) -> None:
    """The topic's category holds ideas: set before any thread is posted in it (the kind is fixed after)."""
    category.kind = CategoryKind.IDEAS.value


def is_idea(plot: Plot) -> bool:
    return plot.topic.kind == IDEA_KIND


def plan(writer: StoryWriter) -> None:
    """Votes in the days after each idea, and staff's status change for some, at their moments."""
    ideas = [plot for plot in writer.plots if is_idea(plot)]
    voters = writer.cast.askers + writer.cast.helpers
    for n, plot in enumerate(ideas):
        chosen = writer.rng.sample(voters, k=min(len(voters), writer.rng.randint(0, MAX_VOTES)))
        when = plot.moment + timedelta(hours=1)
        for voter in {user.id: user for user in chosen if user.id != plot.asker.id}.values():
            when += timedelta(minutes=writer.rng.randint(20, 12 * 60))
            _vote_at(writer, plot, voter, when)
        story = STATUS_STORY[n % len(STATUS_STORY)]
        if story is not None:
            _status_at(writer, plot, story, when + timedelta(hours=writer.rng.randint(2, 48)))


def _vote_at(writer: StoryWriter, plot: Plot, voter, when) -> None:
    def act() -> None:
        if plot.thread is None or plot.thread.idea is None:
            return
        writer.timeline.visit(voter)
        try:
            vote(voter, plot.thread.idea)
        except DomainError:  # the voter's budget is spent, or the idea closed meanwhile
            pass
    writer.timeline.at(when, act)


def _status_at(writer: StoryWriter, plot: Plot, story: tuple[IdeaStatus, str], when) -> None:
    status, note = story
    staff = writer.cast.moderator

    def act() -> None:
        if plot.thread is None or plot.thread.idea is None:
            return
        writer.timeline.visit(staff)
        change_status(staff, plot.thread.idea, status.value, note=note)
    writer.timeline.at(when, act)
