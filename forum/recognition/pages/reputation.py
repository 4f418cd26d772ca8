"""Reputation pages: a member's ledger, the privileges explained, and staff choosing advocates."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum import accounts
from forum.core.i18n import _, _l
from forum.core.pagination import clamp_limit
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.models import Correction, LedgerReason, ReputationEvent, User
from forum.recognition import advocates, bounties, privileges, reputation
from forum.services.permissions import is_staff
from forum.web.forms import AdvocateForm

bp = Blueprint("reputation", __name__)
LEDGER_PAGE = 30
CANDIDATES_SHOWN = 30

REASON_WORDS = {
    LedgerReason.REPLY_VOTED: _l("Helpful vote on a reply"),
    LedgerReason.QUESTION_VOTED: _l("Helpful vote on a question"),
    LedgerReason.REPLY_ACCEPTED: _l("Reply accepted as the solution"),
    LedgerReason.ACCEPTED_SOLUTION: _l("Accepted someone's reply as the solution"),
    LedgerReason.RESCUE: _l("Rescue bonus: solved a question that had waited long for its first reply"),
    LedgerReason.BOUNTY: _l("Bounty: solved a question nearing its response target"),
    LedgerReason.DEFLECTION: _l("Solved a question while it waited for the support team"),
    LedgerReason.MISSION: _l("Mission completed"),
    LedgerReason.ARTICLE_PUBLISHED: _l("Proposed article published in the knowledge base"),
    LedgerReason.IDEA_SHIPPED: _l("Posted an idea that shipped"),
    LedgerReason.IMPORTED_SCORE: _l("Upvotes on a post imported from another site"),
}
CORRECTION_WORDS = {
    Correction.WITHDRAWN: _l("the vote was withdrawn"),
    Correction.UNACCEPTED: _l("it is no longer the solution"),
    Correction.REMOVED: _l("the post was removed"),
    Correction.SERIAL_VOTING: _l("serial voting was found"),
    Correction.RESTORED: _l("the post was restored"),
}
# Corrections that read differently for one reason: an article is withdrawn, not a vote.
REASON_CORRECTION_WORDS = {
    (LedgerReason.ARTICLE_PUBLISHED, Correction.WITHDRAWN): _l("the article was withdrawn"),
    (LedgerReason.IDEA_SHIPPED, Correction.WITHDRAWN): _l("the idea is no longer shipped"),
}


@bp.app_template_filter("ledger_words")
def ledger_words(row: ReputationEvent) -> str:
    """A ledger row in words: the reason, and for corrections what happened."""
    words = str(REASON_WORDS.get(row.reason, row.reason.replace("_", " ").capitalize()))
    why = REASON_CORRECTION_WORDS.get((row.reason, row.correction), CORRECTION_WORDS.get(row.correction)) \
        if row.correction else None
    if row.reverses_id is not None:
        reason = words[:1].lower() + words[1:]  # "Reversed: helpful vote on a reply"
        return _("Reversed: %(reason)s (%(why)s)", reason=reason, why=why) if why else \
            _("Reversed: %(reason)s", reason=reason)
    return _("%(reason)s (%(why)s)", reason=words, why=why) if why else words


@bp.app_template_global("has_open_bounty")
def has_open_bounty(thread) -> bool:
    """For thread lists and pages (a global, so imported macros see it too)."""
    return bounties.has_open_bounty(thread)


@bp.app_template_global("bounty_points")
def bounty_points() -> int:
    return bounties.bounty_points()


@bp.get("/u/<username>/reputation")
def ledger(username: str):
    """Public, like the total: every row, newest first; posts are linked when the viewer may see them."""
    user = accounts.get_user_by_username(username)
    cursor = request.args.get("cursor") or None
    page = reputation.list_ledger(user, clamp_limit(request.args.get("limit"), LEDGER_PAGE), cursor)
    posts = reputation.ledger_posts(acting_user(), page.items)
    return render_template("reputation/ledger.html", user=user, page=page, posts=posts, cursor=cursor)


@bp.get("/privileges")
def privilege_list():
    """What each privilege allows and needs; signed-in members also see how far they are."""
    viewer = acting_user()
    return render_template("reputation/privileges.html", standings=privileges.standings(viewer),
                           staff=is_staff(viewer))


@bp.get("/staff/advocates")
@login_required
def candidates():
    listing = advocates.top_contributor_candidates(acting_user(), limit=CANDIDATES_SHOWN)
    return render_template("reputation/candidates.html", candidates=listing, form=AdvocateForm(),
                           period_days=advocates.CANDIDATE_PERIOD.days)


def _back(user: User):
    """Back to the candidates list when the button was there, else to the member's profile."""
    if request.form.get("back") == "candidates":
        return redirect(url_for("reputation.candidates"))
    return redirect(url_for("users.show", username=user.username))


def _reason() -> str:
    form = AdvocateForm()
    form.validate()
    return (form.reason.data or "").strip()[:500]


@bp.post("/u/<username>/advocate")
@login_required
def make_advocate(username: str):
    user = accounts.get_user_by_username(username)
    report(advocates.make_advocate(acting_user(), user, _reason()), _("%(name)s is now an advocate.", name=user.name),
           _("%(name)s already is an advocate.", name=user.name))
    return _back(user)


@bp.post("/u/<username>/advocate/revoke")
@login_required
def revoke_advocate(username: str):
    user = accounts.get_user_by_username(username)
    report(advocates.revoke_advocate(acting_user(), user, _reason()), _("%(name)s is a member again.", name=user.name),
           _("%(name)s is not an advocate.", name=user.name))
    return _back(user)


@bp.post("/u/<username>/advocate/invite")
@login_required
def invite_advocate(username: str):
    user = accounts.get_user_by_username(username)
    advocates.invite_advocate(acting_user(), user)
    flash(_("%(name)s was invited to become an advocate.", name=user.name), "success")
    return _back(user)
