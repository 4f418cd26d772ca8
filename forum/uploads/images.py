"""Images are decoded and encoded again before anyone else sees them.

Only the pixels survive: EXIF (GPS position, camera serial), XMP, comments and text chunks are left
behind, and the EXIF orientation is applied to the pixels so the picture still stands upright. An
image must decode with the decoder of the type its bytes show, within a pixel budget checked from
the header before any pixel is decoded (a 50,000 x 50,000 PNG is a few KB and gigabytes of memory),
and an animated GIF within a frame budget. Whatever trails the image data (a polyglot's script)
is not part of the new file.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.uploads import limits
from forum.uploads.filetypes import FileType

PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
MAX_ICC_BYTES = 64 * 1024  # a colour profile is kept (phone photos look wrong without it), a bloated one is not
JPEG_QUALITY = 85  # photos re-encoded without metadata: 85 keeps them sharp and smaller than a phone's 90-95


@dataclass(frozen=True)
class ImageFile:
    """An encoded image on disk with what the upload rows record about it."""

    path: Path
    sha256: str
    size: int
    content_type: str
    width: int
    height: int


def _refuse(file_type: FileType, why: str, guards: limits.UploadLimits | None = None) -> Invalid:
    """why: TOO_MANY_PIXELS, UNDECODABLE, TOO_MANY_FRAMES or DAMAGED, said in the uploader's language."""
    guards = guards or limits.current_limits()
    kind, millions, frames = file_type.name.upper(), f"{guards.max_pixels / 1_000_000:g}", guards.max_frames
    messages = {
        TOO_MANY_PIXELS: _("This %(kind)s image cannot be used: it has more than %(millions)s million pixels.",
                           kind=kind, millions=millions),
        UNDECODABLE: _("This %(kind)s image cannot be used: it does not decode as one.", kind=kind),
        TOO_MANY_FRAMES: _("This %(kind)s image cannot be used: an animation may have at most %(frames)s frames.",
                           kind=kind, frames=frames),
        DAMAGED: _("This %(kind)s image cannot be used: its data is damaged.", kind=kind),
    }
    return Invalid({"file": [messages[why]]})


TOO_MANY_PIXELS, UNDECODABLE, TOO_MANY_FRAMES, DAMAGED = "pixels", "undecodable", "frames", "damaged"


def _open(source: Path, file_type: FileType) -> Image.Image:
    """Open with the sniffed type's decoder only, refusing bombs by their header before decoding
    (and images past the settings uploads.max_image_megapixels and uploads.max_animation_frames)."""
    guards = limits.current_limits()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=[PIL_FORMATS[file_type.name]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _refuse(file_type, TOO_MANY_PIXELS, guards) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise _refuse(file_type, UNDECODABLE) from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > guards.max_pixels:
        image.close()
        raise _refuse(file_type, TOO_MANY_PIXELS, guards)
    frames = getattr(image, "n_frames", 1)
    if frames > guards.max_frames or frames * width * height > limits.MAX_GIF_TOTAL_PIXELS:
        image.close()
        raise _refuse(file_type, TOO_MANY_FRAMES, guards)
    return image


def _clean_frame(frame: Image.Image) -> Image.Image:
    """A copy holding pixels only (and the palette transparency that is part of them)."""
    return _pixels_only(frame.copy(), frame)


def _pixels_only(image: Image.Image, source: Image.Image) -> Image.Image:
    """image (a new object) with every piece of source's metadata dropped but its palette transparency."""
    image.info = {key: source.info[key] for key in ("transparency",) if key in source.info}
    return image


def _encode(frames: list[Image.Image], file_type: FileType, target: Path, icc: bytes | None, durations) -> None:
    first = frames[0]
    options: dict = {}
    if icc and len(icc) <= MAX_ICC_BYTES and file_type.name in {"jpeg", "png", "webp"}:
        options["icc_profile"] = icc
    if file_type.name == "jpeg":
        if first.mode not in {"RGB", "L", "CMYK"}:
            first = first.convert("RGB")
        first.save(target, "JPEG", quality=JPEG_QUALITY, **options)
    elif len(frames) > 1:
        first.save(target, PIL_FORMATS[file_type.name], save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, **options)
    else:
        first.save(target, PIL_FORMATS[file_type.name], **options)


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _described(path: Path, file_type: FileType, image: Image.Image) -> ImageFile:
    sha256, size = _digest(path)
    return ImageFile(path, sha256, size, file_type.content_type, image.width, image.height)


def reencode(source: Path, file_type: FileType, target: Path) -> tuple[ImageFile, Image.Image]:
    """Decode source, apply its orientation and write a clean copy to target; also the upright first frame."""
    image = _open(source, file_type)
    try:
        icc = image.info.get("icc_profile")
        if getattr(image, "n_frames", 1) > 1:
            frames = [_clean_frame(frame) for frame in ImageSequence.Iterator(image)]
            durations = [frame.info.get("duration", 100) for frame in ImageSequence.Iterator(image)]
        else:  # exif_transpose already returns a new image: keep its pixels, drop its metadata (no second copy)
            frames, durations = [_pixels_only(ImageOps.exif_transpose(image), image)], None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse(file_type, DAMAGED) from exc
    finally:
        image.close()
    _encode(frames, file_type, target, icc, durations)
    return _described(target, file_type, frames[0]), frames[0]


def rendition(image: Image.Image, file_type: FileType, target: Path, box: tuple[int, int], *,
              square: bool = False) -> ImageFile:
    """A smaller still copy of an (already clean, upright) image: fit inside box, or cropped to a centred square.

    An animation's rendition is its first frame, as a PNG. Avatars use square=True at 32, 64 and 128 px.
    """
    out_type = file_type if file_type.name != "gif" else FileType("png", "image/png", ("png",), True)
    if square:
        small = ImageOps.fit(image, box, Image.Resampling.LANCZOS)
    else:  # resize makes a new image (no copy of a 12-megapixel source first); reducing_gap shrinks in steps
        small = image.resize(_fit(image.size, box), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if small.mode == "P":
        small = small.convert("RGBA")
    _encode([small], out_type, target, None, None)
    return _described(target, out_type, small)


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with size's proportions inside box (never larger than size)."""
    scale = min(box[0] / size[0], box[1] / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def needs_thumbnail(image: Image.Image) -> bool:
    box_width, box_height = limits.THUMBNAIL_BOX
    return image.width > box_width or image.height > box_height
