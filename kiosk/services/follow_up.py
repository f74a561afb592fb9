"""Following a message up by its reference: the visitor types the reference the thanks screen
gave them and learns the state of their message and staff's reply, from central, asked in a
thread of its own. Only what central's follow-up answers (state and reply) ever reaches the
screen: never the message, the kiosk or contact details.

Before asking, the kiosk checks what it can itself: the shape and check digit (a typing mistake
is told apart from a reference nobody was given), and whether the item is still in this kiosk's
outbox, not delivered yet (then central can not know it, and the visitor is told so)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kiosk.device import KioskDevice

log = logging.getLogger(__name__)

# found: central answered with the state (and reply); not_found: central knows no such message;
# mistyped / malformed: told on the kiosk, without asking; waiting: still in this kiosk's
# outbox; unreachable: central did not answer (or this kiosk is not connected to one); busy:
# central refused for now (too many look-ups); asking: the answer comes later.
Outcome = Literal["found", "not_found", "mistyped", "malformed", "waiting", "unreachable",
                  "busy", "asking"]


@dataclass(frozen=True)
class FollowUpResult:
    outcome: Outcome
    reference: str  # as shown, 4821-0937-5526 (as typed when it is not one)
    status: str | None = None  # new, in_progress, answered, closed (when found)
    reply: str | None = None


class FollowUp:
    def __init__(self, device: KioskDevice):
        self._device = device

    def page_url(self, reference: str) -> str | None:
        """The public page for this reference on this kiosk's central (the thanks screen's
        square code); None on a kiosk not connected to a central."""
        from kiosk.protocol.reference import check, normalise

        creds = self._device.credentials
        if creds is None or check(reference) != "ok":
            return None
        return f"{creds.api.rstrip('/')}/follow-up/{normalise(reference)}"

    def ask(self, text: str,
            answer: Callable[[FollowUpResult], None] | None = None) -> FollowUpResult:
        """What can be said now about the reference ``text``: a final result, or ``asking``,
        after which ``answer`` is called once, from another thread, with central's answer.
        Callers move that call onto their own thread (the UI's)."""
        from kiosk.protocol.reference import DIGITS, check, normalise, shown

        digits = normalise(text)
        verdict = check(digits)
        if verdict != "ok":
            return FollowUpResult(verdict, digits[:DIGITS + 4])
        ref = shown(digits)
        # Read here, on the caller's thread: the asking thread touches only the network.
        if self._device.outbox.pending_reference(digits):
            return FollowUpResult("waiting", ref)
        if self._device.credentials is None or answer is None:
            return FollowUpResult("unreachable", ref)
        device = self._device

        def run() -> None:
            answer(_asked(device, digits, ref))

        threading.Thread(target=run, name="follow-up", daemon=True).start()
        return FollowUpResult("asking", ref)


def _asked(device: KioskDevice, digits: str, ref: str) -> FollowUpResult:
    from kiosk.central_client import CentralError

    try:
        got = device.client().follow_up(digits)
    except CentralError as e:
        log.info("follow-up from central not available: %s", e)
        if e.status == 404:
            return FollowUpResult("not_found", ref)
        if e.status == 429:
            return FollowUpResult("busy", ref)
        if e.status == 422:
            return FollowUpResult("mistyped", ref)
        return FollowUpResult("unreachable", ref)
    except Exception as e:  # noqa: BLE001 - an odd answer is no answer for the visitor
        log.info("follow-up from central failed: %s", e)
        return FollowUpResult("unreachable", ref)
    return FollowUpResult("found", got.reference, got.status, got.reply)
