"""The first-boot setup wizard (issue 11): one step per page, opened with
``app.go("setup", step=NAME)`` (screen, touch, keypad, sound, network, provision, summary; no
step: the first). On an unprovisioned kiosk the technician opens it from the attract screen
with a 5 s hold on ``attract.technician`` (screens/attract.py); the technician panel opens it for "set up again",
"recalibrate", "keypad test" and "touch test".

Every step is bilingual and spoken on arrival like any screen, reachable with the keypad, and
can be skipped, repeated or gone back to (``setup.previous``, ``setup.skip``, ``setup.next``);
the summary says what was set. What is saved goes through kiosk/services/setup.py (the kiosk's
own config for px-per-mm, orientation and key map; `kiosk provision`'s, `kiosk sync`'s and the
test submission's paths); the slow steps run on threads and report back through Clock."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Line, Rectangle
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.services.netcheck import Check
from kiosk.services.setup import CARD_WIDTH_MM, Setup, SetupFailed
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.themes import rgba
from screens.widgets.button import KButton
from screens.widgets.keyboard import Keyboard
from screens.widgets.layout import column, row
from screens.widgets.text import KText

log = logging.getLogger("screens.setup")

STEPS = ("screen", "touch", "keypad", "sound", "network", "provision", "summary")
STEP_TITLES = {"screen": "Screen", "touch": "Touch", "keypad": "Keypad", "sound": "Sound",
               "network": "Network", "provision": "Enrolment", "summary": "Summary"}
STEP_SUMMARIES = {
    "screen": "Choose how the screen is mounted. Then hold a bank card against the glass and "
              "make the bar exactly as long as the card is wide, with a finger or with Longer "
              "and Shorter.",
    "touch": "Touch each target as it appears at the corners and edges of the screen. Misses "
             "and how far off each touch was are shown after the last one.",
    "keypad": "Press each keypad key when asked. What arrived is shown; a key that sends "
              "something else can be made to do what was asked.",
    "sound": "Each voice says a test sentence at the site's volume. Say whether you heard it.",
    "network": "Type central's address, then Check: the name, the connection, the "
               "certificate, central's answer and the clock are checked in turn.",
    "provision": "Type the one-time code from central, then Enrol. The kiosk enrols, fetches "
                 "its content and sends a test submission.",
    "summary": "What was set and found in each step. Choose a step to do it again.",
}
# The keypad keys a technician is asked for, in order (EZ Access, screens/focus.py).
KEYPAD_ORDER = ("up", "down", "action", "help", "back", "next", "vol_up", "vol_down", "lang",
                "repeat")
KEYPAD_NAMES = {"up": "Up", "down": "Down", "action": "Action", "help": "Help", "back": "Back",
             "next": "Next", "vol_up": "Volume up", "vol_down": "Volume down",
             "lang": "Language", "repeat": "Repeat"}
# Touch targets, as fractions of the window: corners, then the middles of the edges.
TOUCH_POINTS = ((0, 1), (1, 1), (0, 0), (1, 0), (0.5, 1), (1, 0.5), (0.5, 0), (0, 0.5))
TOUCH_NAMES = ("top left", "top right", "bottom left", "bottom right", "top edge",
               "right edge", "bottom edge", "left edge")
BAR_STEP_PX = 2
TEST_SENTENCE = "This is the kiosk's test sentence. If you can hear it, the voice works."
ORIENTATIONS = {"portrait": "Portrait", "landscape": "Landscape"}
MESSAGES = {
    "heard_yes": "heard", "heard_no": "not heard", "skipped": "Skipped",
    "not_done": "Not done yet",
}


# The states of each step a technician meets, for the audit's pages (registry.AUDIT_PAGES:
# ``app.go("setup", step=..., state=...)``): set in memory only, as a real run of the step
# leaves them; nothing is saved, checked, enrolled or sent.
SAMPLE_STATES = {
    "touch": ("done",),
    "keypad": ("listening", "mismatch", "done"),
    "sound": ("answered",),
    "network": ("failed",),
    "provision": ("done",),
    "summary": ("done",),
}
SAMPLE_URL = "https://central.example.om"
SAMPLE_CODE = "k7qx2m4p"
SAMPLE_DEVICE = "kiosk-3f9c2a"
SAMPLE_ODD_KEY = 291  # F10, as a keypad whose Help key sends something else


class CardBar(Widget):
    """The calibration bar: as long as ``screen.bar_px``; a finger on it sets its end. Beside
    it, a 16 mm square at the scale the bar gives."""

    def __init__(self, screen: SetupScreen, **kwargs):
        u = ui().units
        super().__init__(size_hint_y=None, height=u.mm(24), **kwargs)
        self.screen = screen
        self.bind(pos=self.draw, size=self.draw)

    def draw(self, *_a) -> None:
        t = ui().theme
        bar = self.screen.bar_px
        ppm = bar / CARD_WIDTH_MM
        side = 16 * ppm
        h = min(self.height * 0.45, ui().units.mm(10))
        self.canvas.clear()
        with self.canvas:
            Color(*rgba(t.text))
            Rectangle(pos=(self.x, self.top - h), size=(bar, h))
            Line(points=[self.x, self.top, self.x, self.y], width=1.5)
            Line(points=[self.x + bar, self.top, self.x + bar, self.y], width=1.5)
            Color(*rgba(t.button_border))
            Line(rectangle=(self.x, self.y, side, side), width=1.5)

    def _set(self, touch) -> None:
        self.screen.bar_px = max(CARD_WIDTH_MM, min(self.width, touch.x - self.x))
        self.draw()
        self.screen.show_bar_numbers()

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            touch.grab(self)
            self._set(touch)
            return True
        return super().on_touch_down(touch)

    def on_touch_move(self, touch):
        if touch.grab_current is self:
            self._set(touch)
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        if touch.grab_current is self:
            touch.ungrab(self)
            return True
        return super().on_touch_up(touch)


class TouchTest(Widget):
    """The touch test, over the whole window: one target at a time at the corners and edges;
    each touch is recorded with its offset from the target's centre. Any keypad key stops it."""

    def __init__(self, screen: SetupScreen, **kwargs):
        super().__init__(size_hint=(None, None), size=Window.size, pos=(0, 0), **kwargs)
        self.screen = screen
        self.index = 0
        self.results: list[dict[str, Any]] = []
        u = ui().units
        self.side = u.target
        self.label = KText(logical="", role="title", bold=True)
        self.label.width = Window.width * 0.6
        self.add_widget(self.label)
        self.draw()

    def target_rect(self) -> tuple[float, float, float, float]:
        fx, fy = TOUCH_POINTS[self.index]
        margin = ui().units.mm(2)
        x = margin + fx * (self.width - self.side - 2 * margin)
        y = margin + fy * (self.height - self.side - 2 * margin)
        return x, y, self.side, self.side

    def draw(self) -> None:
        t = ui().theme
        lang = ui().lang
        self.label.logical = _("Touch the target: {n} of {count}, {where}", lang).format(
            n=self.index + 1, count=len(TOUCH_POINTS), where=_(TOUCH_NAMES[self.index], lang))
        self.label.center = (self.width / 2, self.height / 2)
        x, y, w, h = self.target_rect()
        self.canvas.before.clear()
        with self.canvas.before:
            Color(*rgba(t.bg))
            Rectangle(pos=self.pos, size=self.size)
            Color(*rgba(t.selected_bg))
            Rectangle(pos=(x, y), size=(w, h))
            Color(*rgba(t.focus))
            Line(rectangle=(x, y, w, h), width=2)

    def on_touch_down(self, touch):
        u = ui().units
        x, y, w, h = self.target_rect()
        cx, cy = x + w / 2, y + h / 2
        dx, dy = (touch.x - cx) / u.px_per_mm, (touch.y - cy) / u.px_per_mm
        hit = x <= touch.x <= x + w and y <= touch.y <= y + h
        self.results.append({"target": TOUCH_NAMES[self.index], "hit": hit,
                             "dx_mm": round(dx, 1), "dy_mm": round(dy, 1)})
        self.index += 1
        if self.index >= len(TOUCH_POINTS):
            self.screen.touch_finished(self.results)
        else:
            self.draw()
            self.screen.app.speak(self.label.logical)
        return True

    def on_touch_move(self, touch):
        return True

    def on_touch_up(self, touch):
        return True


class SyncBar(Widget):
    """The first sync's progress: the part done filled, the whole outlined."""

    def __init__(self, **kwargs):
        u = ui().units
        super().__init__(size_hint_y=None, height=u.mm(8), **kwargs)
        self.fraction = 0.0
        self.bind(pos=self.draw, size=self.draw)

    def set(self, fraction: float) -> None:
        self.fraction = max(0.0, min(1.0, fraction))
        self.draw()

    def draw(self, *_a) -> None:
        t = ui().theme
        self.canvas.clear()
        with self.canvas:
            Color(*rgba(t.selected_bg))
            Rectangle(pos=self.pos, size=(self.width * self.fraction, self.height))
            Color(*rgba(t.text))
            Line(rectangle=(self.x, self.y, self.width, self.height), width=1.5)


class SetupScreen(KioskScreen):
    screen_name = "setup"
    title = registry.TITLES["setup"]
    summary = "Set up the kiosk step by step."
    reads_content = False

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.setup = Setup(app.device)
        self.bar_px = 0.0
        self.bar_text: KText | None = None
        self.keypad: dict[str, Any] = {}
        self.net: dict[str, Any] = {"url": "", "checks": [], "running": False}
        self.prov: dict[str, Any] = {"code": "", "lines": [], "running": False,
                                     "progress": None}
        self.touch_test: TouchTest | None = None
        self.skipped: set[str] = set()
        self.live: dict[str, Any] = {}
        # A sample state's findings (``state`` parameter), shown instead of setup-report.json.
        self.sample_report: dict[str, Any] | None = None
        self.sampled = False

    def _fresh(self) -> None:
        """Forget what a run of the steps found in memory (not what was saved)."""
        self._stop_capture()
        self._close_touch_test()
        self.keypad = {}
        self.net = {"url": "", "checks": [], "running": False}
        self.prov = {"code": "", "lines": [], "running": False, "progress": None}
        self.skipped = set()
        self.sample_report = None
        self.sampled = False

    def report(self) -> dict[str, Any]:
        """What each step found: as saved, or a sample state's."""
        if self.sample_report is not None:
            return self.sample_report
        return self.setup.report()

    # -- which step --------------------------------------------------------------------------

    @property
    def step(self) -> str:
        step = self.params.get("step") or STEPS[0]
        return step if step in STEPS else STEPS[0]

    @classmethod
    def sample_params(cls, services) -> dict[str, Any]:
        return {"step": STEPS[0]}

    def title_text(self, lang: str) -> str:
        return _("Setup, step {n} of {count}: {step}", lang).format(
            n=STEPS.index(self.step) + 1, count=len(STEPS), step=_(STEP_TITLES[self.step], lang))

    def summary_text(self, lang: str) -> str:
        return _(STEP_SUMMARIES[self.step], lang)

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        self.bar_px = CARD_WIDTH_MM * self.app.units.px_per_mm
        state = params.get("state")
        if state is not None or self.sampled:
            self._fresh()  # a sample state, or the first real one after a sample
        if not self.net["url"]:
            self.net["url"] = self.setup.central_url()
        if state is not None:
            self._sample(state)

    def on_deactivate(self) -> None:
        self._stop_capture()
        self._close_touch_test()

    def on_session_end(self) -> None:
        super().on_session_end()
        self._stop_capture()
        self._close_touch_test()

    def go_step(self, step: str) -> None:
        self._stop_capture()
        self.update_params(step=step)
        self.app.focus.id = None
        self.app.speak(self.app.nav.arrival_text(self.app.session.lang))

    def _move(self, by: int, skip: bool = False) -> None:
        i = STEPS.index(self.step)
        if skip:
            self.skipped.add(self.step)
        else:
            self.skipped.discard(self.step)
        self.go_step(STEPS[max(0, min(len(STEPS) - 1, i + by))])

    # -- the audit's sample states -----------------------------------------------------------

    def _sample(self, state: str) -> None:
        """Put the step in one of its SAMPLE_STATES, as a technician would find it there."""
        if state not in SAMPLE_STATES.get(self.step, ()):
            raise ValueError(f"the setup wizard's {self.step} step has no state {state!r}; "
                             f"its states are {', '.join(SAMPLE_STATES.get(self.step, ()))}")
        self.sampled = True
        lang = ui().lang
        first = {a: self.setup.key_map()[a][0] for a in KEYPAD_ORDER}
        if self.step == "keypad":
            arrived = {a: first[a] for a in KEYPAD_ORDER[:3]}
            if state == "listening":
                self.keypad = {"listening": True, "asking": "help", "arrived": arrived}
            elif state == "mismatch":
                self.keypad = {"arrived": {**arrived, "help": SAMPLE_ODD_KEY},
                               "mismatch": ("help", SAMPLE_ODD_KEY)}
            else:
                self.keypad = {"arrived": {**first, "help": SAMPLE_ODD_KEY},
                               "remapped": {"help": SAMPLE_ODD_KEY}}
            return
        if self.step == "network":
            host = SAMPLE_URL.split("//")[1]
            self.net["url"] = SAMPLE_URL
            self.net["checks"] = [
                Check("url", True, "url_ok"),
                Check("dns", True, "dns_ok", {"host": host, "address": "192.0.2.10"}),
                Check("tcp", True, "tcp_ok", {"host": host, "port": 443}),
                Check("tls", False, "tls_untrusted",
                      {"host": host, "reason": "self-signed certificate"})]
            return
        if self.step == "provision":
            self.net["url"] = SAMPLE_URL
            self.prov.update(code=SAMPLE_CODE, lines=[
                _("Enrolled as {device}.", lang).format(device=SAMPLE_DEVICE),
                _("Content version {version} is active.", lang).format(version=12),
                _("Test submission {id} sent: staff see it marked as a test.",
                  lang).format(id="01JDX7Q4ZK3M8N2P5R6S7T8V9W")],
                progress=SimpleNamespace(records_done=310, records_total=310, images_done=96,
                                         images_total=96, bytes_received=9_104_384,
                                         finished=True))
            return
        rep: dict[str, Any] = {}
        if self.step in ("sound", "summary"):
            rep["sound"] = {"heard": {"ar": True, "en": False}}
        if self.step in ("touch", "summary"):
            rep["touch"] = {"missed": 1, "targets": [
                {"target": name, "hit": i != 7, "dx_mm": 30.0 if i == 7 else 1.5,
                 "dy_mm": -2.0 if i % 2 else 0.5} for i, name in enumerate(TOUCH_NAMES)]}
        if self.step == "summary":
            rep.update(
                screen={"orientation": "portrait", "px_per_mm": self.app.units.px_per_mm},
                keypad={"tested": len(KEYPAD_ORDER), "working": list(KEYPAD_ORDER),
                        "remapped": {"help": SAMPLE_ODD_KEY}},
                network={"url": SAMPLE_URL, "ok": True},
                provision={"device_id": SAMPLE_DEVICE, "content_version": 12,
                           "test_submission_sent": True})
        self.sample_report = rep

    # -- building ----------------------------------------------------------------------------

    def build_content(self) -> Widget:
        u = ui().units
        body = getattr(self, f"_build_{self.step}")()
        i = STEPS.index(self.step)
        nav = []
        if i > 0:
            nav.append(KButton(kiosk_id="setup.previous", label=both("Previous step"),
                               action=lambda: self._move(-1)))
        if self.step != "summary":
            nav.append(KButton(kiosk_id="setup.skip", label=both("Skip"),
                               action=lambda: self._move(1, skip=True)))
            nav.append(KButton(kiosk_id="setup.next", label=both("Next step"),
                               action=lambda: self._move(1)))
        else:
            nav.append(KButton(kiosk_id="setup.finish", label=both("Finish"),
                               action=self._finish))
        return column(body, row(*nav), spacing=u.mm(6))

    def _t(self, msgid: str, **values: Any) -> str:
        return ui().t(msgid).format(**values) if values else ui().t(msgid)

    def _text(self, msgid: str, bold: bool = False, **values: Any) -> KText:
        return KText(logical=self._t(msgid, **values), bold=bold)

    # -- screen ------------------------------------------------------------------------------

    def _build_screen(self) -> Widget:
        u = ui().units
        current = self.app.device.config.orientation
        orient = [KButton(kiosk_id=f"setup.{name}", label=both(label),
                          selected=current == name,
                          state_text=both("Selected") if current == name else {},
                          action=lambda name=name: self._orient(name))
                  for name, label in ORIENTATIONS.items()]
        self.bar_text = KText(logical="", bold=True)
        bar = CardBar(self)
        self.show_bar_numbers()
        shorter = KButton(kiosk_id="setup.bar_shorter", label=both("Shorter"),
                          action=lambda: self._nudge(-BAR_STEP_PX))
        longer = KButton(kiosk_id="setup.bar_longer", label=both("Longer"),
                         action=lambda: self._nudge(BAR_STEP_PX))
        save = KButton(kiosk_id="setup.save_size", label=both("Save this size"),
                       action=self._save_size)
        preview = KButton(kiosk_id="setup.preview", label={"ar": "١٦", "en": "16"},
                          size_hint_x=None, width=u.target, role="small",
                          action=lambda: self.app.speak(self._t(
                              "This target is 16 millimetres wide at {ppm} pixels per "
                              "millimetre.", ppm=f"{self.app.units.px_per_mm:g}")))
        saved = self._t("Saved: {ppm} pixels per millimetre.",
                        ppm=f"{self.app.units.px_per_mm:g}")
        return column(self._text("How is the screen mounted?", bold=True), row(*orient),
                      self._text("Size: a bank card is 85.6 mm wide.", bold=True),
                      bar, self.bar_text, row(shorter, longer), save,
                      KText(logical=saved),
                      self._text("The smallest target at the saved size:"),
                      row(preview, Widget()), spacing=u.mm(4))

    def show_bar_numbers(self) -> None:
        if self.bar_text is not None:
            self.bar_text.logical = self._t(
                "The bar is {px} pixels long: {ppm} pixels per millimetre.",
                px=f"{self.bar_px:.0f}", ppm=f"{self.bar_px / CARD_WIDTH_MM:.3g}")

    def _nudge(self, px: float) -> None:
        width = self.app.window_width() - ui().units.mm(12)
        self.bar_px = max(CARD_WIDTH_MM, min(width, self.bar_px + px))
        self.refresh()
        self.app.focus.by_id("setup.bar_longer" if px > 0 else "setup.bar_shorter",
                             announce=False)
        self.app.speak(self.bar_text.logical if self.bar_text else "")

    def _save_size(self) -> None:
        value = self.setup.calibrate(Setup.px_per_mm_for_card(self.bar_px))
        self._apply_config()
        self.bar_px = CARD_WIDTH_MM * self.app.units.px_per_mm
        self.refresh()
        self.app.speak(self._t("Saved: {ppm} pixels per millimetre.", ppm=f"{value:g}"))

    def _orient(self, name: str) -> None:
        self.setup.set_orientation(name)
        self._apply_config()
        self.app.speak(self._t("{orientation} saved.",
                               orientation=self._t(ORIENTATIONS[name])))

    def _apply_config(self) -> None:
        """What was saved applies at once: the technician is the visitor here."""
        self.app.configure(self.app.device.config)
        self.app.nav.refresh()

    # -- touch -------------------------------------------------------------------------------

    def _build_touch(self) -> Widget:
        u = ui().units
        results = self.report().get("touch", {}).get("targets") or []
        lines: list[Widget] = []
        for r in results:
            lines.append(KText(logical=self._t(
                "{target}: {verdict}, {dx} mm across and {dy} mm up from its centre.",
                target=self._t(r["target"]),
                verdict=self._t("hit") if r["hit"] else self._t("missed"),
                dx=f"{r['dx_mm']:+g}", dy=f"{r['dy_mm']:+g}")))
        missed = sum(1 for r in results if not r["hit"])
        head = (self._text("Not done yet") if not results else
                self._text("{missed} of {count} targets missed.", bold=True, missed=missed,
                           count=len(results)))
        start = KButton(kiosk_id="setup.touch_start",
                        label=both("Start the touch test") if not results
                        else both("Do the touch test again"),
                        action=self._start_touch_test)
        return column(start, head, *lines, spacing=u.mm(3))

    def _start_touch_test(self) -> None:
        self._close_touch_test()
        self.touch_test = TouchTest(self)
        self.app.root_layer.add_widget(self.touch_test)
        self.app.input.capture = self._touch_key
        self.app.speak(self.touch_test.label.logical)

    def _touch_key(self, _code: int) -> bool:
        self._close_touch_test()
        self.app.speak(self._t("The touch test was stopped."))
        return True

    def _close_touch_test(self) -> None:
        if self.touch_test is not None:
            if self.touch_test.parent is not None:
                self.touch_test.parent.remove_widget(self.touch_test)
            self.touch_test = None
            if self.app.input.capture == self._touch_key:
                self.app.input.capture = None

    def touch_finished(self, results: list[dict[str, Any]]) -> None:
        self._close_touch_test()
        self.setup.touch_results(results)
        self.sample_report = None  # what was just found, not a sample's
        self.refresh()
        missed = sum(1 for r in results if not r["hit"])
        self.app.speak(self._t("{missed} of {count} targets missed.", missed=missed,
                               count=len(results)))

    # -- keypad ------------------------------------------------------------------------------

    def _build_keypad(self) -> Widget:
        u = ui().units
        k = self.keypad
        keys = dict(self.setup.key_map())
        for a, code in (k.get("remapped") or {}).items():  # saved already; a sample's too
            if code not in keys[a]:
                keys[a] = (code, *keys[a])
        lines: list[Widget] = []
        for action in KEYPAD_ORDER:
            got = k.get("arrived", {}).get(action)
            name = self._t(KEYPAD_NAMES[action])
            if got is None:
                state = self._t("not pressed yet")
            elif got in keys[action]:
                state = self._t("key {code} arrived: works", code=got)
            else:
                state = self._t("key {code} arrived, which is not {key}", code=got, key=name)
            codes = ", ".join(str(c) for c in keys[action])
            lines.append(KText(logical=f"{name}: {state} ({self._t('codes')} {codes})"))
        widgets: list[Widget] = []
        asking = k.get("asking")
        if k.get("listening") and asking:
            widgets.append(KText(logical=self._t("Press {key} on the keypad.",
                                                 key=self._t(KEYPAD_NAMES[asking])),
                                 role="title", bold=True))
            widgets.append(KButton(kiosk_id="setup.keypad_stop",
                                   label=both("Stop the keypad test"),
                                   action=self._stop_keypad))
        elif k.get("mismatch"):
            action, code = k["mismatch"]
            key = self._t(KEYPAD_NAMES[action])
            widgets.append(self._text("Key {code} arrived when {key} was asked for.", bold=True,
                                      code=code, key=key))
            widgets.append(KButton(
                kiosk_id="setup.remap",
                label={lang: _("Make key {code} do {key}", lang).format(
                    code=code, key=_(KEYPAD_NAMES[action], lang)) for lang in ("ar", "en")},
                action=self._remap))
            widgets.append(KButton(kiosk_id="setup.keypad_retry", label=both("Try again"),
                                   action=lambda: self._listen(action)))
            widgets.append(KButton(kiosk_id="setup.keypad_next_key",
                                   label=both("Go on to the next key"),
                                   action=lambda: self._listen_after(action)))
        else:
            if k.get("remapped"):
                widgets.append(self._text("Saved: {what}.", bold=True, what=", ".join(
                    self._t("{key} is key {code}", key=self._t(KEYPAD_NAMES[a]), code=c)
                    for a, c in k["remapped"].items())))
            done = bool(k.get("arrived"))
            widgets.append(KButton(kiosk_id="setup.keypad_start",
                                   label=both("Do the keypad test again") if done
                                   else both("Start the keypad test"),
                                   action=lambda: self._listen(KEYPAD_ORDER[0], fresh=True)))
        return column(*widgets, *lines, spacing=u.mm(3))

    def _listen(self, action: str, fresh: bool = False) -> None:
        if fresh:
            self.keypad["arrived"] = {}
        self.keypad.update(listening=True, asking=action, mismatch=None)
        self.app.input.capture = self._key_arrived
        self.refresh()
        self.app.focus.id = None
        self.app.speak(self._t("Press {key} on the keypad.", key=self._t(KEYPAD_NAMES[action])))

    def _listen_after(self, action: str) -> None:
        i = KEYPAD_ORDER.index(action)
        if i + 1 < len(KEYPAD_ORDER):
            self._listen(KEYPAD_ORDER[i + 1])
        else:
            self._stop_keypad()

    def _key_arrived(self, code: int) -> bool:
        k = self.keypad
        action = k.get("asking")
        if not k.get("listening") or action is None:
            return False
        k.setdefault("arrived", {})[action] = code
        if code in self.setup.key_map()[action]:
            i = KEYPAD_ORDER.index(action)
            if i + 1 < len(KEYPAD_ORDER):
                nxt = KEYPAD_ORDER[i + 1]
                k["asking"] = nxt
                self.refresh()
                self.app.speak(self._t("{key} works.", key=self._t(KEYPAD_NAMES[action])) + " "
                               + self._t("Press {key} on the keypad.",
                                         key=self._t(KEYPAD_NAMES[nxt])))
            else:
                self._stop_keypad()
            return True
        self._stop_capture()
        k.update(listening=False, mismatch=(action, code))
        self.refresh()
        self.app.speak(self._t("Key {code} arrived when {key} was asked for.", code=code,
                               key=self._t(KEYPAD_NAMES[action])))
        return True

    def _remap(self) -> None:
        action, code = self.keypad["mismatch"]
        self.setup.remap(action, code)
        self.keypad.setdefault("remapped", {})[action] = code
        self.app.input.keys = self.setup.key_map()
        self.app.speak(self._t("Saved: {what}.", what=self._t(
            "{key} is key {code}", key=self._t(KEYPAD_NAMES[action]), code=code)))
        self._listen_after(action)

    def _stop_keypad(self) -> None:
        self._stop_capture()
        self.keypad.update(listening=False, asking=None, mismatch=None)
        arrived = self.keypad.get("arrived", {})
        keys = self.setup.key_map()
        works = [a for a, c in arrived.items() if c in keys[a]]
        self.setup.record("keypad", tested=len(arrived), working=works)
        self.refresh()
        self.app.speak(self._t("The keypad test ended: {n} of {count} keys work.",
                               n=len(works), count=len(KEYPAD_ORDER)))

    def _stop_capture(self) -> None:
        if self.app.input.capture == self._key_arrived:
            self.app.input.capture = None
        self.keypad["listening"] = False

    # -- sound -------------------------------------------------------------------------------

    def _build_sound(self) -> Widget:
        u = ui().units
        heard = self.report().get("sound", {}).get("heard", {})
        blocks: list[Widget] = []
        for lang, name in (("ar", "Arabic voice"), ("en", "English voice")):
            answer = heard.get(lang)
            state = (self._t("Not done yet") if answer is None else
                     self._t(MESSAGES["heard_yes" if answer else "heard_no"]))
            blocks.append(KButton(kiosk_id=f"setup.say_{lang}",
                                  label={lg: _("{voice}: say the test sentence", lg).format(
                                      voice=_(name, lg)) for lg in ("ar", "en")},
                                  state_text={lg: state if lg == ui().lang else (
                                      _("Not done yet", lg) if answer is None else
                                      _(MESSAGES["heard_yes" if answer else "heard_no"], lg))
                                      for lg in ("ar", "en")},
                                  action=lambda lang=lang: self._say_test(lang)))
            # The answer given is written out on its button, not shown by colour alone.
            yes = KButton(kiosk_id=f"setup.heard_{lang}_yes", label=both("I heard it"),
                          selected=answer is True,
                          state_text=both("Selected") if answer is True else {},
                          action=lambda lang=lang: self._heard(lang, True))
            no = KButton(kiosk_id=f"setup.heard_{lang}_no", label=both("I did not hear it"),
                         selected=answer is False,
                         state_text=both("Selected") if answer is False else {},
                         action=lambda lang=lang: self._heard(lang, False))
            blocks.append(row(yes, no))
        return column(*blocks, spacing=u.mm(4))

    def _say_test(self, lang: str) -> None:
        text = _(TEST_SENTENCE, lang)
        app = self.app
        # Said whether or not the visitor's speech is on: testing the voice is the point.
        app.captions.record(text, lang)
        app.captions.show(text)
        if app.speech is not None:
            app.speech.say(text, lang)

    def _heard(self, lang: str, answer: bool) -> None:
        self.setup.heard(lang, answer)
        self.sample_report = None  # what was just answered, not a sample's
        self.refresh()
        self.app.focus.by_id(f"setup.heard_{lang}_{'yes' if answer else 'no'}", announce=False)
        self.app.speak(self._t("Answer saved."))

    # -- network -----------------------------------------------------------------------------

    def _build_network(self) -> Widget:
        u = ui().units
        width = self.app.window_width() - u.mm(14)
        kb = Keyboard(width=width, text=self.net["url"], layout="en",
                      label=self._t("Central's address"),
                      on_change=lambda t: self.net.__setitem__("url", t),
                      on_done=self._check_network, speak=self.app.speak,
                      done_label="Check", max_length=300)
        lines: list[Widget] = []
        for check in self.net["checks"]:
            verdict = self._t("passed") if check.ok else self._t("failed")
            lines.append(KText(logical=f"{check.label(ui().lang)}: {verdict}. "
                                       f"{check.text(ui().lang)}", bold=not check.ok))
        if self.net["running"]:
            lines.append(self._text("Checking..."))
        clear = KButton(kiosk_id="setup.clear_url", label=both("Clear the address"),
                        action=self._clear_url)
        return column(kb, clear, *lines, spacing=u.mm(3))

    def _clear_url(self) -> None:
        self.net.update(url="", checks=[])
        self.refresh()
        self.app.speak(self._t("Nothing typed yet."))

    def _check_network(self, url: str) -> None:
        if self.net["running"]:
            return
        self.net.update(url=url, checks=[], running=True)
        self.refresh()
        self.app.speak(self._t("Checking..."))

        def step_done(check) -> None:
            Clock.schedule_once(lambda _dt: self._net_progress(check))

        def work() -> None:
            try:
                checks = self.setup.check_network(url, on_check=step_done)
            except Exception:  # noqa: BLE001 - shown as a failed check
                log.exception("the network check failed")
                checks = []
            Clock.schedule_once(lambda _dt: self._net_done(checks))
        threading.Thread(target=work, name="setup-netcheck", daemon=True).start()

    def _net_progress(self, check) -> None:
        if check not in self.net["checks"]:
            self.net["checks"].append(check)
        if self.step == "network":
            self.refresh()

    def _net_done(self, checks) -> None:
        self.net.update(checks=list(checks), running=False)
        if self.step == "network":
            self.refresh()
        failed = next((c for c in checks if not c.ok), None)
        lang = self.app.session.lang
        self.app.speak(failed.text(lang) if failed is not None else
                       self._t("Every check passed: central can be reached."))

    # -- provisioning ------------------------------------------------------------------------

    def _build_provision(self) -> Widget:
        u = ui().units
        p = self.prov
        url = self.net["url"] or self.setup.central_url()
        widgets: list[Widget] = [self._text("Central: {url}", bold=True,
                                            url=url or self._t("not typed yet"))]
        if not url:
            widgets.append(KButton(kiosk_id="setup.to_network",
                                   label=both("Type central's address first"),
                                   action=lambda: self.go_step("network")))
        else:
            width = self.app.window_width() - u.mm(14)
            widgets.append(Keyboard(width=width, text=p["code"], layout="en",
                                    label=self._t("One-time code"),
                                    on_change=lambda t: p.__setitem__("code", t),
                                    on_done=self._enrol, speak=self.app.speak,
                                    done_label="Enrol", max_length=64))
        bar = SyncBar()
        self.live["bar"] = bar
        counts = KText(logical="")
        self.live["counts"] = counts
        if p["progress"] is not None:
            widgets += [bar, counts]
            self._show_progress()
        widgets += [KText(logical=line, bold=True) for line in p["lines"]]
        return column(*widgets, spacing=u.mm(3))

    def _show_progress(self) -> None:
        pr = self.prov["progress"]
        bar, counts = self.live.get("bar"), self.live.get("counts")
        if pr is None or bar is None or counts is None:
            return
        items = pr.records_total + pr.images_total
        fraction = 1.0 if pr.finished else (
            (pr.records_done + pr.images_done) / items if items else 0.0)
        bar.set(fraction)
        counts.logical = self._t(
            "{percent} %: records {r} of {rt}, images {i} of {it}, {bytes} bytes received.",
            percent=round(fraction * 100), r=pr.records_done, rt=pr.records_total,
            i=pr.images_done, it=pr.images_total, bytes=f"{pr.bytes_received:,}")

    def _enrol(self, code: str) -> None:
        p = self.prov
        if p["running"]:
            return
        url = self.net["url"] or self.setup.central_url()
        p.update(code=code, lines=[self._t("Enrolling...")], running=True, progress=None)
        self.refresh()
        self.app.speak(self._t("Enrolling..."))
        lang = self.app.session.lang

        def later(fn, *a) -> None:
            Clock.schedule_once(lambda _dt: fn(*a))

        def work() -> None:
            lines: list[str] = []
            try:
                device_id = self.setup.enrol(url, code)
                lines.append(_("Enrolled as {device}.", lang).format(device=device_id))
                later(self._prov_lines, list(lines), True)
                version = self.setup.first_sync(
                    counts=lambda pr: later(self._prov_counts, pr))
                lines.append(_("Content version {version} is active.", lang).format(
                    version=version))
                later(self._prov_lines, list(lines), True)
                sub = self.setup.test_submission(lang)
                lines.append(_("Test submission {id} sent: staff see it marked as a test.",
                               lang).format(id=sub.id))
            except SetupFailed as e:
                from kiosk.services.setup import MESSAGES as SETUP_MESSAGES

                lines.append(_(SETUP_MESSAGES[e.message], lang).format(**e.params))
            except Exception as e:  # noqa: BLE001 - said, and logged for the technician
                log.exception("enrolment from the setup wizard failed")
                lines.append(_("Enrolment failed: {reason}", lang).format(reason=str(e)))
            later(self._prov_lines, lines, False)
        threading.Thread(target=work, name="setup-enrol", daemon=True).start()

    def _prov_counts(self, progress) -> None:
        self.prov["progress"] = progress
        if self.step == "provision":
            if self.live.get("counts") is not None and self.live["counts"].parent is not None:
                self._show_progress()
            else:
                self.refresh()

    def _prov_lines(self, lines: list[str], running: bool) -> None:
        self.prov.update(lines=lines, running=running)
        if self.step == "provision":
            self.refresh()
        if lines:
            self.app.speak(lines[-1])

    # -- summary -----------------------------------------------------------------------------

    def _build_summary(self) -> Widget:
        u = ui().units
        rep = self.report()
        config = self.app.device.config
        lines: list[tuple[str, str]] = []

        def state(step: str, text: str) -> str:
            if step in self.skipped and step not in rep:
                return self._t(MESSAGES["skipped"])
            return text if step in rep else self._t(MESSAGES["not_done"])

        lines.append(("screen", state("screen", self._t(
            "{orientation}, {ppm} pixels per millimetre.",
            orientation=self._t(ORIENTATIONS[config.orientation]),
            ppm=f"{config.px_per_mm:g}"))))
        touch = rep.get("touch", {})
        lines.append(("touch", state("touch", self._t(
            "{missed} of {count} targets missed.", missed=touch.get("missed", 0),
            count=len(touch.get("targets") or [])))))
        keys = rep.get("keypad", {})
        remapped = keys.get("remapped") or {}
        lines.append(("keypad", state("keypad", self._t(
            "{n} of {count} keys work.", n=len(keys.get("working") or []),
            count=len(KEYPAD_ORDER)) + (" " + self._t("Saved: {what}.", what=", ".join(
                self._t("{key} is key {code}", key=self._t(KEYPAD_NAMES[a]), code=c)
                for a, c in remapped.items())) if remapped else ""))))
        heard = rep.get("sound", {}).get("heard", {})
        lines.append(("sound", state("sound", ", ".join(
            f"{self._t(name)}: {self._t(MESSAGES['heard_yes' if heard[lg] else 'heard_no'])}"
            for lg, name in (("ar", "Arabic voice"), ("en", "English voice")) if lg in heard)
            or self._t(MESSAGES["not_done"]))))
        net = rep.get("network", {})
        lines.append(("network", state("network", self._t(
            "{url}: every check passed.", url=net.get("url", "")) if net.get("ok") else
            self._t("{url}: a check failed.", url=net.get("url", "")))))
        prov = rep.get("provision", {})
        lines.append(("provision", state("provision", self._t(
            "Enrolled as {device}; content version {version}; test submission {sent}.",
            device=prov.get("device_id", "-"), version=prov.get("content_version", "-"),
            sent=self._t("sent") if prov.get("test_submission_sent") else self._t(
                "not sent")))))
        widgets: list[Widget] = []
        for step, text in lines:
            widgets.append(KButton(
                kiosk_id=f"setup.again_{step}", align="start",
                label={lg: _(STEP_TITLES[step], lg) for lg in ("ar", "en")},
                state_text={ui().lang: text, **{lg: text for lg in ("ar", "en")}},
                action=lambda step=step: self.go_step(step)))
        return column(*widgets, spacing=u.mm(3))

    def _finish(self) -> None:
        self.app.speak(self._t("Setup finished."))
        self.app.idle.end_session()


__all__ = ["SetupScreen", "STEPS"]
