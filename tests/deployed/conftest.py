"""Deployed-shape tests: Horseshoe as `make run` starts it, driven over real HTTP.

What runs
    `flask --app wsgi db upgrade`, then `flask --app wsgi worker` as a process of its own and
    `gunicorn --workers 2 --bind 127.0.0.1:<free port> --access-logfile - wsgi:app`, all from the
    repository root with a fresh HORSESHOE_DATA_DIR under the run's temp directory (search index,
    rate-limit counters and the generated secret key live there, as in production). No testing
    switches: real password hashing, the deployed rate limits, the real clock (`real_clock`).
    Mail goes to a real SMTP sink (tests/support/smtp.py), webhooks to a real HTTP receiver
    (tests/support/receiver.py). `make run`'s demo seed is left out: the tests build what they need.

Which database
    The run's own: without HORSESHOE_TEST_DATABASE_URL, the SQLite file `make run` uses inside the
    data directory; with it, a new database `horseshoe_test_deployed_<pid>` on that PostgreSQL
    server (never the xdist workers' schemas), dropped at the end. So `make test` runs these tests
    once on each database, inside its usual `pytest -n 2` runs.

How they are scheduled
    The site is started once per test process (session fixture) and always stopped, process group
    by process group, even when a test or the start fails. Under `-n 2` xdist hands out tests in
    runs of neighbours, so in a whole-suite run these few usually land on one worker and share one site; a
    small run may split them, and then each worker starts a site of its own (slower, still
    correct). `--dist loadgroup` would pin them together, but with pytest 9.2 it silently stops
    grouping (pytest-dev/pytest-xdist#1386). Each test builds its own accounts and threads, so any
    one of them runs alone (`pytest tests/deployed -k search`); `-m "not deployed"` leaves them out.

Accounts
    Staff come from `flask users create`, as an operator makes the first ones, after the operator
    turned staff two-factor sign-in off with `flask --app wsgi settings set accounts.staff_require_2fa
    false`, and raised the per-address sign-up and sign-in limits (`limits.sign_ups_per_hour`,
    `limits.sign_in_per_minute`: every member signs up and in from 127.0.0.1). Members sign up on the
    web (at least one journey) or through `POST /api/v1/users`, one budget for both, and confirm their
    address from the link the worker mails to the SMTP sink (until then an account only reads). The web sign-up
    takes a few seconds over the form, as the deployed minimum time to fill it asks.

Logs
    Each process writes to a log file in the site's temp directory. After every test, what was
    logged during it must hold no traceback, no failed job and no 5xx in the access log; whatever
    is logged while the site stops is checked when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.deployed.browser import INBOXES, Api, Inbox, Visitor
from tests.deployed.site import ADMIN, AGENT, STAFF_PASSWORD, Site, new_site
from tests.support.receiver import Receiver, running_receiver
from tests.support.smtp import SmtpSink


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink("127.0.0.1", free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture(scope="session")
def site(tmp_path_factory, smtp: SmtpSink) -> Iterator[Site]:
    """The running site with an admin and an agent; stopped (and its PostgreSQL database dropped) at the end."""
    running = new_site(tmp_path_factory.mktemp("deployed"), smtp.port)
    INBOXES[running.base_url] = Inbox(smtp)
    try:
        running.start()
        running.create_users((ADMIN, "admin"), (AGENT, "agent"))
        yield running
    finally:
        running.stop()
        INBOXES.pop(running.base_url, None)
    problems = running.new_log_problems()
    assert not problems, "logged while the site stopped:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def logs_stay_clean(site: Site) -> Iterator[None]:
    """After each test: every process still runs, and nothing it logged meanwhile is a failure."""
    yield
    site.assert_processes_running()
    problems = site.new_log_problems()
    assert not problems, f"the site's logs (in {site.workdir}) hold failures:\n" + "\n".join(problems[:12])


@pytest.fixture(scope="session")
def admin(site: Site) -> Visitor:
    visitor = Visitor(site.base_url)
    visitor.sign_in(ADMIN, STAFF_PASSWORD)
    return visitor


@pytest.fixture(scope="session")
def agent(site: Site) -> Visitor:
    visitor = Visitor(site.base_url)
    visitor.sign_in(AGENT, STAFF_PASSWORD)
    return visitor


@pytest.fixture(scope="session")
def agent_api(site: Site) -> Api:
    """The agent's API client, signed in once for the session: POST /api/v1/tokens is limited to 10 a minute
    per address as deployed, and every test here comes from the same address."""
    return Api(site.base_url).sign_in(AGENT, STAFF_PASSWORD)


@pytest.fixture(scope="session")
def category_id(site: Site, admin: Visitor) -> int:
    """A category the admin creates on /admin/categories (a fresh site has none)."""
    page = admin.press("/admin/categories", "/admin/categories", name="Billing", slug="billing",
                       description="Invoices, payments and plans.", position="0")
    assert "Category “Billing” is created." in page
    listed = Api(site.base_url).call("GET", "/categories").json()["items"]
    return next(category["id"] for category in listed if category["slug"] == "billing")
