"""A new article's first draft, born from a solved thread or a resolved case ("Turn into article").

Only what is already public, or written for the customer, is ever copied:
- from a thread: its question and its accepted answer (with the answer's author named), and only while both
  are public (a hidden, pending or deleted post is never copied; other replies never are);
- from a case: the thread's question (and its title) when it is public, and the case's resolution (what the
  agent wrote for the customer). The case conversation is never copied: internal notes are for staff only, and the
  customer's messages are private and often hold account details.
The personal-data guard (forum.accounts.personal_data) runs on the composed draft, and its findings go
with the prefill for the editor to show as a warning before anything is saved. Nothing here writes: the
editor page calls these on a GET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forum import cases
from forum.accounts import personal_data
from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import Post, Thread, User
from forum.services import reading
from forum.services.permissions import Action, require

# The draft's headings, in the words of whoever starts it (marked here, translated as the draft is composed).
QUESTION_HEADING = N_("The question")
ANSWER_HEADING = N_("The answer")
SOLUTION_HEADING = N_("The solution")
NOT_SOLVED = N_("Only solved questions can become articles.")
NOT_RESOLVED = N_("Only resolved cases can become articles: resolve the case with a written resolution first.")
QUESTION_NOT_PUBLIC = N_("This question is hidden or deleted, so it cannot become an article.")
ANSWER_NOT_PUBLIC = N_("The accepted answer is hidden or deleted, so there is nothing to copy.")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>~|#])")


@dataclass(frozen=True)
class Prefill:
    """What the new-article form starts from; findings: personal data found in the title or body."""

    title: str
    body: str
    category_id: int | None
    tags: list[str] = field(default_factory=list)
    source_thread_id: int | None = None
    source_case_id: int | None = None
    findings: list[personal_data.Finding] = field(default_factory=list)


def from_thread(viewer: User | None, thread_id: int) -> Prefill:
    """The question and its accepted answer as a draft; for those holding the article privilege.

    Forbidden without the privilege, NotFound when the viewer may not see the thread, Invalid when it is
    not solved or its question or accepted answer is no longer public.
    """
    require(viewer, Action.ARTICLE_PROPOSE)
    thread = _visible_thread(viewer, thread_id)
    if thread.accepted_post_id is None:
        raise Invalid({"thread": [_(NOT_SOLVED)]})
    question = _public_question(thread)
    if question is None:
        raise Invalid({"thread": [_(QUESTION_NOT_PUBLIC)]})
    answer = db.session.get(Post, thread.accepted_post_id)
    if answer is None or not answer.is_public:
        raise Invalid({"thread": [_(ANSWER_NOT_PUBLIC)]})
    body = _sections((QUESTION_HEADING, question.body),
                     (ANSWER_HEADING, _("Answered by %(name)s.", name=_markdown_text(answer.author.name))
                      + f"\n\n{answer.body}"))
    return _prefill(thread, body, source_case_id=None)


def from_case(viewer: User | None, case_id: int) -> Prefill:
    """The thread's public question and the case's resolution as a draft; for agents (who hold the privilege).

    Forbidden unless the viewer works cases and holds the article privilege, NotFound for an unknown case,
    Invalid while the case has no resolution or is open again.
    """
    require(viewer, Action.CASE_WORK)
    require(viewer, Action.ARTICLE_PROPOSE)
    if type(case_id) is not int:
        raise NotFound(_("That case does not exist or is not visible to you."))
    case = cases.get_case(viewer, case_id)
    require(viewer, Action.CASE_WORK, case)
    if case.is_open or not (case.resolution or "").strip():
        raise Invalid({"case": [_(NOT_RESOLVED)]})
    thread = case.thread
    question = _public_question(thread)
    parts = [(QUESTION_HEADING, question.body)] if question is not None else []
    body = _sections(*parts, (SOLUTION_HEADING, case.resolution.strip()))
    # A question hidden or deleted (say, for the personal data in it) gives no title either: the agent writes one.
    return _prefill(thread, body, source_case_id=case.id, title=thread.title if question is not None else "")


def _visible_thread(viewer: User | None, thread_id: int) -> Thread:
    if type(thread_id) is not int:
        raise NotFound(_("That thread does not exist or is not visible to you."))
    return reading.get_thread(viewer, thread_id)


def _public_question(thread: Thread) -> Post | None:
    """The thread's question post while everyone may read it (staff may see deleted and hidden ones)."""
    if thread.deleted_at is not None:
        return None
    question = reading.question_post(thread)
    return question if question is not None and question.is_public else None


def _sections(*parts: tuple[str, str]) -> str:
    return "\n\n".join(f"## {_(heading)}\n\n{text.strip()}" for heading, text in parts) + "\n"


def _markdown_text(text: str) -> str:
    """A name as literal Markdown text (a display name like "*Bo*" must not turn into emphasis)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _prefill(thread: Thread, body: str, *, source_case_id: int | None, title: str | None = None) -> Prefill:
    title = thread.title if title is None else title
    findings = personal_data.find(title) + personal_data.find(body)
    return Prefill(title=title, body=body, category_id=thread.category_id,
                   tags=[tag.name for tag in thread.tags], source_thread_id=thread.id,
                   source_case_id=source_case_id, findings=findings)
