"""Two-factor sign-in: enrolment (QR code and secret), recovery codes, the sign-in challenge, turning it off.

Securing an account stays open to suspended and unverified accounts (@open_while on every form here):
it changes nothing anyone else sees, so it is no "taking part" and no profile change, and a member whose
account is under a cloud has every reason to protect it. The challenge is part of signing in, which
every account may do, and it runs before anyone is signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from forum.accounts import members, sign_in_guard, two_factor
from forum.accounts.pages.auth import PENDING_SECOND_FACTOR
from forum.accounts.pages.signing_in import complete_sign_in
from forum.core import clock
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.i18n import _, _l
from forum.http.forms import FlaskForm, show_errors
from forum.http.standing import open_while
from forum.http.urls import same_site_path
from forum.models import User
from forum.services.permissions import Restriction, needs_second_factor

bp = Blueprint("two_factor", __name__, url_prefix="/settings/two-factor")
EVERYONE = (Restriction.SUSPENDED, Restriction.UNVERIFIED)
# A password sign-in waits this long for its code; then it starts again from the password.
PENDING_FOR = timedelta(minutes=5)
T = TypeVar("T")
CODE_INPUT = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}


class ConfirmForm(FlaskForm):
    """The first code from the app, and the password (asked only of accounts that have one: see
    two_factor.confirm_enrolment)."""

    password = PasswordField(_l("Your password"), validators=[Optional(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"},
                             description=_l("So that nobody who merely found your browser signed in can turn this on."))
    code = StringField(_l("Six-digit code from the app"), validators=[DataRequired(), Length(max=64)],
                       render_kw={**CODE_INPUT, "inputmode": "numeric"})


class ChallengeForm(FlaskForm):
    code = StringField(_l("Six-digit code or recovery code"), validators=[DataRequired(), Length(max=64)],
                       render_kw=CODE_INPUT,
                       description=_l("The code your authenticator app shows now, or one of your recovery codes."))
    trust = BooleanField(_l("Trust this browser for 30 days"),
                         description=_l("No code asked on this browser for 30 days. Only on a device that is yours."))


class OwnerForm(FlaskForm):
    """The password and a code: what turning the protection off, or renewing recovery codes, takes."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    code = StringField(_l("Six-digit code or recovery code"), validators=[DataRequired(), Length(max=64)],
                       render_kw=CODE_INPUT)


class ButtonForm(FlaskForm):
    """Nothing but the CSRF token, for buttons that change state."""


@dataclass(frozen=True)
class Refused:
    """Why a page showing a form answers with an error: its status, and how long to wait when limited."""

    status: int
    retry_after_s: int | None = None

    @classmethod
    def limited(cls, exc: sign_in_guard.TooManyFailures) -> Refused:
        return cls(exc.status, exc.retry_after_s)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)} if self.retry_after_s else {}


INVALID = Refused(422)


def _answer(refused: Refused | None) -> tuple[int, dict[str, str]]:
    """The status and headers of a page with a form: 200 as asked, else the refusal's."""
    return (refused.status, refused.headers()) if refused else (200, {})


def _me() -> User:
    return current_user._get_current_object()


def _source() -> str:
    return request.remote_addr or ""


def _no_store(page: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A page showing a secret (the enrolment key, recovery codes): never kept in a cache."""
    response = make_response(page, status, headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


# --- status and settings ---------------------------------------------------------------------------------------


@bp.get("")
@login_required
def settings():
    """Whether two-factor sign-in is on, with the forms to renew recovery codes or turn it off."""
    return _settings_page(_me())


def _settings_page(user: User, disable: OwnerForm | None = None, renew: OwnerForm | None = None,
                   refused: Refused | None = None) -> Response:
    page = render_template(
        "two_factor/settings.html", enabled=user.two_factor_enabled, codes_left=two_factor.recovery_codes_left(user),
        must_enrol=needs_second_factor(user), is_staff=user.role_enum.is_staff,
        disable=disable or OwnerForm(prefix="disable"), renew=renew or OwnerForm(prefix="renew"),
    )
    return make_response(page, *_answer(refused))


@bp.post("/disable")
@login_required
@open_while(*EVERYONE)
def disable():
    user = _me()
    form = OwnerForm(prefix="disable")
    if form.validate_on_submit():
        _done, refused = _run_confirmed(user, form, lambda: two_factor.disable(user, form.password.data,
                                                                               form.code.data))
        if refused is None:
            flash(_("Two-factor sign-in is off. Your other sessions were signed out."), "success")
            return redirect(url_for(".settings"))
        return _settings_page(user, disable=form, refused=refused)
    return _settings_page(user, disable=form, refused=INVALID)


@bp.post("/recovery-codes")
@login_required
@open_while(*EVERYONE)
def renew_codes():
    user = _me()
    form = OwnerForm(prefix="renew")
    if form.validate_on_submit():
        codes, refused = _run_confirmed(
            user, form, lambda: two_factor.regenerate_recovery_codes(user, form.password.data, form.code.data))
        if refused is None:
            return _codes_page(codes, fresh_enrolment=False)
        return _settings_page(user, renew=form, refused=refused)
    return _settings_page(user, renew=form, refused=INVALID)


def _run_confirmed(user: User, form: FlaskForm, change: Callable[[], T]) -> tuple[T | None, Refused | None]:
    """Run a change that needs the password and a code, counted like a sign-in.

    Its result and None, or None and why it was refused (the errors are put on the form).
    """
    try:
        return sign_in_guard.guarded(user, change, source=_source()), None
    except sign_in_guard.TooManyFailures as exc:
        form.form_errors.append(exc.detail)
        return None, Refused.limited(exc)
    except (Invalid, Conflict) as exc:
        show_errors(form, exc)
        return None, INVALID


def _codes_page(codes: list[str], *, fresh_enrolment: bool) -> Response:
    return _no_store(render_template("two_factor/recovery_codes.html", codes=codes, fresh_enrolment=fresh_enrolment))


# --- enrolment -------------------------------------------------------------------------------------------------


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
@open_while(*EVERYONE)
def enrol():
    """Scan the QR code (or type the secret), then confirm with a code and the password; the recovery codes
    show once. The confirmation is counted like a sign-in (sign_in_guard.guarded): a stolen session must
    not be a way to guess the password."""
    user = _me()
    if user.two_factor_enabled:
        flash(_("Two-factor sign-in is already on for your account."), "info")
        return redirect(url_for(".settings"))
    form = ConfirmForm()
    refused = None
    if form.validate_on_submit():
        codes, refused = _run_confirmed(
            user, form, lambda: two_factor.confirm_enrolment(user, form.password.data, form.code.data))
        if refused is None:
            return _codes_page(codes, fresh_enrolment=True)
    secret = two_factor.pending_secret(user)
    page = render_template(
        "two_factor/enrol.html", form=form, start=ButtonForm(), must_enrol=needs_second_factor(user),
        secret=two_factor.grouped(secret) if secret else None, asks_password=two_factor.has_password(user),
        qr=_qr_code(user) if secret else None,
    )
    refused = refused or (INVALID if form.errors else None)
    return _no_store(page, *_answer(refused))


def _qr_code(user: User) -> Markup:
    """The enrolment QR code as inline SVG: segno's paths and fixed attributes, nothing anyone typed."""
    return Markup(two_factor.qr_svg(user))  # nosec B704  # markup made by segno, no user text in it


@bp.post("/enrol/start")
@login_required
@open_while(*EVERYONE)
def start():
    """Make a new secret (a GET never writes, so the page asks for this button first)."""
    if ButtonForm().validate_on_submit():
        try:
            two_factor.start_enrolment(_me())
        except Conflict as exc:
            flash(exc.detail, "info")
            return redirect(url_for(".settings"))
    return redirect(url_for(".enrol"))


# --- the sign-in challenge -------------------------------------------------------------------------------------


@bp.route("/challenge", methods=["GET", "POST"])
@open_while(*EVERYONE)
def challenge():
    """The second step of a password sign-in (forum.accounts.pages.auth): the code, then signed in."""
    pending = _pending_sign_in()
    user = _pending_user(pending)
    if user is None:
        session.pop(PENDING_SECOND_FACTOR, None)
        flash(_("Please sign in again: the sign-in did not get its code in time."), "info")
        return redirect(url_for("auth.login"))
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            right = sign_in_guard.check_second_factor(user, form.code.data, source=_source())
        except sign_in_guard.TooManyFailures as exc:
            form.code.errors.append(exc.detail)
            page = render_template("two_factor/challenge.html", form=form)
            return make_response(page, exc.status, {"Retry-After": str(exc.retry_after_s)})
        if right:
            return _signed_in(user, pending, trust=bool(form.trust.data))
        form.code.errors.append(_(two_factor.WRONG_CODE))
    return render_template("two_factor/challenge.html", form=form), 422 if form.errors else 200


def _pending_sign_in() -> dict | None:
    """The sign-in waiting for its code in this browser's (signed) session, unless it waited too long."""
    pending = session.get(PENDING_SECOND_FACTOR)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int | float):
        return None
    if clock.now().timestamp() - pending["at"] > PENDING_FOR.total_seconds():
        return None
    return pending


def _pending_user(pending: dict | None) -> User | None:
    if pending is None:
        return None
    try:
        user = members.get_user(int(pending.get("user_id") or 0))
    except (NotFound, TypeError, ValueError):
        return None
    return user if user.two_factor_enabled else None


def _signed_in(user: User, pending: dict, *, trust: bool) -> Response:
    next_url = same_site_path(pending.get("next"))
    response = complete_sign_in(user, remember=bool(pending.get("remember")), next_url=next_url)
    if trust:
        response.set_cookie(
            two_factor.TRUST_COOKIE, two_factor.trust_cookie_value(user),
            max_age=int(two_factor.TRUST_PERIOD.total_seconds()), path="/", httponly=True, samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response
