"""KioskApp: the visitor UI. Shows the screens of the one screen registry, keeps the
visitor session (kiosk/session.py), navigation history, the idle warning, help, keypad focus
and the speech hook. Background work reports back through Clock, never touching widgets."""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk import events
from kiosk.device import KioskDevice
from kiosk.i18n import _, both
from kiosk.services import VisitorServices
from kiosk.session import VOLUME_STEP_COUNT, SiteDefaults, VisitorSession
from kiosk.units import Units, configured_px_per_mm
from screens import registry
from screens.base import KioskScreen, ScreenHost
from screens.context import UIContext, set_ui, ui
from screens.speech import make_speech_service, spoken
from screens.themes import rgba, theme
from screens.widgets.button import KButton
from screens.widgets.layout import Filled, column, row
from screens.widgets.text import KText

log = logging.getLogger("screens.app")

# A finger that moves this far and stays down this long is reading, not tapping
# (ACCESSIBILITY 19); small tremor stays under the distance.
HELP_HOLD_S = 1.0  # Help held this long starts explain mode
SLIDE_READ_S = 0.25
SLIDE_READ_MM = 4.0
STATUS_EVERY_S = 60.0
# The idle screen's spoken invitation (ACCESSIBILITY 20): calm, a few seconds long, once a
# minute, and only when the site enables it (device config "speech_invitation").
INVITATION_EVERY_S = 60.0
INVITATION_FIRST_S = 10.0
TICK_S = 0.5
# Housekeeping (see KioskApp._housekeep): Python's full garbage collection walks every widget
# the kiosk holds, tens of milliseconds. Left to itself it starts whenever enough objects have
# been made, which is in the middle of building a screen, and the tap feels slow; put off for
# long, garbage piles up and the heap stays large. It runs this long after a screen is built,
# once the new screen is drawn, while the visitor takes it in: a person needs a few hundred
# milliseconds to read and reach before the next touch.
COLLECT_AFTER_S = 0.15
COLLECT_EVERY_S = 30.0  # and at least this often, for what the background threads leave
CAPTION_LINES = 2
# Screens of one record that read out in full, in reading order, on arrival (issue 5, 3).
READ_ON_ARRIVAL = ("product",)

# Keypad and keyboard keys (ACCESSIBILITY 18); technicians re-map through the device config
# "keys" entry, e.g. {"help": [283, 104]}.
DEFAULT_KEYS: dict[str, tuple[int, ...]] = {
    "up": (273, 280), "down": (274, 281), "action": (13, 271), "back": (27, 8),
    "help": (283,), "lang": (285,), "repeat": (286,), "vol_up": (43, 270),
    "vol_down": (45, 269), "next": (32,),
}


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


class Overlay(Filled):
    """A full-window panel above the screen (idle warning, help); it takes every touch so
    nothing behind it fires."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(orientation="vertical", padding=ui().units.mm(8),
                         spacing=ui().units.gap, **kwargs)
        self.kind = kind
        self.fill = "panel_bg"

    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch):
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch):
        super().on_touch_up(touch)
        return True

    def focus_order(self) -> list[KButton]:
        rtl = ui().rtl
        found = [w for w in self.walk(restrict=True) if isinstance(w, KButton)]
        return sorted(found, key=lambda w: (-round(w.top), -w.right if rtl else w.x))


class Screens(dict):
    """The registered screens by name, each built the first time it is asked for: start-up
    builds only the screen it opens on. ``name in screens`` asks whether a screen is
    registered; ``values()`` gives the ones built so far (the only ones holding anything)."""

    def __init__(self, app: KioskApp):
        super().__init__()
        self.app = app

    def __missing__(self, name: str) -> KioskScreen:
        if name not in registry.SCREENS:
            raise KeyError(f"no screen named {name!r}")
        screen = registry.screen_class(name)(self.app)
        self[name] = screen
        self.app.sm.register(screen)
        return screen

    def __contains__(self, name: object) -> bool:
        return name in registry.SCREENS


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
        self._content_ready = False  # the store opened, the demo installed on a first boot
        config = (self.device.credentials.config if self.device.credentials else None) or {}
        self.defaults = SiteDefaults.from_config(config)
        self.session = VisitorSession(defaults=self.defaults, clock=clock)
        self.units = Units(configured_px_per_mm(config))
        self.keys = {**DEFAULT_KEYS, **{k: tuple(v) for k, v in
                                        (config.get("keys") or {}).items()}}
        self.start_name = start
        self.start_params = dict(start_params or {})
        self.background = background
        self.stale = False
        self.history: list[tuple[str, dict[str, Any]]] = []
        self.overlay: Overlay | None = None
        self.focus_id: str | None = None  # the keypad focus, by kiosk_id
        # A voices.service.SpeechService: given, or made at build when voice=True (`kiosk run`,
        # `kiosk walk`); None speaks nothing but still records and shows every utterance.
        self.speech: Any = None
        self.voice = voice
        self._own_speech = False
        # Contact details are spoken only when a headset is the output (ACCESSIBILITY 15); a
        # technician sets "headset_output": true in the device config for such a kiosk.
        self.headset = bool(config.get("headset_output"))
        self._oriented = False  # "how to move" was said in this session
        self._pending_intro = False  # the first key turned speech on: orient before speaking
        self._invited_at: float | None = None
        self.caption_text = ""
        self._caption: KText | None = None
        self.caption_box: Widget | None = None
        self.spoken: list[tuple[float, str, str]] = []  # what was said, for captions and walks
        self.screens = Screens(self)
        self._active: KioskScreen | None = None
        self.explain_next = False  # Help was held: the next control touched is explained
        self._status_lock = threading.Lock()
        self._stopping = False
        # Said while the voice was still starting: said once it is ready.
        self._unsaid: tuple[str, str] | None = None
        self._voice_pending = bool(voice)  # until _speech_ready
        self._when_ready: list[Callable[[], None]] = []

    # -- building ----------------------------------------------------------------------------

    def build(self) -> Widget:
        self._keep_memory()
        self._apply_context()
        self.sm = ScreenHost()
        # Screens and the caption strip stack up; overlays float above both.
        self.root_layer = FloatLayout()
        self.stack = BoxLayout(orientation="vertical")
        self.stack.add_widget(self.sm)
        self.root_layer.add_widget(self.stack)
        self._place_caption()
        Window.bind(on_key_down=self._on_key_down)
        # A rotated or resized screen gets a fresh layout (bar columns, tile columns).
        self._relayout = Clock.create_trigger(lambda _dt: self.refresh_current(), 0.2)
        Window.bind(size=lambda *_a: self._relayout())
        Window.bind(on_touch_down=self._on_any_touch)
        Window.bind(on_touch_move=self._on_touch_move)
        Clock.schedule_interval(self._tick, TICK_S)
        Clock.schedule_interval(lambda _dt: self.check_status(), STATUS_EVERY_S)
        first_boot = not self.device.paths.content_db.exists()
        if first_boot or registry.screen_class(self.start_name).reads_content:
            # The first screen reads the store, or there is none yet: open it now.
            self.device.ensure_content()
            self._content_ready = True
            self._read_status()
        self.go(self.start_name, _replace=True, **self.start_params)
        # What the first screen does not need starts once it is drawn: the store (for a
        # first screen without content), the voice, and the background sync, upload and
        # heartbeat loops. (A callback for "0 s" runs before the coming frame is drawn, and
        # one it schedules for "0 s" runs in the frame after.)
        Clock.schedule_once(lambda _dt: Clock.schedule_once(self._start_services, 0), 0)
        return self.root_layer

    def _start_services(self, _dt: float) -> None:
        if not self._content_ready:
            # The attract and home screens show no content: the store opens off the UI thread
            # while the visitor already sees them (a screen that needs it meanwhile waits
            # for the import at most).
            def prepare() -> None:
                try:
                    self.device.ensure_content()
                    stale = self.device.is_stale()
                except Exception:  # a broken store must not take the visitor UI down
                    log.exception("opening the content store failed")
                    return
                self._content_ready = True
                self._set_stale(stale)
            threading.Thread(target=prepare, name="content", daemon=True).start()
        if self.voice and self.speech is None:
            self._voice_pending = True
            threading.Thread(target=self._start_speech, name="speech-start",
                             daemon=True).start()
        else:
            self._speech_ready(None)  # nothing to start: whoever waits for it goes on
        if self.background:
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
        if service is not None and (self.speech is not None or self._stopping):
            service.shutdown()
        elif service is not None:
            self.speech = service
            self._own_speech = True
            self.sync_speech()
            if self._unsaid is not None and self.session.speech:
                text, lang = self._unsaid
                self.speech.say(text, lang)
        self._unsaid = None
        self._voice_pending = False
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

    def on_stop(self) -> None:
        self._stopping = True
        if self._own_speech and self.speech is not None:
            try:
                self.speech.shutdown()
            except Exception:
                log.exception("stopping speech failed")
        try:
            self.device.close()
        except Exception:  # closing at exit must not hide the real reason we stopped
            log.exception("closing the device failed")

    def window_width(self) -> float:
        return float(Window.width)

    def window_height(self) -> float:
        return float(Window.height)

    def _apply_context(self) -> None:
        s = self.session
        set_ui(UIContext(lang=s.lang, theme=theme(s.theme), scale=s.text_scale, reach=s.reach,
                         units=self.units))
        Window.clearcolor = rgba(ui().theme.bg)
        self._place_caption()

    @property
    def current(self) -> KioskScreen:
        return self.screens[self.sm.current]

    # -- navigation --------------------------------------------------------------------------

    def go(self, name: str, _replace: bool = False, **params: Any) -> None:
        """Open a screen with its parameters; Back returns to the one before."""
        if name not in self.screens:
            raise KeyError(f"no screen named {name!r}")
        if _replace and self.history:
            self.history[-1] = (name, params)
        else:
            self.history.append((name, params))
        self._show(name, params)

    def _show(self, name: str, params: dict[str, Any]) -> None:
        screen = self.screens[name]
        self.close_overlay()
        self.explain_next = False
        left = self._active
        if left is not None:
            left.on_deactivate()
        self._active = screen
        screen.on_activate(**params)
        screen.refresh()
        self.sm.current = name
        if left is not None and left is not screen:
            left.release()
        if name == "attract" and left is not screen:
            # The spoken invitation counts from the idle screen's first moment.
            self._invited_at = self.session.clock() - INVITATION_EVERY_S + INVITATION_FIRST_S
        self.focus_id = None
        self.speak(self.arrival_text(self.session.lang))

    def arrival_text(self, lang: str) -> str:
        """What is said on arriving at a screen: its title, a one-line summary, how many
        items there are and, the first time in a session, how to move (issue 5, point 3)."""
        screen = self.current if self._active is None else self._active
        title = screen.title_text(lang).strip()
        parts = [title if title[-1:] in ".?!؟" else f"{title}.", screen.summary_text(lang)]
        if self.session.speech and screen.screen_name in READ_ON_ARRIVAL:
            parts.extend(self.reading_order(screen, lang))
        if self.session.speech:
            items = [w for w in screen.focus_order() if not w.kiosk_id.startswith("nav.")]
            if items:
                parts.append(spoken("focus_summary", lang, count=len(items)))
            if not self._oriented:
                self._oriented = True
                parts.append(spoken("how_to_move", lang))
        return " ".join(p for p in parts if p)

    def back(self) -> None:
        if len(self.history) > 1:
            self.history.pop()
            name, params = self.history[-1]
            self._show(name, params)

    def home(self) -> None:
        self.session.started = True
        self.history = []
        self.go("home")

    def refresh_current(self) -> None:
        """Rebuild the visible screen (a setting or the content changed)."""
        self._apply_context()
        focused_id = self.focus_id
        self.current.refresh()
        if self.overlay is not None:
            kind = self.overlay.kind
            self.close_overlay()
            self.show_help() if kind == "help" else self._show_idle_warning()
        if focused_id:
            # The new widgets are laid out on the next frame; draw the ring there.
            Clock.schedule_once(lambda _dt: self.focus_by_id(focused_id, announce=False), 0.05)

    # -- settings from the bar and the settings screen --------------------------------------

    def toggle_lang(self) -> None:
        self.set_lang("en" if self.session.lang == "ar" else "ar")

    def set_lang(self, lang: str) -> None:
        self.session.set_lang(lang)
        self.refresh_current()
        self.speak(_("English", lang) if lang == "en" else _("Arabic", lang))

    def next_text_scale(self) -> None:
        self.session.next_text_scale()
        self.refresh_current()

    def next_theme(self) -> None:
        self.session.next_theme()
        self.refresh_current()

    @staticmethod
    def reading_order(screen: KioskScreen, lang: str) -> list[str]:
        """Everything a record's screen shows, top to bottom: its texts (pictures' text
        alternatives among them) and its controls as they are described."""
        out: list[str] = []
        if screen.content is None:
            return out
        for w in screen.content.walk(restrict=True):
            if isinstance(w, KButton):
                out.append(w.describe(lang) + ".")
            elif isinstance(w, KText) and w.logical and not isinstance(w.parent, KButton):
                text = w.logical.strip()
                out.append(text if text[-1:] in ".?!؟:" else f"{text}.")
        return out

    def toggle_speech(self) -> None:
        on = self.session.set_speech(not self.session.speech)
        self.refresh_current()
        if on:
            lang = self.session.lang
            self.speak(f"{_('Speech is on.', lang)} {self.arrival_text(lang)}")
        elif self.speech is not None:
            self.speech.stop()

    def apply(self, change: Callable[[VisitorSession], Any]) -> None:
        """Change a session setting and redraw: ``app.apply(lambda s: s.set_reach(True))``."""
        change(self.session)
        self.sync_speech()
        self.refresh_current()

    def sync_speech(self) -> None:
        """Hand the visitor's speech rate and volume to the speech service."""
        if self.speech is not None:
            self.speech.set_rate(self.session.rate_step)
            self.speech.set_volume(self.session.volume_step)

    # -- session -----------------------------------------------------------------------------

    def start_session(self, lang: str | None = None) -> None:
        self.session.start(lang)
        self.sync_speech()
        self._apply_context()
        self.history = []
        self.go("home")

    def end_session(self) -> None:
        """The visitor left: wipe and restore the site's defaults, back to the attract screen
        (ACCESSIBILITY 23)."""
        self.session.reset()
        if self.speech is not None:
            self.speech.reset_for_new_visitor()
        self._oriented = False
        self._pending_intro = False
        self._invited_at = None
        self.caption_text = ""
        for screen in self.screens.values():
            screen.on_session_end()
        self.history = []
        self._apply_context()
        self.close_overlay()
        self.go("attract")

    def _on_any_touch(self, _window, _touch) -> bool:
        # Any visitor action cuts what is playing at once (ACCESSIBILITY 13); what the touch
        # does may then say something new.
        if self.speech is not None:
            self.speech.stop()
        self._input()
        return False

    def _on_touch_move(self, _window, touch) -> bool:
        """Slide to read: after 250 ms of sliding, whatever control is under the finger is
        focused and spoken, and lifting the finger activates nothing."""
        ud = touch.ud
        if not ud.get("reading"):
            ox, oy = touch.opos
            moved = ((touch.x - ox) ** 2 + (touch.y - oy) ** 2) ** 0.5
            if touch.time_update - touch.time_start < SLIDE_READ_S or \
                    moved < self.units.mm(SLIDE_READ_MM):
                return False
            ud["reading"] = True  # KButton sees this and will not activate on release
        self._input()
        target = self.control_at(touch.pos)
        if target is not None and ud.get("read_id") != target.kiosk_id:
            ud["read_id"] = target.kiosk_id
            self._focus(self.focus_order(), target)
        return False

    def control_at(self, pos: tuple[float, float]) -> KButton | None:
        """The control under a point in window coordinates, if any."""
        for w in self.focus_order():
            if w.collide_point(*w.to_widget(*pos)):
                return w
        return None

    def _input(self) -> None:
        if self.overlay is not None and self.overlay.kind == "idle":
            return  # the warning's own buttons decide
        if not self.session.started:
            self.session.started = True
            self.session.idle.restart()
        self.session.idle.touch()

    def _tick(self, _dt: float) -> None:
        if time.monotonic() - self._collected_at >= COLLECT_EVERY_S:
            self._housekeep()
        if not self.session.started:
            self._maybe_invite()
            return
        state = self.session.idle.state()
        if state == "ended":
            self.end_session()
        elif state == "warning":
            if self.overlay is None or self.overlay.kind != "idle":
                self._show_idle_warning()
            else:
                self._idle_text.logical = self._idle_countdown()
        elif self.overlay is not None and self.overlay.kind == "idle":
            self.close_overlay()

    # -- housekeeping ------------------------------------------------------------------------

    def _keep_memory(self) -> None:
        """What start-up imported and opened lives as long as the app: it is frozen out of the
        collector's walks (without a collection first: the little garbage imports leave is
        not worth the time on the way to the first screen). The collector never starts on its
        own: ``_housekeep`` runs it on this, the UI thread, after each new screen and at least
        every COLLECT_EVERY_S, and hands freed memory back to the system. Started by whichever
        thread happened to allocate, a collection could free widgets, and with them graphics
        objects, away from the thread that owns the GL context; and a full one in the middle
        of building a screen makes a tap slow."""
        gc.disable()
        gc.freeze()
        self._collected_at = time.monotonic()
        self._collect = Clock.create_trigger(lambda _dt: self._housekeep(), COLLECT_AFTER_S)

    def note_change(self) -> None:
        """A screen was built or rebuilt (KioskScreen.refresh says so)."""
        collect = getattr(self, "_collect", None)
        if collect is not None:
            collect()

    def _housekeep(self) -> None:
        gc.collect()
        _malloc_trim()
        self._collected_at = time.monotonic()

    def _maybe_invite(self) -> None:
        """On the idle screen, a calm spoken invitation once a minute, in the site's language
        and then the other, when the site enables it (ACCESSIBILITY 20)."""
        if (not self.defaults.speech_invitation or self.sm.current != "attract"
                or self.overlay is not None):
            return
        now = self.session.clock()
        if self._invited_at is None:  # counted from the idle screen's first moment
            self._invited_at = now - INVITATION_EVERY_S + INVITATION_FIRST_S
        if self.speech is None or now - self._invited_at < INVITATION_EVERY_S:
            return
        self._invited_at = now
        first = self.session.lang
        for n, lang in enumerate((first, "en" if first == "ar" else "ar")):
            text = spoken("invitation", lang)
            self._record(text, lang)
            self.speech.say(text, lang, interrupt=n == 0)

    def _idle_countdown(self) -> str:
        return _("The session ends in {seconds} seconds and everything you entered will be "
                 "cleared.", self.session.lang).format(seconds=self.session.idle.seconds_left())

    def _show_idle_warning(self) -> None:
        t = ui().t
        self._idle_text = KText(logical=self._idle_countdown(), fg="panel_text")

        def keep_going() -> None:
            self.session.idle.keep_going()
            self.close_overlay()

        def more_time() -> None:
            self.session.idle.more_time()
            self.close_overlay()

        panel = column(
            KText(logical=t("Are you still there?"), role="title", bold=True, fg="panel_text"),
            self._idle_text,
            row(KButton(kiosk_id="idle.continue", label=both("Continue"),
                        action=keep_going),
                KButton(kiosk_id="idle.more_time", label=both("More time"),
                        action=more_time)),
        )
        self._open_overlay("idle", panel)
        self.speak(f"{t('Are you still there?')} {self._idle_countdown()}")

    def show_help(self, layered: bool = False) -> None:
        """Help for this screen; held for a second, the next control touched is explained
        instead of chosen (ACCESSIBILITY 19). From the keypad the help is layered: the screen,
        then the focused item, then the keys."""
        t = ui().t
        screen = self.current
        held = screen.find("nav.help")
        if held is not None and held.held_s >= HELP_HOLD_S and self.overlay is None:
            self.explain_next = True
            held.selected = True
            held.state_text = both("Touch a control")
            self.speak(t("Touch any control to hear what it does, without choosing it."))
            return
        lang = self.session.lang
        text = screen.help_text(lang)
        if layered:
            item = self.focused()
            if item is not None:
                text += "\n\n" + spoken("item_help", lang, item=item.describe(lang))
            text += "\n\n" + spoken("keys_help", lang)
        self.speak(text)  # first: the voice starts while the panel is being built
        panel = column(
            KText(logical=t("Help"), role="title", bold=True, fg="panel_text"),
            KText(logical=text, fg="panel_text"),
            KButton(kiosk_id="help.close", label=both("Close help"),
                    action=self.close_overlay),
        )
        self._open_overlay("help", panel)

    def intercept_tap(self, button: KButton) -> bool:
        """In explain mode the tap explains the control instead of activating it."""
        if not self.explain_next:
            return False
        self.explain_next = False
        if button.kiosk_id == "nav.help":
            self.refresh_current()  # a second touch of Help leaves explain mode
            return True
        t = ui().t
        lang = self.session.lang
        explanation = f"{button.describe(lang)}. {t('To choose it, tap it.')}"
        panel = column(
            KText(logical=t("What this control does"), role="title", bold=True,
                  fg="panel_text"),
            KText(logical=explanation, fg="panel_text"),
            KButton(kiosk_id="help.close", label=both("Close help"),
                    action=self.close_overlay),
        )
        self.refresh_current()
        self._open_overlay("help", panel)
        self.speak(explanation)
        return True

    def _open_overlay(self, kind: str, panel: Widget) -> None:
        self.close_overlay()
        overlay = Overlay(kind)
        overlay.add_widget(Widget())
        overlay.add_widget(panel)
        overlay.add_widget(Widget())
        self.root_layer.add_widget(overlay)
        self.overlay = overlay
        self.focus_id = None

    def close_overlay(self) -> None:
        if self.overlay is not None:
            self.root_layer.remove_widget(self.overlay)
            self.overlay = None
            self.focus_id = None

    # -- degraded states ---------------------------------------------------------------------

    def _read_status(self) -> None:
        try:
            self.stale = self.device.is_stale()
        except Exception:  # a broken status must not take the visitor UI down
            log.exception("reading the kiosk status failed")

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
            self.refresh_current()

    def _content_changed(self, **_data: Any) -> None:
        Clock.schedule_once(lambda _dt: self.refresh_current())

    # -- speech hook -------------------------------------------------------------------------

    def speak(self, text: str, lang: str | None = None) -> None:
        """Say ``text`` (logical, never shaped) when speech is on, cutting whatever is
        playing; it is recorded (``spoken``, for walks) and shown in the caption strip."""
        lang = lang or self.session.lang
        if not self.session.speech:
            return
        if self._pending_intro:
            # The first key press turned speech on: say where the visitor is first.
            self._pending_intro = False
            text = f"{_('Speech is on.', lang)} {self.arrival_text(lang)} {text}".strip()
        if not text.strip():
            return
        self._record(text, lang)
        if self.speech is not None:
            self.speech.say(text, lang)
        elif self.voice:
            self._unsaid = (text, lang)
        self.show_caption(text)

    def _record(self, text: str, lang: str) -> None:
        self.spoken.append((time.time(), lang, text))
        del self.spoken[:-200]

    # -- captions: everything spoken is also shown (ACCESSIBILITY 17) -------------------------

    def show_caption(self, text: str, sentence: bool = False) -> None:
        """Show what is being said. ``speak`` shows the utterance; as each sentence starts
        to sound the strip narrows to it (``sentence=True``, from the player thread through
        Clock). The strip is there, at a fixed height, whenever speech mode is on, so a
        caption never moves a control under a sliding finger."""
        if sentence and not text:
            return
        self.caption_text = " ".join(text.split()) if self.session.speech else ""
        if self._caption is not None and self.caption_box is not None:
            self._caption.lang = self.session.lang
            self._fit_caption()
        elif self.session.speech:
            self._place_caption()

    def _fit_caption(self) -> None:
        """The caption in at most CAPTION_LINES lines; a longer utterance is cut at a word
        and continues as its sentences start to sound."""
        c = self._caption
        text = self.caption_text
        c.logical = text
        if len(c.lines_logical) <= CAPTION_LINES:
            return
        words = text.split()
        lo, hi = 0, len(words)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            c.logical = " ".join(words[:mid]) + " …"
            if len(c.lines_logical) <= CAPTION_LINES:
                lo = mid
            else:
                hi = mid - 1
        c.logical = " ".join(words[:lo]) + " …"

    def _place_caption(self) -> None:
        stack = getattr(self, "stack", None)
        if stack is None:
            return
        if self.caption_box is not None:
            stack.remove_widget(self.caption_box)
            self.caption_box = None
            self._caption = None
        if not self.session.speech:
            self.caption_text = ""
            return
        u = ui().units
        pad = u.mm(3)
        width = max(1.0, self.window_width() - 2 * pad)
        # Both scripts in the sample: Arabic lines are taller than Latin ones (Noto Sans
        # Arabic's ascent and descent), and a caption may hold either.
        sample = KText(logical="\n".join(["Ag لج"] * CAPTION_LINES), size_hint_x=None,
                       width=width)
        self._caption = KText(logical="", fg="panel_text", size_hint_x=None, width=width)
        box = Filled(orientation="vertical", size_hint_y=None, padding=pad,
                     height=sample.height + 2 * pad)
        box.fill = "panel_bg"

        def edge(*_a) -> None:
            # A rule along the strip's inner edge sets it apart from the screen.
            box.canvas.after.clear()
            with box.canvas.after:
                Color(*rgba(ui().theme.button_border))
                y = box.y if ui().reach else box.top - u.mm(0.5)
                Rectangle(pos=(box.x, y), size=(box.width, u.mm(0.5)))
        box.bind(pos=edge, size=edge)
        box.add_widget(self._caption)
        box.add_widget(Widget())
        box.caption = True
        self._fit_caption()
        # Below the bar, so it never covers a control; in reach mode at the top, which holds
        # nothing to touch, so the controls stay within reach.
        stack.add_widget(box, index=len(stack.children) if ui().reach else 0)
        self.caption_box = box

    # -- keypad focus ------------------------------------------------------------------------

    def focus_order(self) -> list[KButton]:
        if self.overlay is not None:
            return self.overlay.focus_order()
        return self.current.focus_order()

    @property
    def focus_index(self) -> int | None:
        """The keypad focus as a position in ``focus_order()``, or None."""
        ids = [w.kiosk_id for w in self.focus_order()]
        return ids.index(self.focus_id) if self.focus_id in ids else None

    @focus_index.setter
    def focus_index(self, index: int | None) -> None:
        order = self.focus_order()
        self.focus_id = order[index].kiosk_id if index is not None and \
            0 <= index < len(order) else None

    def focused(self) -> KButton | None:
        for w in self.focus_order():
            if w.kiosk_id == self.focus_id:
                return w
        return None

    def move_focus(self, step: int) -> KButton | None:
        """Up/Down: the next control in reading order, wrapping round (focus is never
        trapped); speaks it and never activates it."""
        order = self.focus_order()
        if not order:
            return None
        ids = [w.kiosk_id for w in order]
        if self.focus_id in ids:
            index = (ids.index(self.focus_id) + step) % len(order)
        else:
            index = 0 if step > 0 else len(order) - 1
        return self._focus(order, order[index])

    def focus_by_id(self, kiosk_id: str, announce: bool = True) -> KButton | None:
        order = self.focus_order()
        target = next((w for w in order if w.kiosk_id == kiosk_id), None)
        return self._focus(order, target, announce) if target is not None else None

    def _focus(self, order: list[KButton], target: KButton,
               announce: bool = True) -> KButton:
        for w in order:
            w.focused = w is target
        self.focus_id = target.kiosk_id
        scroll = self.current.scroll
        if scroll is not None and self.overlay is None:
            scroll.show(target)
        if announce:
            self.speak(self.describe_control(target, order, self.session.lang))
        return target

    def describe_control(self, target: KButton, order: list[KButton], lang: str) -> str:
        """A control as keypad focus and slide-to-read say it: label and state (the
        control's own describe, which keeps private values hidden), role, position."""
        parts = [target.describe(lang), spoken("button", lang)]
        if target in order and len(order) > 1:
            parts.append(spoken("position", lang, n=order.index(target) + 1,
                                count=len(order)))
        return ("، " if lang == "ar" else ", ").join(p for p in parts if p)

    def _on_key_down(self, _window, key: int, _scancode, _codepoint, _modifiers) -> bool:
        action = next((name for name, codes in self.keys.items() if key in codes), None)
        if action is None:
            return False
        if self.speech is not None:
            self.speech.stop()  # a new key press cuts what is playing at once
        self._input()
        if not self.session.speech and action != "back":
            # A keypad user is probably relying on speech (ACCESSIBILITY 20). The screen is
            # rebuilt; focus order comes from the laid-out geometry, so act once it is laid out.
            self.session.set_speech(True)
            self.sync_speech()
            self._pending_intro = True
            self.refresh_current()

            def act(_dt: float) -> None:
                self._key_action(action)
                if self._pending_intro:
                    self.speak("")  # the action said nothing: still say where we are
            Clock.schedule_once(act, 0.05)
            return True
        self._key_action(action)
        return True

    def _key_action(self, action: str) -> None:
        if action in ("up", "down"):
            self.move_focus(-1 if action == "up" else 1)
        elif action == "action":
            target = self.focused()
            if target is not None:
                target.activate()
        elif action == "back":
            if self.overlay is not None:
                self.close_overlay()
            else:
                self.back()
        elif action == "help":
            if self.overlay is not None and self.overlay.kind == "help":
                # Help pressed twice: stop talking and put the help away (EZ Access).
                self.close_overlay()
                if self.speech is not None:
                    self.speech.stop()
            else:
                self.show_help(layered=True)
        elif action == "lang":
            self.toggle_lang()
        elif action == "repeat":
            # The current sentence again, shown (and recorded for walks) as well as heard.
            if self.caption_text:
                self._record(self.caption_text, self.session.lang)
            if self.speech is not None:
                self.speech.repeat()
        elif action in ("vol_up", "vol_down"):
            self.session.set_volume_step(self.session.volume_step
                                         + (1 if action == "vol_up" else -1))
            self.sync_speech()
            self.speak(_("Volume {step} of {count}", self.session.lang).format(
                step=self.session.volume_step + 1, count=VOLUME_STEP_COUNT))
        elif action == "next":
            self.next_page()

    def next_page(self) -> None:
        """Next page: scroll a long screen down; at its end, a paginated list's next page."""
        lang = self.session.lang
        scroll = self.current.scroll if self.overlay is None else None
        if scroll is not None and scroll.overflows and scroll.view.scroll_y > 0.001:
            scroll.page(1)
            self.speak(_("Scroll down", lang))
            return
        nxt = next((w for w in self.focus_order() if w.kiosk_id.endswith(".next")
                    or w.kiosk_id == "search.more"), None)
        if nxt is not None:
            nxt.activate()
        else:
            self.speak(_("Scroll down", lang))
