"""The visitor app under a service manager (deploy/systemd, docs/APPLIANCE.md): ready once the
first frame is drawn, a status line for `systemctl status`, and watchdog pings from the UI
thread's own clock, so a frozen screen stops the pings and gets the app restarted, not only a
process that died. Outside a service (no $NOTIFY_SOCKET) it does nothing."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.service_manager import ServiceManager, watchdog_interval_s

log = logging.getLogger("screens.watchdog")

# Set to a number of seconds, SIGUSR2 freezes the UI thread for that long while the rest of the
# process runs on: how a technician (or a test) sees the watchdog restart a frozen screen.
DRILL_ENV = "KIOSK_WATCHDOG_DRILL_S"
MAX_DRILL_S = 3600.0

ATTRACT = "on the attract screen"


class Watchdog:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.manager = ServiceManager.from_environ()
        self.interval_s = watchdog_interval_s() if self.manager.present else None
        self.ready = False
        if self.manager.present:
            app.bind(on_start=self._started, on_stop=self._stopped)

    def _started(self, *_a: Any) -> None:
        Window.bind(on_flip=self._first_frame)
        self.app.sm.bind(current=lambda *_a: self._show_status())
        drill = os.environ.get(DRILL_ENV)
        if drill:
            self._arm_drill(drill)

    def _first_frame(self, *_a: Any) -> None:
        # on_flip comes just before the first frame's buffers are swapped; the clock's next
        # tick is after it is on the screen.
        Window.unbind(on_flip=self._first_frame)
        Clock.schedule_once(self._on_screen, 0)

    def _on_screen(self, _dt: float) -> None:
        self.ready = True
        self.manager.ready(self.status_text())
        if self.interval_s is not None:
            self.manager.watchdog()
            Clock.schedule_interval(lambda _dt: self.manager.watchdog(), self.interval_s)
        log.info("told the service manager the kiosk is ready%s", "" if self.interval_s is None
                 else f"; watchdog pings every {self.interval_s:g} s")

    def status_text(self) -> str:
        screen = self.app.sm.current
        if screen == "attract":
            return ATTRACT
        return f"visitor session, on the {screen} screen"

    def _show_status(self) -> None:
        if self.ready:
            self.manager.status(self.status_text())

    def _stopped(self, *_a: Any) -> None:
        if self.app.restarting:
            self.manager.reloading("starting again as central asked")
        else:
            self.manager.stopping("stopping")
        self.manager.close()

    def _arm_drill(self, value: str) -> None:
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= MAX_DRILL_S:
            log.warning("%s=%r is not a number of seconds between 0 and %g: no drill", DRILL_ENV,
                        value, MAX_DRILL_S)
            return

        def freeze(_dt: float) -> None:
            log.warning("watchdog drill: the UI thread freezes for %g s", seconds)
            time.sleep(seconds)  # the point: this frame never ends, and no ping is sent
            log.warning("watchdog drill: the UI thread runs again")

        # The handler runs on the main thread, which is the UI thread; the freeze itself runs
        # from the Clock, as a hung screen's callback would.
        signal.signal(signal.SIGUSR2, lambda _s, _f: Clock.schedule_once(freeze, 0))
        log.warning("watchdog drill armed: SIGUSR2 freezes the UI thread for %g s", seconds)
