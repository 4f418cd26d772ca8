"""Horseshoe: a peer-support community for customer service.

create_app() is the only composition root: a readable list of configure_* steps.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from forum.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    """Build a configured app; settings default to the HORSESHOE_* environment."""
    settings = settings or Settings.from_env()
    app = Flask(
        "forum",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "forum" / "static"),
    )
    configure_template_environment(app)
    configure_settings(app, settings)
    configure_request_log(app)
    configure_database(app)
    configure_security(app)
    configure_auth(app)
    configure_community(app)
    configure_domains(app)
    configure_search(app)
    configure_api(app)
    configure_moderation(app)
    configure_templates(app)
    configure_rate_limits(app)
    configure_page_cache(app)
    configure_cli(app)
    return app


def configure_template_environment(app: Flask) -> None:
    """Templates compiled per language (forum.http.translated_templates): first, before anything reads
    app.jinja_env and so creates Flask's default one."""
    from forum.http.translated_templates import TranslatedEnvironment

    app.jinja_environment = TranslatedEnvironment


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


def configure_request_log(app: Flask) -> None:
    """First: every request gets its id and its JSON log line, whatever a later step does with it."""
    from forum.http import request_log

    request_log.init_app(app)


def configure_database(app: Flask) -> None:
    from forum.core import database
    from forum.core.extensions import db, migrate
    from forum.services import category_counts, indexing

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database.init_app(app)
    category_counts.install()
    indexing.install()


def configure_security(app: Flask) -> None:
    from forum.http import security

    security.init_app(app)


def configure_auth(app: Flask) -> None:
    """Who is calling (cookie session or bearer token), then what their account's standing lets them write."""
    from forum.http import auth, standing

    auth.init_app(app)
    standing.init_app(app)


def configure_community(app: Flask) -> None:
    """The community itself: URL converters, its jobs (mail, Q&A sweeps), pages and error pages."""
    from forum import services, web
    from forum.http import routing

    routing.init_app(app)
    services.init_app(app)
    web.init_app(app)


def configure_domains(app: Flask) -> None:
    """Each domain package registers its own jobs, event listeners, pages and API routes (docs/architecture.md)."""
    from forum import (
        accounts,
        analytics,
        appearance,
        cases,
        conversations,
        findability,
        ideas,
        importing,
        incidents,
        integrations,
        knowledge,
        mail,
        operations,
        recognition,
        tagging,
        uploads,
        writing,
    )

    for package in (accounts, recognition, cases, incidents, analytics, integrations, uploads, writing,
                    conversations, tagging, mail, knowledge, findability, appearance,
                    operations, importing, ideas):
        package.init_app(app)


def configure_api(app: Flask) -> None:
    """The /api/v1 blueprint, once every package has added its routes to it."""
    from forum import api

    api.init_app(app)


def configure_templates(app: Flask) -> None:
    """Template helpers, and the language and time zone every page, email and problem is written in."""
    from forum.http import languages, templating

    languages.init_app(app)
    templating.init_app(app)


def configure_search(app: Flask) -> None:
    import search

    search.init_app(app)


def configure_moderation(app: Flask) -> None:
    import moderation

    moderation.init_app(app)


def configure_rate_limits(app: Flask) -> None:
    from forum.http import ratelimits

    ratelimits.init_app(app)


def configure_page_cache(app: Flask) -> None:
    """Signed-out visitors' home, category and thread pages, shared by every process until content changes."""
    from forum.http import page_cache

    page_cache.init_app(app)


def configure_cli(app: Flask) -> None:
    from forum import cli

    cli.init_app(app)
