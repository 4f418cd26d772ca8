"""Small assertions shared by the page tests."""

from __future__ import annotations


def text(response) -> str:
    return response.get_data(as_text=True)


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
