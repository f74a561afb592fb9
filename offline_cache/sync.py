"""One sync cycle with central, and the background loop that repeats it.

A cycle fetches the manifest with the ETag kept on disk, verifies its signature with the key
pinned at provisioning, refuses rollbacks and expired manifests, downloads only the records and
images the store lacks (resuming broken downloads with Range), stages the whole version and
makes it active in one step. Whatever fails, the last good content stays active."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nacl.signing import VerifyKey

from kiosk import protocol
from kiosk.central_client import CentralClient, CentralError
from kiosk.config import write_private_json
from offline_cache.blobs import BlobStore
from offline_cache.outbox import backoff_delay
from offline_cache.store import ContentStore

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 3600.0


@dataclass
class SyncState:
    """What the kiosk remembers between cycles (sync-state.json)."""

    etag: str | None = None
    last_sync_at: str | None = None  # last time central was reached and content is current
    last_attempt_at: str | None = None
    last_error: str | None = None
    failures: int = 0
    newest_seen: int | None = None
    # A technician rolled this version back: it is not installed again, only a newer one.
    held_back: int | None = None
    # Why the last content central offered was refused (forged, expired, a rollback), until a
    # cycle succeeds: the kiosk reports it as a problem.
    refused: str | None = None

    @classmethod
    def load(cls, path: Path) -> SyncState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls()
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: Path) -> None:
        write_private_json(path, asdict(self))


@dataclass
class SyncResult:
    outcome: str  # "unchanged", "updated", "refreshed", "failed"
    version: int | None
    message: str
    bytes_received: int = 0
    requests: int = 0
    retry_after: float | None = None
    stale: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SyncProgress:
    """How far an install has come, for a progress bar (the setup wizard's first sync):
    records and images fetched of those needed, bytes received of the images' total, and
    whether the new version is active."""

    records_done: int = 0
    records_total: int = 0
    images_done: int = 0
    images_total: int = 0
    bytes_received: int = 0
    image_bytes_total: int = 0
    finished: bool = False


class _Counting:
    """Counts what crossed the wire, for progress and for the benchmark."""

    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0


def now_iso() -> str:
    return protocol.iso(datetime.now(UTC))


class Syncer:
    def __init__(self, store: ContentStore, blobs: BlobStore, client: CentralClient,
                 verify_key_b64: str, state_path: Path,
                 progress: Callable[[str], None] | None = None):
        self.store = store
        self.blobs = blobs
        self.client = client
        self.verify_key = VerifyKey(protocol.unb64(verify_key_b64, "content public key"))
        self.state_path = state_path
        self.progress = progress or (lambda msg: None)
        # Told the counts as an install goes on (SyncProgress); None: nobody is watching.
        self.counts: Callable[[SyncProgress], None] | None = None
        self._lock = threading.Lock()

    def state(self) -> SyncState:
        return SyncState.load(self.state_path)

    def sync_once(self) -> SyncResult:
        """One cycle. Never raises for network or content problems: they come back as a
        'failed' result with a message, and the active content is untouched."""
        with self._lock:
            state = SyncState.load(self.state_path)
            state.last_attempt_at = now_iso()
            counter = _Counting()
            try:
                result = self._cycle(state, counter)
            except CentralError as e:
                result = SyncResult("failed", self.store.active_version(), str(e),
                                    retry_after=e.retry_after)
            except (protocol.ProtocolError, ValueError) as e:
                result = SyncResult("failed", self.store.active_version(),
                                    f"central sent content that was refused: {e}")
                state.refused = result.message
            except (OSError, sqlite3.Error) as e:
                # A full disk shows up as EFBIG/ENOSPC from files and as "database or disk is
                # full" from SQLite; either way the active snapshot is untouched.
                detail = getattr(e, "strerror", None) or str(e)
                result = SyncResult("failed", self.store.active_version(),
                                    f"could not store content ({detail}); free disk space on "
                                    "the kiosk")
            result.bytes_received, result.requests = counter.bytes, counter.requests
            if result.outcome == "failed":
                state.failures += 1
                state.last_error = result.message
                log.warning("sync failed: %s", result.message)
            else:
                state.failures = 0
                state.last_error = None
                state.refused = None
                state.last_sync_at = now_iso()
            try:
                self._update_stale(result)
                state.save(self.state_path)
            except (OSError, sqlite3.Error) as e:
                log.error("could not record the sync state (%s); free disk space", e)
            return result

    def _update_stale(self, result: SyncResult) -> None:
        manifest = self.store.active_manifest()
        expired = manifest is not None and manifest.is_expired()
        if self.store.active_source() == "central":
            self.store.mark_stale(expired)
        result.stale = bool(expired and self.store.active_source() == "central")

    # -- the cycle -----------------------------------------------------------------------------

    def _cycle(self, state: SyncState, counter: _Counting) -> SyncResult:
        active = self.store.active_version() if self.store.active_source() == "central" else None
        self.progress("asking central for the newest content")
        counter.requests += 1
        resp = self.client.manifest(state.etag if active is not None else None)
        counter.bytes += len(resp.body)
        if resp.status == 304:
            return SyncResult("unchanged", active, f"content version {active} is the newest")
        manifest = protocol.verify_manifest(resp.body, self.verify_key)
        etag = resp.headers.get("ETag") or resp.headers.get("etag")
        state.newest_seen = manifest.version
        if manifest.is_expired():
            raise protocol.ProtocolError(
                f"central's manifest for version {manifest.version} expired at "
                f"{protocol.iso(manifest.expires_at)}; content is kept but marked stale "
                "until central publishes or re-signs")
        if active is not None and manifest.version < active:
            raise protocol.ProtocolError(
                f"central offered version {manifest.version}, older than the active version "
                f"{active}; refused (rollback)")
        if state.held_back is not None and manifest.version <= state.held_back:
            state.etag = etag
            return SyncResult("unchanged", active,
                              f"content version {active} stays: version {state.held_back} was "
                              "rolled back by a technician; waiting for a newer one")
        if active is not None and manifest.version == active:
            # Same content, re-signed with a later expiry.
            self.store.refresh_manifest(manifest)
            state.etag = etag
            return SyncResult("refreshed", active,
                              f"content version {active} is the newest (re-signed)")
        self._install(manifest, counter)
        state.etag = etag
        return SyncResult("updated", manifest.version,
                          f"content version {manifest.version} is now active")

    def _install(self, manifest: protocol.Manifest, counter: _Counting) -> None:
        index = self._index_from_delta(manifest, counter)
        if index is None:
            self.progress(f"downloading the index of version {manifest.version}")
            counter.requests += 1
            index_bytes = self.client.blob(manifest.index.sha256, protocol.MAX_INDEX_BYTES)
            counter.bytes += len(index_bytes)
            index = protocol.parse_index(index_bytes, manifest.index)
        self.store.begin_snapshot(manifest, index, "central")
        kinds = {sha: kind for kind, ids in index.records.items() for sha in ids.values()}
        missing = sorted(self.store.missing_records(index))
        need = [b for b in manifest.blobs if not self.blobs.has(b.sha256)]
        done = images = 0

        def tell(finished: bool = False) -> None:
            if self.counts is not None:
                self.counts(SyncProgress(done, len(missing), images, len(need), counter.bytes,
                                         sum(b.size for b in need), finished))
        tell()
        for i in range(0, len(missing), protocol.MAX_HASHES_PER_REQUEST):
            chunk = missing[i:i + protocol.MAX_HASHES_PER_REQUEST]
            counter.requests += 1
            got = self.client.records(chunk)
            rows = []
            for sha in chunk:
                obj = got.get(sha)
                if obj is None:
                    raise CentralError(f"central did not send record {sha[:12]}; try again "
                                       "later")
                body = protocol.canonical_json(obj)
                counter.bytes += len(body)
                rows.append((kinds[sha], sha, body))
            self.store.put_records(rows)
            done += len(chunk)
            self.progress(f"records: {done} of {len(missing)}")
            tell()
        for n, ref in enumerate(need, 1):
            self._download_blob(ref, counter)
            images = n
            tell()
            if n % 50 == 0 or n == len(need):
                self.progress(f"images: {n} of {len(need)}")
        self.progress(f"switching to version {manifest.version}")
        self.store.activate(manifest.version)
        tell(finished=True)

    def _index_from_delta(self, manifest: protocol.Manifest,
                          counter: _Counting) -> protocol.Index | None:
        """The new index rebuilt from the installed one and a small delta, when central offers
        one from the active version; None to fall back to the whole index."""
        if self.store.active_source() != "central":
            return None
        active = self.store.active_version()
        ref = next((d for d in manifest.deltas if d.from_version == active), None)
        current = self.store.active_index() if ref else None
        if ref is None or current is None:
            return None
        self.progress(f"downloading the changes from version {active} to {manifest.version}")
        counter.requests += 1
        data = self.client.blob(ref.sha256, protocol.MAX_INDEX_BYTES)
        counter.bytes += len(data)
        try:
            index, _ = protocol.apply_delta(current, data, ref, manifest.index)
        except protocol.ProtocolError as e:
            log.warning("index delta not usable (%s); fetching the whole index", e)
            return None
        return index

    def _download_blob(self, ref: protocol.BlobRef, counter: _Counting) -> None:
        start = self.blobs.partial_size(ref.sha256, ref.size)
        counter.requests += 1
        offset, chunks = self.client.blob_chunks(ref.sha256, start)

        def counted():
            for c in chunks:
                counter.bytes += len(c)
                yield c

        if offset and offset == start:
            self.blobs.append(ref, counted())
        else:
            self.blobs.put_stream(ref, counted())


def next_delay(result_ok: bool, failures: int, interval: float,
               retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """When to try again: the interval +-20 % after success; backoff after failure; never sooner
    than central's Retry-After."""
    rng = rng or random.Random()
    if result_ok:
        delay = interval * rng.uniform(0.8, 1.2)
    else:
        delay = backoff_delay(failures, rng.random, base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP_S))
    return delay


class Repeater:
    """Runs ``work`` in a background thread on the schedule ``next_delay`` gives; ``poke()``
    makes it run at once (staff sent 'sync now', a visitor just sent feedback). While backing
    off after a failure, ``probe`` (a cheap reachability check) is tried every ``probe_every``
    seconds, so the work runs as soon as the network returns instead of at the end of a long
    backoff. ``interval`` and ``probe_every`` (a number or a callable) are read at every cycle,
    so a new device config applies from the next one."""

    def __init__(self, name: str, work: Callable[[], tuple[bool, float | None]],
                 interval: Callable[[], float], probe: Callable[[], bool] | None = None,
                 probe_every: float | Callable[[], float] = 15.0,
                 clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.work = work
        self.interval = interval
        self.probe = probe
        self.probe_every = probe_every
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0
        # When the next cycle is due (``clock`` time), while the loop sleeps; None while it
        # works or before it started. The technician panel shows it.
        self.next_at: float | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ok, retry_after = self.work()
            except Exception:  # a bug in one cycle must not end the loop
                log.exception("%s: unexpected error", self.name)
                ok, retry_after = False, None
            self.failures = 0 if ok else self.failures + 1
            delay = next_delay(ok, self.failures, self.interval(), retry_after)
            self._sleep(delay, probing=not ok and retry_after is None)
            self._wake.clear()

    def _sleep(self, delay: float, probing: bool) -> None:
        end = self.clock() + delay
        self.next_at = end
        try:
            self._sleep_until(end, probing)
        finally:
            self.next_at = None

    def _sleep_until(self, end: float, probing: bool) -> None:
        every = self.probe_every() if callable(self.probe_every) else self.probe_every
        while not self._stop.is_set():
            left = end - self.clock()
            if left <= 0:
                return
            step = min(left, every) if probing and self.probe else left
            if self._wake.wait(step):
                return
            if probing and self.probe is not None:
                try:
                    if self.probe():
                        return
                except Exception:  # a failing probe just means: still offline
                    pass
