"""Sign up, sign in, sign out and password reset pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from forum.accounts import members, password_reset, sessions, sign_in_guard, signup_defences, two_factor
from forum.accounts.pages.signing_in import complete_sign_in, fresh_session
from forum.core import clock
from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _
from forum.http.forms import show_errors
from forum.http.standing import open_while
from forum.http.urls import same_site_path
from forum.services.permissions import Restriction
from forum.web.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(default: str) -> str:
    """Only follow same-site relative redirects, never to another host."""
    return same_site_path(request.args.get("next")) or default


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        data = members.Registration(form.username.data, form.email.data, form.password.data)
        try:
            user = members.register_user(data)
        except signup_defences.StagedAccount as exc:  # made when they wrote in by email: theirs to claim
            password_reset.request_password_reset(exc.email)
            flash(_("You already have an account: we made one for %(email)s when you wrote to us by email. We "
                    "emailed you a link to claim it: follow it to set your password.", email=exc.email), "info")
            return redirect(url_for("auth.login"), 303)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(_("Welcome to the community, %(name)s!", name=user.name), "success")
            if user.email_verified_at is None:
                flash(_("We sent a link to %(email)s: follow it to confirm your address and start posting.",
                        email=user.email), "info")
            return complete_sign_in(user)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def login():
    """Open whatever the browser's current account's standing: a restricted account may sign in (issue 20)."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in_guard.sign_in(form.email.data, form.password.data, source=request.remote_addr or "")
        except sign_in_guard.TooManyFailures as exc:
            form.password.errors.append(exc.detail)
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after_s)}
        if user is not None:
            return after_first_factor(user, remember=form.remember.data, next_url=safe_next(url_for("home.index")))
        form.password.errors.append(_("Email or password is not right."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


# The browser-session key holding a sign-in that passed the password and still needs a second factor.
PENDING_SECOND_FACTOR = "pending_second_factor"


def after_first_factor(user, *, remember: bool, next_url: str):
    """The password (or the identity provider) vouched for user: ask for the second factor unless this
    browser is trusted, then sign in. An account with two-factor sign-in gives a code whichever door it
    came through."""
    if user.two_factor_enabled and not two_factor.browser_is_trusted(user, request.cookies):
        if current_user.is_authenticated:  # whoever was signed in here is signed out, not left live beside
            sessions.end_current(current_user._get_current_object())
            logout_user()
        fresh_session()  # the messages stay: they show above the code's form
        session[PENDING_SECOND_FACTOR] = {
            "user_id": user.id, "remember": bool(remember), "next": next_url, "at": clock.now().timestamp(),
        }
        return redirect(url_for("two_factor.challenge"))
    return complete_sign_in(user, remember=remember, next_url=next_url)


@bp.post("/logout")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def logout():
    """Sign out this browser only; the member's other sessions stay (the sessions page ends those)."""
    sessions.end_current(current_user._get_current_object())
    logout_user()
    session.pop("_flashes", None)  # notices meant for the member (an Undo offer, names) don't outlive them here
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def forgot_password():
    """Open to restricted accounts too: keeping one's password safe is never taking part."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_password_reset(form.email.data)
        flash(_("If that address has an account, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def reset_password(token: str):
    """The emailed token is the credential; open to restricted accounts (securing an account is not taking part)."""
    try:
        password_reset.user_for_reset_token(token)
    except Invalid as exc:
        flash(exc.detail, "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = sign_in_guard.reset_password(token, form.password.data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Your password is changed. Every other session has been signed out."), "success")
            return after_first_factor(user, remember=False, next_url=url_for("home.index"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
