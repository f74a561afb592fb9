"""The kiosk's services wired together: credentials, content store, media, outbox, sync and
heartbeat. The CLI and the app both use this one object; nothing here imports Kivy."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk import __version__, events
from kiosk.config import DEMO_CATALOGUE, Credentials, KioskPaths
from kiosk.errors import NotProvisioned

if TYPE_CHECKING:
    from kiosk import protocol
    from kiosk.central_client import CentralClient
    from offline_cache.blobs import BlobStore
    from offline_cache.outbox import Outbox
    from offline_cache.store import ContentStore
    from offline_cache.sync import Repeater, Syncer, SyncResult

# The parts are opened, and their modules imported (the wire format's models, the network side,
# the sync engine), when first used: the visitor UI shows its first screen before any of that,
# and opens the content store and starts the background loops just after.

log = logging.getLogger(__name__)

# Beyond this a kiosk that has not reached central reports its content as stale even if the
# manifest has not expired yet, so staff see it in the fleet view.
STALE_AFTER_S = 24 * 3600


class KioskDevice:
    def __init__(self, paths: KioskPaths | None = None, open_now: bool = True):
        """``open_now=False`` (the visitor UI): the content store and the outbox open, and
        their modules load, when first used, so the first screen shows sooner. Otherwise they
        open here, as a running kiosk has them: a disk that fills up later fails writes,
        not the opening."""
        self.paths = paths or KioskPaths.default()
        self.paths.ensure()
        self.started = time.monotonic()
        self._creds: Credentials | None = None
        self._loops: list[Repeater] = []
        self._flush_lock = threading.Lock()
        # What happened (new content, a command for the app, ...): the app subscribes.
        self.events = events.EventBus()
        if open_now:
            _ = self.store, self.outbox

    @cached_property
    def blobs(self) -> BlobStore:
        from offline_cache.blobs import BlobStore

        return BlobStore(self.paths.blobs)

    @cached_property
    def store(self) -> ContentStore:
        from offline_cache.store import ContentStore

        return ContentStore(self.paths.content_db, self.blobs)

    @cached_property
    def outbox(self) -> Outbox:
        from offline_cache.outbox import Outbox

        return Outbox(self.paths.outbox_db)

    # -- identity ------------------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials | None:
        if self._creds is None:
            self._creds = Credentials.load(self.paths.credentials)
        return self._creds

    def require_credentials(self) -> Credentials:
        creds = self.credentials
        if creds is None:
            raise NotProvisioned("this kiosk is not provisioned yet; run 'kiosk provision "
                                 "--api URL --code CODE' with a code from central")
        return creds

    def client(self) -> CentralClient:
        from kiosk.central_client import CentralClient
        creds = self.require_credentials()
        return CentralClient(creds.api, creds.device_token)

    def provision(self, api: str, code: str, name: str | None = None,
                  location: str | None = None) -> Credentials:
        """Enrol with central and keep the new identity. A kiosk provisioned before gets a
        clean new identity: new token, newly pinned key, sync state forgotten."""
        from kiosk import protocol
        from kiosk.central_client import CentralClient, check_api_url
        api = check_api_url(api)
        resp = CentralClient(api).enroll(code.strip(), name, location, __version__)
        creds = Credentials(
            api=api, device_id=resp.device_id, device_token=resp.device_token,
            content_public_key=resp.content_public_key, content_key_id=resp.content_key_id,
            submission_public_key=resp.submission_public_key, name=name, location=location,
            provisioned_at=protocol.iso(datetime.now(UTC)), config=dict(resp.config),
        )
        creds.save(self.paths.credentials)
        self.paths.sync_state.unlink(missing_ok=True)
        self._creds = creds
        return creds

    # -- content -------------------------------------------------------------------------------

    def ensure_content(self) -> None:
        """First run: with nothing installed, install the bundled demo catalogue through the
        same verification path a sync uses."""
        if self.store.active_version() is None:
            self.store.import_catalogue_dir(DEMO_CATALOGUE, source="demo")
            self.events.emit(events.CONTENT_CHANGED, version=self.store.active_version())

    def syncer(self, progress: Callable[[str], None] | None = None) -> Syncer:
        from offline_cache.sync import Syncer
        creds = self.require_credentials()
        return Syncer(self.store, self.blobs, self.client(), creds.content_public_key,
                      self.paths.sync_state, progress)

    def sync(self, progress: Callable[[str], None] | None = None) -> SyncResult:
        self.ensure_content()
        return self.syncer(progress).sync_once()

    def rollback(self) -> int:
        """Go back one content version (a technician's decision). The version rolled back from
        is not installed again; the next newer one is. Returns the version now active."""
        from offline_cache.sync import SyncState
        bad = self.store.active_version()
        version = self.store.rollback()
        state = SyncState.load(self.paths.sync_state)
        state.held_back = bad
        state.etag = None
        state.save(self.paths.sync_state)
        return version

    def is_stale(self) -> bool:
        if self.store.active_source() != "central":
            return False
        from offline_cache.sync import SyncState

        manifest = self.store.active_manifest()
        if self.store.is_stale() or (manifest is not None and manifest.is_expired()):
            return True
        last = SyncState.load(self.paths.sync_state).last_sync_at
        if last is None:
            return True
        age = (datetime.now(UTC) - datetime.fromisoformat(last.replace("Z", "+00:00")))
        return age.total_seconds() > STALE_AFTER_S

    # -- feedback ------------------------------------------------------------------------------

    def submit(self, type: str, payload: dict[str, Any], lang: str,
               contact: dict[str, str] | None = None, test: bool = False) -> str:
        """Keep a visitor's submission durably; returns its id. Thank the visitor only after
        this returns."""
        creds = self.credentials
        return self.outbox.enqueue(
            type, payload, lang, self.store.active_version() or 0, contact=contact,
            submission_public_key=creds.submission_public_key if creds else None, test=test)

    def flush_outbox(self, max_failures: int | None = None,
                     sleep: Callable[[float], None] = time.sleep,
                     should_stop: Callable[[], bool] = lambda: False):
        client = self.client()

        def post(batch):
            return client.submit([s.model_dump(mode="json", exclude_none=True) for s in batch])

        with self._flush_lock:
            return self.outbox.flush(post, sleep=sleep, max_failures=max_failures,
                                     should_stop=should_stop)

    # -- health --------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        from kiosk import protocol
        from offline_cache.sync import SyncState
        creds = self.credentials
        state = SyncState.load(self.paths.sync_state)
        stats = self.outbox.stats()
        manifest = self.store.active_manifest()
        return {
            "device_id": creds.device_id if creds else None,
            "provisioned": creds is not None,
            "api": creds.api if creds else None,
            "content_version": self.store.active_version(),
            "content_source": self.store.active_source(),
            "content_expires_at": protocol.iso(manifest.expires_at) if manifest else None,
            "last_sync_at": state.last_sync_at,
            "last_sync_error": state.last_error,
            "stale": self.is_stale(),
            "outbox": {"pending": stats["pending"], "oldest_age_s": stats["oldest_age_s"],
                       "dead": stats["dead"]},
            "app_version": __version__,
        }

    def heartbeat(self, problems: list[str] | None = None,
                  done_commands: list[str] | None = None) -> protocol.HeartbeatReply:
        from kiosk import protocol
        from offline_cache.sync import SyncState
        st = self.status()
        state = SyncState.load(self.paths.sync_state)
        hb = protocol.Heartbeat(
            app_version=__version__, content_version=st["content_version"] or 0,
            content_source=st["content_source"] or "demo", stale=st["stale"],
            last_sync_at=state.last_sync_at, outbox_pending=st["outbox"]["pending"],
            outbox_dead=st["outbox"]["dead"], outbox_oldest_age_s=st["outbox"]["oldest_age_s"],
            uptime_s=int(time.monotonic() - self.started),
            problems=tuple(p[:300] for p in (problems or [])[:20]),
            done_commands=tuple(done_commands or ()),
        )
        return self.client().heartbeat(hb)

    # -- background work while the app runs ------------------------------------------------

    def start_background(self) -> None:
        """Sync, upload and heartbeat loops. Each failure backs off on its own; a command from
        central ('sync now', 'flush outbox') wakes the matching loop at once. New content and
        commands for the app are told through ``self.events``."""
        from kiosk import protocol
        from kiosk.central_client import CentralError
        from offline_cache.sync import Repeater
        if self.credentials is None:
            return
        self.outbox.release_sending()  # after a crash, anything half-sent is queued again
        config = self.credentials.config or protocol.DEFAULT_DEVICE_CONFIG
        syncer = self.syncer()
        done: list[str] = []

        def sync_work() -> tuple[bool, float | None]:
            before = self.store.active_version()
            r = syncer.sync_once()
            if r.outcome == "updated" and before != r.version:
                self.events.emit(events.CONTENT_CHANGED, version=r.version)
            return r.outcome != "failed", r.retry_after

        def flush_work() -> tuple[bool, float | None]:
            report = self.flush_outbox(max_failures=1)
            return report.failures == 0, None

        def beat_work() -> tuple[bool, float | None]:
            try:
                reply = self.heartbeat(done_commands=list(done))
            except CentralError as e:
                return False, e.retry_after
            done.clear()
            self.credentials.config = dict(reply.config)
            for cmd in reply.commands:
                if cmd.name == "sync_now":
                    sync_loop.poke()
                elif cmd.name == "flush_outbox":
                    flush_loop.poke()
                else:
                    self.events.emit(events.COMMAND, command=cmd, done=lambda ok, result: None)
                done.append(cmd.id)
            return True, None

        probe = self.client().reachable
        sync_loop = Repeater("sync", sync_work,
                             lambda: float(config.get("sync_interval_s", 300)), probe=probe)
        flush_loop = Repeater("outbox", flush_work, lambda: 60.0, probe=probe)
        beat_loop = Repeater("heartbeat", beat_work,
                             lambda: float(config.get("heartbeat_interval_s", 60)))
        self._loops = [sync_loop, flush_loop, beat_loop]
        for loop in self._loops:
            loop.start()

    def wake_outbox(self) -> None:
        """A visitor just sent something: try to upload it now."""
        for loop in self._loops:
            if loop.name == "outbox":
                loop.poke()

    def close(self) -> None:
        for loop in self._loops:
            loop.stop()
        for part in ("store", "outbox"):
            if part in self.__dict__:  # opened
                self.__dict__[part].close()
