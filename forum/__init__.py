"""Horseshoe: a peer-support community for customer service.

create_app() is the only composition root: a readable list of configure_* steps.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from forum.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    """Build a configured app; settings default to the HORSESHOE_* environment."""
    settings = settings or Settings.from_env()
    app = Flask(
        "forum",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "forum" / "static"),
    )
    configure_settings(app, settings)
    configure_database(app)
    configure_accounts(app)
    configure_security(app)
    configure_auth(app)
    configure_jobs(app)
    configure_integrations(app)
    configure_search(app)
    configure_blueprints(app)
    configure_moderation(app)
    configure_templates(app)
    configure_rate_limits(app)
    configure_page_cache(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, settings: Settings) -> None:
    """Translate Settings into Flask config, with safe cookie and size defaults."""
    settings.data_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        HORSESHOE=settings,
        SECRET_KEY=settings.resolved_secret_key(),
        SQLALCHEMY_DATABASE_URI=settings.resolved_database_url,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.max_body_bytes * 4,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.uses_https,
        PERMANENT_SESSION_LIFETIME=14 * 24 * 3600,
        REMEMBER_COOKIE_DURATION=30 * 24 * 3600,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.uses_https,
        WTF_CSRF_TIME_LIMIT=None,
    )


def configure_accounts(app: Flask) -> None:
    from argon2 import PasswordHasher

    from forum.services import accounts

    accounts.use_password_hasher(accounts.TEST_HASHER if app.config["TESTING"] else PasswordHasher())


def configure_database(app: Flask) -> None:
    from forum import database
    from forum.extensions import db, migrate
    from forum.services import category_counts

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database.init_app(app)
    category_counts.install()


def configure_security(app: Flask) -> None:
    from forum import security

    security.init_app(app)


def configure_auth(app: Flask) -> None:
    from forum import auth

    auth.init_app(app)


def configure_jobs(app: Flask) -> None:
    """Job handlers by name; the periodic ones say how often (read from settings when they run)."""
    from forum.jobs import registry
    from forum.services import (
        bounties,
        case_triggers,
        community_settings,
        incidents,
        mail,
        recognition,
        reputation_upkeep,
        sweeps,
        webhook_delivery,
    )

    def sweep_interval() -> float:
        return community_settings.get_setting("sla.sweep_interval_seconds")

    registry.register(mail.SEND_JOB, mail.send_email_job)
    registry.register(sweeps.SWEEP_JOB, sweeps.run_sweep, every_s=sweep_interval)
    registry.register(bounties.BOUNTY_JOB, bounties.offer_bounties, every_s=sweep_interval)
    registry.register(case_triggers.SWEEP_JOB, case_triggers.sweep_sla, every_s=sweep_interval)
    registry.register(recognition.CHECK_USER_JOB, recognition.check_user)
    registry.register(incidents.FAN_OUT_JOB, incidents.fan_out)
    registry.register(webhook_delivery.DELIVER_JOB, webhook_delivery.deliver)
    registry.register(recognition.BACKFILL_JOB, recognition.backfill, every_s=lambda: recognition.BACKFILL_INTERVAL_S)
    registry.register(
        reputation_upkeep.SERIAL_VOTES_JOB, reputation_upkeep.reverse_serial_votes,
        every_s=lambda: reputation_upkeep.SERIAL_JOB_EVERY_S,
    )


def configure_integrations(app: Flask) -> None:
    """Outbound webhooks and helpdesk connectors listen to domain events (forum core never imports them)."""
    from forum.services import case_connector, events, webhooks

    events.subscribe("webhooks", webhooks.on_event)
    events.subscribe("case_connector", case_connector.on_event)


def configure_blueprints(app: Flask) -> None:
    from forum import routing
    from forum.api import init_app as init_api
    from forum.web import init_app as init_web

    routing.init_app(app)
    init_web(app)
    init_api(app)


def configure_templates(app: Flask) -> None:
    from forum.web import templating

    templating.init_app(app)


def configure_search(app: Flask) -> None:
    import search

    search.init_app(app)


def configure_moderation(app: Flask) -> None:
    import moderation

    moderation.init_app(app)


def configure_rate_limits(app: Flask) -> None:
    from forum import ratelimits

    ratelimits.init_app(app)


def configure_page_cache(app: Flask) -> None:
    """Signed-out visitors' home, category and thread pages, shared by every process until content changes."""
    from forum import page_cache

    page_cache.init_app(app)


def configure_cli(app: Flask) -> None:
    from forum import cli

    cli.init_app(app)
