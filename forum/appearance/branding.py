"""The community's own look without code: its name, logo and accent colour (issue 27 item 3).

Admins set them on /admin/branding; they are community settings (audited, applied at once). The accent
reaches pages through /branding.css, a small stylesheet made from the setting (the CSP forbids inline
styles), addressed with a version so browsers keep it until the colour changes. An accent must keep text
readable: white text on it and links in it on white need 4.5:1 (WCAG AA), so the setting refuses a colour too
light with the contrast it has (forum.core.setting_registry.ColourSetting); the dark theme gets a lighter
shade of the same hue that reaches 4.5:1 on its dark cards.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from forum.core import colours
from forum.core.colours import contrast
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Upload, User
from forum.services import community_settings, permissions
from forum.uploads import service as upload_service
from forum.uploads.receiving import ReceivedFile

DEFAULT_ACCENT = "#1f5fbf"
DEFAULT_SITE_NAME = "Horseshoe"
WHITE = "#ffffff"
DARK_PAPER = "#1a1f28"  # the dark theme's cards and fields (forum/static/style.css), where most links sit
MINIMUM_CONTRAST = colours.AA_TEXT


@dataclass(frozen=True)
class Branding:
    site_name: str = DEFAULT_SITE_NAME
    accent: str = DEFAULT_ACCENT
    logo_upload_id: int = 0

    @property
    def version(self) -> str:
        """Changes whenever the stylesheet would: its address carries it, so it may be cached for a year."""
        return hashlib.sha256(self.accent.lower().encode()).hexdigest()[:12]


def _shade(colour: str, lightness: float) -> str:
    red, green, blue = (int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5))
    hue, _old, saturation = colorsys.rgb_to_hls(red, green, blue)
    red, green, blue = colorsys.hls_to_rgb(hue, max(0.0, min(1.0, lightness)), saturation)
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))


def darker(colour: str, by: float = 0.1) -> str:
    """The hover shade: the same hue, darker."""
    red, green, blue = (int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5))
    return _shade(colour, colorsys.rgb_to_hls(red, green, blue)[1] - by)


def for_dark_pages(colour: str, background: str = DARK_PAPER) -> str:
    """The lightest-needed shade of the accent that reads at 4.5:1 on the dark theme's page."""
    red, green, blue = (int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5))
    lightness = colorsys.rgb_to_hls(red, green, blue)[1]
    shade = colour
    while contrast(shade, background) < MINIMUM_CONTRAST and lightness < 1:
        lightness += 0.02
        shade = _shade(colour, lightness)
    return shade


def stylesheet(branding: Branding) -> str:
    """/branding.css: the accent and its shades as the custom properties forum/static/style.css uses."""
    accent = branding.accent.lower()
    on_dark = for_dark_pages(accent)
    light = f"  --brand: {accent};\n  --brand-dark: {darker(accent)};\n"
    dark = f"  --brand: {on_dark};\n  --brand-dark: {_shade(on_dark, 0.85)};\n"
    return (
        f"/* The community's accent colour (admin branding), version {branding.version}. */\n"
        f":root {{\n{light}}}\n"
        f"@media (prefers-color-scheme: dark) {{\n  :root:not([data-theme=\"light\"]) {{\n{dark}  }}\n}}\n"
        f":root[data-theme=\"dark\"] {{\n{dark}}}\n"
    )


# --- stored as community settings (forum.core.setting_registry: the "branding." keys) ---------------

SITE_NAME_KEY = "branding.site_name"
ACCENT_KEY = "branding.accent_colour"
LOGO_KEY = "branding.logo_upload_id"


def current() -> Branding:
    """The branding pages are drawn with: read with the request's other settings (no query of its own)."""
    return Branding(
        site_name=community_settings.cached_setting(SITE_NAME_KEY) or DEFAULT_SITE_NAME,
        accent=community_settings.cached_setting(ACCENT_KEY) or DEFAULT_ACCENT,
        logo_upload_id=community_settings.cached_setting(LOGO_KEY) or 0,
    )


def update(actor: User, site_name: str, accent: str) -> Branding:
    """Change the name and accent together (validated, audited, applied at once: 422 with the field)."""
    community_settings.update_settings(actor, {SITE_NAME_KEY: site_name, ACCENT_KEY: accent.lower()})
    return current()


def set_logo(actor: User, received: ReceivedFile) -> Upload:
    """Store an image as the site's logo (re-encoded, metadata stripped, as every upload) and show it."""
    permissions.require(actor, permissions.Action.SETTINGS_MANAGE)
    upload = upload_service.store_upload(actor, received, alt=current().site_name, images_only=True)
    community_settings.update_settings(actor, {LOGO_KEY: upload.id})
    return upload


def remove_logo(actor: User) -> bool:
    """Show the site's name instead of a logo; False when there was none."""
    had = current().logo_upload_id != 0
    community_settings.update_settings(actor, {LOGO_KEY: 0})
    return had


def logo(upload_id: int) -> Upload:
    """The logo's upload, only while it is the current logo (an old address is not found)."""
    if upload_id != current().logo_upload_id:
        raise NotFound(_("This is not the site's logo."))
    upload = db.session.get(Upload, upload_id)
    # Only an image an admin uploaded: the setting is a number the settings API accepts, and must never make
    # a member's private attachment public.
    if upload is None or upload.removed_at is not None or not upload.is_image or upload.uploader.role != "admin":
        raise NotFound(_("This is not the site's logo."))
    return upload
