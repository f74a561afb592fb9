"""What nearly every kiosk request needs, kept in memory: the current signed manifest and which
kiosk a device token belongs to. Every kiosk polls the manifest every few minutes, so answering
that poll without the database is most of central's capacity.

Freshness: the copy is re-checked against the database when the change stamp
(central.changes) moves, which any central process on this machine does right after it
publishes, re-signs or revokes; and in any case when the last check is MAX_AGE_S old, which
bounds how late a change made elsewhere (another host on the same PostgreSQL, a hand edit) is
seen. A re-check is one small query, run by one thread for all waiting requests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from central import content, db
from central.changes import read_stamp, stamp_path
from central.orm import Device, Release

if TYPE_CHECKING:
    from central.service import Central

MAX_AGE_S = 1.0
# A fleet is hundreds of kiosks; the cap only stops a flood of distinct tokens growing memory.
MAX_TOKENS = 100_000
_UNREAD = object()


@dataclass(frozen=True)
class _ManifestState:
    manifest: content.SignedManifest | None
    key: tuple[int, str] | None  # the newest release's (version, etag) it was read for
    refresh_at: float  # epoch seconds from which it must be re-signed; inf: never


_EMPTY = _ManifestState(None, None, math.inf)


class ServingCache:
    def __init__(self, central: Central):
        self._central = central
        self._stamp_path = stamp_path(central.settings)
        self._stamp: object = _UNREAD
        self._checked_at = -math.inf  # monotonic time the last check started
        self._state = _EMPTY
        self._tokens: dict[str, str] = {}  # sha256 of the token -> device id
        self._revoked: int | None = None
        # Bumped whenever entries are dropped, so a lookup that read the database before a
        # revocation can not put its now-stale answer back afterwards.
        self._generation = 0
        self._lock = threading.Lock()
        self._pending: concurrent.futures.Future | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    # -- freshness --------------------------------------------------------------------------

    def is_fresh(self) -> bool:
        return (time.monotonic() - self._checked_at < MAX_AGE_S
                and time.time() < self._state.refresh_at
                and read_stamp(self._stamp_path) == self._stamp)

    def ensure_fresh(self) -> None:
        """For worker threads: wait for a check of the database when the copy may be stale."""
        for _ in range(3):
            if self.is_fresh():
                return
            self._check().result()

    async def ensure_fresh_async(self) -> bool:
        """For the event loop: the same, without blocking it. False when the database could
        not be checked (the caller then takes the ordinary route, which reports the error)."""
        for _ in range(3):
            if self.is_fresh():
                return True
            try:
                await asyncio.wrap_future(self._check())
            except Exception:  # noqa: BLE001 - the slow path reports it properly
                return False
        return self.is_fresh()

    def _check(self) -> concurrent.futures.Future:
        # One check at a time; everyone who finds the copy stale waits for the same one, and
        # whoever still finds it stale afterwards (the stamp moved meanwhile) starts the next.
        with self._lock:
            if self._pending is None or self._pending.done():
                if self._executor is None:
                    self._executor = concurrent.futures.ThreadPoolExecutor(
                        1, thread_name_prefix="central-cache")
                self._pending = self._executor.submit(self._reload)
            return self._pending

    def _reload(self) -> None:
        # Read the stamp before the database: a change committed after this read moves the
        # stamp again, and the next request checks again.
        stamp = read_stamp(self._stamp_path)
        started = time.monotonic()
        c = self._central
        db.fresh_connections()  # this thread's own connection, kept between checks
        newest = c.q(Release).order_by("-version").only(
            "version", "etag", "expires_at", "lifetime_s").first()
        revoked = c.q(Device).filter(revoked_at__isnull=False).count()
        if revoked != self._revoked:
            self._drop_tokens(None)
            self._revoked = revoked
        state = self._state
        if newest is None:
            state = _EMPTY
        else:
            due = (c.settings.manifest_refresh
                   and time.time() >= _refresh_at(newest.expires_at.timestamp(),
                                                  newest.lifetime_s))
            if due or (newest.version, newest.etag) != state.key:
                m = content.current_manifest(c)  # re-signs it when due
                state = _EMPTY if m is None else _ManifestState(
                    m, (m.version, m.etag),
                    _refresh_at(m.expires_at.timestamp(), m.lifetime_s)
                    if c.settings.manifest_refresh else math.inf)
        self._state = state
        self._stamp = stamp
        self._checked_at = started

    # -- the manifest -----------------------------------------------------------------------

    def manifest(self) -> content.SignedManifest | None:
        """The newest signed manifest as of the last check (call ensure_fresh first)."""
        return self._state.manifest

    # -- device tokens ----------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    def device_for(self, token_hash: str) -> str | None:
        return self._tokens.get(token_hash)

    def remember(self, token_hash: str, device_id: str, generation: int) -> None:
        """Keep a lookup made while ``generation`` was current, unless entries were dropped
        since (the lookup may predate a revocation)."""
        with self._lock:
            if generation == self._generation and len(self._tokens) < MAX_TOKENS:
                self._tokens[token_hash] = device_id

    def forget_device(self, device_id: str) -> None:
        self._drop_tokens(device_id)

    def _drop_tokens(self, device_id: str | None) -> None:
        with self._lock:
            self._generation += 1
            if device_id is None:
                self._tokens = {}
            else:
                self._tokens = {h: d for h, d in self._tokens.items() if d != device_id}


T = TypeVar("T")


class Snapshot(Generic[T]):
    """A small table's worth of the database in memory for every request of this process: read
    again when the change stamp moved or the copy is MAX_AGE_S old, by one thread while the
    others wait. For what is read on every heartbeat but changes rarely (the kiosks' settings,
    which kiosks have commands waiting): one query a second instead of one a heartbeat. A
    reader must still be right with a copy up to MAX_AGE_S old (the heartbeat is: it checks
    the database itself wherever the copy disagrees with the kiosk's row)."""

    def __init__(self, load: Callable[[], T], stamp: Path):
        self._load, self._stamp_path = load, stamp
        self._value: T | None = None
        self._key: tuple[object, float] = (_UNREAD, -math.inf)  # stamp, monotonic read time
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._fresh(read_stamp(self._stamp_path))
        if value is not None:
            return value
        with self._lock:
            stamp = read_stamp(self._stamp_path)  # before the database: see ServingCache
            value = self._fresh(stamp)
            if value is not None:
                return value
            started = time.monotonic()
            value = self._load()
            self._value, self._key = value, (stamp, started)
            return value

    def _fresh(self, stamp: object) -> T | None:
        seen, read_at = self._key
        if seen == stamp and time.monotonic() - read_at < MAX_AGE_S:
            return self._value
        return None


def _refresh_at(expires_epoch: float, lifetime_s: int) -> float:
    """When content.current_manifest will re-sign: with less than half the lifetime left."""
    return expires_epoch - lifetime_s / 2
