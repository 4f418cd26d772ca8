"""The small builders and shared constants that the OpenAPI path and schema entries are written with."""

from __future__ import annotations

from typing import Any

from forum.core.pagination import DEFAULT_LIMIT, MAX_LIMIT

Schema = dict[str, Any]

ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, or a cookie-authenticated write without a valid X-CSRFToken header.",
    401: "Not authenticated: no credentials for a write, or a bad or revoked bearer token.",
    403: "Authenticated but not allowed (including writes with a read-only token).",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with existing data.",
    413: "The request body is too large.",
    415: "The body is not application/json.",
    422: "Validation failed; `errors` maps each field to its messages.",
    429: "Rate limited: try again after Retry-After seconds.",
}
WRITE_ERRORS = (400, 401, 403, 413, 415, 422)
RATE_LIMITED = (429,)  # for the writes domain.md limits: sign-in, registration, threads, replies, votes, flags
RETRY_AFTER = {"Retry-After": {"description": "Seconds until the limit resets.",
                               "schema": {"type": "integer", "minimum": 1}}}
ACTION_ERRORS = (400, 401, 403, 404)  # bodyless writes: CSRF, sign-in, permission, visibility


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(status: int, description: str, schema: Schema | None, errors: tuple[int, ...]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": description}
    if schema is not None:
        ok["content"] = json_content(schema)
    answers = {str(status): ok}
    for code in sorted(set(errors)):
        answers[str(code)] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        if code == 429:
            answers[str(code)]["headers"] = RETRY_AFTER
    return answers


def operation(
    summary: str,
    ok: tuple[int, str, Schema | None],
    errors: tuple[int, ...] = (),
    *,
    body: Schema | None = None,
    params: list[Schema] | None = None,
    public: bool = False,
    body_required: bool = True,
    example: Any = None,
) -> dict[str, Any]:
    """One operation; public ones also work without credentials. An example body is what a client would send."""
    op: dict[str, Any] = {"summary": summary, "responses": _responses(*ok, errors)}
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": body_required, "content": json_content(body)}
        if example is not None:
            op["requestBody"]["content"]["application/json"]["example"] = example
    op["security"] = [{}, {"bearer": []}, {"session": []}] if public else [{"bearer": []}, {"session": []}]
    return op


def path_id(name: str, what: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1},
    }


def query(name: str, description: str, schema: Schema) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PAGE_PARAMS = [
    query("limit", "Items per page.",
          {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    query("cursor", "The opaque next_cursor of the previous page.", {"type": "string"}),
]


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def list_of(item: str) -> Schema:
    """The list envelope of item, kept in components as <item>List."""
    return ref(f"{item}List")


def envelope(item: str) -> Schema:
    return obj(
        {"items": {"type": "array", "items": ref(item)}, "next_cursor": {"type": ["string", "null"]}},
        ["items", "next_cursor"],
    )


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TAGS = {"type": "array", "items": STRING, "maxItems": 5}

NOT_MODIFIED = {"description": "Not modified: the request's If-None-Match header named the current ETag "
                               "(every 200 read carries one). No body.",
                "headers": {"ETag": {"description": "The current entity tag.", "schema": {"type": "string"}}}}


def with_cross_cutting_answers(paths: dict[str, Any]) -> dict[str, Any]:
    """Answers every route can give, said once here rather than in each module.

    Any request with a bad or revoked bearer token is a 401, public reads included (forum/api/requests.py);
    every GET answers with an ETag and honours If-None-Match with a 304 (forum/api/conditional.py). The
    header is described in the 304 answer rather than as a parameter, so parameter lists stay each route's own.
    A query parameter holding a NUL character is a 422 naming it on every route (forum/http/security.py).
    """
    unauthenticated = _responses(200, "", None, (401,))["401"]
    invalid = _responses(200, "", None, (422,))["422"]
    for operations in paths.values():
        for method, op in operations.items():
            op["responses"].setdefault("401", unauthenticated)
            if any(param.get("in") == "query" for param in op.get("parameters", [])):
                op["responses"].setdefault("422", invalid)
            if method == "get":
                op["responses"].setdefault("304", NOT_MODIFIED)
    return paths
