"""The dark theme in Chromium (issue 27): axe-core finds nothing on the main pages in dark, whether the page
forces it (<html data-theme="dark">) or follows a system that prefers it (data-theme="auto"), at desk-top
width and at 320 px, and the page really is dark (so a palette that never applies cannot pass). A light
choice wins over a dark system. style.css keeps every colour in its palette, so no colour misses the dark theme.

The light theme's axe checks are tests/browser/test_accessibility.py's (Playwright's default is a light system).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from forum.core import clock
from forum.core.extensions import db
from forum.models import Thread
from tests.browser import test_accessibility
from tests.browser.conftest import committed_data
from tests.browser.test_accessibility import RUN_AXE, build_site, visit_as
from tests.conftest import TEST_NOW

STYLE = Path(__file__).resolve().parents[2] / "forum" / "static" / "style.css"
CODE = "```python\nimport logging\n\ndef restart(router):\n    logging.warning(\"restarting %s\", router)\n```"

# The colour behind the content: the body's, or the root's when the body has none (as here). The WCAG
# relative luminance: 0 is black, 1 white.
BACKDROP = """() => {
  const channels = (element) => getComputedStyle(element).backgroundColor.match(/[\\d.]+/g).map(Number);
  let [r, g, b, a = 1] = channels(document.body);
  if (a === 0) { [r, g, b] = channels(document.documentElement); }
  const linear = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}"""
CODE_BACKGROUND = "() => getComputedStyle(document.querySelector('.post-body pre')).backgroundColor"
DESKTOP_ONLY: set[str] = set()  # pages checked at desk-top width only (none now: analytics' tables got keyboard stops)


@dataclass
class Site:
    people: test_accessibility.Site  # who signs in as the member and as staff
    thread_path: str
    pages: dict[str, dict[str, str]]  # role → name → path


@pytest.fixture(scope="module")
def site(app, live_server) -> Iterator[Site]:
    """test_accessibility's small demo community (its thread has replies and an accepted answer), plus a
    reply with a highlighted code block; built once, every test here only reads it."""
    with committed_data(app) as data:
        clock.freeze(TEST_NOW)
        built = build_site(data, threads=4, users=5)
        thread = db.session.get(Thread, int(built.thread_path.rsplit("/", 1)[1]))
        data.make_reply(thread, body=f"This script restarts it for me:\n\n{CODE}\n")
        data.run_jobs()
        pages = {
            "visitor": {"home": "/", "category": f"/c/{built.category_slug}", "thread": built.thread_path,
                        "search": "/search?q=router", "sign-in": "/auth/login", "profile": f"/u/{built.member_name}",
                        "not-found": "/no-such-page"},
            "member": {"thread": built.thread_path, "ask": "/ask"},
            "staff": {"admin-settings": "/admin/settings", "analytics": "/staff/analytics", "desk": "/desk"},
        }
        yield Site(people=built, thread_path=built.thread_path, pages=pages)


# How a page comes to be dark: the system's preference (Playwright emulates it) and <html data-theme>.
DARK = {"system": ("dark", "auto"), "forced": ("light", "dark")}


def themed(page, theme: str) -> None:
    page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)


@pytest.mark.parametrize("role", ["visitor", "member", "staff"])
def test_dark_pages_have_no_axe_violations_at_desktop_and_320_px(visitor, site, role):
    """Each page loads once and is checked in both ways to dark: data-theme="auto" (what base.html sends these
    people) on a system that prefers dark, then data-theme="dark" on one that prefers light; each at desk-top
    width and at 320 px, where axe finds nothing and the backdrop is dark."""
    person = visit_as(visitor, site.people, role)
    found, light = {}, {}
    for name, path in site.pages[role].items():
        page = person.open(path, status=404 if name == "not-found" else 200)
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") in (None, "auto"), path
        for how, (system, theme) in DARK.items():
            page.emulate_media(color_scheme=system)
            themed(page, theme)
            for width in (1280,) if name in DESKTOP_ONLY else (1280, 320):
                page.set_viewport_size({"width": width, "height": 900})
                where = f"{name} {path} {how} at {width}px"
                luminance = page.evaluate(BACKDROP)
                if luminance >= 0.2:
                    light[where] = round(luminance, 3)
                violations = page.evaluate(RUN_AXE)
                if violations:
                    found[where] = violations
        page.set_viewport_size({"width": 1280, "height": 900})
    assert light == {}
    assert found == {}
    person.assert_clean()


def test_a_light_choice_wins_over_a_dark_system_and_code_blocks_match_the_page(visitor, site):
    """code.css (generated by forum/services/markup/palette.py) reads a missing data-theme as "auto", and so
    does style.css: code blocks and the page never disagree."""
    person = visit_as(visitor, site.people, "visitor", color_scheme="dark")
    page = person.open(site.thread_path)
    for theme, dark in (("auto", True), ("light", False), (None, True), ("dark", True)):
        if theme is None:
            page.evaluate("document.documentElement.removeAttribute('data-theme')")
        else:
            themed(page, theme)
        assert (page.evaluate(BACKDROP) < 0.2) is dark, theme
        assert page.evaluate(CODE_BACKGROUND) == ("rgb(13, 17, 23)" if dark else "rgb(248, 248, 248)"), theme
    themed(page, "light")
    assert page.evaluate(RUN_AXE) == []
    person.assert_clean()


COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(")


def palette_blocks(css: str) -> tuple[str, str, str, str]:
    """style.css's light palette, its two dark copies (system, forced) and everything after them."""
    light = re.search(r"^:root \{\n(.*?)^\}\n", css, re.M | re.S)
    system = re.search(r'^  :root:not\(\[data-theme="light"\]\) \{\n(.*?)^  \}\n\}\n', css, re.M | re.S)
    forced = re.search(r'^:root\[data-theme="dark"\] \{\n(.*?)^\}\n', css, re.M | re.S)
    assert light and system and forced, "style.css's palette blocks moved: update palette_blocks()"
    return light[1], system[1], forced[1], css[forced.end():]


def declarations(block: str) -> dict[str, str]:
    return dict(re.findall(r"^\s*([\w-]+):\s*([^;]+);", block, re.M))


def test_every_colour_is_a_palette_name_with_a_dark_value():
    """A colour written straight into a rule would stay light in the dark theme (or the reverse)."""
    light, system, forced, rules = palette_blocks(STYLE.read_text())
    assert declarations(system) == declarations(forced)  # the two dark copies are one list
    named = {name for name, value in declarations(light).items() if COLOUR.search(value)}
    assert named and named <= set(declarations(forced))
    literals = [line for line in rules.splitlines() if COLOUR.search(re.sub(r"/\*.*?\*/", "", line))]
    assert literals == []
    used = set(re.findall(r"var\((--[\w-]+)\)", rules))
    assert used - set(declarations(light)) <= {"--page-width"}  # set per layout, not a colour
