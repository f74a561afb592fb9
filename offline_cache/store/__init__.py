"""The kiosk's content memory: verified content snapshots in SQLite, switched in one atomic step,
with the lists, details and search the screens ask for.

Three rooms: ``schema`` (the tables, and the browse tables derived from the active snapshot),
``snapshots`` (the write side: stage, verify, activate, roll back, import the demo) and
``queries`` (the read side the screens use). ``ContentStore`` joins the two sides over one file.
"""

from __future__ import annotations

import os

from offline_cache.blobs import BlobStore
from offline_cache.store import schema
from offline_cache.store.queries import (
    Bilingual,
    CategoryItem,
    ContentQueries,
    GovernorateItem,
    Lang,
    ManufacturerItem,
    ProductDetail,
    ProductPage,
    ProductSummary,
    SearchResults,
)
from offline_cache.store.snapshots import (
    DEMO_LIFETIME,
    SOURCES,
    SnapshotInfo,
    SnapshotWriter,
    Source,
    StoreError,
)

VIEWS_SCHEMA = schema.VIEWS_SCHEMA

__all__ = [
    "DEMO_LIFETIME", "SOURCES", "VIEWS_SCHEMA", "Bilingual", "CategoryItem", "ContentQueries",
    "ContentStore", "GovernorateItem", "Lang", "ManufacturerItem", "ProductDetail",
    "ProductPage", "ProductSummary", "SearchResults", "SnapshotInfo", "SnapshotWriter",
    "Source", "StoreError",
]


class ContentStore(SnapshotWriter, ContentQueries):
    """Content snapshots in one SQLite file. Safe to share between threads: each thread gets its
    own connection, and WAL lets the screens read while sync writes.

    One object with both sides, because both share the file's connections and the write side's
    switch must be seen by the read side at once; each side's methods live in its own module.
    """

    def __init__(self, path: str | os.PathLike[str], blobs: BlobStore | None = None):
        super().__init__(path, blobs)
        with self._write() as c:
            schema.create_tables(c)
        with self._write() as c:
            schema.ensure_views(c)

    def __enter__(self) -> ContentStore:
        return self
