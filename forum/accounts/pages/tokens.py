"""API token pages: people list, create and revoke their own tokens; admins mint service tokens for bots."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from forum.accounts import tokens as api_tokens
from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.standing import open_while
from forum.models import Role
from forum.services.permissions import Action, Restriction, can, require

bp = Blueprint("tokens", __name__)
SCOPE_CHOICES = [
    SelectChoice("read", _l("Read: look, never change anything")),
    SelectChoice("write", _l("Write: do everything you can do on the site")),
]
# Service tokens only: what a monitoring system needs to scrape /metrics, and nothing else.
SERVICE_SCOPE_CHOICES = [*SCOPE_CHOICES, SelectChoice("metrics", _l("Metrics: read /metrics only, no API"))]
NEW_ACCOUNT = "new"
NEW_CHOICE = SelectChoice(NEW_ACCOUNT, _l("A new service account"))
ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.ADVOCATE: _l("Advocate"), Role.MODERATOR: _l("Moderator"),
               Role.AGENT: _l("Agent"), Role.ADMIN: _l("Admin")}


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=api_tokens.NAME_MAX)],
                       description=_l("What will use it, such as “Phone app” or “Nightly export”."))
    scope = RadioField(_l("Access"), choices=SCOPE_CHOICES, default="read")


class ServiceTokenForm(TokenForm):
    scope = RadioField(_l("Access"), choices=SERVICE_SCOPE_CHOICES, default="read")
    account_id = SelectField(_l("Service account"), choices=[NEW_CHOICE], default=NEW_ACCOUNT)
    new_username = StringField(_l("New account's username"), validators=[Length(max=32)],
                               description=_l("Only for a new account, such as helpdesk-bot."))
    role = SelectField(_l("New account's role"),
                       choices=[SelectChoice(role.value, ROLE_LABELS.get(role, role.value.title())) for role in Role],
                       default=Role.AGENT.value, description=_l("The token can do what this role can do."))


class ButtonForm(FlaskForm):
    """Nothing but the CSRF token, for buttons that change state."""


def _shown_once(minted: api_tokens.MintedToken, back: str):
    """The raw token, once: never stored, so the page must not be cached either."""
    response = make_response(render_template("tokens/created.html", minted=minted, back=back))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/tokens", methods=["GET", "POST"])
def index():
    user = acting_user()
    require(user, Action.TOKEN_LIST)
    form = TokenForm()
    if request.method == "POST":
        require(user, Action.TOKEN_CREATE)
    if form.validate_on_submit():
        try:
            data = api_tokens.TokenInput(form.name.data or "", form.scope.data)
            minted = api_tokens.create_personal_token(user, data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            return _shown_once(minted, url_for("tokens.index"))
    tokens = api_tokens.list_personal_tokens(user)
    return render_template("tokens/index.html", form=form, tokens=tokens, button=ButtonForm(),
                           may_create=can(user, Action.TOKEN_CREATE)), 422 if form.errors else 200


@bp.post("/settings/tokens/<id:token_id>/revoke")
@open_while(Restriction.SUSPENDED)
def revoke(token_id: int):
    """Open while suspended: giving up one's own access is never refused (the rule keeps it to one's own)."""
    user = acting_user()
    require(user, Action.TOKEN_LIST)
    if ButtonForm().validate_on_submit():
        token = api_tokens.revoke_personal_token(user, token_id)
        flash(_("The token “%(name)s” is revoked: apps using it can no longer sign in.", name=token.name), "success")
    return redirect(url_for("tokens.index"))


def _service_input(form: ServiceTokenForm) -> api_tokens.ServiceTokenInput:
    account = form.account_id.data
    return api_tokens.ServiceTokenInput(
        name=form.name.data or "", scope=form.scope.data,
        account_id=int(account) if account != NEW_ACCOUNT else None,
        new_username=form.new_username.data or "", role=form.role.data,
    )


@bp.route("/admin/service-tokens", methods=["GET", "POST"])
def service_list():
    admin = acting_user()
    require(admin, Action.SERVICE_TOKEN_MANAGE)
    form = ServiceTokenForm()
    accounts = api_tokens.list_service_accounts(admin)
    form.account_id.choices = [NEW_CHOICE] + [SelectChoice(str(a.id), a.username) for a in accounts]
    if form.validate_on_submit():
        try:
            minted = api_tokens.create_service_token(admin, _service_input(form))
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            return _shown_once(minted, url_for("tokens.service_list"))
    tokens = api_tokens.list_service_tokens(admin)
    return render_template("tokens/service.html", form=form, tokens=tokens,
                           button=ButtonForm()), 422 if form.errors else 200


@bp.post("/admin/service-tokens/<id:token_id>/revoke")
def service_revoke(token_id: int):
    admin = acting_user()
    require(admin, Action.SERVICE_TOKEN_MANAGE)
    if ButtonForm().validate_on_submit():
        token = api_tokens.revoke_service_token(admin, token_id)
        flash(_("The token “%(name)s” of %(username)s is revoked.", name=token.name, username=token.user.username),
              "success")
    return redirect(url_for("tokens.service_list"))
