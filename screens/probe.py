"""Drive the real app for tests and technicians: start it on a screen with given settings, run a
few steps (tap, touch paths, keys, waits), then write a JSON report of what is on screen
(every button and text with its window rectangle and line lists, the focus order, the session).

    python -m screens.probe --screen home --lang ar --steps '[{"tap": "nav.lang"}]' --out r.json

Needs a display (the UI tests start Xvfb)."""

from __future__ import annotations

import argparse
import json
import operator
import sys
from pathlib import Path
from typing import Any


def _rect(w) -> list[float]:
    x, y = w.to_window(w.x, w.y)
    return [round(x, 1), round(y, 1), round(w.width, 1), round(w.height, 1)]


def report(app) -> dict[str, Any]:
    from screens.widgets.button import KButton
    from screens.widgets.text import KText

    root = app.overlay if app.overlay is not None else app.current
    scroll = app.current.scroll
    scrolled = set(scroll.content.walk(restrict=True)) if scroll is not None else set()
    buttons, texts = [], []
    for w in app.root_layer.walk(restrict=True):
        if isinstance(w, KButton):
            buttons.append({"id": w.kiosk_id, "rect": _rect(w), "text": w.logical_text,
                            "selected": w.selected, "focused": w.focused,
                            "in_scroll": w in scrolled,
                            "in_overlay": app.overlay is not None and w in list(
                                app.overlay.walk(restrict=True))})
        elif isinstance(w, KText):
            texts.append({"logical": w.logical, "lang": w.lang, "rect": _rect(w),
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
        "focus_order": [b.kiosk_id for b in root.focus_order()],
        "scroll": None if scroll is None else {
            "rect": _rect(scroll.view), "content_height": scroll.content.height,
            "scroll_y": scroll.view.scroll_y, "overflows": scroll.overflows},
        "session": {"lang": s.lang, "text_scale": s.text_scale, "theme": s.theme,
                    "speech": s.speech, "reach": s.reach, "started": s.started,
                    "rate_step": s.rate_step, "volume_step": s.volume_step,
                    "entered": dict(s.entered), "idle_s": s.idle.idle_s},
        "history": [name for name, _p in app.history],
        "spoken": [text for _t, _l, text in app.captions.spoken],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screens.probe")
    p.add_argument("--screen", default="attract")
    p.add_argument("--lang", default=None)
    p.add_argument("--theme", default=None)
    p.add_argument("--text-scale", type=float, default=None)
    p.add_argument("--reach", action="store_true")
    p.add_argument("--size", default="1080x1920")
    p.add_argument("--steps", default="[]", help="JSON list of steps")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    from screens.runtime import app_on_screen, configure_kivy, parse_size

    size = parse_size(args.size)
    configure_kivy(size, quiet=True)
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    fake_now = [0.0]
    app = app_on_screen(args.screen, lang=args.lang, theme=args.theme,
                        text_scale=args.text_scale, reach=args.reach,
                        clock=lambda: fake_now[0])
    steps: list[dict[str, Any]] = json.loads(args.steps)
    reports: list[dict[str, Any]] = []
    errors: list[str] = []

    def find(kiosk_id: str):
        order = app.focus.order()
        for b in order:
            if b.kiosk_id == kiosk_id:
                return b
        return None

    def centre(kiosk_id: str) -> tuple[float, float]:
        b = find(kiosk_id)
        if b is None:
            raise LookupError(f"no visible control {kiosk_id!r} on {app.sm.current}")
        return b.to_window(*b.center)

    def run_step(step: dict[str, Any], i: int) -> float:
        """Do one step; returns how long to wait before the next."""
        if "tap" in step:
            # Like a visitor, scroll the control into view first, then touch it once the
            # scroll view has moved.
            b = find(step["tap"])
            scroll = app.current.scroll if app.overlay is None else None
            if b is not None and scroll is not None and b in list(
                    scroll.content.walk(restrict=True)):
                scroll.show(b)
            steps.insert(i + 1, {"_touch": step["tap"],
                                                 "wait": step.get("wait", 0.15)})
            return 0.1
        elif "_touch" in step:
            x, y = centre(step["_touch"])
            t = UnitTestTouch(x, y)
            t.touch_down()
            t.touch_up()
        elif "touch_path" in step:  # [[id or [x, y]], ...]: down on the first, up on the last
            points = [centre(p) if isinstance(p, str) else tuple(p) for p in step["touch_path"]]
            t = UnitTestTouch(*points[0])
            t.touch_down()
            for pt in points[1:]:
                t.touch_move(*pt)
            t.touch_up()
        elif "slide" in step:  # a finger on the first control, resting on each in turn
            points = [centre(p) for p in step["slide"]]
            touch = UnitTestTouch(*points[0])
            touch.touch_down()
            dwell = float(step.get("dwell", 0.3))
            extra: list[dict[str, Any]] = []
            for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
                extra.append({"_move": [touch, [(x0 + (x1 - x0) * k / 4,
                                                 y0 + (y1 - y0) * k / 4) for k in (1, 2, 3, 4)]],
                              "wait": dwell})
            extra.append({"_up": touch, "wait": step.get("wait", 0.15)})
            steps[i + 1:i + 1] = extra
            return dwell
        elif "hold" in step:  # press, keep the finger still for s seconds, lift
            touch = UnitTestTouch(*centre(step["hold"]))
            touch.touch_down()
            steps.insert(i + 1, {"_up": touch, "wait": step.get("wait", 0.15)})
            return float(step.get("s", 1.0))
        elif "_move" in step:
            touch, path = step["_move"]
            for x, y in path:
                touch.touch_move(x, y)
        elif "_up" in step:
            step["_up"].touch_up()
        elif "key" in step:
            Window.dispatch("on_key_down", step["key"], 0, None, [])
        elif "advance_idle" in step:  # move the session's clock, then let the app tick
            fake_now[0] += float(step["advance_idle"])
            app.idle.tick(0)
        elif "shot" in step:  # a PNG of the window as it is now
            import shutil
            import tempfile

            tmp = Path(tempfile.mkdtemp(prefix="kiosk-probe-"))
            Window.dispatch("on_draw")  # read a freshly drawn back buffer, not an old frame
            shutil.move(Window.screenshot(name=str(tmp / "shot.png")), step["shot"])
            shutil.rmtree(tmp, ignore_errors=True)
        elif "report" in step:
            reports.append(report(app))
        elif "stale" in step:  # what the app does when KioskDevice.status() says stale
            app.stale = bool(step["stale"])
            app.nav.refresh()
        elif "call" in step:  # a method of the app or one of its parts, e.g. "idle.end_session"
            operator.attrgetter(step["call"])(app)()
        return float(step.get("wait", 0.15))

    def next_step(_dt: float, i: int = 0) -> None:
        if i >= len(steps):
            reports.append(report(app))
            Path(args.out).write_text(json.dumps({"reports": reports, "errors": errors},
                                                 ensure_ascii=False, indent=1))
            app.stop()
            return
        try:
            delay = run_step(steps[i], i)
        except Exception as e:  # reported, so a test can say which step failed and why
            errors.append(f"step {i} {steps[i]}: {type(e).__name__}: {e}")
            delay = 0
        Clock.schedule_once(lambda dt: next_step(dt, i + 1), delay)

    def settle(_dt: float) -> None:
        app.nav.refresh()
        Clock.schedule_once(next_step, 0.3)

    Clock.schedule_once(settle, 0.2)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
