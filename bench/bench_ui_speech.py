"""Speech as a visitor meets it: a keypad key pressed in the real app (Kivy under Xvfb, the real
engine process and espeak-ng, a FileSink as the sound card) to the first audio sample, for new
text (a control's description) and for a cached prompt (the screen's help), and a new key press
to the end of the sound it cuts. The app runs in a child process (one Kivy window per
process); it reports its figures as JSON."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROUNDS = 40
KEY = {"down": 274, "help": 283}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run() -> list[dict]:
    if shutil.which("Xvfb") is None:
        return [{"metric": "UI speech bench", "value": "skipped: no Xvfb", "unit": "",
                 "goal": ""}]
    from screens.xvfb import Xvfb

    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-speech-"))
    xvfb = Xvfb(1080, 1920)
    try:
        display = xvfb.start()
        env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(tmp / "home"))
        out = tmp / "figures.json"
        proc = subprocess.run([sys.executable, "-m", "bench.bench_ui_speech", str(out)],
                              cwd=Path(__file__).resolve().parent.parent, env=env,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"the UI speech bench failed: {proc.stderr[-1500:]}")
        f = json.loads(out.read_text())
    finally:
        xvfb.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    new, cached, cut = f["new_ms"], f["cached_ms"], f["cut_ms"]
    return [
        {"metric": "key press to first audio, new text (focus moved): p50",
         "value": statistics.median(new), "unit": "ms", "goal": ""},
        {"metric": "key press to first audio, new text (focus moved): p95",
         "value": _pct(new, 0.95), "unit": "ms", "goal": "<= 150"},
        {"metric": "key press to first audio, cached prompt (Help): p50",
         "value": statistics.median(cached), "unit": "ms", "goal": ""},
        {"metric": "key press to first audio, cached prompt (Help): p95",
         "value": _pct(cached, 0.95), "unit": "ms", "goal": "<= 30"},
        {"metric": "new key press to end of previous sound: p95", "value": _pct(cut, 0.95),
         "unit": "ms", "goal": "<= 100"},
        {"metric": "UI speech rounds (each figure)", "value": len(new), "unit": "", "goal": ""},
    ]


def _child(out: Path) -> None:
    """In the child: the real app, speech on, keys pressed through the window."""
    from screens.runtime import configure_kivy

    configure_kivy((1080, 1920), fullscreen=False, quiet=True)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.device import KioskDevice
    from screens.app import KioskApp
    from screens.speech import ui_prompts
    from voices.audio import FileSink
    from voices.service import SpeechService

    starts: list = []
    cond = threading.Condition()

    def started(event) -> None:
        with cond:
            starts.append(event)
            cond.notify_all()

    def wait_for(n: int) -> object:
        with cond:
            if not cond.wait_for(lambda: len(starts) >= n, 10):
                raise TimeoutError(f"sentence {n} did not start")
            return starts[n - 1]

    home = Path(os.environ["KIOSK_HOME"])
    device = KioskDevice()
    app = KioskApp(device=device, start="attract")
    app.speech = SpeechService(cache_dir=home / "speech-cache", on_sentence=started,
                               audio=FileSink(home / "sink"))
    # The kiosk builds its prompt cache at start, in the background; measure once it is there.
    app.speech.load_prompts(ui_prompts(), rate_steps=[app.speech.rate_step], wait=True)
    figures: dict[str, list[float]] = {"new_ms": [], "cached_ms": [], "cut_ms": []}
    state = {"round": 0}

    def press(name: str) -> float:
        t0 = time.perf_counter()
        Window.dispatch("on_key_down", KEY[name], 0, None, [])
        Window.dispatch("on_key_up", KEY[name], 0)
        return t0

    def step(_dt: float) -> None:
        r = state["round"]
        if r >= ROUNDS:
            out.write_text(json.dumps(figures))
            app.speech.shutdown()
            app.stop()
            return
        # Help opens with the screen's help (its sentences are cached UI strings) ...
        n = len(starts)
        t0 = press("help")
        ev = wait_for(n + 1)
        if r >= 2:  # the first rounds warm up
            figures["cached_ms"].append((ev.started_at - t0) * 1000)
        # ... pressed again it closes; Down then moves focus, cutting what plays and saying a
        # new description ("..., button, 3 of 20").
        press("help")
        n = len(starts)
        t0 = press("down")
        ev = wait_for(n + 1)
        if r >= 2:
            figures["new_ms"].append((ev.started_at - t0) * 1000)
        # A new key press while the description is still sounding: how soon is it silent?
        t0 = press("down")
        pb = ev.playback
        deadline = time.monotonic() + 5
        while pb.ended_at is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if r >= 2 and pb.ended_at is not None and pb.ended_at >= t0:
            figures["cut_ms"].append((pb.ended_at - t0) * 1000)
        state["round"] = r + 1
        Clock.schedule_once(step, 0.2)

    def begin(_dt: float) -> None:
        app.start_session("en")
        app.prefs.toggle_speech()
        Clock.schedule_once(step, 0.5)

    Clock.schedule_once(begin, 0.5)
    app.run()


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
