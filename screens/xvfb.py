"""A private X server (Xvfb) for commands and tests that draw without a screen: `kiosk
screenshot` on a technician's shell and the UI tests. No Kivy here."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


class XvfbUnavailable(RuntimeError):
    """Xvfb is not installed; scripts/system-deps installs it."""


class Xvfb:
    def __init__(self, width: int = 1920, height: int = 1920, depth: int = 24):
        self.size = f"{width}x{height}x{depth}"
        self.proc: subprocess.Popen | None = None
        self.display: str | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start the server on a display number it picks itself (-displayfd: free of races
        with other Xvfbs starting at the same time, such as parallel test workers) and wait
        until it accepts connections."""
        exe = shutil.which("Xvfb")
        if exe is None:
            raise XvfbUnavailable("Xvfb is not installed; run scripts/system-deps (or apt-get "
                                  "install xvfb), or run under a real display")
        read_end, write_end = os.pipe()
        try:
            proc = subprocess.Popen(
                [exe, "-displayfd", str(write_end), "-screen", "0", self.size, "-nolisten",
                 "tcp", "-noreset"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        number = b""
        deadline = time.monotonic() + timeout
        try:
            # Xvfb writes the number and a newline once it is ready for clients.
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                ready, _w, _x = select.select([read_end], [], [], 0.2)
                if ready:
                    chunk = os.read(read_end, 16)
                    if not chunk:
                        break  # it exited
                    number += chunk
        finally:
            os.close(read_end)
        if not number.strip().isdigit() or proc.poll() is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            raise XvfbUnavailable("Xvfb did not start; check that /tmp/.X11-unix is writable")
        self.proc, self.display = proc, f":{int(number)}"
        return self.display

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
