"""The uploads limits that were constants, as community settings: how large an image may be in pixels and how
many frames an animation may have (sizes in MB, the daily count and file types are in forum.core.setting_registry).

Registered when forum.uploads.limits is imported, which every upload path does; each upload reads them, so a
change applies to the next upload without a restart. Their maxima stay below what decoding can afford: Pillow
itself refuses an image of about 89 million pixels as a decompression bomb.
"""

from __future__ import annotations

from forum.core import setting_registry
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec

setting_registry.register(
    SettingSpec("uploads.max_image_megapixels", float, 50,
                N_("Most pixels (width times height, in millions) an uploaded image may have; larger ones are "
                   "refused before they are decoded."), 0.01, 80,
                label=N_("Largest image in pixels"), unit=N_("million pixels"),
                help=N_("A 12-megapixel phone photo is 12; a full-HD screenshot is about 2.")),
    SettingSpec("uploads.max_animation_frames", int, 100,
                N_("Most frames an animated image (GIF, WebP) may have."), 1, 1000,
                label=N_("Frames in an animation"), unit=N_("frames"),
                help=N_("An animation is also refused when its frames together hold more than 200 million "
                        "pixels.")),
)
