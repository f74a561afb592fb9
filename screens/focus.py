"""The keypad focus (where it is, in what order it moves, how a control is described), and
what keys and fingers do beyond a tap: the key map and its actions (ACCESSIBILITY 18), slide to
read (ACCESSIBILITY 19), and any input cutting speech and counting as the visitor's presence."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk.i18n import _
from kiosk.session import VOLUME_STEP_COUNT
from screens.speech import spoken
from screens.speech_control import PAUSE_ID
from screens.widgets.button import KButton

# A finger that moves this far and stays down this long is reading, not tapping; small tremor
# stays under the distance.
SLIDE_READ_S = 0.25
SLIDE_READ_MM = 4.0


class Focus:
    """The keypad focus, by kiosk_id (``id``), over the open overlay or the current screen."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.id: str | None = None

    def order(self) -> list[KButton]:
        overlay = self.app.overlays.open
        return overlay.focus_order() if overlay is not None else self.app.current.focus_order()

    @property
    def index(self) -> int | None:
        """The keypad focus as a position in ``order()``, or None."""
        ids = [w.kiosk_id for w in self.order()]
        return ids.index(self.id) if self.id in ids else None

    @index.setter
    def index(self, index: int | None) -> None:
        order = self.order()
        self.id = order[index].kiosk_id if index is not None and 0 <= index < len(order) \
            else None

    def focused(self) -> KButton | None:
        return next((w for w in self.order() if w.kiosk_id == self.id), None)

    def move(self, step: int) -> KButton | None:
        """Up/Down: the next control in reading order, wrapping round (focus is never
        trapped); speaks it and never activates it."""
        order = self.order()
        if not order:
            return None
        ids = [w.kiosk_id for w in order]
        if self.id in ids:
            index = (ids.index(self.id) + step) % len(order)
        else:
            index = 0 if step > 0 else len(order) - 1
        return self.put(order, order[index])

    def by_id(self, kiosk_id: str, announce: bool = True) -> KButton | None:
        order = self.order()
        target = next((w for w in order if w.kiosk_id == kiosk_id), None)
        return self.put(order, target, announce) if target is not None else None

    def put(self, order: list[KButton], target: KButton, announce: bool = True) -> KButton:
        app = self.app
        for w in order:
            w.focused = w is target
        self.id = target.kiosk_id
        scroll = app.current.scroll
        if scroll is not None and app.overlays.open is None:
            scroll.show(target)
        if announce:
            app.speak(self.describe(target, order, app.session.lang))
        return target

    @staticmethod
    def describe(target: KButton, order: list[KButton], lang: str) -> str:
        """A control as keypad focus and slide-to-read say it: label and state (the
        control's own describe, which keeps private values hidden), role, position."""
        parts = [target.describe(lang), spoken("button", lang)]
        if target in order and len(order) > 1:
            parts.append(spoken("position", lang, n=order.index(target) + 1,
                                count=len(order)))
        return ("، " if lang == "ar" else ", ").join(p for p in parts if p)

    def control_at(self, pos: tuple[float, float]) -> KButton | None:
        """The control under a point in window coordinates, if any."""
        return next((w for w in self.order() if w.collide_point(*w.to_widget(*pos))), None)


class Input:
    """Keys by name (``keys``: action -> key codes; the device config's key map, which
    technicians change through its "keys", e.g. {"help": [283, 104]}) and what each does;
    touches beyond a tap. Bound to the window by the app."""

    def __init__(self, app: Any, keys: dict[str, tuple[int, ...]]) -> None:
        self.app = app
        self.keys = keys
        # The setup wizard's keypad test takes every key code as it comes, before the key
        # map (and returns True when it took it); None the rest of the time.
        self.capture: Any = None

    def on_key_down(self, _window, key: int, _scancode, _codepoint, _modifiers) -> bool:
        app = self.app
        if self.capture is not None and self.capture(key):
            app.idle.input()
            return True
        action = next((name for name, codes in self.keys.items() if key in codes), None)
        if action is None:
            return False
        if app.technician.key_down(action):
            return True  # Help and Back together: the technician's chord, not a visitor's key
        # A new key press cuts what is playing at once; not Pause, nor Action on the Pause
        # control, which pause what is playing (or resume it).
        if action != "pause" and not (action == "action" and app.focus.id == PAUSE_ID):
            app.speech_control.cut()
        app.idle.input()
        if not app.session.speech and action != "back":
            # A keypad user is probably relying on speech (ACCESSIBILITY 20). The screen is
            # rebuilt; focus order comes from the laid-out geometry, so act once it is laid out.
            app.session.set_speech(True)
            app.prefs.sync_speech()
            app.pending_intro = True
            app.nav.refresh()

            def act(_dt: float) -> None:
                if action != "pause":  # Pause that turned speech on lets it be heard
                    self.act(action)
                if app.pending_intro:
                    app.speak("")  # the action said nothing: still say where we are
            Clock.schedule_once(act, 0.05)
            return True
        self.act(action)
        return True

    def on_key_up(self, _window, key: int, _scancode=None, *_rest) -> bool:
        action = next((name for name, codes in self.keys.items() if key in codes), None)
        if action is not None:
            self.app.technician.key_up(action)
        return False

    def act(self, action: str) -> None:
        app = self.app
        if action in ("up", "down"):
            app.focus.move(-1 if action == "up" else 1)
        elif action == "action":
            target = app.focus.focused()
            if target is not None:
                target.activate()
        elif action == "back":
            if app.overlays.open is not None:
                app.overlays.close()
            else:
                app.back()
        elif action == "help":
            if app.overlays.is_open("help"):
                # Help pressed twice: stop talking and put the help away (EZ Access).
                app.overlays.close()
                app.speech_control.cut()
            else:
                app.overlays.show_help(layered=True)
        elif action == "lang":
            app.prefs.toggle_lang()
        elif action == "repeat":
            # The current sentence again, shown (and recorded for walks) as well as heard.
            if app.captions.text:
                app.captions.record(app.captions.text, app.session.lang)
            if app.speech is not None:
                app.speech.repeat()
        elif action in ("vol_up", "vol_down"):
            s = app.session
            s.set_volume_step(s.volume_step + (1 if action == "vol_up" else -1))
            app.prefs.sync_speech()
            app.speak(_("Volume {step} of {count}", s.lang).format(
                step=s.volume_step + 1, count=VOLUME_STEP_COUNT))
        elif action == "next":
            self.next_page()
        elif action == "pause":
            app.speech_control.toggle_pause()

    def next_page(self) -> None:
        """Next page: scroll a long screen down; at its end, a paginated list's next page."""
        app = self.app
        lang = app.session.lang
        scroll = app.current.scroll if app.overlays.open is None else None
        if scroll is not None and scroll.overflows and scroll.view.scroll_y > 0.001:
            scroll.page(1)
            app.speak(_("Scroll down", lang))
            return
        nxt = next((w for w in app.focus.order() if w.kiosk_id.endswith(".next")
                    or w.kiosk_id == "search.more"), None)
        if nxt is not None:
            nxt.activate()
        else:
            app.speak(_("Scroll down", lang))

    def on_any_touch(self, _window, touch) -> bool:
        # Any visitor action cuts what is playing at once (ACCESSIBILITY 13); what the touch
        # does may then say something new. Not a touch on Pause / Resume: that one pauses
        # what is being said, or resumes it.
        pause = self.app.speech_control.shown_button()
        if pause is None or self.app.overlays.open is not None or \
                not pause.collide_point(*pause.to_widget(*touch.pos)):
            self.app.speech_control.cut()
        self.app.idle.input()
        return False

    def on_touch_move(self, _window, touch) -> bool:
        """Slide to read: after 250 ms of sliding, whatever control is under the finger is
        focused and spoken, and lifting the finger activates nothing."""
        app = self.app
        ud = touch.ud
        if not ud.get("reading"):
            ox, oy = touch.opos
            moved = ((touch.x - ox) ** 2 + (touch.y - oy) ** 2) ** 0.5
            if touch.time_update - touch.time_start < SLIDE_READ_S or \
                    moved < app.units.mm(SLIDE_READ_MM):
                return False
            ud["reading"] = True  # KButton sees this and will not activate on release
        app.idle.input()
        target = app.focus.control_at(touch.pos)
        if target is not None and ud.get("read_id") != target.kiosk_id:
            ud["read_id"] = target.kiosk_id
            app.focus.put(app.focus.order(), target)
        return False
