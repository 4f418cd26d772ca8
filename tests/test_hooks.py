"""forum.hooks is the whole truth about extension points: every event, job, check and listener is in it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from forum import hooks
from forum.core import job_registry
from forum.services import moderation_state, policies

ROOT = Path(__file__).resolve().parent.parent


def _published_event_names() -> set[str]:
    """Every event name passed to events.publish(...) in product code, both arms of a conditional included."""
    names = set()
    for path in (path for package in ("forum", "moderation", "search") for path in (ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "publish" and node.args:
                names |= _names_of(node.args[0])
    return names


def _names_of(expression: ast.expr) -> set[str]:
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        return _names_of(expression.body) | _names_of(expression.orelse)
    return set()


def test_every_published_event_is_documented_and_every_documented_one_is_published():
    assert _published_event_names() == set(hooks.EVENTS)


def test_every_registered_job_is_documented_and_every_documented_one_is_registered(app: Flask):
    assert job_registry.names() == set(hooks.JOBS)


def test_every_content_check_and_hold_listener_is_documented(app: Flask):
    assert [name for name, _check in policies._checks] == list(hooks.CONTENT_CHECKS)
    assert set(moderation_state._hold_listeners) == set(hooks.POST_HOLD_LISTENERS)
    assert set(moderation_state._removal_listeners) == set(hooks.POST_HOLD_LISTENERS)


def test_an_undocumented_extension_is_refused_at_start_up():
    with pytest.raises(ValueError, match="not documented in forum.hooks"):
        hooks.register_job("nobody.knows", lambda _payload: None)
    with pytest.raises(ValueError, match="not documented in forum.hooks"):
        hooks.add_content_check("nobody.checks", lambda _draft: None)
    assert "nobody.knows" not in job_registry.names()
