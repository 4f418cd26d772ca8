"""Findability (issue 27): what search engines and link previews read about the public community.

sitemaps (which public threads, articles and categories a crawler is told about, in files of at most
50,000 addresses, and their XML), crawling (robots.txt: where crawlers should not go), link_previews
(canonical addresses, the plain-text excerpts OpenGraph and Twitter cards show) and structured_data
(schema.org JSON-LD for a thread: a QAPage for a question, a DiscussionForumPosting for a discussion);
pages serves /robots.txt, /sitemap.xml and /sitemaps/<kind>-<n>.xml and gives templates the tags' helpers.

Everything here describes what a signed-out visitor may see, decided by the permission layer's own
filters and rules, so the tags are the same for every signed-out visitor (the page cache shares them).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The crawler routes and the helpers templates use for canonical links, previews and JSON-LD."""
    from forum.findability import pages

    pages.init_app(app)
