"""The app's voice wiring: the prompt cache gets every UI string in both languages; with no audio
device the kiosk still records and shows everything it would say and says what is wrong; the
caption strip shows what is spoken, below the bar, or at the top in reach mode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.i18n import _

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
from pathlib import Path
from screens.runtime import configure_kivy
configure_kivy((1080, 1920), fullscreen=False, quiet=True)
from kivy.clock import Clock
from screens.app import KioskApp

app = KioskApp(start="attract", voice=True)
out = {}

def finish(_dt):
    status = Path(os.environ["KIOSK_HOME"]) / "speech-status.json"
    deadline = time.monotonic() + 20
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    out["status"] = json.loads(status.read_text()) if status.exists() else None
    Path(sys.argv[1]).write_text(json.dumps(out))
    app.stop()

def reach(_dt):
    out["reach_caption_y"] = app.caption_box.y
    out["reach_caption_top"] = app.caption_box.top
    Clock.schedule_once(finish, 0)

def check(_dt):
    out["spoken"] = [t for _w, _l, t in app.spoken]
    out["caption"] = app._caption.logical if app._caption is not None else None
    out["caption_y"] = app.caption_box.y
    out["bar_y"] = app.current.bar.to_window(0, app.current.bar.y)[1]
    out["diagnostics"] = app.speech.diagnostics()
    app.apply(lambda s: s.set_reach(True))
    Clock.schedule_once(reach, 0.3)

def go(_dt):
    app.start_session("en")
    app.toggle_speech()
    Clock.schedule_once(lambda _dt: (app.move_focus(1), Clock.schedule_once(check, 0.3)), 0.3)

Clock.schedule_once(go, 0.3)
app.run()
"""


@pytest.fixture(scope="module")
def display() -> str:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed; the UI tests need a display")
    from screens.xvfb import shared_display

    return shared_display()


def test_the_prompt_cache_gets_every_ui_string_in_both_languages():
    from screens.speech import SPOKEN, ui_prompts

    prompts = set(ui_prompts())
    for lang in ("ar", "en"):
        for msgid in ("Home", "Back", "Help", "Speech is on.", "Choose your language to "
                      "start."):
            assert (_(msgid, lang), lang) in prompts
        assert (SPOKEN["how_to_move"][lang], lang) in prompts
    assert not any("{" in text for text, _lang in prompts)  # filled in at run time


def test_spoken_sentences_exist_in_both_languages():
    from screens.speech import SPOKEN

    for key, texts in SPOKEN.items():
        assert texts["ar"].strip() and texts["en"].strip(), key
        assert texts["ar"] != texts["en"] or key == "position", key


def test_without_audio_the_kiosk_shows_what_it_would_say_and_says_what_is_wrong(display,
                                                                               tmp_path):
    out = tmp_path / "out.json"
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(tmp_path / "home"),
               KIOSK_AUDIO="null")
    env.pop("KIOSK_PX_PER_MM", None)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    # Everything meant to be said is recorded and captioned, in the visitor's language.
    assert any("Speech is on." in t for t in r["spoken"])
    assert r["spoken"][-1].startswith("Products by category, button, 1 of")
    assert r["caption"] and r["caption"] in r["spoken"][-1]
    # The strip sits below the bar (covering no control); in reach mode it moves to the top.
    assert r["caption_y"] < r["bar_y"]
    assert r["reach_caption_top"] >= 1900 and r["reach_caption_y"] > 960
    # Technicians get a sentence saying what to do, in diagnostics and the status file.
    assert r["diagnostics"]["ok"] is False
    assert "No audio output works" in r["diagnostics"]["message"]
    assert r["status"] is not None and "No audio output works" in r["status"]["message"]
    # ... and `kiosk status` shows it.
    st = subprocess.run([sys.executable, "-c", "import sys; from kiosk.cli import main; "
                         "sys.exit(main())", "status", "--json"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=60)
    assert st.returncode == 0, st.stderr
    speech = json.loads(st.stdout)["speech"]
    assert speech["ok"] is False and "No audio output works" in speech["message"]
    assert speech["output"] == "null"


EVERY_SCREEN = r"""
import json, sys
from pathlib import Path
from screens.runtime import configure_kivy
configure_kivy((1080, 1920), fullscreen=False, quiet=True)
from kivy.clock import Clock
from screens import registry
from screens.app import KioskApp

app = KioskApp(start="attract")
todo = [(name, lang) for name in registry.SCREENS for lang in ("ar", "en")]
found = {"problems": [], "checked": 0}

def visit(_dt):
    if not todo:
        Path(sys.argv[1]).write_text(json.dumps(found, ensure_ascii=False))
        app.stop()
        return
    name, lang = todo.pop(0)
    app.session.started = name != "attract"
    app.session.set_lang(lang)
    app.session.set_speech(True)
    app._apply_context()
    app.go(name, **registry.screen_class(name).sample_params(app.services))
    Clock.schedule_once(lambda _dt: check(name, lang), 0.1)

def check(name, lang):
    order = app.focus_order()
    if not app.arrival_text(lang).strip():
        found["problems"].append(f"{name}/{lang}: nothing said on arrival")
    seen = set()
    for _ in range(len(order)):
        b = app.move_focus(1)
        seen.add(b.kiosk_id)
        found["checked"] += 1
        for other in ("ar", "en"):
            if not b.describe(other).strip() or not app.describe_control(b, order, other):
                found["problems"].append(f"{name}/{lang}: {b.kiosk_id} says nothing in {other}")
    missing = {b.kiosk_id for b in order} - seen
    if missing:
        found["problems"].append(f"{name}/{lang}: Down never reaches {sorted(missing)}")
    Clock.schedule_once(visit, 0)

Clock.schedule_once(visit, 0.3)
app.run()
"""


def test_every_control_on_every_screen_is_reached_by_keys_and_speaks_in_both_languages(
        display, tmp_path):
    out = tmp_path / "out.json"
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(tmp_path / "home"))
    env.pop("KIOSK_PX_PER_MM", None)
    proc = subprocess.run([sys.executable, "-c", EVERY_SCREEN, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["checked"] > 200
    assert r["problems"] == []
