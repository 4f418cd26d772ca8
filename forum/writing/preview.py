"""The editor's preview: Markdown rendered by the pipeline every saved post goes through, nothing stored.

The live preview (web /preview and POST /api/v1/preview) and the no-JavaScript Preview buttons of the
Ask, Reply and Edit forms all call render_preview, so what the preview shows is what publishing stores:
the text as the content checks rewrite it (watched words censored or linked), within the same size limit.
"""

from __future__ import annotations

from forum.core.errors import DomainError, Invalid
from forum.core.i18n import N_, _
from forum.models import User
from forum.services import markup, policies
from forum.services.permissions import Action, require
from forum.writing.drafts import MAX_BODY_BYTES

# Live previews follow typing (one request per pause): one budget per member for the page endpoint
# (/preview) and the API (POST /api/v1/preview) together; generous, but bounded.
RATE = "60 per minute"
SCOPE = "preview"


class TooLong(DomainError):
    """More text than a post may hold: 413, as for any body over the limit."""

    status = 413
    title = N_("Too long to preview")


def too_long_message() -> str:
    return _("Too long to preview: posts can be at most %(kb)d KB.", kb=MAX_BODY_BYTES // 1024)


def render_preview(user: User | None, body: str) -> str:
    """The sanitized HTML publishing body would store; TooLong past the posting limit."""
    require(user, Action.POST_PREVIEW)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise TooLong(too_long_message(), {"body": [too_long_message()]})
    return markup.render_markdown(_as_published(user, body))


def _as_published(user: User, body: str) -> str:
    """The body as publishing would store it (forum.services.policies: watched words censored or linked).

    Holds do not matter to a preview; a text the checks would refuse is shown as written (publishing says why).
    """
    try:
        return policies.review(policies.Draft(user, "preview", body)).body
    except Invalid:
        return body
