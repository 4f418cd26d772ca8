"""How fast a member may write (domain.md), in one place for every way in: the web and API limits
(forum.http.ratelimits) and mail (forum.mail.replies.posting_limit) read these, so they cannot drift.

The numbers are community settings (limits.*, registered here: admins change them on the settings page
or the API, and the next request obeys). The ground floor may not read the database's settings itself,
so each rule takes the reader its caller uses (forum.services.community_settings.cached_setting) and
answers a Flask-Limiter rule such as "1 per 10 seconds".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from forum.core import clock, setting_registry
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec

Reader = Callable[[str], Any]

SIGN_IN_PER_MINUTE = "limits.sign_in_per_minute"
NEW_ACCOUNT_HOURS = "limits.new_account_hours"
NEW_ACCOUNT_THREADS_PER_DAY = "limits.new_account_threads_per_day"
THREADS_PER_DAY = "limits.threads_per_day"
REPLY_INTERVAL_SECONDS = "limits.reply_interval_seconds"
VOTES_PER_DAY = "limits.votes_per_day"
FLAGS_PER_DAY = "limits.flags_per_day"
SIGN_UPS_PER_HOUR = "limits.sign_ups_per_hour"
_PER_DAY = N_("per day")

SETTINGS = (
    SettingSpec(SIGN_IN_PER_MINUTE, int, 10,
                N_("Sign-in attempts per minute from one address: the web form, API tokens and single sign-on "
                   "together (staff included)."), 1, 1000,
                label=N_("Sign-in attempts"), unit=N_("per minute")),
    SettingSpec(SIGN_UPS_PER_HOUR, int, 5,
                N_("New accounts per hour from one address, on the web and the API together."), 1, 10000,
                label=N_("Sign-ups from one address"), unit=N_("per hour"),
                help=N_("Raise it when many people sign up from behind one address (an office or a campus).")),
    SettingSpec(NEW_ACCOUNT_HOURS, int, 24,
                N_("Hours an account counts as new and starts threads at the new-account rate (staff exempt)."),
                0, 24 * 90, label=N_("Accounts count as new for"), unit=N_("hours"),
                help=N_("0: no new-account rate, everyone starts threads at the usual rate.")),
    SettingSpec(NEW_ACCOUNT_THREADS_PER_DAY, int, 3,
                N_("New threads a new account may start per day, on the web and the API together."), 1, 100000,
                label=N_("New threads from a new account"), unit=_PER_DAY),
    SettingSpec(THREADS_PER_DAY, int, 20,
                N_("New threads a member may start per day, on the web and the API together (articles proposed "
                   "and conversations started count the same, each on its own)."), 1, 100000,
                label=N_("New threads per member"), unit=_PER_DAY),
    SettingSpec(REPLY_INTERVAL_SECONDS, int, 10,
                N_("Seconds a member waits after a reply before the next one, whichever way they write (web, "
                   "API or email); private messages keep the same pace."), 1, 86400,
                label=N_("Time between replies"), unit=N_("seconds")),
    SettingSpec(VOTES_PER_DAY, int, 100,
                N_("Helpful votes a member may give per day, on the web and the API together (answers to whether "
                   "an article helped count the same, on their own)."), 1, 100000,
                label=N_("Helpful votes per member"), unit=_PER_DAY),
    SettingSpec(FLAGS_PER_DAY, int, 20,
                N_("Flags a member may raise per day, on posts and private messages, web and API together."),
                1, 100000, label=N_("Flags per member"), unit=_PER_DAY),
)
setting_registry.register(*SETTINGS)


def defaults(key: str) -> Any:
    """A reader of the registered defaults: what the rules are before an admin changes them (the README's table)."""
    return setting_registry.REGISTRY[key].default


def sign_in_rule(setting: Reader) -> str:
    return f"{setting(SIGN_IN_PER_MINUTE)} per minute"


def sign_up_rule(setting: Reader) -> str:
    return f"{setting(SIGN_UPS_PER_HOUR)} per hour"


def reply_rule(setting: Reader) -> str:
    return f"1 per {setting(REPLY_INTERVAL_SECONDS)} seconds"


def vote_rule(setting: Reader) -> str:
    return f"{setting(VOTES_PER_DAY)} per day"


def flag_rule(setting: Reader) -> str:
    return f"{setting(FLAGS_PER_DAY)} per day"


def thread_rule(setting: Reader) -> str:
    return f"{setting(THREADS_PER_DAY)} per day"


def new_account_thread_rule(setting: Reader) -> str:
    return f"{setting(NEW_ACCOUNT_THREADS_PER_DAY)} per day"


def is_new_account(setting: Reader, created_at: datetime | None, is_staff: bool) -> bool:
    """Within its first hours (a day unless changed), unless its owner is staff: staff start work at once."""
    if is_staff or created_at is None:
        return False
    return clock.now() - created_at < timedelta(hours=setting(NEW_ACCOUNT_HOURS))


def new_thread_rule(setting: Reader, created_at: datetime | None, is_staff: bool) -> str:
    """3 new threads a day in an account's first day (staff exempt), 20 a day after."""
    if is_new_account(setting, created_at, is_staff):
        return new_account_thread_rule(setting)
    return thread_rule(setting)
