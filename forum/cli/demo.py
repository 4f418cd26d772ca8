"""Demo seeding: a realistic, deterministic support community for `make run` and manual testing.

Everything goes through the real services (accounts, categories, posting, Q&A, cases, missions), each
action at its own moment of the last SPAN_DAYS days (forum.cli.demo_timeline runs them in time order
with the clock frozen), so HTML is rendered, counters stay exact, and dates are the story's: badges are
earned, ledger rows written, notifications read and cases worked when it happened. The threads are
demo_story's, the service cases demo_cases', the knowledge-base articles demo_articles', the texts
demo_content's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from forum import accounts
from forum.cli import demo_articles, demo_cases, demo_ideas
from forum.cli.demo_content import (
    EXTRA_ROLES,
    FIRST_NAMES,
    NAMED_USERS,
    OUTAGE_QUESTIONS,
    SURNAME_INITIALS,
    TOPICS,
    Issue,
    Topic,
)
from forum.cli.demo_story import Cast, Plot, StoryWriter, Targets
from forum.cli.demo_timeline import Timeline
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import IDEA_KIND, Category, Mission, Role, ThreadKind, ThreadStatus, User
from forum.recognition import missions
from forum.services import categories, community_settings, posting

DEMO_PASSWORD = "horseshoe-demo"  # nosec B105  # demo accounts' documented password
DEMO_DOMAIN = "demo.horseshoe"
STAFF_TWO_FACTOR = "accounts.staff_require_2fa"
SEED = 20261120
SPAN_DAYS = 90
RECENT_SHARE = 0.12  # of the everyday threads, asked in the last two days (some still open)
RECENT = timedelta(hours=46)
DISCUSSION_WEIGHT = 0.5  # how often an idea is posted, next to a problem in one of the question categories
Progress = Callable[[int], None]


@dataclass
class DemoSummary:
    """What seed_demo created, and how to sign in."""

    categories: int = 0
    users: int = 0
    threads: int = 0
    replies: int = 0
    unanswered: int = 0
    cases: int = 0
    articles: int = 0
    password: str = DEMO_PASSWORD
    sign_ins: list[tuple[str, str]] = field(default_factory=list)  # (role, email)
    staff_two_factor: bool = True  # whether staff must enrol in two-factor sign-in (the demo turns it off)


def demo_steps(threads: int = 150, users: int = 30) -> int:
    """How many progress units seed_demo reports (one per user, per thread and per article story)."""
    return threads + users + demo_articles.STEPS


def seed_demo(progress: Progress | None = None, *, threads: int = 150, users: int = 30) -> DemoSummary:
    """Fill the database with a demo community of past activity; deterministic for a given size.

    The clock moves through the story (the last SPAN_DAYS days before now) and is put back as it
    was at the end, even on failure.
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
        topics = _seed_categories(cast.admin, summary)
        timeline = Timeline(anchor)

        def written() -> None:
            summary.threads += 1
            report(1)
        writer = StoryWriter(random.Random(SEED), cast, timeline, _targets(), written)  # nosec B311  # demo data
        _plan(writer, topics, threads, summary)
        articles = demo_articles.ArticleTeller(writer, report)
        articles.tell()
        timeline.run()
        timeline.leave_few_unread(cast.everyone)
    summary.replies = writer.replies
    summary.articles = articles.written
    summary.unanswered = sum(plot.thread.status == ThreadStatus.OPEN.value for plot in writer.plots)
    return summary


def _targets() -> Targets:
    hours = community_settings.get_setting
    return Targets(timedelta(hours=hours("sla.first_reply_hours")), timedelta(hours=hours("sla.solution_hours")))


def _plan(writer: StoryWriter, topics: list[tuple[Topic, Category]], threads: int, summary: DemoSummary) -> None:
    """Everyday threads, the case stories, the look-alike wave at the end, and two running missions."""
    rng, anchor = writer.rng, writer.timeline.anchor
    # A big enough demo ends with a wave of look-alike questions, for the incident detector to find.
    outage = OUTAGE_QUESTIONS if threads >= 2 * len(OUTAGE_QUESTIONS) else []
    told = demo_cases.case_count(threads)
    if threads - len(outage) < 3 * told:  # too small a demo for cases next to its everyday threads
        told = 0
    everyday = threads - len(outage) - told
    recent = min(everyday // 2, max(2, round(everyday * RECENT_SHARE))) if everyday >= 4 else 0
    offsets = [rng.randrange(3600, SPAN_DAYS * 86400 - 3600) for _ in range(everyday - recent)]
    offsets += [rng.randrange(1200, int(RECENT.total_seconds())) for _ in range(recent)]
    # Ideas are discussed less often than problems come up.
    weights = [1.0 if topic.kind == ThreadKind.QUESTION.value else DISCUSSION_WEIGHT for topic, _category in topics]
    for index, offset in enumerate(sorted(offsets, reverse=True)):
        topic, category = topics[index] if index < len(topics) else rng.choices(topics, weights)[0]
        writer.thread(index, anchor - timedelta(seconds=offset), topic, category)
    demo_ideas.plan(writer)  # votes and staff's status changes on the ideas planned above
    demo_cases.CaseTeller(writer, {topic.slug: category for topic, category in topics}).tell(told)
    summary.cases = told
    _plan_outage(writer, topics[0][1], outage)
    _plan_missions(writer, topics[0][1])


def _plan_outage(writer: StoryWriter, category: Category, questions: list[tuple[str, str]]) -> None:
    """Look-alike questions in the last two hours: the worker's incident detector raises an alert for them."""
    askers, anchor = writer.cast.askers, writer.timeline.anchor
    for n, (title, body) in enumerate(questions):
        plot = Plot(TOPICS[0], category, Issue(title, "sign-in page", body, ""), askers[n % len(askers)],
                    anchor - timedelta(minutes=90 - 15 * n))
        writer.start(plot, posting.NewThread(category.id, title, body, tags=["sign-in"],
                                             kind=ThreadKind.QUESTION.value))


def _plan_missions(writer: StoryWriter, category: Category) -> None:
    """Two challenges, each created when it starts, so members see progress bars (and finish them in the story)."""
    if db.session.scalar(select(func.count(Mission.id))):
        return
    admin, anchor = writer.cast.admin, writer.timeline.anchor
    month = (anchor - timedelta(days=20), anchor + timedelta(days=10))
    week = (anchor - timedelta(days=2), anchor + timedelta(days=5))
    writer.timeline.at(month[0] - timedelta(hours=1), lambda: missions.create_mission(admin, missions.MissionInput(
        "Get 3 solutions this month", "solutions", 3, *month,
        description="Answers the asker accepts count.", points=30, badge="challenger",
    )))
    writer.timeline.at(week[0] - timedelta(hours=1), lambda: missions.create_mission(admin, missions.MissionInput(
        f"Answer 5 unanswered questions in {category.name} this week", "unanswered_answered", 5, *week,
        description="Be the first to reply to questions nobody has answered yet.", category_id=category.id,
        points=50,
    )))


def _seed_users(anchor: datetime, count: int, report: Progress, summary: DemoSummary) -> Cast:
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
    return Cast(
        admin=by_role[Role.ADMIN][0],
        moderator=by_role[Role.MODERATOR][0],
        askers=by_role[Role.MEMBER],
        helpers=by_role[Role.MEMBER] + by_role[Role.ADVOCATE] * 3,
        staff=by_role[Role.AGENT] + by_role[Role.MODERATOR] + by_role[Role.ADMIN],
        agents=by_role[Role.AGENT],
        advocates=by_role[Role.ADVOCATE],
        everyone=users,
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
            if topic.kind == IDEA_KIND:
                demo_ideas.make_ideas_category(category)
                db.session.commit()
        pairs.append((topic, category))
    summary.categories = len(pairs)
    return pairs
