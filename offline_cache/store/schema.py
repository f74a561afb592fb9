"""The content store's tables: records and snapshots (what was verified and installed), and the
browse tables derived from the active snapshot that the screens query."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

from offline_cache.db import statements
from offline_cache.normalize import index_text, name_key

# Bump when the denormalised tables change shape: the store rebuilds them on open.
VIEWS_SCHEMA = 1

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


def views_stamp(snap_id: int | None) -> str:
    """What ``meta.views`` holds once the browse tables are built from ``snap_id``."""
    return f"{VIEWS_SCHEMA}:{snap_id or 0}"


def create_tables(c: sqlite3.Connection) -> None:
    for stmt in statements(_SCHEMA):
        c.execute(stmt)


def ensure_views(c: sqlite3.Connection) -> None:
    """Rebuild the browse tables if they were built by another schema or from another
    snapshot than the active one (a store opened after an upgrade or a crash)."""
    row = c.execute("SELECT value FROM meta WHERE key = 'views'").fetchone()
    active = c.execute("SELECT snap_id FROM snapshot WHERE state = 'active'").fetchone()
    snap_id = active[0] if active else None
    if row is None or row[0] != views_stamp(snap_id):
        rebuild_views(c, snap_id)


def rebuild_views(c: sqlite3.Connection, snap_id: int | None) -> None:
    """Build the browse tables and the full-text index from snapshot ``snap_id`` (none: empty
    tables), inside the caller's write transaction so readers see the switch all at once."""
    for stmt in statements(_VIEWS):
        c.execute(stmt)
    c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('views', ?)",
              (views_stamp(snap_id),))
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
