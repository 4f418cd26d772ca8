"""The idea.status_changed webhook: a subscriber gets one delivery per status change, written in the change's own
transaction, with the idea as a signed-out visitor sees it; an idea nobody outside may read sends nothing."""

from __future__ import annotations

import json

from sqlalchemy import select

from forum.core import events
from forum.core.extensions import db
from forum.ideas.status import change_status
from forum.integrations import webhooks
from forum.integrations.webhooks import SubscriptionInput
from forum.models import Job, Post, WebhookDelivery
from forum.services import moderation_state

PUBLIC_URL = "https://93.184.215.14/hooks/horseshoe"  # an IP literal: no DNS needed, and never contacted here
SECRET = "s3cret-s3cret-s3cret"


def _subscribe(make, events_wanted: list[str]) -> None:
    webhooks.create_subscription(make.make_user("admin"), SubscriptionInput(PUBLIC_URL, events_wanted, SECRET))


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_type == "idea.status_changed")
                                   .order_by(WebhookDelivery.id)))


def test_idea_status_changed_is_a_subscribable_event():
    assert "idea.status_changed" in webhooks.EVENT_TYPES


def test_a_status_change_writes_one_delivery_with_the_idea_and_its_job(make, idea, staff):
    _subscribe(make, ["idea.status_changed"])
    change_status(staff, idea, "planned", note="We start in May.")
    [delivery] = _deliveries()
    data = json.loads(delivery.payload_json)
    assert (data["from_status"], data["to_status"], data["status_note"], data["duplicate_of"]) == (
        "new", "planned", "We start in May.", None)
    sent = data["idea"]
    assert (sent["id"], sent["title"], sent["status"], sent["vote_count"], sent["author"]["username"]) == (
        idea.thread_id, "Export invoices as CSV", "planned", 0, "owner")
    assert sent["url"] == f"/t/{idea.thread_id}/{idea.thread.slug}" and sent["status_changed_at"].endswith("Z")
    job = db.session.scalars(select(Job).where(Job.name == "webhooks.deliver")).one()
    assert json.loads(job.payload_json) == {"delivery_id": delivery.id}


def test_a_merge_names_the_idea_it_went_into(make, idea, ideas_category, staff):
    target = make.make_idea(category=ideas_category, title="CSV and Excel exports")
    _subscribe(make, ["idea.status_changed"])
    change_status(staff, idea, "duplicate", duplicate_of=target)
    [delivery] = _deliveries()
    data = json.loads(delivery.payload_json)
    assert data["to_status"] == "duplicate" and data["idea"]["duplicate_of"] == target.thread_id
    assert (data["duplicate_of"]["id"], data["duplicate_of"]["title"]) == (target.thread_id, "CSV and Excel exports")


def test_the_delivery_is_written_in_the_changes_transaction(make, idea):
    _subscribe(make, ["idea.status_changed"])
    events.publish("idea.status_changed", idea_id=idea.thread_id, from_status="new", to_status="planned")
    assert len(_deliveries()) == 1  # there, before any commit
    db.session.rollback()
    assert _deliveries() == []  # and gone with the change when it rolls back


def test_a_note_only_edit_sends_nothing(make, idea, staff):
    change_status(staff, idea, "planned")
    _subscribe(make, ["idea.status_changed"])
    change_status(staff, idea, "planned", note="Now with a date.")
    assert _deliveries() == []


def test_an_idea_hidden_from_the_public_sends_nothing(make, idea, staff):
    _subscribe(make, ["idea.status_changed"])
    question = db.session.scalars(select(Post).where(Post.thread_id == idea.thread_id, Post.is_question)).one()
    moderation_state.hide_post(question, staff, "spam")
    db.session.commit()
    events.publish("idea.status_changed", idea_id=idea.thread_id, from_status="new", to_status="declined")
    assert _deliveries() == []


def test_other_subscribers_get_no_idea_events(make, idea, staff):
    _subscribe(make, ["thread.created", "post.created"])
    change_status(staff, idea, "planned")
    assert _deliveries() == []
