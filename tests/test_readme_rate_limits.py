"""The README's rate-limit table is the one the limiter enforces (forum.http.ratelimits), defaults included.

The table is generated here from the budgets every endpoint spends and the settings' defaults, and must
appear in README.md word for word: a limit added, moved or renumbered without the README fails this test.
To refresh the README after such a change, paste the table printed by `python -m tests.test_readme_rate_limits`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response

from forum.core import posting_rules
from forum.http import ratelimits
from forum.http.ratelimits import Budget

README = Path(__file__).resolve().parents[1] / "README.md"
COUNTED: dict[Callable[[Response], bool] | None, str] = {
    None: "every attempt",
    ratelimits.created: "what is posted",
    ratelimits.succeeded: "successful requests",
    ratelimits.refused_credentials: "refused calls",
}
HEADER = ("| Budget | Limit (default) | Setting | Counts | Web pages and API endpoints spending it |\n"
          "|---|---|---|---|---|\n")


def _with_settings_read(rule: Callable[[posting_rules.Reader], str]) -> tuple[str, list[str]]:
    """The rule under the default settings, and the settings it reads."""
    read: list[str] = []

    def reader(key: str):
        read.append(key)
        return posting_rules.defaults(key)

    return rule(reader), read


def _limit_and_settings(budget: Budget) -> tuple[str, list[str]]:
    if not callable(budget.rule):
        return budget.rule, []
    text, keys = _with_settings_read(budget.rule)
    if budget.new_account_rule is not None:
        new_text, new_keys = _with_settings_read(budget.new_account_rule)
        hours = posting_rules.defaults(posting_rules.NEW_ACCOUNT_HOURS)
        text = f"{text}; {new_text} in an account's first {hours} hours (staff exempt)"
        keys += [*new_keys, posting_rules.NEW_ACCOUNT_HOURS]
    return text, keys


def rate_limit_table(app: Flask) -> str:
    """One row per budget, in the order the limiter's tables name them, with the endpoints that spend it."""
    endpoints: dict[Budget, list[str]] = {}
    budgets = [*ratelimits.RULES.values(), *ratelimits.BLUEPRINT_RULES.values()]
    for budget in budgets:
        endpoints.setdefault(budget, [])
    for rule in app.url_map.iter_rules():
        budget = ratelimits.budget_of(rule.endpoint)
        if budget is not None and rule.methods & set(ratelimits.LIMITED_METHODS):
            endpoints[budget].append(rule.endpoint)
    rows = []
    for budget, names in endpoints.items():
        limit, keys = _limit_and_settings(budget)
        settings = ", ".join(f"`{key}`" for key in keys) or "fixed"
        spent_by = ", ".join(f"`{name}`" for name in sorted(set(names)))
        rows.append(f"| `{budget.name}` | {limit} | {settings} | {COUNTED[budget.counts]} | {spent_by} |\n")
    return HEADER + "".join(rows)


def test_readme_rate_limit_table_matches_what_is_enforced(app: Flask):
    table = rate_limit_table(app)
    assert table in README.read_text(encoding="utf-8"), f"README.md lacks this table:\n{table}"


if __name__ == "__main__":
    import tempfile

    from forum import create_app
    from forum.core.settings import Settings

    print(rate_limit_table(create_app(Settings(data_dir=tempfile.mkdtemp(), secret_key="x", testing=True))), end="")
