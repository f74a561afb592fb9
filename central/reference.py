"""Submission references (``4821-0937-5526``, a Damm check digit): the one definition is in the
wire format, kiosk.protocol.reference, because kiosks make them too; this module keeps central's
name for it."""

from __future__ import annotations

from kiosk.protocol.reference import DIGITS, check, damm_digit, new_reference, normalise, shown

__all__ = ["DIGITS", "check", "damm_digit", "new_reference", "normalise", "shown"]
