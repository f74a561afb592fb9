"""KioskApp: the visitor UI, wired. It builds the window's layers, composes the parts that
each keep one concern, and connects the kiosk's services (KioskDevice) to them:

- ``nav`` (screens/navigation.py): the screens, history, going and arriving, redraws in place;
- ``focus`` and ``input`` (screens/focus.py): the keypad focus; keys and touches;
- ``captions`` (screens/captions.py): the caption strip and what was said;
- ``speech_control`` (screens/speech_control.py): speech cut, paused and resumed;
- ``idle`` (screens/idle.py): the session's start and end, idle warning, invitation;
- ``overlays`` (screens/overlays.py): help and the idle warning's panel, explain mode;
- ``prefs`` (screens/preferences.py): the visitor's settings from the bar and settings;
- ``memory`` (screens/memory.py): garbage collection at times the app chooses;
- ``fleet`` (screens/fleet.py): central's device config (at the next visitor) and commands;
- ``watchdog`` (screens/watchdog.py): ready, status and watchdog pings for a service manager;
- ``technician`` (screens/technician.py): the technician mode's way in (hold, chord, PIN) and out.

Screens use the app's few entry points (``go``, ``back``, ``home``, ``start_session``,
``speak``, ``current``, ``history``, ``overlay``, ``stale``) and the parts by name. Background
work reports back through Clock, never touching widgets."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk import events
from kiosk.device import KioskDevice
from kiosk.i18n import _
from kiosk.services import VisitorServices
from kiosk.session import SiteDefaults, VisitorSession
from kiosk.units import Units, configured_px_per_mm
from kiosk.vocabulary import DEFAULT_KEYS
from screens.base import KioskScreen, ScreenHost
from screens.captions import Captions
from screens.context import UIContext, set_ui, ui
from screens.fleet import Done, Fleet, restart_process
from screens.focus import Focus, Input
from screens.idle import TICK_S, Idle
from screens.memory import Memory
from screens.navigation import Navigation, Screens
from screens.overlays import Overlay, Overlays
from screens.preferences import Preferences
from screens.speech import make_speech_service
from screens.speech_control import SpeechControl
from screens.technician import Technician
from screens.themes import rgba, theme
from screens.watchdog import Watchdog
from screens.widgets.layout import settle_widths
from screens.widgets.text import keep_layouts

if TYPE_CHECKING:
    from kiosk.protocol import DeviceConfig

log = logging.getLogger("screens.app")

STATUS_EVERY_S = 60.0
# Long enough for the first screens' texts (attract, home, in both languages as a visitor
# switches), short enough that a kiosk restarted soon after still finds them.
KEEP_LAYOUTS_AFTER_S = 20.0


class KioskApp(App):
    title = "Made in Oman"

    def __init__(self, device: KioskDevice | None = None, start: str = "attract",
                 start_params: dict[str, Any] | None = None, background: bool = False,
                 clock: Callable[[], float] = time.monotonic, voice: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.device = device or KioskDevice()
        # What screens ask (browse, search, send feedback, vote, ...): never the device's parts.
        self.services = VisitorServices(self.device)
        self.device.events.subscribe(events.CONTENT_CHANGED, self._content_changed)
        # The store opened and, on a first boot, the demo installed: once, by whichever thread
        # comes first (the content thread after the first frame, or the UI thread when a
        # screen needs content before that).
        self._content_lock = threading.Lock()
        self._content_ready = threading.Event()
        self._content_thread: threading.Thread | None = None
        # The site's defaults until the device config is read, just after the first frame
        # (fleet.load: reading it loads the wire format, which the first screen can do
        # without); ``configure`` sets them from it.
        self.defaults = SiteDefaults()
        self.session = VisitorSession(defaults=self.defaults, clock=clock)
        self.units = Units(configured_px_per_mm(None))
        self.start_name = start
        self.start_params = dict(start_params or {})
        self.background = background
        self.stale = False
        # A voices.service.SpeechService: given, or made at build when voice=True (`kiosk run`,
        # `kiosk walk`); None speaks nothing but still records and shows every utterance.
        self.speech: Any = None
        self.voice = voice
        self._own_speech = False
        # Contact details are spoken only when a headset is the output (ACCESSIBILITY 15); a
        # technician sets headset_output in the device config for such a kiosk.
        self.headset = False
        self.oriented = False  # "how to move" was said in this session
        self.pending_intro = False  # the first key turned speech on: orient before speaking
        self.screens = Screens(self)
        self.nav = Navigation(self)
        self.focus = Focus(self)
        self.input = Input(self, dict(DEFAULT_KEYS))
        self.captions = Captions(self)
        self.speech_control = SpeechControl(self)
        self.idle = Idle(self)
        self.overlays = Overlays(self)
        self.prefs = Preferences(self)
        self.memory = Memory()
        self.fleet = Fleet(self)
        self.watchdog = Watchdog(self)
        self.technician = Technician(self)
        self._status_lock = threading.Lock()
        self.stopping = False
        # restart_app's acknowledgement, while the app stops to start again.
        self._restart_done: Done | None = None
        self._marked_running = False  # the crash mark is ours to remove at a clean exit
        # Said while the voice was still starting: said once it is ready.
        self._unsaid: tuple[str, str] | None = None
        self._voice_pending = bool(voice)  # until _speech_ready
        self._when_ready: list[Callable[[], None]] = []

    # -- building ----------------------------------------------------------------------------

    def build(self) -> Widget:
        log.info("visitor app started (pid %d)", os.getpid())
        self.memory.keep()
        self.apply_context()
        self.sm = ScreenHost()
        # Screens and the caption strip stack up; overlays float above both.
        self.root_layer = FloatLayout()
        self.stack = BoxLayout(orientation="vertical")
        self.stack.add_widget(self.sm)
        self.root_layer.add_widget(self.stack)
        self.captions.place()
        # The window's size now rather than when the window takes the root: the first screen
        # is then built into a host of its real size (settle_widths).
        self.root_layer.size = Window.size
        settle_widths(self.root_layer)
        Window.bind(on_key_down=self.input.on_key_down, on_key_up=self.input.on_key_up)
        # A rotated or resized screen gets a fresh layout (bar columns, tile columns).
        self._relayout = Clock.create_trigger(lambda _dt: self.nav.refresh(), 0.2)
        Window.bind(size=lambda *_a: self._relayout())
        Window.bind(on_touch_down=self.input.on_any_touch)
        Window.bind(on_touch_move=self.input.on_touch_move)
        Clock.schedule_interval(self.idle.tick, TICK_S)
        Clock.schedule_interval(lambda _dt: self.check_status(), STATUS_EVERY_S)
        # go() opens the store first when the first screen reads it; a first boot is no
        # different: the attract screen shows while the demo installs.
        self.go(self.start_name, _replace=True, **self.start_params)
        # What the first screen does not need starts once it is drawn: the store (for a
        # first screen without content), the voice, and the background sync, upload and
        # heartbeat loops. (A callback for "0 s" runs before the coming frame is drawn, and
        # one it schedules for "0 s" runs in the frame after.)
        Clock.schedule_once(lambda _dt: Clock.schedule_once(self._start_services, 0), 0)
        return self.root_layer

    def _start_services(self, _dt: float) -> None:
        # The texts laid out for the first screens, for the next start (kept_layouts.py).
        Clock.schedule_once(lambda _dt: keep_layouts(), KEEP_LAYOUTS_AFTER_S)
        if self.background:
            # The kiosk's own app (not a screenshot or a probe): a mark on disk while it runs
            # tells the next start whether this one ended in a crash.
            self.device.app_started()
            self._marked_running = True
        self.fleet.load()
        if self._content_ready.is_set():
            self._start_background()
        else:
            # The attract and home screens show no content: the store opens (and on a first
            # boot the demo installs) off the UI thread while the visitor already sees them.
            # A screen that needs it meanwhile waits for it (``_prepare_content``); the
            # background loops start after it, so a first sync never races the demo install.
            def prepare() -> None:
                stale = self._prepare_content()
                if stale is not None:
                    self._set_stale(stale)
                self._start_background()
            self._content_thread = threading.Thread(target=prepare, name="content",
                                                    daemon=True)
            self._content_thread.start()
        if self.voice and self.speech is None:
            self._voice_pending = True
            threading.Thread(target=self._start_speech, name="speech-start",
                             daemon=True).start()
        else:
            self._speech_ready(None)  # nothing to start: whoever waits for it goes on

    @property
    def content_ready(self) -> bool:
        """The content store is open (or could not be): screens may read it now."""
        return self._content_ready.is_set()

    def wait_for_content(self) -> None:
        """Before a screen that reads content is built: the store is ready. Content wanted
        before that (a visitor quick off the mark on a first boot) waits for the content
        thread, or opens the store here, rather than show an empty screen."""
        if not self._content_ready.is_set():
            stale = self._prepare_content()
            if stale is not None:
                self.stale = stale

    def _prepare_content(self) -> bool | None:
        """Open the store, installing the demo if nothing is installed yet; returns whether
        the content is stale, or None if it was ready already or could not be opened. Runs
        once: a second caller waits for the first to finish."""
        with self._content_lock:
            if self._content_ready.is_set():
                return None
            try:
                self.device.ensure_content()
                return self.device.is_stale()
            except Exception:  # a broken store must not take the visitor UI down
                log.exception("opening the content store failed")
                return None
            finally:
                # Even after a failure: screens then show their "can not be shown" sentence
                # instead of waiting for ever.
                self._content_ready.set()

    def _start_background(self) -> None:
        if self.background and not self.stopping:
            self.device.start_background()

    def _start_speech(self) -> None:
        """Off the UI thread: the engine process starts and the prompt cache loads while the
        visitor can already touch the screen; what was said meanwhile is said then."""
        service = None
        try:
            service = make_speech_service(self)
        except Exception:  # noqa: BLE001 - a silent kiosk beats no kiosk
            log.exception("starting speech failed; the kiosk shows its text without speaking")
        finally:
            Clock.schedule_once(lambda _dt: self._speech_ready(service))

    def _speech_ready(self, service: Any) -> None:
        if service is not None and (self.speech is not None or self.stopping):
            service.shutdown()
        elif service is not None:
            self.speech = service
            self._own_speech = True
            self.prefs.sync_speech()
            if self._unsaid is not None and self.session.speech:
                text, lang = self._unsaid
                self.speech.say(text, lang)
        self._unsaid = None
        self._voice_pending = False
        self.speech_control.voice_changed()
        waiting, self._when_ready = self._when_ready, []
        for callback in waiting:
            callback()

    def when_ready(self, callback: Callable[[], None]) -> None:
        """Call back once the voice has started (or could not): for walks and tests that
        listen to what the kiosk says from its first moment."""
        if self._voice_pending:
            self._when_ready.append(callback)
        else:
            callback()

    def configure(self, config: DeviceConfig) -> None:
        """The site's settings from the device config: what the next visitor starts with, the
        key map, px-per-mm, the headset. Callers choose the moment (fleet.py: never
        mid-visit); the session itself changes at its next reset."""
        self.defaults = SiteDefaults.from_config(config)
        self.session.defaults = self.defaults
        self.units = Units(configured_px_per_mm(config))
        self.input.keys = config.key_map()
        self.headset = config.headset_output
        self.orient(config.orientation)
        if self.speech is not None:
            self.speech.headset = self.headset
            self.speech.default_rate_step = self.defaults.rate_step
            self.speech.default_volume_step = self.defaults.volume_step

    def orient(self, orientation: str) -> None:
        """Turn the picture when the screen is mounted the other way than the display output
        runs (the setup wizard's orientation): a landscape output on a portrait mounting is
        drawn a quarter turn round, touches turned with it."""
        w, h = Window.system_size
        want = 0 if (orientation == "landscape") == (w >= h) else 90
        if Window.rotation != want:
            Window.rotation = want

    def restart(self, done: Done) -> None:
        """Stop cleanly (speech, background loops, store), then start again with the same
        command line, back on the attract screen; ``done`` is told once everything stopped,
        and the new process reports it."""
        if not os.access(sys.executable, os.X_OK):
            done(False, f"the app can not start itself again ({sys.executable} is not there "
                        "to run); restart the kiosk's service instead")
            return
        log.info("restarting the visitor app as central asked")
        self._restart_done = done
        self.stop()

    @property
    def restarting(self) -> bool:
        """Stopping to start again in place (restart_app), not for good."""
        return self._restart_done is not None

    def run(self) -> None:
        super().run()
        if self._restart_done is not None:
            # Re-executed in place rather than exiting for a service manager to restart: the
            # kiosk may run from a terminal, `make run` or a service, and comes back the same
            # way under each, with the same pid a service manager watches.
            restart_process()

    def on_stop(self) -> None:
        self.stopping = True
        keep_layouts()
        if self._content_thread is not None:
            # The store is closed below: not while the demo is still being installed.
            self._content_thread.join(timeout=60)
        if self._own_speech and self.speech is not None:
            try:
                self.speech.shutdown()
            except Exception:
                log.exception("stopping speech failed")
        try:
            self.device.close()
        except Exception:  # closing at exit must not hide the real reason we stopped
            log.exception("closing the device failed")
        if self._marked_running:
            self.device.app_stopped_cleanly()
        if self._restart_done is not None:
            # Kept on disk; the loops have stopped, so the restarted app is the one that
            # tells central, after it is back.
            self._restart_done(True, "the visitor app stopped cleanly and started again on "
                                     "the attract screen")

    @property
    def relayout_pending(self) -> bool:
        """A rotated or resized window's fresh layout is still to come (0.2 s after)."""
        trigger = getattr(self, "_relayout", None)
        return bool(trigger is not None and trigger.is_triggered)

    def window_width(self) -> float:
        return float(Window.width)

    def window_height(self) -> float:
        return float(Window.height)

    def apply_context(self) -> None:
        """The visitor's language, theme, text scale and reach for whatever is built next."""
        s = self.session
        set_ui(UIContext(lang=s.lang, theme=theme(s.theme), scale=s.text_scale, reach=s.reach,
                         easy_read=s.easy_read, units=self.units))
        Window.clearcolor = rgba(ui().theme.bg)
        self.captions.place()

    # -- what screens use --------------------------------------------------------------------

    @property
    def current(self) -> KioskScreen:
        return self.screens[self.sm.current]

    @property
    def history(self) -> list[tuple[str, dict[str, Any]]]:
        return self.nav.history

    @property
    def overlay(self) -> Overlay | None:
        return self.overlays.open

    def go(self, name: str, _replace: bool = False, **params: Any) -> None:
        self.nav.go(name, _replace, **params)

    def back(self) -> None:
        self.nav.back()

    def home(self) -> None:
        self.nav.home()

    def start_session(self, lang: str | None = None) -> None:
        self.idle.start_session(lang)

    def note_change(self) -> None:
        """A screen was built or rebuilt (KioskScreen.refresh says so)."""
        self.nav.screen_built()
        self.memory.screen_built()

    def speak(self, text: str, lang: str | None = None) -> None:
        """Say ``text`` (logical, never shaped) when speech is on, cutting whatever is
        playing; it is recorded (``captions.spoken``, for walks) and shown in the caption
        strip."""
        lang = lang or self.session.lang
        if not self.session.speech:
            return
        if self.pending_intro:
            # The first key press turned speech on: say where the visitor is first.
            self.pending_intro = False
            text = f"{_('Speech is on.', lang)} {self.nav.arrival_text(lang)} {text}".strip()
        if not text.strip():
            return
        self.speech_control.replaced()  # new speech replaces a paused sentence
        self.captions.record(text, lang)
        if self.speech is not None:
            self.speech.say(text, lang)
        elif self.voice:
            self._unsaid = (text, lang)
        self.captions.show(text)

    # -- degraded states and new content -------------------------------------------------------

    def check_status(self) -> None:
        def work() -> None:
            with self._status_lock:
                try:
                    stale = self.device.is_stale()
                except Exception:
                    log.exception("reading the kiosk status failed")
                    return
            self._set_stale(stale)
        threading.Thread(target=work, name="status", daemon=True).start()

    @mainthread
    def _set_stale(self, stale: bool) -> None:
        if stale != self.stale:
            self.stale = stale
            self.nav.refresh()

    def _content_changed(self, **_data: Any) -> None:
        """New content is active (the demo's first install, a sync): called in the thread
        that installed it; the screen on show is rebuilt in place on the UI thread."""
        self.nav.content_changed()
