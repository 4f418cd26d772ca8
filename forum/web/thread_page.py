"""The thread page: question, accepted solution, replies and the Q&A controls, in a fixed number of queries.

Shared by the views that show a thread and those that re-show it with a form's errors or a preview.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import redirect, render_template, request

from forum import cases
from forum.core import clock
from forum.core.errors import NotFound
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.urls import REPLIES_PER_PAGE, thread_url
from forum.ideas import presenting as idea_presenting
from forum.models import Case, Post, Thread, ThreadKind, ThreadStatus, User
from forum.services import community_settings, feedback, moderation_state, reading, thread_marks
from forum.services.permissions import Action, Capabilities, can, is_staff, restriction
from forum.web.forms import EscalateForm, FeedbackForm, NeedsInfoForm, ReplyForm
from forum.web.post_blocks import PageState, ThreadPosts

REPLY_SORTS = [("oldest", _l("Oldest first")), ("votes", _l("Most helpful"))]
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~@])")
# The arguments that choose which replies the page shows: a redirect to the thread's address keeps them.
PAGING_ARGS = ("page", "cursor", "sort")


class Deferred:
    """A blank form built when the template first reads it. Most views show few of the page's forms (the
    reply form to members who may reply, the feedback form to the asker, the request for details to advocates
    and staff), and building each cost about a millisecond of a signed-in page (issue 21)."""

    __slots__ = ("_build", "_form")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self._form = build, None

    def __getattr__(self, name: str) -> Any:
        if self._form is None:
            self._form = self._build()
        return getattr(self._form, name)


def quote_markdown(post: Post) -> str:
    """The post as a Markdown quote: an attribution line linking to it, then its source as "> " lines."""
    name = MARKDOWN_SPECIAL.sub(r"\\\1", post.author.name)
    lines = "\n".join(f"> {line}" if line.strip() else ">" for line in post.body.strip().splitlines())
    link = thread_url(post.thread, _anchor=f"p{post.id}")
    return _("**%(name)s** [wrote](%(link)s):", name=name, link=link) + f"\n{lines}\n\n"


def _quoted(viewer: User | None, thread: Thread) -> str:
    """The reply form's starting text: the post named by ?quote=<id>, quoted; empty without one."""
    post_id = request.args.get("quote", type=int)
    if post_id is None or not can(viewer, Action.THREAD_REPLY, thread):
        return ""
    post = reading.get_post(viewer, post_id)
    if post.thread_id != thread.id:
        raise NotFound(_("That post is not in this thread."))
    return quote_markdown(post)


def merged_redirect(thread_id: int):
    """A thread merged into another one answers with a permanent redirect to it; None otherwise.

    Only when the viewer may see where it leads: the address carries the target's title words,
    which must not reach someone the target is hidden from (they get the source's own answer).
    """
    target = moderation_state.merged_target(thread_id)
    if target is None or not can(acting_user(), Action.THREAD_VIEW, target):
        return None
    return redirect(thread_url(target), 301)


def canonical_redirect(thread: Thread):
    """A thread asked for by a missing or old slug moves permanently to its one address (search engines then
    keep one copy, with the current title in its address); the paging arguments come along, so a link to a
    later page of replies still lands on that page."""
    kept = {name: request.args[name] for name in PAGING_ARGS if request.args.get(name)}
    return redirect(thread_url(thread, **kept), 301)


def feedback_state(viewer: User | None, thread: Thread) -> str | None:
    """For the asker only: "ask" until they answer, "offer" (escalation) after a "no", else None."""
    if viewer is None or viewer.id != thread.author_id or thread.kind != ThreadKind.QUESTION.value:
        return None
    latest = feedback.latest_feedback(thread)
    if latest is None:
        asked = thread.feedback_requested_at is not None or thread.status == ThreadStatus.SOLVED.value
        # A suspended or unconfirmed asker only reads: no form they could not send.
        return "ask" if asked and restriction(viewer) is None else None
    if feedback.offers_escalation(latest) and thread.status != ThreadStatus.ESCALATED.value:
        return "offer"
    return None


def escalation_state(viewer: User | None, thread: Thread, case: Case | None, asked: str | None = None) -> str | None:
    """Which escalation button the viewer gets while no case is open: "ask" (the asker), "staff", "recommend".

    A solved question offers no "I still need help" (nor a recommendation): only staff escalate it, and the
    asker once they said the solution did not solve it (asked, their feedback_state, is "offer").
    """
    if thread.kind != ThreadKind.QUESTION.value or (case is not None and case.is_open):
        return None
    if not can(viewer, Action.THREAD_ESCALATE, thread):
        return None
    if is_staff(viewer):
        return "staff"
    if thread.status == ThreadStatus.SOLVED.value and asked != "offer":
        return None
    return "ask" if viewer.id == thread.author_id else "recommend"


def suggest_escalation_hours() -> int | float:
    """The setting case.suggest_escalation_hours, whole when it is (the page says "24 hours", not "24.0")."""
    hours = community_settings.cached_setting("case.suggest_escalation_hours")
    return int(hours) if float(hours).is_integer() else hours


def suggest_escalation(thread: Thread) -> bool:
    """domain.md: the asker is pointed to support once 24 h (case.suggest_escalation_hours) pass without a
    solution: "I still need help from the support team" is emphasised."""
    if thread.status == ThreadStatus.SOLVED.value:
        return False
    return clock.now() - thread.created_at >= timedelta(hours=suggest_escalation_hours())


def _form_meta(viewer: User | None) -> dict:
    """Signed-out visitors see none of the page's forms: building their CSRF token would set a session
    cookie for nothing (and a cookie keeps the visitor out of the signed-out page cache)."""
    return {"csrf": viewer is not None}


def _case_context(viewer: User | None, thread: Thread, escalate_form: EscalateForm | None,
                  asked: str | None = None) -> dict:
    """The support banner, its public timeline, and the escalation control for this viewer."""
    support = cases.support_on_thread(thread)
    case = support.case
    escalation = escalation_state(viewer, thread, case, asked)
    suggested = escalation == "ask" and suggest_escalation(thread)  # only the asker is pointed to support
    return {
        "case": case,
        "case_timeline": cases.public_timeline(case) if case is not None else [],
        "escalation": escalation,
        "suggest_escalation": suggested,
        "suggest_escalation_hours": suggest_escalation_hours() if suggested else None,
        "escalate_form": escalate_form or Deferred(lambda: EscalateForm(formdata=None, meta=_form_meta(viewer))),
        "incident": support.incident,
    }


def _duplicate_of(viewer: User | None, thread: Thread) -> Thread | None:
    """The thread a moderator said answers this one ("Answered here"), when the viewer may see it."""
    if thread.duplicate_of_id is None:
        return None
    return reading.visible_threads_by_id(viewer, [thread.duplicate_of_id]).get(thread.duplicate_of_id)


def render(
    thread: Thread,
    *,
    reply_form: ReplyForm | None = None,
    info_form: NeedsInfoForm | None = None,
    feedback_form: FeedbackForm | None = None,
    preview: str | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
):
    """The thread page; forms passed in keep what was typed and their errors."""
    viewer = acting_user()
    sort = request.args.get("sort") or "oldest"
    cursor = request.args.get("cursor") or None
    shown = reading.thread_page_posts(viewer, thread, limit=REPLIES_PER_PAGE, cursor=cursor, sort=sort)
    question, accepted, replies = shown.question, shown.accepted, shown.replies
    shown_posts = [post for post in (question, accepted, *replies.items) if post is not None]
    marks = thread_marks.marks_on(viewer, thread, [post.id for post in shown_posts],
                                  [post.author_id for post in shown_posts])
    capabilities = Capabilities.of(viewer)
    posts = ThreadPosts(PageState(
        viewer=capabilities, thread=thread, voted=marks.voted,
        said_me_too=thread.kind == ThreadKind.QUESTION.value and marks.said_me_too,
        may_reply=capabilities.can(Action.THREAD_REPLY, thread),
        sort=None if sort == "oldest" else sort, cursor=cursor, ignored=marks.ignored,
    ))
    asked = feedback_state(viewer, thread)
    page = render_template(
        "threads/show.html",
        thread=thread,
        question=question,
        accepted=accepted,
        replies=replies,
        cursor=cursor,
        sort=sort,
        sorts=REPLY_SORTS,
        posts=posts,
        watch_state=marks.watch,
        feedback_state=asked,
        reply_form=reply_form or Deferred(lambda: ReplyForm(
            formdata=None, data={"body": _quoted(viewer, thread)}, meta=_form_meta(viewer))),
        info_form=info_form or Deferred(lambda: NeedsInfoForm(
            formdata=None, data={"note": thread.needs_info_note or ""}, meta=_form_meta(viewer))),
        feedback_form=feedback_form or Deferred(lambda: FeedbackForm(formdata=None, meta=_form_meta(viewer))),
        preview=preview,
        duplicate_of=_duplicate_of(viewer, thread),
        idea_panel=idea_presenting.idea_panel(viewer, thread),  # None unless the thread is an idea
        **_case_context(viewer, thread, escalate_form, asked),
    )
    return page, status
