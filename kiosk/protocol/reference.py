"""Submission references a person can read out and type: 12 digits shown as three groups of
four (``4821-0937-5526``), the last a Damm check digit. Damm catches every single wrong digit
and every swap of two neighbouring digits, so a mistyped reference is told apart from one that
was never given. Pure: no database, no Django.

Kiosk and central share it: a kiosk makes the reference of a feedback item itself when the
visitor sends it (``Submission.reference``), so the thanks screen shows it even offline, and
central keeps it as the item's reference. 11 random digits from ``secrets`` are 10^11
possibilities: with central's rate limits on follow-up lookups, guessing one is impractical."""

from __future__ import annotations

import secrets

DIGITS = 12
# The Damm quasigroup of order 10 (totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> str:
    """The check digit to append to ``digits``."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def new_reference() -> str:
    """A fresh random reference, stored as 12 plain digits (11 random + the check digit)."""
    body = "".join(secrets.choice("0123456789") for _ in range(DIGITS - 1))
    return body + damm_digit(body)


def shown(reference: str | None) -> str:
    """``482109375526`` -> ``4821-0937-5526`` (as staff and visitors see it)."""
    if not reference:
        return ""
    return "-".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def normalise(text: str) -> str:
    """What a person typed, without spaces, dashes and dots; Arabic-Indic digits read too."""
    table = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
    return "".join(ch for ch in text.translate(table) if ch not in " -.\u00a0\t")[:64]


def check(text: str) -> str:
    """``"ok"`` when ``text`` could be a reference, ``"mistyped"`` when it has 12 digits but
    its check digit is wrong, ``"malformed"`` when it is not 12 digits at all."""
    digits = normalise(text)
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        return "malformed"
    return "ok" if damm_digit(digits[:-1]) == digits[-1] else "mistyped"
