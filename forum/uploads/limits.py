"""The limits uploads obey, from the community settings when the site has them, else Khoros-like defaults.

Read once per upload (admins change them without a restart). Settings not registered in
forum.services.community_settings fall back to the defaults here, so uploads work on their own.
The image guards (pixels, frames) are registered by forum.uploads.settings, imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum.services import community_settings
from forum.uploads import settings  # noqa: F401  (registers uploads.max_image_megapixels, max_animation_frames)

MB = 1024 * 1024
DEFAULTS: dict[str, Any] = {
    "uploads.enabled": True,
    "uploads.max_image_mb": 10,
    "uploads.max_file_mb": 25,
    "uploads.daily_limit": 100,
    "uploads.allowed_file_types": ("pdf", "txt", "log"),
}
# Not a setting: what decoding an animation costs (frames x width x height), the decoder's own guard.
MAX_GIF_TOTAL_PIXELS = 200_000_000
THUMBNAIL_BOX = (800, 800)


@dataclass(frozen=True)
class UploadLimits:
    enabled: bool
    max_image_bytes: int
    max_file_bytes: int
    daily_count: int
    allowed_file_types: tuple[str, ...]
    max_pixels: int = 50_000_000
    max_frames: int = 100

    @property
    def max_bytes(self) -> int:
        """The largest body any upload may have: the streaming cap before the type is known."""
        return max(self.max_image_bytes, self.max_file_bytes)


def _setting(key: str) -> Any:
    if key in community_settings.REGISTRY:
        return community_settings.cached_setting(key)
    return DEFAULTS[key]


def current_limits() -> UploadLimits:
    return UploadLimits(
        enabled=bool(_setting("uploads.enabled")),
        max_image_bytes=int(float(_setting("uploads.max_image_mb")) * MB),
        max_file_bytes=int(float(_setting("uploads.max_file_mb")) * MB),
        daily_count=int(_setting("uploads.daily_limit")),
        allowed_file_types=tuple(str(t).lower().lstrip(".") for t in _setting("uploads.allowed_file_types")),
        max_pixels=int(community_settings.cached_setting("uploads.max_image_megapixels") * 1_000_000),
        max_frames=community_settings.cached_setting("uploads.max_animation_frames"),
    )
