"""Spotting personal data in a post: email addresses, phone numbers, card numbers, postal addresses.

Customers paste account details into public questions; the guard offers to move them into the
private case conversation instead (issue 6). These are pure functions over text: find() lists
what looks personal, mask() shows a finding without repeating it, redact() gives the public
version. The patterns lean towards few false positives, since a warning on every order number,
version, date or IP address would teach people to click it away: card numbers must pass the
Luhn check and start like a payment card, phone numbers need a country code, a bracketed area
code or a "phone:" label, and an address needs a house number next to a street word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from forum.core.i18n import N_, _

MASK = "•••"


class Kind(StrEnum):
    EMAIL = "email"
    CARD = "card"
    PHONE = "phone"
    ADDRESS = "address"


LABELS = {  # translated where shown (Finding.label)
    Kind.EMAIL: N_("an email address"),
    Kind.CARD: N_("a card number"),
    Kind.PHONE: N_("a phone number"),
    Kind.ADDRESS: N_("a postal address"),
}
PLACEHOLDERS = {
    Kind.EMAIL: "[email address removed]",
    Kind.CARD: "[card number removed]",
    Kind.PHONE: "[phone number removed]",
    Kind.ADDRESS: "[postal address removed]",
}

_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b")
# 13-19 digits, optionally in groups split by single spaces or dashes; not part of a longer number or a dotted one.
_CARD = re.compile(r"(?<![\w.#/-])\d(?:[ -]?\d){12,18}(?![.-]?\d)(?!\w)")
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w.-]?\d)")
_PHONE_AREA_CODE = re.compile(r"(?<![\w)])\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}(?![\w.-]?\d)")
_PHONE_LABELLED = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|call me on|call me at|whatsapp)\b\s*(?:number|no\.?|#)?\s*(?:is)?[:\s]\s*"
    r"(\d[\d .-]{5,18}\d)(?![\w.-]?\d)",
    re.IGNORECASE,
)
_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Place|Pl|Square|Sq|Terrace|"
    r"Way|Close|Crescent|Highway|Hwy|Parkway|Pkwy|Alley"
)
_ADDRESS_NUMBER_FIRST = re.compile(
    rf"(?<![\w.,-])\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'-]+\s+){{1,4}}(?:{_STREET_WORDS})\b\.?"
)
_ADDRESS_STREET_FIRST = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gatan|vej|veien)"
    r"\s+\d{1,4}[a-z]?\b"
    r"|\b(?:rue|avenue|boulevard|via|calle|chemin|place)\s+(?:de\s+la\s+|de\s+|du\s+|des\s+)?[A-Z][\w'-]+"
    r"(?:\s+[A-Z][\w'-]+){0,3},?\s+\d{1,4}\b"
    r"|(?<![\w.,-])\d{1,4}(?:\s*,)?\s+(?:rue|avenue|boulevard|chemin|place)\s+(?:de\s+la\s+|de\s+|du\s+|des\s+)?"
    r"[A-Z][\w'-]+",
    re.IGNORECASE,
)
_CARD_PREFIXES = "23456"  # Mastercard (2, 5), Amex/Diners/JCB (3), Visa (4), Discover/UnionPay (6)


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return _(LABELS[self.kind])

    @property
    def masked(self) -> str:
        return mask(self)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number passes (and 9 in 10 random numbers fail)."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _cards(text: str) -> list[Finding]:
    found = []
    for match in _CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and digits[0] in _CARD_PREFIXES and len(set(digits)) > 1 and luhn_valid(digits):
            found.append(Finding(Kind.CARD, match.start(), match.end(), match.group()))
    return found


def _phones(text: str) -> list[Finding]:
    found = []
    for pattern in (_PHONE_INTERNATIONAL, _PHONE_AREA_CODE):
        for match in pattern.finditer(text):
            if 8 <= len(_digits(match.group())) <= 15:
                found.append(Finding(Kind.PHONE, match.start(), match.end(), match.group()))
    for match in _PHONE_LABELLED.finditer(text):
        if 7 <= len(_digits(match.group(1))) <= 15:
            found.append(Finding(Kind.PHONE, match.start(1), match.end(1), match.group(1)))
    return found


def _simple(kind: Kind, *patterns: re.Pattern[str]):
    def finder(text: str) -> list[Finding]:
        return [Finding(kind, m.start(), m.end(), m.group()) for pattern in patterns for m in pattern.finditer(text)]

    return finder


# In order of precedence: where findings overlap, the earlier kind wins (an email's digits are no phone).
_FINDERS = (_simple(Kind.EMAIL, _EMAIL), _cards, _phones,
            _simple(Kind.ADDRESS, _ADDRESS_NUMBER_FIRST, _ADDRESS_STREET_FIRST))


def find(text: str | None) -> list[Finding]:
    """Everything in text that looks like personal data, in reading order and never overlapping."""
    if not text:
        return []
    kept: list[Finding] = []
    for finder in _FINDERS:
        for finding in finder(text):
            if not any(finding.start < other.end and other.start < finding.end for other in kept):
                kept.append(finding)
    return sorted(kept, key=lambda finding: finding.start)


def contains_personal_data(text: str | None) -> bool:
    return bool(find(text))


def mask(finding: Finding) -> str:
    """Enough to recognise one's own data in a warning without showing it again in full."""
    text = finding.text
    if finding.kind == Kind.EMAIL:
        local, _at, domain = text.partition("@")
        return f"{local[0]}{MASK}@{domain}"
    if finding.kind in {Kind.CARD, Kind.PHONE}:
        digits = _digits(text)
        return f"{MASK} {digits[-4 if finding.kind == Kind.CARD else -2:]}"
    words = text.split()
    return " ".join([MASK, *words[1:]]) if _digits(words[0]) else " ".join([*words[:-1], MASK])


def redact(text: str) -> str:
    """The text with every finding replaced by a placeholder naming what was removed."""
    parts, position = [], 0
    for finding in find(text):
        parts.extend([text[position:finding.start], PLACEHOLDERS[finding.kind]])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def summary(findings: list[Finding]) -> list[str]:
    """One line per finding for a warning, e.g. "a card number (••• 1111)"."""
    return [_("%(what)s (%(masked)s)", what=finding.label, masked=finding.masked) for finding in findings]
