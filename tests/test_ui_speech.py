"""The app's voice wiring: the prompt cache gets every UI string in both languages; with no audio
device the kiosk still records and shows everything it would say and says what is wrong; the
caption strip shows what is spoken, below the bar, or at the top in reach mode."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.i18n import _
from tests.helpers import KIOSK, ROOT, kiosk_env

CHILD = r"""
import json, os, sys
from pathlib import Path
from screens.runtime import configure_kivy
configure_kivy((1080, 1920), fullscreen=False, quiet=True)
from kivy.clock import Clock
from screens.app import KioskApp
from screens.walk import when_settled, when_true

app = KioskApp(start="attract", voice=True)
out = {}
status = Path(os.environ["KIOSK_HOME"]) / "speech-status.json"

def finish(_found):
    out["status"] = json.loads(status.read_text()) if status.exists() else None
    Path(sys.argv[1]).write_text(json.dumps(out))
    app.stop()

def reach():
    out["reach_caption_y"] = app.captions.box.y
    out["reach_caption_top"] = app.captions.box.top
    when_true(status.exists, finish, 20)  # the speech process writes it

def check():
    out["spoken"] = [t for _w, _l, t in app.captions.spoken]
    out["caption"] = app.captions.label.logical if app.captions.label is not None else None
    out["caption_y"] = app.captions.box.y
    out["bar_y"] = app.current.bar.to_window(0, app.current.bar.y)[1]
    out["diagnostics"] = app.speech.diagnostics()
    app.prefs.apply(lambda s: s.set_reach(True))
    when_settled(app, reach)

def go():
    app.start_session("en")
    app.prefs.toggle_speech()
    when_settled(app, lambda: (app.focus.move(1), when_settled(app, check)))

# Once the voice has started (or could not), and the first screen is laid out.
Clock.schedule_once(lambda _dt: app.when_ready(lambda: when_settled(app, go)), 0)
app.run()
"""


def test_the_prompt_cache_gets_every_ui_string_in_both_languages():
    from screens.speech import SPOKEN, ui_prompts

    prompts = set(ui_prompts())
    for lang in ("ar", "en"):
        for msgid in ("Home", "Back", "Help", "Speech is on.", "Touch to start."):
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
    env = kiosk_env(display, tmp_path / "home", KIOSK_AUDIO="null")
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
    st = subprocess.run([*KIOSK, "status", "--json"], cwd=ROOT, env=env,
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
from screens.walk import when_settled

app = KioskApp(start="attract")
todo = [(name, lang) for name in registry.SCREENS for lang in ("ar", "en")]
found = {"problems": [], "checked": 0}

def visit():
    if not todo:
        Path(sys.argv[1]).write_text(json.dumps(found, ensure_ascii=False))
        app.stop()
        return
    name, lang = todo.pop(0)
    app.session.started = name != "attract"
    app.session.set_lang(lang)
    app.session.set_speech(True)
    app.apply_context()
    app.go(name, **registry.screen_class(name).sample_params(app.services))
    when_settled(app, lambda: check(name, lang))

def check(name, lang):
    order = app.focus.order()
    if not app.nav.arrival_text(lang).strip():
        found["problems"].append(f"{name}/{lang}: nothing said on arrival")
    seen = set()
    for _ in range(len(order)):
        b = app.focus.move(1)
        seen.add(b.kiosk_id)
        found["checked"] += 1
        for other in ("ar", "en"):
            if not b.describe(other).strip() or not app.focus.describe(b, order, other):
                found["problems"].append(f"{name}/{lang}: {b.kiosk_id} says nothing in {other}")
    missing = {b.kiosk_id for b in order} - seen
    if missing:
        found["problems"].append(f"{name}/{lang}: Down never reaches {sorted(missing)}")
    visit()

Clock.schedule_once(lambda _dt: when_settled(app, visit), 0)
app.run()
"""


def test_every_control_on_every_screen_is_reached_by_keys_and_speaks_in_both_languages(
        display, tmp_path):
    out = tmp_path / "out.json"
    env = kiosk_env(display, tmp_path / "home")
    proc = subprocess.run([sys.executable, "-c", EVERY_SCREEN, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["checked"] > 200
    assert r["problems"] == []
