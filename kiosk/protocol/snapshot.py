"""A content version as content-addressed pieces: the record index, index deltas, the signed
manifest over them, and the checks a kiosk makes on each piece it downloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from pydantic import ConfigDict, Field, ValidationError, model_validator

from kiosk.protocol.base import (
    MAX_INDEX_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_RECORD_BYTES,
    MAX_RECORDS,
    MAX_VIDEO_BYTES,
    SCHEMA_VERSION,
    VIDEO_TYPES,
    ProtocolError,
    Sha256,
    UtcDateTime,
    _check_id,
    _explain,
    _Strict,
    b64,
    canonical_json,
    max_blob_bytes,
    sha256_hex,
    unb64,
)
from kiosk.protocol.records import (
    RECORD_KINDS,
    RECORD_MODELS,
    Catalogue,
    _unique,
    parse_record,
    record_to_json,
)

MAX_HASHES_PER_REQUEST = 1000  # POST /api/v1/records

class BlobRef(_Strict):
    sha256: Sha256
    size: int = Field(ge=1, le=MAX_VIDEO_BYTES)
    media_type: Literal["image/png", "image/jpeg", "image/webp", "video/mp4", "video/webm"]

    @model_validator(mode="after")
    def _check(self) -> BlobRef:
        if self.size > max_blob_bytes(self.media_type):
            raise ValueError(f"the size of a {self.media_type} file must be less than or equal "
                             f"to {max_blob_bytes(self.media_type)} bytes; it is {self.size}")
        return self


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
    videos = catalogue.video_refs()
    for h in sorted(catalogue.blob_refs()):
        if h in videos and blobs[h][1] != videos[h]:
            raise ProtocolError(f"sign-language clip {h} is said to be {videos[h]} but is a "
                                f"{blobs[h][1]} file")
        if h not in videos and blobs[h][1] in VIDEO_TYPES:
            raise ProtocolError(f"blob {h} is used as a picture but is a {blobs[h][1]} file")
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


# Signatures


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
