"""/api/v1/ideas (api.md v1.1): the ideas board for integrators: list and read ideas, post one, vote and
take a vote back, and (staff) move an idea along the roadmap or merge it into another.

Thin views over forum.ideas: who may do what is the permission layer's (forum.ideas.rules), the vote
budget is forum.ideas.voting's, status changes and merges are forum.ideas.status's. An idea the caller may
not read is a 404 before any permission is asked, so a refusal never reveals a hidden idea; permission is
checked before the body is read, so a caller who may not act learns nothing from validation messages.
The idea object is forum.http.serializers.idea (search answers with it too), described once as the
OpenAPI component "Idea" (forum.http.openapi.schemas).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.blueprints import BlueprintSetupState

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.core.pagination import clamp_limit
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import (
    category_filter,
    field,
    id_field,
    json_body,
    optional_json_body,
    page_params,
    signed_in_user,
    viewer,
)
from forum.ideas import listing, similar, status, voting
from forum.ideas.posting import NewIdea, post_idea
from forum.ideas.queries import IDEA_STATUSES, get_idea
from forum.models import Idea, IdeaStatus, User
from forum.services.permissions import Action, require

SIMILAR_LIMIT = 5


def _voted(caller: User | None, ideas: list[Idea]) -> set[int] | None:
    """The ids among ideas the signed-in caller voted for (one query); None for anonymous callers."""
    if caller is None:
        return None
    return voting.voted_idea_ids(caller, [idea.thread_id for idea in ideas])


def _items(caller: User | None, ideas: list[Idea], questions: dict | None = None) -> list[dict[str, Any]]:
    questions = questions if questions is not None else listing.question_posts(ideas)
    voted = _voted(caller, ideas)
    return [serializers.idea(idea, questions.get(idea.thread_id),
                             None if voted is None else idea.thread_id in voted) for idea in ideas]


def _one(caller: User | None, idea: Idea) -> dict[str, Any]:
    return _items(caller, [idea])[0]


# --- reading ---------------------------------------------------------------------------------------------------


@bp.get("/ideas")
def list_ideas():
    """Most voted first (or newest with sort=latest); every status but duplicate unless ?status= names one."""
    caller = viewer()
    limit, cursor = page_params()
    args = request.args
    found = listing.idea_page(caller, status=args.get("status") or None, sort=args.get("sort") or "votes",
                              category_id=category_filter(args.get("category")), tag=args.get("tag") or None,
                              limit=limit, cursor=cursor)
    return {"items": _items(caller, found.items, found.questions), "next_cursor": found.next_cursor}


@bp.get("/ideas/similar")
def similar_ideas():
    """Ideas like a draft title, while a member types one: better a vote on it than a second copy."""
    caller = viewer()
    limit = clamp_limit(request.args.get("limit"), SIMILAR_LIMIT)
    found = similar.similar_ideas(caller, request.args.get("title") or "", min(limit, similar.MAX_LIMIT))
    return {"items": _items(caller, found)}


@bp.get("/ideas/<id:idea_id>")
def show_idea(idea_id: int):
    caller = viewer()
    return _one(caller, get_idea(caller, idea_id))


# --- writing ---------------------------------------------------------------------------------------------------


@bp.post("/ideas")
def create_idea():
    """Post an idea (status new) in an ideas category; it fires no thread.created (integrators hear of ideas
    through idea.status_changed)."""
    user = signed_in_user()
    require(user, Action.IDEA_CREATE)
    data = json_body()
    idea = post_idea(user, NewIdea(
        category_id=id_field(data, "category_id"),
        title=field(data, "title", str),
        body=field(data, "body", str),
        tags=field(data, "tags", list, required=False, default=[]),
    ))
    return _one(user, idea), 201, {"Location": f"/api/v1/ideas/{idea.thread_id}"}


def _status_fields(idea: Idea, data: dict) -> tuple[str, str | None, int | None]:
    """PATCH's status (the idea's own when left out: a note-only edit), status_note and duplicate_of."""
    new_status = field(data, "status", str, required=False, default=idea.status)
    if new_status not in IDEA_STATUSES:
        raise Invalid({"status": [_("Status is one of: %(statuses)s.", statuses=", ".join(IDEA_STATUSES))]})
    note = field(data, "status_note", str, required=False)
    duplicate_of = id_field(data, "duplicate_of", required=False)
    if duplicate_of is None and new_status == idea.status == IdeaStatus.DUPLICATE.value:
        duplicate_of = idea.duplicate_of_id  # a note on a duplicate: refused as any change to it is (409)
    return new_status, note, duplicate_of


@bp.patch("/ideas/<id:idea_id>")
def update_idea(idea_id: int):
    """Staff set the status with a public note; duplicate with duplicate_of merges the idea into that one
    (its votes move without counting anyone twice). Voters and watchers are told of a new status."""
    user = signed_in_user()
    idea = get_idea(user, idea_id)
    require(user, Action.IDEA_MANAGE, idea)
    new_status, note, duplicate_of = _status_fields(idea, json_body())
    if new_status == idea.status and note is None and duplicate_of in (None, idea.duplicate_of_id):
        return _one(user, idea)  # nothing asked (a client sending the object back): nothing changes
    idea = status.change_status(user, idea, new_status, note or "", duplicate_of)
    return _one(user, idea)


def _tally(answer: voting.Tally) -> dict[str, int]:
    return {"vote_count": answer.vote_count, "votes_left": answer.votes_left}


@bp.post("/ideas/<id:idea_id>/votes")
def vote_idea(idea_id: int):
    """Spend one of the caller's votes on the idea; voting again spends nothing and answers the same."""
    user = signed_in_user()
    idea = get_idea(user, idea_id)
    optional_json_body()  # it takes no fields: an empty object or no body at all
    return _tally(voting.vote(user, idea))


@bp.delete("/ideas/<id:idea_id>/votes")
def withdraw_idea_vote(idea_id: int):
    """Take the caller's vote back (it returns to their budget); 409 once the idea closed and gave it back."""
    user = signed_in_user()
    return _tally(voting.withdraw(user, get_idea(user, idea_id)))


# --- the OpenAPI description -----------------------------------------------------------------------------------


def _reading_paths(idea: openapi.Schema, idea_id: openapi.Schema) -> tuple[dict, dict, dict]:
    o = openapi
    page = o.obj({"items": {"type": "array", "items": idea}, "next_cursor": {"type": ["string", "null"]}},
                 ["items", "next_cursor"])
    filters = [
        o.query("status", "Only ideas with this status. Every status but duplicate when left out.",
                {"enum": list(IDEA_STATUSES)}),
        o.query("sort", "votes: most voted first (the default); latest: newest first.",
                {"enum": list(listing.SORTS), "default": "votes"}),
        o.query("category", "Only this ideas category (its id or slug).", o.STRING),
        o.query("tag", "Only ideas with this tag.", o.STRING),
    ]
    listing_op = o.operation("Ideas the caller may see, most voted first", (200, "A page of ideas", page), (422,),
                             params=[*filters, *o.PAGE_PARAMS], public=True)
    similar_op = o.operation(
        "Ideas like a draft title (not duplicates), best first, for the new-idea form: vote instead of posting "
        "the same idea again. Empty for titles under 8 characters.", (200, "Similar ideas",
                                                                     o.obj({"items": {"type": "array", "items": idea}},
                                                                           ["items"])),
        (422,), params=[o.query("title", "The draft title.", o.STRING),
                        o.query("limit", "At most this many (up to 10).",
                                {"type": "integer", "minimum": 1, "maximum": 100, "default": SIMILAR_LIMIT})],
        public=True)
    show = o.operation("One idea; voted tells a signed-in caller whether they voted for it. 404 for a thread that "
                       "is not an idea, or an idea the caller cannot see.", (200, "The idea", idea), (404,),
                       params=[idea_id], public=True)
    return {"get": listing_op}, {"get": similar_op}, {"get": show}


def _writing_operations(idea: openapi.Schema, idea_id: openapi.Schema) -> tuple[dict, dict, dict, dict]:
    o = openapi
    tally = o.obj({"vote_count": o.INTEGER, "votes_left": {**o.INTEGER, "description": "The caller's votes left."}},
                  ["vote_count", "votes_left"])
    create = o.operation(
        "Post an idea (status new) in an ideas category (422 on category_id for any other). Signed in and not "
        "suspended.", (201, "The idea (Location: its address)", idea), (*o.WRITE_ERRORS, 429),
        body=o.obj({"title": {**o.STRING, "minLength": 8, "maxLength": 200}, "body": {**o.STRING,
                    "description": "Markdown"}, "tags": o.TAGS, "category_id": {"type": "integer", "minimum": 1}},
                   ["title", "body", "category_id"]),
        example={"title": "Export invoices as CSV", "body": "For my accounting tool.", "tags": ["billing"],
                 "category_id": 1})
    change = o.operation(
        "Staff: set the status with a public note (voters and watchers are told; a note-only edit tells nobody). "
        "duplicate with duplicate_of merges the idea into that one: votes move without counting anyone twice. "
        "Shipped, declined and duplicate give open votes back. 409 when the idea is a duplicate (final) or the "
        "move is not allowed (back to new).", (200, "The idea", idea), (*o.WRITE_ERRORS, 404, 409),
        body=o.obj({"status": {"enum": list(IDEA_STATUSES)}, "status_note": o.STRING,
                    "duplicate_of": {"type": "integer", "minimum": 1,
                                     "description": "The idea this one duplicates (with status duplicate)."}}),
        params=[idea_id], example={"status": "planned", "status_note": "Coming in the spring release."})
    vote = o.operation(
        "Vote for an idea (signed in, active, not its author): spends one of the caller's votes; voting again "
        "changes nothing. 409 no-votes-left when the budget is spent, idea-closed when it shipped, was declined "
        "or is a duplicate.", (200, "The idea's votes and the caller's votes left", tally),
        (*o.WRITE_ERRORS, 404, 409, 429), body=o.obj({}), body_required=False, params=[idea_id])
    withdraw = o.operation(
        "Take the caller's vote back: it returns to their budget (nothing changes when they had not voted). "
        "409 idea-closed: the idea closed and gave the vote back already.",
        (200, "The idea's votes and the caller's votes left", tally), (*o.ACTION_ERRORS, 409, 429),
        params=[idea_id])
    return create, change, vote, withdraw


def _openapi_paths() -> dict[str, Any]:
    idea = openapi.ref("Idea")
    idea_id = openapi.path_id("idea_id", "idea")
    listing_op, similar_op, show = _reading_paths(idea, idea_id)
    create, change, vote, withdraw = _writing_operations(idea, idea_id)
    return {
        "/ideas": {**listing_op, "post": create},
        "/ideas/similar": similar_op,
        "/ideas/{idea_id}": {**show, "patch": change},
        "/ideas/{idea_id}/votes": {"post": vote, "delete": withdraw},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
