"""New-user link limits and a small, explainable spam score.

Links are counted on the HTML the one Markdown renderer would store (so bare "example.com",
autolinks and [text](url) all count, and an @mention or a URL inside code does not).

The spam score adds up a few signals; at HOLD_AT or more the post waits for review:

| signal                                                    | points               |
|-----------------------------------------------------------|----------------------|
| each link (at most 3 counted)                             | 1                    |
| each of the author's own uploads attached (at most 2)     | 1                    |
| the same text posted by the same author in the last day   | 2                    |
| an account less than a day old                            | 1                    |
| each known-spam phrase (SPAM_PHRASES, at most 2 counted)  | 3                    |

So one signal alone never holds a post, while a spam phrase with a link or from a brand-new
account does, as do a copied text with two links. Staff and advocates are never scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from forum import uploads
from forum.core import clock
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.models import Post, Role, User, Visibility
from forum.services import community_settings, markup
from forum.services.permissions import is_staff
from moderation import settings  # noqa: F401  (registers moderation.held_link_posts)
from moderation.services.watched_words import pattern_for

# Below the link privilege (permissions.can_post_links), how many links a post may carry at all and how many
# of a user's posts with links wait for approval are the settings moderation.new_member_max_links and
# moderation.held_link_posts (max_new_user_links(), held_link_posts()).

HOLD_AT = 4
LINK_POINTS, MAX_SCORED_LINKS = 1, 3
ATTACHMENT_POINTS, MAX_SCORED_ATTACHMENTS = 1, 2
DUPLICATE_POINTS, DUPLICATE_WINDOW, DUPLICATE_MIN_CHARS = 2, timedelta(days=1), 30
NEW_ACCOUNT_POINTS, NEW_ACCOUNT_AGE = 1, timedelta(days=1)
PHRASE_POINTS, MAX_SCORED_PHRASES = 3, 2
SPAM_PHRASES = (
    "buy now", "click here", "limited time offer", "act now", "100% free", "free money", "make money fast",
    "earn money from home", "work from home", "casino bonus", "crypto giveaway", "double your bitcoin",
    "cheap pills", "viagra", "payday loan", "seo services", "guaranteed income", "risk-free investment",
)
_PHRASE_PATTERNS = [(phrase, pattern_for(phrase)) for phrase in SPAM_PHRASES]
_EXTERNAL_LINK = re.compile(r"<a\s[^>]*href=\"(?:https?:|mailto:)", re.IGNORECASE)
# External images only: this site's own uploads (src="/uploads/...") are attachments, scored below.
_IMAGE = re.compile(r"<img\b(?![^>]*\ssrc=\"/uploads/)", re.IGNORECASE)
_LINK_LIKE_FILTERS = ('%href="http%', '%href="mailto:%')


@dataclass(frozen=True)
class LinkCount:
    links: int
    images: int


@dataclass(frozen=True)
class Score:
    points: int
    signals: tuple[str, ...]

    @property
    def suspicious(self) -> bool:
        return self.points >= HOLD_AT


def count_links(*texts: str | None) -> LinkCount:
    """External links (http, https, mailto) and images in Markdown texts, as they would be rendered."""
    html = "".join(markup.render_markdown(text) for text in texts if text)
    return LinkCount(len(_EXTERNAL_LINK.findall(html)), len(_IMAGE.findall(html)))


def max_new_user_links() -> int:
    """How many links one post may carry below the link privilege."""
    return community_settings.cached_setting("moderation.new_member_max_links")


def held_link_posts() -> int:
    """How many of a member's first posts with links wait for approval (below the link privilege)."""
    return community_settings.cached_setting("moderation.held_link_posts")


def approved_link_posts(author: User, exclude_post_id: int | None = None) -> int:
    """How many of author's published posts carry an external link, counted up to held_link_posts()."""
    query = select(Post.id).where(
        Post.author_id == author.id, Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value,
        or_(*(Post.body_html.like(pattern) for pattern in _LINK_LIKE_FILTERS)),
    )
    if exclude_post_id is not None:
        query = query.where(Post.id != exclude_post_id)
    return len(db.session.scalars(query.limit(held_link_posts())).all())


def is_trusted(author: User) -> bool:
    """Staff and advocates skip the spam score: their standing was given by people."""
    return is_staff(author) or author.role == Role.ADVOCATE.value


def _normalized(text: str) -> str:
    return " ".join(text.lower().split())


def _is_repeat(author: User, body: str, exclude_post_id: int | None) -> bool:
    text = _normalized(body)
    if len(text) < DUPLICATE_MIN_CHARS:
        return False  # "Thanks, that worked!" twice is normal
    query = select(Post.body).where(
        Post.author_id == author.id, Post.deleted_at.is_(None), Post.created_at >= clock.now() - DUPLICATE_WINDOW
    )
    if exclude_post_id is not None:
        query = query.where(Post.id != exclude_post_id)
    return any(_normalized(previous) == text for previous in db.session.scalars(query.limit(200)))


def score(author: User, body: str, title: str | None = None, exclude_post_id: int | None = None) -> Score:
    """The spam score of a draft and the signals behind it (see the module docstring)."""
    signals: list[tuple[str, int]] = []
    links = min(count_links(title, body).links, MAX_SCORED_LINKS)
    if links:
        signals.append((ngettext("%(num)d link", "%(num)d links", links), links * LINK_POINTS))
    attachments = min(uploads.own_referenced_count(author, body), MAX_SCORED_ATTACHMENTS)
    if attachments:
        signals.append((ngettext("%(num)d attachment", "%(num)d attachments", attachments),
                        attachments * ATTACHMENT_POINTS))
    if _is_repeat(author, body, exclude_post_id):
        signals.append((_("the same text was posted recently"), DUPLICATE_POINTS))
    if clock.now() - author.created_at < NEW_ACCOUNT_AGE:
        signals.append((_("a brand-new account"), NEW_ACCOUNT_POINTS))
    text = f"{title or ''}\n{body}"
    phrases = [phrase for phrase, pattern in _PHRASE_PATTERNS if pattern.search(text)][:MAX_SCORED_PHRASES]
    signals.extend((_("known spam phrase “%(phrase)s”", phrase=phrase), PHRASE_POINTS) for phrase in phrases)
    return Score(sum(points for _label, points in signals), tuple(label for label, _points in signals))
