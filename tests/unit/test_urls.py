"""The request-free thread_path that mail, notifications and webhooks use is the address the site serves."""

from __future__ import annotations

from flask import Flask

from forum.http import urls


def test_thread_path_is_the_address_url_for_builds_for_the_thread_page(app: Flask, make):
    thread = make.make_thread(title="Charged twice for my plan")
    with app.test_request_context():
        assert urls.thread_path(thread) == urls.thread_url(thread)
        assert urls.thread_path(thread, anchor="p7") == urls.thread_url(thread, _anchor="p7")
    assert app.test_client().get(urls.thread_path(thread)).status_code == 200


def test_templates_kept_url_for_builds_what_url_for_builds(app: Flask, make):
    """Templates' url_for is kept per process (issue 21); asked twice, in any argument order, mounted
    elsewhere or on another host, it answers what Flask's own url_for answers there."""
    from flask import url_for

    thread = make.make_thread()
    asks = [
        ("search.results", {"q": "wireless", "kind": "all"}),
        ("search.results", {"kind": "all", "q": "wireless"}),  # query arguments keep the order given
        ("search.results", {"q": None, "kind": "article"}),
        ("threads.show", {"thread_id": thread.id, "slug": thread.slug, "_anchor": "p1"}),
        ("threads.show", {"thread_id": thread.id, "slug": thread.slug, "_external": True}),
        ("static", {"filename": "style.css"}),
    ]
    for base_url in ("http://localhost/", "https://forum.example.com/community/"):
        with app.test_request_context("/", base_url=base_url):
            for endpoint, values in asks * 2:
                assert urls.kept_url_for(endpoint, **values) == url_for(endpoint, **values), (base_url, values)
    with app.test_request_context("/", base_url="https://forum.example.com/community/"):
        assert urls.kept_url_for("static", filename="style.css") == "/community/static/style.css"
