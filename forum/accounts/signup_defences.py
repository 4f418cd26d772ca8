"""Sign-up defences without a third-party CAPTCHA, on top of the per-address rate limit.

Three checks, each a community setting an admin can turn off or tune:
  * a honeypot: the form carries a field people never see (accounts.signup_honeypot); programs that
    fill in every field they find fill it in too;
  * a minimum time to fill the form (accounts.signup_min_seconds): the page carries a signed stamp of
    when it was shown, and a form sent back faster than a person types, or without a genuine stamp,
    is refused. The stamp is signed, so a program cannot simply claim it waited, and it lasts an hour
    (STAMP_MAX_AGE), so one stamp fetched once cannot pass every form a program sends for ever after;
  * blocked email domains (accounts.blocked_email_domains): a domain blocks its subdomains too. This
    one guards every way to an account with a password (the page, POST /api/v1/users, and an operator's
    `flask users create`, told why), so forum.accounts.members.register_user asks it; the first two
    only make sense for the web form.

Refusals say, in words a person understands, what to do: they are form errors (422), never silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from forum.core import clock
from forum.core.errors import Conflict, ErrorCollector
from forum.core.i18n import N_, _
from forum.services.community_settings import cached_setting

STAMP_SALT = "signup-form-shown"
FORM_ERRORS = "signup"  # not a field of the form: the messages show above it
HONEYPOT_TRIPPED = N_("Something filled in a field that people never see, so this looked like an automated "
                      "sign-up. If you are a person (a browser's autofill can do this), please send the form again.")
TOO_QUICK = N_("That was quicker than a person types, so this looked like an automated sign-up: "
               "please check your details and try again.")
STAMP_MAX_AGE = timedelta(hours=1)  # far longer than anyone takes over a sign-up form
STALE = N_("This form was open for over an hour, so this looked like an automated sign-up. "
           "Please try again: the form is ready to send once more.")
NO_STAMP = N_("This form was missing part of the page it came from, so this looked like an automated sign-up. "
              "Please try again.")


class StagedAccount(Conflict):
    """Signing up with the address of an account made when its owner wrote in by email (forum.mail.staging).

    Not "taken": the account is theirs to claim, by setting its password through a reset link sent to
    the address (the sign-up page sends one; the API's 409 says to ask for one).
    """

    def __init__(self, email: str) -> None:
        detail = _("An account was made for this address when you wrote to us by email. To claim it, set its "
                   "password with a password reset (\"Forgot your password?\"): the link goes to this address.")
        super().__init__(detail, {"email": [detail]})
        self.email = email


@dataclass(frozen=True)
class SignupForm:
    """What the page sent besides the account's details: the hidden field and the signed stamp."""

    honeypot: str
    stamp: str


def honeypot_enabled() -> bool:
    return bool(cached_setting("accounts.signup_honeypot"))


def _stamps() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=STAMP_SALT)


def issue_stamp() -> str:
    """A signed note of when the form was shown, for the page's hidden field."""
    return _stamps().dumps({"shown": clock.now().timestamp()})


def _shown_at(stamp: str) -> float | None:
    """When the form was shown (however long ago), or None for a missing or tampered stamp."""
    try:
        data = _stamps().loads(stamp or "")
    except BadSignature:
        return None
    shown = data.get("shown") if isinstance(data, dict) else None
    return float(shown) if isinstance(shown, int | float) and not isinstance(shown, bool) else None


def _stale(shown: float) -> bool:
    return clock.now().timestamp() - shown > STAMP_MAX_AGE.total_seconds()


def stamp_to_keep(stamp: str) -> str:
    """The stamp to send the page back with after a refusal: the same one when genuine and fresh (the time
    a person spent still counts), else a new one, so the person's next try can pass."""
    shown = _shown_at(stamp)
    return stamp if shown is not None and not _stale(shown) else issue_stamp()


def check_form(form: SignupForm) -> None:
    """Refuse (Invalid, on no field) a sign-up form that a program rather than a person seems to have sent."""
    errors = ErrorCollector()
    if honeypot_enabled() and form.honeypot.strip():
        errors.add(FORM_ERRORS, _(HONEYPOT_TRIPPED))
    minimum = cached_setting("accounts.signup_min_seconds")
    if minimum > 0:
        shown = _shown_at(form.stamp)
        if shown is None:
            errors.add(FORM_ERRORS, _(NO_STAMP))
        elif _stale(shown):
            errors.add(FORM_ERRORS, _(STALE))
        elif clock.now().timestamp() - shown < minimum:
            errors.add(FORM_ERRORS, _(TOO_QUICK))
    errors.raise_if_any()


def _domain_forms(domain: str) -> set[str]:
    """The domain as written and in its ASCII (IDNA) form, which is how the blocklist holds names."""
    forms = {domain}
    try:
        forms.add(domain.encode("idna").decode("ascii"))
    except UnicodeError:
        pass
    return forms


def blocked_domain(email: str) -> str | None:
    """The blocklist entry that covers the address's domain (itself or a parent), or None."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    blocked = cached_setting("accounts.blocked_email_domains")
    for name in _domain_forms(domain):
        for entry in blocked:
            if name == entry or name.endswith("." + entry):
                return entry
    return None


def email_problems(email: str) -> list[str]:
    """What keeps a (valid, normalised) address from signing up: its domain is blocked, or nothing."""
    entry = blocked_domain(email)
    if entry is None:
        return []
    return [_("This community does not accept sign-ups with addresses at %(domain)s. Please use another address.",
              domain=entry)]
