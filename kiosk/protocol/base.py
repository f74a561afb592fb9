"""The wire format's ground: limits, canonical JSON and hashing, field types and the strict
base model every message uses. Pure: no file or network I/O anywhere in kiosk.protocol."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

SCHEMA_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Limits. Every size the wire accepts is bounded here, once.

MAX_NAME = 200  # product / maker / category names
MAX_SHORT = 500  # titles, labels, questions, alt texts
MAX_LONG = 8000  # descriptions, answers, policy bodies
MAX_EASY_SENTENCE = 160  # one Easy Read sentence (kiosk/protocol/readability.py asks far less)
MAX_EASY_SENTENCES = 12  # Easy Read sentences per language in one record
MAX_LIST = 50  # images, certifications, options, documents per record
MAX_RECORDS = 200_000  # records in one snapshot
MAX_RECORD_BYTES = 64 * 1024  # one record as canonical JSON
MAX_INDEX_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 5 * 1024 * 1024  # one media file (a picture)
# A sign-language clip (records.SignVideo): a signer at 720p for three minutes fits in 20 MiB
# at H.264 or VP9's usual rates; the kiosk keeps every clip on its disk, offline.
MAX_VIDEO_BYTES = 20 * 1024 * 1024
MAX_VIDEO_MS = 3 * 60 * 1000  # three minutes
MAX_VIDEO_SIDE = 1920  # pixels, the longer side (the reference display is 1080 x 1920)
MIN_VIDEO_SIDE = 240  # pixels, the shorter side: smaller, a signer's hands are not readable
MAX_SUBMISSION_TEXT = 4000
MAX_SUBMISSION_BYTES = 32 * 1024  # one submission item as canonical JSON
MAX_BATCH_ITEMS = 100
MAX_SEALED_CONTACT_BYTES = 4096

MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp")
# Sign-language clips: MP4 with H.264 video, or WebM with VP8 or VP9 (what Kivy's ffpyplayer
# video provider decodes everywhere); the codecs a container may carry are checked at upload.
VIDEO_TYPES = ("video/mp4", "video/webm")
VIDEO_CODECS = {"video/mp4": ("h264",), "video/webm": ("vp8", "vp9")}
BLOB_TYPES = MEDIA_TYPES + VIDEO_TYPES


def max_blob_bytes(media_type: str) -> int:
    """The largest file of this media type the wire carries."""
    return MAX_VIDEO_BYTES if media_type in VIDEO_TYPES else MAX_BLOB_BYTES
POLICY_IDS = ("privacy", "terms", "accessibility", "participation", "open_data")


class ProtocolError(ValueError):
    """Content or a message that does not follow the wire format. The text says what is wrong."""


# ---------------------------------------------------------------------------------------------
# Canonical JSON and hashing


def canonical_json(value: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no spaces, no floats (so it is a fixpoint)."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ProtocolError("numbers on the wire must be integers; found a decimal number")
    if isinstance(value, dict):
        for v in value.values():
            _reject_floats(v)
    elif isinstance(value, list):
        for v in value:
            _reject_floats(v)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Field types

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _check_sha256(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a SHA-256 hash: 64 lowercase hex digits")
    if "/" in value or "\\" in value or "://" in value or value.startswith("."):
        raise ValueError(
            f"expected a SHA-256 hash (64 lowercase hex digits) but got a path or URL: {value[:80]!r}"
        )
    if not _SHA_RE.match(value):
        raise ValueError(f"expected a SHA-256 hash (64 lowercase hex digits), got {value[:80]!r}")
    return value


def _check_id(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an id: lowercase letters, digits, '-' or '_'")
    if "/" in value or "\\" in value or ".." in value:
        raise ValueError(f"an id may not look like a path: {value[:80]!r}")
    if not _ID_RE.match(value):
        raise ValueError(
            f"ids are 1-64 characters of lowercase letters, digits, '-' and '_', "
            f"starting with a letter or digit; got {value[:80]!r}"
        )
    return value


def _check_https(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 500:
        raise ValueError("expected an https:// address of at most 500 characters")
    if not re.match(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$", value):
        raise ValueError(f"expected an https:// address, got {value[:80]!r}")
    return value


def _strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Sha256 = Annotated[str, BeforeValidator(_check_sha256)]
RecordId = Annotated[str, BeforeValidator(_check_id)]
HttpsUrl = Annotated[str, BeforeValidator(_check_https)]
Governorate = Literal[
    "muscat",
    "dhofar",
    "musandam",
    "al_buraimi",
    "ad_dakhiliyah",
    "al_batinah_north",
    "al_batinah_south",
    "ash_sharqiyah_north",
    "ash_sharqiyah_south",
    "ad_dhahirah",
    "al_wusta",
]
Weekday = Literal["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
GOVERNORATES: tuple[str, ...] = get_args(Governorate)
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must carry a timezone, e.g. 2026-01-31T08:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+00:01 has no time in UTC
        raise ValueError("the time is out of range: send a time between years 1 and 9999 "
                         "in UTC, e.g. 2026-01-31T08:00:00Z") from None


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def _text(max_len: int):
    return Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=max_len)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False,
                              defer_build=True)


# Characters no text a kiosk sends may hold: NUL (PostgreSQL cannot store it in text, and no
# visitor types it) and lone UTF-16 surrogates (JSON's "\ud800" escapes; they cannot be encoded
# as UTF-8, so no database or log can store them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_MAX_DEPTH = 32


def refuse_unstorable(value: Any, where: str = "the body", depth: int = 0) -> None:
    """Raise ValueError if any string in ``value`` (keys of mappings too, at any depth) holds
    a NUL character or a lone surrogate."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"{where} is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, str):
        m = _UNSTORABLE.search(value)
        if m:
            what = "a NUL character (U+0000)" if m.group() == "\x00" else \
                f"a lone surrogate (U+{ord(m.group()):04X})"
            raise ValueError(f"{where} holds {what} at position {m.start()}; "
                             "remove it and send the text again")
    elif isinstance(value, dict):
        for k, v in value.items():
            refuse_unstorable(k, f"a key in {where}", depth + 1)
            refuse_unstorable(v, f"{where}.{k}" if isinstance(k, str) else where, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            refuse_unstorable(v, f"{where}[{i}]", depth + 1)


class _Inbound(_Strict):
    """The base of every message a kiosk (or anyone on the network) sends central: besides
    the strict fields, no text anywhere in it, free-form payloads included, may hold NUL or a
    lone surrogate, so it is refused (422) before it reaches a database."""

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        refuse_unstorable(data, cls.__name__)
        return data


def _bilingual(max_len: int):
    text = _text(max_len)

    class _T(_Strict):
        ar: text  # type: ignore[valid-type]
        en: text  # type: ignore[valid-type]

    return _T


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str = "value") -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProtocolError(f"{what} is not valid base64") from None



def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _explain(err: ValidationError, where: str) -> str:
    """One readable line per problem: where it is and what is wrong."""
    lines = []
    for e in err.errors()[:10]:
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (remove it or check its spelling)"
        elif e["type"] == "missing":
            if loc.endswith(".ar") or loc.endswith(".en") or loc in ("ar", "en"):
                msg = "missing translation: every text needs both 'ar' and 'en'"
            else:
                msg = "missing field"
        elif e["type"] in ("string_too_long", "too_long"):
            limit = (e.get("ctx") or {}).get("max_length")
            msg = f"too long: at most {limit} allowed" if limit else f"too long: {msg}"
        lines.append(f"{where}{'.' + loc if loc else ''}: {msg}")
    more = len(err.errors()) - 10
    if more > 0:
        lines.append(f"... and {more} more problems")
    return "; ".join(lines)
