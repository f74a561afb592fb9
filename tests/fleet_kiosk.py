"""Helpers for the fleet tests: a kiosk provisioned in this process against a real central,
its background loops running, and waiting for a condition with a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import CentralServer
from tests.faulty_proxy import FaultyProxy

DEADLINE_S = 60.0
POLL_S = 0.1


def wait_for(what: str, check: Callable[[], Any], deadline_s: float = DEADLINE_S) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after the
    deadline."""
    end = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")
        time.sleep(POLL_S)  # polling interval, not a wait for the thing itself


def provision(central: CentralServer, home: Path, api: str | None = None,
              location: str | None = None) -> KioskDevice:
    code = central.cli("enrollment-code", *(["--location", location] if location else [])
                       ).stdout.strip()
    dev = KioskDevice(KioskPaths(home))
    dev.provision(central.url, code, name="fleet test kiosk")
    if api:
        dev.require_credentials().api = api
    return dev


@contextmanager
def running(dev: KioskDevice) -> Iterator[KioskDevice]:
    dev.start_background()
    try:
        yield dev
    finally:
        dev.close()


def device_row(central: CentralServer, device_id: str) -> Any:
    svc = central.service()
    try:
        return svc.get_device(device_id)
    finally:
        svc.close()


def command(central: CentralServer, device_id: str, command_id: str) -> dict:
    svc = central.service()
    try:
        return next(c for c in svc.list_commands(device_id) if c["id"] == command_id)
    finally:
        svc.close()


class TimedProxy(FaultyProxy):
    """A FaultyProxy that also notes when each request passed."""

    def __init__(self, upstream: str):
        super().__init__(upstream)
        self.times: list[tuple[float, str, int]] = []
        self._times_lock = threading.Lock()

    def _record(self, method: str, path: str, status: int) -> None:
        super()._record(method, path, status)
        with self._times_lock:
            self.times.append((time.monotonic(), path, status))

    def beats(self) -> list[float]:
        with self._times_lock:
            return [t for t, path, status in self.times
                    if path == "/api/v1/heartbeat" and status == 200]
