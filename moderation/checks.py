"""Content checks registered with forum.services.policies: new members' links and attachments, spam, watched words.

The link and spam checks run first, so they judge what the author wrote and not the links
a watched word of mode "link" inserts afterwards.
"""

from __future__ import annotations

from flask import Flask

from forum import hooks, uploads
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.models import Post, Visibility
from forum.services.permissions import can_post_links, is_moderator
from forum.services.policies import Draft, Verdict
from moderation.services import spam, watched_words


def _unchanged_links(draft: Draft, links: int) -> bool:
    """An edit of a published post that adds no link is not held again (a typo fix stays public)."""
    if draft.kind != "edit" or draft.post_id is None:
        return False
    post = db.session.get(Post, draft.post_id)
    if post is None or post.visibility != Visibility.PUBLIC.value:
        return False
    return links <= spam.count_links(post.body).links


def check_new_user_links(draft: Draft) -> Verdict | None:
    """Below the link privilege: no images, at most a few links, and the first posts with links wait (settings)."""
    if can_post_links(draft.author):
        return None
    found = spam.count_links(draft.title, draft.body)
    verdict = Verdict()
    if found.images:
        verdict.errors["body"] = [_("New members can't post images yet; you can once you have 10 reputation, or "
                                    "after 3 days with 3 approved posts.")]
    most = spam.max_new_user_links()
    if found.links > most:
        verdict.errors.setdefault("body", []).append(ngettext(
            "New members can post at most %(num)d link at a time; you can post more once you have 10 reputation, "
            "or after 3 days with 3 approved posts.",
            "New members can post at most %(num)d links at a time; you can post more once you have 10 reputation, "
            "or after 3 days with 3 approved posts.", most))
    held = spam.held_link_posts()
    if found.links and not _unchanged_links(draft, found.links):
        if spam.approved_link_posts(draft.author, draft.post_id) < held:
            verdict.hold_reason = _("A new member's post with links: a moderator approves the first %(num)d.",
                                    num=held)
    return verdict


def check_new_member_attachments(draft: Draft) -> Verdict | None:
    """Below the link privilege, the first posts carrying the member's own uploads wait for a moderator.

    Their uploads are allowed from the first post (a screenshot is how a new customer asks); how many
    posts are held is the setting uploads.hold_new_member_posts. An edit that adds no attachment to a
    published post is not held again.
    """
    if draft.kind not in {"thread", "reply", "edit"} or can_post_links(draft.author):
        return None
    attached = uploads.own_referenced_count(draft.author, draft.body)
    if not attached or _unchanged_attachments(draft, attached):
        return None
    most = uploads.hold_count()
    if uploads.published_posts_with_attachments(draft.author, draft.post_id) >= most:
        return None
    return Verdict(hold_reason=_("A new member's post with attachments: a moderator approves the first %(num)d.",
                                 num=most))


def _unchanged_attachments(draft: Draft, attached: int) -> bool:
    if draft.kind != "edit" or draft.post_id is None:
        return False
    post = db.session.get(Post, draft.post_id)
    if post is None or post.visibility != Visibility.PUBLIC.value:
        return False
    return attached <= uploads.own_referenced_count(draft.author, post.body)


def check_spam_score(draft: Draft) -> Verdict | None:
    """Hold drafts whose spam score reaches spam.HOLD_AT; staff and advocates are not scored."""
    if spam.is_trusted(draft.author):
        return None
    result = spam.score(draft.author, draft.body, draft.title, draft.post_id)
    if not result.suspicious:
        return None
    return Verdict(hold_reason=_("Held by the spam filter (score %(points)d: %(signals)s).", points=result.points,
                                 signals=", ".join(result.signals)))


def _blocked_message(phrases: tuple[str, ...]) -> str:
    quoted = ", ".join(f"“{phrase}”" for phrase in phrases)
    return ngettext("%(phrases)s is not allowed here. Please rephrase and try again.",
                    "%(phrases)s are not allowed here. Please rephrase and try again.", len(phrases), phrases=quoted)


def check_watched_words(draft: Draft) -> Verdict | None:
    """Refuse blocked phrases, hold approval phrases, censor and link the rest (title and body)."""
    words = watched_words.list_watched_words()
    if not words:
        return None
    verdict = Verdict()
    held: list[str] = []
    for name, text, markdown in (("title", draft.title, False), ("body", draft.body, True)):
        if text is None:
            continue
        found = watched_words.inspect(text, words, markdown=markdown)
        if found.blocked:
            verdict.errors[name] = [_blocked_message(found.blocked)]
        held.extend(phrase for phrase in found.held if phrase not in held)
        if found.text != text:
            setattr(verdict, name, found.text)
    if held and not is_moderator(draft.author):
        phrases = ", ".join(f"“{phrase}”" for phrase in held)
        verdict.hold_reason = _("Contains %(phrases)s, which a moderator reviews before it is published.",
                                phrases=phrases)
    return verdict


def init_app(app: Flask) -> None:
    """Register every check (each is a plain function of a policies.Draft); order matters, see above."""
    hooks.add_content_check("moderation.new_user_links", check_new_user_links)
    hooks.add_content_check("moderation.new_member_attachments", check_new_member_attachments)
    hooks.add_content_check("moderation.spam_score", check_spam_score)
    hooks.add_content_check("moderation.watched_words", check_watched_words)
