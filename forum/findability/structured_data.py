"""schema.org JSON-LD for a thread page: a QAPage for a question, a DiscussionForumPosting for anything else
(a discussion, or an idea: it asks for a change, and its replies are comments, not answers).

Built from the posts the thread page already loaded (question, accepted reply, the page's replies, each with
its author), so it costs the page no SQL statement. It describes what a signed-out visitor may read, decided
by the permission layer: nothing for a thread they may not see, and of the posts only the public ones, so a
moderator's or an author's view carries the same block as everyone's and hidden, pending or deleted replies
never appear. A support case's messages are never among the posts (they live on the case).

Google's Q&A guidelines shape the QAPage: the Question has name, text, answerCount, upvoteCount,
dateCreated and author, and an acceptedAnswer (the solution) and/or suggestedAnswer (the other replies on
the page: answers that "might be correct but aren't accepted"); every Answer has text, dateCreated,
upvoteCount, author and url. A question nobody answered yet gets no block (the guidelines want answers).

script() makes the JSON safe inside <script type="application/ld+json">: "<", ">" and "&" become \\u003c,
\\u003e and \\u0026, so a post that contains "</script>" cannot close the element.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from forum.findability.link_previews import is_public
from forum.models import Post, Thread, ThreadKind, User
from forum.services.markup import visible_text

CONTEXT = "https://schema.org"
# Characters that could end the <script> element or start markup inside it, as JSON escapes.
# (str.replace per character, not str.translate: translate walks a 50 KB block a character at a time through a
# dict, a millisecond of every thread page; five replace passes run at C speed.)
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                ("\u2029", "\\u2029"))
# Distinct post bodies whose words are kept: a popular thread's posts are read for every view, and the parse
# of their HTML was the largest part of this block's cost (issue 27 item 4).
TEXT_CACHE_SIZE = 512

JsonLd = dict[str, Any]


@dataclass(frozen=True)
class Links:
    """Addresses, from the HTTP layer: the absolute address of the view shown, and a member's profile."""

    page: str
    profile: Callable[[User], str]


@dataclass(frozen=True)
class ThreadView:
    """What the thread page shows: its question, its accepted reply (when the viewer may see it), its replies."""

    thread: Thread
    question: Post | None
    accepted: Post | None
    replies: Sequence[Post]


def for_thread(view: ThreadView, links: Links) -> JsonLd | None:
    """The JSON-LD of a thread page, or None when there is nothing public to describe."""
    thread, question = view.thread, view.question
    if question is None or not question.is_public or not is_public(thread):
        return None
    accepted = view.accepted if view.accepted is not None and _has_text(view.accepted) else None
    others = [post for post in view.replies if _has_text(post) and post.id != thread.accepted_post_id]
    if thread.kind != ThreadKind.QUESTION.value:
        return _discussion(thread, question, ([accepted] if accepted else []) + others, links)
    if accepted is None and not others:
        return None
    return _qa_page(thread, question, accepted, others, links)


def _has_text(post: Post) -> bool:
    """Public, and with words to show (an Answer needs text; a picture-only reply has none)."""
    return post.is_public and bool(_text(post))


def _text(post: Post) -> str:
    return _words(post.body_html)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _words(body_html: str) -> str:
    """A body's visible words on one line. Keyed by the sanitized HTML itself, so an edit is a new entry."""
    return " ".join(visible_text(body_html).split())


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(user: User, links: Links) -> JsonLd:
    return {"@type": "Person", "name": user.name, "url": links.profile(user)}


def _answer(post: Post, links: Links) -> JsonLd:
    return {
        "@type": "Answer",
        "text": _text(post),
        "dateCreated": _date(post.created_at),
        "upvoteCount": post.vote_count,
        "url": f"{links.page}#p{post.id}",
        "author": _person(post.author, links),
    }


def _qa_page(thread: Thread, question: Post, accepted: Post | None, others: list[Post], links: Links) -> JsonLd:
    entity: JsonLd = {
        "@type": "Question",
        "name": thread.title,
        "text": _text(question) or thread.title,
        "answerCount": thread.reply_count,
        "upvoteCount": question.vote_count,
        "dateCreated": _date(question.created_at),
        "author": _person(question.author, links),
        "url": links.page,
    }
    if accepted is not None:
        entity["acceptedAnswer"] = _answer(accepted, links)
    if others:
        entity["suggestedAnswer"] = [_answer(post, links) for post in others]
    return {"@context": CONTEXT, "@type": "QAPage", "mainEntity": entity}


def _discussion(thread: Thread, question: Post, replies: list[Post], links: Links) -> JsonLd:
    return {
        "@context": CONTEXT,
        "@type": "DiscussionForumPosting",
        "headline": thread.title,
        "text": _text(question) or thread.title,
        "datePublished": _date(question.created_at),
        "author": _person(question.author, links),
        "url": links.page,
        "interactionStatistic": {"@type": "InteractionCounter", "interactionType": f"{CONTEXT}/CommentAction",
                                 "userInteractionCount": thread.reply_count},
        "comment": [_comment(post, links) for post in replies],
    }


def _comment(post: Post, links: Links) -> JsonLd:
    return {
        "@type": "Comment",
        "text": _text(post),
        "datePublished": _date(post.created_at),
        "author": _person(post.author, links),
        "url": f"{links.page}#p{post.id}",
    }


def script(data: JsonLd) -> str:
    """The JSON text of a <script type="application/ld+json"> block, unable to end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _SCRIPT_SAFE:
        text = text.replace(character, escape)
    return text
