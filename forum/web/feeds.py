"""Atom feeds (latest, solved, per category, per tag; the knowledge base's articles, all or per category; the
ideas board's new ideas and its roadmap's status changes) and the <link rel="alternate"> that announces them.

Every feed is the anonymous view, so one cached copy serves every feed reader (requests without cookies).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, render_template, request, url_for

from forum.core.i18n import N_, _
from forum.http.conditional import for_shared_caches
from forum.knowledge.articles import article_path
from forum.mail.sending import absolute_url
from forum.services import categories, feeds, reading

bp = Blueprint("feeds", __name__)
ATOM = "application/atom+xml; charset=utf-8"
CACHE_SECONDS = 300


def _atom(feed: feeds.Feed | feeds.ArticleFeed | feeds.RoadmapFeed, template: str = "feeds/atom.xml"):
    response = make_response(render_template(template, feed=feed, absolute_url=absolute_url,
                                             article_path=article_path, entry_updated=feeds.entry_updated))
    response.headers["Content-Type"] = ATOM
    response.vary.add("Accept-Language")  # a feed reader without a cookie gets the language it asks for
    return for_shared_caches(response, CACHE_SECONDS)


@bp.get("/feeds/latest.atom")
def latest():
    return _atom(feeds.latest_feed())


@bp.get("/feeds/solved.atom")
def solved():
    return _atom(feeds.solved_feed())


@bp.get("/c/<slug>/feed.atom")
def category(slug: str):
    return _atom(feeds.category_feed(categories.get_category_by_slug(slug)))


@bp.get("/tags/<name>/feed.atom")
def tag(name: str):
    return _atom(feeds.tag_feed(reading.get_tag(name)))


@bp.get("/feeds/articles.atom")
def articles():
    return _atom(feeds.articles_feed(), "feeds/articles.xml")


@bp.get("/c/<slug>/articles.atom")
def category_articles(slug: str):
    return _atom(feeds.articles_feed(categories.get_category_by_slug(slug)), "feeds/articles.xml")


@bp.get("/feeds/ideas.atom")
def ideas():
    return _atom(feeds.ideas_feed())


@bp.get("/feeds/roadmap.atom")
def roadmap():
    return _atom(feeds.roadmap_feed(), "feeds/roadmap.xml")


# page endpoint → the feeds it announces: (title, feed endpoint, the page's view argument the feed takes)
FEED_PAGES: dict[str, list[tuple[str, str, str | None]]] = {
    "home.index": [(N_("Latest questions"), "feeds.latest", None), (N_("Solved questions"), "feeds.solved", None)],
    "categories.show": [(N_("Latest in this category"), "feeds.category", "slug"),
                        (N_("Articles in this category"), "feeds.category_articles", "slug")],
    "tags.show": [(N_("Latest with this tag"), "feeds.tag", "name")],
    "knowledge.index": [(N_("Knowledge base articles"), "feeds.articles", None)],
    "ideas.index": [(N_("New ideas"), "feeds.ideas", None), (N_("Roadmap changes"), "feeds.roadmap", None)],
    "ideas.roadmap": [(N_("Roadmap changes"), "feeds.roadmap", None)],
}


def feed_links() -> list[tuple[str, str]]:
    """(title, url) of the feeds that mirror the current page, for <link rel="alternate"> in the head."""
    args = request.view_args or {}
    return [(_(title), url_for(feed, **({argument: args[argument]} if argument else {})))
            for title, feed, argument in FEED_PAGES.get(request.endpoint or "", [])
            if argument is None or argument in args]


@bp.app_context_processor
def inject_feed_links() -> dict[str, Any]:
    return {"feed_links": feed_links}
