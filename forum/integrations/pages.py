"""Admin pages for integrations: webhook subscriptions, their delivery log, and per-category helpdesk connectors."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, show_errors
from forum.integrations import helpdesk, webhooks
from forum.services import categories
from forum.services.permissions import Action, require

bp = Blueprint("integrations", __name__)
SECRET_HINT = _l("Receivers verify signatures with it. Copy it now: it is not shown again.")
PRIVATE_HINT = _l("Tick only for your own server inside your network (loopback or private address). "
                  "Link-local, multicast and reserved addresses are never allowed.")


class WebhookForm(FlaskForm):
    url = StringField(_l("Destination URL"), validators=[Length(max=2000)], render_kw={"inputmode": "url"})
    events = SelectMultipleField(_l("Events"), choices=list(webhooks.EVENT_TYPES),
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    secret = StringField(_l("Signing secret"), validators=[Length(max=200)], description=SECRET_HINT,
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    allow_private = BooleanField(_l("On-premises host"), description=PRIVATE_HINT)


class ConnectorForm(FlaskForm):
    url = StringField(_l("Helpdesk URL"), validators=[Length(max=2000)], render_kw={"inputmode": "url"})
    secret = StringField(_l("Signing secret"), validators=[Length(max=200)],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    active = BooleanField(_l("Send this category's cases to the helpdesk"), default=True)
    allow_private = BooleanField(_l("On-premises host"), description=PRIVATE_HINT)


class ButtonForm(FlaskForm):
    """Nothing but the CSRF token, for buttons that change state."""


@bp.before_request
def require_admin() -> None:
    """Admins only: anonymous visitors are sent to sign in, everyone else gets 403."""
    require(acting_user(), Action.INTEGRATIONS_MANAGE)


@bp.route("/admin/webhooks", methods=["GET", "POST"])
def webhook_list():
    form = WebhookForm()
    if request.method == "GET":
        form.secret.data = secrets.token_urlsafe(32)
    if form.validate_on_submit():
        data = webhooks.SubscriptionInput(url=form.url.data or "", events=form.events.data or [],
                                          secret=form.secret.data or "", allow_private=form.allow_private.data)
        try:
            subscription = webhooks.create_subscription(acting_user(), data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Webhook to %(url)s is subscribed.", url=subscription.url), "success")
            return redirect(url_for("integrations.webhook_list"))
    subscriptions = webhooks.list_subscriptions(acting_user())
    counts = {s.id: webhooks.delivery_counts(s) for s in subscriptions}
    return render_template("integrations/webhooks.html", form=form, subscriptions=subscriptions, counts=counts,
                           events_of=webhooks.events_of, button=ButtonForm()), 422 if form.errors else 200


@bp.post("/admin/webhooks/<id:subscription_id>/delete")
def webhook_delete(subscription_id: int):
    subscription = webhooks.get_subscription(acting_user(), subscription_id)
    if ButtonForm().validate_on_submit():
        webhooks.delete_subscription(acting_user(), subscription)
        flash(_("The webhook and its delivery log are removed."), "success")
    return redirect(url_for("integrations.webhook_list"))


@bp.post("/admin/webhooks/<id:subscription_id>/enable")
def webhook_enable(subscription_id: int):
    subscription = webhooks.get_subscription(acting_user(), subscription_id)
    if ButtonForm().validate_on_submit():
        report(webhooks.enable_subscription(acting_user(), subscription),
               _("Webhook to %(url)s is enabled again.", url=subscription.url),
               _("the webhook to %(url)s was already on.", url=subscription.url))
    return redirect(url_for("integrations.webhook_list"))


@bp.get("/admin/webhooks/deliveries")
def delivery_log():
    """Every destination's deliveries, newest first; ?subscription= narrows it to one webhook."""
    user = acting_user()
    raw = request.args.get("subscription", "")
    chosen = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 11 else 0
    subscription = webhooks.get_subscription(user, chosen) if 0 < chosen < 2**31 else None
    return render_template("integrations/deliveries.html", deliveries=webhooks.list_deliveries(user, subscription),
                           subscription=subscription, button=ButtonForm())


@bp.post("/admin/webhooks/deliveries/<id:delivery_id>/redeliver")
def redeliver(delivery_id: int):
    delivery = webhooks.get_delivery(acting_user(), delivery_id)
    if ButtonForm().validate_on_submit():
        webhooks.redeliver(acting_user(), delivery)
        flash(_("Delivery %(id)s (%(event)s) is queued again with the same event id.", id=delivery.id,
                event=delivery.event_type), "success")
    return redirect(request.form.get("back") if _is_local(request.form.get("back"))
                    else url_for("integrations.delivery_log"))


def _is_local(path: str | None) -> bool:
    return bool(path) and path.startswith("/admin/webhooks/deliveries") and "//" not in path


@bp.get("/admin/helpdesk")
def connector_list():
    connectors = helpdesk.connectors_by_category(acting_user())
    return render_template("integrations/connectors.html", categories=categories.list_categories(),
                           connectors=connectors)


@bp.route("/admin/helpdesk/<id:category_id>", methods=["GET", "POST"])
def connector_edit(category_id: int):
    category = categories.get_category(category_id)
    existing = helpdesk.connector_for(category.id)
    form = ConnectorForm(obj=existing)
    if request.method == "GET":
        form.secret.data = "" if existing else secrets.token_urlsafe(32)
    if form.validate_on_submit():
        data = helpdesk.ConnectorInput(url=form.url.data or "", secret=form.secret.data or "",
                                             active=form.active.data, allow_private=form.allow_private.data)
        try:
            helpdesk.save_connector(acting_user(), category, data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Helpdesk connector for “%(name)s” is saved.", name=category.name), "success")
            return redirect(url_for("integrations.connector_list"))
    return render_template("integrations/connector_edit.html", form=form, category=category, existing=existing,
                           button=ButtonForm()), 422 if form.errors else 200


@bp.post("/admin/helpdesk/<id:category_id>/delete")
def connector_delete(category_id: int):
    category = categories.get_category(category_id)
    connector = helpdesk.connector_for(category.id)
    if connector is not None and ButtonForm().validate_on_submit():
        helpdesk.delete_connector(acting_user(), connector)
        flash(_("“%(name)s” is back on the built-in desk.", name=category.name), "success")
    return redirect(url_for("integrations.connector_list"))
