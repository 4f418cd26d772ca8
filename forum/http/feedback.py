"""What a page says after a button: what it did, or plainly that nothing changed.

Services report whether they changed anything; a page that flashed "done" either way would
tell a member their click did something when it did not (a vote never cast "withdrawn", a post
"hidden" that already was). Refusals are DomainErrors, shown with their reason and status.
"""

from __future__ import annotations

from flask import flash

from forum.core.i18n import _


def report(changed: bool, done: str, unchanged: str) -> None:
    """Flash done when the action changed something; otherwise say nothing changed, and why (unchanged)."""
    if changed:
        flash(done, "success")
    else:
        nothing_changed(unchanged)


def nothing_changed(why: str) -> None:
    flash(_("Nothing changed: %(why)s", why=why), "info")
