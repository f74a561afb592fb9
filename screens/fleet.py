"""What central asks of the running app (issue 9): the device config, applied at the next
visitor and never mid-visit, and the commands only the app can carry out (restart_app,
speech_test, clear_session), each acknowledged once its work has finished.

Both arrive on the heartbeat thread (kiosk.events); everything here runs on the UI thread,
through Clock, except the speech test's waiting, which has a thread of its own."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from kivy.clock import Clock

from kiosk import events
from screens.speech import spoken

if TYPE_CHECKING:
    from kiosk.protocol import DeviceCommand, DeviceConfig

log = logging.getLogger("screens.fleet")

Done = Callable[[bool, str], None]

LANG_NAMES = {"ar": "Arabic", "en": "English"}
# Each voice has this long to say its test sentence (the first one may start the engine).
SPEECH_TEST_S = 30.0
APP_COMMANDS = ("restart_app", "speech_test", "clear_session")
EXIT_RESTART_FAILED = 75  # EX_TEMPFAIL: start me again


class Fleet:
    def __init__(self, app: Any) -> None:
        self.app = app
        # The newest config central sent (applied, or waiting for the next visitor), and the
        # one waiting; None until one came.
        self.received: DeviceConfig | None = None
        self.pending: DeviceConfig | None = None
        app.device.events.subscribe(events.CONFIG_CHANGED, self._config_changed)
        app.device.events.subscribe(events.COMMAND, self._command)

    # -- the device config -------------------------------------------------------------------

    def load(self) -> None:
        """Just after the first frame: the config in force (saved from central, else
        enrolment's). A kiosk that was never configured keeps the defaults it started with,
        without loading the wire format at all."""
        if self.received is not None:
            return  # applied already (`kiosk audit` applies it before its first screen)
        config = self.saved()
        if config is None:
            return
        self.received = config
        app = self.app
        app.configure(config)
        if self.no_visitor():
            self._new_visitor()
        app.nav.refresh()  # the first screen was drawn with the defaults

    def saved(self) -> DeviceConfig | None:
        """The config in force as saved on the kiosk (central's, enrolment's, the setup
        wizard's own settings over them); None for a kiosk never configured, without loading
        the wire format, or when it can not be read."""
        device = self.app.device
        creds = device.credentials
        if not device.paths.device_config.exists() and not (creds and creds.config) and \
                not device.paths.local_config.exists():  # the setup wizard's own settings
            return None
        try:
            return device.config
        except Exception:  # noqa: BLE001 - the defaults serve visitors until central sends one
            log.exception("reading the device config failed; the kiosk keeps its defaults")
            return None

    def _config_changed(self, config: DeviceConfig, **_data: Any) -> None:
        Clock.schedule_once(lambda _dt: self.offer(config))

    def offer(self, config: DeviceConfig) -> None:
        """A new config from central: applied now if nobody is using the kiosk, else when the
        visitor's session ends."""
        self.received = config
        self.pending = config
        if self.no_visitor():
            self.before_next_visitor()
            self._new_visitor()
            self.app.nav.refresh()
        else:
            log.info("new device config waits for the visitor's session to end")

    def no_visitor(self) -> bool:
        app = self.app
        return (not app.session.started and app.sm.current == "attract"
                and app.overlays.open is None)

    def before_next_visitor(self) -> None:
        """The session is ending (or nobody is there): a config that waited applies now."""
        if self.pending is not None:
            config, self.pending = self.pending, None
            self.app.configure(config)
            log.info("device config applied for the next visitor")

    def _new_visitor(self) -> None:
        """Nobody is there: the coming visitor starts with the site's (new) defaults."""
        app = self.app
        app.session.reset()
        if app.speech is not None:
            app.speech.reset_for_new_visitor()

    # -- commands ----------------------------------------------------------------------------

    def _command(self, command: DeviceCommand, done: Done, **_data: Any) -> None:
        name = command.name
        Clock.schedule_once(lambda _dt: self.carry_out(name, done))

    def carry_out(self, name: str, done: Done) -> None:
        app = self.app
        if app.stopping:
            # Not answered: central sends it again, and the next start carries it out.
            return
        log.info("central asks for %s", name)
        if name == "restart_app":
            app.restart(done)
        elif name == "speech_test":
            app.when_ready(lambda: self.speech_test(done))
        elif name == "clear_session":
            self.clear_session(done)
        else:
            done(False, f"the kiosk's visitor app does not carry out {name!r}; it carries out "
                        f"{', '.join(APP_COMMANDS)}")

    def clear_session(self, done: Done) -> None:
        app = self.app
        if self.no_visitor():
            done(True, "no visitor was using the kiosk; it shows the attract screen")
            return
        app.idle.end_session(why="central's clear_session")
        done(True, "the visitor's session ended as if idle: what they entered is wiped, the "
                   "site's defaults are back and the kiosk shows the attract screen")

    def speech_test(self, done: Done) -> None:
        """A sentence in each voice, after whatever is being said (a visitor's speech is not
        cut); done once both have sounded, saying for each whether it went out and where."""
        app = self.app
        speech = app.speech
        if speech is None:
            done(False, "the kiosk's voice is not running (it did not start, or the app was "
                        "started without it), so nothing could be said; see the kiosk's log")
            return
        said = [(lang, spoken("speech_test", lang)) for lang in ("ar", "en")]
        for lang, text in said:
            app.captions.record(text, lang)

        def work() -> None:
            answers = [(lang, *speech.say_and_report(text, lang, timeout=SPEECH_TEST_S))
                       for lang, text in said]
            done(all(ok for _lang, ok, _how in answers), "; ".join(
                f"{LANG_NAMES[lang]}: {'spoken, ' if ok else 'not heard: '}{how}"
                for lang, ok, how in answers))
        threading.Thread(target=work, name="speech-test", daemon=True).start()


def restart_process() -> NoReturn:
    """Start this process's own command line again in its place (restart_app): the same
    interpreter, options and arguments, the same pid. Called once the app has stopped
    cleanly. If that fails the process exits with EXIT_RESTART_FAILED, for a service manager
    to start it again."""
    argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
    log.info("starting again: %s", " ".join(argv))
    for handler in logging.getLogger().handlers:
        handler.flush()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    try:
        os.execv(sys.executable, argv)
    except OSError as e:
        log.error("the visitor app could not start itself again (%s); exiting", e)
    raise SystemExit(EXIT_RESTART_FAILED)
