"""Writing: the editor's live preview, drafts saved while typing, and what the editor offers around them.

drafts (the service: keys, save, restore, discard on publish, the member's list, drafts_of for the data
export) and preview (Markdown rendered by the posting pipeline, nothing stored) are its services; api
(POST /api/v1/preview, GET/PUT/DELETE /api/v1/drafts/{key}) and pages (restoring drafts into the Ask
and Edit forms, the no-JS "Discard draft" button, the profile's list) are its routes. The browser side
is forum/static/editor.js (counter, shortcuts), drafts.js (autosave) and preview.js (live preview).
Callers outside the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.writing.drafts import (
    AUTOSAVE_RATE,
    DraftInput,
    delete_draft,
    discard,
    drafts_of,
    edit_key,
    question_key,
    reply_key,
    save_draft,
)
from forum.writing.preview import render_preview

__all__ = [
    "DraftInput", "delete_draft", "discard", "drafts_of", "edit_key", "question_key", "render_preview", "reply_key",
    "save_draft",
]


def init_app(app: Flask) -> None:
    """The API routes join the API blueprint on import; the pages' blueprint and template helpers."""
    from forum import hooks
    from forum.http import ratelimits
    from forum.writing import api, pages, rerender  # noqa: F401  (api: routes join forum.http.api.bp on import)

    # Autosave writes every few seconds while someone types; a script gone wrong must not write without end.
    ratelimits.RULES["api.save_draft"] = ratelimits.Budget("draft_autosave", AUTOSAVE_RATE, ratelimits.succeeded)
    pages.init_app(app)
    hooks.register_job(rerender.JOB, rerender.run_job)
