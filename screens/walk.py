"""`kiosk walk SCRIPT.json --out DIR`: drives the real visitor UI through a JSON list of steps
(real touches through the window's touch pipeline, keypad keys, typing on the on-screen keyboard,
expectations, screenshots), as a technician's or an acceptance check's script. The steps are
listed in docs/ACCESSIBILITY.md ("kiosk walk").

It is also the tests' one UI driver: `--screen` and the visitor options start the app elsewhere
than the attract screen, ``report`` steps and `--report FILE` write what is on screen as JSON.

The driver never sleeps for a fixed time: every step runs from a Clock callback, and the next
one starts when the screen has settled (no transition running, no short deferred callback of
the app still waiting, the layout unchanged for two frames); an expectation with ``within``
polls its condition every frame until a deadline. Time in a walk is the app's own clock plus
whatever the script skipped with ``{"wait": s}``: a wait moves the Kivy clock and the visitor
session's idle clock forward at once, so a 95 s wait takes a few frames and the idle warning
shows as it would after 95 s.
Holds and slides take their real duration, since a finger's timing is what they test.

With ``--connected`` the walk also runs the sync, upload and heartbeat loops, as `kiosk run`
does on a provisioned kiosk, so what central sends reaches the walk: expectations with
``within`` then wait for it, e.g. ``{"expect_screen": "attract", "within": 60}`` after a
clear_session, or ``{"expect_config": {"idle_timeout_s": 30}, "within": 60}`` until a device
config with those values has reached the app (it applies at the next visitor)."""

from __future__ import annotations

import argparse
import json
import operator
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
ACTION_STEPS = ("tap", "hold", "slide", "touch_path", "key", "chord", "keys_to", "type",
                "type_keys",
                "focus", "wait", "call", "stale", "install")
EXPECT_STEPS = ("expect_screen", "expect_text", "expect_spoken", "expect_sounded",
                "expect_config", "expect_video")
VIDEO_STATES = ("stopped", "playing", "paused", "ended")
STEP_KINDS = (*ACTION_STEPS, *EXPECT_STEPS, "shot", "report")
# What a visitor's controls or the idle timer ask of the app, for `call` steps: the name a
# script uses, and where the app does it.
CALLS = {"start_session": "start_session", "end_session": "idle.end_session",
         "next_text_scale": "prefs.next_text_scale", "next_theme": "prefs.next_theme",
         "toggle_lang": "prefs.toggle_lang", "toggle_speech": "prefs.toggle_speech",
         "home": "home", "back": "back"}
SLIDE_DWELL_S = 0.3  # "slide to read" reads what is under a finger for more than 250 ms
MAX_HOLD_S = 60.0
MAX_WAIT_S = 24 * 3600.0
MAX_WITHIN_S = 600.0
MAX_PRESSES = 150  # keys_to gives up after this many Up/Down presses
INSTALL_TIMEOUT_S = 30.0  # an install step fails when the new content is not shown by then
SETTLE_MAX_FRAMES = 240
# The app defers a few things by a moment (the keypad's first key acts 50 ms after it turns
# speech on; focus comes back 50 ms after a rebuild): a one-shot Clock callback scheduled this
# close is part of what the last step did, so the screen has not settled while one waits.
DEFERRED_S = 0.1


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

    def seconds(value: Any, most: float) -> bool:
        return (isinstance(value, int | float) and not isinstance(value, bool)
                and 0 <= value <= most)

    if not isinstance(step, dict):
        raise bad("each step is a JSON object such as {\"tap\": \"nav.home\"}")
    kinds = [k for k in step if k in STEP_KINDS]
    if len(kinds) != 1:
        raise bad(f"a step has exactly one of {', '.join(STEP_KINDS)}")
    kind = kinds[0]
    allowed = {"hold": {"s"}, "chord": {"s"}}.get(
        kind, {"within"} if kind in EXPECT_STEPS else set())
    extra = set(step) - {kind} - allowed
    if extra:
        raise bad(f"unknown key(s) {', '.join(sorted(extra))}")
    value = step[kind]
    if kind in ("tap", "hold", "expect_screen", "expect_text", "expect_spoken", "type",
                "type_keys", "focus", "install", "expect_sounded"):
        if not isinstance(value, str) or (kind not in ("type", "type_keys", "expect_sounded")
                                          and not value):
            raise bad(f"{kind} takes a non-empty string")
    if "within" in step and not (seconds(step["within"], MAX_WITHIN_S) and step["within"] > 0):
        raise bad(f"within is how long to wait for the expectation, in seconds, more than 0 "
                  f"and at most {MAX_WITHIN_S:g}")
    if kind == "hold":
        s = step.get("s", 1.0)
        if not seconds(s, MAX_HOLD_S) or s == 0:
            raise bad(f"s is the hold's length in seconds, more than 0 and at most "
                      f"{MAX_HOLD_S:g}")
    elif kind == "expect_config":
        if not isinstance(value, dict) or not value or not all(isinstance(k, str) for k in value):
            raise bad('expect_config takes the settings to expect, e.g. {"idle_timeout_s": 30}')
    elif kind == "expect_video":
        if (not isinstance(value, dict) or not value
                or set(value) - {"state", "at_least_s", "at_most_s"}
                or ("state" in value and value["state"] not in VIDEO_STATES)
                or not all(seconds(value[k], MAX_WAIT_S) for k in ("at_least_s", "at_most_s")
                           if k in value)):
            raise bad('expect_video takes what the sign-language clip shows, e.g. {"state": '
                      '"playing", "at_least_s": 1.0} (state one of '
                      f'{", ".join(VIDEO_STATES)}; at_least_s / at_most_s its position in '
                      "seconds)")
    elif kind == "slide":
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v for v in value)):
            raise bad("slide takes a list of control ids, e.g. [\"home.faq\", \"home.news\"]")
    elif kind == "touch_path":
        if (not isinstance(value, list) or not value or not all(
                (isinstance(v, str) and v) or (isinstance(v, list) and len(v) == 2 and all(
                    seconds(c, 100000) for c in v)) for v in value)):
            raise bad("touch_path takes a list of control ids or [x, y] window points, e.g. "
                      "[\"nav.lang\", [540, 1000]]")
    elif kind == "keys_to":
        ids = value if isinstance(value, list) else [value]
        if not ids or not all(isinstance(v, str) and v for v in ids):
            raise bad("keys_to takes a control id, or a list of ids meaning whichever is shown")
    elif kind == "key":
        # A name from the key map, or a raw key code: what a keypad that sends something
        # else sends (the setup wizard's keypad test and a remap).
        if value not in KEY_NAMES and not (isinstance(value, int) and not isinstance(
                value, bool) and 0 < value < 2**31):
            raise bad(f"key is one of {', '.join(KEY_NAMES)}, or a key code such as 291")
    elif kind == "chord":
        s = step.get("s", 1.0)
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v in KEY_NAMES for v in value)):
            raise bad(f"chord takes a list of keys held together, each one of "
                      f"{', '.join(KEY_NAMES)}, e.g. [\"help\", \"back\"]")
        if not seconds(s, MAX_HOLD_S) or s == 0:
            raise bad(f"s is how long the keys are held, in seconds, more than 0 and at most "
                      f"{MAX_HOLD_S:g}")
    elif kind == "wait":
        if not seconds(value, MAX_WAIT_S):
            raise bad("wait takes a number of seconds (0 or more)")
    elif kind == "call":
        if value not in CALLS:
            raise bad(f"call is one of {', '.join(CALLS)}")
    elif kind in ("stale", "report"):
        if not isinstance(value, bool) or (kind == "report" and not value):
            raise bad(f"{kind} takes true" + (" or false" if kind == "stale" else ""))
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


def deferred_pending(clock) -> bool:
    """Whether a one-shot callback the app scheduled for a moment later still waits (see
    DEFERRED_S); the walk's own frame callback is not scheduled while this is asked."""
    return any(not ev.loop and 0 < ev.timeout <= DEFERRED_S for ev in clock.get_events())


def thumbnails_pending() -> bool:
    """Whether a list picture asked for is still being made (screens/widgets/pictures.py):
    the screen is not what the visitor will see until it shows."""
    import sys

    pictures = sys.modules.get("screens.widgets.pictures")
    return bool(pictures is not None and pictures.THUMBNAILS.busy)


def panel_point(x: float, y: float) -> dict[str, float]:
    """A window point as the touch panel reports it: in the panel's own frame, 0 to 1 across
    the display output, which the window turns by its rotation (screens/app.py, orient; Kivy's
    MotionEvent.to_absolute_pos is the way back)."""
    from kivy.core.window import Window

    w, h = (max(1.0, v - 1.0) for v in Window.system_size)
    turned = {0: (x / w, y / h), 90: (1 - y / w, x / h), 180: (1 - x / w, 1 - y / h),
              270: (y / w, 1 - x / h)}
    nx, ny = turned[Window.rotation]
    return {"x": nx, "y": ny}


_TOUCH: list[Any] = []


def walk_touch(x: float, y: float) -> Any:
    """A finger put down at window point (x, y); ``touch_down``, ``touch_move(x, y)``,
    ``touch_up`` as Kivy's UnitTestTouch, but where a finger on a turned screen lands."""
    if not _TOUCH:
        from kivy.input.motionevent import MotionEvent
        from kivy.tests.common import UnitTestTouch

        class WalkTouch(UnitTestTouch):
            def __init__(self, x: float, y: float):
                from kivy.base import EventLoop

                self.eventloop = EventLoop
                MotionEvent.__init__(self, "UnitTestTouch", 99, panel_point(x, y),
                                     is_touch=True, type_id="touch")
                self.profile = ["pos"]

            def touch_move(self, x: float, y: float) -> None:
                self.move(panel_point(x, y))
                self.eventloop.post_dispatch_input("update", self)

        _TOUCH.append(WalkTouch)
    return _TOUCH[0](x, y)


def when_settled(app, then: Callable[[], None], min_stable: int = 2,
                 max_frames: int = SETTLE_MAX_FRAMES) -> None:
    """Call ``then`` once no screen transition runs, no deferred callback of the app waits
    (nor the fresh layout of a turned window) and the layout has been the same for ``min_stable`` frames in a row (or after
    ``max_frames``, for screens that animate)."""
    from kivy.clock import Clock

    state: dict[str, Any] = {"frames": 0, "sig": None, "stable": 0}

    def frame(_dt: float) -> None:
        state["frames"] += 1
        transition = getattr(app.sm, "transition", None)
        busy = bool(transition is not None and transition.is_active) or \
            deferred_pending(Clock) or thumbnails_pending() or \
            bool(getattr(getattr(app.nav, "active", None), "settling", False)) or \
            bool(getattr(app, "relayout_pending", False))
        sig = geometry_signature(app.root_layer)
        state["stable"] = state["stable"] + 1 if (not busy and sig == state["sig"]) else 0
        state["sig"] = sig
        if state["stable"] >= min_stable or state["frames"] >= max_frames:
            then()
        else:
            Clock.schedule_once(frame, 0)

    Clock.schedule_once(frame, 0)


def after_real(seconds: float, then: Callable[[], None]) -> None:
    """Call ``then`` once ``seconds`` of wall-clock time have passed: how long a finger rests
    is measured by the touch's own timestamps, and a Clock timeout counts from the start of
    the frame it was scheduled in (a slow frame would shorten it)."""
    from kivy.clock import Clock

    until = time.monotonic() + seconds

    def check(_dt: float = 0.0) -> None:
        left = until - time.monotonic()
        if left > 0:
            Clock.schedule_once(check, left)
        else:
            then()

    Clock.schedule_once(check, seconds)


def when_true(condition: Callable[[], bool], then: Callable[[bool], None],
              within_s: float) -> None:
    """Check ``condition`` now and then once a frame until it holds or ``within_s`` seconds
    (real time) have passed; ``then(True)`` or ``then(False)``."""
    from kivy.clock import Clock

    deadline = time.monotonic() + within_s

    def check(_dt: float = 0.0) -> None:
        if condition():
            then(True)
        elif time.monotonic() >= deadline:
            then(False)
        else:
            Clock.schedule_once(check, 0)

    check()


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


def outbox_count(app) -> int | None:
    """How many submissions the kiosk has stored (any state), or None when it can not say."""
    try:
        return app.device.submissions_kept()
    except Exception:  # noqa: BLE001 - a report must not end the walk
        return None


def screen_report(app) -> dict[str, Any]:
    """What is on screen, as JSON: every button and text with its window rectangle (and a
    text's lines), the focus order, the scroll area, the session, history and speech."""
    from screens.widgets.button import KButton
    from screens.widgets.pictures import Picture
    from screens.widgets.text import KText

    def rect(w) -> list[float]:
        return [round(v, 1) for v in window_rect(w)]

    root = layer(app)
    scroll = app.current.scroll
    scrolled = set(scroll.content.walk(restrict=True)) if scroll is not None else set()
    in_overlay = set(app.overlay.walk(restrict=True)) if app.overlay is not None else set()
    from screens.widgets.sign_video import VideoView

    buttons, texts, pictures, videos = [], [], [], []
    for w in app.root_layer.walk(restrict=True):
        if isinstance(w, VideoView):
            dx, dy, dw, dh = w.drawn
            wx, wy = w.to_window(dx, dy)
            videos.append({"file": Path(w.path).name, "state": w.state,
                           "position": round(float(w.position), 3),
                           "duration": w.duration_s, "frames": w.frames, "loaded": w.loaded,
                           "volume": w.volume, "rect": rect(w),
                           "drawn": [round(v, 1) for v in (wx, wy, dw, dh)],
                           "in_overlay": w in in_overlay})
        elif isinstance(w, Picture):
            # Where the picture itself is drawn (inside its box, at its proportions) and
            # which file it is, so a test sees a gallery show another one.
            dx, dy, dw, dh = w.drawn
            wx, wy = w.to_window(dx, dy)
            pictures.append({"file": Path(w.path).name if w.path else None,
                             "loaded": w.loaded, "rect": rect(w),
                             "drawn": [round(v, 1) for v in (wx, wy, dw, dh)],
                             "opacity": w.opacity, "in_overlay": w in in_overlay})
        elif isinstance(w, KButton):
            buttons.append({"id": w.kiosk_id, "rect": rect(w), "text": w.logical_text,
                            "selected": w.selected, "focused": w.focused,
                            "disabled": bool(w.disabled), "in_scroll": w in scrolled,
                            "in_overlay": w in in_overlay,
                            "pictogram": w.pictogram or None,
                            "pictogram_mirrored": bool(w.icon is not None and w.icon.mirrored),
                            "picture": ({"blob": w.picture.blob, "loaded": w.picture.loaded,
                                         "rect": rect(w.picture)}
                                        if getattr(w.picture, "blob", None) else None)})
        elif isinstance(w, KText):
            texts.append({"logical": w.logical, "lang": w.lang, "rect": rect(w),
                          "font_px": w.font_size, "lines_logical": list(w.lines_logical),
                          "lines_display": list(w.lines_display),
                          "line_tops": list(w.line_tops), "rtl": w.rtl,
                          "line_widths": list(w.line_widths)})
    s = app.session
    return {
        "screen": app.sm.current,
        "overlay": app.overlay.kind if app.overlay is not None else None,
        "window": [app.window_width(), app.window_height()],
        "px_per_mm": app.units.px_per_mm,
        "buttons": buttons,
        "texts": texts,
        "pictures": pictures,
        "videos": videos,
        "focus_order": [b.kiosk_id for b in root.focus_order()],
        "scroll": None if scroll is None else {
            "rect": rect(scroll.view), "content_height": scroll.content.height,
            "scroll_y": scroll.view.scroll_y, "overflows": scroll.overflows},
        "session": {"lang": s.lang, "text_scale": s.text_scale, "theme": s.theme,
                    "speech": s.speech, "reach": s.reach, "started": s.started,
                    "easy_read": s.easy_read,
                    "rate_step": s.rate_step, "volume_step": s.volume_step,
                    "entered": dict(s.entered), "idle_s": s.idle.idle_s},
        "history": [name for name, _p in app.history],
        "spoken": [text for _t, _l, text in app.captions.spoken],
        "outbox": outbox_count(app),
    }


# -- the walk ------------------------------------------------------------------------------------

@dataclass
class WalkResult:
    steps_done: int = 0
    failure: str | None = None
    shots: list[str] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)  # one per report step
    # Every app.go, with the number of submissions stored at that moment (so a test can see
    # that a submission was kept before the thanks screen was asked for).
    navigations: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"steps_done": self.steps_done, "failure": self.failure, "shots": self.shots,
                "reports": self.reports, "navigations": self.navigations}


class Walker:
    """Runs the steps inside the app's event loop, one Clock callback after another."""

    def __init__(self, app, steps: list[dict[str, Any]], out: Path, now: Callable[[], float],
                 skip: Callable[[float], None], final_report: bool = False):
        self.app = app
        self.steps = steps
        self.out = out
        self.now = now
        self.skip = skip
        self.result = WalkResult()
        self.index = 0
        self.heard: list[tuple[float, str, str]] = []  # since the last action step
        self._last_spoken: Any = None
        # Sentences that began to sound through the audio output: appended to by the voice's
        # player thread, (time, lang, text, step of the last action); read on the UI thread.
        self._sounding: list[tuple[float, str, str, int]] = []
        self._sounded_seen = 0
        self.sounded: list[str] = []  # since the last action step
        self._action_step = 0
        self.finished = False
        self.final_report = final_report  # a report of the screen as the walk ends
        self._started = time.time()
        self._walk_log = (out / "walk.log").open("w", encoding="utf-8")
        self._speech_log = (out / "speech.log").open("w", encoding="utf-8")
        # Opened when the voice first sounds, so a walk without speech leaves no empty file.
        self._sounded_path = out / "sounded.log"
        self._sounded_log: Any = None

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

    def collect_sounded(self) -> None:
        """The sentences the voice began to sound since the last look, into sounded.log."""
        new = self._sounding[self._sounded_seen:]
        self._sounded_seen += len(new)
        if new and self._sounded_log is None:
            self._sounded_log = self._sounded_path.open("w", encoding="utf-8")
        for when, lang, text, after in new:
            self.sounded.append(text)
            self._sounded_log.write(json.dumps(
                {"time": round(when, 3), "walk_s": round(when - self._started, 3), "lang": lang,
                 "text": text, "after_step": after}, ensure_ascii=False) + "\n")
        if new:
            self._sounded_log.flush()

    def _forget_heard(self) -> None:
        """An action starts: expectations after it look at what it brings only."""
        self.collect_speech()
        self.heard = []
        self.collect_sounded()
        self.sounded = []

    def _hook_voice(self) -> None:
        service = self.app.speech
        if service is None:
            return
        original = service.on_sentence

        def started(event: Any) -> None:  # the player thread: appends only
            self._sounding.append((time.time(), event.lang, event.text, self._action_step))
            if original is not None:
                original(event)
        service.on_sentence = started

    def _hooked_speak(self, original):
        def speak(text: str, lang: str | None = None, *a, **kw):
            result = original(text, lang, *a, **kw)
            self.collect_speech()
            return result
        return speak

    # -- running --------------------------------------------------------------------------------

    def _recorded_go(self, original):
        def go(name: str, _replace: bool = False, **params: Any):
            self.result.navigations.append({
                "step": self.index + 1, "name": name, "params": params,
                "registered": name in self.app.screens, "outbox_rows": outbox_count(self.app)})
            return original(name, _replace, **params)
        return go

    def start(self) -> None:
        self.app.speak = self._hooked_speak(self.app.speak)
        self._hook_voice()
        # Navigation's own go: app.go and the app's parts (Home, a session's end) all use it.
        self.app.nav.go = self._recorded_go(self.app.nav.go)
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
            self._forget_heard()
            self._action_step = self.index + 1
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
        if self.final_report:
            try:
                self.result.reports.append(screen_report(self.app))
            except Exception as e:  # noqa: BLE001 - the walk's own result still gets out
                self.result.failure = self.result.failure or f"the final report failed: {e}"
        self._walk_log.close()
        self._speech_log.close()
        self.collect_sounded()
        if self._sounded_log is not None:
            self._sounded_log.close()
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
        """The control a finger can reach now. Fails with what is there instead."""
        app = self.app
        mine = [b for b in buttons_on(app) if b.kiosk_id == kiosk_id]
        if not mine:
            if app.overlay is not None and app.current.find(kiosk_id) is not None:
                raise StepFailed(f"'{kiosk_id}' is covered by the {app.overlay.kind} overlay; "
                                 f"close it first; {self._here()}")
            ids = sorted({b.kiosk_id for b in buttons_on(app)})
            raise StepFailed(f"no control '{kiosk_id}' on {self._here()}; controls: "
                             f"{', '.join(ids) or 'none'}")
        # A disabled control takes a tap like any other: it says it is unavailable.
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
            touch = walk_touch(*self.centre(button))
            touch.touch_down()
            touch.touch_up()
            self.settled_then(step, self._here)
        self.bring_into_view(button, self._guard(step, tap))

    def do_hold(self, step: dict[str, Any]) -> None:

        button = self.control(step["hold"])
        seconds = float(step.get("s", 1.0))

        def down() -> None:
            touch = walk_touch(*self.centre(button))
            touch.touch_down()

            def up() -> None:
                touch.touch_up()
                self.settled_then(step, self._here)
            after_real(seconds, self._guard(step, up))
        self.bring_into_view(button, self._guard(step, down))

    def do_slide(self, step: dict[str, Any]) -> None:
        buttons = [self.control(i) for i in step["slide"]]  # all there before touching
        finger = list(self.centre(buttons[0]))
        touch = walk_touch(*finger)
        touch.touch_down()

        def move_to(x: float, y: float, steps: int = 4) -> None:
            x0, y0 = finger
            for k in range(1, steps + 1):  # a finger's path, not a jump
                finger[:] = [x0 + (x - x0) * k / steps, y0 + (y - y0) * k / steps]
                touch.touch_move(*finger)

        def nudge() -> None:
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
            after_real(SLIDE_DWELL_S, self._guard(step, go_to(1)))

        def go_to(i: int) -> Callable[[], None]:
            def move() -> None:
                if i >= len(buttons):
                    touch.touch_up()
                    self.settled_then(step, self._here)
                    return
                # Where the control is now: speech starting may have moved the layout.
                move_to(*self.centre(buttons[i]))
                after_real(SLIDE_DWELL_S, self._guard(step, go_to(i + 1)))
            return move
        after_real(SLIDE_DWELL_S, self._guard(step, nudge))

    def do_touch_path(self, step: dict[str, Any]) -> None:
        """A finger put down on the first point, moved through the others and lifted on the
        last, in one go (a control's centre for an id): a slide off a control, a tremor."""
        points = [self.centre(self.control(p)) if isinstance(p, str)
                  else (float(p[0]), float(p[1])) for p in step["touch_path"]]
        touch = walk_touch(*points[0])
        touch.touch_down()
        for x, y in points[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        self.settled_then(step, self._here)

    def do_key(self, step: dict[str, Any]) -> None:
        self._press(step["key"], lambda: self.settled_then(step, self._here))

    def do_chord(self, step: dict[str, Any]) -> None:
        """Keys pressed one after the other, held together for ``s`` seconds of real time
        (as a finger's hold is), then released in the opposite order: the technician's
        keypad chord (help and back for 3 s)."""
        from kivy.core.window import Window

        codes = []
        for name in step["chord"]:
            mapped = self.app.input.keys.get(name) or ()
            if not mapped:
                raise StepFailed(f"the key '{name}' is not mapped to any key code on this "
                                 "kiosk")
            codes.append(mapped[0])
        for code in codes:
            Window.dispatch("on_key_down", code, 0, None, [])

        def release() -> None:
            for code in reversed(codes):
                Window.dispatch("on_key_up", code, 0)
            self.settled_then(step, self._here)
        after_real(float(step.get("s", 1.0)), self._guard(step, release))

    def _press(self, name: str | int, then: Callable[[], None]) -> None:
        """Press and release a keypad key by its name in the app's key map (or a raw key
        code), then ``then`` once the screen has settled."""
        from kivy.core.window import Window

        codes = (name,) if isinstance(name, int) else self.app.input.keys.get(name) or ()
        if not codes:
            raise StepFailed(f"the key '{name}' is not mapped to any key code on this kiosk")
        code = codes[0]
        Window.dispatch("on_key_down", code, 0, None, [])
        Window.dispatch("on_key_up", code, 0)
        when_settled(self.app, self._guard(self.steps[self.index], then))

    def _keys_to(self, wanted: list[str], then: Callable[[str], None]) -> None:
        """Press Down or Up (whichever takes fewer presses; the focus wraps) until one of
        ``wanted`` (whichever the screen shows) has the keypad focus, as a visitor listening
        to each item does; then ``then(target)``. What each press says replaces what the one
        before said, so an expectation after it hears only the last."""
        presses = [0]

        def press_next() -> None:
            order = [w.kiosk_id for w in self.app.focus.order()]
            target = next((k for k in wanted if k in order), wanted[0])
            if self.app.focus.id == target:
                then(target)
                return
            if target not in order:
                raise StepFailed(f"no control '{target}' in the focus order of "
                                 f"{self._here()}; focus order: {', '.join(order)}")
            if presses[0] >= MAX_PRESSES:
                raise StepFailed(f"'{target}' not reached after {MAX_PRESSES} presses of "
                                 f"Up and Down; focus order: {', '.join(order)}")
            here = order.index(self.app.focus.id) if self.app.focus.id in order else None
            n, t = len(order), order.index(target)
            downs = t + 1 if here is None else (t - here) % n
            ups = n - t if here is None else (here - t) % n
            presses[0] += 1
            self._forget_heard()
            self._press("down" if downs <= ups else "up", press_next)
        press_next()

    def do_keys_to(self, step: dict[str, Any]) -> None:
        wanted = step["keys_to"] if isinstance(step["keys_to"], list) else [step["keys_to"]]
        self._keys_to(wanted, lambda target: self.done(
            step, f"focus on '{target}'; {self._here()}"))

    def do_type_keys(self, step: dict[str, Any]) -> None:
        """Type with the keypad only: for each character, keys_to its key, then Action, and
        the key must be heard (a space says nothing of its own)."""
        text = step["type_keys"]

        def type_next(i: int) -> None:
            if i >= len(text):
                self.done(step, f"typed {text!r} with the keys; {self._here()}")
                return
            ch = text[i]
            ids = ["key.space"] if ch == " " else list(dict.fromkeys(
                [f"key.{ch}", f"key.{ch.upper()}", f"key.{ch.lower()}"]))

            def press(target: str) -> None:
                self._forget_heard()
                echo = target.removeprefix("key.")

                def heard_it() -> None:
                    self.collect_speech()
                    if ch != " " and not any(echo in t for _w, _l, t in self.heard):
                        said = "; ".join(repr(t) for _w, _l, t in self.heard[-4:]) or "nothing"
                        raise StepFailed(f"Action on '{target}' did not say {echo!r}; heard: "
                                         f"{said}; typed {text[:i]!r} so far")
                    type_next(i + 1)
                self._press("action", heard_it)
            self._keys_to(ids, press)
        type_next(0)

    def do_type(self, step: dict[str, Any]) -> None:
        text = step["type"]
        if not any(b.kiosk_id.startswith("key.") for b in buttons_on(self.app)):
            raise StepFailed(f"the screen has no on-screen keyboard to type {text!r} on; "
                             f"{self._here()}")

        def key_id(ch: str) -> str:
            return "key.space" if ch == " " else f"key.{ch}"

        def shown(kiosk_id: str):
            return next((b for b in buttons_on(self.app)
                         if b.kiosk_id == kiosk_id and not b.disabled), None)

        def switch_for(ch: str):
            """The key that brings ``ch`` nearer: Shift for the other case of a letter
            shown, the digits and symbols for what is not a letter, else the next layout."""
            if not ch.isalpha() and shown("key.digits") is not None:
                return shown("key.digits")
            if ch.swapcase() != ch and shown(key_id(ch.swapcase())) is not None and \
                    shown("key.shift") is not None:
                return shown("key.shift")
            return shown("key.layout")

        def type_next(i: int, switches: int = 0) -> None:
            if i >= len(text):
                self.settled_then(step, lambda: f"typed {text!r}; {self._here()}")
                return
            ch = text[i]
            button = shown(key_id(ch))
            if button is None:
                switch = switch_for(ch)
                if switch is not None and switches < 4:
                    self._tap_then(switch, lambda: type_next(i, switches + 1))
                    return
                # A keyboard with only one case of a letter types that one.
                button = shown(key_id(ch.swapcase())) if ch.swapcase() != ch else None
                if button is None:
                    raise StepFailed(f"the on-screen keyboard has no key for {ch!r} (looked "
                                     f"for '{key_id(ch)}' in every layout); typed "
                                     f"{text[:i]!r} so far")
            self._tap_then(button, lambda: type_next(i + 1))
        type_next(0)

    def _tap_then(self, button, then: Callable[[], None]) -> None:
        step = self.steps[self.index]

        def tap() -> None:
            touch = walk_touch(*self.centre(button))
            touch.touch_down()
            touch.touch_up()
            when_settled(self.app, self._guard(step, then))
        self.bring_into_view(button, self._guard(step, tap))

    def do_focus(self, step: dict[str, Any]) -> None:
        """The keypad focus straight on a control, spoken, as Up/Down would leave it."""
        if self.app.focus.by_id(step["focus"]) is None:
            ids = [b.kiosk_id for b in self.app.focus.order()]
            raise StepFailed(f"no control '{step['focus']}' to focus on {self._here()}; focus "
                             f"order: {', '.join(ids)}")
        self.settled_then(step, self._here)

    def do_wait(self, step: dict[str, Any]) -> None:
        self.skip(float(step["wait"]))
        self.settled_then(step, lambda: f"{step['wait']:g} s later; {self._here()}")

    def do_call(self, step: dict[str, Any]) -> None:
        operator.attrgetter(CALLS[step["call"]])(self.app)()
        self.settled_then(step, self._here)

    def do_stale(self, step: dict[str, Any]) -> None:
        """The app as it is when the kiosk's status says its content is (or is no longer)
        stale, without waiting days for it."""
        self.app.stale = bool(step["stale"])
        self.app.nav.refresh()
        self.settled_then(step, self._here)

    def do_install(self, step: dict[str, Any]) -> None:
        """A new content version while the visitor is on a screen: the catalogue folder
        ``install`` names is imported from a background thread and announced as the sync loop
        does (kiosk.events.CONTENT_CHANGED). Done once the app shows it, the keypad focus
        kept where it was."""
        import threading

        from kivy.clock import Clock

        app = self.app
        failed: list[str] = []
        focus = app.focus.id
        folder = step["install"]

        def install() -> None:
            try:
                app.device.install_catalogue(folder)
            except Exception as e:  # noqa: BLE001 - the step fails with it
                failed.append(f"{type(e).__name__}: {e}")

        worker = threading.Thread(target=install, name="walk-install", daemon=True)
        worker.start()
        deadline = time.monotonic() + INSTALL_TIMEOUT_S

        def shown() -> bool:
            ring = app.focus.focused()
            return (app.nav.shown_generation >= app.nav.content_generation
                    and (focus is None or (ring is not None and ring.focused)))

        def poll(_dt: float) -> None:
            if self.finished:
                return
            if failed:
                self.fail(step, f"installing {folder} failed: {failed[0]}")
            elif not worker.is_alive() and shown():
                self.done(step, f"focus {app.focus.id} on {self._here()}")
            elif time.monotonic() > deadline:
                self.fail(step, f"the new content was not shown, with the keypad focus on "
                                f"{focus} kept, within {INSTALL_TIMEOUT_S:g} s; {self._here()}")
            else:
                Clock.schedule_once(poll, 0)
        Clock.schedule_once(poll, 0)

    # -- expectations ---------------------------------------------------------------------------

    def _expect(self, step: dict[str, Any], seen: Callable[[], str | None],
                why_not: Callable[[], str]) -> None:
        """Done when ``seen()`` says what it saw (not None): now, or with ``within``, at the
        first frame it does before the deadline."""
        within = step.get("within")
        if within is None:
            found = seen()
            if found is None:
                raise StepFailed(why_not())
            self.done(step, found)
            return
        box: dict[str, Any] = {}

        def holds() -> bool:
            try:
                box["seen"] = seen()
            except Exception as e:  # noqa: BLE001 - ends the walk as this step's failure
                box["error"] = e
                return True
            return box["seen"] is not None

        def after(ok: bool) -> None:
            if self.finished:
                return
            if "error" in box:
                e = box["error"]
                self.fail(step, str(e) if isinstance(e, StepFailed)
                          else f"{type(e).__name__}: {e}")
            elif ok:
                self.done(step, box["seen"])
            else:
                self.fail(step, f"not within {within:g} s: {why_not()}")
        when_true(holds, after, float(within))

    def do_report(self, step: dict[str, Any]) -> None:
        self.result.reports.append(screen_report(self.app))
        self.done(step, f"report {len(self.result.reports)} of {self._here()}")

    def do_expect_screen(self, step: dict[str, Any]) -> None:
        want = step["expect_screen"]

        def seen() -> str | None:
            ok = self.app.sm.current == want and self.app.overlay is None
            return self._here() if ok else None

        def why_not() -> str:
            if self.app.sm.current != want:
                return f"expected screen '{want}' but the {self._here()}"
            return (f"screen '{want}' is covered by the {self.app.overlay.kind} overlay; "
                    f"{self._here()}")
        self._expect(step, seen, why_not)

    def do_expect_config(self, step: dict[str, Any]) -> None:
        """The newest device config from central that reached the app (applied, or waiting
        for the next visitor) has these values."""
        want = step["expect_config"]

        def received() -> dict[str, Any] | None:
            config = self.app.fleet.received
            return config.to_wire() if config is not None else None

        def seen() -> str | None:
            got = received()
            if got is None or any(got.get(k) != v for k, v in want.items()):
                return None
            return f"device config with {step_text(want)}"

        def why_not() -> str:
            got = received()
            if got is None:
                return ("no device config has reached the app (is the walk --connected, and "
                        "the kiosk provisioned?)")
            has = ", ".join(f"{k}={got.get(k)!r}" for k in want)
            return f"the device config the app has says {has}, not {step_text(want)}"
        self._expect(step, seen, why_not)

    def do_expect_text(self, step: dict[str, Any]) -> None:
        want = step["expect_text"]

        def seen() -> str | None:
            return f"{want!r} on {self._here()}" if any(
                want in t for t in texts_on(self.app)) else None

        def why_not() -> str:
            if any(want in t for t in texts_on(self.app, visible_only=False)):
                return (f"{want!r} is on the screen but scrolled out of view (add "
                        f"{{\"tap\": \"scroll.down\"}}); {self._here()}")
            return f"no visible text contains {want!r}; {self._here()}"
        self._expect(step, seen, why_not)

    def do_expect_spoken(self, step: dict[str, Any]) -> None:
        want = step["expect_spoken"]

        def seen() -> str | None:
            self.collect_speech()
            return f"heard {want!r}" if any(want in text for _w, _l, text in self.heard) \
                else None

        def why_not() -> str:
            if not self.heard:
                why = "nothing was spoken since the last action"
                if not self.app.session.speech:
                    why += " (speech is off; tap nav.speak or press a keypad key to turn it on)"
            else:
                said = "; ".join(repr(t) for _w, _l, t in self.heard[-4:])
                why = f"{want!r} was not spoken; heard: {said}"
            return f"{why}; {self._here()}"
        self._expect(step, seen, why_not)

    def do_expect_video(self, step: dict[str, Any]) -> None:
        """The sign-language clip on screen is in this state, at a position in this range
        (real time, with ``within``: the clip plays at its own pace)."""
        want = step["expect_video"]

        def views() -> list[Any]:
            from screens.widgets.sign_video import VideoView

            return [w for w in self.app.root_layer.walk(restrict=True)
                    if isinstance(w, VideoView)]

        def seen() -> str | None:
            for v in views():
                pos = float(v.position)
                if want.get("state", v.state) == v.state and \
                        pos >= want.get("at_least_s", 0.0) and \
                        pos <= want.get("at_most_s", float("inf")):
                    return f"the clip {v.state} at {pos:.2f} s"
            return None

        def why_not() -> str:
            found = views()
            if not found:
                return f"no sign-language clip is shown; {self._here()}"
            v = found[0]
            return (f"expected the clip {step_text(want)} but it is {v.state} at "
                    f"{float(v.position):.2f} s; {self._here()}")
        self._expect(step, seen, why_not)

    def do_expect_sounded(self, step: dict[str, Any]) -> None:
        """A sentence containing the text ("" for any) began to sound through the kiosk's
        audio output since the last action: the voice itself, not only the speech hook."""
        want = step["expect_sounded"]

        def seen() -> str | None:
            self.collect_sounded()
            found = next((t for t in self.sounded if want in t), None)
            return f"sounded {found!r}" if found is not None else None

        def why_not() -> str:
            if self.app.speech is None:
                return ("the kiosk has no voice (the walk is --silent, or speech could not "
                        f"start); {self._here()}")
            said = "; ".join(repr(t) for t in self.sounded[-4:]) or "nothing"
            return f"no sentence containing {want!r} sounded; sounded: {said}; {self._here()}"
        self._expect(step, seen, why_not)

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


@dataclass
class Start:
    """Where a walk starts: by default fresh on the attract screen with the site's defaults;
    otherwise on ``screen`` (with its sample parameters: a product for the product screen)
    with these visitor settings, as a visitor would find it there."""
    screen: str | None = None
    lang: str | None = None
    theme: str | None = None
    text_scale: float | None = None
    reach: bool = False
    speech: bool | None = None
    easy_read: bool = False

    def is_default(self) -> bool:
        return self == Start()


def run_walk(steps: list[dict[str, Any]], out: Path, size: tuple[int, int],
             quiet: bool = True, voice: bool = True, start: Start | None = None,
             final_report: bool = False, connected: bool = False) -> WalkResult:
    """Start the app (see Start) and walk. Needs a display; one walk per process (Kivy opens
    one window per process). ``final_report``: the result's reports end with the screen as
    the walk left it. ``connected``: the background loops run, as `kiosk run` has them on a
    provisioned kiosk."""
    from screens.runtime import configure_kivy

    configure_kivy(size, fullscreen=False, quiet=quiet)
    from kivy.clock import Clock

    from kiosk.device import KioskDevice
    from screens.app import KioskApp
    from screens.runtime import app_on_screen

    # One clock for the walk: Kivy's own plus the time the script skipped. Kivy reads it
    # through Clock.time; the visitor session's idle timer gets the same function.
    real_time = Clock.time
    skipped = [0.0]

    def now() -> float:
        return real_time() + skipped[0]

    def skip(seconds: float) -> None:
        skipped[0] += seconds

    Clock.time = now
    start = start or Start()
    # The real voice, as `kiosk run` has it; what it says is recorded either way.
    if start.is_default():
        device = KioskDevice()
        device.count_use = True  # a walk from the attract screen is a visit, as in kiosk run
        if connected:
            device.require_credentials()
        app = KioskApp(device=device, start="attract", clock=now, voice=voice,
                       background=connected)
    else:
        app = app_on_screen(start.screen or "attract", lang=start.lang, theme=start.theme,
                            text_scale=start.text_scale, reach=start.reach,
                            speech=start.speech, easy_read=start.easy_read, clock=now,
                            voice=voice,
                            background=connected)
    walker = Walker(app, steps, out, now, skip, final_report=final_report)
    # Listening starts with the kiosk's voice: it starts just after the first frame.
    Clock.schedule_once(lambda _dt: app.when_ready(walker.start), 0)
    app.run()
    return walker.result


def cmd_walk(args: argparse.Namespace) -> int:
    from screens import registry
    from screens.runtime import DEFAULT_SIZE, size_arg
    from screens.xvfb import XvfbUnavailable, display_for

    try:
        steps = load_script(Path(args.script))
    except WalkScriptError as e:
        raise CommandError(str(e)) from None
    if args.screen is not None and args.screen.partition(":")[0] not in registry.SCREENS:
        raise CommandError(f"unknown screen {args.screen!r}; screens: "
                           f"{', '.join(sorted(registry.SCREENS))}")
    if args.screen is not None and ":" in args.screen:
        try:
            registry.page_params(*args.screen.split(":", 1))
        except KeyError as e:
            raise CommandError(e.args[0]) from None
    if args.connected:
        from kiosk.config import Credentials, KioskPaths

        if Credentials.load(KioskPaths.default().credentials) is None:
            raise CommandError("--connected needs a provisioned kiosk: run 'kiosk provision "
                               "--api URL --code CODE' first, or walk without --connected")
    size = size_arg(args.size) or DEFAULT_SIZE
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CommandError(f"can not create the output folder {out}: {e.strerror or e}"
                           ) from None
    start = Start(screen=args.screen, lang=args.lang, theme=args.theme,
                  text_scale=args.text_scale, reach=args.reach,
                  speech=True if args.speech else None, easy_read=args.easy_read)
    try:
        with display_for(size):
            result = run_walk(steps, out, size, quiet=not args.debug, voice=not args.silent,
                              start=start, final_report=args.report is not None,
                              connected=args.connected)
    except XvfbUnavailable as e:
        raise CommandError(str(e)) from None
    finally:
        # Kivy takes sys.stderr over for its log; the one-line error belongs on the real one.
        sys.stderr = sys.__stderr__
    if args.report is not None:
        try:
            Path(args.report).write_text(json.dumps(result.as_json(), ensure_ascii=False,
                                                    indent=1), encoding="utf-8")
        except OSError as e:
            raise CommandError(f"can not write the report {args.report}: {e.strerror or e}"
                               ) from None
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
    p.add_argument("script", help="JSON list of steps, see docs/ACCESSIBILITY.md (kiosk walk)")
    p.add_argument("--out", required=True, help="folder for NAME.png, speech.log and walk.log")
    p.add_argument("--size", help="window size WxH, default 1080x1920")
    p.add_argument("--silent", action="store_true",
                   help="do not start the kiosk's voice (speech.log still has every utterance)")
    p.add_argument("--screen", help="start on this screen (with its sample parameters) with a "
                                    "visitor already there, instead of the attract screen")
    p.add_argument("--lang", choices=("ar", "en"), help="the visitor's language at the start")
    p.add_argument("--theme", help="the visitor's theme at the start")
    p.add_argument("--text-scale", type=float, help="the visitor's text scale at the start")
    p.add_argument("--reach", action="store_true", help="start in reach mode")
    p.add_argument("--speech", action="store_true", help="start with speech on")
    p.add_argument("--easy-read", action="store_true", help="start with Easy Read on")
    p.add_argument("--report", metavar="FILE.json",
                   help="write the report steps' and the final screen's contents, and every "
                        "navigation, to FILE.json (also when a step fails)")
    p.add_argument("--connected", action="store_true",
                   help="also run the sync, upload and heartbeat loops, so central's config and "
                        "commands reach the walk (a provisioned kiosk)")
    p.set_defaults(func=cmd_walk)
