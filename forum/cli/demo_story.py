"""The demo's threads as stories: a question, the replies it gets, the answer its asker accepts, the votes.

Each story is drawn from the seeded random generator up front (so the demo is the same every time)
and handed to the timeline as actions at their moments (forum.cli.demo_timeline). The community the
demo shows keeps up, as one using the product would: a question older than the first-reply target got
a reply, and one older than the solution target ends solved, so the first SLA sweep after seeding finds
(almost) nothing to escalate. The few questions that did need support are demo_cases' stories.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from forum.cli.demo_content import (
    BUMPS,
    CLOSINGS,
    DISCUSSION_REPLIES,
    FIRST_TRIES,
    GREETINGS,
    INFO_QUESTIONS,
    OPENERS,
    SECONDS,
    SINCE,
    STAFF_OPENERS,
    STILL_STUCK,
    THANKS,
    TITLE_FORMS,
    Issue,
    Topic,
)
from forum.cli.demo_timeline import Timeline
from forum.core.extensions import db
from forum.ideas import NewIdea, post_idea
from forum.models import IDEA_KIND, Category, Post, Role, Thread, ThreadKind, User
from forum.services import needs_info, posting, qa

SOLVED_WHEN_RECENT = 0.45  # younger questions, still inside the solution target, are solved this often
Line = tuple[User, str, bool]  # who writes, what, and whether it is the answer that solves the question


@dataclass
class Cast:
    """The seeded people, grouped by what they do in the demo."""

    admin: User
    moderator: User
    askers: list[User]
    helpers: list[User]
    staff: list[User]
    agents: list[User]
    advocates: list[User]
    everyone: list[User]


@dataclass(frozen=True)
class Targets:
    """The community's SLA targets when the demo is seeded (the sweeper's settings)."""

    first_reply: timedelta
    solution: timedelta


@dataclass
class Plot:
    """One thread's story: what it is about, who asked, and (once told) the thread and its solving answer."""

    topic: Topic
    category: Category
    issue: Issue
    asker: User
    moment: datetime
    thread: Thread | None = None
    fix: Post | None = None


def first_name(user: User) -> str:
    return user.name.split()[0]


@dataclass
class StoryWriter:
    """Plans threads and their conversations on the timeline; the actions go through the real services."""

    rng: random.Random
    cast: Cast
    timeline: Timeline
    targets: Targets
    on_thread: Callable[[], None]  # a thread was written (the command's progress bar moves)
    plots: list[Plot] = field(default_factory=list)
    replies: int = 0
    _decks: dict[str, list[Issue]] = field(default_factory=dict)

    # -- the actions, scheduled at their moments -------------------------------------------------------

    def start(self, plot: Plot, data: posting.NewThread) -> None:
        def act() -> None:
            self.timeline.visit(plot.asker)
            if plot.topic.kind == IDEA_KIND:  # an ideas category takes ideas only (forum.cli.demo_ideas)
                plot.thread = post_idea(plot.asker, NewIdea(data.category_id, data.title, data.body,
                                                            list(data.tags))).thread
            else:
                plot.thread = posting.start_thread(plot.asker, data)
            self.on_thread()
        self.plots.append(plot)
        self.timeline.at(plot.moment, act)

    def reply(self, plot: Plot, when: datetime, author: User, body: str, *, fix: bool = False) -> bool:
        def act() -> None:
            self.timeline.visit(author)
            self.reply_now(plot, author, body, fix=fix)
        return self.timeline.at(when, act)

    def reply_now(self, plot: Plot, author: User, body: str, *, fix: bool = False) -> Post:
        """Write a reply (inside a scheduled action); fix: it is the answer that solves the question."""
        post = posting.reply_to_thread(author, plot.thread, body)
        self.replies += 1
        plot.fix = post if fix else plot.fix
        return post

    def accept(self, plot: Plot, when: datetime) -> bool:
        def act() -> None:
            if plot.fix is not None and plot.thread.accepted_post_id is None:
                self.timeline.visit(plot.asker)
                qa.accept_solution(plot.asker, plot.thread, plot.fix)
        return self.timeline.at(when, act)

    # -- planning ------------------------------------------------------------------------------------------

    def compose(self, topic: Topic, category: Category, issue: Issue, *, plain_title: bool = False
                ) -> posting.NewThread:
        """A question body: what happens, on what, what was tried, any error output."""
        rng = self.rng
        is_problem = topic.kind == ThreadKind.QUESTION.value and not issue.title.endswith("?")
        title = issue.title
        if is_problem and not plain_title:
            title = rng.choice(TITLE_FORMS).format(title=issue.title, setup=issue.setup)
        parts = [f"{rng.choice(GREETINGS)}{issue.symptom}", f"**Using:** {issue.setup}"]
        if is_problem:
            parts[0] += f" It started {rng.choice(SINCE)}."
            steps = rng.sample(topic.tried, k=rng.randint(1, min(3, len(topic.tried))))
            parts.append("What I've tried so far:\n\n" + "\n".join(f"- {step}" for step in steps))
        if issue.error:
            parts.append(f"This is what I see:\n\n```\n{issue.error}\n```")
        parts.append(rng.choice(CLOSINGS))
        tags = rng.sample(topic.tags, k=rng.randint(1, 2))
        return posting.NewThread(category.id, title, "\n\n".join(parts), tags=tags, kind=topic.kind)

    def thread(self, index: int, moment: datetime, topic: Topic, category: Category) -> None:
        """One thread of the everyday community: a discussion, or a question and how it went."""
        rng = self.rng
        plot = Plot(topic, category, self._next_issue(topic), rng.choice(self.cast.askers), moment)
        self.start(plot, self.compose(topic, category, plot.issue))
        if topic.kind != ThreadKind.QUESTION.value:
            last = self._discussion(plot)
        else:
            last = self._question(index, plot)
        if last is not None:
            self._votes_at(plot, last + timedelta(minutes=20))
            if index % 15 == 7:
                self._removed_spam(plot, last + timedelta(minutes=30))

    def _next_issue(self, topic: Topic) -> Issue:
        """The topic's issues dealt like cards, each once before any comes again, so subjects vary."""
        deck = self._decks.setdefault(topic.slug, [])
        if not deck:
            deck.extend(self.rng.sample(topic.issues, k=len(topic.issues)))
        return deck.pop()

    def _question(self, index: int, plot: Plot) -> datetime | None:
        """Replies within the first-reply target for most (slower in some categories); old ones end solved."""
        rng, age = self.rng, self.timeline.anchor - plot.moment
        first = plot.moment + self._first_reply_delay(plot.topic)
        if age >= self.targets.first_reply and first >= self.timeline.anchor - timedelta(minutes=5):
            # Older than the target: someone replied in time (the sweeper would have escalated it otherwise).
            latest = min(age, self.targets.first_reply).total_seconds() - 600
            first = plot.moment + timedelta(seconds=rng.uniform(300, max(301, latest)))
        if first >= self.timeline.anchor:
            self._maybe_bump(plot)
            return None
        must_solve = age >= self.targets.solution - timedelta(hours=2)
        if not must_solve and index % 9 == 4:
            return self._needs_info(plot, first)
        solved = must_solve or rng.random() < SOLVED_WHEN_RECENT
        deadline = plot.moment + self.targets.solution - timedelta(hours=3) if must_solve else None
        told, last = self._play(plot, first, self._script(plot, solved), deadline)
        if solved and told:  # the asker accepts right after saying it worked (if that happened yet)
            self.accept(plot, last + timedelta(minutes=rng.randint(1, 4)))
        return last

    def _first_reply_delay(self, topic: Topic) -> timedelta:
        """Mostly well inside the target (most within the hour); the category's slow share comes later."""
        target_min = self.targets.first_reply.total_seconds() / 60
        if self.rng.random() < topic.in_time:
            return timedelta(minutes=4 + (target_min - 15) * self.rng.random() ** 2)
        return timedelta(minutes=self.rng.uniform(target_min * 1.05, target_min * 5))

    def _helper(self, asker: User, *, avoid: User | None = None, staff_share: float = 0.25) -> User:
        pool = self.cast.staff if self.rng.random() < staff_share else self.cast.helpers
        choices = [user for user in pool if user.id != asker.id and (avoid is None or user.id != avoid.id)]
        return self.rng.choice(choices or self.cast.helpers)

    def _answer(self, author: User, plot: Plot) -> str:
        """The answer that solves it, in a staff member's or a peer's words."""
        if author.role in (Role.MODERATOR.value, Role.AGENT.value, Role.ADMIN.value):
            greeting = f"Hi {first_name(plot.asker)}, {self.rng.choice(STAFF_OPENERS).lower()}"
            return f"{greeting}\n\n{plot.issue.fix}"
        return f"{self.rng.choice(OPENERS)}\n\n{plot.issue.fix}".strip()

    def _script(self, plot: Plot, solved: bool) -> list[Line]:
        """Perhaps a first try that does not help, the answer that does, someone agreeing, the asker's word."""
        rng, asker = self.rng, plot.asker
        lines: list[Line] = []
        helper = self._helper(asker)
        if rng.random() < 0.3:
            lines.append((helper, rng.choice(FIRST_TRIES), False))
            lines.append((asker, rng.choice(STILL_STUCK).format(helper=first_name(helper)), False))
            helper = self._helper(asker, avoid=helper)
        lines.append((helper, self._answer(helper, plot), True))
        if rng.random() < 0.35:
            second = self._helper(asker, avoid=helper, staff_share=0)
            lines.append((second, rng.choice(SECONDS).format(helper=helper.name), False))
        if solved:
            lines.append((asker, rng.choice(THANKS).format(helper=first_name(helper)), False))
        elif rng.random() < 0.6:
            lines.append((asker, rng.choice(STILL_STUCK).format(helper=first_name(helper)), False))
        return lines

    def _play(self, plot: Plot, first: datetime, lines: list[Line], deadline: datetime | None
              ) -> tuple[bool, datetime]:
        """Schedule the lines from first on, minutes to hours apart (squeezed to end by deadline).

        Returns whether every line happened before now, and when the last one that did was written.
        """
        gaps = [timedelta(minutes=self.rng.randint(10, 6 * 60)) for _ in lines[1:]]
        if deadline is not None and gaps and first + sum(gaps, timedelta()) > deadline:
            room = max(deadline - first, timedelta(minutes=10 * len(gaps)))
            scale = room / sum(gaps, timedelta())
            gaps = [gap * scale for gap in gaps]
        when, last, told = first, first, True
        for n, (author, body, fix) in enumerate(lines):
            if self.reply(plot, when, author, body, fix=fix):
                last = when
            else:
                told = False
            when += gaps[n] if n < len(gaps) else timedelta()
        return told, last

    def _discussion(self, plot: Plot) -> datetime | None:
        """An idea: people agree and add to it over the following days; staff say it reached the product team."""
        rng = self.rng
        when = plot.moment + timedelta(minutes=rng.randint(20, 8 * 60))
        last = None
        for turn in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            author = self._helper(plot.asker, staff_share=0.15)
            body = plot.issue.fix if turn == 0 else rng.choice(DISCUSSION_REPLIES)
            if self.reply(plot, when, author, body):
                last = when
            when += timedelta(minutes=rng.randint(30, 36 * 60))
        return last

    def _needs_info(self, plot: Plot, first: datetime) -> datetime:
        """Staff ask the asker for details; the question waits for them (its SLA clock paused)."""
        staff = self.rng.choice(self.cast.staff)
        self.reply(plot, first, staff, f"Hi {first_name(plot.asker)}. {self.rng.choice(INFO_QUESTIONS)}")
        note = "Waiting for the details staff asked for in the thread."

        def act() -> None:
            self.timeline.visit(staff)
            needs_info.request_info(staff, plot.thread, note)
        self.timeline.at(first + timedelta(minutes=1), act)
        return first

    def _maybe_bump(self, plot: Plot) -> None:
        """Some askers bump their own unanswered question; it stays unanswered."""
        age = self.timeline.anchor - plot.moment
        if age > timedelta(hours=1) and self.rng.random() < 0.4:
            after = self.rng.uniform(0.5, 0.9) * age.total_seconds()
            self.reply(plot, plot.moment + timedelta(seconds=after), plot.asker, self.rng.choice(BUMPS))

    def _votes_at(self, plot: Plot, when: datetime) -> None:
        """Helpful votes soon after the activity: the asker on the answer that helped, others who agree."""
        voters = self.cast.helpers + self.cast.askers

        def act() -> None:
            thread = plot.thread
            rng = random.Random(f"votes:{thread.title}")  # nosec B311  # seeded demo data
            posts = [p for p in db.session.scalars(select(Post).where(Post.thread_id == thread.id)) if p.is_public]
            for post in posts:
                accepted = post.id == thread.accepted_post_id
                # An idea's own text takes idea votes (forum.cli.demo_ideas), never helpful votes.
                helpful = (post.is_question and thread.kind != IDEA_KIND) or accepted
                wanted = rng.choice((0, 0, 1, 1, 2, 3)) if helpful else 0
                chosen = ([thread.author] if accepted else []) + rng.sample(voters, k=min(wanted, len(voters)))
                for voter in {user.id: user for user in chosen if user.id != post.author_id}.values():
                    self.timeline.visit(voter)
                    qa.vote_helpful(voter, post)
        self.timeline.at(when, act)

    def _removed_spam(self, plot: Plot, when: datetime) -> None:
        """A spam reply a moderator removed, so deleted posts exist for staff views and counters."""
        spammer = self.cast.askers[-1]
        if not self.reply(plot, when, spammer, "Cheap followers!!! Visit https://spam.example.com"):
            return
        self.replies -= 1  # removed: not part of the conversation

        def act() -> None:
            post = db.session.scalar(select(Post).where(Post.thread_id == plot.thread.id, Post.author_id == spammer.id)
                                     .order_by(Post.id.desc()).limit(1))
            self.timeline.visit(self.cast.moderator)
            posting.delete_post(self.cast.moderator, post, reason="Spam")
        self.timeline.at(when + timedelta(minutes=self.rng.randint(1, 20)), act)
