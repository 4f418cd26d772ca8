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
    from forum.knowledge import pages, rules
    from forum.services import permissions

    permissions.register_rules(rules.RULES)
    pages.init_app(app)
