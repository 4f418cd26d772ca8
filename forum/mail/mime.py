"""Reading untrusted MIME without ever failing: headers one by one, parts, charsets (for forum.mail.parsing).

Anyone can send anything: a header that cannot be parsed counts as missing, a charset Python does not know
falls back to UTF-8 with replacements, and the text handed on is one a database can store. Each function
here returns something empty rather than raising, because the stdlib email package, lenient as it is,
can still raise on hostile input (email.errors, and IndexError or ValueError from its header parser).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from itertools import islice

MAX_PARTS = 500  # a message with more MIME parts than this is read only this far
MAX_DELIMITERS = 4 * MAX_PARTS  # boundary lines read (each part has one; nested multiparts close theirs too)
_DELIMITER = re.compile(rb"\n--[^\s]")
MAX_HEADER_CHARS = 64 * 1024  # a longer header counts as unreadable: the stdlib's address parser slows to seconds
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8",
                    "ascii": "utf-8"}  # what senders mean: Windows-1252 text labelled Latin-1, UTF-8 as ASCII
# Python codecs that are no mail charset: a sender naming one gets UTF-8 like any unknown name.
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"}


def read(raw: bytes) -> EmailMessage:
    """The message as policy.default reads it; an empty message if even the lenient feed parser gives up.

    Read only up to its MAX_DELIMITERS-th line of "--" and a boundary's character (a part's boundary, or text
    that looks like one; not "-- " comments or signatures): the feed parser reads every part's headers several
    times, a tenth of a millisecond and more each, so 100,000 tiny parts in a few megabytes took 20 seconds.
    leaves() stops at MAX_PARTS anyway.
    """
    try:
        return BytesParser(policy=policy.default).parsebytes(_first_parts(raw))
    except Exception:  # the feed parser is lenient; this is the net under it
        return EmailMessage(policy=policy.default)


def _first_parts(raw: bytes) -> bytes:
    """raw cut just before its (MAX_DELIMITERS + 1)-th boundary-like line; all of it when it has fewer."""
    beyond = next(islice(_DELIMITER.finditer(raw), MAX_DELIMITERS, None), None)
    return raw if beyond is None else raw[:beyond.start() + 1]


def values(msg: Message, name: str) -> list:
    """Every `name` header, parsed one by one: a malformed one is left out, not fatal to the others."""
    try:
        items = msg.raw_items()
    except Exception:
        return []
    wanted = name.lower()
    found = (_parsed(key, value) for key, value in items if isinstance(key, str) and key.lower() == wanted)
    return [value for value in found if value is not None]


def _parsed(name: str, raw):
    """One header as policy.default reads it; raw 8-bit bytes read as UTF-8 (RFC 6532), as clients send them."""
    try:
        if isinstance(raw, str):
            if len(raw) > MAX_HEADER_CHARS:
                return None
            raw = raw.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        return policy.default.header_fetch_parse(name, raw)
    except Exception:  # email.errors, and the IndexError/ValueError a hostile header can still cause
        return None


def header(msg: Message, name: str) -> str:
    """The first readable `name` header as text (decoded, unfolded); "" when there is none."""
    found = values(msg, name)
    return clean(str(found[0])) if found else ""


def clean(text: str) -> str:
    """Text a database stores: no NUL, no lone surrogates (which UTF-8 cannot encode)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def one_line(text: str, limit: int) -> str:
    """Whitespace (folds, tabs, newlines) collapsed to single spaces, cut to `limit` characters."""
    return " ".join(text.split())[:limit]


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lowercased addr-spec) of every address in every `name` header; junk has no "@"."""
    pairs: list[tuple[str, str]] = []
    for value in values(msg, name):
        found = getattr(value, "addresses", None)
        if found is None:
            pairs += getaddresses([str(value)])
        else:
            pairs += [(a.display_name, a.addr_spec) for a in found]
    return [(clean(n), bare(a)) for n, a in pairs if "@" in bare(a)]


def bare(address: str) -> str:
    """An addr-spec as Horseshoe compares it: no angle brackets or spaces, lowercased."""
    return clean(address).strip().strip("<>").strip().lower()


def leaves(msg: Message) -> Iterator[Message]:
    """Every part that is not a multipart, in order; an attached message (message/*) is one leaf, not opened."""
    stack, seen = [msg], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        children = _children(part)
        if children is None:
            yield part
        else:
            stack.extend(reversed(children))


def _children(part: Message) -> list[Message] | None:
    try:
        if part.get_content_maintype() != "multipart" or not part.is_multipart():
            return None
        return [child for child in part.get_payload() if isinstance(child, Message)]
    except Exception:
        return []


def filename(part: Message) -> str:
    """The part's file name (RFC 2231 and 2047 decoded) without any folder a sender put in front of it."""
    try:
        name = part.get_filename() or ""
    except Exception:
        return ""
    return clean(re.split(r"[/\\]", str(name))[-1]).strip()


def decoded(part: Message) -> str:
    """A text part in its declared charset; an unknown or wrong one falls back to UTF-8 with replacements."""
    try:
        data = part.get_payload(decode=True)
        charset = (part.get_content_charset() or "utf-8").strip().lower()
    except Exception:
        return ""
    if not isinstance(data, bytes):
        return ""
    text = _in_charset(data, charset).replace("\r\n", "\n").replace("\r", "\n")
    if _param(part, "format") == "flowed":
        text = unflowed(text, delete_space=_param(part, "delsp") == "yes")
    return clean(text)


def _in_charset(data: bytes, charset: str) -> str:
    for name in (_CHARSET_ALIASES.get(charset, charset), charset):
        try:
            if codecs.lookup(name).name not in _NOT_CHARSETS:
                return data.decode(name)
        except (LookupError, UnicodeError, ValueError):  # unknown, not a text encoding, or not this one
            continue
    return data.decode("utf-8", "replace")


def _param(part: Message, name: str) -> str:
    try:
        return str(part.get_param(name, "") or "").strip().lower()
    except Exception:
        return ""


def unflowed(text: str, delete_space: bool = False) -> str:
    """RFC 3676 format=flowed back to paragraphs: a line ending in a space continues on the next one.

    Thunderbird and others wrap long lines this way; joined again, a reply reads as its sender wrote it.
    Quoted lines join only with lines of the same quote depth; "-- " (the signature line) never joins.
    """
    lines: list[tuple[int, str, bool]] = []  # (quote depth, text, ends with a soft break)
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        body = body[1:] if body.startswith(" ") else body  # space-stuffing
        if lines and lines[-1][2] and lines[-1][0] == depth:
            body = lines.pop()[1] + body
        soft = body.endswith(" ") and body != "-- "
        lines.append((depth, body[:-1] if soft and delete_space else body, soft))
    return "\n".join(">" * depth + (" " if depth and body else "") + body for depth, body, _ in lines)


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return ""
