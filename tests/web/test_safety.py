"""Hostile content is shown inert, and no page needs inline script or style (the CSP forbids both)."""

from __future__ import annotations

import re

import pytest

from forum.http.urls import thread_path
from forum.services import notifications
from tests.web.helpers import text

HOSTILE_BODY = "Hi <script>alert('x')</script> [click me](javascript:alert(1)) <img src=x onerror=alert(2)>"


def test_scripts_and_javascript_links_in_posts_are_escaped_or_stripped(act_as, community, make):
    make.make_reply(community.thread, author=community.other, body=HOSTILE_BODY)
    page = text(act_as("anonymous").get(thread_path(community.thread)))
    # The JSON-LD block holds the reply's text as data; [^<]* drops it only when nothing in it could open a tag.
    page = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", page)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page.lower()
    assert "<img src=x" not in page and "onerror=" not in page.replace("onerror=alert(2)&gt;", "")


def test_titles_and_names_are_escaped_everywhere_they_appear(client, make, db):
    author = make.make_user(display_name="<b>Bold</b> Bob")
    thread = make.make_thread(author=author, title="<i>Sneaky</i> title for a question")
    paths = ("/", f"/c/{thread.category.slug}", thread_path(thread), f"/u/{author.username}")
    for page in (text(client.get(path)) for path in paths):
        assert "<i>Sneaky</i>" not in page and "&lt;i&gt;Sneaky&lt;/i&gt;" in page
        assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt; Bob" in page


def test_a_profile_bio_is_shown_as_plain_text(client, make):
    user = make.make_user(bio="<script>steal()</script>")
    assert "&lt;script&gt;steal()" in text(client.get(f"/u/{user.username}"))


PAGES = [
    "/",
    "/c/billing",
    "/t/{thread.id}/{thread.slug}",
    "/p/{question.id}/history",
    "/p/{question.id}/edit",
    "/p/{reply.id}/delete",
    "/t/{thread.id}/edit",
    "/ask",
    "/u/asker",
    "/settings/profile",
    "/admin",
    "/admin/categories",
    "/admin/categories/{category.id}/edit",
    "/admin/users",
    "/admin/settings",
    "/c/missing",
    "/t/{thread.id}/{thread.slug}?quote={reply.id}&sort=votes",
    "/notifications",
    "/settings/notifications",
    "/tags/missing",
    "/search?q=charged",
]
# Scripts only as same-origin files (<script src="/static/..." defer></script>), never inline. A JSON-LD block
# (<script type="application/ld+json">, forum.findability) is data a browser never runs, so CSP does not apply.
INLINE = re.compile(
    r'<script(?!\s+src="/static/[\w.-]+"(\s+defer)?>\s*</script>)(?!\s+type="application/ld\+json">)'
    r'|\sstyle=|<style|\son[a-z]+=', re.IGNORECASE
)


@pytest.mark.parametrize("path", PAGES)
def test_pages_work_under_the_strict_content_security_policy(act_as, community, path):
    response = act_as("admin").get(path.format(**vars(community)))
    assert response.status_code in (200, 404)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not INLINE.search(text(response))


def test_q_and_a_states_work_under_the_strict_content_security_policy(act_as, community, make):
    """Solution, votes, needs-info banner, feedback answered "no" with the escalation offer, tag page, unsubscribe."""
    make.make_thread(tags=["invoices"])
    act_as("author").post(f"/p/{community.reply.id}/accept")
    act_as("author").post(f"/t/{community.thread.id}/feedback", data={"resolved": "no"})
    act_as("advocate").post(f"/p/{community.reply.id}/helpful")
    thread = make.make_thread(author=community.author)
    act_as("moderator").post(f"/t/{thread.id}/needs-info", data={"note": "Which <b>plan</b>?"})
    token = notifications.unsubscribe_url(community.author).rsplit("/", 1)[1]
    client = act_as("author")
    for path in (thread_path(community.thread), thread_path(thread), "/tags/invoices", f"/unsubscribe/{token}",
                 "/unsubscribe/forged"):
        page = text(client.get(path))
        assert not INLINE.search(page), path
        assert "<b>plan</b>" not in page
