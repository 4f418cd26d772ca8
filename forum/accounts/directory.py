"""Finding members by name: the prefix the editor's @ autocomplete sends, and the names a post's text calls on.

Autocomplete answers every keystroke of an "@al…", so it is one statement, bounded and index-friendly: the
prefix is matched as a range on the lower-cased key (which an index serves on SQLite and PostgreSQL alike)
plus a LIKE with the wildcards escaped (which keeps the match exact whatever the collation), never as
lower(column) LIKE '%q%'. People who took part in the thread being written in come first: they are the ones
a reply usually means. Only members one can @mention are offered: no erased or leaving account, no bot.

A post names members two ways. "@name" mentions them (forum.services.markup finds those); a quote the
thread page's "Quote" button inserts ends with an attribution line naming the quoted member and linking
their post:

    > the words selected
    >
    > — @alice, [post #123](/t/5/printer-prints-blank-pages#p123)

The attribution is what quoted_and_mentioned() recognises, in the Markdown source (not the HTML). The
quoted member is told of the quote, not of a mention; and whatever the quoted words themselves @mention is
the quoted author's mention, not the quoter's, so an attributed quote mentions nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import SERVICE_EMAIL_DOMAIN, Post, User
from forum.services import markup
from forum.services.permissions import Action, require, visible_posts

LIMIT = 10
MAX_QUERY = 64  # the longest display name; a username is at most 32
LIKE_ESCAPE = "\\"
NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}[A-Za-z0-9_]"  # forum.services.markup's MENTION, without the "@"
# "— @alice" alone, or followed by ", [any words](/t/<id>[/<slug>]#p<post id>)"; an en dash or "--" too.
ATTRIBUTION = re.compile(
    rf"^(?:—|–|--?)\s*@(?P<username>{NAME})"
    r"(?:,?\s*\[[^\]\n]*\]\((?P<href>/t/\d+(?:/[^\s()#]*)?#p(?P<post_id>\d+))\))?\s*$"
)
_parser = MarkdownIt("js-default")  # block structure only: which lines sit in which blockquote


@dataclass(frozen=True)
class Named:
    """Lower-cased usernames a post's source quotes (attributed quotes) and @mentions (outside those)."""

    quoted: frozenset[str]
    mentioned: frozenset[str]


def autocomplete(viewer: User | None, query: str | None, thread_id: int | None = None) -> list[User]:
    """Up to LIMIT members whose username or display name starts with query (case-insensitive).

    With thread_id, those who wrote a post there that the viewer may see come first; a thread the viewer
    may not see changes nothing (and so tells nothing). The viewer is never offered to themselves.
    """
    require(viewer, Action.USER_AUTOCOMPLETE)
    prefix = _prefix(query)
    order: list[ColumnElement] = []
    if thread_id is not None:
        posters = visible_posts(viewer).where(Post.thread_id == thread_id).with_only_columns(Post.author_id)
        order.append(case((User.id.in_(posters.scalar_subquery()), 0), else_=1))
    statement = (
        select(User)
        .where(or_(_starts_with(User.username_key, prefix), _starts_with(func.lower(User.display_name), prefix)))
        .where(User.id != viewer.id, *_mentionable())
        .order_by(*order, User.username_key)
        .limit(LIMIT)
    )
    return list(db.session.scalars(statement))


def _prefix(query: str | None) -> str:
    text = (query or "").strip().removeprefix("@").lower()
    if not text:
        raise Invalid({"q": [_("Type the start of a name.")]})
    if len(text) > MAX_QUERY:
        raise Invalid({"q": [_("At most %(num)d characters.", num=MAX_QUERY)]})
    if "\x00" in text:
        raise Invalid({"q": [_("Names hold no NUL character.")]})
    return text


def _starts_with(column: ColumnElement, prefix: str) -> ColumnElement:
    """column starts with prefix: a range an index can serve, and a LIKE (wildcards escaped) that keeps it exact."""
    escaped = "".join(LIKE_ESCAPE + char if char in {LIKE_ESCAPE, "%", "_"} else char for char in prefix)
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < after, column.like(escaped + "%", escape=LIKE_ESCAPE))


def _mentionable() -> list[ColumnElement]:
    """Not erased, not leaving (deletion scheduled), not a service account."""
    return [User.anonymized_at.is_(None), User.deletion_scheduled_at.is_(None),
            ~User.email.endswith("@" + SERVICE_EMAIL_DOMAIN, autoescape=True)]


def quoted_and_mentioned(source: str) -> Named:
    """Who a post's Markdown source quotes (by attribution line) and @mentions outside attributed quotes."""
    if "@" not in source:
        return Named(frozenset(), frozenset())
    quoted: set[str] = set()
    dropped: set[int] = set()  # source lines of attributed quotes: their @names are not the writer's mentions
    open_quotes: list[list[int]] = []
    for token in _parser.parse(source):
        if token.type == "blockquote_open":
            open_quotes.append(token.map or [0, 0])
        elif token.type == "blockquote_close":
            open_quotes.pop()
        elif token.type == "inline" and open_quotes:
            last_line = token.content.rstrip().rpartition("\n")[2].strip()
            match = ATTRIBUTION.match(last_line)
            if match:
                quoted.add(match.group("username").lower())
                dropped.update(range(*open_quotes[-1]))
    if not quoted:
        return Named(frozenset(), frozenset(markup.mentioned_usernames(source)))
    kept = "\n".join(line for number, line in enumerate(source.split("\n")) if number not in dropped)
    return Named(frozenset(quoted), frozenset(markup.mentioned_usernames(kept)))


def ids_by_username(usernames: set[str] | frozenset[str]) -> dict[str, int]:
    """Lower-cased username → id, for those that name a member (one statement; none for no names)."""
    if not usernames:
        return {}
    rows = db.session.execute(select(User.username_key, User.id).where(User.username_key.in_(sorted(usernames))))
    return {key: user_id for key, user_id in rows}


_NOT_IN_USERNAME = re.compile(r"[^A-Za-z0-9_.-]+")


def free_username(wanted: str) -> str:
    """A valid, unused username close to wanted (a provider's handle, or an email address: its local part
    without the +tag): characters a username may not hold dropped, "member" when too little is left, then
    numbered when taken. For accounts made without a sign-up form (OpenID Connect, mail staging)."""
    base = _NOT_IN_USERNAME.sub("", wanted.partition("@")[0].partition("+")[0])[:28].strip(".-")
    if not re.fullmatch(NAME, base):
        base = "member"
    taken = set(db.session.scalars(
        select(User.username_key).where(func.substr(User.username_key, 1, len(base)) == base.lower())))
    if base.lower() not in taken:
        return base
    number = 2
    while f"{base}{number}".lower() in taken:
        number += 1
    return f"{base}{number}"
