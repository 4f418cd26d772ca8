"""The knowledge base (issue 25): articles that grow out of solved threads and resolved cases, reviewed by
staff, found first in search and while asking, and measured by how many questions they deflect.

articles (propose and edit; every save a version), lifecycle (draft → in review → published → archived;
the reputation and badge a member's published proposal earns; article.published), rules (who may do
what: installed into the permission layer), queries (what a viewer may list), sources (a draft from a
solved thread or a resolved case), contents (the table of contents of a long article), feedback ("did this
help?" and views), deflection (suggestions opened from the ask page, settled after the window), links
(threads that link to an article), reviews (the owner's reminder and the "needs review" list), stats (the
staff page's helpfulness and staleness); pages/ (the /kb pages and the staff pages) and api are its routes.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The permission rules, the periodic jobs and the pages and API routes of the knowledge base."""
    from forum import hooks
    from forum.knowledge import (  # noqa: F401  (api: its routes join the API on import)
        api,
        deflection,
        links,
        pages,
        reviews,
        rules,
    )
    from forum.services import permissions

    permissions.register_rules(rules.RULES)
    hooks.register_job(links.FIND_JOB, links.find_links, every_s=links.every_s)
    hooks.register_job(reviews.REMIND_JOB, reviews.remind_reviews, every_s=reviews.every_s)
    hooks.register_job(deflection.SETTLE_JOB, deflection.settle_due, every_s=lambda: deflection.SETTLE_EVERY_S)
    pages.init_app(app)
