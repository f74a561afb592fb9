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

from django.db import IntegrityError
from django.db.models import Max

from central import release_files
from central.changes import bump_stamp
from central.config import DEMO_DIR
from central.db import utcnow
from central.errors import CentralError, NotFound
from central.keys import published_version_floor, remember_published_version
from central.orm import Blob, Piece, Record, Release
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
                 replace_all: bool = False, replace_kinds: Iterable[str] = ()) -> int:
    """Validate and upsert draft records ``(kind, data)``; all or nothing. ``replace_all``
    first removes every other draft, so the drafts become exactly ``records``;
    ``replace_kinds`` does that for those kinds only (the CMS's publish: its kinds become
    exactly what it sends, the others stay)."""
    replace_kinds = tuple(replace_kinds)
    rows: dict[tuple[str, str], Record] = {}
    now = utcnow()
    for kind, data in records:
        rec = protocol.parse_record(kind, data)
        # The last of two with the same kind and id wins, as it did when each overwrote.
        rows[(kind, rec.id)] = Record(kind=kind, record_id=rec.id,
                                      data=protocol.record_to_json(rec), updated_at=now)
    drafts = central.q(Record)
    with central.write():
        if replace_all:
            drafts.all().delete()
        elif replace_kinds:
            drafts.filter(kind__in=replace_kinds).delete()
        by_kind: dict[str, list[str]] = {}
        for kind, rid in rows:
            by_kind.setdefault(kind, []).append(rid)
        # Delete-then-insert is the portable upsert, all in one transaction.
        for kind, ids in by_kind.items():
            for chunk in _chunks(ids):
                drafts.filter(kind=kind, record_id__in=chunk).delete()
        drafts.bulk_create(list(rows.values()), batch_size=_CHUNK)
    return len(records)


def delete_record(central: Central, kind: str, record_id: str) -> None:
    with central.write():
        n, _ = central.q(Record).filter(kind=kind, record_id=record_id).delete()
    if not n:
        raise NotFound(f"there is no {kind} with id {record_id!r}")


def list_records(central: Central, kind: str | None = None) -> list[dict]:
    q = central.q(Record).order_by("kind", "record_id")
    if kind:
        q = q.filter(kind=kind)
    return [{"kind": r.kind, "id": r.record_id, "data": r.data, "updated_at": r.updated_at}
            for r in q]


def get_record(central: Central, kind: str, record_id: str) -> dict | None:
    r = central.q(Record).filter(kind=kind, record_id=record_id).first()
    return None if r is None else dict(r.data)


def save_media(central: Central, data: bytes, media_type: str,
               expected_sha256: str | None = None) -> str:
    """Store one image or sign-language clip; returns its hash (the name records refer to it
    by). A clip's codec, length and size were checked at upload (central/cms/videos.py)."""
    if media_type not in protocol.BLOB_TYPES:
        raise CentralError(f"only {', '.join(protocol.MEDIA_TYPES)} images and "
                           f"{', '.join(protocol.VIDEO_TYPES)} clips are accepted")
    what = "clip" if media_type in protocol.VIDEO_TYPES else "image"
    if not data:
        raise CentralError(f"the {what} file is empty")
    limit = protocol.max_blob_bytes(media_type)
    if len(data) > limit:
        raise CentralError(f"the {what} is {len(data)} bytes; the limit is {limit} bytes")
    digest = central.blobs.put(data, expected_sha256)
    with central.write():
        if not central.q(Blob).filter(sha256=digest).exists():
            central.q(Blob).create(sha256=digest, size=len(data), media_type=media_type,
                                   created_at=utcnow())
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
    for kind, data in central.q(Record).order_by("kind", "record_id").values_list("kind",
                                                                                  "data"):
        try:
            rec = protocol.parse_record(kind, data)
        except protocol.ProtocolError as e:
            problems.append(str(e))
            continue
        records.setdefault(kind, {})[rec.id] = rec
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
    media = {sha: (size, media_type) for sha, size, media_type in
             central.q(Blob).values_list("sha256", "size", "media_type")}
    last = central.q(Release).aggregate(m=Max("version"))["m"] or 0
    created = utcnow() - (backdate or timedelta(0))
    version = max(last, published_version_floor(central.settings.key_dir)) + 1
    try:
        snap = protocol.build_snapshot(catalogue, media, version, created, created + ttl)
    except protocol.ProtocolError as e:
        raise CentralError(f"the catalogue can not be published: {e}") from None
    if only_if_changed and last:
        newest = central.q(Release).filter(version=last).first()
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
    release_files.after_publish(central, version)
    return ReleaseInfo(version, snap.manifest.created_at, snap.manifest.expires_at,
                       snap.manifest.index.records, len(snap.manifest.blobs), etag)


def _store_release(central: Central, pieces: dict[str, bytes], kinds: dict[str, str],
                   release: Release) -> None:
    """The pieces a release needs and the release itself, in one transaction: kiosks see the
    release with everything it names, or nothing. Two publishers of the same version: the
    second meets the primary key (IntegrityError)."""
    stored = central.q(Piece)
    with central.write():
        hashes = list(pieces)
        have: set[str] = set()
        for chunk in _chunks(hashes):
            have.update(stored.filter(sha256__in=chunk).values_list("sha256", flat=True))
        stored.bulk_create([Piece(sha256=h, kind=kinds[h], body=pieces[h])
                            for h in hashes if h not in have], batch_size=_CHUNK)
        release.save(using=central.db, force_insert=True)


def _index_deltas(central: Central, new: protocol.Index
                  ) -> list[tuple[protocol.DeltaRef, bytes]]:
    """Deltas from the last few releases' indexes to ``new``, so a kiosk one or a few versions
    behind downloads what changed instead of the whole index."""
    out: list[tuple[protocol.DeltaRef, bytes]] = []
    recent = list(central.q(Release).order_by("-version").values_list(
        "version", "index_sha256")[:protocol.MAX_DELTAS])
    seen: set[str] = set()
    for version, index_sha256 in recent:
        if index_sha256 in seen:
            continue
        piece = central.q(Piece).filter(sha256=index_sha256).first()
        if piece is None:
            continue
        seen.add(index_sha256)
        old = protocol.Index.model_validate(json.loads(bytes(piece.body)))
        body = protocol.make_delta(old, new)
        out.append((protocol.DeltaRef(from_version=version,
                                      sha256=protocol.sha256_hex(body), size=len(body)),
                    body))
    return out


def _release_info(r: Release) -> ReleaseInfo:
    blobs = len(json.loads(bytes(r.manifest))["manifest"]["blobs"])
    return ReleaseInfo(r.version, r.created_at, r.expires_at, r.record_count, blobs, r.etag)


def list_releases(central: Central, limit: int = 50) -> list[ReleaseInfo]:
    return [_release_info(r) for r in central.q(Release).order_by("-version")[:limit]]


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
    rel = central.q(Release).order_by("-version").first()
    if rel is None:
        return None
    remaining = (rel.expires_at - now).total_seconds()
    if central.settings.manifest_refresh and remaining < rel.lifetime_s / 2:
        with _refresh_lock:
            refreshed = _refresh(central, rel.version, now)
        if refreshed is not None and refreshed.etag != rel.etag:
            bump_stamp(central.settings)
        rel = refreshed or rel
    return SignedManifest(rel.version, bytes(rel.manifest), rel.etag, rel.expires_at,
                          rel.lifetime_s)


def _refresh(central: Central, version: int, now: datetime) -> Release | None:
    with central.write():
        rel = central.q(Release).select_for_update().filter(version=version).first()
        if rel is None:
            return None
        if (rel.expires_at - now).total_seconds() >= rel.lifetime_s / 2:
            return rel  # another request (or process) refreshed it meanwhile
        body = json.loads(bytes(rel.manifest))["manifest"]
        body["expires_at"] = protocol.iso(now + timedelta(seconds=rel.lifetime_s))
        manifest = protocol.Manifest.model_validate(body)
        signed = protocol.sign_manifest(manifest, central.keys.signing)
        etag = protocol.sha256_hex(signed)
        central.q(Release).filter(version=version).update(
            manifest=signed, etag=etag, expires_at=manifest.expires_at)
        rel.manifest, rel.etag, rel.expires_at = signed, etag, manifest.expires_at
    release_files.after_resign(central, version, signed)
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
    b = central.q(Blob).filter(sha256=sha256).first()
    if b is not None:
        path = central.blobs.path(sha256)
        if path.is_file():
            return StoredBlob(sha256, b.size, b.media_type, path, None)
    p = central.q(Piece).filter(sha256=sha256).first()
    if p is not None:
        body = bytes(p.body)
        return StoredBlob(sha256, len(body), "application/json", None, body)
    return None


def published_records(central: Central, hashes: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for chunk in _chunks(sorted(set(hashes))):
        # Ordered by hash: the answer is the same on every database (PostgreSQL returns
        # rows of an IN list in no particular order).
        for sha, body in (central.q(Piece).filter(sha256__in=chunk)
                          .exclude(kind__in=("index", "delta")).order_by("sha256")
                          .values_list("sha256", "body")):
            out[sha] = json.loads(bytes(body))
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
    rel = central.q(Release).order_by("-version").only(
        "version", "index_sha256", "created_at").first()
    if rel is None:
        return None
    key = (rel.version, rel.index_sha256)
    with _published_lock:
        cached = _published_cache.get(key)
    if cached is not None:
        return cached
    pub = PublishedCatalogue(rel.version, rel.created_at,
                             _release_records(central, rel.version, rel.index_sha256))
    with _published_lock:
        _published_cache.clear()
        _published_cache[key] = pub
    return pub


def release_catalogue(central: Central, version: int) -> PublishedCatalogue:
    """An earlier (or the newest) release as plain records: what a rollback publishes again."""
    rel = central.q(Release).filter(version=version).only(
        "version", "index_sha256", "created_at").first()
    if rel is None:
        raise NotFound(f"there is no version {version}; see the list of versions")
    return PublishedCatalogue(rel.version, rel.created_at,
                              _release_records(central, rel.version, rel.index_sha256))


def _release_records(central: Central, version: int, index_sha256: str
                     ) -> dict[str, dict[str, dict]]:
    index_piece = central.q(Piece).filter(sha256=index_sha256).first()
    if index_piece is None:
        raise CentralError(f"release {version} is missing its index", status=500)
    index = json.loads(bytes(index_piece.body))["records"]
    by_hash: dict[str, tuple[str, str]] = {}
    for kind, ids in index.items():
        for rid, h in ids.items():
            by_hash[h] = (kind, rid)
    records: dict[str, dict[str, dict]] = {k: {} for k in index}
    for chunk in _chunks(list(by_hash)):
        for sha, body in central.q(Piece).filter(sha256__in=chunk).values_list("sha256", "body"):
            kind, rid = by_hash[sha]
            records[kind][rid] = json.loads(bytes(body))
    for kind in records:  # keep the index's order stable (sorted ids)
        records[kind] = dict(sorted(records[kind].items()))
    return records
