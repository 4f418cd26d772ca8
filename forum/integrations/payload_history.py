"""Text taken out of a post, or a person erased, is taken out of the stored webhook deliveries too.

Every delivery keeps its payload (the outbox row is also the delivery log admins read), and
post.created events and the helpdesk's case payloads carry a post's body and its HTML. When
personal data is moved out of a post (forum.accounts.personal_data_history), the deliveries
holding it get the post's new body and HTML, and any other copy of the removed text in them is
replaced. When an account is erased (forum.accounts.erasure), every summary of that user in a
delivery (payloads.user_summary: author, customer, assignee, with the email the helpdesk gets)
takes the anonymous names. A delivery not sent yet goes out with the redacted payload (its event
id is unchanged, so a receiver still drops duplicates); one already sent can't be called back, but
the log no longer repeats it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from forum.core.extensions import db
from forum.models import Post, WebhookDelivery

Replacements = list[tuple[str, str]]  # (text to remove, what stands in its place), longest first


def scrub_text(text: str, replacements: Replacements) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def scrub_value(value: Any, replacements: Replacements) -> Any:
    """Every string inside a decoded JSON value, scrubbed."""
    if isinstance(value, str):
        return scrub_text(value, replacements)
    if isinstance(value, list):
        return [scrub_value(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: scrub_value(item, replacements) for key, item in value.items()}
    return value


def json_needles(replacements: Replacements) -> list[str]:
    """How each text to remove appears inside a JSON document written with json.dumps (ASCII escapes)."""
    return [json.dumps(old)[1:-1] for old, _new in replacements]


def _with_post_as_now(value: Any, post: Post) -> Any:
    """Any serialized copy of this post (payloads.post_data) takes the post's current body and HTML."""
    if isinstance(value, list):
        return [_with_post_as_now(item, post) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _with_post_as_now(item, post) for key, item in value.items()}
    if value.get("id") == post.id and value.get("thread_id") == post.thread_id and "body" in value:
        value["body"] = post.body
        if "body_html" in value:
            value["body_html"] = post.body_html
    return value


def scrub_post_deliveries(post: Post, replacements: Replacements) -> int:
    """Scrub, in the caller's transaction, every delivery since the post was written that holds the text."""
    needles = json_needles(replacements)
    if not needles:
        return 0
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.created_at >= post.created_at,
            or_(*(WebhookDelivery.payload_json.contains(needle, autoescape=True) for needle in needles)),
        )
    )
    scrubbed = 0
    for delivery in deliveries:
        payload = scrub_value(_with_post_as_now(json.loads(delivery.payload_json), post), replacements)
        delivery.payload_json = json.dumps(payload, sort_keys=True)  # as delivery.record writes it
        scrubbed += 1
    return scrubbed


def _with_user_as(value: Any, user_id: int, fields: dict[str, str]) -> Any:
    """Every summary of this user (a dict with its id and a username) with fields written over its own."""
    if isinstance(value, list):
        return [_with_user_as(item, user_id, fields) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _with_user_as(item, user_id, fields) for key, item in value.items()}
    if value.get("id") == user_id and "username" in value:
        value.update({key: new for key, new in fields.items() if key in value})
    return value


def scrub_user_deliveries(user_id: int, old_username: str, fields: dict[str, str]) -> int:
    """Rewrite, in the caller's transaction, the user's summaries in every stored delivery; how many changed.

    fields: the summary's new username, display_name and email. A summary always holds the username,
    so the deliveries to read are those holding it as a whole JSON string; the id then decides.
    """
    needle = json.dumps(old_username)
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.payload_json.contains(needle, autoescape=True))
    )
    scrubbed = 0
    for delivery in deliveries:
        payload = json.loads(delivery.payload_json)
        rewritten = _with_user_as(payload, user_id, fields)
        if rewritten != payload:
            delivery.payload_json = json.dumps(rewritten, sort_keys=True)  # as delivery.record writes it
            scrubbed += 1
    return scrubbed
