"""Behind N trusted proxies the app sees the client's address; with none it ignores forwarded headers."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.core.settings import Settings


def _app_seeing_remote_addr(tmp_path, hops: int):
    app = create_app(Settings(data_dir=str(tmp_path), secret_key="k", testing=True, trusted_proxies=hops))

    @app.get("/_remote")
    def remote():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    return app


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(0, "127.0.0.1 http"), (1, "203.0.113.9 https")],
)
def test_forwarded_headers_count_only_behind_trusted_proxies(tmp_path, hops, expected):
    client = _app_seeing_remote_addr(tmp_path, hops).test_client()
    response = client.get(
        "/_remote",
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.get_data(as_text=True) == expected
