"""What visitors send: feedback, accessibility reports, survey answers and poll votes, as
submissions with client-made ids, contact details sealed to central's key, and central's
per-item results."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from kiosk.protocol.base import (
    MAX_LIST,
    MAX_SEALED_CONTACT_BYTES,
    MAX_SUBMISSION_BYTES,
    MAX_SUBMISSION_TEXT,
    ProtocolError,
    RecordId,
    UtcDateTime,
    _explain,
    _Inbound,
    _Strict,
    b64,
    canonical_json,
    refuse_unstorable,
    sha256_hex,
    unb64,
)
from kiosk.protocol.reference import check


class FeedbackPayload(_Inbound):
    kind: Literal["comment", "suggestion", "complaint"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_SUBMISSION_TEXT)]
    screen: RecordId | None = None


class AccessibilityPayload(_Inbound):
    text: Annotated[str, Field(min_length=1, max_length=MAX_SUBMISSION_TEXT)]
    screen: RecordId | None = None


class SurveyPayload(_Inbound):
    survey_id: RecordId
    answers: Annotated[dict[RecordId, RecordId], Field(min_length=1, max_length=MAX_LIST)]
    comment: Annotated[str, Field(max_length=MAX_SUBMISSION_TEXT)] | None = None


class PollVotePayload(_Inbound):
    poll_id: RecordId
    option_id: RecordId


SUBMISSION_PAYLOADS: dict[str, type[_Strict]] = {
    "feedback": FeedbackPayload,
    "accessibility": AccessibilityPayload,
    "survey": SurveyPayload,
    "poll_vote": PollVotePayload,
}

_UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Submission(_Inbound):
    """One thing a visitor said. ``id`` is made by the kiosk and makes retries idempotent.

    Contact details never travel in the clear: ``sealed_contact`` is a NaCl sealed box to
    central's submission key, made on the kiosk at once, base64.
    """

    id: Annotated[str, Field(pattern=_UUID_RE)]
    type: Literal["feedback", "accessibility", "survey", "poll_vote"]
    created_at: UtcDateTime
    lang: Literal["ar", "en"]
    content_version: int = Field(ge=0, le=2**53)
    payload: dict[str, Any]
    sealed_contact: Annotated[str, Field(max_length=MAX_SEALED_CONTACT_BYTES * 2)] | None = None
    test: bool = False
    # The visitor's reference for following the item up (12 plain digits, the last a Damm
    # check digit; kiosk.protocol.reference), made by the kiosk when the visitor sends it so
    # the thanks screen can show it before central has the item. Central keeps it as the
    # item's reference; without it (older kiosks, surveys, votes) central draws one.
    reference: Annotated[str, Field(pattern=r"^[0-9]{12}$")] | None = None

    @model_validator(mode="after")
    def _check(self) -> Submission:
        SUBMISSION_PAYLOADS[self.type].model_validate(self.payload)
        if self.reference is not None and check(self.reference) != "ok":
            raise ValueError("reference: its last digit is not the Damm check digit of the "
                             "others")
        if self.sealed_contact is not None:
            raw = unb64(self.sealed_contact, "sealed_contact")
            if not 48 <= len(raw) <= MAX_SEALED_CONTACT_BYTES:
                raise ValueError("sealed_contact is not a sealed box of a sensible size")
        return self


def parse_submission(data: Any) -> Submission:
    where = "submission"
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        where = f"submission {data['id'][:36]}"
    try:  # before the size check, which encodes the item as UTF-8
        refuse_unstorable(data, where)
    except ValueError as e:
        raise ProtocolError(str(e)) from None
    if isinstance(data, dict) and len(canonical_json_safe(data)) > MAX_SUBMISSION_BYTES:
        raise ProtocolError(f"{where}: over {MAX_SUBMISSION_BYTES} bytes")
    try:
        return Submission.model_validate(data)
    except ValidationError as e:
        raise ProtocolError(_explain(e, where)) from None
    except ProtocolError as e:
        raise ProtocolError(f"{where}: {e}") from None


def canonical_json_safe(value: Any) -> bytes:
    """Canonical JSON that tolerates floats (for size checks and body fingerprints of input
    that has not been validated yet)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def submission_fingerprint(sub: Submission) -> str:
    """What 'the same body' means for idempotent retries: the hash of the canonical item."""
    return sha256_hex(canonical_json(sub.model_dump(mode="json", exclude_none=True)))


def seal_contact(contact: dict[str, str], public_key_b64: str) -> str:
    """Seal contact details to central's key; the kiosk can not open them again."""
    from nacl.public import PublicKey, SealedBox

    box = SealedBox(PublicKey(unb64(public_key_b64, "submission public key")))
    return b64(box.encrypt(canonical_json(contact)))


class SubmissionReceipt(_Strict):
    """What central answers for one stored submission; a retry gets the same receipt back.

    ``reference`` (``4821-0937-5526``, the last digit a Damm check digit) is what the visitor
    reads out or types to ask about it. Central sends it only to a kiosk that says it reads it
    (header ``X-Receipt-Fields: reference``): an older kiosk's model forbids unknown fields."""

    id: str
    receipt: str  # central's own reference, shown to staff
    received_at: UtcDateTime
    reference: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}$")] | None = None


class SubmissionResult(_Strict):
    """Per-item result of ``POST /api/v1/submissions``.

    status: ``stored`` (new), ``duplicate`` (same id and body as before: the original receipt),
    ``conflict`` (same id, other body; code 409), ``invalid`` (code 422, with ``error``).
    A kiosk treats stored and duplicate as acknowledged; conflict and invalid as rejected.
    """

    id: str
    status: Literal["stored", "duplicate", "conflict", "invalid"]
    code: Literal[200, 409, 422]
    receipt: SubmissionReceipt | None = None
    error: str | None = None


# What a visitor may learn about an item by its reference, and nothing else: never the
# message, the kiosk, the dates or any contact detail (GET /api/v1/follow-up/{reference}).
FOLLOW_UP_STATES = ("new", "in_progress", "answered", "closed")
MAX_REPLY_TEXT = 8000


class FollowUpAnswer(_Strict):
    """The state of the item with this reference and staff's reply, if there is one."""

    reference: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}$")]
    status: Literal["new", "in_progress", "answered", "closed"]
    reply: Annotated[str, Field(max_length=MAX_REPLY_TEXT)] | None = None


# The request header a kiosk sends to say which optional receipt fields it reads.
RECEIPT_FIELDS_HEADER = "X-Receipt-Fields"
