"""Admin branding without code (issue 27 item 3): the community's name, logo and accent colour on every page.

The accent must stay readable (white text on it at 4.5:1), reaches pages through /branding.css (the CSP
forbids inline styles), and gets a lighter shade of the same hue in the dark theme.
"""

from __future__ import annotations

import io
import re

import pytest

from forum.appearance import branding
from forum.core.extensions import db
from forum.models import AuditEntry, Upload
from forum.services import community_settings
from tests.uploads.conftest import image_bytes
from tests.web.helpers import text


def stored() -> branding.Branding:
    """The branding as stored now (not this test's session's cached read of the settings)."""
    community_settings.forget_cached()
    return branding.current()


def _token(client, path: str = "/admin/branding") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def admin_client(make, login_as):
    return login_as(make.make_user(role="admin", username="ada"))


def test_only_admins_reach_the_branding_page(client, make, login_as):
    assert client.get("/admin/branding").status_code in (302, 401)
    login_as(make.make_user(role="moderator"))
    assert client.get("/admin/branding").status_code == 403
    assert client.post("/admin/branding", data={"site_name": "Mine", "accent": "#000000"}).status_code == 403


def test_an_admin_renames_the_community_and_every_page_says_so(admin_client, app, make):
    make.make_thread(title="My router reboots at night")
    response = admin_client.post("/admin/branding", data={"site_name": "Acme Help", "accent": "#1f5fbf"})
    assert response.status_code == 302
    visitor = app.test_client().get("/")
    assert "<title>" in visitor.get_data(as_text=True)
    assert "Acme Help community</title>" in visitor.get_data(as_text=True)
    assert 'class="brand"' in visitor.get_data(as_text=True) and "Acme Help" in text(visitor)
    assert db.session.query(AuditEntry).filter_by(action="settings.update").count() == 1


def test_a_dark_accent_is_served_with_a_lighter_shade_for_the_dark_theme(admin_client, app):
    assert admin_client.post("/admin/branding", data={"site_name": "Acme", "accent": "#7A1F5C"}).status_code == 302
    page = app.test_client().get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="(/branding\.css\?v=[0-9a-f]+)">', page).group(1)
    css = app.test_client().get(href)
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "immutable" in css.headers["Cache-Control"]
    body = css.get_data(as_text=True)
    assert "--brand: #7a1f5c;" in body
    dark = re.search(r':root\[data-theme="dark"\] \{\s*--brand: (#[0-9a-f]{6});', body).group(1)
    assert branding.contrast(dark, branding.DARK_PAPER) >= 4.5 and dark != "#7a1f5c"


def test_the_default_accent_costs_no_extra_request(client):
    assert "/branding.css" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("accent, says", [("#ffd700", "too light"), ("gold", "six hexadecimal digits")])
def test_an_unreadable_or_malformed_accent_is_refused_beside_the_field_and_nothing_changes(admin_client, accent, says):
    response = admin_client.post("/admin/branding", data={"site_name": "Acme", "accent": accent})
    assert response.status_code == 422 and says in text(response)
    assert stored() == branding.Branding()


def test_the_settings_api_refuses_a_light_accent_with_the_field(api_client, make):
    client = api_client(make.make_user(role="admin"))
    response = client.patch("/api/v1/settings", json={"branding.accent_colour": "#eeeeee"})
    assert response.status_code == 422
    assert "branding.accent_colour" in response.json["errors"]


def test_a_logo_upload_shows_in_the_header_and_survives_the_orphan_sweep(admin_client, app, clock_at, run_jobs):
    logo = (io.BytesIO(image_bytes(size=(240, 60))), "logo.png", "image/png")
    body = {"csrf_token": _token(admin_client), "file": logo}
    response = admin_client.post("/admin/branding/logo", data=body, content_type="multipart/form-data", csrf=False)
    assert response.status_code == 302, response.get_data(as_text=True)
    logo_id = stored().logo_upload_id
    page = app.test_client().get("/").get_data(as_text=True)
    assert f'src="/branding/logo/{logo_id}"' in page
    served = app.test_client().get(f"/branding/logo/{logo_id}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    clock_at.advance(days=3)
    from forum.uploads.cleanup import sweep_orphans
    sweep_orphans()
    assert db.session.get(Upload, logo_id) is not None
    removed = admin_client.post("/admin/branding/logo/remove", data={"csrf_token": _token(admin_client)}, csrf=False)
    assert removed.status_code == 302 and stored().logo_upload_id == 0
    assert app.test_client().get(f"/branding/logo/{logo_id}").status_code == 404


def test_a_file_that_is_not_an_image_is_refused_beside_the_logo_field(admin_client):
    body = {"csrf_token": _token(admin_client), "file": (io.BytesIO(b"%PDF-1.4\n"), "logo.pdf", "")}
    response = admin_client.post("/admin/branding/logo", data=body, content_type="multipart/form-data", csrf=False)
    assert response.status_code == 415 and 'id="logo-file-errors"' in response.get_data(as_text=True)
    assert stored().logo_upload_id == 0
