"""Avatars: the picture beside a member's name, uploaded (three centred squares) or generated (initials).

avatar_url needs nothing but the user row already loaded with the page (its id, name and
avatar_upload_id), so a thread with a hundred authors costs no query for their pictures, and every
address is stable enough to cache: /avatars/<user_id>/<upload_id>/<size> names one uploaded picture
at one size (a new picture is a new upload, so a new address), /avatars/default/<user_id>.svg?v=<hash>
the generated one (the hash changes only when its initials or colour would).

The generated default is an SVG this module writes itself from escaped text, never a member's file:
it scales to every size from one address, and the browser draws the initials in whatever script the
name is written in (a bitmap font on the server would not have the glyphs).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from markupsafe import escape
from PIL import Image

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Upload, UploadRendition, User
from forum.uploads import images, service
from forum.uploads.filetypes import IMAGE_TYPES
from forum.uploads.receiving import ReceivedFile
from forum.uploads.storage import current_store

SIZES = (32, 64, 128)
DEFAULT_SIZE = 64
# Background colours that all keep white initials above a 4.5:1 contrast ratio (WCAG AA).
PALETTE = ("#1f6f8b", "#7a3e9d", "#b3361b", "#2e7d32", "#8a5a00", "#b0245a", "#3f51b5", "#00695c",
           "#6d4c41", "#455a64", "#9c27b0", "#c2185b")
DESIGN = "1"  # bump when the generated picture's drawing changes, so cached copies are refreshed
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
       '<rect width="128" height="128" fill="{colour}"/>'
       '<text x="64" y="64" dy="0.35em" text-anchor="middle" fill="#ffffff" '
       'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, sans-serif" font-size="{font_size}" '
       'font-weight="600">{initials}</text></svg>')


def rendition_name(size: int) -> str:
    return f"avatar-{size}"


def fitting_size(size: int) -> int:
    """The smallest stored square at least size pixels wide (the largest when none is)."""
    return next((stored for stored in SIZES if stored >= size), SIZES[-1])


def initials(user: User) -> str:
    """Up to two letters: the first letter or digit of the first and last words of the name shown."""
    words = [word for word in (user.name or "").split() if any(char.isalnum() for char in word)]
    if not words:
        words = [user.username or "?"]
    firsts = [next((char for char in word if char.isalnum()), "?") for word in words]
    picked = firsts[0] + (firsts[-1] if len(firsts) > 1 else "")
    return picked.upper()


def colour(user: User) -> str:
    """The background, from the user id alone: it stays when the member renames themselves."""
    digest = hashlib.sha256(f"avatar:{user.id}".encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def default_svg(user: User) -> str:
    """The generated picture: escaped initials on the user's colour (our own markup, no member's file)."""
    letters = initials(user)
    return SVG.format(colour=colour(user), font_size=56 if len(letters) < 2 else 48,
                      initials=str(escape(letters)))  # &, <, >, ' and " as XML-valid entities


def default_url(user: User) -> str:
    version = hashlib.sha256(f"{DESIGN}:{colour(user)}:{initials(user)}".encode()).hexdigest()[:12]
    return f"/avatars/default/{user.id}.svg?v={version}"


def avatar_url(user: User, size: int = DEFAULT_SIZE) -> str:
    """Where user's picture is, never empty: the uploaded square that fits size, else the generated default."""
    if user.avatar_upload_id is not None:
        return f"/avatars/{user.id}/{user.avatar_upload_id}/{fitting_size(size)}"
    return default_url(user)


def _make_squares(upload: Upload, workdir: Path) -> None:
    """Decode the stored (already clean, upright) image and add its 32/64/128 px centred squares."""
    source = workdir / "source"
    source.write_bytes(current_store().read(upload.sha256))
    file_type = next(kind for kind in IMAGE_TYPES.values() if kind.content_type == upload.content_type)
    store = current_store()
    with Image.open(source, formats=[images.PIL_FORMATS[file_type.name]]) as image:
        image.seek(0)  # an animation's first frame: avatars stand still
        frame = image.convert("RGBA") if image.mode in {"P", "PA", "LA", "1", "I", "I;16", "F"} else image.copy()
    for size in SIZES:
        square = images.rendition(frame, file_type, workdir / rendition_name(size), (size, size), square=True)
        store.put(square.sha256, square.path, square.content_type)
        upload.renditions.append(UploadRendition(
            name=rendition_name(size), sha256=square.sha256, content_type=square.content_type, size=square.size,
            width=square.width, height=square.height))


def _adopt(user: User, upload: Upload) -> Upload:
    """Make the squares and point the user at the upload, in one commit; the old picture is left to the sweep."""
    workdir = Path(tempfile.mkdtemp(prefix="horseshoe-avatar-"))
    try:
        _make_squares(upload, workdir)
        user.avatar_upload_id = upload.id
        db.session.commit()
    except BaseException:
        db.session.rollback()  # the stored upload stays unreferenced: the orphan sweep takes it after a day
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return upload


def set_avatar(user: User, received: ReceivedFile) -> Upload:
    """Make a received image user's picture: an image only (415 otherwise), within the upload limits.

    The previous picture is no longer referenced, so the orphan sweep removes it (forum.uploads.cleanup).
    """
    return _adopt(user, service.store_upload(user, received, "", images_only=True))


def set_avatar_from_stream(user: User, stream: BinaryIO, filename: str, declared_type: str = "") -> Upload:
    """set_avatar for a file that is not a multipart part (a script, a test)."""
    return _adopt(user, service.store_stream(user, stream, filename, declared_type, images_only=True))


def remove_avatar(user: User) -> None:
    """Back to the generated default; the picture's upload is swept once nothing references it."""
    if user.avatar_upload_id is not None:
        user.avatar_upload_id = None
        db.session.commit()


def user_for_avatar(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("That member does not exist."))
    return user


def current_square(user_id: int, upload_id: int, size: int) -> tuple[UploadRendition | None, str]:
    """The square to serve for an avatar address, or None and the address to send the browser to instead.

    An address outlives its picture in caches and old pages: once the member changed or removed it (or
    staff removed the upload), it leads to what the member shows now, never to the old picture.
    """
    if size not in SIZES:
        raise NotFound(_("Avatars come in 32, 64 and 128 pixels."))
    user = user_for_avatar(user_id)
    if user.avatar_upload_id != upload_id:
        return None, avatar_url(user, size)
    upload = db.session.get(Upload, upload_id)
    square = upload.rendition(rendition_name(size)) if upload and upload.removed_at is None else None
    return square, default_url(user)
