"""Small assertions shared by the page tests."""

from __future__ import annotations

OK, SIGN_IN, FORBIDDEN, NOT_FOUND, BACK = 200, "sign-in", 403, 404, "redirect"


def text(response) -> str:
    return response.get_data(as_text=True)


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def expect(response, outcome) -> None:
    """OK/FORBIDDEN/...: that status; SIGN_IN: sent to sign in; BACK: redirected somewhere else (done)."""
    if outcome == SIGN_IN:
        assert is_sign_in_redirect(response), response.status_code
    elif outcome == BACK:
        assert response.status_code in (302, 303) and not is_sign_in_redirect(response), text(response)[:500]
    else:
        assert response.status_code == outcome, text(response)[:500]
