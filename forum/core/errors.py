"""Domain errors that web and API front-ends translate into pages and problem+json.

A title stays English here (it names the problem's type); front ends translate it where they show it. A
detail is written by the raising code with `_()`, in the language of the request it answers.
"""

from __future__ import annotations

from forum.core.i18n import N_


class DomainError(Exception):
    """Base of every refusal a service can give; status is the HTTP status it maps to."""

    status = 400
    title = N_("Bad request")

    def __init__(self, detail: str = "", errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}


class NotAuthenticated(DomainError):
    status = 401
    title = N_("Not authenticated")


class Forbidden(DomainError):
    status = 403
    title = N_("Forbidden")


class AccountSuspended(Forbidden):
    """The account may read, sign out, export and appeal, but not take part (problem type account-suspended)."""

    title = N_("Account suspended")


class EmailNotVerified(Forbidden):
    """The account reads and edits its profile until the emailed link is followed (email-not-verified)."""

    title = N_("Email not verified")


class OtpRequired(NotAuthenticated):
    """The account has two-factor sign-in: a current code is needed too (problem type otp-required)."""

    title = N_("OTP required")


class NotFound(DomainError):
    status = 404
    title = N_("Not found")


class Conflict(DomainError):
    status = 409
    title = N_("Conflict")


class Invalid(DomainError):
    """Validation failed; errors maps each field to every message about it."""

    status = 422
    title = N_("Validation failed")

    def __init__(self, errors: dict[str, list[str]], detail: str = "") -> None:
        first = next(iter(errors.values()), [""])
        super().__init__(detail or (first[0] if first else self.title), errors)


class ErrorCollector:
    """Gather every validation failure before raising, so users fix them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
