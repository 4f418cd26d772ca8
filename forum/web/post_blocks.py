"""Each post on a thread page rendered once per "what this kind of viewer sees" and reused.

Rendering the per-post macros was most of a signed-in thread page (issue 21's profile: 64 %), and what
one post looks like depends on few things: the post, its author, the thread's Q&A state, and a handful of
yes/no answers about the viewer (may edit, delete, flag, vote; voted already; moderating; ignores the author,
which collapses the post). A PostBlock
holds exactly those inputs, and the macro reads nothing else, so a block is the cache key of its own
HTML: members with the same answers share one rendering, and any change to an input (an edit, a vote, a
rank, a role, "5 min ago" becoming "6 min ago") is a different key — nothing to invalidate, in this
process or any other.

Only the CSRF token differs per request: it is a slot filled on the way out (forum.http.shared_fragments;
a rendering holding the request's real token is refused). The cache is per process and bounded in bytes,
least recently used out first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any, NamedTuple

from flask import current_app, get_template_attribute, request
from markupsafe import Markup

from forum.core import i18n
from forum.http import shared_fragments
from forum.http.templating import time_ago
from forum.models import Post, Thread
from forum.services.permissions import Action, Capabilities

# What one process keeps: enough for the hot threads of a busy community (a block is 2-5 kB).
CACHE_BYTES = 8 * 1024 * 1024


class AuthorView(NamedTuple):
    """What the author macro and the avatar read of a user (same names as User's attributes).

    All of it is the user row the page loaded with the posts: the running solution count and the
    code of the best badge are columns of it (forum.recognition keeps them), so showing them costs
    no query, and a new solution or badge is a new key like any other change.
    """

    id: int
    username: str
    name: str
    reputation: int
    role: str
    is_staff: bool
    avatar_upload_id: int | None
    solution_count: int = 0
    top_badge: str | None = None

    @classmethod
    def of(cls, user: Any) -> AuthorView:
        return cls(user.id, user.username, user.name, user.reputation, user.role, user.is_staff,
                   user.avatar_upload_id, user.solution_count or 0, user.top_badge)


class PostBlock(NamedTuple):
    """Every input of templates/_macros/posts.html's post_article, and nothing else.

    A named tuple (as QaBlock and AuthorView): made, hashed and compared in C, twenty times a thread page;
    a frozen dataclass did each field by field in Python (issue 21)."""

    id: int
    label: str
    author: AuthorView
    is_question: bool
    solution: bool
    body_html: str
    visibility: str
    moderation_note: str | None
    created_at: datetime
    created_ago: str
    edited_at: datetime | None
    edited_ago: str
    deleted_at: datetime | None
    deleted_ago: str
    may_see_history: bool
    may_edit: bool
    may_delete: bool
    may_flag: bool
    moderating: bool
    qa: QaBlock | None
    # The viewer ignores the author (forum.accounts.blocks): the post is shown collapsed, still expandable.
    collapsed: bool = False

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class QaBlock(NamedTuple):
    """The Q&A controls' inputs: the thread's state, this viewer's answers, the page's sort and cursor."""

    thread_id: int
    thread_slug: str
    question_thread: bool
    accepted_post_id: int | None
    vote_count: int
    may_vote: bool
    voted: bool
    me_too_count: int
    may_say_me_too: bool
    said_me_too: bool
    may_accept: bool
    may_reply: bool
    sort: str | None
    cursor: str | None

    @property
    def id(self) -> int:  # thread_url() reads .id and .slug
        return self.thread_id

    @property
    def slug(self) -> str:
        return self.thread_slug


@dataclass(frozen=True, slots=True)
class PageState:
    """What the thread page knows once for all its posts."""

    viewer: Capabilities
    thread: Thread
    voted: frozenset[int]
    said_me_too: bool
    may_reply: bool
    sort: str | None
    cursor: str | None
    ignored: frozenset[int] = frozenset()  # authors the viewer ignores (thread_marks, no statement of its own)


def qa_block(post: Post, page: PageState) -> QaBlock:
    thread, viewer = page.thread, page.viewer
    question_thread = thread.kind == "question"
    return QaBlock(
        thread_id=thread.id, thread_slug=thread.slug, question_thread=question_thread,
        accepted_post_id=thread.accepted_post_id, vote_count=post.vote_count,
        may_vote=not viewer.owns(post) and viewer.can(Action.POST_VOTE, post), voted=post.id in page.voted,
        me_too_count=thread.me_too_count,
        may_say_me_too=post.is_question and question_thread and viewer.user_id != thread.author_id
        and viewer.can(Action.THREAD_ME_TOO, thread),
        said_me_too=post.is_question and page.said_me_too,
        may_accept=not post.is_question and question_thread and viewer.can(Action.THREAD_ACCEPT, thread),
        may_reply=page.may_reply, sort=page.sort, cursor=page.cursor,
    )


def post_block(post: Post, label: str, page: PageState) -> PostBlock:
    """The inputs of one post's block for this viewer, from the post, its author and the page state."""
    viewer = page.viewer
    return PostBlock(
        id=post.id, label=label, author=AuthorView.of(post.author), is_question=post.is_question,
        solution=post.id == page.thread.accepted_post_id, body_html=post.body_html,
        visibility=post.visibility, moderation_note=post.moderation_note,
        created_at=post.created_at, created_ago=time_ago(post.created_at),
        edited_at=post.edited_at, edited_ago=time_ago(post.edited_at),
        deleted_at=post.deleted_at, deleted_ago=time_ago(post.deleted_at),
        may_see_history=post.edited_at is not None and viewer.can(Action.POST_HISTORY, post),
        may_edit=viewer.can(Action.POST_EDIT, post), may_delete=viewer.can(Action.POST_DELETE, post),
        may_flag=not viewer.moderator and viewer.can(Action.POST_FLAG, post), moderating=viewer.moderator,
        qa=qa_block(post, page) if not post.is_deleted else None,
        collapsed=post.author_id in page.ignored,
    )


class _Renderings:
    """A least-recently-used map of (PostBlock, mount point) → HTML, bounded by the bytes it holds; thread-safe."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        """key: the block first (its body counts against the budget too, the key holds it)."""
        size = len(html) + len(key[0].body_html)
        if size > self.budget // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = html
            self.used += size
            while self.used > self.budget:
                old, old_html = self.entries.popitem(last=False)
                self.used -= len(old_html) + len(old[0].body_html)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.used = 0


_renderings = _Renderings(CACHE_BYTES)


def _render_shared(block: PostBlock) -> str:
    macro = get_template_attribute("_macros/posts.html", "post_article")
    return shared_fragments.render_shared(lambda: str(macro(block)))


def rendering_place() -> tuple:
    """What a block's HTML depends on besides the block: url_for's output on the app and where it is mounted,
    the words on the reader's language. The same for every post of a page (asked once per page)."""
    return request.script_root, id(current_app._get_current_object()), i18n.current_language()


def render(block: PostBlock, place: tuple | None = None) -> Markup:
    """The block's HTML, from the cache when this kind of viewer saw this version of the post before."""
    use_cache = current_app.config.get("POST_BLOCK_CACHE", True)
    key = (block, *(place or rendering_place()))
    html = _renderings.get(key) if use_cache else None
    if html is None:
        html = _render_shared(block)
        if use_cache:
            _renderings.put(key, html)
    return Markup(shared_fragments.fill(html))  # nosec B704  # our autoescaping templates; body sanitized on write


def clear_cache() -> None:
    """Forget every rendering (tests; nothing in the application needs it: keys carry their inputs)."""
    _renderings.clear()


class ThreadPosts:
    """What templates/threads/show.html calls for each post: {{ posts.render(post, "Reply") }}."""

    def __init__(self, page: PageState) -> None:
        self.page = page
        self.place: tuple | None = None

    def render(self, post: Post, label: str) -> Markup:
        if self.place is None:
            self.place = rendering_place()
        return render(post_block(post, label, self.page), self.place)
