"""`kiosk walk SCRIPT.json --out DIR`: drives the real visitor UI through a JSON list of steps
(real touches through the window's touch pipeline, keypad keys, typing on the on-screen keyboard,
expectations, screenshots), as a technician's or an acceptance check's script (CONTRACT.md).

The driver never sleeps for a fixed time: every step runs from a Clock callback, and the next
one starts when the screen has settled (no transition running, the layout unchanged for two
frames). Time in a walk is the app's own clock plus whatever the script skipped with
``{"wait": s}``: a wait moves the Kivy clock and the visitor session's idle clock forward at
once, so a 95 s wait takes a few frames and the idle warning shows as it would after 95 s.
Holds and slides take their real duration, since a finger's timing is what they test."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import CommandError

KEY_NAMES = ("up", "down", "action", "help", "back", "next", "vol_up", "vol_down", "lang",
             "repeat", "pause")
ACTION_STEPS = ("tap", "hold", "slide", "key", "type", "wait")
EXPECT_STEPS = ("expect_screen", "expect_text", "expect_spoken")
STEP_KINDS = (*ACTION_STEPS, *EXPECT_STEPS, "shot")
SLIDE_DWELL_S = 0.3  # "slide to read" reads what is under a finger for more than 250 ms
MAX_HOLD_S = 60.0
MAX_WAIT_S = 24 * 3600.0
SETTLE_MAX_FRAMES = 240


class WalkScriptError(ValueError):
    """The script itself is wrong (not JSON, an unknown step): says which step and why."""


class StepFailed(Exception):
    """A step could not be done or an expectation was not met; the text says what was seen."""


def step_text(step: dict[str, Any]) -> str:
    return json.dumps(step, ensure_ascii=False)


def load_script(path: Path) -> list[dict[str, Any]]:
    """Read and check a walk script before any window opens."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise WalkScriptError(f"can not read the walk script {path}: {e.strerror or e}") from None
    try:
        steps = json.loads(raw)
    except json.JSONDecodeError as e:
        raise WalkScriptError(f"{path} is not valid JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(steps, list):
        raise WalkScriptError(f"{path} should hold a JSON list of steps, e.g. "
                              '[{"tap": "lang.en"}, {"expect_screen": "home"}]')
    for n, step in enumerate(steps, 1):
        check_step(n, step)
    return steps


def check_step(n: int, step: Any) -> None:
    def bad(why: str) -> WalkScriptError:
        shown = step_text(step) if isinstance(step, dict) else repr(step)
        return WalkScriptError(f"step {n} {shown}: {why}")

    if not isinstance(step, dict):
        raise bad("each step is a JSON object such as {\"tap\": \"nav.home\"}")
    kinds = [k for k in step if k in STEP_KINDS]
    if len(kinds) != 1:
        raise bad(f"a step has exactly one of {', '.join(STEP_KINDS)}")
    kind = kinds[0]
    extra = set(step) - {kind} - ({"s"} if kind == "hold" else set())
    if extra:
        raise bad(f"unknown key(s) {', '.join(sorted(extra))}")
    value = step[kind]
    if kind in ("tap", "hold", "expect_screen", "expect_text", "expect_spoken", "type"):
        if not isinstance(value, str) or (kind != "type" and not value):
            raise bad(f"{kind} takes a non-empty string")
    if kind == "hold":
        s = step.get("s", 1.0)
        if not isinstance(s, int | float) or isinstance(s, bool) or not 0 < s <= MAX_HOLD_S:
            raise bad(f"s is the hold's length in seconds, more than 0 and at most {MAX_HOLD_S:g}")
    elif kind == "slide":
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v for v in value)):
            raise bad("slide takes a list of control ids, e.g. [\"home.faq\", \"home.news\"]")
    elif kind == "key":
        if value not in KEY_NAMES:
            raise bad(f"key is one of {', '.join(KEY_NAMES)}")
    elif kind == "wait":
        if not isinstance(value, int | float) or isinstance(value, bool) or \
                not 0 <= value <= MAX_WAIT_S:
            raise bad("wait takes a number of seconds (0 or more)")
    elif kind == "shot":
        name = value[:-4] if isinstance(value, str) and value.endswith(".png") else value
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or \
                name.startswith("."):
            raise bad("shot takes a file name without a folder, e.g. \"home\" (written as "
                      "DIR/home.png)")


# -- settling: wait for conditions, never for a fixed time ---------------------------------------

def geometry_signature(root) -> tuple:
    """Every widget's place and size: when it stops changing, the layout has settled."""
    return tuple((id(w), round(w.x, 1), round(w.y, 1), round(w.width, 1), round(w.height, 1))
                 for w in root.walk(restrict=True))


def when_settled(app, then: Callable[[], None], min_stable: int = 2,
                 max_frames: int = SETTLE_MAX_FRAMES) -> None:
    """Call ``then`` once no screen transition runs and the layout has been the same for
    ``min_stable`` frames in a row (or after ``max_frames``, for screens that animate)."""
    from kivy.clock import Clock

    state: dict[str, Any] = {"frames": 0, "sig": None, "stable": 0}

    def frame(_dt: float) -> None:
        state["frames"] += 1
        transition = getattr(app.sm, "transition", None)
        busy = bool(transition is not None and transition.is_active)
        sig = geometry_signature(app.root_layer)
        state["stable"] = state["stable"] + 1 if (not busy and sig == state["sig"]) else 0
        state["sig"] = sig
        if state["stable"] >= min_stable or state["frames"] >= max_frames:
            then()
        else:
            Clock.schedule_once(frame, 0)

    Clock.schedule_once(frame, 0)


def after_next_draw(then: Callable[[], None]) -> None:
    """Call ``then`` right after the next frame is drawn, before the buffers are swapped, so a
    screenshot holds exactly that frame."""
    from kivy.core.window import Window

    def on_flip(*_a) -> None:
        Window.unbind(on_flip=on_flip)
        then()

    Window.bind(on_flip=on_flip)
    Window.canvas.ask_update()


# -- what is on screen --------------------------------------------------------------------------

def window_rect(w) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, float(w.width), float(w.height)


def scroll_views_of(w) -> list:
    from kivy.uix.scrollview import ScrollView

    out, p, seen = [], w.parent, set()
    while p is not None and id(p) not in seen:  # the Window is its own parent
        seen.add(id(p))
        if isinstance(p, ScrollView):
            out.append(p)
        p = p.parent
    return out


def visible_rect(w) -> tuple[float, float, float, float] | None:
    """The part of ``w`` a visitor can see: its window rectangle clipped by every scroll area
    around it and by the window; None when nothing of it shows."""
    from kivy.core.window import Window

    x, y, wd, ht = window_rect(w)
    x1, y1, x2, y2 = x, y, x + wd, y + ht
    clips = [(0.0, 0.0, float(Window.width), float(Window.height))]
    for sv in scroll_views_of(w):
        sx, sy = sv.to_window(sv.x, sv.y)
        clips.append((sx, sy, sx + sv.width, sy + sv.height))
    for cx1, cy1, cx2, cy2 in clips:
        x1, y1, x2, y2 = max(x1, cx1), max(y1, cy1), min(x2, cx2), min(y2, cy2)
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    return x1, y1, x2 - x1, y2 - y1


def layer(app):
    """What the visitor sees and touches: the open overlay, or the current screen."""
    return app.overlay if app.overlay is not None else app.current


def buttons_on(app) -> list:
    from screens.widgets.button import KButton

    return [w for w in layer(app).walk(restrict=True) if isinstance(w, KButton)]


def texts_on(app, visible_only: bool = True) -> list[str]:
    """Every text the visitor sees: the open overlay's, or the current screen's and the
    caption strip's (which an overlay covers)."""
    from screens.widgets.text import KText

    out = []
    roots = [layer(app)]
    caption = getattr(getattr(app, "captions", None), "label", None)
    if app.overlay is None and caption is not None:
        roots.append(caption)
    for root in roots:
        for w in root.walk(restrict=True):
            if isinstance(w, KText) and w.logical and w.opacity > 0:
                if not visible_only or visible_rect(w) is not None:
                    out.append(w.logical)
    return out


def describe_screen(app, limit: int = 6) -> str:
    texts = [" ".join(t.split()) for t in texts_on(app)]
    shown = ", ".join(repr(t if len(t) <= 50 else t[:47] + "...") for t in texts[:limit])
    more = f" and {len(texts) - limit} more" if len(texts) > limit else ""
    overlay = f" with the {app.overlay.kind} overlay open" if app.overlay is not None else ""
    return f"screen '{app.sm.current}'{overlay}; visible: {shown or 'no text'}{more}"


# -- the walk ------------------------------------------------------------------------------------

@dataclass
class WalkResult:
    steps_done: int = 0
    failure: str | None = None
    shots: list[str] = field(default_factory=list)


class Walker:
    """Runs the steps inside the app's event loop, one Clock callback after another."""

    def __init__(self, app, steps: list[dict[str, Any]], out: Path, now: Callable[[], float],
                 skip: Callable[[float], None]):
        self.app = app
        self.steps = steps
        self.out = out
        self.now = now
        self.skip = skip
        self.result = WalkResult()
        self.index = 0
        self.heard: list[tuple[float, str, str]] = []  # since the last action step
        self._last_spoken: Any = None
        self.finished = False
        self._started = time.time()
        self._walk_log = (out / "walk.log").open("w", encoding="utf-8")
        self._speech_log = (out / "speech.log").open("w", encoding="utf-8")

    # -- speech: whatever the app's speak hook recorded ---------------------------------------

    def collect_speech(self) -> None:
        spoken = self.app.captions.spoken
        start = 0
        if self._last_spoken is not None:
            for i in range(len(spoken) - 1, -1, -1):
                if spoken[i] is self._last_spoken:
                    start = i + 1
                    break
            else:  # the record was trimmed or replaced: keep what is newer than the last seen
                start = next((i for i, e in enumerate(spoken)
                              if e[0] > self._last_spoken[0]), len(spoken))
        for entry in spoken[start:]:
            when, lang, text = entry[0], entry[1], entry[2]
            self.heard.append((when, lang, text))
            self._speech_log.write(json.dumps(
                {"time": round(when, 3), "walk_s": round(when - self._started, 3), "lang": lang,
                 "text": text}, ensure_ascii=False) + "\n")
            self._speech_log.flush()
        if spoken:
            self._last_spoken = spoken[-1]

    def _hooked_speak(self, original):
        def speak(text: str, lang: str | None = None, *a, **kw):
            result = original(text, lang, *a, **kw)
            self.collect_speech()
            return result
        return speak

    # -- running --------------------------------------------------------------------------------

    def start(self) -> None:
        self.app.speak = self._hooked_speak(self.app.speak)
        self.collect_speech()  # the attract screen's own words belong to the first step
        when_settled(self.app, self.run_next)

    def run_next(self) -> None:
        if self.finished:
            return
        if self.index >= len(self.steps):
            self.finish()
            return
        step = self.steps[self.index]
        kind = next(k for k in step if k in STEP_KINDS)
        if kind in ACTION_STEPS:
            self.collect_speech()
            self.heard = []
        try:
            getattr(self, f"do_{kind}")(step)
        except StepFailed as e:
            self.fail(step, str(e))
        except Exception as e:  # the app itself raised: the walk reports it as this step's
            self.fail(step, f"{type(e).__name__}: {e}")

    def done(self, step: dict[str, Any], seen: str) -> None:
        """A step finished: log it and go on once the screen has settled."""
        self.collect_speech()
        self._log(step, True, seen)
        self.result.steps_done += 1
        self.index += 1
        when_settled(self.app, self.run_next)

    def settled_then(self, step: dict[str, Any], seen: Callable[[], str]) -> None:
        """Wait for the screen to settle, then record the step with what it shows."""
        def after() -> None:
            if self.finished:
                return
            self.collect_speech()
            self._log(step, True, seen())
            self.result.steps_done += 1
            self.index += 1
            self.run_next()
        when_settled(self.app, after)

    def fail(self, step: dict[str, Any], why: str) -> None:
        if self.finished:
            return
        self.collect_speech()
        msg = f"walk step {self.index + 1} {step_text(step)} failed: {why}"
        self._log(step, False, why)
        self.result.failure = msg
        self.finish()

    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self._walk_log.close()
        self._speech_log.close()
        self.app.stop()

    def _log(self, step: dict[str, Any], ok: bool, seen: str) -> None:
        app = self.app
        self._walk_log.write(json.dumps({
            "step": self.index + 1, "do": step, "ok": ok, "screen": app.sm.current,
            "overlay": app.overlay.kind if app.overlay is not None else None,
            "seen": seen, "t": round(time.time() - self._started, 3)},
            ensure_ascii=False) + "\n")
        self._walk_log.flush()

    def _here(self) -> str:
        return describe_screen(self.app)

    # -- finding controls -----------------------------------------------------------------------

    def control(self, kiosk_id: str):
        """The control a finger can reach now; brought into view when it is scrolled away
        (as the keypad's focus does). Fails with what is there instead."""
        app = self.app
        mine = [b for b in buttons_on(app) if b.kiosk_id == kiosk_id]
        if not mine:
            if app.overlay is not None and app.current.find(kiosk_id) is not None:
                raise StepFailed(f"'{kiosk_id}' is covered by the {app.overlay.kind} overlay; "
                                 f"close it first; {self._here()}")
            ids = sorted({b.kiosk_id for b in buttons_on(app)})
            raise StepFailed(f"no control '{kiosk_id}' on {self._here()}; controls: "
                             f"{', '.join(ids) or 'none'}")
        # A disabled control is there to touch like any other: it says it is unavailable.
        return mine[0]

    def bring_into_view(self, button, then: Callable[[], None]) -> None:
        rect = visible_rect(button)
        _x, _y, w, h = window_rect(button)
        if rect is not None and rect[2] >= w - 1 and rect[3] >= h - 1:
            then()
            return
        views = scroll_views_of(button)
        if not views:
            raise StepFailed(f"'{button.kiosk_id}' is outside the window on {self._here()}")
        views[0].scroll_to(button, padding=self.app.units.gap, animate=False)

        def check() -> None:
            if visible_rect(button) is None:
                self.fail(self.steps[self.index], f"'{button.kiosk_id}' can not be scrolled "
                                                  f"into view on {self._here()}")
            else:
                then()
        when_settled(self.app, check)

    @staticmethod
    def centre(button) -> tuple[float, float]:
        rect = visible_rect(button)
        x, y, w, h = rect if rect is not None else window_rect(button)
        return x + w / 2, y + h / 2

    # -- actions --------------------------------------------------------------------------------

    def do_tap(self, step: dict[str, Any]) -> None:
        button = self.control(step["tap"])

        def tap() -> None:
            from kivy.tests.common import UnitTestTouch

            touch = UnitTestTouch(*self.centre(button))
            touch.touch_down()
            touch.touch_up()
            self.settled_then(step, self._here)
        self.bring_into_view(button, self._guard(step, tap))

    def do_hold(self, step: dict[str, Any]) -> None:
        from kivy.clock import Clock

        button = self.control(step["hold"])
        seconds = float(step.get("s", 1.0))

        def down() -> None:
            from kivy.tests.common import UnitTestTouch

            touch = UnitTestTouch(*self.centre(button))
            touch.touch_down()

            def up(_dt: float) -> None:
                touch.touch_up()
                self.settled_then(step, self._here)
            Clock.schedule_once(self._guard_dt(step, up), seconds)
        self.bring_into_view(button, self._guard(step, down))

    def do_slide(self, step: dict[str, Any]) -> None:
        from kivy.clock import Clock
        from kivy.tests.common import UnitTestTouch

        buttons = [self.control(i) for i in step["slide"]]  # all there before touching
        finger = list(self.centre(buttons[0]))
        touch = UnitTestTouch(*finger)
        touch.touch_down()

        def move_to(x: float, y: float, steps: int = 4) -> None:
            x0, y0 = finger
            for k in range(1, steps + 1):  # a finger's path, not a jump
                finger[:] = [x0 + (x - x0) * k / steps, y0 + (y - y0) * k / steps]
                touch.touch_move(*finger)

        def nudge(_dt: float) -> None:
            # Still on the first control, the finger starts to slide: a few millimetres
            # towards the next one, or sideways inside it when it is the only one.
            first = buttons[0]
            x, y, w, h = window_rect(first)
            if len(buttons) > 1:
                nx, ny = self.centre(buttons[1])
                dx, dy = nx - finger[0], ny - finger[1]
                dist = max(1.0, (dx * dx + dy * dy) ** 0.5)
                reach = min(self.app.units.mm(6), 0.4 * min(w, h), dist / 3)
                move_to(finger[0] + dx / dist * reach, finger[1] + dy / dist * reach, 2)
            else:
                move_to(finger[0] + min(self.app.units.mm(6), 0.4 * w), finger[1], 2)
            Clock.schedule_once(self._guard_dt(step, go_to(1)), SLIDE_DWELL_S)

        def go_to(i: int) -> Callable[[float], None]:
            def move(_dt: float) -> None:
                if i >= len(buttons):
                    touch.touch_up()
                    self.settled_then(step, self._here)
                    return
                # Where the control is now: speech starting may have moved the layout.
                move_to(*self.centre(buttons[i]))
                Clock.schedule_once(self._guard_dt(step, go_to(i + 1)), SLIDE_DWELL_S)
            return move
        Clock.schedule_once(self._guard_dt(step, nudge), SLIDE_DWELL_S)

    def do_key(self, step: dict[str, Any]) -> None:
        from kivy.core.window import Window

        name = step["key"]
        codes = self.app.input.keys.get(name) or ()
        if not codes:
            raise StepFailed(f"the key '{name}' is not mapped to any key code on this kiosk")
        code = codes[0]
        Window.dispatch("on_key_down", code, 0, None, [])
        Window.dispatch("on_key_up", code, 0)
        self.settled_then(step, self._here)

    def do_type(self, step: dict[str, Any]) -> None:
        text = step["type"]
        if not any(b.kiosk_id.startswith("key.") for b in buttons_on(self.app)):
            raise StepFailed(f"the screen has no on-screen keyboard to type {text!r} on; "
                             f"{self._here()}")
        chars = list(text)

        def key_id(ch: str) -> str:
            return "key.space" if ch == " " else f"key.{ch}"

        def find_key(ch: str):
            for cand in dict.fromkeys((key_id(ch), key_id(ch.lower()), key_id(ch.upper()))):
                for b in buttons_on(self.app):
                    if b.kiosk_id == cand and not b.disabled:
                        return b
            return None

        def type_next(i: int, layout_switches: int = 0) -> None:
            if i >= len(chars):
                self.settled_then(step, lambda: f"typed {text!r}; {self._here()}")
                return
            button = find_key(chars[i])
            if button is None:
                switch = next((b for b in buttons_on(self.app) if b.kiosk_id == "key.layout"),
                              None)
                if switch is None or layout_switches >= 4:
                    raise StepFailed(f"the on-screen keyboard has no key for {chars[i]!r} "
                                     f"(looked for '{key_id(chars[i])}' in every layout); "
                                     f"typed {''.join(chars[:i])!r} so far")
                self._tap_then(switch, lambda: type_next(i, layout_switches + 1))
                return
            self._tap_then(button, lambda: type_next(i + 1))
        type_next(0)

    def _tap_then(self, button, then: Callable[[], None]) -> None:
        step = self.steps[self.index]

        def tap() -> None:
            from kivy.tests.common import UnitTestTouch

            touch = UnitTestTouch(*self.centre(button))
            touch.touch_down()
            touch.touch_up()
            when_settled(self.app, self._guard(step, then))
        self.bring_into_view(button, self._guard(step, tap))

    def do_wait(self, step: dict[str, Any]) -> None:
        self.skip(float(step["wait"]))
        self.settled_then(step, lambda: f"{step['wait']:g} s later; {self._here()}")

    # -- expectations ---------------------------------------------------------------------------

    def do_expect_screen(self, step: dict[str, Any]) -> None:
        want = step["expect_screen"]
        if self.app.sm.current != want:
            raise StepFailed(f"expected screen '{want}' but the {self._here()}")
        if self.app.overlay is not None:
            raise StepFailed(f"screen '{want}' is covered by the {self.app.overlay.kind} "
                             f"overlay; {self._here()}")
        self.done(step, self._here())

    def do_expect_text(self, step: dict[str, Any]) -> None:
        want = step["expect_text"]
        if any(want in t for t in texts_on(self.app)):
            self.done(step, f"{want!r} on {self._here()}")
            return
        if any(want in t for t in texts_on(self.app, visible_only=False)):
            raise StepFailed(f"{want!r} is on the screen but scrolled out of view (add "
                             f"{{\"tap\": \"scroll.down\"}}); {self._here()}")
        raise StepFailed(f"no visible text contains {want!r}; {self._here()}")

    def do_expect_spoken(self, step: dict[str, Any]) -> None:
        want = step["expect_spoken"]
        self.collect_speech()
        if any(want in text for _w, _l, text in self.heard):
            self.done(step, f"heard {want!r}")
            return
        if not self.heard:
            why = "nothing was spoken since the last action"
            if not self.app.session.speech:
                why += " (speech is off; tap nav.speak or press a keypad key to turn it on)"
        else:
            said = "; ".join(repr(t) for _w, _l, t in self.heard[-4:])
            why = f"{want!r} was not spoken; heard: {said}"
        raise StepFailed(f"{why}; {self._here()}")

    def do_shot(self, step: dict[str, Any]) -> None:
        from kivy.core.window import Window

        name = step["shot"][:-4] if step["shot"].endswith(".png") else step["shot"]
        target = self.out / f"{name}.png"

        def shoot() -> None:
            try:
                tmp = Path(tempfile.mkdtemp(prefix=".shot-", dir=self.out))
                try:
                    # Window.screenshot numbers its files (x0001.png): a private folder, then
                    # the one file it made moves to exactly DIR/NAME.png.
                    made = Window.screenshot(name=str(tmp / "shot.png"))
                    if not made:
                        raise StepFailed("the window could not be captured")
                    os.replace(made, target)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
            except OSError as e:
                self.fail(step, f"could not write {target}: {e.strerror or e}")
                return
            except StepFailed as e:
                self.fail(step, str(e))
                return
            self.result.shots.append(str(target))
            self.done(step, f"{target.name} of {self._here()}")
        after_next_draw(shoot)

    # -- errors inside Clock callbacks end the walk as this step's failure ---------------------

    def _guard(self, step: dict[str, Any], fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except StepFailed as e:
                self.fail(step, str(e))
            except Exception as e:
                self.fail(step, f"{type(e).__name__}: {e}")
        return run

    def _guard_dt(self, step: dict[str, Any], fn: Callable[[float], None]
                  ) -> Callable[[float], None]:
        def run(dt: float) -> None:
            self._guard(step, lambda: fn(dt))()
        return run


def run_walk(steps: list[dict[str, Any]], out: Path, size: tuple[int, int],
             quiet: bool = True, voice: bool = True,
             walker_cls: type[Walker] | None = None) -> WalkResult:
    """Start the app fresh on the attract screen with the site's defaults and walk. Needs a
    display; one walk per process (Kivy opens one window per process). ``walker_cls``: a
    Walker with more kinds of step (the keypad journeys' driver)."""
    from screens.runtime import configure_kivy

    configure_kivy(size, fullscreen=False, quiet=quiet)
    from kivy.clock import Clock

    from kiosk.device import KioskDevice
    from screens.app import KioskApp

    # One clock for the walk: Kivy's own plus the time the script skipped. Kivy reads it
    # through Clock.time; the visitor session's idle timer gets the same function.
    real_time = Clock.time
    skipped = [0.0]

    def now() -> float:
        return real_time() + skipped[0]

    def skip(seconds: float) -> None:
        skipped[0] += seconds

    Clock.time = now
    # The real voice, as `kiosk run` has it; what it says is recorded either way.
    app = KioskApp(device=KioskDevice(), start="attract", clock=now, voice=voice)
    walker = (walker_cls or Walker)(app, steps, out, now, skip)
    # Listening starts with the kiosk's voice: it starts just after the first frame.
    Clock.schedule_once(lambda _dt: app.when_ready(walker.start), 0)
    app.run()
    return walker.result


def cmd_walk(args: argparse.Namespace) -> int:
    from screens.runtime import DEFAULT_SIZE, size_arg
    from screens.xvfb import XvfbUnavailable, display_for

    try:
        steps = load_script(Path(args.script))
    except WalkScriptError as e:
        raise CommandError(str(e)) from None
    size = size_arg(args.size) or DEFAULT_SIZE
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CommandError(f"can not create the output folder {out}: {e.strerror or e}"
                           ) from None
    try:
        with display_for(size):
            result = run_walk(steps, out, size, quiet=not args.debug, voice=not args.silent)
    except XvfbUnavailable as e:
        raise CommandError(str(e)) from None
    finally:
        # Kivy takes sys.stderr over for its log; the one-line error belongs on the real one.
        sys.stderr = sys.__stderr__
    if result.failure:
        raise CommandError(result.failure)
    if result.steps_done != len(steps):
        raise CommandError(f"the walk stopped after {result.steps_done} of {len(steps)} steps "
                           f"(the app closed); see {out / 'walk.log'}")
    print(f"walk: {len(steps)} steps passed; {len(result.shots)} screenshot(s), walk.log and "
          f"speech.log in {out}")
    return 0


def add_walk_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("walk", help="drive the real UI through a JSON script of steps (starts "
                                    "Xvfb if there is no display)")
    p.add_argument("script", help="JSON list of steps, see CONTRACT.md")
    p.add_argument("--out", required=True, help="folder for NAME.png, speech.log and walk.log")
    p.add_argument("--size", help="window size WxH, default 1080x1920")
    p.add_argument("--silent", action="store_true",
                   help="do not start the kiosk's voice (speech.log still has every utterance)")
    p.set_defaults(func=cmd_walk)
