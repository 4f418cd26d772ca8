"""RFC 9457 problem+json for every API error, so integrators parse one shape."""

from __future__ import annotations

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from forum.core.errors import DomainError
from forum.core.i18n import N_, _
from forum.http import errors as web_errors
from forum.http import request_log

PROBLEM_TYPE_BASE = "https://horseshoe.dev/problems/"


# HTTP errors werkzeug raises, by the names it gives them: marked so their titles are in the catalogues.
HTTP_TITLES = (
    N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"),
    N_("Not Acceptable"), N_("Conflict"), N_("Gone"), N_("Request Entity Too Large"), N_("Unsupported Media Type"),
    N_("Unprocessable Entity"), N_("Too Many Requests"), N_("Internal Server Error"), N_("Service Unavailable"),
)


def _in_callers_language(text: str) -> str:
    """A title in the language the caller asked for with Accept-Language; English when they asked for none,
    so a client that never sends the header reads the same titles it always did."""
    return _(text) if text and request and request.headers.get("Accept-Language") else text


def problem(status: int, title: str, detail: str = "", errors: dict | None = None, *, extra: dict | None = None,
            **headers: str) -> Response:
    """The problem+json answer; extra adds members of the problem's own (RFC 9457 extensions), e.g. warnings.

    title is English (N_-marked): the type is made from it and never changes; the title shown is translated
    only for a caller that sent Accept-Language. detail was written in the request's language already.
    request_id is the request's id (forum.http.request_log), also sent as the X-Request-ID header.
    """
    shown_title = _in_callers_language(title)
    body = {
        "type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"),
        "title": shown_title,
        "status": status,
        "detail": shown_title if not detail or detail == title else detail,
    }
    if errors:
        body["errors"] = errors
    if request:
        body["request_id"] = request_log.current_request_id()  # the X-Request-ID, to quote in a support ticket
    body.update(extra or {})
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def install(app: Flask) -> None:
    """Answer API errors as problem+json; leave HTML pages to the web error handlers.

    Call after the web registered its handlers: the web's 500 page handler is taken over here
    and still answers every non-API request.
    """
    web_server_error = app.error_handler_spec[None].get(500, {}).get(InternalServerError)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        """Unexpected failures (and explicit 500s): problem+json under /api/, the web's page elsewhere."""
        if _is_api_request():
            return problem(500, N_("Internal server error"),
                           _("Something went wrong on our side. Please try again later."))
        if web_server_error is not None:
            return web_server_error(exc)
        return web_errors.render_http_error(exc)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if _is_api_request():
            return problem(exc.status, exc.title, exc.detail, exc.errors)
        return web_errors.render_domain_error(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _is_api_request():
            extra = {}
            if exc.code == 429 and exc.response is not None and exc.response.headers.get("Retry-After"):
                extra["Retry_After"] = exc.response.headers["Retry-After"]
            # werkzeug's own descriptions are marked in forum.http.errors; one of ours was written translated
            return problem(exc.code or 500, exc.name, _in_callers_language(exc.description or ""), **extra)
        return web_errors.render_http_error(exc)
