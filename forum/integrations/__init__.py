"""Integrations: outbound webhooks and per-category helpdesk connectors, delivered signed and at least once.

webhooks (admins' subscriptions), helpdesk (the case connector port: built-in desk or an external
helpdesk, and its inbound events), delivery (the generic signed-delivery engine and its job),
payloads (each event's data) and url_guard (the SSRF guard); pages and api (helpdesk,
webhooks) are its routes. Both listen to domain events: the forum core never imports this package.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Event listeners, the delivery job, the admin pages and the API routes."""
    from forum import hooks
    from forum.integrations import api, delivery, helpdesk, pages, webhooks

    hooks.register_job(delivery.DELIVER_JOB, delivery.deliver)
    delivery.on_delivered(helpdesk.remember_external_ref)
    hooks.subscribe("webhooks", webhooks.on_event)
    hooks.subscribe("case_connector", helpdesk.on_event)
    api.init_app(app)
    app.register_blueprint(pages.bp)
