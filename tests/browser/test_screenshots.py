"""make screenshots: every kind of person's main pages, desktop and phone, into docs/screenshots/.

The pages are test_accessibility's, in a fuller demo community (it takes longer to seed, so it is built only
here, and only when HORSESHOE_SCREENSHOTS=1 asks for the pictures).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from forum.core import clock
from tests.browser.conftest import ROOT, committed_data
from tests.browser.test_accessibility import Site, build_site, visit_as
from tests.conftest import TEST_NOW

SCREENSHOTS = ROOT / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(os.environ.get("HORSESHOE_SCREENSHOTS") != "1",
                                reason="make screenshots refreshes them")


@pytest.fixture(scope="module")
def showcase(app, live_server) -> Iterator[Site]:
    """The same story in a fuller demo community, for make screenshots only (it takes longer to seed)."""
    with committed_data(app) as data:
        clock.freeze(TEST_NOW)  # module fixtures come before each test's frozen clock: seed at the same moment
        yield build_site(data, threads=60, users=24)



# Each kind of person's main pages (make screenshots): docs/screenshots/<role>-<page>-<device>.png.
SHOTS = {"visitor": ["home", "category", "thread", "search", "search-empty", "scorecard", "sign-in", "badges",
                     "leaderboard"],
         "member": ["thread", "ask", "profile", "notifications", "messages", "case", "settings"],
         "advocate": ["home", "own-profile", "missions"],
         "moderator": ["review-queue", "thread", "audit-log"],
         "agent": ["desk", "desk-case", "needs-staff", "incidents", "incident"],
         "admin": ["analytics", "admin-settings", "admin-users", "audit-log"]}
ROLE_PAGES = {"badges": "/badges", "leaderboard": "/leaderboard", "messages": "/messages",
              "own-profile": "/u/leo", "needs-staff": "/moderation/needs-staff", "admin-users": "/admin/users"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The same pages in German and the dark theme (issue 27): <role>-<page>-<device>-de-dark.png.
GERMAN_DARK = {"visitor": ["home", "thread", "search", "sign-in"], "member": ["thread", "ask", "settings"],
               "agent": ["desk"], "admin": ["admin-settings"]}
GERMAN_DARK_BROWSER = {"color_scheme": "dark", "locale": "de-DE", "extra_http_headers": {"Accept-Language": "de-DE,de"}}


def test_refresh_the_screenshots_of_the_main_pages(visitor, showcase):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    for shots, suffix, browser in ((SHOTS, "", {}), (GERMAN_DARK, "-de-dark", GERMAN_DARK_BROWSER)):
        for role, names in shots.items():
            kind = "visitor" if role == "visitor" else "member" if role in ("member", "advocate") else "staff"
            pages = showcase.pages(kind)
            for device, (width, height) in WIDTHS.items():
                person = visit_as(visitor, showcase, role, width=width, height=height, **browser)
                for name in names:
                    page = person.open(pages.get(name) or ROLE_PAGES[name])
                    assert page.title() and "Not found" not in page.title(), f"{role} {name}: {page.title()}"
                    page.screenshot(path=SCREENSHOTS / f"{role}-{name}-{device}{suffix}.png", full_page=True,
                                    animations="disabled")
    expected = 2 * (sum(map(len, SHOTS.values())) + sum(map(len, GERMAN_DARK.values())))
    assert len(list(SCREENSHOTS.glob("*.png"))) == expected
