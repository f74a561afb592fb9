"""Garbage collection and the C heap at times the app chooses, on the UI thread: never in the
middle of building a screen, never started by a background thread."""

from __future__ import annotations

import ctypes
import functools
import gc
import time
from typing import Any

from kivy.clock import Clock

# Python's full garbage collection walks every widget the kiosk holds, tens of milliseconds.
# Left to itself it starts whenever enough objects have been made, which is in the middle of
# building a screen, and the tap feels slow; put off for long, garbage piles up and the heap
# stays large. It runs this long after a screen is built, once the new screen is drawn, while
# the visitor takes it in: a person needs a few hundred milliseconds to read and reach before
# the next touch.
COLLECT_AFTER_S = 0.15
COLLECT_EVERY_S = 30.0  # and at least this often, for what the background threads leave


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def _malloc_trim() -> None:
    """Give the C heap's free pages back to the system (glibc); elsewhere, nothing."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


class Memory:
    def __init__(self) -> None:
        self._collected_at = time.monotonic()
        self._collect: Any = None

    def keep(self) -> None:
        """What start-up imported and opened lives as long as the app: it is frozen out of the
        collector's walks (without a collection first: the little garbage imports leave is
        not worth the time on the way to the first screen). The collector never starts on its
        own: ``collect`` runs it on the UI thread, after each new screen and at least every
        COLLECT_EVERY_S, and hands freed memory back to the system. Started by whichever
        thread happened to allocate, a collection could free widgets, and with them graphics
        objects, away from the thread that owns the GL context; and a full one in the middle
        of building a screen makes a tap slow."""
        gc.disable()
        gc.freeze()
        self._collected_at = time.monotonic()
        self._collect = Clock.create_trigger(lambda _dt: self.collect(), COLLECT_AFTER_S)

    def screen_built(self) -> None:
        if self._collect is not None:
            self._collect()

    def tick(self) -> None:
        if time.monotonic() - self._collected_at >= COLLECT_EVERY_S:
            self.collect()

    def collect(self) -> None:
        gc.collect()
        _malloc_trim()
        self._collected_at = time.monotonic()
