"""The technician mode's way in and out (app part ``app.technician``): a 5-second hold on the
attract screen's version spot (``attract.technician``) or Help and Back held together for
3 seconds on the attract screen, then the PIN pad (screen ``technician_pin``), then the panel
(screen ``admin``). The mode leaves by itself after 2 minutes without input, back to the
attract screen, as a visitor's session ends (screens/idle.py); entering, leaving, wrong PINs
and locks are logged and reported to central (kiosk/technician.py)."""

from __future__ import annotations

import logging
import time
from typing import Any

from kivy.clock import Clock

from kiosk.session import IdleTimer
from screens import registry

log = logging.getLogger("screens.technician")

HOLD_S = 5.0  # the attract screen's spot, held this long
CHORD = ("help", "back")
CHORD_S = 3.0  # the keypad chord, held this long
IDLE_S = 120.0  # the mode (PIN pad and panel) leaves after this long without input
SCREENS = ("technician_pin", "admin", "setup")


class Technician:
    def __init__(self, app: Any) -> None:
        self.app = app
        # The door's way (PIN pad, panel or setup) is open: from the hold or chord until the
        # mode is left. ``active``: the right PIN was given (or setup on a new kiosk).
        self.door_open = False
        self.active = False
        self.timer: IdleTimer | None = None
        self._down: set[str] = set()
        self._chord_event: Any = None
        # The door's clock is wall time plus whatever a walk skipped, so a lock survives a
        # reboot and a walk's {"wait": 31} outlasts a 30 s lock.
        self._c0 = app.session.clock()
        self._m0 = time.monotonic()

    def wall_time(self) -> float:
        skipped = (self.app.session.clock() - self._c0) - (time.monotonic() - self._m0)
        return time.time() + max(0.0, skipped)

    @property
    def services(self) -> Any:
        svc = self.app.services.technician
        svc.set_clock(self.wall_time)
        return svc

    # -- the way in --------------------------------------------------------------------------

    def held(self, seconds: float) -> bool:
        """The attract spot was let go after ``seconds``: the door opens after HOLD_S."""
        if seconds < HOLD_S:
            return False
        self.open_door("a 5-second hold on the attract screen")
        return True

    def key_down(self, action: str) -> bool:
        """A keypad key went down; True when it is part of the chord being held (and is
        taken: not a visitor's key press, nor the key's own repeats while held)."""
        if action not in CHORD:
            return False
        self._down.add(action)
        if self._chord_event is not None:
            return True  # the chord is being held; a repeat of one of its keys
        if not set(CHORD) <= self._down or self.app.sm.current != "attract" \
                or self.door_open:
            return False
        self._chord_event = Clock.schedule_once(self._chord_held, CHORD_S)
        return True

    def key_up(self, action: str) -> None:
        self._down.discard(action)
        if self._chord_event is not None and action in CHORD:
            self._chord_event.cancel()
            self._chord_event = None

    def _chord_held(self, _dt: float) -> None:
        self._chord_event = None
        if set(CHORD) <= self._down and self.app.sm.current == "attract":
            self.open_door("Help and Back held on the keypad")

    def open_door(self, how: str) -> None:
        """The PIN pad; with no PIN set, on a kiosk never provisioned, the setup wizard
        (when there is one); else the pad says why it stays closed."""
        app = self.app
        log.info("technician door opened (%s)", how)
        app.overlays.close()
        self.door_open = True
        self.timer = IdleTimer(IDLE_S, warning_s=0.0, clock=app.session.clock)
        svc = self.services
        if not svc.pin_set() and not svc.provisioned() and "setup" in registry.SCREENS:
            svc.refuse("no PIN set on a kiosk never provisioned: setup opened")
            self.active = True
            self.open_setup("start")
            return
        app.go("technician_pin")

    def entered(self) -> None:
        self.active = True
        self.app.go("admin", _replace=True)

    def open_setup(self, step: str) -> None:
        """Set up again, recalibrate, keypad and touch tests: the setup wizard at ``step``.
        The panel shows these buttons only when the wizard is registered."""
        self.app.go("setup", step=step)

    @staticmethod
    def setup_available() -> bool:
        return "setup" in registry.SCREENS

    # -- the way out -------------------------------------------------------------------------

    def input(self) -> None:
        if self.timer is not None:
            self.timer.touch()

    def tick(self) -> bool:
        """From the idle tick: True while the mode is open (the visitor's idle rules wait)."""
        if not self.door_open:
            return False
        if self.app.sm.current not in SCREENS:
            # Home or a visitor's screen from the bar: the mode is over.
            self.closed("left for a visitor screen", end_session=False)
            return False
        if self.timer is not None and self.timer.state() != "active":
            self.leave("2 minutes without input")
        return True

    def leave(self, why: str) -> None:
        """Back to the attract screen, the session ended as a visitor's would."""
        self.closed(why, end_session=True)

    def closed(self, why: str, end_session: bool) -> None:
        was_active = self.active
        self.door_open = self.active = False
        self.timer = None
        if was_active:
            self.services.left(why)
        else:
            log.info("technician door closed (%s)", why)
        if end_session:
            self.app.idle.end_session(why=f"technician mode: {why}")
