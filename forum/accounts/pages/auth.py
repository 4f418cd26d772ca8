"""Sign up, sign in, sign out and password reset pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forum.accounts import members, sign_in_guard
from forum.core.errors import Conflict, Invalid
from forum.http.forms import show_errors
from forum.web.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(default: str) -> str:
    """Only follow same-site relative redirects, never to another host."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host", so a backslash anywhere disqualifies the target.
    if "\\" in target or not target.startswith("/") or target.startswith("//") or parts.netloc or parts.scheme:
        return default
    return target


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        data = members.Registration(form.username.data, form.email.data, form.password.data)
        try:
            user = members.register_user(data)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            login_user(user)
            flash(f"Welcome to the community, {user.name}!", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in_guard.sign_in(form.email.data, form.password.data, source=request.remote_addr or "")
        except sign_in_guard.TooManyFailures as exc:
            form.password.errors.append(exc.detail)
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after_s)}
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(url_for("home.index")))
        form.password.errors.append("Email or password is not right.")
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    members.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        members.request_password_reset(form.email.data)
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        members.user_for_reset_token(token)
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
            login_user(user)
            flash("Your password is changed.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
