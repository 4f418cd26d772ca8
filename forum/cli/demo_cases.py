"""The demo's service cases: a handful of questions peers could not settle, each escalated its own way.

Every story is a question (with a subject of its own) and what happened to it, step by step: the
SLA sweeper escalating it at the moment it breached, the asker or an advocate or staff asking for
support, or a strongly negative follow-up; then an agent claiming it, writing to the customer,
waiting on them, resolving it (the resolution becomes the accepted answer), closing it. Together
they leave the desk with cases in every state, of every priority, with different agents. The first
stories come first in a small demo, so even that has new, waiting and finished cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from forum import cases
from forum.cases import triggers
from forum.cli.demo_content import TOPICS
from forum.cli.demo_story import Plot, StoryWriter, first_name
from forum.models import Case, CasePriority, CaseSource, Category, MessageVisibility, User
from forum.services import qa

CASE_SHARE = 0.07  # of the demo's threads, with at least MIN_CASES
MIN_CASES = 3
M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class Step:
    after: timedelta  # from the moment the question was asked
    act: str
    text: str = ""


@dataclass(frozen=True)
class CaseStory:
    topic: str  # the category's slug
    issue: int  # which of its issues
    asked: timedelta  # how long before now
    source: str  # sla_reply, sla_solution, customer, advocate, staff; sentiment: an asker step sets it off
    priority: CasePriority
    steps: tuple[Step, ...]
    reason: str = ""


STORIES: tuple[CaseStory, ...] = (
    CaseStory("billing-accounts", 0, 3 * D, "customer", CasePriority.HIGH, (
        Step(35 * M, "fix"),
        Step(20 * H, "asker", "It's been five days now and both charges are still on my statement."),
        Step(20 * H + 5 * M, "escalate"),
        Step(21 * H, "claim"),
        Step(21 * H + 10 * M, "message", "Hi {asker}, I'm {agent} from the billing team and I've taken your case. "
             "Could you send the date and amount of each charge as your bank shows them? Never the card number."),
        Step(21 * H + 11 * M, "pending"),
    ), reason="Both charges are still there after five days; I need someone from billing to check my account."),
    CaseStory("getting-started", 0, 30 * D, "sla_reply", CasePriority.NORMAL, (
        Step(4 * H + 1 * M, "escalate"),
        Step(4 * H + 20 * M, "claim"),
        Step(4 * H + 30 * M, "message", "Hi {asker}, sorry for the wait. I've resent the activation email by hand; "
             "it should arrive within a few minutes."),
        Step(6 * H, "customer", "Got it this time, thank you!"),
        Step(6 * H + 30 * M, "resolve", "The activation email was held by a mail filter; we resent it by hand. If "
             "it happens to you, use **Sign in → Resend activation** and check the *Promotions* tab."),
        Step(3 * D, "close"),
    )),
    CaseStory("connectivity-devices", 2, 7 * H, "advocate", CasePriority.URGENT, (
        Step(25 * M, "fix"),
        Step(2 * H, "asker", "Held reset for 10 seconds and checked both ends of the fibre cable. Still red, and "
             "I work from home."),
        Step(3 * H, "escalate"),
    ), reason="Reset and cable checked, still no sync: this looks like a line fault that needs an engineer."),
    CaseStory("connectivity-devices", 1, 12 * D, "sentiment", CasePriority.NORMAL, (
        Step(30 * M, "fix"),
        Step(3 * H, "asker", "This is unacceptable. Three weeks of terrible speed, I am paying for nothing and I am "
             "furious."),
        Step(4 * H, "claim"),
        Step(4 * H + 5 * M, "priority", CasePriority.HIGH.value),
        Step(4 * H + 10 * M, "message", "Hi {asker}, I'm sorry it has dragged on this long. A line test shows errors "
             "between your home and the street cabinet, so I've booked an engineer for tomorrow morning."),
        Step(D + 2 * H, "customer", "The engineer replaced a connector in the street. Wired speed is 148 now!"),
        Step(D + 3 * H, "resolve", "An engineer replaced a damaged connector at the street cabinet. If your wired "
             "speed is far below your plan, post a wired speed test: line faults need an engineer, and staff "
             "can book one."),
    )),
    CaseStory("apps-integrations", 2, 4 * D, "sla_solution", CasePriority.NORMAL, (
        Step(H, "fix"),
        Step(5 * H, "asker", "Removed it and added it again, still nothing in the channel."),
        Step(48 * H + 1 * M, "escalate"),
        Step(49 * H, "claim"),
        Step(49 * H + 10 * M, "note", "Slack shows our webhook answering 410 for this workspace. Asked the "
             "integrations team whether the token migration missed it."),
        Step(49 * H + 15 * M, "message", "Hi {asker}, thanks for trying that. This looks like a problem on our side "
             "with your workspace's connection; I'm checking with the integrations team and will update you here."),
    )),
    CaseStory("billing-accounts", 3, 5 * H, "sla_reply", CasePriority.NORMAL, (
        Step(4 * H + 1 * M, "escalate"),
    )),
    CaseStory("apps-integrations", 3, 20 * D, "customer", CasePriority.NORMAL, (
        Step(2 * H, "fix"),
        Step(3 * H, "asker", "Does anyone from Horseshoe know whether the limit can be raised for business accounts?"),
        Step(3 * H + 10 * M, "escalate"),
        Step(D, "claim"),
        Step(D + 5 * M, "note", "The peer answer is right: 30 a minute is the limit on every plan. Waiting to hear "
             "whether Retry-After sorts it."),
        Step(D + 2 * H, "asker", "Switching to daily usage and honouring Retry-After fixed it, thanks {helper}!"),
        Step(D + 2 * H + 2 * M, "accept"),
        Step(D + 3 * H, "message", "Glad the community sorted it, {asker}. I'm closing this case; reply on the "
             "thread if the errors come back."),
        Step(D + 3 * H + M, "close"),
    ), reason="Our monitoring is down while the API refuses us. Can support raise our limit?"),
    CaseStory("billing-accounts", 1, 45 * D, "staff", CasePriority.LOW, (
        Step(40 * M, "fix"),
        Step(3 * H, "asker", "I filled in the company details, but the old invoices still show my own name."),
        Step(3 * H + 30 * M, "escalate"),
        Step(D, "claim"),
        Step(D + H, "resolve", "We re-issued your last six invoices with the company name and VAT number; they are "
             "under **Billing → Documents**. New invoices carry the *Company* details by themselves; older ones "
             "need re-issuing by support."),
    ), reason="Old invoices need re-issuing with the company name; only billing can do that."),
    CaseStory("getting-started", 2, 2 * D, "customer", CasePriority.NORMAL, (
        Step(H, "fix"),
        Step(6 * H, "asker", "The moving page says it can't find my new address."),
        Step(6 * H + 10 * M, "escalate"),
        Step(20 * H, "claim"),
        Step(20 * H + 5 * M, "message", "Hi {asker}, new-build addresses take a while to reach our address list. "
             "Could you send the full new address and the date you move in? I'll book the move by hand."),
        Step(20 * H + 6 * M, "pending"),
    ), reason="The moving form doesn't know my new address, so I can't pick a date."),
    CaseStory("connectivity-devices", 5, 70 * D, "staff", CasePriority.HIGH, (
        Step(H, "fix"),
        Step(2 * H, "asker", "Saving the DHCP reservation gives me an error page."),
        Step(2 * H + 30 * M, "escalate"),
        Step(3 * H, "claim"),
        Step(3 * H + 10 * M, "message", "Hi {asker}, that's a known bug in router firmware 2.1. I've pushed 2.1.3 to "
             "your router; it restarts tonight, and saving will work after that."),
        Step(D, "resolve", "Firmware 2.1 failed to save DHCP reservations on the X300. Routers get 2.1.3 by "
             "themselves; after it, give the NAS a reservation under **LAN → DHCP reservations**."),
    ), reason="Saving DHCP reservations fails on X300 firmware 2.1; the customer's backups are down."),
)


def case_count(threads: int) -> int:
    """How many case stories a demo of this many threads tells."""
    return min(len(STORIES), max(MIN_CASES, round(threads * CASE_SHARE)))


@dataclass
class _Told:
    """One case story being told: its plot, the agent on it, the peer who answered."""

    story: CaseStory
    plot: Plot
    agent: User
    helper: User

    def words(self, text: str) -> str:
        return text.format(asker=first_name(self.plot.asker), agent=first_name(self.agent),
                           helper=first_name(self.helper))

    @property
    def case(self) -> Case:
        return cases.latest_case(self.plot.thread.id)


class CaseTeller:
    """Schedules the case stories on the writer's timeline; each act goes through the case services."""

    def __init__(self, writer: StoryWriter, categories: dict[str, Category]) -> None:
        self.writer = writer
        self.categories = categories

    def tell(self, count: int) -> None:
        cast, anchor = self.writer.cast, self.writer.timeline.anchor
        for n, story in enumerate(STORIES[:count]):
            topic = next(topic for topic in TOPICS if topic.slug == story.topic)
            category = self.categories[story.topic]
            asker = cast.askers[(3 * n + 1) % len(cast.askers)]
            plot = Plot(topic, category, topic.issues[story.issue], asker, anchor - story.asked)
            helpers = [user for user in cast.helpers if user.id != asker.id]
            told = _Told(story, plot, cast.agents[n % len(cast.agents)], helpers[(5 * n + 2) % len(helpers)])
            self.writer.start(plot, self.writer.compose(topic, category, plot.issue, plain_title=True))
            for step in story.steps:
                self.writer.timeline.at(plot.moment + step.after, self._action(told, step))

    def _action(self, told: _Told, step: Step) -> Callable[[], None]:
        """The act a step stands for; the reply steps go through the writer (counted, read, badges)."""
        plot, timeline = told.plot, self.writer.timeline

        def act() -> None:
            if step.act == "fix":
                timeline.visit(told.helper)
                self.writer.reply_now(plot, told.helper, plot.issue.fix, fix=True)
            elif step.act == "asker":
                timeline.visit(plot.asker)
                self.writer.reply_now(plot, plot.asker, told.words(step.text))
            elif step.act == "escalate":
                self._escalate(told)
            elif step.act == "accept":
                timeline.visit(plot.asker)
                qa.accept_solution(plot.asker, plot.thread, plot.fix)
            else:
                self._work(told, step)
        return act

    def _escalate(self, told: _Told) -> None:
        story, plot, cast = told.story, told.plot, self.writer.cast
        if story.source in ("sla_reply", "sla_solution"):  # what the sweeper does at the breach
            reason = triggers.NO_REPLY_REASON if story.source == "sla_reply" else triggers.NO_SOLUTION_REASON
            cases.escalate_thread(None, plot.thread, reason, source=CaseSource.SLA, priority=story.priority)
            return
        actor = {"customer": plot.asker, "advocate": cast.advocates[0] if cast.advocates else cast.moderator,
                 "staff": cast.moderator}[story.source]
        self.writer.timeline.visit(actor)
        cases.escalate_thread(actor, plot.thread, story.reason, priority=story.priority)

    def _work(self, told: _Told, step: Step) -> None:
        """An agent's (or the customer's) act on the case (none when the rules kept it from opening, say a
        sentiment threshold an admin lowered: the story then stops with the thread)."""
        agent, case = told.agent, told.case
        if case is None:
            return
        if step.act == "customer":
            self.writer.timeline.visit(told.plot.asker)
            cases.post_message(told.plot.asker, case, told.words(step.text), MessageVisibility.CUSTOMER.value)
            return
        self.writer.timeline.visit(agent)
        if step.act == "claim":
            cases.claim_case(agent, case)
        elif step.act == "priority":
            cases.update_case(agent, case, cases.CaseChange(priority=step.text))
        elif step.act in ("message", "note"):
            visibility = MessageVisibility.CUSTOMER if step.act == "message" else MessageVisibility.INTERNAL
            cases.post_message(agent, case, told.words(step.text), visibility.value)
        elif step.act == "pending":
            cases.update_case(agent, case, cases.CaseChange(status="pending_customer"))
        elif step.act == "resolve":
            cases.resolve_case(agent, case, told.words(step.text))
            self.writer.replies += case.resolution_post_id is not None  # the resolution is the thread's answer
        elif step.act == "close":
            cases.update_case(agent, case, cases.CaseChange(status="closed"))
        else:
            raise ValueError(f"Unknown case step {step.act!r}")
