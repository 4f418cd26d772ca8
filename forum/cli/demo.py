"""Demo seeding: a realistic, deterministic support community for `make run` and manual testing.

Everything goes through the real services (accounts, categories, posting) with the clock
frozen at plausible moments, so HTML is rendered and counters stay exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from forum import accounts
from forum.cli.demo_content import (
    BUMPS,
    CLOSINGS,
    EXTRA_ROLES,
    FIRST_NAMES,
    FOLLOW_UPS,
    GREETINGS,
    NAMED_USERS,
    OPENERS,
    OUTAGE_QUESTIONS,
    SECONDS,
    SINCE,
    STAFF_OPENERS,
    SURNAME_INITIALS,
    TITLE_FORMS,
    TOPICS,
    Issue,
    Topic,
)
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import Category, Mission, Post, Role, Thread, ThreadKind, ThreadStatus, User
from forum.recognition import missions
from forum.services import categories, community_settings, posting, qa

DEMO_PASSWORD = "horseshoe-demo"  # nosec B105  # demo accounts' documented password
DEMO_DOMAIN = "demo.horseshoe"
STAFF_TWO_FACTOR = "accounts.staff_require_2fa"
SEED = 20261120
SPAN_DAYS = 60
UNANSWERED_SHARE = 0.2
Progress = Callable[[int], None]


@dataclass
class DemoSummary:
    """What seed_demo created, and how to sign in."""

    categories: int = 0
    users: int = 0
    threads: int = 0
    replies: int = 0
    unanswered: int = 0
    password: str = DEMO_PASSWORD
    sign_ins: list[tuple[str, str]] = field(default_factory=list)  # (role, email)
    staff_two_factor: bool = True  # whether staff must enrol in two-factor sign-in (the demo turns it off)


@dataclass
class _Cast:
    """The seeded people, grouped by what they do in the demo."""

    admin: User
    moderator: User
    askers: list[User]
    helpers: list[User]
    staff: list[User]


def demo_steps(threads: int = 150, users: int = 30) -> int:
    """How many progress units seed_demo reports (one per user and per thread)."""
    return threads + users


def seed_demo(progress: Progress | None = None, *, threads: int = 150, users: int = 30) -> DemoSummary:
    """Fill the database with a demo community of past activity; deterministic for a given size.

    The clock is frozen at each post's moment so the history spreads over the last
    SPAN_DAYS days before now, and put back as it was at the end (even on failure).
    """
    if users < len(NAMED_USERS) or threads < 1:
        raise Invalid({"size": [f"Seed at least {len(NAMED_USERS)} users and one thread."]})
    report = progress or (lambda _n: None)
    anchor = clock.now().replace(microsecond=0)
    summary = DemoSummary()
    # Visitors try the staff tools with the documented password; a second factor would stop them at the door.
    community_settings.update_settings_from_console({STAFF_TWO_FACTOR: False})
    summary.staff_two_factor = community_settings.get_setting(STAFF_TWO_FACTOR)
    with clock.restored():
        cast = _seed_users(anchor, users, report, summary)
        rng = random.Random(SEED)  # nosec B311  # seeded demo data
        seeder = _Seeder(rng, anchor, cast, _seed_categories(cast.admin, summary), summary)
        # A big enough demo ends with a wave of look-alike questions, for the incident detector to find.
        outage = OUTAGE_QUESTIONS if threads >= 2 * len(OUTAGE_QUESTIONS) else []
        for index, moment in enumerate(seeder.thread_moments(threads - len(outage))):
            seeder.thread(index, moment)
            report(1)
    _seed_missions(cast.admin, seeder.topics[0][1], anchor)
    _seed_outage(cast, seeder.topics[0][1], anchor, summary, outage, report)
    return summary


def _seed_outage(cast: _Cast, category: Category, anchor: datetime, summary: DemoSummary,
                 questions: list[tuple[str, str]], report: Progress) -> None:
    """Look-alike questions in the last two hours: the worker's incident detector raises an alert for them."""
    with clock.restored():
        for n, (title, body) in enumerate(questions):
            clock.freeze(anchor - timedelta(minutes=90 - 15 * n))
            posting.start_thread(cast.askers[n % len(cast.askers)], posting.NewThread(
                category_id=category.id, title=title, body=body, tags=["sign-in"], kind=ThreadKind.QUESTION.value))
            summary.threads += 1
            summary.unanswered += 1
            report(1)


def _seed_missions(admin: User, category: Category, anchor: datetime) -> None:
    """Two running challenges, so members see progress bars (the worker tracks them)."""
    if db.session.scalar(select(func.count(Mission.id))):
        return
    week = (anchor - timedelta(days=2), anchor + timedelta(days=5))
    month = (anchor - timedelta(days=20), anchor + timedelta(days=10))
    missions.create_mission(admin, missions.MissionInput(
        f"Answer 5 unanswered questions in {category.name} this week", "unanswered_answered", 5, *week,
        description="Be the first to reply to questions nobody has answered yet.", category_id=category.id,
        points=50,
    ))
    missions.create_mission(admin, missions.MissionInput(
        "Get 3 solutions this month", "solutions", 3, *month,
        description="Answers the asker accepts count.", points=30, badge="challenger",
    ))


def _seed_users(anchor: datetime, count: int, report: Progress, summary: DemoSummary) -> _Cast:
    """The documented sign-ins first, then generated members, a few advocates and staff."""
    people = list(NAMED_USERS)
    for i in range(count - len(NAMED_USERS)):
        first, initial = FIRST_NAMES[i % len(FIRST_NAMES)], SURNAME_INITIALS[i % len(SURNAME_INITIALS)]
        username = f"{first}.{initial}{i // len(FIRST_NAMES) or ''}"
        people.append((username, f"{first.capitalize()} {initial.upper()}.", EXTRA_ROLES[i % len(EXTRA_ROLES)]))
    users, password_hash = [], accounts.hash_password(DEMO_PASSWORD)
    for n, (username, display_name, role) in enumerate(people):
        clock.freeze(anchor - timedelta(days=SPAN_DAYS + 10) + timedelta(hours=7 * n))
        users.append(_ensure_user(username, display_name, role, password_hash))
        report(1)
    summary.users = len(users)
    summary.sign_ins = [(role.value, f"{name}@{DEMO_DOMAIN}") for name, _display, role in NAMED_USERS]
    by_role = {role: [u for u in users if u.role == role.value] for role in Role}
    return _Cast(
        admin=by_role[Role.ADMIN][0],
        moderator=by_role[Role.MODERATOR][0],
        askers=by_role[Role.MEMBER],
        helpers=by_role[Role.MEMBER] + by_role[Role.ADVOCATE] * 3,
        staff=by_role[Role.AGENT] + by_role[Role.MODERATOR] + by_role[Role.ADMIN],
    )


def _ensure_user(username: str, display_name: str, role: Role, password_hash: str) -> User:
    """Register a demo account (one shared password hash), or reuse one an earlier seeding made."""
    email = f"{username}@{DEMO_DOMAIN}"
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        return existing
    registration = accounts.Registration(username, email, DEMO_PASSWORD, display_name=display_name)
    user = accounts.register_user(registration, role=role, password_hash=password_hash, verified=True)
    # Demo addresses receive no mail: their notifications stay in-app, and the worker has nothing to send.
    user.email_frequency = "off"
    user.weekly_digest = False
    db.session.commit()
    return user


def _seed_categories(admin: User, summary: DemoSummary) -> list[tuple[Topic, Category]]:
    pairs = []
    for position, topic in enumerate(TOPICS):
        category = db.session.scalar(select(Category).where(Category.slug == topic.slug))
        if category is None:
            data = categories.CategoryInput(topic.slug, topic.name, topic.description, position * 10)
            category = categories.create_category(admin, data)
        pairs.append((topic, category))
    summary.categories = len(pairs)
    return pairs


@dataclass
class _Seeder:
    """Writes threads and conversations through the posting service at past moments."""

    rng: random.Random
    anchor: datetime
    cast: _Cast
    topics: list[tuple[Topic, Category]]
    summary: DemoSummary

    def thread_moments(self, count: int) -> list[datetime]:
        """Creation times spread over the span, oldest first, none in the last hour."""
        offsets = sorted(self.rng.randrange(3600, SPAN_DAYS * 86400 - 3600) for _ in range(count))
        return [self.anchor - timedelta(seconds=offset) for offset in reversed(offsets)]

    def thread(self, index: int, moment: datetime) -> None:
        """One question; every fifth (and a few more) stays unanswered, the rest get a conversation."""
        topic, category = self.topics[index] if index < len(self.topics) else self.rng.choice(self.topics)
        issue, asker = self.rng.choice(topic.issues), self.rng.choice(self.cast.askers)
        clock.freeze(moment)
        thread = posting.start_thread(asker, self._compose(topic, category, issue))
        self.summary.threads += 1
        if index % 5 == 4 or self.rng.random() < UNANSWERED_SHARE / 4:
            self._maybe_bump(thread, asker, moment)
        else:
            self._conversation(topic, issue, thread, moment)
        if index % 15 == 7 and thread.reply_count > 0:
            self._removed_spam(thread)
        self._votes(thread)
        self.summary.unanswered += thread.status == ThreadStatus.OPEN.value

    def _compose(self, topic: Topic, category: Category, issue: Issue) -> posting.NewThread:
        """A question body: what happens, on what, what was tried, any error output."""
        rng = self.rng
        is_problem = topic.kind == ThreadKind.QUESTION.value and not issue.title.endswith("?")
        title = rng.choice(TITLE_FORMS).format(title=issue.title, setup=issue.setup) if is_problem else issue.title
        parts = [f"{rng.choice(GREETINGS)}{issue.symptom}", f"**Using:** {issue.setup}"]
        if is_problem:
            parts[0] += f" It started {rng.choice(SINCE)}."
            steps = rng.sample(topic.tried, k=rng.randint(1, 3))
            parts.append("What I've tried so far:\n\n" + "\n".join(f"- {step}" for step in steps))
        if issue.error:
            parts.append(f"This is what I see:\n\n```\n{issue.error}\n```")
        parts.append(rng.choice(CLOSINGS))
        tags = rng.sample(topic.tags, k=rng.randint(1, 2))
        return posting.NewThread(category.id, title, "\n\n".join(parts), tags=tags, kind=topic.kind)

    def _conversation(self, topic: Topic, issue: Issue, thread: Thread, moment: datetime) -> None:
        """A first answer after minutes to a day, then a short back-and-forth."""
        when = moment + timedelta(minutes=self.rng.randint(4, 26 * 60))
        last_helper: User | None = None
        first_answer: Post | None = None
        for turn in range(self.rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))):
            if when >= self.anchor:
                break
            author, body = self._next_reply(topic, issue, thread.author, last_helper if turn else None)
            last_helper = author if author.id != thread.author_id else last_helper
            post = self._reply(thread, author, body, when)
            first_answer = first_answer or (post if author.id != thread.author_id else None)
            when += timedelta(minutes=self.rng.randint(10, 12 * 60))
        self._maybe_accept(thread, first_answer, min(when, self.anchor))

    def _maybe_accept(self, thread: Thread, answer: Post | None, when: datetime) -> None:
        """Most askers accept the answer that helped, so solved threads (and their search boost) show.

        A separate generator per thread keeps the rest of the demo the same as before.
        """
        if answer is None or thread.kind != ThreadKind.QUESTION.value:
            return
        if random.Random(thread.title + answer.body).random() > 0.6:  # nosec B311  # seeded demo data
            return
        clock.freeze(when)
        qa.accept_solution(thread.author, thread, answer)

    def _votes(self, thread: Thread) -> None:
        """Helpful votes soon after the activity: the asker on the answer that helped, others who agree.

        Its own generator per thread, so adding votes left the rest of the demo unchanged.
        """
        rng = random.Random(f"votes:{thread.title}")  # nosec B311  # seeded demo data
        posts = [p for p in db.session.scalars(select(Post).where(Post.thread_id == thread.id)) if p.is_public]
        voters = [user for user in self.cast.helpers + self.cast.askers]
        clock.freeze(min(thread.last_activity_at + timedelta(minutes=20), self.anchor - timedelta(minutes=1)))
        for post in posts:
            wanted = 1 if post.id == thread.accepted_post_id else 0
            wanted += rng.choice((0, 0, 1, 1, 2, 3)) if post.is_question or post.id == thread.accepted_post_id else 0
            chosen = [thread.author] if post.id == thread.accepted_post_id else []
            chosen += rng.sample(voters, k=min(wanted, len(voters)))
            for voter in {user.id: user for user in chosen if user.id != post.author_id}.values():
                qa.vote_helpful(voter, post)

    def _next_reply(self, topic: Topic, issue: Issue, asker: User, last_helper: User | None) -> tuple[User, str]:
        """The asker reacting to the last helper, someone agreeing, or a (staff or peer) answer."""
        rng = self.rng
        if last_helper is not None and rng.random() < 0.45:
            return asker, rng.choice(FOLLOW_UPS).format(helper=last_helper.name)
        answer = issue.fix if topic.kind == ThreadKind.QUESTION.value else rng.choice(topic.issues).fix
        if rng.random() < 0.25:
            greeting = f"Hi {asker.name.split()[0]}, {rng.choice(STAFF_OPENERS).lower()}"
            return rng.choice(self.cast.staff), f"{greeting}\n\n{answer}"
        helper = rng.choice([user for user in self.cast.helpers if user.id != asker.id])
        if last_helper is not None and rng.random() < 0.5:
            return helper, rng.choice(SECONDS).format(helper=last_helper.name)
        return helper, f"{rng.choice(OPENERS)}\n\n{answer}".strip()

    def _reply(self, thread: Thread, author: User, body: str, when: datetime) -> Post:
        clock.freeze(when)
        post = posting.reply_to_thread(author, thread, body)
        self.summary.replies += 1
        return post

    def _maybe_bump(self, thread: Thread, asker: User, moment: datetime) -> None:
        """Some askers bump their own unanswered thread; it stays unanswered."""
        when = moment + timedelta(hours=self.rng.randint(6, 40))
        if self.rng.random() < 0.3 and when < self.anchor:
            self._reply(thread, asker, self.rng.choice(BUMPS), when)

    def _removed_spam(self, thread: Thread) -> None:
        """A spam reply a moderator removed, so deleted posts exist for staff views and counters."""
        when = min(thread.last_activity_at + timedelta(minutes=30), self.anchor - timedelta(minutes=2))
        post = self._reply(thread, self.cast.askers[-1], "Cheap followers!!! Visit https://spam.example.com", when)
        self.summary.replies -= 1
        clock.freeze(when + timedelta(minutes=1))
        posting.delete_post(self.cast.moderator, post, reason="Spam")
