"""The kiosk's services wired together: credentials, content store, media, outbox, sync and
heartbeat. The CLI and the app both use this one object; nothing here imports Kivy."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import __version__, events
from kiosk.config import DEMO_CATALOGUE, Credentials, KioskPaths
from kiosk.errors import NotProvisioned
from kiosk.technician_pin import hash_pin, pin_matches

if TYPE_CHECKING:
    from kiosk import protocol
    from kiosk.central_client import CentralClient
    from kiosk.problems import ProblemBook
    from kiosk.remote_commands import CommandResults
    from kiosk.remote_config import AppliedConfig
    from kiosk.technician import TechnicianDoor
    from kiosk.usage import UsageBook
    from offline_cache.blobs import BlobStore
    from offline_cache.outbox import Outbox
    from offline_cache.store import ContentStore
    from offline_cache.sync import Repeater, Syncer, SyncProgress, SyncResult
    from offline_cache.thumbnails import Thumbnails

# The parts are opened, and their modules imported (the wire format's models, the network side,
# the sync engine), when first used: the visitor UI shows its first screen before any of that,
# and opens the content store and starts the background loops just after.

log = logging.getLogger(__name__)

# Beyond this a kiosk that has not reached central reports its content as stale even if the
# manifest has not expired yet, so staff see it in the fleet view.
STALE_AFTER_S = 24 * 3600
# The answer to a command only the visitor app can carry out, when no app runs.
NO_APP = "this command needs the kiosk's visitor app, which is not running"
# Commands the services carry out themselves, and the loop that does each.
SERVICE_COMMANDS = {"sync_now": "sync", "flush_outbox": "outbox"}


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
        # Anonymous use counts are taken only by the visitor app (screens.runtime sets it).
        self.count_use = False
        # What happened (new content, a command for the app, ...): the app subscribes.
        self.events = events.EventBus()
        self._applied: AppliedConfig | None = None
        # Commands being carried out (by id), and those waiting for their loop's next run.
        self._cmd_lock = threading.Lock()
        self._running: set[str] = set()
        self._waiting: dict[str, list[protocol.DeviceCommand]] = {"sync": [], "outbox": []}
        self._problems_shown: list[tuple[str, str]] | None = None  # last told to subscribers
        if open_now:
            _ = self.store, self.outbox

    @cached_property
    def blobs(self) -> BlobStore:
        from offline_cache.blobs import BlobStore

        return BlobStore(self.paths.blobs)

    @cached_property
    def thumbnails(self) -> Thumbnails:
        from offline_cache.thumbnails import Thumbnails

        return Thumbnails(self.blobs, self.paths.thumbnails)

    @cached_property
    def store(self) -> ContentStore:
        from offline_cache.store import ContentStore

        return ContentStore(self.paths.content_db, self.blobs)

    @cached_property
    def outbox(self) -> Outbox:
        from offline_cache.outbox import Outbox

        return Outbox(self.paths.outbox_db)

    @cached_property
    def command_results(self) -> CommandResults:
        from kiosk.remote_commands import CommandResults

        return CommandResults(self.paths.command_results)

    @cached_property
    def usage(self) -> UsageBook:
        """Anonymous use counts, sent with the heartbeat (kiosk/usage.py)."""
        from kiosk.usage import UsageBook

        return UsageBook(self.paths.usage, counting=self.count_use)

    @cached_property
    def technician_door(self) -> TechnicianDoor:
        """Wrong PINs, the lock and the technician mode's events (kiosk/technician.py)."""
        from kiosk.technician import TechnicianDoor

        return TechnicianDoor(self.paths.technician)

    @cached_property
    def problem_book(self) -> ProblemBook:
        from kiosk.problems import ProblemBook

        return ProblemBook(self.paths.problems)

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
                  location: str | None = None, pin: str | None = None) -> Credentials:
        """Enrol with central and keep the new identity. A kiosk provisioned before gets a
        clean new identity: new token, newly pinned key, sync state forgotten. ``pin`` sets
        the technician PIN, kept only as its hash."""
        from kiosk import protocol
        from kiosk.central_client import CentralClient, check_api_url
        api = check_api_url(api)
        pin_hash = hash_pin(pin) if pin is not None else None  # a bad PIN enrols nothing
        resp = CentralClient(api).enroll(code.strip(), name, location, __version__)
        creds = Credentials(
            api=api, device_id=resp.device_id, device_token=resp.device_token,
            content_public_key=resp.content_public_key, content_key_id=resp.content_key_id,
            submission_public_key=resp.submission_public_key, name=name, location=location,
            provisioned_at=protocol.iso(datetime.now(UTC)), config=dict(resp.config),
            technician_pin_hash=pin_hash,
        )
        creds.save(self.paths.credentials)
        for old in (self.paths.sync_state, self.paths.device_config,
                    self.paths.command_results, self.paths.problems):
            old.unlink(missing_ok=True)
        self._creds = creds
        self._applied = None
        return creds

    def technician_pin_set(self) -> bool:
        """Whether any technician PIN is set (central's, or the one given at provisioning)."""
        creds = self.credentials
        return bool(self.config.technician_pin_hash
                    or (creds.technician_pin_hash if creds else None))

    def technician_pin_matches(self, pin: str) -> bool:
        """Whether ``pin`` opens the technician mode: the PIN central set in the device config
        when it set one, else the one given at provisioning; no PIN set opens nothing."""
        creds = self.credentials
        pin_hash = self.config.technician_pin_hash or (creds.technician_pin_hash if creds else None)
        return pin_matches(pin_hash, pin)

    # -- the device config ---------------------------------------------------------------------

    @property
    def applied_config(self) -> AppliedConfig:
        """The config in force, its version and when it was saved (kiosk/remote_config.py)."""
        if self._applied is None:
            from kiosk import remote_config

            creds = self.credentials
            self._applied = remote_config.load(self.paths.device_config,
                                               creds.config if creds else None,
                                               self.paths.local_config)
        return self._applied

    @property
    def config(self) -> protocol.DeviceConfig:
        """Every setting this kiosk reads, typed: what central sent last (saved), else what
        enrolment gave, else the defaults. Loads the wire format on first use."""
        return self.applied_config.config

    def apply_config(self, wire: dict[str, Any], version: int | None) -> bool:
        """Save a config central sent when it is not the one in force, and emit
        CONFIG_CHANGED. ``version`` None: a central without config versions; saved when the
        values differ. Returns whether the config changed."""
        from kiosk import protocol, remote_config

        current = self.applied_config
        if version is None:
            if protocol.DeviceConfig.from_wire(wire) == current.config:
                return False
            version = current.version
        elif version == current.version and current.source == "central":
            return False
        self._applied = remote_config.save(self.paths.device_config, wire, version,
                                           self.paths.local_config)
        log.info("device config version %s applied", version)
        self.events.emit(events.CONFIG_CHANGED, config=self._applied.config)
        return True

    def set_local_config(self, **values: Any) -> protocol.DeviceConfig:
        """Save settings a technician made on the kiosk itself (protocol.LOCAL_CONFIG_KEYS),
        applied over central's from now on; raises ConfigValueError for a bad value, saving
        nothing. Returns the config now in force."""
        from kiosk import remote_config

        remote_config.save_local(self.paths.local_config, values)
        self._applied = None
        return self.config

    # -- content -------------------------------------------------------------------------------

    def ensure_content(self) -> None:
        """First run: with nothing installed, install the bundled demo catalogue through the
        same verification path a sync uses."""
        if self.store.active_version() is None:
            self.store.import_catalogue_dir(DEMO_CATALOGUE, source="demo")
            self.events.emit(events.CONTENT_CHANGED, version=self.store.active_version())

    def install_catalogue(self, folder: str | Path) -> int:
        """Install the catalogue in ``folder`` (catalogue.json and media/) as the active
        content, through the demo's verification path, and announce it as a sync does; for
        walks that bring new content to a visitor's screen. Returns the version."""
        version = self.store.import_catalogue_dir(folder, source="demo")
        self.events.emit(events.CONTENT_CHANGED, version=version)
        return version

    def syncer(self, progress: Callable[[str], None] | None = None) -> Syncer:
        from offline_cache.sync import Syncer
        creds = self.require_credentials()
        # The mirror is read from the config in force at every cycle: a new one from central
        # applies from the next sync of the running loop.
        return Syncer(self.store, self.blobs, self.client(), creds.content_public_key,
                      self.paths.sync_state, progress,
                      mirror_url=lambda: self.config.content_mirror)

    def sync(self, progress: Callable[[str], None] | None = None,
             counts: Callable[[SyncProgress], None] | None = None) -> SyncResult:
        self.ensure_content()
        syncer = self.syncer(progress)
        syncer.counts = counts
        return syncer.sync_once()

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
               contact: dict[str, str] | None = None, test: bool = False,
               reference: str | None = None) -> str:
        """Keep a visitor's submission durably; returns its id. Thank the visitor only after
        this returns. ``reference``: the visitor's follow-up reference, sent with it."""
        creds = self.credentials
        return self.outbox.enqueue(
            type, payload, lang, self.store.active_version() or 0, contact=contact,
            submission_public_key=creds.submission_public_key if creds else None, test=test,
            reference=reference)

    def submissions_kept(self) -> int:
        """How many submissions this kiosk holds, whatever their state: what a walk records
        with each screen change, to show a submission was kept before the thanks screen."""
        return len(self.outbox.items())

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

    def problems(self) -> list[dict[str, str]]:
        """The kiosk's current problems, each {code, message, since}, found afresh (a problem
        whose cause is gone is not found and clears). Emits PROBLEMS_CHANGED on a change."""
        from kiosk import problems
        from offline_cache.sync import SyncState

        found = self.problem_book.remembered()
        state = SyncState.load(self.paths.sync_state)
        if state.refused:
            found["content_refused"] = problems.sentence(
                f"{state.refused}; the content already on the kiosk stays on screen")[:300]
        if state.mirror_problem:
            found["mirror_refused"] = problems.sentence(state.mirror_problem)[:300]
        if self.is_stale():
            found["content_stale"] = ("The content on screen is out of date: central has not "
                                      "been reached, or its content has expired; check the "
                                      "link to central.")
        disk = problems.disk_problem(self.paths.home)
        if disk:
            found["disk_nearly_full"] = disk
        speech = problems.speech_problem(self.paths.speech_status)
        if speech:
            found["speech_not_working"] = speech
        found.update(problems.outbox_problems(self.outbox.stats()))
        current = self.problem_book.update(found)
        shown = [(p["code"], p["message"]) for p in current]
        if shown != self._problems_shown:
            self._problems_shown = shown
            self.events.emit(events.PROBLEMS_CHANGED, problems=current)
        return current

    def app_started(self) -> None:
        """The visitor app calls this as it starts: a mark left by the last run, which never
        stopped cleanly, is reported as a crash (app_crashed, for an hour)."""
        from kiosk.config import write_private_json

        if self.paths.app_running.exists():
            log.warning("the visitor app did not stop cleanly last time")
            self.problem_book.app_crashed()
        write_private_json(self.paths.app_running, {"started_at": _iso_now()})

    def app_stopped_cleanly(self) -> None:
        """The visitor app calls this as it exits on purpose (including to restart)."""
        self.paths.app_running.unlink(missing_ok=True)

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
            "config": self.applied_config.status(),
            "problems": self.problems(),
            "setup": self._setup_report(),
        }

    def _setup_report(self) -> dict[str, Any]:
        """What the setup wizard found and set, step by step (kiosk/services/setup.py)."""
        import json

        try:
            data = json.loads(self.paths.setup_report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def heartbeat(self, done_commands: list[str] | None = None,
                  command_results: list[dict[str, Any]] | None = None
                  ) -> protocol.HeartbeatReply:
        """Report health, problems and command results; returns central's reply. A failure
        to reach central is remembered as a problem, and reported once central is reached
        again (then it clears)."""
        from kiosk import protocol
        from kiosk.central_client import CentralError
        from offline_cache.sync import SyncState
        st = self.status()
        state = SyncState.load(self.paths.sync_state)
        technician = self.technician_door.unreported()
        usage = self.usage.unreported()
        hb = protocol.Heartbeat(
            app_version=__version__, content_version=st["content_version"] or 0,
            content_source=st["content_source"] or "demo", stale=st["stale"],
            last_sync_at=state.last_sync_at, outbox_pending=st["outbox"]["pending"],
            outbox_dead=st["outbox"]["dead"], outbox_oldest_age_s=st["outbox"]["oldest_age_s"],
            uptime_s=int(time.monotonic() - self.started),
            problems=tuple(protocol.Problem.model_validate(p) for p in st["problems"][:20]),
            done_commands=tuple(done_commands or ()),
            command_results=tuple(
                protocol.CommandResult(id=r["id"], ok=r["ok"], result=r["result"])
                for r in command_results or ()),
            config_version=self.applied_config.version,
            technician=tuple(protocol.TechnicianEvent.model_validate(e) for e in technician),
            technician_active=self.technician_door.active(),
            usage=tuple(protocol.UsageDay(day=day, counts=counts) for day, counts in usage),
        )
        try:
            reply = self.client().heartbeat(hb)
        except CentralError as e:
            if e.link is not None:
                self.problem_book.link_failed(e.link, str(e))
            raise
        self.problem_book.link_ok()
        self.technician_door.reported(technician)
        self.usage.reported(usage)
        return reply

    # -- background work while the app runs ------------------------------------------------

    def start_background(self) -> None:
        """Sync, upload and heartbeat loops, each on the interval the device config in force
        gives at that cycle. Each failure backs off on its own. Central's commands are carried
        out before they are reported done: 'sync now' and 'flush outbox' by the matching loop,
        the others by the visitor app (``events.COMMAND``). New content, config and commands
        are told through ``self.events``."""
        from kiosk.central_client import CentralError
        from offline_cache.sync import Repeater
        if self.credentials is None:
            return
        self.outbox.release_sending()  # after a crash, anything half-sent is queued again
        syncer = self.syncer()

        def sync_work() -> tuple[bool, float | None]:
            waiting = self._take_waiting("sync")
            before = self.store.active_version()
            try:
                r = syncer.sync_once()
            except Exception as e:
                self._finish_all(waiting, False, f"the sync stopped on an error ({e})")
                raise
            if r.outcome == "updated" and before != r.version:
                self.events.emit(events.CONTENT_CHANGED, version=r.version)
            ok = r.outcome != "failed"
            self._finish_all(waiting, ok, _sync_result(r, before) if ok
                             else f"sync failed: {r.message}")
            return ok, r.retry_after

        def flush_work() -> tuple[bool, float | None]:
            waiting = self._take_waiting("outbox")
            try:
                report = self.flush_outbox(max_failures=1)
            except Exception as e:
                self._finish_all(waiting, False, f"the upload stopped on an error ({e})")
                raise
            self._finish_all(waiting, report.pending == 0, _flush_result(report))
            return report.failures == 0, None

        def beat_work() -> tuple[bool, float | None]:
            results = self.command_results.unreported()
            try:
                reply = self.heartbeat(command_results=results)
            except CentralError as e:
                return False, e.retry_after
            self.command_results.reported([r["id"] for r in results])
            self.apply_config(reply.config, reply.config_version)
            for cmd in reply.commands:
                self._take_command(cmd)
            return True, None

        probe = self.client().reachable
        sync_loop = Repeater("sync", sync_work, lambda: float(self.config.sync_interval_s),
                             probe=probe)
        flush_loop = Repeater("outbox", flush_work, lambda: 60.0, probe=probe)
        beat_loop = Repeater("heartbeat", beat_work,
                             lambda: float(self.config.heartbeat_interval_s), probe=probe,
                             probe_every=lambda: min(15.0, self.config.heartbeat_interval_s))
        self._loops = [sync_loop, flush_loop, beat_loop]
        for loop in self._loops:
            loop.start()

    # -- central's commands ----------------------------------------------------------------

    def _take_command(self, cmd: protocol.DeviceCommand) -> None:
        """Carry out a command once, however often central sends it before it hears back."""
        with self._cmd_lock:
            if cmd.id in self._running or self.command_results.known(cmd.id):
                return
            self._running.add(cmd.id)
            loop = SERVICE_COMMANDS.get(cmd.name)
            if loop is not None:
                self._waiting[loop].append(cmd)
        if loop is not None:
            self._poke(loop)
            return
        done = self._finisher(cmd)
        if self.events.emit(events.COMMAND, command=cmd, done=done) == 0:
            done(False, NO_APP)

    def _finisher(self, cmd: protocol.DeviceCommand) -> Callable[[bool, str], None]:
        """The app's ``done(ok, result)`` for one command: the first call counts."""
        once = threading.Lock()

        def done(ok: bool, result: str) -> None:
            if once.acquire(blocking=False):
                self._finish(cmd, ok, result)
        return done

    def _finish(self, cmd: protocol.DeviceCommand, ok: bool, result: str) -> None:
        # Kept on disk before anything else: the app may restart right after (restart_app),
        # and the next process reports it.
        self.command_results.record(cmd.id, cmd.name, ok, result)
        with self._cmd_lock:
            self._running.discard(cmd.id)
        log.info("command %s %s: %s", cmd.name, "done" if ok else "failed", result)
        self._poke("heartbeat")  # tell central now rather than at the next interval

    def _finish_all(self, cmds: list[Any], ok: bool, result: str) -> None:
        for cmd in cmds:
            if callable(cmd):  # a technician's "now" from the panel (run_now), not central's
                cmd(ok, result)
            else:
                self._finish(cmd, ok, result)

    def run_now(self, loop: str, done: Callable[[bool, str], None]) -> None:
        """Sync now (``loop`` "sync") or flush the outbox now ("outbox"), as central's
        sync_now and flush_outbox commands do: by the running loop, which then calls
        ``done(ok, result)`` with the same words; without the loops (a kiosk app started
        without them), in a thread of its own, through the same code as `kiosk sync` and
        `kiosk outbox flush`. ``done`` is called once, off the caller's thread."""
        if loop not in self._waiting:
            raise ValueError(f"no loop {loop!r}")
        if any(r.name == loop and r.alive for r in self._loops):
            with self._cmd_lock:
                self._waiting[loop].append(done)
            self._poke(loop)
            return

        def work() -> None:
            try:
                if loop == "sync":
                    before = self.store.active_version()
                    r = self.sync()
                    if r.outcome == "updated" and before != r.version:
                        self.events.emit(events.CONTENT_CHANGED, version=r.version)
                    done(r.outcome != "failed", _sync_result(r, before)
                         if r.outcome != "failed" else f"sync failed: {r.message}")
                else:
                    report = self.flush_outbox(max_failures=1)
                    done(report.pending == 0, _flush_result(report))
            except Exception as e:  # noqa: BLE001 - the technician reads why
                log.exception("%s now failed", loop)
                done(False, f"{'the sync' if loop == 'sync' else 'the upload'} stopped on an "
                            f"error ({e})")
        threading.Thread(target=work, name=f"{loop}-now", daemon=True).start()

    def _take_waiting(self, loop: str) -> list[protocol.DeviceCommand]:
        with self._cmd_lock:
            waiting, self._waiting[loop] = self._waiting[loop], []
        return waiting

    def _poke(self, name: str) -> None:
        for loop in self._loops:
            if loop.name == name:
                loop.poke()

    def next_run_in(self, loop: str) -> float | None:
        """Seconds until the running loop ``loop`` ("sync", "outbox", "heartbeat") is next
        due; 0 while it works; None without running loops."""
        for r in self._loops:
            if r.name == loop and r.alive:
                return 0.0 if r.next_at is None else max(0.0, r.next_at - r.clock())
        return None

    def wake_outbox(self) -> None:
        """A visitor just sent something: try to upload it now."""
        self._poke("outbox")

    def close(self) -> None:
        for loop in self._loops:
            loop.stop()
        for part in ("store", "outbox"):
            if part in self.__dict__:  # opened
                self.__dict__[part].close()
        if "usage" in self.__dict__:  # counted in this run: kept for the next heartbeat
            self.usage.save()


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _flush_result(report: Any) -> str:
    result = (f"{report.acked} sent, "
              + (f"{report.rejected} refused by central, " if report.rejected else "")
              + f"{report.pending} left")
    if report.pending and report.last_error:
        result += f" ({report.last_error})"
    return result


def _sync_result(r: SyncResult, before: int | None) -> str:
    if r.version is None:
        return "central has no content for this kiosk yet; the demo content stays"
    if r.outcome == "updated" and before != r.version:
        return f"content version {r.version} is active (was {before})"
    return f"content version {r.version} is active"
