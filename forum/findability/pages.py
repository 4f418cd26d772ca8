"""/robots.txt, /sitemap.xml and /sitemaps/<kind>-<n>.xml, and the helpers templates put in a public page's head.

The crawler files are the same for every caller (they list only what a signed-out visitor may read), so
cookie-less copies may sit in shared caches for a while, with an ETag for conditional GETs. They stay out
of the signed-out page cache (forum.http.page_cache): a sitemap of a large community is megabytes, past
what that cache stores, and building one is a single indexed query anyway.

Templates get canonical_url(path) (the page's address with only ?page above 1 kept), the excerpt filter and
thread_json_ld for the thread page; _macros/findability.html turns them into tags.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, make_response, request, url_for
from markupsafe import Markup

from forum.core.errors import NotFound
from forum.core.i18n import _
from forum.findability import crawling, link_previews, sitemaps, structured_data
from forum.http.conditional import for_shared_caches
from forum.http.urls import thread_path
from forum.mail.sending import absolute_url
from forum.models import Post, Thread, User

bp = Blueprint("findability", __name__)
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SITEMAP_CACHE_S = 3600  # crawlers read a sitemap a few times a day at most
ROBOTS_CACHE_S = 86400
# The arguments that choose which replies a thread view shows: its answers' addresses keep them.
THREAD_VIEW_ARGS = ("cursor", "sort")


def _for_crawlers(body: str, content_type: str, max_age: int) -> Response:
    """Cacheable by anyone when asked without cookies; a browser's copy stays private (it may carry a cookie)."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    return for_shared_caches(response, max_age)


@bp.get("/robots.txt")
def robots():
    return _for_crawlers(crawling.robots_txt(absolute_url(url_for("findability.sitemap_index"))), TEXT,
                         ROBOTS_CACHE_S)


@bp.get("/sitemap.xml")
def sitemap_index():
    files = ((absolute_url(url_for("findability.sitemap", kind=part.kind, number=part.number)), part.lastmod)
             for part in sitemaps.parts())
    return _for_crawlers(sitemaps.sitemap_index(files), XML, SITEMAP_CACHE_S)


def _category_path(entry: sitemaps.Entry) -> str:
    return url_for("categories.show", slug=entry.slug)


def _article_path(entry: sitemaps.Entry) -> str:
    return url_for("knowledge.show", article_id=entry.id, slug=entry.slug)


# Where each kind of sitemap entry lives. thread_path reads only an id and a slug, so it takes the rows as
# they come (and builds twenty thousand addresses without url_for's cost).
LOCATIONS = {"threads": thread_path, "articles": _article_path, "categories": _category_path}


@bp.get(f"/sitemaps/<any({', '.join(sitemaps.KINDS)}):kind>-<id:number>.xml")
def sitemap(kind: str, number: int):
    entries = sitemaps.entries(kind, number)
    if not entries:  # an id range with nothing public is not in the index either
        raise NotFound(_("No such sitemap."))
    locate = LOCATIONS[kind]
    body = sitemaps.urlset((absolute_url(locate(entry)), entry.lastmod) for entry in entries)
    return _for_crawlers(body, XML, SITEMAP_CACHE_S)


def canonical_url(path: str) -> str:
    """The canonical address of the page at path: every query parameter dropped but ?page above 1.

    A thread's later pages are reached by cursor (after some reply) and may be sorted: the canonical link of
    any of them is the thread itself, because a cursor names "the replies after this one", not a stable page
    (every reply's link makes its own), so keeping it would split one thread into as many near-copies as it
    has replies. The first view shows the question and its solution, which is what searchers come for.
    """
    return link_previews.canonical_url(path, request.args.get("page", type=int))


def _profile_url(user: User) -> str:
    return _profile_url_at(absolute_url(""), request.script_root, user.username)


@lru_cache(maxsize=4096)
def _profile_url_at(base_url: str, script_root: str, username: str) -> str:
    """A member's profile address, kept: a thread page names each of its authors (url_for was a third of
    its JSON-LD, issue 21). Keyed by what url_for's output depends on besides the name."""
    return base_url + url_for("users.show", username=username)


def thread_json_ld(thread: Thread, question: Post | None, accepted: Post | None, replies: list[Post]) -> Markup:
    """The thread page's <script type="application/ld+json"> block, or nothing when there is nothing public.

    Each answer's url is where it is shown: this view's address (the thread's, with the cursor and sort
    that chose these replies) and the post's #p<id> anchor.
    """
    kept = {name: request.args[name] for name in THREAD_VIEW_ARGS if request.args.get(name)}
    page = absolute_url(thread_path(thread)) + (f"?{urlencode(kept)}" if kept else "")
    key = (page, request.script_root, _thread_state(thread), _post_state(question), _post_state(accepted),
           tuple(_post_state(post) for post in replies))
    block = _json_ld_blocks.get(key)
    if block is None:
        data = structured_data.for_thread(structured_data.ThreadView(thread, question, accepted, replies),
                                          structured_data.Links(page=page, profile=_profile_url))
        block = "" if data is None else f'<script type="application/ld+json">{structured_data.script(data)}</script>'
        if len(_json_ld_blocks) >= JSON_LD_KEPT:
            _json_ld_blocks.clear()
        _json_ld_blocks[key] = block
    return Markup(block)  # nosec B704  # JSON with <, >, & escaped: nothing in it can end the element


# A thread page's JSON-LD, kept by everything it is made of (issue 21: building it was ~8 % of a thread
# page): an edit, a vote, a new reply or a renamed author is a new key, so nothing needs forgetting.
# An entry is the block and its key (the posts' HTML): ~30 kB for a page of 20 posts, so 256 of them
# (the busiest thread views) stay within a few MB of a worker's memory.
JSON_LD_KEPT = 256
_json_ld_blocks: dict[tuple, str] = {}


def _thread_state(thread: Thread) -> tuple:
    return (thread.id, thread.title, thread.kind, thread.reply_count, thread.accepted_post_id,
            link_previews.is_public(thread))


def _post_state(post: Post | None) -> tuple | None:
    if post is None:
        return None
    author = post.author
    return (post.id, post.is_public, post.body_html, post.created_at, post.vote_count, author.name, author.username)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(canonical_url, "canonical_url")
    app.add_template_global(thread_json_ld, "thread_json_ld")
    app.add_template_global(link_previews.is_public, "is_public_thread")
    app.add_template_global(link_previews.SITE_NAME, "site_name")
    app.add_template_filter(link_previews.excerpt, "excerpt")
    app.add_template_filter(link_previews.shorten, "shorten")
