"""/staff/members/<id>: the member 360 page — the whole relationship with one member, for staff only.

Anonymous visitors are sent to sign in; members and advocates get a 404 (Action.MEMBER_360_VIEW
is refused as absence), even for their own page: it shows staff notes such as flags and audit entries.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from forum.analytics import member_360
from forum.http.auth import acting_user

bp = Blueprint("member_360", __name__)


@bp.get("/staff/members/<id:user_id>")
@login_required
def show(user_id: int):
    """Action.MEMBER_360_VIEW is checked by the service, before the member is looked up."""
    return render_template("members/360.html", member=member_360.member_360(acting_user(), user_id))
