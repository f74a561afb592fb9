"""Sending feedback (a comment, a suggestion, a complaint) or reporting an accessibility problem,
optionally with contact details for a reply (sealed to central's key by the outbox). Each item
gets its follow-up reference here, on the kiosk, before it is kept: the thanks screen shows it
at once, online or not, and central keeps it as the item's reference (kiosk.protocol.reference:
11 random digits and a check digit)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from kiosk.services.errors import InputRefused, NotSaved
from kiosk.services.sending import CONTACT_FIELDS, MAX_CONTACT_CHARS, keep

if TYPE_CHECKING:
    from kiosk.device import KioskDevice

FEEDBACK_KINDS = ("comment", "suggestion", "complaint")
KINDS = (*FEEDBACK_KINDS, "accessibility")  # what a visitor can choose to send, in this order


@dataclass(frozen=True)
class Sent:
    """A kept message: its submission id, and the reference the visitor follows it up with
    (``4821-0937-5526``, as shown)."""

    id: str
    reference: str


class Feedback:
    def __init__(self, device: KioskDevice):
        self._device = device

    def send(self, kind: str, text: str, lang: str, screen: str | None = None,
             contact: dict[str, str] | None = None) -> Sent:
        """Keep the visitor's message (``kind`` one of KINDS; ``screen`` the screen it is
        about) and return its id and reference; thank the visitor only after this returns.
        Raises InputRefused, ContactRefused or NotSaved with the sentence to show."""
        if kind == "accessibility":
            return self.report_accessibility(text, lang, screen=screen, contact=contact)
        from kiosk.protocol import FeedbackPayload

        if kind not in FEEDBACK_KINDS:
            raise InputRefused("Please choose what kind of message you are sending.",
                               field="kind")
        payload = FeedbackPayload(kind=kind, text=_message(text), screen=_screen(screen))
        return self._keep(payload, lang, contact)

    def report_accessibility(self, text: str, lang: str, screen: str | None = None,
                             contact: dict[str, str] | None = None) -> Sent:
        """Keep a report of something hard to see, hear, reach or use; its id and reference."""
        from kiosk.protocol import AccessibilityPayload

        payload = AccessibilityPayload(text=_message(text), screen=_screen(screen))
        return self._keep(payload, lang, contact)

    def _keep(self, payload, lang: str, contact: dict[str, str] | None) -> Sent:
        from kiosk.protocol.reference import new_reference, shown

        reference = new_reference()
        submission_id = keep(self._device, payload, lang, _contact(contact), reference=reference)
        if submission_id is None:
            raise NotSaved("Your message could not be saved on this kiosk. Please try again in "
                           "a moment, or call 80000070.")
        return Sent(submission_id, shown(reference))


def _message(text: str) -> str:
    from kiosk.protocol import MAX_SUBMISSION_TEXT

    text = (text or "").strip()
    if not text:
        raise InputRefused("Please type your message first.", field="text")
    if len(text) > MAX_SUBMISSION_TEXT:
        raise InputRefused("Your message is too long. Please shorten it, then send it again.",
                           field="text")
    return text


def _screen(name: str | None) -> str | None:
    """The screen the message is about is context, not the visitor's input: a name the wire
    would refuse is left out rather than refusing the message."""
    from pydantic import ValidationError

    if not name:
        return None
    try:
        return _record_id().validate_python(name)
    except ValidationError:
        return None


@cache
def _record_id():
    from pydantic import TypeAdapter

    from kiosk.protocol import RecordId

    return TypeAdapter(RecordId)


def _contact(contact: dict[str, str] | None) -> dict[str, str]:
    out = {}
    for name, value in (contact or {}).items():
        value = value.strip() if isinstance(value, str) else ""
        if name not in CONTACT_FIELDS or not value:
            continue
        if len(value) > MAX_CONTACT_CHARS:
            raise InputRefused("A contact detail is too long. Please shorten it, then send "
                               "again.", field="contact")
        out[name] = value
    return out
