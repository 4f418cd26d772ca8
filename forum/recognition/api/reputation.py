"""A user's reputation ledger: every row that moved their total, newest first (public, like the total)."""

from __future__ import annotations

from typing import Any

from forum import accounts
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import page_params
from forum.models import ReputationEvent
from forum.recognition import reputation


def ledger_row(row: ReputationEvent) -> dict[str, Any]:
    """api.md's {delta, reason, post_id, created_at}, plus what a reversal undid and why."""
    return {
        "id": row.id,
        "delta": row.delta,
        "reason": row.reason,
        "post_id": row.post_id,
        "thread_id": row.thread_id,
        "reverses_id": row.reverses_id,
        "correction": row.correction,
        "created_at": serializers.timestamp(row.created_at),
    }


@bp.get("/users/<id:user_id>/reputation")
def show_reputation(user_id: int):
    user = accounts.get_user(user_id)
    limit, cursor = page_params()
    return serializers.page(reputation.list_ledger(user, limit, cursor), ledger_row)
