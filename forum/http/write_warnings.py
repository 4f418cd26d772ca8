"""The API side of the write checks (forum.services.write_checks): warnings[] and "check_only" (api.md v1.1).

POST /threads, POST /threads/{id}/posts and PATCH /posts/{id} store as before and add warnings[]
to their answer. A client that sends "check_only": true asks first, as the pages do: nothing is
stored, and the answer is 409 problem+json listing the findings (so a client that ignores the
body still does not believe it posted), or 200 {warnings: []} when there is nothing to say.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from forum.core.i18n import N_, _
from forum.http.api_requests import field
from forum.http.problems import problem
from forum.services.write_checks import Findings

PERSONAL_DATA, SIMILAR_QUESTIONS = "personal_data", "similar_questions"
PERSONAL_DATA_DETAIL = N_("This looks like personal data, and everything posted here is public. Remove it, or send "
                          "it privately to the support team in a case for the question.")
SIMILAR_DETAIL = N_("These solved questions may already answer this one.")
CHECK_TITLE = N_("Review before posting")
KIND_NAMES = {PERSONAL_DATA: N_("personal data"), SIMILAR_QUESTIONS: N_("similar questions")}


def wants_check_only(data: dict[str, Any]) -> bool:
    """The request's "check_only" flag (422 unless true or false)."""
    return field(data, "check_only", bool, required=False, default=False)


def as_warnings(findings: Findings) -> list[dict[str, Any]]:
    """The findings as api.md's warnings: {type, detail, ...}; personal data shown masked, never repeated."""
    warnings: list[dict[str, Any]] = []
    if findings.personal_data:
        warnings.append({
            "type": PERSONAL_DATA, "detail": _(PERSONAL_DATA_DETAIL),
            "findings": [{"kind": f.kind.value, "label": f.label, "masked": f.masked} for f in findings.personal_data],
        })
    if findings.similar:
        warnings.append({
            "type": SIMILAR_QUESTIONS, "detail": _(SIMILAR_DETAIL),
            "threads": [{"id": s.id, "title": s.title, "url": s.path, "kind": s.kind} for s in findings.similar],
        })
    return warnings


def check_answer(findings: Findings) -> Response | tuple[dict[str, Any], int]:
    """The answer to a check_only request: 409 with the findings, or 200 {warnings: []}."""
    warnings = as_warnings(findings)
    if not warnings:
        return {"warnings": []}, 200
    names = [_(KIND_NAMES[w["type"]]) for w in warnings]
    kinds = names[0] if len(names) == 1 else _("%(first)s and %(second)s", first=names[0], second=names[1])
    return problem(409, CHECK_TITLE, _("Nothing was stored: the text has findings (%(kinds)s).", kinds=kinds),
                   extra={"warnings": warnings})


def with_warnings(payload: dict[str, Any], findings: Findings) -> dict[str, Any]:
    """A stored resource's JSON with warnings[] added (always present, [] when nothing was found)."""
    return {**payload, "warnings": as_warnings(findings)}
