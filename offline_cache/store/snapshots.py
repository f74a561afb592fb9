"""The write side of the content store: staging a content snapshot, checking it, switching to it
in one transaction (or back to the previous one), and what is active, for technicians and sync.

Records are stored once by their SHA-256 and shared by every snapshot that lists them, so a new
version adds only what changed. A version being staged stays invisible until ``activate``
switches to it, in the same transaction that rebuilds the browse tables (``schema``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from kiosk.protocol import (
    BlobRef,
    Index,
    Manifest,
    ProtocolError,
    build_snapshot,
    canonical_json,
    iso,
    parse_record_bytes,
    sha256_hex,
)
from offline_cache.blobs import BlobStore
from offline_cache.catalogue_dir import load_catalogue_dir
from offline_cache.db import SQLiteFile
from offline_cache.store import schema

Source = Literal["demo", "central"]
SOURCES = ("demo", "central")
DEMO_LIFETIME = timedelta(days=3650)  # demo content never goes stale by itself


class StoreError(RuntimeError):
    """The store was asked for something it can not do; the text says what to do next."""


@dataclass(frozen=True)
class SnapshotInfo:
    version: int
    source: Source
    state: Literal["staged", "active", "previous"]
    activated_at: datetime | None
    stale: bool
    manifest: Manifest


def _now() -> datetime:
    return datetime.now(UTC)


def _blob_ok(blobs: BlobStore, ref: BlobRef) -> bool:
    try:
        return blobs.path(ref.sha256).stat().st_size == ref.size
    except OSError:
        return False


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class SnapshotWriter(SQLiteFile):
    """Installs and switches content snapshots; the half of ``ContentStore`` that sync, the demo
    import and the technician's commands use."""

    def __init__(self, path: str | os.PathLike[str], blobs: BlobStore | None = None):
        super().__init__(path)
        self.blobs = blobs

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
            schema.rebuild_views(c, snap_id)
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
            schema.rebuild_views(c, prev[0])
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
        if built is None or built[0] != schema.views_stamp(row[0]) or listed != shown:
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
