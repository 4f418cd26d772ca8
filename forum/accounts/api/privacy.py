"""The caller's own data over the API: POST/GET /me/export, DELETE /me (api.md v1.1)."""

from __future__ import annotations

from typing import Any

from flask import send_file
from flask.blueprints import BlueprintSetupState

from forum.accounts import data_export, deletion, sign_in_guard
from forum.accounts.export_archive import timestamp
from forum.core.errors import NotFound
from forum.core.i18n import N_, _
from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import field, optional_json_body, signed_in_user
from forum.http.problems import problem
from forum.http.standing import open_while
from forum.models import DataExport
from forum.services.permissions import Restriction

# ---- Data export (issue 20): POST/GET /me/export and the archive itself ---------------------------------------------
# Open while suspended or unconfirmed: taking one's own data out is never taking part (api.md: "also while suspended").

ARCHIVE_PATH = "/api/v1/me/export/{id}/archive"


def export_json(export: DataExport) -> dict[str, Any]:
    """An export as the API shows it: url (the archive, for a bearer token or the session) only while ready."""
    status = data_export.status_of(export)
    ready = status == data_export.ExportStatus.READY
    body = {
        "id": export.id, "status": status.value, "progress": export.progress,
        "requested_at": timestamp(export.requested_at), "ready_at": timestamp(export.ready_at),
        "expires_at": timestamp(export.expires_at), "size": export.size if ready else None,
        "url": ARCHIVE_PATH.format(id=export.id) if ready else None,
        "download_url": data_export.download_path(export) if ready else None,
    }
    if status == data_export.ExportStatus.FAILED:
        body["detail"] = _(data_export.FAILED_MESSAGE)
    return body


def _answer_to_request(export: DataExport) -> dict[str, Any]:
    """POST's answer: the new (or pending) export, or the recent ready one, saying why no new one was made."""
    body = export_json(export)
    if data_export.is_recent_and_ready(export):
        body["detail"] = _("Your archive from the last 24 hours is still available, so no new one was made. You can "
                           "ask for a new one from %(moment)s.", moment=timestamp(data_export.next_request_at(export)))
    return body


@bp.post("/me/export")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def request_my_export():
    """Queue an archive of the caller's data (the pending one, when a build is already under way).

    At most one new archive a day: within 24 hours of asking, while that archive is ready, the
    answer is that archive (status ready, with its url and a detail saying so), and nothing is queued.
    It takes no fields; a body, when sent, must still be a JSON object (415/400/422 otherwise, as on every write).
    """
    user = signed_in_user()
    optional_json_body()
    return _answer_to_request(data_export.request_export(user)), 202


@bp.get("/me/export")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def show_my_export():
    export = data_export.latest_export(signed_in_user())
    if export is None:
        raise NotFound(_("You have not asked for an export of your data yet: POST /api/v1/me/export does."))
    return export_json(export)


@bp.get("/me/export/<id:export_id>/archive")
def download_my_export(export_id: int):
    """The ZIP, to its owner only (404 to anyone else, 410 once expired)."""
    export, path = data_export.archive_for_download(signed_in_user(), export_id)
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=data_export.download_name(export), conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export_openapi_paths() -> dict[str, Any]:
    o = openapi
    export = o.obj({
        "id": o.INTEGER, "status": {"enum": [s.value for s in data_export.ExportStatus]},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100}, "requested_at": o.TIME,
        "ready_at": o.NULLABLE_TIME, "expires_at": o.NULLABLE_TIME, "size": {"type": ["integer", "null"]},
        "url": {"type": ["string", "null"], "description": "The archive (this API, bearer token or session) while "
                                                          "status is ready"},
        "download_url": {"type": ["string", "null"], "description": "The same archive for a signed-in browser"},
        "detail": {"type": "string", "description": "Why, when status is failed; on POST, why the recent ready "
                                                    "archive was answered instead of a new one"},
    }, ["id", "status", "progress", "url", "expires_at"])
    post = o.operation(
        "Ask for a ZIP of the caller's own data (profile, posts in Markdown, votes, reputation, notifications, "
        "settings, case messages meant for them, uploads, sessions, drafts, private conversations, ignored "
        "members). Built in the background; while one is pending, that one is answered, and so is a ready one "
        "asked for less than 24 hours ago (at most one new archive a day). Allowed while suspended.",
        (202, "The export, pending", export), o.WRITE_ERRORS, body=o.obj({}), body_required=False)
    get = o.operation("The caller's latest export; ready archives expire 48 hours after they are built "
                      "(status expired)", (200, "The export", export), (404,))
    archive = o.operation("Download the ZIP: its owner only; 404 to anyone else, 410 once expired, 409 while "
                          "it is being built", (200, "The archive (application/zip, as an attachment)", None),
                          (404, 409), params=[o.path_id("export_id", "export")])
    archive["responses"]["410"] = {"description": "Expired: request a new export.",
                                   "content": {"application/problem+json": {"schema": o.ref("Problem")}}}
    return {"/me/export": {"post": post, "get": get}, "/me/export/{export_id}/archive": {"get": archive}}


@bp.record_once
def _document_export(state: BlueprintSetupState) -> None:
    """Add the export routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_export_openapi_paths())


# ---- end of data export ---------------------------------------------------------------------------------------------


# ---- Account deletion (issue 20): DELETE /me ------------------------------------------------------------------------
# Open while suspended or unconfirmed: deleting one's own account is a privacy right, never taking part.

EXAMPLE_PASSWORD = "correct horse battery staple"  # nosec B105  # an example in the documentation
EMAILED_DETAIL = N_("This account has no password, so we emailed a link that confirms the deletion (it works for "
                    "24 hours); nothing is scheduled until it is followed.")  # translated where answered


@bp.delete("/me")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def delete_me():
    """Schedule the caller's deletion: 202 with deletion_scheduled_at, when the account is then erased.

    Deletion is a privacy right, so it stays open while the account is suspended or unconfirmed.
    `password` confirms it (missing or wrong: 422 naming it, and a wrong one counts toward the
    account's sign-in limit, 429 past it). An account without a password gets a confirmation link by
    email instead (202, deletion_scheduled_at null, confirmation "email"). Scheduling revokes every
    token of the account, this one included, and ends every browser session but the one calling.
    """
    user = signed_in_user()
    data = optional_json_body()
    password = field(data, "password", str, required=False)
    remove_unanswered = field(data, "remove_unanswered", bool, required=False, default=False)
    try:
        due = deletion.start(user, password, remove_unanswered=remove_unanswered)
    except sign_in_guard.TooManyFailures as exc:
        return problem(exc.status, exc.title, exc.detail, Retry_After=str(exc.retry_after_s))
    if due is None:
        return {"deletion_scheduled_at": None, "confirmation": "email", "detail": _(EMAILED_DETAIL)}, 202
    return {"deletion_scheduled_at": timestamp(due), "confirmation": "password"}, 202


def _deletion_openapi_paths() -> dict[str, Any]:
    o = openapi
    body = o.obj({"password": {"type": "string", "description": "The account's password (not needed, and "
                                                                "ignored, for an account without one)"},
                  "remove_unanswered": {"type": "boolean", "default": False,
                                        "description": "Also remove the threads the caller started that nobody "
                                                       "else replied to"}})
    answer = o.obj({
        "deletion_scheduled_at": {**o.NULLABLE_TIME, "description": "When the account is erased unless its owner "
                                                                    "signs in (or calls POST /tokens) before; null "
                                                                    "while an emailed link waits"},
        "confirmation": {"enum": ["password", "email"]},
        "detail": o.STRING,
    }, ["deletion_scheduled_at", "confirmation"])
    delete = o.operation(
        f"Delete the caller's account after {deletion.GRACE.days} days: every token (this one too) is revoked and "
        "every other session ends now; signing in before the date cancels it. Then the account is anonymised: "
        "posts stay under a placeholder name (or, with remove_unanswered, threads nobody else replied to go) and "
        "a user.deleted webhook fires. Staff and service accounts are refused (403). Allowed while suspended.",
        (202, "Scheduled, or a confirmation link emailed (accounts without a password)", answer),
        (*o.WRITE_ERRORS, 429), body=body, body_required=False,
        example={"password": EXAMPLE_PASSWORD, "remove_unanswered": False})
    return {"/me": {"delete": delete}}


@bp.record_once
def _document_deletion(state: BlueprintSetupState) -> None:
    """Add DELETE /me to the served OpenAPI document (beside GET and PATCH /me, documented with the forum's paths)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_deletion_openapi_paths())


# ---- end of account deletion ----------------------------------------------------------------------------------------
