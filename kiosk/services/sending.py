"""Keeping one typed submission in the outbox for the services that take a visitor's words:
the payload model is validated by construction, written to disk, and the uploader woken."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.errors import ContactNotAccepted
from kiosk.services.errors import ContactRefused

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kiosk.device import KioskDevice

log = logging.getLogger(__name__)

CONTACT_FIELDS = ("name", "phone", "email")
MAX_CONTACT_CHARS = 200  # per field; the whole sealed box stays far below the wire's limit


def submission_type(payload: BaseModel) -> str:
    """The wire's submission type of a payload model (``feedback``, ``poll_vote``, ...)."""
    from kiosk.protocol import SUBMISSION_PAYLOADS

    for name, model in SUBMISSION_PAYLOADS.items():
        if type(payload) is model:
            return name
    raise TypeError(f"{type(payload).__name__} is not a submission payload of the wire format")


def keep(device: KioskDevice, payload: BaseModel, lang: str,
         contact: dict[str, str] | None = None, reference: str | None = None) -> str | None:
    """Keep ``payload`` durably and wake the uploader; the submission's id, or None when this
    kiosk could not keep it (logged; the caller tells the visitor in its own words). Raises
    ContactRefused when contact details were given and can not be sealed yet."""
    kind = submission_type(payload)
    try:
        submission_id = device.submit(kind, payload.model_dump(mode="json", exclude_none=True),
                                      lang, contact=contact or None, reference=reference)
    except ContactNotAccepted:
        raise ContactRefused(
            "This kiosk can not take contact details yet because it is not connected to the "
            "portal. Please send your message without them, or call 80000070.",
            field="contact") from None
    except Exception:  # noqa: BLE001 - a full disk or a damaged outbox: the visitor is told
        log.exception("keeping a %s submission failed", kind)
        return None
    device.wake_outbox()
    return submission_id
