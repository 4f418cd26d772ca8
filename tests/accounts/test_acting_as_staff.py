"""Staff effects follow the permission layer, not the stored role: a suspended agent, or staff still owing
a second factor, do not stop a case's response clock, hear incident alerts or appear in the assign list.
("Solved by support" still says who wrote the answer: an agent, whatever their standing today.)"""

from __future__ import annotations

from datetime import timedelta

from forum import cases
from forum.cases import desk_lookups
from forum.core import clock
from forum.core.extensions import db
from forum.incidents import alerts
from forum.models import Notification, NotificationKind
from forum.services import community_settings, posting

STAFF_2FA = "accounts.staff_require_2fa"


def suspended(user) -> None:
    user.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()


def owing_second_factor(_user) -> None:
    community_settings.update_settings_from_console({STAFF_2FA: True})  # and they have not enrolled


def test_a_reply_by_staff_still_owing_a_second_factor_is_not_the_cases_first_response(make):
    """They may reply as any member may (a suspended agent may not reply at all)."""
    asker, agent = make.make_user(), make.make_user("agent")
    thread = make.make_thread(author=asker)
    case, _ = cases.escalate_thread(asker, thread, "Charged twice")
    owing_second_factor(agent)
    posting.reply_to_thread(agent, thread, "Looking into the double charge for you now.")
    db.session.refresh(case)
    assert case.first_response_at is None


def test_a_reply_by_an_agent_in_good_standing_is_the_first_response(make):
    asker, agent = make.make_user(), make.make_user("agent")
    thread = make.make_thread(author=asker)
    case, _ = cases.escalate_thread(asker, thread, "Charged twice")
    posting.reply_to_thread(agent, thread, "Looking into the double charge for you now.")
    db.session.refresh(case)
    assert case.first_response_at is not None


def test_incident_alerts_and_the_assign_list_leave_out_a_suspended_agent(make):
    active, away = make.make_user("agent"), make.make_user("agent")
    suspended(away)
    threads = [make.make_thread(title=f"Cannot sign in to the app today {n}") for n in range(3)]
    alert, _ = alerts.raise_alert([t.id for t in threads], ["sign"], minimum=3)
    told = set(db.session.scalars(db.select(Notification.user_id).where(
        Notification.kind == NotificationKind.INCIDENT.value)))
    assert alert is not None and active.id in told and away.id not in told
    assert [agent.id for agent in desk_lookups.assignable_agents(active)] == [active.id]
