"""What a file is, decided by its bytes; what its name and Content-Type claim; and safe file names.

The sniffed type is the truth. A claim that disagrees with it is refused (422): a PNG called
report.pdf is either a mistake or a trick, and neither should reach another member's screen. HTML,
SVG and XML are refused whatever they are called (415): a browser would run them. The client's
Content-Type only counts when it names something specific (application/octet-stream says nothing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from forum.core.errors import DomainError, Invalid
from forum.core.i18n import N_, _


class TooLarge(DomainError):
    status = 413
    title = N_("Upload too large")


class UnsupportedType(DomainError):
    status = 415
    title = N_("File type not allowed")


class DailyLimitReached(DomainError):
    status = 429
    title = N_("Daily upload limit reached")


@dataclass(frozen=True)
class FileType:
    name: str  # the setting's name for it: "png", "pdf", "txt"...
    content_type: str
    extensions: tuple[str, ...]  # the first is given to a file uploaded without one
    is_image: bool = False


IMAGE_TYPES = {
    "png": FileType("png", "image/png", ("png",), True),
    "jpeg": FileType("jpeg", "image/jpeg", ("jpg", "jpeg", "jpe"), True),
    "gif": FileType("gif", "image/gif", ("gif",), True),
    "webp": FileType("webp", "image/webp", ("webp",), True),
}
FILE_TYPES = {
    "pdf": FileType("pdf", "application/pdf", ("pdf",)),
    "zip": FileType("zip", "application/zip", ("zip",)),
    "txt": FileType("txt", "text/plain", ("txt", "text")),
    "log": FileType("log", "text/plain", ("log",)),
    "csv": FileType("csv", "text/csv", ("csv",)),
    "json": FileType("json", "application/json", ("json",)),
}
TEXT_TYPES = ("txt", "log", "csv", "json")
ALL_TYPES = {**IMAGE_TYPES, **FILE_TYPES}
NEVER_ACCEPTED = {"svg", "svgz", "html", "htm", "xhtml", "xml", "js", "mjs", "exe", "bat", "cmd", "com", "scr",
                  "msi", "dll", "sh", "ps1", "vbs", "jar", "apk", "swf"}
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"), (b"PK\x03\x04", "zip"),
)
MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|script|head|body|iframe|!--)", re.IGNORECASE)
NEUTRAL_CONTENT_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
SNIFF_BYTES = 8192
MARKUP_TYPE = "markup"  # HTML, SVG, XML: what a browser would run


def sniff(head: bytes) -> str | None:
    """The type the first bytes show (an image still has to decode: forum.uploads.images), or None."""
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if MARKUP.match(text):
        return MARKUP_TYPE
    if b"\x00" in text:
        return None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(text) - 3:  # not just a character cut at the end of the sample
            return None
    return "txt"


def extension_of(filename: str) -> str:
    suffix = PurePosixPath(filename).suffix
    return suffix[1:].lower() if suffix else ""


def claimed_types(filename: str, declared_type: str) -> tuple[str, str]:
    """(extension, content type) the client claims, lowercased, parameters dropped."""
    content_type = (declared_type or "").split(";", 1)[0].strip().lower()
    return extension_of(filename), "" if content_type in NEUTRAL_CONTENT_TYPES else content_type


def _claim_matches(found: FileType, extension: str, content_type: str) -> bool:
    if extension and extension not in found.extensions:
        return False
    if not content_type:
        return True
    if found.name in TEXT_TYPES:  # one text is another's log: any text claim fits text content
        return content_type.startswith("text/") or content_type == "application/json"
    return content_type == found.content_type or (found.name == "jpeg" and content_type == "image/jpg")


def resolve_type(sniffed: str | None, filename: str, declared_type: str, allowed_files: tuple[str, ...]) -> FileType:
    """The type the upload is stored as, or 415 (never accepted) / 422 (content and claim disagree)."""
    extension, content_type = claimed_types(filename, declared_type)
    if extension in NEVER_ACCEPTED or content_type in {"image/svg+xml", "text/html", "application/xhtml+xml"}:
        raise UnsupportedType(_("HTML, SVG and programs cannot be uploaded."))
    if sniffed == "txt" and extension in TEXT_TYPES:
        sniffed = extension  # text is text: the name tells a log from a CSV
    found = ALL_TYPES.get(sniffed) if sniffed else None
    claimed = next((t for t in ALL_TYPES.values() if extension in t.extensions), None)
    if found is None:
        if claimed is not None and (claimed.is_image or sniffed != MARKUP_TYPE):
            raise Invalid({"file": [_("This file is not a valid %(kind)s: its content is something else.",
                                      kind=claimed.name.upper())]})
        raise UnsupportedType(_("This type of file cannot be uploaded."))
    if not found.is_image and found.name not in allowed_files:
        allowed = ", ".join(["PNG", "JPEG", "GIF", "WebP", *(t.upper() for t in allowed_files)])
        raise UnsupportedType(_("%(kind)s files cannot be uploaded here; allowed: %(allowed)s.",
                                kind=found.name.upper(), allowed=allowed))
    if not _claim_matches(found, extension, content_type):
        raise Invalid({"file": [_("The content is a %(kind)s file, which does not match its name or declared type "
                                  "(%(claim)s).", kind=found.name.upper(), claim=extension or content_type)]})
    return found


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNSAFE = re.compile(r"[^\w.\-+]+")  # spaces too: the name goes into Markdown links


def safe_filename(filename: str, file_type: FileType, *, max_length: int = 120) -> str:
    """A name safe in a URL path, a header and a download dialog: no directories, no control characters,
    no leading dots, with an extension of the sniffed type."""
    name = unicodedata.normalize("NFC", filename or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\\", "/")).name).name  # drop every directory part
    name = CONTROL.sub("", name)
    name = UNSAFE.sub("-", name).strip(" .-_")
    stem, _dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    if extension.lower() not in file_type.extensions:
        stem, extension = name, file_type.extensions[0]
    stem = re.sub(r"\.+", "-", stem).strip("-")[: max_length - len(extension) - 1] or "upload"
    return f"{stem}.{extension.lower()}"
