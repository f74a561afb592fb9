"""The wire format shared by kiosk and central: content records, the record index, the signed
manifest, and submissions. Defined once here; both ends validate with these models.

Content travels as content-addressed pieces so a kiosk downloads only what changed:

- every record (one product, one FAQ entry, ...) is canonical JSON named by its SHA-256;
- the *index* lists every record as ``{kind: {record_id: sha256}}`` and is itself hashed;
- the *manifest* names the index hash and every media blob (hash, size, media type), with a
  monotonic version, creation and expiry times, and is signed with Ed25519 over canonical JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
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
MAX_LIST = 50  # images, certifications, options, documents per record
MAX_RECORDS = 200_000  # records in one snapshot
MAX_RECORD_BYTES = 64 * 1024  # one record as canonical JSON
MAX_INDEX_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 5 * 1024 * 1024  # one media file
MAX_SUBMISSION_TEXT = 4000
MAX_SUBMISSION_BYTES = 32 * 1024  # one submission item as canonical JSON
MAX_BATCH_ITEMS = 100
MAX_SEALED_CONTACT_BYTES = 4096

MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp")

GOVERNORATES = (
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
)

POLICY_IDS = ("privacy", "terms", "accessibility", "participation", "open_data")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


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
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must carry a timezone, e.g. 2026-01-31T08:00:00Z")
    return value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def _text(max_len: int):
    return Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=max_len)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False,
                              defer_build=True)


def _bilingual(max_len: int):
    text = _text(max_len)

    class _T(_Strict):
        ar: text  # type: ignore[valid-type]
        en: text  # type: ignore[valid-type]

    return _T


class Name(_bilingual(MAX_NAME)):
    """A name in Arabic and English."""


class ShortText(_bilingual(MAX_SHORT)):
    """A title, label or question in Arabic and English."""


class LongText(_bilingual(MAX_LONG)):
    """A description or body in Arabic and English."""


# ---------------------------------------------------------------------------------------------
# Content records


class Image(_Strict):
    blob: Sha256
    alt: ShortText


class Category(_Strict):
    id: RecordId
    name: Name
    description: ShortText
    order: int = Field(ge=0, le=10_000)
    image: Image | None = None


class GovernorateInfo(_Strict):
    id: Governorate
    name: Name
    order: int = Field(ge=0, le=100)


class Certification(_Strict):
    id: RecordId
    name: Name
    description: ShortText


class Manufacturer(_Strict):
    id: RecordId
    name: Name
    governorate: Governorate
    description: LongText
    website: HttpsUrl | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ]{4,20}$")] | None = None


class Outlet(_Strict):
    """Somewhere to buy a product."""

    name: Name
    address: ShortText
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ]{4,20}$")] | None = None
    url: HttpsUrl | None = None


class Product(_Strict):
    id: RecordId
    code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")]
    name: Name
    description: LongText
    category_id: RecordId
    manufacturer_id: RecordId
    governorate: Governorate
    images: Annotated[tuple[Image, ...], Field(max_length=MAX_LIST)] = ()
    certifications: Annotated[tuple[RecordId, ...], Field(max_length=MAX_LIST)] = ()
    where_to_buy: Annotated[tuple[Outlet, ...], Field(max_length=MAX_LIST)] = ()
    portal_url: HttpsUrl


class News(_Strict):
    id: RecordId
    title: ShortText
    summary: ShortText
    body: LongText
    published_on: date
    image: Image | None = None


class Faq(_Strict):
    id: RecordId
    question: ShortText
    answer: LongText
    order: int = Field(ge=0, le=10_000)


class GuideEntry(_Strict):
    """One service in the service guide, e.g. applying for the Made in Oman mark."""

    id: RecordId
    title: ShortText
    summary: LongText
    documents: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=MAX_LIST)]
    steps: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=MAX_LIST)]
    duration: ShortText
    duration_days: int = Field(ge=0, le=365)
    fee: ShortText
    order: int = Field(ge=0, le=10_000)


class Policy(_Strict):
    id: Literal["privacy", "terms", "accessibility", "participation", "open_data"]
    title: ShortText
    summary: ShortText
    body: LongText
    order: int = Field(ge=0, le=100)


class PollOption(_Strict):
    id: RecordId
    label: ShortText


class Poll(_Strict):
    id: RecordId
    question: ShortText
    options: Annotated[tuple[PollOption, ...], Field(min_length=2, max_length=12)]
    opens_at: UtcDateTime
    closes_at: UtcDateTime

    @model_validator(mode="after")
    def _check(self) -> Poll:
        if self.closes_at <= self.opens_at:
            raise ValueError("a poll must close after it opens")
        _unique([o.id for o in self.options], "poll option")
        return self


class SurveyChoice(_Strict):
    id: RecordId
    label: ShortText


class SurveyQuestion(_Strict):
    id: RecordId
    text: ShortText
    kind: Literal["rating", "choice"]
    choices: Annotated[tuple[SurveyChoice, ...], Field(min_length=2, max_length=12)]
    required: bool = False


class Survey(_Strict):
    id: RecordId
    title: ShortText
    intro: ShortText
    questions: Annotated[tuple[SurveyQuestion, ...], Field(min_length=1, max_length=MAX_LIST)]

    @model_validator(mode="after")
    def _check(self) -> Survey:
        _unique([q.id for q in self.questions], "survey question")
        for q in self.questions:
            _unique([c.id for c in q.choices], f"choice in question {q.id}")
        return self


class OfficeHours(_Strict):
    days: Annotated[tuple[Weekday, ...], Field(min_length=1, max_length=7)]
    opens: ClockTime
    closes: ClockTime


class Holiday(_Strict):
    date: date
    name: ShortText


class SiteInfo(_Strict):
    id: Literal["site"]
    portal_name: Name
    call_centre: Annotated[str, Field(pattern=r"^[0-9]{4,15}$")]
    email: Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}$")] | None = None
    portal_url: HttpsUrl
    timezone: Literal["Asia/Muscat"]
    office_hours: Annotated[tuple[OfficeHours, ...], Field(min_length=1, max_length=7)]
    holidays: Annotated[tuple[Holiday, ...], Field(max_length=100)] = ()
    address: ShortText
    open_data_licence: ShortText


RECORD_MODELS: dict[str, type[_Strict]] = {
    "category": Category,
    "governorate": GovernorateInfo,
    "certification": Certification,
    "manufacturer": Manufacturer,
    "product": Product,
    "news": News,
    "faq": Faq,
    "guide": GuideEntry,
    "policy": Policy,
    "poll": Poll,
    "survey": Survey,
    "site": SiteInfo,
}
RECORD_KINDS = tuple(RECORD_MODELS)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} id {i!r} appears twice")
        seen.add(i)


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


def parse_record(kind: str, data: Any) -> _Strict:
    """Validate one record of ``kind``; raise ProtocolError naming the field on any problem."""
    model = RECORD_MODELS.get(kind)
    if model is None:
        raise ProtocolError(f"unknown record kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}")
    where = f"{kind} {data.get('id', '?')!s}" if isinstance(data, dict) else kind
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ProtocolError(_explain(e, where)) from None


def record_to_json(record: BaseModel) -> dict:
    """A record as plain JSON data, the form that is hashed and sent."""
    return record.model_dump(mode="json", exclude_none=True)


# ---------------------------------------------------------------------------------------------
# A catalogue: every record of every kind, checked as a whole


class Catalogue:
    """All content records of one snapshot, validated individually and as a whole."""

    def __init__(self, records: dict[str, dict[str, _Strict]]):
        self.records = records

    # Convenience views used by both ends.
    def of(self, kind: str) -> dict[str, Any]:
        return self.records.get(kind, {})

    def count(self) -> int:
        return sum(len(v) for v in self.records.values())

    @classmethod
    def from_json(cls, data: Any) -> Catalogue:
        """``data`` is ``{kind: [record, ...]}``, e.g. a catalogue file."""
        if not isinstance(data, dict):
            raise ProtocolError("a catalogue is a JSON object of record kinds")
        records: dict[str, dict[str, _Strict]] = {}
        for kind, items in data.items():
            if kind == "schema":
                if items != SCHEMA_VERSION:
                    raise ProtocolError(f"catalogue schema {items!r} is not {SCHEMA_VERSION}")
                continue
            if kind not in RECORD_MODELS:
                raise ProtocolError(
                    f"unknown record kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}"
                )
            if not isinstance(items, list):
                raise ProtocolError(f"{kind}: expected a list of records")
            by_id: dict[str, _Strict] = {}
            for item in items:
                rec = parse_record(kind, item)
                if rec.id in by_id:
                    raise ProtocolError(f"{kind} {rec.id}: the id appears twice")
                by_id[rec.id] = rec
            records[kind] = by_id
        cat = cls(records)
        cat.check()
        return cat

    def to_json(self) -> dict[str, list[dict]]:
        out: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for kind in RECORD_KINDS:
            if kind in self.records:
                out[kind] = [record_to_json(r) for r in self.records[kind].values()]
        return out

    def check(self) -> None:
        """Whole-catalogue rules: references resolve, required singletons exist."""
        problems: list[str] = []
        total = self.count()
        if total > MAX_RECORDS:
            problems.append(f"{total} records is over the limit of {MAX_RECORDS}")
        cats, makers, certs = self.of("category"), self.of("manufacturer"), self.of("certification")
        for p in self.of("product").values():
            if p.category_id not in cats:
                problems.append(f"product {p.id}: category {p.category_id!r} does not exist")
            if p.manufacturer_id not in makers:
                problems.append(f"product {p.id}: manufacturer {p.manufacturer_id!r} does not exist")
            for c in p.certifications:
                if c not in certs:
                    problems.append(f"product {p.id}: certification {c!r} does not exist")
        if "site" in self.records and list(self.of("site")) != ["site"]:
            problems.append("site: exactly one site record with id 'site' is needed")
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise ProtocolError("; ".join(problems[:10]) + more)

    def blob_refs(self) -> set[str]:
        """Every media hash the records point at."""
        refs: set[str] = set()
        for kind in ("category", "product", "news"):
            for r in self.of(kind).values():
                for img in getattr(r, "images", ()) or ():
                    refs.add(img.blob)
                img = getattr(r, "image", None)
                if img is not None:
                    refs.add(img.blob)
        return refs


# ---------------------------------------------------------------------------------------------
# Index and manifest


class BlobRef(_Strict):
    sha256: Sha256
    size: int = Field(ge=1, le=MAX_BLOB_BYTES)
    media_type: Literal["image/png", "image/jpeg", "image/webp"]


class IndexRef(_Strict):
    sha256: Sha256
    size: int = Field(ge=2, le=MAX_INDEX_BYTES)
    records: int = Field(ge=0, le=MAX_RECORDS)


class DeltaRef(_Strict):
    """The changes from an earlier version's index to this one's: a kiosk on ``from_version``
    downloads this instead of the whole index (a few KB instead of a MB at 10,000 products),
    rebuilds the new index and checks it against the signed index hash."""

    from_version: int = Field(ge=1, le=2**53)
    sha256: Sha256
    size: int = Field(ge=2, le=MAX_INDEX_BYTES)


MAX_DELTAS = 8


class Manifest(_Strict):
    schema_version: Literal[1] = Field(alias="schema")
    version: int = Field(ge=1, le=2**53)
    created_at: UtcDateTime
    expires_at: UtcDateTime
    index: IndexRef
    blobs: Annotated[tuple[BlobRef, ...], Field(max_length=MAX_RECORDS)]
    deltas: Annotated[tuple[DeltaRef, ...], Field(max_length=MAX_DELTAS)] = ()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)

    @model_validator(mode="after")
    def _check(self) -> Manifest:
        if self.expires_at <= self.created_at:
            raise ValueError("a manifest must expire after it was created")
        _unique([b.sha256 for b in self.blobs], "blob")
        return self

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at

    def to_json(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class Index(_Strict):
    """Every record of a snapshot: ``{kind: {record_id: sha256}}``."""

    schema_version: Literal[1] = Field(alias="schema")
    records: dict[str, dict[str, Sha256]]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)

    @model_validator(mode="after")
    def _check(self) -> Index:
        for kind, ids in self.records.items():
            if kind not in RECORD_MODELS:
                raise ValueError(f"unknown record kind {kind!r}")
            for rid in ids:
                _check_id(rid)
        return self

    def to_json(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)

    def hashes(self) -> set[str]:
        return {h for ids in self.records.values() for h in ids.values()}


class IndexDelta(_Strict):
    """What changed between two indexes: ``{kind: {record_id: new sha256, or None if gone}}``,
    bound to the exact index it applies to by that index's hash."""

    schema_version: Literal[1] = Field(alias="schema")
    from_index: Sha256
    changes: dict[str, dict[str, Sha256 | None]]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)


def index_bytes(index: Index) -> bytes:
    return canonical_json(index.to_json())


def make_delta(old: Index, new: Index) -> bytes:
    changes: dict[str, dict[str, str | None]] = {}
    for kind in set(old.records) | set(new.records):
        a, b = old.records.get(kind, {}), new.records.get(kind, {})
        diff = {rid: sha for rid, sha in b.items() if a.get(rid) != sha}
        diff.update({rid: None for rid in a if rid not in b})
        if diff:
            changes[kind] = diff
    delta = IndexDelta.model_validate({"schema": SCHEMA_VERSION,
                                       "from_index": sha256_hex(index_bytes(old)),
                                       "changes": changes})
    return canonical_json(delta.model_dump(mode="json", by_alias=True))


def apply_delta(old: Index, data: bytes, ref: DeltaRef, expected: IndexRef) -> tuple[Index, bytes]:
    """Rebuild the new index from the kiosk's current one and a delta. The result must hash to
    the index named in the signed manifest, so a delta can never smuggle anything in."""
    if len(data) != ref.size or sha256_hex(data) != ref.sha256:
        raise ProtocolError("index delta does not match its hash in the manifest")
    try:
        delta = IndexDelta.model_validate(json.loads(data))
    except (ValueError, ValidationError) as e:
        raise ProtocolError(f"index delta is not valid: {e}") from None
    if delta.from_index != sha256_hex(index_bytes(old)):
        raise ProtocolError("index delta was made for another version than the installed one")
    records = {k: dict(v) for k, v in old.records.items()}
    for kind, ids in delta.changes.items():
        target = records.setdefault(kind, {})
        for rid, sha in ids.items():
            if sha is None:
                target.pop(rid, None)
            else:
                target[rid] = sha
    records = {k: v for k, v in records.items() if v}
    try:
        new = Index.model_validate({"schema": SCHEMA_VERSION, "records": records})
    except ValidationError as e:
        raise ProtocolError(f"index rebuilt from the delta is not valid: {e}") from None
    body = index_bytes(new)
    return parse_index(body, expected), body


class Snapshot:
    """One complete content version in wire form: records by hash, the index, the manifest."""

    def __init__(self, manifest: Manifest, index: Index, index_bytes: bytes,
                 record_bytes: dict[str, bytes]):
        self.manifest = manifest
        self.index = index
        self.index_bytes = index_bytes
        self.record_bytes = record_bytes  # sha256 -> canonical JSON of one record


def build_snapshot(catalogue: Catalogue, blobs: dict[str, tuple[int, str]], version: int,
                   created_at: datetime, expires_at: datetime) -> Snapshot:
    """Turn a checked catalogue into wire form. ``blobs`` maps sha256 -> (size, media_type)
    for every media file the catalogue references."""
    missing = sorted(catalogue.blob_refs() - set(blobs))
    if missing:
        raise ProtocolError(
            f"{len(missing)} images are referenced but not uploaded, e.g. {missing[0]}"
        )
    record_bytes: dict[str, bytes] = {}
    index: dict[str, dict[str, str]] = {}
    for kind in RECORD_KINDS:
        for rid, rec in catalogue.of(kind).items():
            body = canonical_json(record_to_json(rec))
            if len(body) > MAX_RECORD_BYTES:
                raise ProtocolError(f"{kind} {rid}: {len(body)} bytes is over {MAX_RECORD_BYTES}")
            h = sha256_hex(body)
            record_bytes[h] = body
            index.setdefault(kind, {})[rid] = h
    idx = Index.model_validate({"schema": SCHEMA_VERSION, "records": index})
    index_bytes = canonical_json(idx.to_json())
    refs = catalogue.blob_refs()
    manifest = Manifest.model_validate(
        {
            "schema": SCHEMA_VERSION,
            "version": version,
            "created_at": created_at,
            "expires_at": expires_at,
            "index": {
                "sha256": sha256_hex(index_bytes),
                "size": len(index_bytes),
                "records": sum(len(v) for v in index.values()),
            },
            "blobs": [
                {"sha256": h, "size": blobs[h][0], "media_type": blobs[h][1]}
                for h in sorted(refs)
            ],
        }
    )
    return Snapshot(manifest, idx, index_bytes, record_bytes)


def parse_index(data: bytes, expected: IndexRef) -> Index:
    """Check the index bytes against the manifest, then parse them."""
    if len(data) != expected.size:
        raise ProtocolError(f"index is {len(data)} bytes, the manifest says {expected.size}")
    if sha256_hex(data) != expected.sha256:
        raise ProtocolError("index does not match its hash in the manifest")
    try:
        idx = Index.model_validate(json.loads(data))
    except (ValueError, ValidationError) as e:
        raise ProtocolError(f"index is not valid: {e}") from None
    n = sum(len(v) for v in idx.records.values())
    if n != expected.records:
        raise ProtocolError(f"index lists {n} records, the manifest says {expected.records}")
    return idx


def parse_record_bytes(kind: str, data: bytes, expected_sha256: str) -> _Strict:
    """Check one record's bytes against its hash in the index, then validate it."""
    if len(data) > MAX_RECORD_BYTES:
        raise ProtocolError(f"a {kind} record of {len(data)} bytes is over {MAX_RECORD_BYTES}")
    if sha256_hex(data) != expected_sha256:
        raise ProtocolError(f"a {kind} record does not match its hash {expected_sha256[:12]}")
    try:
        obj = json.loads(data)
    except ValueError:
        raise ProtocolError(f"a {kind} record is not JSON") from None
    return parse_record(kind, obj)


# ---------------------------------------------------------------------------------------------
# Signatures


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str = "value") -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProtocolError(f"{what} is not valid base64") from None


def key_id(verify_key: VerifyKey) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return sha256_hex(bytes(verify_key))[:16]


def sign_manifest(manifest: Manifest, signing_key: SigningKey) -> bytes:
    """The signed manifest document, as the bytes central serves."""
    body = manifest.to_json()
    sig = signing_key.sign(canonical_json(body)).signature
    doc = {"manifest": body, "signatures": [{"key_id": key_id(signing_key.verify_key),
                                              "sig": b64(sig)}]}
    return canonical_json(doc)


def verify_manifest(data: bytes, verify_key: VerifyKey) -> Manifest:
    """Parse a signed manifest document and check its signature with the pinned key.

    Raises ProtocolError on anything wrong: size, JSON, schema, a missing or bad signature.
    Expiry is *not* an error here (an expired manifest still tells the version); callers
    check ``manifest.is_expired()`` and mark content stale.
    """
    if len(data) > MAX_MANIFEST_BYTES:
        raise ProtocolError(f"manifest of {len(data)} bytes is over {MAX_MANIFEST_BYTES}")
    try:
        doc = json.loads(data)
    except ValueError:
        raise ProtocolError("manifest is not JSON (truncated or corrupted?)") from None
    if not isinstance(doc, dict) or set(doc) != {"manifest", "signatures"}:
        raise ProtocolError("manifest document must have exactly 'manifest' and 'signatures'")
    sigs = doc["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise ProtocolError("manifest is not signed")
    body = canonical_json(doc["manifest"])
    kid = key_id(verify_key)
    for s in sigs:
        if not isinstance(s, dict) or s.get("key_id") != kid or not isinstance(s.get("sig"), str):
            continue
        try:
            verify_key.verify(body, unb64(s["sig"], "signature"))
        except BadSignatureError:
            raise ProtocolError("manifest signature does not verify with the pinned key") from None
        try:
            return Manifest.model_validate(doc["manifest"])
        except ValidationError as e:
            raise ProtocolError(_explain(e, "manifest")) from None
    raise ProtocolError(f"manifest is not signed by the pinned key {kid}")


def check_blob(data: bytes, ref: BlobRef) -> None:
    if len(data) != ref.size:
        raise ProtocolError(f"blob {ref.sha256[:12]} is {len(data)} bytes, expected {ref.size}")
    if sha256_hex(data) != ref.sha256:
        raise ProtocolError(f"blob {ref.sha256[:12]} does not match its hash")


# ---------------------------------------------------------------------------------------------
# Enrolment


class EnrollRequest(_Strict):
    code: Annotated[str, Field(min_length=6, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    location: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    app_version: Annotated[str, Field(max_length=40)] | None = None


class EnrollResponse(_Strict):
    device_id: str
    device_token: str
    content_public_key: str  # base64 Ed25519 verify key
    content_key_id: str
    submission_public_key: str  # base64 Curve25519 key for sealed boxes
    config: dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Submissions


class FeedbackPayload(_Strict):
    kind: Literal["comment", "suggestion", "complaint"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_SUBMISSION_TEXT)]
    screen: RecordId | None = None


class AccessibilityPayload(_Strict):
    text: Annotated[str, Field(min_length=1, max_length=MAX_SUBMISSION_TEXT)]
    screen: RecordId | None = None


class SurveyPayload(_Strict):
    survey_id: RecordId
    answers: Annotated[dict[RecordId, RecordId], Field(min_length=1, max_length=MAX_LIST)]
    comment: Annotated[str, Field(max_length=MAX_SUBMISSION_TEXT)] | None = None


class PollVotePayload(_Strict):
    poll_id: RecordId
    option_id: RecordId


SUBMISSION_PAYLOADS: dict[str, type[_Strict]] = {
    "feedback": FeedbackPayload,
    "accessibility": AccessibilityPayload,
    "survey": SurveyPayload,
    "poll_vote": PollVotePayload,
}

_UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Submission(_Strict):
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

    @model_validator(mode="after")
    def _check(self) -> Submission:
        SUBMISSION_PAYLOADS[self.type].model_validate(self.payload)
        if self.sealed_contact is not None:
            raw = unb64(self.sealed_contact, "sealed_contact")
            if not 48 <= len(raw) <= MAX_SEALED_CONTACT_BYTES:
                raise ValueError("sealed_contact is not a sealed box of a sensible size")
        return self


def parse_submission(data: Any) -> Submission:
    where = "submission"
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        where = f"submission {data['id'][:36]}"
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


class Heartbeat(_Strict):
    app_version: Annotated[str, Field(max_length=40)]
    content_version: int = Field(ge=0, le=2**53)
    content_source: Literal["demo", "central"]
    stale: bool
    last_sync_at: UtcDateTime | None = None
    outbox_pending: int = Field(ge=0, le=10**9)
    outbox_dead: int = Field(ge=0, le=10**9)
    outbox_oldest_age_s: int | None = Field(default=None, ge=0, le=10**10)
    uptime_s: int = Field(ge=0, le=10**10)
    problems: Annotated[tuple[Annotated[str, Field(max_length=300)], ...], Field(max_length=20)] = ()
    done_commands: Annotated[tuple[Annotated[str, Field(max_length=64)], ...],
                             Field(max_length=50)] = ()


DEVICE_COMMANDS = ("sync_now", "flush_outbox", "restart_app", "speech_test", "clear_session")


class SubmissionReceipt(_Strict):
    """What central answers for one stored submission; a retry gets the same receipt back."""

    id: str
    receipt: str  # central's own reference, shown to staff
    received_at: UtcDateTime


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


class DeviceCommand(_Strict):
    id: str
    name: Literal["sync_now", "flush_outbox", "restart_app", "speech_test", "clear_session"]


class HeartbeatReply(_Strict):
    config: dict[str, Any]
    commands: tuple[DeviceCommand, ...] = ()


DEFAULT_DEVICE_CONFIG: dict[str, Any] = {
    "sync_interval_s": 300,
    "heartbeat_interval_s": 60,
    "idle_timeout_s": 90,
    "default_lang": "ar",
    "speech_invitation": True,
}

MAX_HASHES_PER_REQUEST = 1000  # POST /api/v1/records


# ---------------------------------------------------------------------------------------------
# A catalogue on disk: ``catalogue.json`` plus ``media/<sha256>.<ext>``. The demo catalogue in
# assets/demo/ has this shape; central imports it and the kiosk runs on it before provisioning.

_EXT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def load_catalogue_dir(path) -> tuple[Catalogue, dict[str, tuple[Any, int, str]]]:
    """Read and check a catalogue directory. Returns the catalogue and, for every media file it
    references, ``sha256 -> (file path, size, media type)``, each file checked against its name."""
    from pathlib import Path

    root = Path(path)
    cat_file = root / "catalogue.json"
    if not cat_file.is_file():
        raise ProtocolError(f"{cat_file} is missing: a catalogue directory holds catalogue.json")
    try:
        data = json.loads(cat_file.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ProtocolError(f"{cat_file} is not valid JSON: {e}") from None
    catalogue = Catalogue.from_json(data)
    media: dict[str, tuple[Any, int, str]] = {}
    media_dir = root / "media"
    files = {f.stem: f for f in media_dir.iterdir()} if media_dir.is_dir() else {}
    for h in sorted(catalogue.blob_refs()):
        f = files.get(h)
        if f is None:
            raise ProtocolError(f"image {h} is referenced but {media_dir}/{h}.* does not exist")
        mt = _EXT_TYPES.get(f.suffix.lower())
        if mt is None:
            raise ProtocolError(f"{f}: only PNG, JPEG and WebP images are accepted")
        body = f.read_bytes()
        if len(body) > MAX_BLOB_BYTES:
            raise ProtocolError(f"{f}: {len(body)} bytes is over {MAX_BLOB_BYTES}")
        if sha256_hex(body) != h:
            raise ProtocolError(f"{f}: the file does not match the hash in its name")
        media[h] = (f, len(body), mt)
    return catalogue, media


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")
