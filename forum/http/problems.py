"""RFC 9457 problem+json for every API error, so integrators parse one shape."""

from __future__ import annotations

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from forum.core.errors import DomainError
from forum.http import errors as web_errors

PROBLEM_TYPE_BASE = "https://horseshoe.dev/problems/"


def problem(status: int, title: str, detail: str = "", errors: dict | None = None, *, extra: dict | None = None,
            **headers: str) -> Response:
    """The problem+json answer; extra adds members of the problem's own (RFC 9457 extensions), e.g. warnings."""
    body = {
        "type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = errors
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
            return problem(500, "Internal server error",
                           "Something went wrong on our side. Please try again later.")
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
            return problem(exc.code or 500, exc.name, exc.description or "", **extra)
        return web_errors.render_http_error(exc)
