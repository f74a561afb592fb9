"""The kiosk's content memory: verified content snapshots in SQLite, switched in one atomic step,
with the lists, details and search the screens ask for.

Records are stored once by their SHA-256 and shared by every snapshot that lists them, so a new
version adds only what changed. Readers only ever see the active snapshot: a version being
staged stays invisible until ``activate`` switches to it in one transaction, which also rebuilds
the denormalised tables (products, counts, full-text index) the screens query.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from kiosk.protocol import (
    BlobRef,
    Category,
    Certification,
    Faq,
    GovernorateInfo,
    GuideEntry,
    Index,
    Manifest,
    Manufacturer,
    Name,
    News,
    Policy,
    Poll,
    Product,
    ProtocolError,
    SiteInfo,
    Survey,
    build_snapshot,
    canonical_json,
    iso,
    parse_record,
    parse_record_bytes,
    sha256_hex,
)
from offline_cache.blobs import BlobStore
from offline_cache.catalogue_dir import load_catalogue_dir
from offline_cache.db import SQLiteFile, statements
from offline_cache.normalize import index_text, name_key
from offline_cache.search import FTS_WEIGHTS, match_expression, ranking_key

log = logging.getLogger(__name__)

Source = Literal["demo", "central"]
Lang = Literal["ar", "en"]
SOURCES = ("demo", "central")
DEMO_LIFETIME = timedelta(days=3650)  # demo content never goes stale by itself

# Bump when the denormalised tables change shape: the store rebuilds them on open.
VIEWS_SCHEMA = 1


class StoreError(RuntimeError):
    """The store was asked for something it can not do; the text says what to do next."""


# ---------------------------------------------------------------------------------------------
# What the screens get back


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Arabic and English, read like ``protocol.Name`` (``.ar``, ``.en``). Lists use
    it instead of the validating model because a search answers on every keystroke."""

    ar: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.ar if lang == "ar" else self.en


@dataclass(frozen=True)
class SnapshotInfo:
    version: int
    source: Source
    state: Literal["staged", "active", "previous"]
    activated_at: datetime | None
    stale: bool
    manifest: Manifest


@dataclass(frozen=True)
class CategoryItem:
    id: str
    name: Name
    product_count: int
    category: Category


@dataclass(frozen=True)
class GovernorateItem:
    id: str
    name: Bilingual
    product_count: int


@dataclass(frozen=True)
class ManufacturerItem:
    id: str
    name: Bilingual
    governorate: str
    product_count: int


@dataclass(frozen=True)
class ProductSummary:
    """One line of a product list or of search results."""

    id: str
    code: str
    name: Bilingual
    category_id: str
    manufacturer_id: str
    manufacturer_name: Bilingual
    governorate: str
    image_blob: str | None
    image_alt: Bilingual | None


@dataclass(frozen=True)
class ProductPage:
    items: list[ProductSummary]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class SearchResults:
    query: str
    items: list[ProductSummary]
    total: int

    @property
    def product_ids(self) -> list[str]:
        return [p.id for p in self.items]


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    category: Category | None
    manufacturer: Manufacturer | None
    governorate: GovernorateInfo | None
    certifications: list[Certification]


# ---------------------------------------------------------------------------------------------
# Schema

_SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    sha  TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    body BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS snapshot (
    snap_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    version      INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('demo', 'central')),
    state        TEXT NOT NULL CHECK (state IN ('staged', 'active', 'previous')),
    manifest     TEXT NOT NULL,
    staged_at    TEXT NOT NULL,
    activated_at TEXT,
    stale        INTEGER NOT NULL DEFAULT 0
);
-- At most one active and one previous snapshot, whatever goes wrong.
CREATE UNIQUE INDEX IF NOT EXISTS snapshot_one_per_state
    ON snapshot(state) WHERE state IN ('active', 'previous');

CREATE TABLE IF NOT EXISTS snapshot_record (
    snap_id   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sha       TEXT NOT NULL,
    PRIMARY KEY (snap_id, kind, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS snapshot_record_sha ON snapshot_record(sha);

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

# Derived from the active snapshot only; rebuilt inside the activating transaction.
_VIEWS = """
DROP TABLE IF EXISTS v_product;
DROP TABLE IF EXISTS v_category;
DROP TABLE IF EXISTS v_manufacturer;
DROP TABLE IF EXISTS v_governorate;
DROP TABLE IF EXISTS product_fts;

CREATE TABLE v_product (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sha TEXT NOT NULL,
    code TEXT NOT NULL,
    name_ar TEXT NOT NULL, name_en TEXT NOT NULL,
    key_ar TEXT NOT NULL, key_en TEXT NOT NULL,
    category_id TEXT NOT NULL,
    manufacturer_id TEXT NOT NULL,
    maker_ar TEXT NOT NULL, maker_en TEXT NOT NULL,
    governorate TEXT NOT NULL,
    image_blob TEXT, image_alt_ar TEXT, image_alt_en TEXT
);
CREATE INDEX v_product_category_ar ON v_product(category_id, key_ar, id);
CREATE INDEX v_product_category_en ON v_product(category_id, key_en, id);
CREATE INDEX v_product_governorate_ar ON v_product(governorate, key_ar, id);
CREATE INDEX v_product_governorate_en ON v_product(governorate, key_en, id);
CREATE INDEX v_product_maker_ar ON v_product(manufacturer_id, key_ar, id);
CREATE INDEX v_product_maker_en ON v_product(manufacturer_id, key_en, id);
CREATE INDEX v_product_all_ar ON v_product(key_ar, id);
CREATE INDEX v_product_all_en ON v_product(key_en, id);

CREATE TABLE v_category (
    id TEXT PRIMARY KEY, sha TEXT NOT NULL, ord INTEGER NOT NULL, product_count INTEGER NOT NULL
);
CREATE TABLE v_manufacturer (
    id TEXT PRIMARY KEY, name_ar TEXT NOT NULL, name_en TEXT NOT NULL,
    key_ar TEXT NOT NULL, key_en TEXT NOT NULL,
    governorate TEXT NOT NULL, product_count INTEGER NOT NULL
);
CREATE INDEX v_manufacturer_gov_ar ON v_manufacturer(governorate, key_ar, id);
CREATE INDEX v_manufacturer_gov_en ON v_manufacturer(governorate, key_en, id);
CREATE TABLE v_governorate (
    id TEXT PRIMARY KEY, name_ar TEXT NOT NULL, name_en TEXT NOT NULL,
    ord INTEGER NOT NULL, product_count INTEGER NOT NULL
);
-- Contentless: the words live only in the index, the rows in v_product (same rowid).
CREATE VIRTUAL TABLE product_fts USING fts5(
    name_ar, name_en, maker_ar, maker_en, code,
    content='', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3'
);
"""

_LANGS = ("ar", "en")
_SUMMARY_COLS = (
    "p.id, p.code, p.name_ar, p.name_en, p.category_id, p.manufacturer_id, p.maker_ar, "
    "p.maker_en, p.governorate, p.image_blob, p.image_alt_ar, p.image_alt_en"
)
_ACTIVE = "(SELECT snap_id FROM snapshot WHERE state = 'active')"


def _now() -> datetime:
    return datetime.now(UTC)


def _name(ar: str, en: str) -> Bilingual:
    return Bilingual(ar, en)


def _summary(row: tuple) -> ProductSummary:
    alt = Bilingual(row[10], row[11]) if row[9] else None
    return ProductSummary(
        id=row[0], code=row[1], name=_name(row[2], row[3]), category_id=row[4],
        manufacturer_id=row[5], manufacturer_name=_name(row[6], row[7]), governorate=row[8],
        image_blob=row[9], image_alt=alt,
    )


def _lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"lang must be 'ar' or 'en', not {lang!r}")
    return lang


def _blob_ok(blobs: BlobStore, ref: BlobRef) -> bool:
    try:
        return blobs.path(ref.sha256).stat().st_size == ref.size
    except OSError:
        return False


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class ContentStore(SQLiteFile):
    """Content snapshots in one SQLite file. Safe to share between threads: each thread gets its
    own connection, and WAL lets the screens read while sync writes."""

    def __init__(self, path: str | os.PathLike[str], blobs: BlobStore | None = None):
        super().__init__(path)
        self.blobs = blobs
        self._parsed: dict[str, Any] = {}
        with self._write() as c:
            for stmt in statements(_SCHEMA):
                c.execute(stmt)
        self._ensure_views()

    def __enter__(self) -> ContentStore:
        return self

    def _ensure_views(self) -> None:
        with self._write() as c:
            row = c.execute("SELECT value FROM meta WHERE key = 'views'").fetchone()
            active = c.execute(
                "SELECT snap_id FROM snapshot WHERE state = 'active'").fetchone()
            want = f"{VIEWS_SCHEMA}:{active[0] if active else 0}"
            if row is None or row[0] != want:
                self._rebuild_views(c, active[0] if active else None)

    # -- staging and switching -------------------------------------------------------------

    def begin_snapshot(self, manifest: Manifest, index: Index, source: Source) -> None:
        """Start staging ``manifest``'s version. Staging the same version again starts over but
        keeps records already stored, so an interrupted download resumes."""
        if source not in SOURCES:
            raise ValueError(f"source must be 'demo' or 'central', not {source!r}")
        index_bytes = canonical_json(index.to_json())
        if (sha256_hex(index_bytes) != manifest.index.sha256
                or len(index_bytes) != manifest.index.size):
            raise ProtocolError("the record index does not match the one the manifest names")
        n = sum(len(ids) for ids in index.records.values())
        if n != manifest.index.records:
            raise ProtocolError(f"index lists {n} records, the manifest says "
                                f"{manifest.index.records}")
        with self._write() as c:
            active = c.execute(
                "SELECT version, source FROM snapshot WHERE state = 'active'").fetchone()
            if (active and source == "central" and active[1] == "central"
                    and manifest.version <= active[0]):
                raise ProtocolError(
                    f"content version {manifest.version} is not newer than the active version "
                    f"{active[0]}; an older version is never installed over a newer one"
                )
            for (old,) in c.execute(
                    "SELECT snap_id FROM snapshot WHERE state = 'staged' AND version = ? "
                    "AND source = ?", (manifest.version, source)).fetchall():
                self._drop_snapshot(c, old)
            cur = c.execute(
                "INSERT INTO snapshot(version, source, state, manifest, staged_at) "
                "VALUES (?, ?, 'staged', ?, ?)",
                (manifest.version, source, json.dumps(manifest.to_json()), iso(_now())),
            )
            snap_id = cur.lastrowid
            c.executemany(
                "INSERT INTO snapshot_record(snap_id, kind, record_id, sha) VALUES (?, ?, ?, ?)",
                ((snap_id, kind, rid, sha) for kind, ids in index.records.items()
                 for rid, sha in ids.items()),
            )

    def missing_records(self, index: Index) -> set[str]:
        """Hashes in ``index`` that are not stored yet: what a sync still has to download."""
        wanted = sorted(index.hashes())
        have: set[str] = set()
        with self._read() as c:
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                have.update(r[0] for r in c.execute(
                    f"SELECT sha FROM record WHERE sha IN ({marks})", chunk))
        return set(wanted) - have

    def put_records(self, kind_sha_bytes: Iterable[tuple[str, str, bytes]]) -> int:
        """Store downloaded records after checking each against its hash and the schema.
        One bad record refuses the whole batch (ProtocolError naming it)."""
        rows = []
        for kind, sha, data in kind_sha_bytes:
            parse_record_bytes(kind, data, sha)
            rows.append((sha, kind, bytes(data)))
        with self._write() as c:
            # REPLACE, not IGNORE: bytes proven right here heal a copy damaged on disk.
            c.executemany("INSERT OR REPLACE INTO record(sha, kind, body) VALUES (?, ?, ?)",
                          rows)
        return len(rows)

    def activate(self, version: int, blobs: BlobStore | None = None) -> None:
        """Make the staged ``version`` the one visitors see, in one transaction. The active one
        becomes previous (for one-step rollback); anything older is removed. Every record is
        checked against its hash and, with a blob store (``blobs`` or the store's own), every
        image the manifest names must be there at its size."""
        blobs = blobs or self.blobs
        with self._write() as c:
            row = c.execute(
                "SELECT snap_id, manifest FROM snapshot WHERE state = 'staged' AND version = ? "
                "ORDER BY snap_id DESC LIMIT 1", (version,)).fetchone()
            if row is None:
                raise StoreError(f"content version {version} is not staged; sync it first")
            snap_id, manifest_json = row
            self._verify(c, snap_id, Manifest.model_validate(json.loads(manifest_json)), blobs)
            for (old,) in c.execute(
                    "SELECT snap_id FROM snapshot WHERE snap_id != ? AND state != 'active'",
                    (snap_id,)).fetchall():
                self._drop_snapshot(c, old)
            c.execute("UPDATE snapshot SET state = 'previous' WHERE state = 'active'")
            c.execute("UPDATE snapshot SET state = 'active', activated_at = ?, stale = 0 "
                      "WHERE snap_id = ?", (iso(_now()), snap_id))
            self._gc_records(c)
            self._rebuild_views(c, snap_id)
        self._gc_blobs(blobs)

    def rollback(self) -> int:
        """Go back to the previous snapshot; the one rolled back from is removed. Returns the
        version now active."""
        with self._write() as c:
            prev = c.execute(
                "SELECT snap_id, version FROM snapshot WHERE state = 'previous'").fetchone()
            if prev is None:
                raise StoreError("there is no previous content version to go back to")
            for (old,) in c.execute(
                    "SELECT snap_id FROM snapshot WHERE state = 'active'").fetchall():
                self._drop_snapshot(c, old)
            c.execute("UPDATE snapshot SET state = 'active', activated_at = ?, stale = 0 "
                      "WHERE snap_id = ?", (iso(_now()), prev[0]))
            self._gc_records(c)
            self._rebuild_views(c, prev[0])
        self._gc_blobs(self.blobs)
        return prev[1]

    def active_index(self) -> Index | None:
        """The active snapshot's record index, as the manifest named it (for index deltas)."""
        with self._read() as c:
            row = c.execute("SELECT snap_id FROM snapshot WHERE state = 'active'").fetchone()
            if row is None:
                return None
            records: dict[str, dict[str, str]] = {}
            for kind, rid, sha in c.execute(
                    "SELECT kind, record_id, sha FROM snapshot_record WHERE snap_id = ?",
                    (row[0],)):
                records.setdefault(kind, {})[rid] = sha
        return Index.model_validate({"schema": 1, "records": records})

    def refresh_manifest(self, manifest: Manifest) -> None:
        """Central re-signed the active version with a later expiry (nothing else may differ):
        keep the fresh manifest so the content is no longer counted as expiring."""
        with self._write() as c:
            row = c.execute("SELECT snap_id, manifest FROM snapshot WHERE state = 'active'"
                            ).fetchone()
            if row is None:
                raise StoreError("there is no active content to refresh")
            current = Manifest.model_validate(json.loads(row[1]))
            if (current.version, current.index, current.blobs) != (
                    manifest.version, manifest.index, manifest.blobs):
                raise ProtocolError(f"a re-signed manifest for version {manifest.version} "
                                    "differs from the installed one; refused")
            c.execute("UPDATE snapshot SET manifest = ?, stale = 0 WHERE snap_id = ?",
                      (json.dumps(manifest.to_json()), row[0]))

    def mark_stale(self, stale: bool) -> None:
        """Record whether the active content is past its manifest's expiry or out of reach."""
        with self._write() as c:
            c.execute("UPDATE snapshot SET stale = ? WHERE state = 'active'", (int(stale),))

    def _verify(self, c: sqlite3.Connection, snap_id: int, manifest: Manifest,
                blobs: BlobStore | None) -> None:
        missing = wrong = 0
        first = ""
        for kind, rid, sha, stored_kind, body in c.execute(
                "SELECT sr.kind, sr.record_id, sr.sha, r.kind, r.body FROM snapshot_record sr "
                "LEFT JOIN record r ON r.sha = sr.sha WHERE sr.snap_id = ?", (snap_id,)):
            if body is None:
                missing += 1
                first = first or f"{kind} {rid}"
            elif stored_kind != kind or sha256_hex(body) != sha:
                wrong += 1
                first = first or f"{kind} {rid}"
        if missing or wrong:
            raise ProtocolError(
                f"content version {manifest.version} is incomplete: {missing} records missing, "
                f"{wrong} damaged (first: {first}); sync again to finish it"
            )
        if blobs is not None:
            absent = [b.sha256 for b in manifest.blobs if not _blob_ok(blobs, b)]
            if absent:
                raise ProtocolError(
                    f"content version {manifest.version} is missing {len(absent)} images "
                    f"(first: {absent[0][:12]}); sync again to finish it"
                )

    def verify_active(self) -> None:
        """Re-check the active snapshot: every record present with its hash, every image there,
        the browse tables built from it. Raises ProtocolError saying what is wrong."""
        with self._read() as c:
            row = c.execute("SELECT snap_id, manifest FROM snapshot WHERE state = 'active'"
                            ).fetchone()
            if row is None:
                raise ProtocolError("there is no active content")
            self._verify(c, row[0], Manifest.model_validate(json.loads(row[1])), self.blobs)
            built = c.execute("SELECT value FROM meta WHERE key = 'views'").fetchone()
            listed = c.execute("SELECT count(*) FROM snapshot_record WHERE snap_id = ? AND "
                               "kind = 'product'", (row[0],)).fetchone()[0]
            shown = c.execute("SELECT count(*) FROM v_product").fetchone()[0]
        if built is None or built[0] != f"{VIEWS_SCHEMA}:{row[0]}" or listed != shown:
            raise ProtocolError("the browse tables do not match the active content")

    def _drop_snapshot(self, c: sqlite3.Connection, snap_id: int) -> None:
        c.execute("DELETE FROM snapshot_record WHERE snap_id = ?", (snap_id,))
        c.execute("DELETE FROM snapshot WHERE snap_id = ?", (snap_id,))

    def _gc_records(self, c: sqlite3.Connection) -> None:
        c.execute("DELETE FROM record WHERE NOT EXISTS "
                  "(SELECT 1 FROM snapshot_record sr WHERE sr.sha = record.sha)")

    def _gc_blobs(self, blobs: BlobStore | None) -> None:
        if blobs is not None:
            blobs.gc(self.referenced_blobs())

    def referenced_blobs(self) -> set[str]:
        """Media every kept snapshot (active, previous, staged) needs."""
        keep: set[str] = set()
        with self._read() as c:
            for (m,) in c.execute("SELECT manifest FROM snapshot"):
                keep.update(b["sha256"] for b in json.loads(m)["blobs"])
        return keep

    def _rebuild_views(self, c: sqlite3.Connection, snap_id: int | None) -> None:
        for stmt in statements(_VIEWS):
            c.execute(stmt)
        c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('views', ?)",
                  (f"{VIEWS_SCHEMA}:{snap_id or 0}",))
        if snap_id is None:
            return
        by_kind: dict[str, dict[str, tuple[str, dict]]] = {
            "category": {}, "manufacturer": {}, "governorate": {}, "product": {}}
        for kind, rid, sha, body in c.execute(
                "SELECT sr.kind, sr.record_id, sr.sha, r.body FROM snapshot_record sr "
                "JOIN record r ON r.sha = sr.sha WHERE sr.snap_id = ? "
                "AND sr.kind IN ('category', 'manufacturer', 'governorate', 'product')",
                (snap_id,)):
            by_kind[kind][rid] = (sha, json.loads(body))
        makers = {rid: d for rid, (_, d) in by_kind["manufacturer"].items()}
        products = []
        fts = []
        for rowid, (rid, (sha, p)) in enumerate(sorted(by_kind["product"].items()), start=1):
            maker = makers.get(p["manufacturer_id"], {"name": {"ar": "", "en": ""}})
            img = p["images"][0] if p.get("images") else None
            products.append((
                rowid, rid, sha, p["code"], p["name"]["ar"], p["name"]["en"],
                name_key(p["name"]["ar"]), name_key(p["name"]["en"]), p["category_id"],
                p["manufacturer_id"], maker["name"]["ar"], maker["name"]["en"],
                p["governorate"], img["blob"] if img else None,
                img["alt"]["ar"] if img else None, img["alt"]["en"] if img else None,
            ))
            fts.append((rowid, index_text(p["name"]["ar"]), index_text(p["name"]["en"]),
                        index_text(maker["name"]["ar"]), index_text(maker["name"]["en"]),
                        index_text(p["code"])))
        c.executemany(f"INSERT INTO v_product VALUES ({','.join('?' * 16)})", products)
        c.executemany("INSERT INTO product_fts(rowid, name_ar, name_en, maker_ar, maker_en, code)"
                      " VALUES (?, ?, ?, ?, ?, ?)", fts)
        per_cat = Counter(p[8] for p in products)
        per_maker = Counter(p[9] for p in products)
        per_gov = Counter(p[12] for p in products)
        c.executemany("INSERT INTO v_category VALUES (?, ?, ?, ?)", [
            (rid, sha, d["order"], per_cat[rid])
            for rid, (sha, d) in by_kind["category"].items()])
        c.executemany("INSERT INTO v_manufacturer VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (rid, d["name"]["ar"], d["name"]["en"], name_key(d["name"]["ar"]),
             name_key(d["name"]["en"]), d["governorate"], per_maker[rid])
            for rid, d in makers.items()])
        govs = {rid: d for rid, (_, d) in by_kind["governorate"].items()}
        # A governorate with products but no record of its own still gets listed, under its id,
        # so no product becomes unreachable through the governorate screen.
        rows = [(g, d["name"]["ar"], d["name"]["en"], d["order"], per_gov[g])
                for g, d in govs.items()]
        rows += [(g, g, g, 1000, n) for g, n in per_gov.items() if g not in govs]
        c.executemany("INSERT INTO v_governorate VALUES (?, ?, ?, ?, ?)", rows)

    # -- what is active --------------------------------------------------------------------

    def snapshots(self) -> list[SnapshotInfo]:
        """Every snapshot kept, newest first (for technicians)."""
        with self._read() as c:
            rows = c.execute("SELECT version, source, state, activated_at, stale, manifest "
                             "FROM snapshot ORDER BY snap_id DESC").fetchall()
        return [SnapshotInfo(
            version=r[0], source=r[1], state=r[2],
            activated_at=datetime.fromisoformat(r[3]) if r[3] else None, stale=bool(r[4]),
            manifest=Manifest.model_validate(json.loads(r[5]))) for r in rows]

    def active(self) -> SnapshotInfo | None:
        for s in self.snapshots():
            if s.state == "active":
                return s
        return None

    def active_version(self) -> int | None:
        with self._read() as c:
            row = c.execute("SELECT version FROM snapshot WHERE state = 'active'").fetchone()
        return row[0] if row else None

    def active_manifest(self) -> Manifest | None:
        with self._read() as c:
            row = c.execute("SELECT manifest FROM snapshot WHERE state = 'active'").fetchone()
        return Manifest.model_validate(json.loads(row[0])) if row else None

    def active_source(self) -> Source | None:
        with self._read() as c:
            row = c.execute("SELECT source FROM snapshot WHERE state = 'active'").fetchone()
        return row[0] if row else None

    def is_stale(self) -> bool:
        with self._read() as c:
            row = c.execute("SELECT stale FROM snapshot WHERE state = 'active'").fetchone()
        return bool(row and row[0])

    # -- records of the active snapshot ----------------------------------------------------

    def _parse(self, kind: str, sha: str, body: bytes) -> Any:
        # Records are immutable by hash, so a parsed one can be reused forever.
        rec = self._parsed.get(sha)
        if rec is None:
            rec = parse_record(kind, json.loads(body))
            if len(self._parsed) > 4096:
                self._parsed.clear()
            self._parsed[sha] = rec
        return rec

    def _records(self, c: sqlite3.Connection, kind: str) -> list[Any]:
        return [self._parse(kind, sha, body) for sha, body in c.execute(
            "SELECT r.sha, r.body FROM snapshot_record sr JOIN record r ON r.sha = sr.sha "
            f"WHERE sr.snap_id = {_ACTIVE} AND sr.kind = ?", (kind,))]

    def _record(self, c: sqlite3.Connection, kind: str, record_id: str) -> Any:
        row = c.execute(
            "SELECT r.sha, r.body FROM snapshot_record sr JOIN record r ON r.sha = sr.sha "
            f"WHERE sr.snap_id = {_ACTIVE} AND sr.kind = ? AND sr.record_id = ?",
            (kind, record_id)).fetchone()
        return self._parse(kind, row[0], row[1]) if row else None

    def record(self, kind: str, record_id: str) -> Any:
        """Any one record of the active snapshot, as its protocol model, or None."""
        with self._read() as c:
            return self._record(c, kind, record_id)

    # -- browsing --------------------------------------------------------------------------

    def categories(self) -> list[CategoryItem]:
        """Categories in their editorial order, each with how many products it holds."""
        with self._read() as c:
            rows = c.execute("SELECT v.id, v.sha, v.product_count, r.body FROM v_category v "
                             "JOIN record r ON r.sha = v.sha ORDER BY v.ord, v.id").fetchall()
        out = []
        for rid, sha, n, body in rows:
            cat = self._parse("category", sha, body)
            out.append(CategoryItem(id=rid, name=cat.name, product_count=n, category=cat))
        return out

    def governorates(self) -> list[GovernorateItem]:
        with self._read() as c:
            rows = c.execute("SELECT id, name_ar, name_en, product_count FROM v_governorate "
                             "ORDER BY ord, id").fetchall()
        return [GovernorateItem(id=r[0], name=_name(r[1], r[2]), product_count=r[3])
                for r in rows]

    def manufacturers(self, governorate: str | None = None,
                      lang: Lang = "ar") -> list[ManufacturerItem]:
        """Makers sorted by name in ``lang``, optionally only those in one governorate."""
        col = f"key_{_lang(lang)}"
        where, args = ("WHERE governorate = ?", (governorate,)) if governorate else ("", ())
        with self._read() as c:
            rows = c.execute(
                f"SELECT id, name_ar, name_en, governorate, product_count FROM v_manufacturer "
                f"{where} ORDER BY {col}, id", args).fetchall()
        return [ManufacturerItem(id=r[0], name=_name(r[1], r[2]), governorate=r[3],
                                 product_count=r[4]) for r in rows]

    def products(self, *, category: str | None = None, governorate: str | None = None,
                 manufacturer: str | None = None, offset: int = 0, limit: int = 20,
                 lang: Lang = "ar") -> ProductPage:
        """One page of products, sorted by name in ``lang``, with the total for the filter."""
        offset, limit = max(0, int(offset)), max(0, min(int(limit), 500))
        conds, args = [], []
        for col, val in (("category_id", category), ("governorate", governorate),
                         ("manufacturer_id", manufacturer)):
            if val is not None:
                conds.append(f"p.{col} = ?")
                args.append(val)
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        order = f"p.key_{_lang(lang)}, p.id"
        with self._read() as c:
            total = c.execute(f"SELECT count(*) FROM v_product p {where}", args).fetchone()[0]
            rows = c.execute(f"SELECT {_SUMMARY_COLS} FROM v_product p {where} "
                             f"ORDER BY {order} LIMIT ? OFFSET ?",
                             (*args, limit, offset)).fetchall()
        return ProductPage(items=[_summary(r) for r in rows], total=total, offset=offset,
                           limit=limit)

    def product(self, product_id: str) -> ProductDetail | None:
        """One product with its maker, category, governorate and certifications resolved."""
        with self._read() as c:
            p = self._record(c, "product", product_id)
            if p is None:
                return None
            certs = [self._record(c, "certification", cid) for cid in p.certifications]
            return ProductDetail(
                product=p,
                category=self._record(c, "category", p.category_id),
                manufacturer=self._record(c, "manufacturer", p.manufacturer_id),
                governorate=self._record(c, "governorate", p.governorate),
                certifications=[x for x in certs if x is not None],
            )

    def product_count(self) -> int:
        with self._read() as c:
            return c.execute("SELECT count(*) FROM v_product").fetchone()[0]

    # -- reading ---------------------------------------------------------------------------

    def news(self) -> list[News]:
        """News, newest first."""
        with self._read() as c:
            items = self._records(c, "news")
        return sorted(items, key=lambda n: (-n.published_on.toordinal(), n.id))

    def faq(self) -> list[Faq]:
        with self._read() as c:
            return sorted(self._records(c, "faq"), key=lambda f: (f.order, f.id))

    def guide(self) -> list[GuideEntry]:
        with self._read() as c:
            return sorted(self._records(c, "guide"), key=lambda g: (g.order, g.id))

    def policies(self) -> list[Policy]:
        with self._read() as c:
            return sorted(self._records(c, "policy"), key=lambda p: (p.order, p.id))

    def policy(self, policy_id: str) -> Policy | None:
        return self.record("policy", policy_id)

    def polls(self, at: datetime | None = None) -> list[Poll]:
        """Polls open at ``at`` (default: now), the one closing soonest first."""
        at = at or _now()
        with self._read() as c:
            polls = self._records(c, "poll")
        return sorted((p for p in polls if p.opens_at <= at < p.closes_at),
                      key=lambda p: (p.closes_at, p.id))

    def poll(self, poll_id: str) -> Poll | None:
        return self.record("poll", poll_id)

    def surveys(self) -> list[Survey]:
        with self._read() as c:
            return sorted(self._records(c, "survey"), key=lambda s: s.id)

    def survey(self, survey_id: str | None = None) -> Survey | None:
        """The survey with ``survey_id``, or the first one when no id is given."""
        if survey_id is not None:
            return self.record("survey", survey_id)
        surveys = self.surveys()
        return surveys[0] if surveys else None

    def site(self) -> SiteInfo | None:
        return self.record("site", "site")

    # -- search ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20, offset: int = 0) -> SearchResults:
        """Products whose name, maker or code matches what the visitor has typed so far.

        Names that are the query or start with it come first, in name order (an exact name is
        the first of these); then every other match by bm25 relevance.
        """
        expr = match_expression(query)
        limit, offset = max(0, min(int(limit), 200)), max(0, int(offset))
        if expr is None:
            return SearchResults(query=query, items=[], total=0)
        key = ranking_key(query)
        try:
            with self._read() as c:
                total = c.execute("SELECT count(*) FROM product_fts WHERE product_fts MATCH ?",
                                  (expr,)).fetchone()[0]
                rowids = self._search_page(c, expr, key, offset, limit) if total else []
                rows = {r[0]: r[1:] for r in c.execute(
                    f"SELECT p.rowid, {_SUMMARY_COLS} FROM v_product p WHERE p.rowid IN "
                    f"({','.join('?' * len(rowids))})", rowids)} if rowids else {}
        except sqlite3.OperationalError:
            # The expression is built from plain quoted words, so this should never happen;
            # a visitor typing must still never see an error.
            log.exception("search failed for %r (expression %r)", query, expr)
            return SearchResults(query=query, items=[], total=0)
        return SearchResults(query=query, items=[_summary(rows[r]) for r in rowids],
                             total=total)

    def _search_page(self, c: sqlite3.Connection, expr: str, key: str, offset: int,
                     limit: int) -> list[int]:
        # Ranking every match by name would cost a row lookup per match (thousands for the
        # first letters typed). Names that start with the query come straight from the name
        # indexes in order instead, and bm25 ranks only the rest inside the FTS index.
        hi = key + "\U0010ffff"
        head: dict[int, str] = {}
        for col in ("key_ar", "key_en"):
            for rowid, k in c.execute(
                    f"SELECT rowid, {col} FROM v_product WHERE {col} >= ? AND {col} < ? "
                    f"ORDER BY {col}, id LIMIT ?", (key, hi, offset + limit)):
                head[rowid] = min(k, head.get(rowid, k))
        page = sorted(head, key=lambda r: (head[r], r))[offset:offset + limit]
        if len(page) == limit:
            return page
        starts_with = ("SELECT rowid FROM v_product WHERE key_ar >= :key AND key_ar < :hi "
                       "UNION SELECT rowid FROM v_product WHERE key_en >= :key AND key_en < :hi")
        n_head = c.execute(f"SELECT count(*) FROM ({starts_with})",
                           {"key": key, "hi": hi}).fetchone()[0]
        # bm25 says nothing when one letter matches half the catalogue; skip it there.
        weights = ", ".join(map(str, FTS_WEIGHTS))
        order = f"bm25(product_fts, {weights}), rowid" if len(key) > 1 else "rowid"
        tail = c.execute(
            f"SELECT rowid FROM product_fts WHERE product_fts MATCH :expr AND rowid NOT IN "
            f"({starts_with}) ORDER BY {order} LIMIT :n OFFSET :skip",
            {"expr": expr, "key": key, "hi": hi, "n": limit - len(page),
             "skip": max(0, offset - n_head)}).fetchall()
        return page + [r[0] for r in tail]

    # -- first run ---------------------------------------------------------------------------

    def import_catalogue_dir(self, path: str | os.PathLike[str], source: Source = "demo",
                             blobs: BlobStore | None = None,
                             now: datetime | None = None) -> int:
        """Install a catalogue directory (the bundled demo) the way a sync installs content:
        build the snapshot, stage it, verify every record and image, activate. Returns the
        active version; importing the same content again changes nothing."""
        blobs = blobs or self.blobs
        catalogue, media = load_catalogue_dir(path)
        if media and blobs is None:
            raise StoreError("importing a catalogue with images needs a BlobStore")
        now = now or _now()
        with self._read() as c:
            last = c.execute("SELECT max(version) FROM snapshot WHERE source = ?",
                             (source,)).fetchone()[0] or 0
        snap = build_snapshot(catalogue, {h: (size, mt) for h, (_, size, mt) in media.items()},
                              last + 1, now, now + DEMO_LIFETIME)
        current = self.active_manifest()
        if (current is not None and self.active_source() == source
                and current.index.sha256 == snap.manifest.index.sha256):
            return current.version
        self.begin_snapshot(snap.manifest, snap.index, source)
        kinds = {sha: kind for kind, ids in snap.index.records.items() for sha in ids.values()}
        missing = self.missing_records(snap.index)
        self.put_records((kinds[h], h, snap.record_bytes[h]) for h in sorted(missing))
        if blobs is not None:
            for ref in snap.manifest.blobs:
                if not blobs.has(ref.sha256):
                    with open(media[ref.sha256][0], "rb") as f:
                        blobs.put_bytes(ref, f.read())
        self.activate(snap.manifest.version, blobs)
        return snap.manifest.version

