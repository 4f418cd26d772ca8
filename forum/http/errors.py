"""Friendly error pages, and domain errors shown to people rather than machines."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from forum.core.errors import DomainError, NotAuthenticated


def render_domain_error(exc: DomainError):
    if isinstance(exc, NotAuthenticated):
        flash(exc.detail, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return render_template("errors/error.html", status=exc.status, title=exc.title, detail=exc.detail), exc.status


def render_http_error(exc: HTTPException):
    code = exc.code or 500
    return render_template("errors/error.html", status=code, title=exc.name, detail=exc.description), code


def init_app(app: Flask) -> None:
    @app.errorhandler(500)
    def server_error(_exc):
        return render_template(
            "errors/error.html",
            status=500,
            title="Something went wrong",
            detail="We could not finish that request. Nothing you wrote was lost; please try again.",
        ), 500
