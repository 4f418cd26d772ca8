"""Friendly error pages, and domain errors shown to people rather than machines."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from forum.core.errors import DomainError, NotAuthenticated
from forum.core.i18n import N_, _

# What werkzeug says about the errors people meet on pages, marked so the catalogues hold them (the titles are
# marked in forum.http.problems); an abort() with its own words is shown as its raiser wrote it.
HTTP_DESCRIPTIONS = (
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_("You don't have the permission to access the requested resource. It is either read-protected or not "
       "readable by the server."),
    N_("The requested URL was not found on the server. If you entered the URL manually please check your spelling "
       "and try again."),
    N_("The method is not allowed for the requested URL."),
    N_("The requested URL is no longer available on this server and there is no forwarding address. If you "
       "followed a link from a foreign page, please contact the author of this page."),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("The server does not support the media type transmitted in the request."),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_("The server is temporarily unable to service your request due to maintenance downtime or capacity problems. "
       "Please try again later."),
)


def render_domain_error(exc: DomainError):
    if isinstance(exc, NotAuthenticated):
        flash(exc.detail, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    detail = _(exc.detail) if exc.detail == exc.title else exc.detail  # a bare title is English (N_)
    return render_template("errors/error.html", status=exc.status, title=_(exc.title), detail=detail), exc.status


def render_http_error(exc: HTTPException):
    code = exc.code or 500
    title, detail = _(exc.name), _(exc.description) if exc.description else exc.description  # werkzeug's English
    return render_template("errors/error.html", status=code, title=title, detail=detail), code


def init_app(app: Flask) -> None:
    @app.errorhandler(500)
    def server_error(_exc):
        return render_template(
            "errors/error.html",
            status=500,
            title=_("Something went wrong"),
            detail=_("We could not finish that request. Nothing you wrote was lost; please try again."),
        ), 500
