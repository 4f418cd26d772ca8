"""No silent success: a button that changes nothing says "Nothing changed", and a refused one says why.

Each test clicks as a member (or moderator, agent, admin) would, on something already in the
state the button asks for, then reads the message the next page shows: it must say nothing
changed and must not claim the work was done ("saved", "is hidden"...). It also checks that
nothing stored moved: no vote, revision, audit entry or notification appeared.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from forum import accounts, cases, incidents
from forum.core.extensions import db
from forum.integrations import webhooks
from forum.models import AuditEntry, Notification, PostRevision, Subscription, Vote
from forum.recognition import advocates
from forum.services import needs_info, qa, subscriptions
from moderation.models import ReviewKind
from moderation.services import actions, review_queue
from tests.web.helpers import text

NOTHING_CHANGED = "Nothing changed"
CLAIMS_DONE = re.compile(r"\b(saved|done|is hidden|is locked|is pinned|withdrawn|marked read|is yours|now)\b", re.I)


def flashes(response) -> list[str]:
    """The messages the page shows after the button: the page itself, or the one the redirect leads to."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', text(response), re.S)]


def after(client, response) -> list[str]:
    assert response.status_code == 302, text(response)[:400]
    return flashes(client.get(response.headers["Location"]))


def says_nothing_changed(messages: list[str], why: str) -> None:
    assert len(messages) == 1, messages
    [message] = messages
    assert message.startswith(NOTHING_CHANGED) and why in message, message
    assert not CLAIMS_DONE.search(message.removeprefix(NOTHING_CHANGED)), message


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- votes, "me too", solutions ------------------------------------------------------------------------


def test_withdrawing_a_vote_never_cast_says_nothing_changed(act_as, community):
    client = act_as("author")
    response = client.post(f"/p/{community.reply.id}/helpful/withdraw")
    says_nothing_changed(after(client, response), "you had not voted")
    db.session.expire_all()
    assert community.reply.vote_count == 0 and count(Vote) == 0


def test_voting_twice_says_the_second_time_changed_nothing(act_as, community):
    client = act_as("author")
    assert "helpful vote is counted" in after(client, client.post(f"/p/{community.reply.id}/helpful"))[0]
    says_nothing_changed(after(client, client.post(f"/p/{community.reply.id}/helpful")), "already voted")
    db.session.expire_all()
    assert community.reply.vote_count == 1 and count(Vote) == 1


def test_taking_back_a_me_too_never_said_says_nothing_changed(act_as, community):
    client = act_as("other")
    says_nothing_changed(after(client, client.post(f"/t/{community.thread.id}/me-too/withdraw")),
                         "had not said")
    qa.add_me_too(community.other, community.thread)
    says_nothing_changed(after(client, client.post(f"/t/{community.thread.id}/me-too")), "already said")
    db.session.expire_all()
    assert community.thread.me_too_count == 1


def test_accepting_the_solution_again_or_unaccepting_none_says_nothing_changed(act_as, community):
    client = act_as("author")
    says_nothing_changed(after(client, client.post(f"/t/{community.thread.id}/unaccept")), "no accepted solution")
    qa.accept_solution(community.author, community.thread, community.reply)
    notes = count(Notification)
    says_nothing_changed(after(client, client.post(f"/p/{community.reply.id}/accept")), "already is the solution")
    assert count(Notification) == notes


def test_clearing_a_needs_info_request_that_is_not_there_says_nothing_changed(act_as, community):
    client = act_as("author")
    response = client.post(f"/t/{community.thread.id}/needs-info/clear")
    says_nothing_changed(after(client, response), "not waiting for more information")
    db.session.expire_all()
    assert community.thread.status == "answered"
    assert needs_info.clear_info_request(community.author, community.thread) is False


# --- watching and following -----------------------------------------------------------------------------


def test_watching_or_muting_twice_says_nothing_changed(act_as, community):
    client = act_as("moderator")
    thread = community.thread
    assert "You're watching" in after(client, client.post(f"/t/{thread.id}/watch"))[0]
    says_nothing_changed(after(client, client.post(f"/t/{thread.id}/watch")), "already watching")
    after(client, client.post(f"/t/{thread.id}/mute"))
    says_nothing_changed(after(client, client.post(f"/t/{thread.id}/mute")), "already muted")
    assert count(Subscription, Subscription.user_id == community.moderator.id) == 1


def test_following_a_category_or_tag_twice_says_nothing_changed(act_as, community, make):
    client = act_as("other")
    category = community.category
    after(client, client.post(f"/c/{category.slug}/follow"))
    says_nothing_changed(after(client, client.post(f"/c/{category.slug}/follow")), "already following Billing")
    thread = make.make_thread(author=community.author, category=category, tags=["refunds"])
    tag = thread.tags[0]
    subscriptions.watch(community.other, tag)
    says_nothing_changed(after(client, client.post(f"/tags/{tag.name}/follow")), "already following the tag")
    after(client, client.post(f"/c/{category.slug}/mute"))
    says_nothing_changed(after(client, client.post(f"/c/{category.slug}/mute")), "already muted")


# --- notifications --------------------------------------------------------------------------------------


def test_marking_someone_elses_notification_read_is_refused_with_the_reason(act_as, community):
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == community.author.id))
    response = act_as("other").post(f"/notifications/{theirs.id}/read")
    assert response.status_code == 404
    page = text(response)
    assert "not yours" in page and NOTHING_CHANGED not in page and "marked read" not in page
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_marking_a_read_notification_again_says_nothing_changed(act_as, community):
    note = db.session.scalar(select(Notification).where(Notification.user_id == community.author.id))
    client = act_as("author")
    after(client, client.post(f"/notifications/{note.id}/read"))
    db.session.refresh(note)
    first_read = note.read_at
    says_nothing_changed(after(client, client.post(f"/notifications/{note.id}/read")), "already read")
    says_nothing_changed(after(client, client.post("/notifications/read")), "no unread notifications")
    db.session.refresh(note)
    assert note.read_at == first_read


# --- edits and settings saved unchanged ----------------------------------------------------------------


def test_saving_an_unchanged_post_edit_does_not_say_saved(act_as, community):
    client = act_as("other")
    response = client.post(f"/p/{community.reply.id}/edit", data={"body": community.reply.body})
    says_nothing_changed(after(client, response), "the same as before")
    db.session.expire_all()
    assert community.reply.edited_at is None and count(PostRevision) == 0


def test_saving_an_unchanged_thread_edit_does_not_say_updated(act_as, community):
    client = act_as("author")
    response = client.post(f"/t/{community.thread.id}/edit", data={"title": community.thread.title, "tags": ""})
    messages = after(client, response)
    says_nothing_changed(messages, "already read like that")
    assert not any("updated" in message for message in messages)


def test_saving_unchanged_profile_and_notification_settings_says_nothing_changed(act_as, community):
    client = act_as("other")
    user = community.other
    response = client.post("/settings/profile", data={"display_name": user.display_name or "", "bio": user.bio or "",
                                                      "time_zone": user.time_zone})
    says_nothing_changed(after(client, response), "profile already")
    response = client.post("/settings/notifications", data={"email_frequency": user.email_frequency,
                                                            "weekly_digest": "y" if user.weekly_digest else ""})
    says_nothing_changed(after(client, response), "settings already")


# --- moderator buttons -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("button", "prepare", "why"), [
    ("hide", lambda c: actions.hide_post(c.moderator, c.reply, "Spam"), "already hidden"),
    ("unhide", None, "was not hidden"),
    ("restore", None, "was not deleted"),
])
def test_post_buttons_on_a_post_already_so_say_nothing_changed(act_as, community, button, prepare, why):
    if prepare:
        prepare(community)
    audited = count(AuditEntry)
    notes = count(Notification)
    client = act_as("moderator")
    response = client.post(f"/moderation/posts/{community.reply.id}/{button}", data={"reason": "Spam"})
    says_nothing_changed(after(client, response), why)
    assert count(AuditEntry) == audited and count(Notification) == notes


@pytest.mark.parametrize(("button", "why"), [
    ("unlock", "was not locked"), ("lock", "already locked"), ("unpin", "was not pinned"), ("pin", "already pinned"),
])
def test_thread_buttons_on_a_thread_already_so_say_nothing_changed(act_as, community, button, why):
    if button in ("lock", "pin"):
        (actions.set_locked if button == "lock" else actions.set_pinned)(community.moderator, community.thread, True)
    audited = count(AuditEntry)
    client = act_as("moderator")
    response = client.post(f"/moderation/threads/{community.thread.id}/{button}")
    says_nothing_changed(after(client, response), why)
    assert count(AuditEntry) == audited


def test_moving_a_thread_to_its_own_category_says_nothing_changed(act_as, community):
    client = act_as("moderator")
    response = client.post(f"/moderation/threads/{community.thread.id}/move",
                           data={"move-category_id": str(community.category.id)})
    says_nothing_changed(after(client, response), "already is in that category")
    assert count(AuditEntry) == 0


def test_deciding_a_review_item_someone_already_handled_is_a_409_with_the_reason(act_as, community):
    item = review_queue.open_item(community.reply, ReviewKind.FLAGGED, "Looks like spam")
    db.session.commit()
    review_queue.resolve_item(community.moderator, item.id, review_queue.Decision("dismiss", ""))
    response = act_as("moderator").post(f"/moderation/queue/{item.id}", data={"action": "hide"})
    assert response.status_code == 409
    assert flashes(response) == ["Someone already handled this item."]
    db.session.expire_all()
    assert community.reply.visibility == "public"


# --- staff: roles, advocates, cases ----------------------------------------------------------------------


def test_giving_a_member_the_role_they_have_says_nothing_changed(act_as, community):
    client = act_as("admin")
    response = client.post(f"/admin/users/{community.other.id}/role", data={"role": "member"})
    says_nothing_changed(after(client, response), "already is member")
    assert count(AuditEntry) == 0


def test_making_an_advocate_an_advocate_again_says_nothing_changed(act_as, community):
    client = act_as("moderator")
    username = community.advocate.username
    says_nothing_changed(after(client, client.post(f"/u/{username}/advocate")), "already is an advocate")
    says_nothing_changed(after(client, client.post(f"/u/{community.other.username}/advocate/revoke")),
                         "is not an advocate")
    assert count(AuditEntry) == 0 and advocates.make_advocate(community.moderator, community.advocate) is False


def test_desk_buttons_on_a_case_already_so_say_nothing_changed(switch_user, community, make):
    agent = make.make_user(role="agent", username="agentsmith")
    case, _ = cases.escalate_thread(community.author, community.thread, "Charged twice")
    cases.claim_case(agent, case)
    client = switch_user(agent)
    notes = count(Notification)
    says_nothing_changed(after(client, client.post(f"/desk/cases/{case.id}/claim")), "already was yours")
    says_nothing_changed(after(client, client.post(f"/desk/cases/{case.id}/status", data={"status": case.status})),
                         "already had that status")
    says_nothing_changed(after(client, client.post(f"/desk/cases/{case.id}/priority",
                                                   data={"priority": case.priority})), "already had that priority")
    assert count(Notification) == notes


def test_the_role_service_reports_an_unchanged_role(community):
    assert accounts.set_role(community.admin, community.other, "member") is False
    assert accounts.set_role(community.admin, community.other, "moderator") is True


def test_enabling_a_webhook_that_is_on_says_nothing_changed(act_as, community):
    subscription = webhooks.create_subscription(community.admin, webhooks.SubscriptionInput(
        "https://93.184.215.14/hooks", ["post.created"], "web-form-secret-1234"))
    client = act_as("admin")
    response = client.post(f"/admin/webhooks/{subscription.id}/enable")
    says_nothing_changed(after(client, response), "was already on")


def test_linking_a_question_already_in_the_incident_says_nothing_changed(switch_user, community, make):
    agent = make.make_user(role="agent", username="agentsmith")
    incident = incidents.open_incident(agent, "Login error 503", [community.thread.id])
    updated = incident.updated_at
    client = switch_user(agent)
    response = client.post(f"/staff/incidents/{incident.id}/threads", data={"thread_ids": str(community.thread.id)})
    says_nothing_changed(after(client, response), "already part of this incident")
    db.session.refresh(incident)
    assert incident.updated_at == updated
