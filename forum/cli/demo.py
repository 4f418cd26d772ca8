"""Demo seeding: a realistic, deterministic support community for `make run` and manual testing.

Everything goes through the real services (accounts, categories, posting) with the clock
frozen at plausible moments, so HTML is rendered and counters stay exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select

from forum import accounts
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import Category, Mission, Post, Role, Thread, ThreadKind, ThreadStatus, User
from forum.recognition import missions
from forum.services import categories, posting, qa

DEMO_PASSWORD = "horseshoe-demo"  # nosec B105  # demo accounts' documented password
DEMO_DOMAIN = "demo.horseshoe"
SEED = 20261120
SPAN_DAYS = 60
UNANSWERED_SHARE = 0.2
Progress = Callable[[int], None]

# (username, display name, role): the documented demo sign-ins come first.
NAMED_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Alex Admin", Role.ADMIN),
    ("ana", "Ana Souza", Role.MEMBER),
    ("leo", "Leo Park", Role.ADVOCATE),
    ("maya", "Maya Moderator", Role.MODERATOR),
    ("sam", "Sam Agent", Role.AGENT),
)
FIRST_NAMES = (
    "ben", "chloe", "dev", "elena", "farid", "grace", "hiro", "isla", "jonas", "kemi", "lars", "mei",
    "nadia", "omar", "pia", "quinn", "rosa", "tariq", "uma", "victor", "wen", "yara", "zoe", "arjun",
    "bea", "carlos", "dina", "emil", "fatima", "gus", "hana", "ivan", "jade", "kofi", "lina", "milo",
)
SURNAME_INITIALS = "bcdfghjklmnprstvw"
# Roles for generated users, cycled: mostly members, a few advocates and staff.
EXTRA_ROLES = (Role.MEMBER,) * 5 + (Role.ADVOCATE,) + (Role.MEMBER,) * 4 + (Role.AGENT, Role.MODERATOR)


class Issue(NamedTuple):
    """One recurring support question and the answer that usually solves it."""

    title: str
    setup: str
    symptom: str
    fix: str
    error: str = ""


@dataclass(frozen=True)
class Topic:
    """A category and the raw material for its questions and answers."""

    slug: str
    name: str
    description: str
    issues: tuple[Issue, ...]
    tried: tuple[str, ...]
    tags: tuple[str, ...]
    kind: str = ThreadKind.QUESTION.value


TOPICS: tuple[Topic, ...] = (
    Topic(
        "getting-started", "Getting started", "New here? Setting up your account, service and first steps.",
        (
            Issue("Activation email never arrived", "new account", "I signed up yesterday but got no email.",
                  "Activation emails can take up to an hour. If it's still missing:\n\n1. Open **Sign in → Resend "
                  "activation**\n2. Add `no-reply@horseshoe.local` to your contacts\n3. Check the *Promotions* tab"),
            Issue("Which plan should I pick for working from home?", "Fibre 75", "Two of us do video calls all day.",
                  "For two people on calls, **Fibre 150** is plenty. Upload matters more than download for calls."),
            Issue("Moving house: how do I transfer my service?", "Fibre 150", "I'm moving next month.",
                  "Start in **Account → Moving house** at least two weeks ahead; you pick the switch-over date and "
                  "keep your number."),
            Issue("Can't finish the sign-up form", "Firefox on Windows", "The last step spins after Continue.",
                  "That 502 was a short outage on our side. Private windows also dodge stale cookies: try again in "
                  "one.", "Error 502: upstream timed out"),
            Issue("Where do I find my customer number?", "phone support menu", "The phone menu asks for it.",
                  "It's on the first page of every bill, top right. In the app it's under **Account → Details**."),
        ),
        ("checked the spam folder", "tried another browser", "waited 24 hours", "searched the help centre"),
        ("signup", "activation", "plans", "moving", "account"),
    ),
    Topic(
        "billing-accounts", "Billing & accounts", "Invoices, payments, refunds, plan changes and account access.",
        (
            Issue("Charged twice this month", "direct debit", "My bank shows two identical charges on one day.",
                  "A double charge is usually a pending authorisation that drops off in 3–5 working days. Still "
                  "there after a week? Post the dates (never the card number!) and staff will check."),
            Issue("How do I download a VAT invoice?", "business account", "Accounting needs our company name on it.",
                  "Invoices are under **Billing → Documents**. For the company name:\n\n1. Go to **Account → "
                  "Billing details**\n2. Fill in *Company* and *VAT number*\n3. Regenerate the invoice"),
            Issue("Card payment keeps failing", "Visa debit card", "Every card update says the payment was declined.",
                  "Code 05 comes from your bank, not from us. Ask them to allow recurring payments to Horseshoe.",
                  "PAYMENT_DECLINED (code 05): do not honour"),
            Issue("Bill is higher than my plan price", "Fibre 150", "My plan is 35 a month; this bill is 52.80.",
                  "The first bill after a plan change has a part-month of each plan (pro rata). The next one is "
                  "back to normal."),
            Issue("Refund for last week's outage still missing", "Fibre 300", "Support promised a credit.",
                  "Outage credits show up on the *next* bill, not as a refund to your card. Look for a line called "
                  "**Service credit**."),
            Issue("Locked out after too many sign-in attempts", "online account", "I mistyped my password a few times.",
                  "The lock lifts by itself after 30 minutes. Then use **Forgot your password?** instead of guessing."),
        ),
        ("checked my bank app", "cleared cookies", "used a different card", "read the billing FAQ"),
        ("billing", "refund", "invoice", "payments", "account-access"),
    ),
    Topic(
        "connectivity-devices", "Connectivity & devices", "Wi-Fi, speed, routers, mesh extenders and TV boxes.",
        (
            Issue("Wi-Fi drops every evening", "X200 router", "Around 8 pm the Wi-Fi drops for a minute or two.",
                  "Evening drops are often channel congestion:\n\n1. Open `http://192.168.1.1`\n2. Under **Wi-Fi → "
                  "2.4 GHz** pick channel 1, 6 or 11\n3. Turn on *Smart Connect* so phones move to 5 GHz"),
            Issue("Speed is half of what I pay for", "Fibre 150, X200 router", "Speed tests show about 70 Mb.",
                  "Test on a cable first; Wi-Fi speed tests mislead. From a wired laptop:\n\n```\nping -c 20 "
                  "192.168.1.1\n```\n\nLosing packets on the cable too means it's the line, not the Wi-Fi.",
                  "Download: 71.3 Mbps\nUpload: 9.8 Mbps\nPing: 38 ms"),
            Issue("Red light on the router", "X200 router", "The internet light went red and nothing connects.",
                  "Red means no sync with the exchange. Check the fibre cable clicks in at both ends, then hold "
                  "reset for **10 seconds**."),
            Issue("Mesh extender won't pair", "M2 mesh extender", "It blinks orange forever during pairing.",
                  "Pair it within 2 metres of the router, then move it. Press WPS on the router *after* the "
                  "extender blinks white."),
            Issue("TV box buffers in the evening", "TV box, Fibre 75", "Streams buffer every few minutes at night.",
                  "Plug the TV box in with a cable if you can, and set it to **Auto** quality rather than *4K*."),
            Issue("Can't reach my NAS after the router swap", "X300 router, Synology NAS", "The NAS is unreachable.",
                  "The X300 doesn't forward `.local` names between bands. Give the NAS a fixed address under "
                  "**LAN → DHCP reservations** and use that.", "ping: nas.local: Name or service not known"),
        ),
        ("restarted the router", "moved the router higher up", "tried a cable", "factory reset", "updated firmware"),
        ("wifi", "speed", "router", "mesh", "tv", "networking"),
    ),
    Topic(
        "apps-integrations", "Apps & integrations", "The mobile app, two-factor sign-in, and connecting other tools.",
        (
            Issue("App crashes on start after the update", "Android app 4.2, Pixel 7", "It closes right after opening.",
                  "Clear the app's storage (**Settings → Apps → Horseshoe → Storage → Clear**) and sign in again. "
                  "4.2.1 with a fix is rolling out."),
            Issue("Lost my phone with the 2FA codes", "authenticator app", "My phone was stolen last night.",
                  "Use one of the backup codes you saved when turning on 2FA. No codes? Staff can verify you another "
                  "way; never post personal details here."),
            Issue("Slack notifications stopped", "Slack integration", "Our channel stopped getting outage alerts.",
                  "Slack tokens expire after a workspace admin change. Remove the integration under **Apps → "
                  "Connected** and add it again."),
            Issue("API returns 429 Too Many Requests", "public API, Python script", "We poll usage every minute.",
                  "The API allows 30 requests a minute. Respect `Retry-After`, or ask for daily usage:\n\n```python\n"
                  "response = session.get(url, params={\"period\": \"day\"})\nif response.status_code == 429:\n"
                  "    time.sleep(int(response.headers[\"Retry-After\"]))\n```",
                  'HTTP/1.1 429 Too Many Requests\nRetry-After: 60\n{"title": "Rate limit exceeded"}'),
            Issue("Calendar sync creates duplicate events", "Google Calendar sync", "Engineer visits show up twice.",
                  "You probably connected the calendar twice (app *and* web). Disconnect one under **Apps → "
                  "Connected**; the duplicates disappear at the next sync."),
        ),
        ("reinstalled the app", "logged out and in again", "reconnected the integration", "read the API docs"),
        ("app", "2fa", "slack", "api", "calendar", "android", "ios"),
    ),
    Topic(
        "feature-ideas", "Feature ideas", "Suggest and discuss improvements; the product team reads every one.",
        (
            Issue("Dark mode for the app", "iPhone app", "Checking outages at night with the bright app hurts.",
                  "+1 from me. A simple toggle would be enough to start with."),
            Issue("Export usage to CSV", "account page", "I'd like monthly data usage in a spreadsheet.",
                  "Yes please. Even better in the weekly email:\n\n- current usage\n- days left in the cycle\n- a link "
                  "to change plan"),
            Issue("Alerts before I reach my data cap", "Mobile 20 GB", "A warning at 80% would avoid surprises.",
                  "+1, and let us choose the threshold."),
            Issue("Schedule Wi-Fi off for the kids' devices", "X200 router", "Bedtime for phones, basically.",
                  "The X200 has *Access control* but it's buried. A schedule in the app would be much nicer."),
            Issue("Show planned maintenance in the app", "Android app", "I'd plan my day around it.",
                  "Thanks for the idea! I've shared it with the product team and will post here when there's news."),
        ),
        (),
        ("idea", "app", "usage", "parental-controls", "notifications"),
        kind=ThreadKind.DISCUSSION.value,
    ),
)

TITLE_FORMS = ("{title}", "{title}", "{title} ({setup})", "{title}, any ideas?", "Help: {title}")
GREETINGS = ("Hi all,\n\n", "Hello!\n\n", "", "Hi everyone, first post here.\n\n", "Hey,\n\n")
SINCE = ("last week", "the last update", "Monday", "a few days ago", "this morning", "yesterday")
CLOSINGS = ("Any ideas?", "Has anyone else seen this?", "What should I try next?", "Thanks in advance!",
            "Is this a known problem?")
OPENERS = ("I had the same thing last month.", "This one comes up a lot.", "Try this, it worked for me:",
           "Good question.", "")
STAFF_OPENERS = ("Thanks for the detailed post, that helps.", "Sorry about the trouble.", "Happy to help with this.")
FOLLOW_UPS = ("Thanks, that fixed it!", "That worked, thank you {helper}!",
              "Tried that, still the same here. Anything else I can check?",
              "Update: it was the cable. All good now.", "Thanks! Marking this in my notes for next time.")
SECONDS = ("Same problem here, and what {helper} said fixed it for me too.", "Can confirm, {helper} is right.",
           "One more tip: restart once more after changing it, it didn't stick for me at first.")
BUMPS = ("Anyone? Still stuck on this.", "Bumping this: it happened again today.")


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


OUTAGE_QUESTIONS = [
    ("Sign-in fails with error 503", "Since a few minutes ago the sign-in page answers error 503."),
    ("Error 503 when I log in", "I enter my password and get error 503. Is the sign-in service down?"),
    ("Can't sign in: 503 Service Unavailable", "The sign-in page shows 503 Service Unavailable on every device."),
    ("Getting error 503 at sign-in today", "Every sign-in attempt ends with error 503, I tried two browsers."),
    ("App sign-in broken, error 503", "My sign-in keeps failing with a 503 error, reinstalling did not help."),
]


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
    user = accounts.register_user(registration, role=role, password_hash=password_hash)
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
        posting.delete_post(self.cast.moderator, post)
