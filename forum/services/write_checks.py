"""What is looked for in a text before it is published, one rule set for the pages and the API (issue 18).

Two courtesies run on every way a member writes: the personal-data guard (forum.accounts.
personal_data: emails, card and phone numbers, addresses in the title or body) and, where a
question's title is written or its question reworded, the similar-solved-questions check
(forum.services.suggestions). Both run on asking, replying and editing, on the web and in the
API, so a client cannot skip the rules the pages keep. Findings never refuse a write on their
own: the pages show them and ask once; the API stores as asked and returns them as warnings,
or, for a client that asks first ("check_only"), returns them instead of storing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.accounts import personal_data
from forum.models import Post, Thread, User
from forum.services import suggestions


@dataclass(frozen=True)
class Findings:
    """What a text would publish: personal data found in it, and solved threads that may already answer it."""

    personal_data: list[personal_data.Finding] = field(default_factory=list)
    similar: list[suggestions.Suggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.personal_data or self.similar)


def _personal(*texts: str | None) -> list[personal_data.Finding]:
    return [finding for text in texts for finding in personal_data.find(text)]


def for_new_thread(viewer: User | None, title: str | None, body: str | None) -> Findings:
    """Asking: personal data in the title or body, and solved questions like the title."""
    return Findings(_personal(title, body), suggestions.similar_questions(viewer, title or ""))


def for_reply(body: str | None) -> Findings:
    """Replying: personal data only (a reply has no title to compare)."""
    return Findings(_personal(body))


def for_edit(post: Post, body: str | None) -> Findings:
    """Editing a post: personal data in the new body.

    Similar questions follow the title (as on the ask page), so a reworded body does not ask
    again; renaming the thread does (for_title_edit).
    """
    return Findings(_personal(body)) if body != post.body else Findings()


def for_title_edit(viewer: User | None, thread: Thread, title: str | None) -> Findings:
    """Renaming a thread: personal data in the new title, and solved questions like it (never itself).

    The title is the most public text of all (lists, the address, search, feeds, webhooks), and
    a post's "send privately" cannot scrub it afterwards, so it is checked before it is saved.
    """
    if title is None or title.strip() == thread.title:
        return Findings()
    found = suggestions.similar_questions(viewer, title)
    similar = [s for s in found if not (s.kind == "thread" and s.id == thread.id)]  # not the thread itself
    return Findings(_personal(title), similar)
