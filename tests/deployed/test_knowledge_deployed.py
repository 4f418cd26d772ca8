"""The knowledge base in the deployed shape: an article published through the API on one gunicorn worker is
indexed by the separate `flask worker` process (the only writer of the article index) and then found through
GET /api/v1/search?kind=article by whichever gunicorn worker answers; once archived it is found no more.

The web processes keep their own opened copy of the article index (search.backends.whoosh.article_index); this
checks they see the worker's commits instead of a copy opened before them.
"""

from __future__ import annotations

import pytest

from tests.deployed.browser import Api
from tests.deployed.site import Site
from tests.support.crash import wait_for

pytestmark = [pytest.mark.deployed, pytest.mark.real_clock]

FOUND_TIMEOUT_S = 30


def article_ids(api: Api, word: str) -> list[int]:
    answer = api.call("GET", "/search", params={"q": word, "kind": "article"})
    assert answer.status_code == 200, answer.text
    return [item["article"]["id"] for item in answer.json()["items"] if item["kind"] == "article"]


def test_a_published_article_is_found_after_the_worker_indexes_it_and_gone_once_archived(
        site: Site, category_id: int, agent_api: Api):
    editor = agent_api  # staff publish; the session's agent token spares the deployed sign-in limit
    reader = Api(site.base_url)
    word = "quillfeather"  # in no other test's text
    # Searches before the article exists: each gunicorn worker opens (and keeps) the article index as it is now.
    for _ in range(4):
        assert article_ids(reader, word) == []
    created = editor.call("POST", "/articles", json={
        "title": f"Refund a {word} invoice", "body": f"Open the invoice, choose Refund; the {word} plan is prorated.",
        "category_id": category_id, "tags": []})
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    published = editor.call("POST", f"/articles/{article_id}/publish")
    assert published.status_code == 200, published.text

    def found_by_every_worker() -> bool:  # several searches in a row, so both gunicorn workers answer some
        return all(article_ids(reader, word) == [article_id] for _ in range(4))

    wait_for(found_by_every_worker, FOUND_TIMEOUT_S, "the worker to index the published article")
    archived = editor.call("PATCH", f"/articles/{article_id}", json={"status": "archived"})
    assert archived.status_code == 200, archived.text
    assert article_ids(reader, word) == []  # the database re-check hides it at once, indexed or not
