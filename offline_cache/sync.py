"""One sync cycle with central, and the background loop that repeats it.

A cycle fetches the manifest with the ETag kept on disk, verifies its signature with the key
pinned at provisioning, refuses rollbacks and expired manifests, downloads only the records and
images the store lacks (resuming broken downloads with Range), stages the whole version and
makes it active in one step. Whatever fails, the last good content stays active.

With a content mirror in the device config (a static copy of the releases on a web server or
CDN), the cycle asks the mirror first and central only for what the mirror gets wrong: a
manifest that is forged, expired or older than the kiosk's content, a file that is missing or
does not match its hash. Each is refused, the reason kept for the technician (SyncState.
mirror_problem), and central serves the same cycle."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from nacl.signing import VerifyKey

from kiosk import protocol
from kiosk.central_client import CentralClient, CentralError, MirrorClient, MirrorError, Response
from kiosk.config import write_private_json
from offline_cache.blobs import BlobStore, IncompleteBlob
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
    # The content mirror last asked (its base address) and its manifest's ETag; why it was
    # refused at the last cycle, until it serves a cycle again.
    mirror_url: str | None = None
    mirror_etag: str | None = None
    mirror_problem: str | None = None

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
    source: str = "central"  # where the content of this cycle came from: central or mirror


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


class ReleaseSource(Protocol):
    """Where a cycle fetches the pieces of a release: central's API, or a content mirror
    (kiosk.central_client.MirrorClient) that answers the same calls with plain files."""

    mirror: bool

    def manifest(self, etag: str | None) -> Response: ...
    def index(self, sha256: str, limit: int) -> bytes: ...
    def delta(self, sha256: str, limit: int) -> bytes: ...
    def records(self, hashes: list[str]) -> dict[str, bytes]: ...
    def blob_chunks(self, sha256: str, start: int) -> tuple[int, Iterator[bytes]]: ...


class _CentralSource:
    """Central's API as a ReleaseSource."""

    mirror = False

    def __init__(self, client: CentralClient):
        self.client = client

    def manifest(self, etag: str | None) -> Response:
        return self.client.manifest(etag)

    def index(self, sha256: str, limit: int) -> bytes:
        return self.client.blob(sha256, limit)

    def delta(self, sha256: str, limit: int) -> bytes:
        return self.client.blob(sha256, limit)

    def records(self, hashes: list[str]) -> dict[str, bytes]:
        return {sha: protocol.canonical_json(obj)
                for sha, obj in self.client.records(hashes).items()}

    def blob_chunks(self, sha256: str, start: int) -> tuple[int, Iterator[bytes]]:
        return self.client.blob_chunks(sha256, start)


class _MirrorRefused(Exception):
    """What the mirror served was refused (an old or expired manifest)."""


class Syncer:
    def __init__(self, store: ContentStore, blobs: BlobStore, client: CentralClient,
                 verify_key_b64: str, state_path: Path,
                 progress: Callable[[str], None] | None = None,
                 mirror_url: Callable[[], str | None] | None = None):
        self.store = store
        self.blobs = blobs
        self.client = client
        self.verify_key = VerifyKey(protocol.unb64(verify_key_b64, "content public key"))
        self.state_path = state_path
        self.progress = progress or (lambda msg: None)
        # Told the counts as an install goes on (SyncProgress); None: nobody is watching.
        self.counts: Callable[[SyncProgress], None] | None = None
        self._lock = threading.Lock()
        # The content mirror's base address, read at every cycle (the device config in force).
        self.mirror_url = mirror_url or (lambda: None)
        self._mirror: MirrorClient | None = None

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

    def _mirror_client(self) -> MirrorClient | None:
        url = self.mirror_url()
        if not url:
            self._mirror = None
        elif self._mirror is None or self._mirror.base != url.rstrip("/"):
            self._mirror = MirrorClient(url)
        return self._mirror

    def _cycle(self, state: SyncState, counter: _Counting) -> SyncResult:
        try:
            mirror = self._mirror_client()
        except MirrorError as e:
            state.mirror_problem = (f"the content mirror was refused: {e}; the kiosk fetches "
                                    "its content from central")
            mirror = None
        else:
            if mirror is None:
                state.mirror_url = state.mirror_etag = state.mirror_problem = None
        if mirror is not None:
            if state.mirror_url != mirror.base:
                state.mirror_url, state.mirror_etag = mirror.base, None
            try:
                result = self._cycle_from(mirror, state, counter)
            except (MirrorError, _MirrorRefused, protocol.ProtocolError, ValueError) as e:
                why = (f"the content mirror at {mirror.base} was refused: {e}; the kiosk "
                       "fetched its content from central instead")
                log.warning("%s", why)
                self.progress(why)
                state.mirror_problem = why
            else:
                state.mirror_problem = None
                result.source = "mirror"
                result.message += " (from the content mirror)"
                return result
        result = self._cycle_from(_CentralSource(self.client), state, counter)
        if mirror is not None:
            # Central served: the mirror's next answer is read whole and compared with what
            # the kiosk now has, not waved through as "unchanged since last time" (304).
            state.mirror_etag = None
        if state.mirror_problem:
            result.problems.append(state.mirror_problem)
        return result

    def _cycle_from(self, source: ReleaseSource, state: SyncState,
                    counter: _Counting) -> SyncResult:
        active = self.store.active_version() if self.store.active_source() == "central" else None
        self.progress("asking the content mirror for the newest content" if source.mirror
                      else "asking central for the newest content")
        counter.requests += 1
        etag_field = "mirror_etag" if source.mirror else "etag"
        resp = source.manifest(getattr(state, etag_field) if active is not None else None)
        counter.bytes += len(resp.body)
        if resp.status == 304:
            return SyncResult("unchanged", active, f"content version {active} is the newest")
        manifest = protocol.verify_manifest(resp.body, self.verify_key)
        etag = resp.headers.get("ETag") or resp.headers.get("etag")
        state.newest_seen = max(manifest.version, state.newest_seen or 0)
        if source.mirror:
            self._check_mirror_manifest(manifest, active)
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
            setattr(state, etag_field, etag)
            return SyncResult("unchanged", active,
                              f"content version {active} stays: version {state.held_back} was "
                              "rolled back by a technician; waiting for a newer one")
        if active is not None and manifest.version == active:
            # Same content, re-signed with a later expiry (a mirror's copy may be older than
            # the one central gave: the later expiry stays).
            current = self.store.active_manifest()
            if current is None or manifest.expires_at > current.expires_at:
                self.store.refresh_manifest(manifest)
            setattr(state, etag_field, etag)
            return SyncResult("refreshed", active,
                              f"content version {active} is the newest (re-signed)")
        self._install(manifest, counter, source)
        setattr(state, etag_field, etag)
        return SyncResult("updated", manifest.version,
                          f"content version {manifest.version} is now active")

    @staticmethod
    def _check_mirror_manifest(manifest: protocol.Manifest, active: int | None) -> None:
        """A mirror serving an expired manifest or one older than the kiosk's content is behind
        central (or replaying an old copy): refused, so central is asked."""
        if manifest.is_expired():
            raise _MirrorRefused(
                f"it serves the manifest of version {manifest.version}, which expired at "
                f"{protocol.iso(manifest.expires_at)} (an old manifest); copy the newest "
                "release to the mirror again")
        if active is not None and manifest.version < active:
            raise _MirrorRefused(
                f"it serves version {manifest.version}, older than version {active} on the "
                "kiosk (an old manifest); copy the newest release to the mirror again")

    def _install(self, manifest: protocol.Manifest, counter: _Counting,
                 source: ReleaseSource) -> None:
        index = self._index_from_delta(manifest, counter, source)
        if index is None:
            self.progress(f"downloading the index of version {manifest.version}")
            counter.requests += 1
            index_bytes = source.index(manifest.index.sha256, protocol.MAX_INDEX_BYTES)
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
            # Central answers a batch in one request; a mirror serves one file per record.
            counter.requests += len(chunk) if source.mirror else 1
            got = source.records(chunk)
            rows = []
            for sha in chunk:
                body = got.get(sha)
                if body is None:
                    raise CentralError(f"central did not send record {sha[:12]}; try again "
                                       "later")
                counter.bytes += len(body)
                rows.append((kinds[sha], sha, body))
            self.store.put_records(rows)
            done += len(chunk)
            self.progress(f"records: {done} of {len(missing)}")
            tell()
        for n, ref in enumerate(need, 1):
            self._download_blob(ref, counter, source)
            images = n
            tell()
            if n % 50 == 0 or n == len(need):
                self.progress(f"images: {n} of {len(need)}")
        self.progress(f"switching to version {manifest.version}")
        self.store.activate(manifest.version)
        tell(finished=True)

    def _index_from_delta(self, manifest: protocol.Manifest, counter: _Counting,
                          source: ReleaseSource) -> protocol.Index | None:
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
        data = source.delta(ref.sha256, protocol.MAX_INDEX_BYTES)
        counter.bytes += len(data)
        try:
            index, _ = protocol.apply_delta(current, data, ref, manifest.index)
        except protocol.ProtocolError as e:
            log.warning("index delta not usable (%s); fetching the whole index", e)
            return None
        return index

    def _download_blob(self, ref: protocol.BlobRef, counter: _Counting,
                       source: ReleaseSource) -> None:
        start = self.blobs.partial_size(ref.sha256, ref.size)
        counter.requests += 1
        offset, chunks = source.blob_chunks(ref.sha256, start)

        def counted():
            for c in chunks:
                counter.bytes += len(c)
                yield c

        try:
            if offset and offset == start:
                self.blobs.append(ref, counted())
            else:
                self.blobs.put_stream(ref, counted())
        except IncompleteBlob:
            raise
        except protocol.ProtocolError as e:
            if not source.mirror:
                raise
            raise MirrorError(f"its copy of image {ref.sha256[:12]} does not match the hash in "
                              "the signed manifest (a changed or damaged file)") from e


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
