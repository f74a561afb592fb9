"""The technician mode's door: wrong PINs lock it for a growing time, kept on disk
($KIOSK_HOME/technician.json, 0600, written atomically) so a reboot does not reset the count, and
what happened at the door (entered, left, wrong PIN, locked, refused) is journalled until a
heartbeat has told central. The PIN itself is checked by kiosk.technician_pin; the screens
reach this through kiosk/services/technician.py."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.config import read_json_object, write_private_json

log = logging.getLogger("kiosk.technician")

# Three wrong PINs in a row lock the door for 30 s; each further lock doubles, up to a day.
TRIES_BEFORE_LOCK = 3
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 24 * 3600.0
# Kept for the heartbeat; older events beyond this are dropped (they are in the log).
MAX_EVENTS = 50
EVENT_KINDS = ("entered", "left", "wrong_pin", "locked", "refused")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class TechnicianDoor:
    """Wrong tries, the lock and the journal. ``now``: wall-clock seconds (epoch), which a
    restart does not reset; tests and walks give one that skips time."""

    def __init__(self, path: Path, now: Callable[[], float] = time.time):
        self.path = path
        self.now = now
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        return read_json_object(self.path)

    # -- the lock ----------------------------------------------------------------------------

    def locked_for(self) -> int:
        """Whole seconds until a PIN may be tried again; 0 when it may now."""
        with self._lock:
            until = float(self._read().get("locked_until") or 0)
        return max(0, int(until - self.now() + 0.999))

    def wrong(self) -> int:
        """A wrong PIN: counted, journalled; returns the seconds the door is now locked for
        (0 while tries are left)."""
        with self._lock:
            data = self._read()
            failures = int(data.get("failures") or 0) + 1
            data["failures"] = failures
            locked = 0.0
            self._event(data, "wrong_pin", f"wrong PIN ({failures} in a row)")
            if failures % TRIES_BEFORE_LOCK == 0:
                lockouts = int(data.get("lockouts") or 0)
                locked = min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** lockouts)
                data["lockouts"] = lockouts + 1
                data["locked_until"] = self.now() + locked
                self._event(data, "locked", f"locked for {int(locked)} s after {failures} "
                                            "wrong PINs")
            write_private_json(self.path, data)
        log.warning("technician mode: wrong PIN%s",
                    f"; entry locked for {int(locked)} s" if locked else "")
        return int(locked)

    def right(self) -> None:
        """The right PIN: the count and the growing lock start again; journalled."""
        with self._lock:
            data = self._read()
            data.update(failures=0, lockouts=0, locked_until=None, active=True)
            self._event(data, "entered", "technician mode entered")
            write_private_json(self.path, data)
        log.info("technician mode entered")

    def left(self, why: str) -> None:
        with self._lock:
            data = self._read()
            data["active"] = False
            self._event(data, "left", f"technician mode left ({why})")
            write_private_json(self.path, data)
        log.info("technician mode left (%s)", why)

    def refused(self, why: str) -> None:
        with self._lock:
            data = self._read()
            self._event(data, "refused", why[:200])
            write_private_json(self.path, data)
        log.warning("technician mode refused: %s", why)

    def active(self) -> bool:
        """Whether the mode was open when last told (a crash inside it leaves it True until
        the next start says otherwise)."""
        with self._lock:
            return bool(self._read().get("active"))

    # -- the journal, for the heartbeat ------------------------------------------------------

    def _event(self, data: dict[str, Any], kind: str, detail: str) -> None:
        events = list(data.get("unreported") or [])
        events.append({"event": kind, "at": _iso(self.now()), "detail": detail})
        data["unreported"] = events[-MAX_EVENTS:]

    def unreported(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._read().get("unreported") or [])[:20]  # the heartbeat's limit

    def reported(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        with self._lock:
            data = self._read()
            data["unreported"] = [e for e in data.get("unreported") or [] if e not in events]
            write_private_json(self.path, data)
