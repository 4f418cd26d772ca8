"""Tables keyed on endpoint and blueprint names name real ones.

Rate limits, the signed-out page cache and the feed links find views by name. A view that moves
or is renamed would silently lose its limit or its cache (the tables would simply stop matching),
so every name in them must resolve against the app's registered endpoints.
"""

from __future__ import annotations

import pytest
from flask import Flask

from forum.http import page_cache, ratelimits
from forum.web import feeds


def _endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


@pytest.mark.parametrize("endpoint", sorted(ratelimits.RULES))
def test_every_rate_limited_endpoint_exists(app: Flask, endpoint: str):
    assert endpoint in _endpoints(app)


@pytest.mark.parametrize("endpoint", sorted(ratelimits.RULES))
def test_every_rate_limited_view_is_wrapped_by_the_limiter(app: Flask, endpoint: str):
    view = app.view_functions[endpoint]
    assert hasattr(view, "__wrapped__"), f"{endpoint} is not wrapped by Flask-Limiter"


@pytest.mark.parametrize("blueprint", sorted(ratelimits.BLUEPRINT_RULES))
def test_every_blueprint_with_a_shared_limit_exists_and_has_writes(app: Flask, blueprint: str):
    assert blueprint in app.blueprints
    writes = [rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(f"{blueprint}.") and rule.methods & set(ratelimits.LIMITED_METHODS)]
    assert writes, f"{blueprint} has no write route for its shared limit to count"


@pytest.mark.parametrize("endpoint", sorted(page_cache.CACHED_ENDPOINTS))
def test_every_cached_page_exists(app: Flask, endpoint: str):
    assert endpoint in _endpoints(app)


@pytest.mark.parametrize("endpoint", sorted(feeds.FEED_PAGES))
def test_every_page_that_announces_a_feed_exists(app: Flask, endpoint: str):
    assert endpoint in _endpoints(app)


@pytest.mark.parametrize("feed", sorted({feed for links in feeds.FEED_PAGES.values() for _title, feed, _arg in links}))
def test_every_announced_feed_exists(app: Flask, feed: str):
    assert feed in _endpoints(app)
