"""Moving personal data out of public posts and into the private case conversation (issue 6).

Two ways in: the asker, warned before publishing, sends the details to support instead (a new
question is posted with a redacted body, a reply is not posted at all); or an agent later moves
a published post, which keeps its redacted public version. Either way the original text lands
in the thread's case (opened if needed) where only the customer and the agents read it. A
third person's details become an internal note, so the asker never sees someone else's data.
"""

from __future__ import annotations

from forum import cases
from forum.accounts import personal_data, personal_data_history
from forum.cases.state import tell
from forum.core import clock
from forum.core.errors import Conflict, Forbidden
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Case, CaseMessage, MessageVisibility, Post, PostRevision, Thread, User
from forum.services import audit_writer, markup, posting, sentiment
from forum.services.permissions import Action, require

PRIVATE_REASON = "The asker moved personal details out of the public thread."
STAFF_REASON = "Staff moved personal details out of the public thread."
MOVED_NOTICE = "Support moved personal details from your post out of public view; the post shows them as removed."


def send_reply_privately(actor: User, thread: Thread, body: str) -> Case:
    """The asker's would-be reply goes to support as a case message; nothing is posted publicly."""
    if actor.id != thread.author_id:
        raise Forbidden(_("Only the person who asked can send details privately to the support team."))
    case, _created = cases.escalate_thread(actor, thread, PRIVATE_REASON, personal_data=True)
    cases.post_message(actor, case, body, MessageVisibility.CUSTOMER.value)
    return case


def start_thread_privately(actor: User, data: posting.NewThread) -> tuple[Thread, Case]:
    """Post the question with its personal data redacted and hand the original to support in a case."""
    public = posting.NewThread(
        category_id=data.category_id, title=personal_data.redact(data.title or ""),
        body=personal_data.redact(data.body or ""), tags=data.tags, kind=data.kind,
    )
    thread = posting.start_thread(actor, public)
    case = send_reply_privately(actor, thread, _original(data))
    return thread, case


def _original(data: posting.NewThread) -> str:
    """The case message for a new question: the title too when it held the personal data."""
    if personal_data.find(data.title):
        return f"{data.title}\n\n{data.body}"
    return data.body


def move_post_to_case(actor: User, post: Post, reason: str = "", *, case: Case | None = None) -> Case:
    """Replace a post with its redacted version and put the original into a case of its thread (agents).

    case: the one the agent is working on (from the desk); otherwise the thread's open case,
    opened if needed. The case keeps the original; every other copy goes (personal_data_history):
    the post's earlier versions, audit entries, webhook payloads, the outbox and the search index.
    An audit entry says what kinds of data were moved, without repeating them.
    """
    require(actor, Action.CASE_WORK)
    findings = personal_data.find(post.body)
    if post.deleted_at is not None:
        raise Conflict(_("This post is deleted."))
    if not findings:
        raise Conflict(_("Nothing in this post looks like personal data; edit the post instead."))
    thread = post.thread
    if case is None or case.thread_id != thread.id:
        case, _created = cases.escalate_thread(actor, thread, STAFF_REASON, personal_data=True)
    _add_original(case, post, thread)
    removed = personal_data_history.replacements_for(personal_data_history.findings_in_history(post))
    _redact_post(actor, post)
    tell([post.author_id], case, actor, MOVED_NOTICE)
    audit_writer.record(actor, "post.move_private", "post", post.id, reason,
                 {"personal_data": sorted({finding.kind.value for finding in findings})}, {"case_id": case.id})
    personal_data_history.scrub_post(post, removed)
    case.updated_at = clock.now()
    db.session.commit()
    return case


def _add_original(case: Case, post: Post, thread: Thread) -> None:
    """The asker's own words stay theirs (customer-visible); anyone else's are an internal note."""
    from_asker = post.author_id == thread.author_id
    body = post.body if from_asker else f"Moved from a public post by {post.author.name}:\n\n{post.body}"
    db.session.add(CaseMessage(
        case_id=case.id, author_id=post.author_id,
        visibility=(MessageVisibility.CUSTOMER if from_asker else MessageVisibility.INTERNAL).value,
        body=body, body_html=markup.render_markdown(body), created_at=clock.now(),
    ))


def _redact_post(actor: User, post: Post) -> None:
    moment = clock.now()
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id, body=post.body, created_at=moment))
    post.body = personal_data.redact(post.body)
    post.body_html = markup.render_markdown(post.body)
    post.renderer_version = markup.RENDERER_VERSION
    post.sentiment = sentiment.score(post.body)
    post.edited_at = moment
