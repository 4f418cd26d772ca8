"""Named builders with realistic defaults, going through the services where rules matter."""

from __future__ import annotations

import itertools

from forum import accounts
from forum.accounts import sessions
from forum.core.extensions import db
from forum.ideas import NewIdea, post_idea
from forum.models import Category, Idea, Post, Role, Thread, User
from forum.services import posting

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(role: str = "member", username: str | None = None, **overrides) -> User:
    """A user with a unique name and the shared test PASSWORD; verified unless verified=False."""
    n = next(_sequence)
    username = username or f"{role}{n}"
    user = accounts.register_user(
        accounts.Registration(
            username=username,
            email=overrides.pop("email", f"{username.lower()}@example.com"),
            password=overrides.pop("password", PASSWORD),
            display_name=overrides.pop("display_name", ""),
        ),
        role=Role(role),
        verified=overrides.pop("verified", True),
    )
    for key, value in overrides.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def session_key_for(user: User) -> str:
    """Open a server-side session for user, as signing in does, and return the key its cookie carries."""
    key = sessions.start(user, sessions.Browser("127.0.0.1", "pytest"))
    db.session.commit()
    return key


def make_category(
    name: str | None = None, slug: str | None = None, position: int = 0, kind: str = "threads"
) -> Category:
    n = next(_sequence)
    name = name or f"Category {n}"
    category = Category(slug=slug or f"category-{n}", name=name, description=f"All about {name}.", position=position,
                        kind=kind)
    db.session.add(category)
    db.session.commit()
    return category


def make_thread(
    author: User | None = None,
    category: Category | None = None,
    title: str | None = None,
    body: str = "My router keeps dropping the connection every evening. What can I try?",
    tags: list[str] | None = None,
    kind: str = "question",
    replies: int = 0,
) -> Thread:
    """A thread started through the posting service, with optional replies from other members."""
    author = author or make_user()
    category = category or make_category()
    n = next(_sequence)
    thread = posting.start_thread(
        author,
        posting.NewThread(
            category_id=category.id,
            title=title or f"Connection drops every evening ({n})",
            body=body,
            tags=tags or [],
            kind=kind,
        ),
    )
    for i in range(replies):
        make_reply(thread, body=f"Have you tried restarting it? (reply {i + 1})")
    return thread


def make_reply(thread: Thread, author: User | None = None, body: str = "Try a different channel.") -> Post:
    return posting.reply_to_thread(author or make_user(), thread, body)


def make_ideas_category(name: str | None = None, slug: str | None = None) -> Category:
    """A category of kind "ideas": the only place ideas are posted."""
    return make_category(name=name or f"Ideas {next(_sequence)}", slug=slug, kind="ideas")


def make_idea(
    author: User | None = None,
    category: Category | None = None,
    title: str | None = None,
    body: str = "Let me export my invoices as CSV so I can import them into my accounting tool.",
    tags: list[str] | None = None,
) -> Idea:
    """An idea (status new) posted through forum.ideas, in a new ideas category unless one is given."""
    author = author or make_user()
    category = category or make_ideas_category()
    n = next(_sequence)
    return post_idea(author, NewIdea(category_id=category.id, title=title or f"Export invoices as CSV ({n})",
                                     body=body, tags=tags or []))
