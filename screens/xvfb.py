"""A private X server (Xvfb) for commands and tests that draw without a screen: `kiosk
screenshot` on a technician's shell and the UI tests. No Kivy here."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class XvfbUnavailable(RuntimeError):
    """Xvfb is not installed; scripts/system-deps installs it."""


class Xvfb:
    def __init__(self, width: int = 1920, height: int = 1920, depth: int = 24):
        self.size = f"{width}x{height}x{depth}"
        self.proc: subprocess.Popen | None = None
        self.display: str | None = None

    def start(self, timeout: float = 10.0) -> str:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise XvfbUnavailable("Xvfb is not installed; run scripts/system-deps (or apt-get "
                                  "install xvfb), or run under a real display")
        for _attempt in range(5):
            number = _free_display()
            proc = subprocess.Popen(
                [exe, f":{number}", "-screen", "0", self.size, "-nolisten", "tcp", "-noreset"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            socket = Path(f"/tmp/.X11-unix/X{number}")
            while time.monotonic() < deadline and proc.poll() is None:
                if socket.exists():
                    self.proc, self.display = proc, f":{number}"
                    return self.display
                time.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        raise XvfbUnavailable("Xvfb did not start; check that /tmp/.X11-unix is writable")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __enter__(self) -> Xvfb:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def _free_display() -> int:
    for number in range(99, 400):
        if not Path(f"/tmp/.X{number}-lock").exists() and \
                not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise XvfbUnavailable("no free X display number between :99 and :399")


@contextmanager
def display_for(size: tuple[int, int]) -> Iterator[None]:
    """Use the display there is; without one ($DISPLAY unset) start a private Xvfb big enough
    for ``size`` for the duration, then stop it. Raises XvfbUnavailable with what to do."""
    if os.environ.get("DISPLAY"):
        yield
        return
    xvfb = Xvfb(max(size[0], 1920), max(size[1], 1920))
    os.environ["DISPLAY"] = xvfb.start()
    try:
        yield
    finally:
        xvfb.stop()
        os.environ.pop("DISPLAY", None)


_shared: Xvfb | None = None


def shared_display() -> str:
    """One Xvfb for the whole test run, stopped when the process exits."""
    global _shared
    if _shared is None:
        import atexit

        xvfb = Xvfb()
        xvfb.start()
        atexit.register(xvfb.stop)
        _shared = xvfb
    assert _shared.display is not None
    return _shared.display
