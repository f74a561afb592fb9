"""The technician PIN: kept only as an argon2 hash (set by `kiosk provision --pin`, or sent by
central in the device config as a hash), never as the PIN itself."""

from __future__ import annotations

import re

from kiosk.errors import CommandError

# Long enough that guessing needs many tries (wrong tries are slowed by the technician mode),
# short enough to type on the on-screen number pad.
PIN_RE = re.compile(r"^[0-9]{6,12}$")


def hash_pin(pin: str) -> str:
    """The argon2id hash of a PIN; a PIN that is not 6 to 12 digits is refused."""
    if not PIN_RE.match(pin or ""):
        raise CommandError("the technician PIN must be 6 to 12 digits (0-9); choose another")
    from argon2 import PasswordHasher

    return PasswordHasher().hash(pin)


def pin_matches(pin_hash: str | None, pin: str) -> bool:
    """Whether ``pin`` is the PIN behind ``pin_hash`` (False when no PIN is set)."""
    if not pin_hash or not PIN_RE.match(pin or ""):
        return False
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
