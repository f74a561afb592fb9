"""A driver for the form and search UI tests: runs the real app in its own process (Kivy opens
one window per process) on the tests' Xvfb, performs steps and waits on conditions with
deadlines (never fixed sleeps), and writes JSON reports of what the visitor sees. Every
navigation is recorded with the number of outbox rows at that moment, so a test can prove a
submission was stored before the thanks screen appeared.

    python -m tests.test_ui_forms_driver --screen search --steps '[{"type": "قهوه"}]' --out r.json

Steps: {"tap": ID}, {"type": TEXT} (through the on-screen keyboard, switching layouts as
needed), {"wait_for": {"screen": NAME} | {"text": SUBSTRING} | {"spoken": SUBSTRING},
"timeout": S}, {"report": true},
{"call": APP_METHOD} (dotted for a part's: "prefs.toggle_lang"), {"focus": ID},
{"shot": FILE.png}. This module has no tests of its own."""

from __future__ import annotations

import argparse
import json
import operator
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRAMES_BETWEEN_STEPS = 1
DEFAULT_WAIT_S = 10.0


def drive(display: str, home: Path, out_dir: Path, screen: str, steps: list[dict],
          **opts: Any) -> dict:
    """Run the driver in a subprocess and return its JSON (reports, errors, go calls)."""
    out = out_dir / f"drive-{screen}-{len(list(out_dir.iterdir()))}.json"
    cmd = [sys.executable, "-m", "tests.test_ui_forms_driver", "--screen", screen,
           "--out", str(out), "--steps", json.dumps(steps, ensure_ascii=False)]
    for key, value in opts.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            cmd.append(flag)
        elif value is not None and value is not False:
            cmd += [flag, str(value)]
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(home))
    env.pop("KIOSK_PX_PER_MM", None)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        logs = sorted((home / "kivy" / "logs").glob("*.txt"), key=lambda f: f.stat().st_mtime)
        kivy_log = logs[-1].read_text(errors="replace")[-3000:] if logs else ""
        raise AssertionError(f"driver exited {proc.returncode}:\n{proc.stderr[-3000:]}\n"
                             f"{proc.stdout[-1000:]}\nKivy log:\n{kivy_log}")
    return json.loads(out.read_text(encoding="utf-8"))


def visible(report: dict) -> list[str]:
    """Every logical text the visitor can read, buttons included."""
    return [t["logical"] for t in report["texts"]] + [b["text"] for b in report["buttons"]]


def shows(report: dict, fragment: str) -> bool:
    return any(fragment in text for text in visible(report))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.test_ui_forms_driver")
    p.add_argument("--screen", default="home")
    p.add_argument("--lang", default="en")
    p.add_argument("--theme", default=None)
    p.add_argument("--text-scale", type=float, default=None)
    p.add_argument("--reach", action="store_true")
    p.add_argument("--speech", action="store_true")
    p.add_argument("--size", default="1080x1920")
    p.add_argument("--steps", default="[]")
    p.add_argument("--out", required=True)
    p.add_argument("--register", action="append", default=[],
                   help="name=module:Class, a screen not in the registry yet")
    args = p.parse_args(argv)

    from screens.runtime import configure_kivy, parse_size

    configure_kivy(parse_size(args.size), quiet=True)
    import time

    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from screens import registry
    from screens.probe import report as probe_report
    from screens.runtime import app_on_screen

    for entry in args.register:
        name, _, target = entry.partition("=")
        registry.SCREENS[name] = target
    app = app_on_screen(args.screen, lang=args.lang, theme=args.theme,
                        text_scale=args.text_scale, reach=args.reach, speech=args.speech)

    go_calls: list[dict[str, Any]] = []
    real_go = app.go

    def recording_go(name: str, _replace: bool = False, **go_params: Any) -> None:
        go_calls.append({"name": name, "params": go_params,
                         "registered": name in app.screens,
                         "outbox_rows": len(app.device.outbox.items())})
        if name in app.screens:  # a screen someone else is still building: record only
            real_go(name, _replace=_replace, **go_params)

    app.go = recording_go  # type: ignore[method-assign]

    steps: list[dict[str, Any]] = json.loads(args.steps)
    reports: list[dict[str, Any]] = []
    errors: list[str] = []

    def report() -> dict[str, Any]:
        r = probe_report(app)
        r["go_calls"] = list(go_calls)
        r["visible_texts"] = app.current.visible_texts()
        return r

    def find(kiosk_id: str):
        for b in app.focus.order():
            if b.kiosk_id == kiosk_id:
                return b
        return None

    def tap(kiosk_id: str) -> None:
        b = find(kiosk_id)
        if b is None:
            raise LookupError(f"no visible control {kiosk_id!r} on {app.sm.current}")
        scroll = app.current.scroll
        if scroll is not None and app.overlay is None and scroll.overflows:
            scroll.view.scroll_to(b, padding=app.units.gap, animate=False)
            scroll.view.update_from_scroll()
        x, y = b.to_window(*b.center)
        t = UnitTestTouch(x, y)
        t.touch_down()
        t.touch_up()

    def expand(step: dict[str, Any]) -> list[dict[str, Any]]:
        """A typing step becomes one key press per character (and layout switches)."""
        if "type" not in step:
            return [step]
        return [{"key_for": ch} for ch in step["type"]]

    queue: list[dict[str, Any]] = [sub for step in steps for sub in expand(step)]

    def key_for(ch: str, tries: int = 0) -> bool:
        """Press the key for ``ch``; when the layout shown lacks it, switch layout and ask
        to be called again. Returns True when the character was typed."""
        kid = "key.space" if ch == " " else f"key.{ch}"
        if find(kid) is not None:
            tap(kid)
            return True
        if tries >= 4:
            raise LookupError(f"no key types {ch!r} on any layout")
        # digits layout for digits and symbols, otherwise the other letters
        if not ch.isalpha() and find("key.digits") is not None:
            tap("key.digits")
        elif ch.isalpha() and ch.lower() != ch.upper() and find("key.shift") is not None \
                and find(f"key.{ch.swapcase()}") is not None:
            tap("key.shift")
        else:
            tap("key.layout")
        return False

    def run(i: int = 0, frames: int = 0, deadline: float | None = None,
            tries: int = 0) -> None:
        if frames < FRAMES_BETWEEN_STEPS:
            Clock.schedule_once(lambda _dt: run(i, frames + 1, deadline, tries), 0)
            return
        if i >= len(queue):
            reports.append(report())
            Path(args.out).write_text(json.dumps(
                {"reports": reports, "errors": errors, "go_calls": go_calls},
                ensure_ascii=False, indent=1), encoding="utf-8")
            app.stop()
            return
        step = queue[i]
        try:
            if "tap" in step:
                tap(step["tap"])
            elif "key_for" in step:
                if not key_for(step["key_for"], tries):
                    Clock.schedule_once(lambda _dt: run(i, 0, None, tries + 1), 0)
                    return
            elif "wait_for" in step:
                cond = step["wait_for"]
                now = time.monotonic()
                deadline = deadline or now + float(step.get("timeout", DEFAULT_WAIT_S))
                ok = True
                if "screen" in cond:
                    ok = ok and app.sm.current == cond["screen"]
                if "text" in cond:
                    texts = app.current.visible_texts()
                    ok = ok and any(cond["text"] in t for t in texts)
                if "spoken" in cond:
                    ok = ok and any(cond["spoken"] in t for _w, _l, t in app.captions.spoken)
                if not ok:
                    if now > deadline:
                        raise TimeoutError(f"waited for {cond} on {app.sm.current}; "
                                           f"visible: {app.current.visible_texts()[:12]}")
                    Clock.schedule_once(lambda _dt: run(i, FRAMES_BETWEEN_STEPS, deadline),
                                        0.05)
                    return
            elif "report" in step:
                reports.append(report())
            elif "call" in step:
                operator.attrgetter(step["call"])(app)()
            elif "focus" in step:  # as the keypad's Up/Down would: focus and speak
                if app.focus.by_id(step["focus"]) is None:
                    raise LookupError(f"no control {step['focus']!r} to focus")
            elif "shot" in step:
                Window.screenshot(name=step["shot"])
        except Exception as e:  # reported, so the test says which step failed and why
            errors.append(f"step {i} {step}: {type(e).__name__}: {e}")
        Clock.schedule_once(lambda _dt: run(i + 1, 0), 0)

    def settle(_dt: float) -> None:
        app.nav.refresh()
        Clock.schedule_once(lambda _dt: run(0), 0)

    Clock.schedule_once(settle, 0)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
