"""What the technician mode asks of the kiosk, for its screens (the PIN pad and the panel): the
door (PIN, lock, events for central), the kiosk's state, and the panel's actions through the
same code `kiosk sync`, `kiosk outbox flush`, `kiosk rollback`, `kiosk outbox test-submission`
and central's commands use. Answers are ``Answer``s: an English msgid and its values, which
the screen shows and speaks in the technician's language."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tarfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import __version__, events
from kiosk.i18n import _

if TYPE_CHECKING:
    from kiosk.device import KioskDevice

log = logging.getLogger("kiosk.services.technician")

LOG_LINES = 200
MAX_LOG_LINE = 400  # characters shown of one log line
LINK_CODES = ("central_unreachable", "dns_failure", "tls_failure")
SECRET_KEYS = ("device_token", "technician_pin_hash")
TEST_TEXT = "Technician's test submission (technician panel)"


class Answer:
    """A sentence for the technician: ``message`` is the English msgid (assets/locale has it
    in both languages), ``values`` fill its placeholders; ``ok`` whether the action worked."""

    def __init__(self, message: str, ok: bool = True, **values: Any):
        self.message = message
        self.ok = ok
        self.values = values

    def text(self, lang: str) -> str:
        return _(self.message, lang).format(**self.values)

    def __repr__(self) -> str:
        return f"Answer({self.text('en')!r}, ok={self.ok})"


class Technician:
    """The technician mode's side of the kiosk. ``now`` (epoch seconds) is the door's clock:
    the app gives one that follows time skipped in a walk."""

    def __init__(self, device: KioskDevice):
        self._device = device

    def set_clock(self, now: Callable[[], float]) -> None:
        self._device.technician_door.now = now

    # -- the door ----------------------------------------------------------------------------

    def provisioned(self) -> bool:
        return self._device.credentials is not None

    def pin_set(self) -> bool:
        return self._device.technician_pin_set()

    def locked_for(self) -> int:
        return self._device.technician_door.locked_for()

    def no_pin_answer(self) -> Answer:
        return Answer("No technician PIN is set on this kiosk, so the technician mode stays "
                      "closed. Set one with 'kiosk provision --pin' or from central's device "
                      "settings.", ok=False)

    def locked_answer(self, seconds: int) -> Answer:
        return Answer("Too many wrong PINs. Try again in {seconds} seconds.", ok=False,
                      seconds=seconds)

    def refuse(self, why: str) -> None:
        self._device.technician_door.refused(why)

    def try_pin(self, pin: str) -> Answer:
        """Check a PIN typed on the pad: the right one opens the mode (journalled), a wrong
        one is counted and may lock the door; never says what was typed."""
        door = self._device.technician_door
        locked = door.locked_for()
        if locked:
            return self.locked_answer(locked)
        if not self.pin_set():
            self.refuse("no technician PIN is set")
            return self.no_pin_answer()
        if self._device.technician_pin_matches(pin):
            door.right()
            return Answer("Technician mode open.")
        locked = door.wrong()
        if locked:
            return self.locked_answer(locked)
        return Answer("Wrong PIN. Try again.", ok=False)

    def left(self, why: str) -> None:
        self._device.technician_door.left(why)

    # -- the kiosk's state -------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        """What the panel shows: `kiosk status`'s fields, and identity, online or offline,
        the next sync, disk space, uptime."""
        dev = self._device
        st = dev.status()
        creds = dev.credentials
        codes = {p["code"] for p in st["problems"]}
        if creds is None:
            link = "not_provisioned"
        elif codes & set(LINK_CODES):
            link = "offline"
        elif dev.problem_book.link_known():
            link = "online"
        else:
            link = "not_known"
        try:
            disk = shutil.disk_usage(dev.paths.home)
            disk_free, disk_total = disk.free, disk.total
        except OSError:
            disk_free = disk_total = None
        return {
            **st,
            "name": creds.name if creds else None,
            "location": creds.location if creds else None,
            "link": link,
            "next_sync_in_s": dev.next_run_in("sync"),
            "sync_interval_s": dev.config.sync_interval_s,
            "disk_free": disk_free, "disk_total": disk_total,
            "uptime_s": int(time.monotonic() - dev.started),
            "app_version": __version__,
        }

    # -- actions -----------------------------------------------------------------------------

    def sync_now(self, answer: Callable[[Answer], None]) -> None:
        """One sync now (central's sync_now, by the running sync loop; else `kiosk sync`'s
        code); ``answer`` is called once, off the caller's thread."""
        dev = self._device
        if not self.provisioned():
            answer(Answer("This kiosk is not provisioned, so there is no central to sync with.",
                          ok=False))
            return

        def done(ok: bool, result: str) -> None:
            version = dev.store.active_version()
            if ok:
                answer(Answer("Sync done: content version {version} is active.",
                              version=version))
            else:
                answer(Answer("Sync failed; the content on screen stays. {detail}", ok=False,
                              detail=result))
        dev.run_now("sync", done)

    def flush_outbox(self, answer: Callable[[Answer], None]) -> None:
        """Send what waits in the outbox now (central's flush_outbox, `kiosk outbox
        flush`)."""
        dev = self._device
        if not self.provisioned():
            answer(Answer("This kiosk is not provisioned, so nothing can be sent.", ok=False))
            return

        def done(ok: bool, result: str) -> None:
            pending = dev.outbox.stats()["pending"]
            if ok:
                answer(Answer("Outbox sent: nothing is waiting.", ok=True))
            else:
                answer(Answer("{pending} submissions are still waiting; they are sent when "
                              "central can be reached. {detail}", ok=False, pending=pending,
                              detail=result))
        dev.run_now("outbox", done)

    def rollback(self) -> Answer:
        """Back one content version (`kiosk rollback`); the screen on show is rebuilt."""
        from offline_cache.store import StoreError

        dev = self._device
        bad = dev.store.active_version()
        try:
            version = dev.rollback()
        except StoreError as e:
            return Answer("No rollback: {detail}", ok=False, detail=str(e))
        log.info("technician rolled content back from version %s to %s", bad, version)
        dev.events.emit(events.CONTENT_CHANGED, version=version)
        return Answer("Content version {version} is active again; version {bad} will not be "
                      "installed again.", version=version, bad=bad)

    def test_submission(self) -> Answer:
        """A submission marked as a technician's test (`kiosk outbox test-submission`), sent
        at once when central can be reached."""
        dev = self._device
        try:
            sub_id = dev.submit("feedback", {"kind": "comment", "text": TEST_TEXT}, "en",
                                test=True)
        except Exception as e:  # noqa: BLE001 - a full disk: the technician reads why
            log.exception("queueing a test submission failed")
            return Answer("The test submission could not be kept: {detail}", ok=False,
                          detail=str(e))
        dev.wake_outbox()
        log.info("technician's test submission %s queued", sub_id)
        return Answer("Test submission {id} queued; staff see it marked as a test.",
                      id=sub_id[:8])

    # -- logs and diagnostics ----------------------------------------------------------------

    def log_lines(self, n: int = LOG_LINES) -> list[str]:
        """The kiosk log's last ``n`` lines, oldest first, secrets removed."""
        log_dir = self._device.paths.log_dir
        lines: list[str] = []
        for name in ("kiosk.log", "kiosk.log.1"):
            try:
                text = (log_dir / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            lines = text.splitlines() + lines
            if len(lines) >= n:
                break
        return [self._scrub(line)[:MAX_LOG_LINE] for line in lines[-n:]]

    def _secrets(self) -> list[str]:
        creds = self._device.credentials
        found = [creds.device_token, creds.technician_pin_hash] if creds else []
        found.append(self._device.config.technician_pin_hash)
        return [s for s in found if s]

    def _scrub(self, text: str) -> str:
        for secret in self._secrets():
            text = text.replace(secret, "[secret removed]")
        return text

    def diagnostics(self) -> Answer:
        """A bundle for export: status, config and credentials without secrets, problems,
        the technician door's state, logs; $KIOSK_HOME/diagnostics/diag-<time>.tar.gz, 0600.
        The answer names the path."""
        dev = self._device
        folder = dev.paths.diagnostics
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"diag-{stamp}.tar.gz"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            parts = self._bundle_parts()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz") as tar:
                for name, data in parts.items():
                    info = tarfile.TarInfo(f"diag-{stamp}/{name}")
                    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                    tar.addfile(info, io.BytesIO(data))
        except OSError as e:
            log.exception("writing the diagnostics bundle failed")
            return Answer("The diagnostics bundle could not be written: {detail}", ok=False,
                          detail=e.strerror or str(e))
        log.info("diagnostics bundle written: %s", path)
        return Answer("Diagnostics written to {path}", path=str(path))

    def _bundle_parts(self) -> dict[str, bytes]:
        dev = self._device
        status = self.overview()
        creds = dev.credentials
        config = dev.config.to_wire()
        config.pop("technician_pin_hash", None)
        config["technician_pin_set"] = self.pin_set()
        identity = None
        if creds is not None:
            identity = {k: v for k, v in vars(creds).items()
                        if k not in SECRET_KEYS and k != "config"}

        def js(value: Any) -> bytes:
            return self._scrub(json.dumps(value, ensure_ascii=False, indent=1,
                                          default=str)).encode()

        parts = {"status.json": js(status), "config.json": js(config),
                 "identity.json": js(identity), "version.txt": f"kiosk {__version__}\n".encode()}
        for name, path in (("problems.json", dev.paths.problems),
                           ("speech-status.json", dev.paths.speech_status),
                           ("technician.json", dev.paths.technician)):
            try:
                parts[name] = self._scrub(path.read_text(encoding="utf-8")).encode()
            except OSError:
                pass
        for log_file in sorted(dev.paths.log_dir.glob("kiosk.log*")):
            try:
                text = log_file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            parts[f"logs/{log_file.name}"] = self._scrub(text).encode()
        return parts


def in_thread(work: Callable[[], Answer], answer: Callable[[Answer], None]) -> None:
    """Run a slow action (a rollback, the bundle) off the UI thread; ``answer`` once."""
    def run() -> None:
        try:
            result = work()
        except Exception as e:  # noqa: BLE001 - the technician reads why
            log.exception("technician action failed")
            result = Answer("That did not work: {detail}", ok=False, detail=str(e))
        answer(result)
    threading.Thread(target=run, name="technician", daemon=True).start()


def bundle_path(answer: Answer) -> Path | None:
    """The bundle a diagnostics answer names."""
    path = answer.values.get("path")
    return Path(path) if path else None
