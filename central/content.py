"""Content authoring and publishing: records and media in, signed releases out.

Drafts live in the ``record`` table, one validated JSON object per (kind, id). ``publish``
checks the whole catalogue, turns it into content-addressed pieces (protocol.build_snapshot),
signs the manifest and stores it as the next release. Kiosks only ever see releases.
"""

from __future__ import annotations

import json
import struct
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.changes import bump_stamp
from central.config import DEMO_DIR
from central.db import Blob, Piece, Record, Release, utcnow
from central.errors import CentralError, NotFound
from central.keys import published_version_floor, remember_published_version
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

_CHUNK = 500  # rows per IN (...) query: well under SQLite's and PostgreSQL's parameter limits


def _chunks(items: list, n: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


# ---------------------------------------------------------------------------------------------
# Drafts


@dataclass
class ImportReport:
    records: int
    media: int
    source: str


def save_records(central: Central, records: list[tuple[str, dict]],
                 replace_all: bool = False) -> int:
    """Validate and upsert draft records ``(kind, data)``; all or nothing. ``replace_all``
    first removes every other draft, so the drafts become exactly ``records``."""
    rows = []
    now = utcnow()
    for kind, data in records:
        rec = protocol.parse_record(kind, data)
        rows.append(
            {"kind": kind, "record_id": rec.id, "data": protocol.record_to_json(rec),
             "updated_at": now}
        )
    with central.WriteSession.begin() as s:
        if replace_all:
            s.execute(delete(Record))
        by_kind: dict[str, list[str]] = {}
        for r in rows:
            by_kind.setdefault(r["kind"], []).append(r["record_id"])
        # Delete-then-insert is the portable upsert (no dialect-specific ON CONFLICT).
        for kind, ids in by_kind.items():
            for chunk in _chunks(ids):
                s.execute(delete(Record).where(Record.kind == kind, Record.record_id.in_(chunk)))
        for chunk in _chunks(rows, 2000):
            s.execute(insert(Record), chunk)
    return len(rows)


def delete_record(central: Central, kind: str, record_id: str) -> None:
    with central.WriteSession.begin() as s:
        n = s.execute(
            delete(Record).where(Record.kind == kind, Record.record_id == record_id)
        ).rowcount
    if not n:
        raise NotFound(f"there is no {kind} with id {record_id!r}")


def list_records(central: Central, kind: str | None = None) -> list[dict]:
    with central.Session() as s:
        q = select(Record).order_by(Record.kind, Record.record_id)
        if kind:
            q = q.where(Record.kind == kind)
        return [
            {"kind": r.kind, "id": r.record_id, "data": r.data, "updated_at": r.updated_at}
            for r in s.scalars(q)
        ]


def get_record(central: Central, kind: str, record_id: str) -> dict | None:
    with central.Session() as s:
        r = s.get(Record, (kind, record_id))
        return None if r is None else dict(r.data)


def save_media(central: Central, data: bytes, media_type: str,
               expected_sha256: str | None = None) -> str:
    """Store one image; returns its hash (the name records refer to it by)."""
    if media_type not in protocol.MEDIA_TYPES:
        raise CentralError(f"only {', '.join(protocol.MEDIA_TYPES)} images are accepted")
    if not data:
        raise CentralError("the image file is empty")
    if len(data) > protocol.MAX_BLOB_BYTES:
        raise CentralError(
            f"the image is {len(data)} bytes; the limit is {protocol.MAX_BLOB_BYTES} bytes"
        )
    digest = central.blobs.put(data, expected_sha256)
    with central.WriteSession.begin() as s:
        if s.get(Blob, digest) is None:
            s.add(Blob(sha256=digest, size=len(data), media_type=media_type, created_at=utcnow()))
    return digest


def import_catalogue_dir(central: Central, path: Path | str | None = None,
                         replace_all: bool = False) -> ImportReport:
    """Load a catalogue directory (catalogue.json + media/) into the drafts. Default: the demo
    catalogue the kiosk also bundles. Records already in the drafts with the same kind and id
    are overwritten; others stay unless ``replace_all``."""
    root = Path(path) if path else DEMO_DIR
    if not (root / "catalogue.json").is_file():
        raise CentralError(
            f"no catalogue found at {root} (expected {root / 'catalogue.json'}); "
            "pass --dir with a catalogue directory"
        )
    try:
        media_dir = root / "media"
        files = {f.stem: str(f) for f in media_dir.iterdir()} if media_dir.is_dir() else {}
        catalogue, media = protocol.load_catalogue(
            (root / "catalogue.json").read_bytes(), files, lambda name: Path(name).read_bytes(),
            where=str(root / "catalogue.json"))
    except protocol.ProtocolError as e:
        raise CentralError(f"the catalogue in {root} is not valid: {e}") from None
    for sha, (file, _size, media_type) in media.items():
        save_media(central, Path(file).read_bytes(), media_type, expected_sha256=sha)
    records = [
        (kind, protocol.record_to_json(rec))
        for kind in protocol.RECORD_KINDS
        for rec in catalogue.of(kind).values()
    ]
    n = save_records(central, records, replace_all=replace_all)
    return ImportReport(records=n, media=len(media), source=str(root))


# ---------------------------------------------------------------------------------------------
# Synthetic content for scale tests


def make_png(width: int, height: int, rgb: tuple[int, int, int], stripe: int = 0) -> bytes:
    """A tiny valid PNG, built by hand so seeding needs no imaging library."""
    r, g, b = rgb
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if stripe and ((x + y) // stripe) % 2:
                row += bytes((255 - r, 255 - g, 255 - b))
            else:
                row += bytes((r, g, b))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


_SEED_CATEGORIES = [
    ("dates", "تمور", "Dates"),
    ("frankincense", "لبان", "Frankincense"),
    ("halwa", "حلوى عمانية", "Omani halwa"),
    ("textiles", "منسوجات", "Textiles"),
    ("pottery", "فخار", "Pottery"),
    ("honey", "عسل", "Honey"),
    ("fish", "أسماك", "Fish products"),
    ("crafts", "حرف يدوية", "Handicrafts"),
]
_SEED_WORDS = [
    ("فاخر", "Premium"), ("تقليدي", "Traditional"), ("طبيعي", "Natural"), ("جبلي", "Mountain"),
    ("ساحلي", "Coastal"), ("ذهبي", "Golden"), ("عضوي", "Organic"), ("ملكي", "Royal"),
]
_SEED_IMAGES = 64  # distinct generated images, shared round-robin: enough to look varied


def seed_products(central: Central, n: int) -> int:
    """Add ``n`` deterministic synthetic products (ids ``seed-product-NNNNN``) with their
    categories, makers and images. Running it again with the same n changes nothing."""
    if n < 0 or n > protocol.MAX_RECORDS - 1000:
        raise CentralError(f"--products must be between 0 and {protocol.MAX_RECORDS - 1000}")
    images = []
    for i in range(min(_SEED_IMAGES, max(n, 1))):
        png = make_png(24, 24, ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256), stripe=1 + i % 5)
        images.append(save_media(central, png, "image/png"))
    records: list[tuple[str, dict]] = []
    for i, (cid, ar, en) in enumerate(_SEED_CATEGORIES):
        records.append(("category", {
            "id": f"seed-{cid}", "order": 100 + i,
            "name": {"ar": ar, "en": en},
            "description": {"ar": f"منتجات {ar} عمانية", "en": f"Omani {en.lower()}"},
        }))
    makers = max(1, min(200, n // 50 or 1))
    govs = protocol.GOVERNORATES
    for m in range(makers):
        records.append(("manufacturer", {
            "id": f"seed-maker-{m:03d}",
            "name": {"ar": f"مصنع تجريبي {m}", "en": f"Sample Maker {m}"},
            "governorate": govs[m % len(govs)],
            "description": {"ar": "مصنع عماني لأغراض الاختبار.",
                            "en": "An Omani maker used for scale tests."},
        }))
    for i in range(n):
        cid, car, cen = _SEED_CATEGORIES[i % len(_SEED_CATEGORIES)]
        war, wen = _SEED_WORDS[(i // len(_SEED_CATEGORIES)) % len(_SEED_WORDS)]
        m = i % makers
        records.append(("product", {
            "id": f"seed-product-{i:05d}",
            "code": f"SEED-{i:05d}",
            "name": {"ar": f"{car} {war} رقم {i}", "en": f"{wen} {cen} No. {i}"},
            "description": {
                "ar": f"منتج تجريبي رقم {i} من فئة {car}، صنع في عمان.",
                "en": f"Sample product number {i} in {cen.lower()}, made in Oman.",
            },
            "category_id": f"seed-{cid}",
            "manufacturer_id": f"seed-maker-{m:03d}",
            "governorate": govs[m % len(govs)],
            "images": [{"blob": images[i % len(images)],
                        "alt": {"ar": f"صورة {car}", "en": f"Picture of {cen.lower()}"}}],
            "portal_url": f"https://madeinoman.example/products/seed-{i:05d}",
        }))
    save_records(central, records)
    return n


# ---------------------------------------------------------------------------------------------
# Publishing


@dataclass(frozen=True)
class ReleaseInfo:
    version: int
    created_at: datetime
    expires_at: datetime
    records: int
    blobs: int
    etag: str


def _load_catalogue(central: Central) -> protocol.Catalogue:
    records: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    with central.Session() as s:
        for r in s.scalars(select(Record)):
            try:
                rec = protocol.parse_record(r.kind, r.data)
            except protocol.ProtocolError as e:
                problems.append(str(e))
                continue
            records.setdefault(r.kind, {})[rec.id] = rec
    if problems:
        raise CentralError("some drafts are not valid: " + "; ".join(problems[:5]))
    cat = protocol.Catalogue(records)
    try:
        cat.check()
    except protocol.ProtocolError as e:
        raise CentralError(f"the catalogue can not be published yet: {e}") from None
    return cat


def publish(central: Central, ttl: timedelta | None = None, backdate: timedelta | None = None,
            published_by: str | None = None, only_if_changed: bool = False) -> ReleaseInfo:
    """Sign the current drafts as the next content version. ``backdate`` moves the creation
    time into the past (tests use it to make a manifest that is already expired).
    ``only_if_changed`` returns the newest release instead when the drafts match it."""
    ttl = ttl or central.settings.manifest_ttl
    if ttl.total_seconds() < 1:
        raise CentralError("a manifest must stay valid for at least one second")
    catalogue = _load_catalogue(central)
    if catalogue.count() == 0:
        raise CentralError("there is nothing to publish yet: run import-demo or seed first")
    with central.Session() as s:
        media = {b.sha256: (b.size, b.media_type) for b in s.scalars(select(Blob))}
        last = s.scalar(select(func.max(Release.version))) or 0
    created = utcnow() - (backdate or timedelta(0))
    version = max(last, published_version_floor(central.settings.key_dir)) + 1
    try:
        snap = protocol.build_snapshot(catalogue, media, version, created, created + ttl)
    except protocol.ProtocolError as e:
        raise CentralError(f"the catalogue can not be published: {e}") from None
    if only_if_changed and last:
        with central.Session() as s:
            newest = s.get(Release, last)
            if newest is not None and newest.index_sha256 == snap.manifest.index.sha256:
                return _release_info(newest)
    kinds = {h: kind for kind, ids in snap.index.records.items() for h in ids.values()}
    pieces = dict(snap.record_bytes)
    pieces[snap.manifest.index.sha256] = snap.index_bytes
    kinds[snap.manifest.index.sha256] = "index"
    deltas = _index_deltas(central, snap.index)
    for ref, body in deltas:
        pieces[ref.sha256] = body
        kinds[ref.sha256] = "delta"
    manifest = snap.manifest.model_copy(update={"deltas": tuple(ref for ref, _ in deltas)})
    signed = protocol.sign_manifest(manifest, central.keys.signing)
    etag = protocol.sha256_hex(signed)
    try:
        _store_release(central, pieces, kinds, Release(
            version=version, manifest=signed, etag=etag,
            index_sha256=snap.manifest.index.sha256, created_at=snap.manifest.created_at,
            expires_at=snap.manifest.expires_at, lifetime_s=int(ttl.total_seconds()),
            published_by=published_by, record_count=snap.manifest.index.records,
        ))
    except IntegrityError:
        raise CentralError(f"someone else published version {version} at the same moment; "
                           "publish again", status=409) from None
    remember_published_version(central.settings.key_dir, version)
    bump_stamp(central.settings)
    return ReleaseInfo(version, snap.manifest.created_at, snap.manifest.expires_at,
                       snap.manifest.index.records, len(snap.manifest.blobs), etag)


def _store_release(central: Central, pieces: dict[str, bytes], kinds: dict[str, str],
                   release: Release) -> None:
    with central.WriteSession.begin() as s:
        hashes = list(pieces)
        have: set[str] = set()
        for chunk in _chunks(hashes):
            have.update(s.scalars(select(Piece.sha256).where(Piece.sha256.in_(chunk))))
        new = [{"sha256": h, "kind": kinds[h], "body": pieces[h]} for h in hashes if h not in have]
        for chunk in _chunks(new, 2000):
            s.execute(insert(Piece), chunk)
        s.add(release)


def _index_deltas(central: Central, new: protocol.Index
                  ) -> list[tuple[protocol.DeltaRef, bytes]]:
    """Deltas from the last few releases' indexes to ``new``, so a kiosk one or a few versions
    behind downloads what changed instead of the whole index."""
    out: list[tuple[protocol.DeltaRef, bytes]] = []
    with central.Session() as s:
        recent = s.scalars(select(Release).order_by(Release.version.desc())
                           .limit(protocol.MAX_DELTAS)).all()
        seen: set[str] = set()
        for rel in recent:
            piece = s.get(Piece, rel.index_sha256)
            if piece is None or rel.index_sha256 in seen:
                continue
            seen.add(rel.index_sha256)
            old = protocol.Index.model_validate(json.loads(piece.body))
            body = protocol.make_delta(old, new)
            out.append((protocol.DeltaRef(from_version=rel.version,
                                          sha256=protocol.sha256_hex(body), size=len(body)),
                        body))
    return out


def _release_info(r: Release) -> ReleaseInfo:
    blobs = len(json.loads(r.manifest)["manifest"]["blobs"])
    return ReleaseInfo(r.version, r.created_at, r.expires_at, r.record_count, blobs, r.etag)


def list_releases(central: Central, limit: int = 50) -> list[ReleaseInfo]:
    with central.Session() as s:
        rows = s.scalars(select(Release).order_by(Release.version.desc()).limit(limit))
        return [_release_info(r) for r in rows]


@dataclass(frozen=True)
class SignedManifest:
    version: int
    body: bytes
    etag: str  # sha256 of body, unquoted
    expires_at: datetime
    lifetime_s: int = 0


_refresh_lock = threading.Lock()


def current_manifest(central: Central, now: datetime | None = None) -> SignedManifest | None:
    """The newest release's signed manifest. Past half its lifetime it is re-signed with the
    same version and a fresh expiry (TUF's timestamp refresh), so an idle site never goes
    stale on its kiosks merely because nobody published."""
    now = now or utcnow()
    with central.Session() as s:
        rel = s.scalars(select(Release).order_by(Release.version.desc()).limit(1)).first()
    if rel is None:
        return None
    remaining = (rel.expires_at - now).total_seconds()
    if central.settings.manifest_refresh and remaining < rel.lifetime_s / 2:
        with _refresh_lock:
            refreshed = _refresh(central, rel.version, now)
        if refreshed is not None and refreshed.etag != rel.etag:
            bump_stamp(central.settings)
        rel = refreshed or rel
    return SignedManifest(rel.version, rel.manifest, rel.etag, rel.expires_at, rel.lifetime_s)


def _refresh(central: Central, version: int, now: datetime) -> Release | None:
    with central.WriteSession.begin() as s:
        rel = s.get(Release, version)
        if rel is None:
            return None
        if (rel.expires_at - now).total_seconds() >= rel.lifetime_s / 2:
            return rel  # another request refreshed it meanwhile
        body = json.loads(rel.manifest)["manifest"]
        body["expires_at"] = protocol.iso(now + timedelta(seconds=rel.lifetime_s))
        manifest = protocol.Manifest.model_validate(body)
        signed = protocol.sign_manifest(manifest, central.keys.signing)
        etag = protocol.sha256_hex(signed)
        s.execute(update(Release).where(Release.version == version).values(
            manifest=signed, etag=etag, expires_at=manifest.expires_at))
        rel.manifest, rel.etag, rel.expires_at = signed, etag, manifest.expires_at
        s.expunge(rel)
        return rel


# ---------------------------------------------------------------------------------------------
# Reading published pieces


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str
    path: Path | None  # media on disk
    body: bytes | None  # index or record body from the DB


def find_blob(central: Central, sha256: str) -> StoredBlob | None:
    with central.Session() as s:
        b = s.get(Blob, sha256)
        if b is not None:
            path = central.blobs.path(sha256)
            if path.is_file():
                return StoredBlob(sha256, b.size, b.media_type, path, None)
        p = s.get(Piece, sha256)
        if p is not None:
            return StoredBlob(sha256, len(p.body), "application/json", None, p.body)
    return None


def published_records(central: Central, hashes: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    with central.Session() as s:
        for chunk in _chunks(sorted(set(hashes))):
            # Ordered by hash: the answer is the same on every database (PostgreSQL returns
            # rows of an IN list in no particular order).
            for p in s.scalars(select(Piece).where(Piece.sha256.in_(chunk),
                                                   Piece.kind.not_in(("index", "delta")))
                               .order_by(Piece.sha256)):
                out[p.sha256] = json.loads(p.body)
    return out


@dataclass(frozen=True)
class PublishedCatalogue:
    version: int
    created_at: datetime
    records: dict[str, dict[str, dict]]  # kind -> id -> record JSON


_published_cache: dict[tuple[int, str], PublishedCatalogue] = {}
_published_lock = threading.Lock()


def published_catalogue(central: Central) -> PublishedCatalogue | None:
    """The newest release as plain records (what kiosks and open data see, never drafts).
    Cached per release: rebuilding 10,000 products on every open-data request is wasteful."""
    with central.Session() as s:
        rel = s.scalars(select(Release).order_by(Release.version.desc()).limit(1)).first()
        if rel is None:
            return None
        key = (rel.version, rel.index_sha256)
        with _published_lock:
            cached = _published_cache.get(key)
        if cached is not None:
            return cached
        index_piece = s.get(Piece, rel.index_sha256)
        if index_piece is None:
            raise CentralError(f"release {rel.version} is missing its index", status=500)
        index = json.loads(index_piece.body)["records"]
        by_hash: dict[str, tuple[str, str]] = {}
        for kind, ids in index.items():
            for rid, h in ids.items():
                by_hash[h] = (kind, rid)
        records: dict[str, dict[str, dict]] = {k: {} for k in index}
        for chunk in _chunks(list(by_hash)):
            for p in s.scalars(select(Piece).where(Piece.sha256.in_(chunk))):
                kind, rid = by_hash[p.sha256]
                records[kind][rid] = json.loads(p.body)
        for kind in records:  # keep the index's order stable (sorted ids)
            records[kind] = dict(sorted(records[kind].items()))
        pub = PublishedCatalogue(rel.version, rel.created_at, records)
    with _published_lock:
        _published_cache.clear()
        _published_cache[key] = pub
    return pub
