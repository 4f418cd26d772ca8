"""robots.txt: the parts of the site a crawler has no business in, and where the sitemap is.

Only pages that are public and worth finding stay open: threads, categories, tags, the knowledge base,
profiles, feeds. Search results (endless, thin, and a load on the search backend), staff, admin,
moderation, desk and analytics pages, a member's account and sign-in pages, and the API are closed.
Closing is a courtesy to crawlers, never protection: those pages check who is asking on their own.
"""

from __future__ import annotations

# Path prefixes crawlers are asked to stay out of ("*" as Google and Bing read it: any characters).
DISALLOWED = (
    "/search",  # results: endless combinations of the same threads
    "/api/",  # the JSON API
    "/admin",  # administration
    "/staff/",  # analytics, incidents, member 360, missions, advocates
    "/moderation/",  # queues and actions
    "/desk",  # the support desk
    "/cases/",  # a customer's own support case
    "/auth/",  # sign in, sign up, password reset, confirmation links
    "/settings/",  # a member's account
    "/notifications",
    "/messages",  # private conversations
    "/appeal",
    "/unsubscribe/",
    "/mail/",  # confirmation links of questions asked by email
    "/drafts/",
    "/ask",  # the ask form (and the suggestions it opens)
    "/preview",
    "/p/",  # a post's edit, delete and history pages (posts are read on their thread)
    "/t/*/edit",
    "/kb/new",
    "/kb/*/edit",
    "/kb/*/versions",
    "/kb/*/diff",
)


def robots_txt(sitemap_url: str) -> str:
    """The robots.txt for every crawler, naming the sitemap index by its absolute address."""
    rules = "".join(f"Disallow: {path}\n" for path in DISALLOWED)
    return f"User-agent: *\n{rules}\nSitemap: {sitemap_url}\n"
