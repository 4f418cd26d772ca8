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
