"""`kiosk walk`: the real app driven by a JSON script, one process per walk under Xvfb. A walk
that passes writes its screenshots, walk.log and speech.log; a wrong expectation, a script
error or typing without a keyboard ends it with one line saying which step and what was seen."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from kiosk.i18n import _
from tests.helpers import KIOSK, ROOT, kiosk_env


def walk(display: str, home: Path, tmp_path: Path, steps: list) -> tuple[
        subprocess.CompletedProcess, Path]:
    script = tmp_path / "walk.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([*KIOSK, "walk", str(script), "--out", str(out)], cwd=ROOT,
                          env=kiosk_env(display, home),
                          capture_output=True, text=True, timeout=180)
    return proc, out


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_walk_from_attract_to_settings_and_back_in_arabic_passes_and_writes_its_files(
        display, kiosk_home, tmp_path):
    steps = [
        {"expect_screen": "attract"},
        {"tap": "lang.en"},
        {"expect_screen": "home"},
        {"tap": "home.settings"},
        {"expect_screen": "settings"},
        {"tap": "settings.text_size"},
        {"expect_text": "1.5×"},
        {"shot": "settings-larger-text"},
        {"tap": "nav.speak"},
        {"expect_spoken": _("Speech is on.", "en")},
        {"tap": "nav.home"},
        {"expect_screen": "home"},
        {"tap": "nav.lang"},
        # The home screen's own title, at its top: at text size 1.5 with speech on, the last
        # row of tiles is below the fold (the visitor scrolls to it).
        {"expect_text": _("What would you like to do?", "ar")},
        {"expect_spoken": _("Arabic", "ar")},
        {"shot": "home-ar"},
    ]
    proc, out = walk(display, kiosk_home, tmp_path, steps)
    assert proc.returncode == 0, proc.stderr
    assert "16 steps passed" in proc.stdout
    # Speech was turned on: sounded.log says what the voice really sounded.
    assert sorted(p.name for p in out.iterdir()) == ["home-ar.png", "settings-larger-text.png",
                                                     "sounded.log", "speech.log", "walk.log"]
    assert png_size(out / "home-ar.png") == (1080, 1920)
    log = log_lines(out / "walk.log")
    assert [e["step"] for e in log] == list(range(1, 17))
    assert all(e["ok"] for e in log)
    assert log[3]["screen"] == "settings" and log[-1]["screen"] == "home"
    speech = log_lines(out / "speech.log")
    assert {"time", "lang", "text"} <= set(speech[0])
    assert any(_("Speech is on.", "en") in e["text"] and e["lang"] == "en" for e in speech)
    assert any(e["lang"] == "ar" for e in speech)


def test_walk_with_a_wrong_expectation_names_the_step_and_what_was_seen(display, kiosk_home,
                                                                         tmp_path):
    proc, out = walk(display, kiosk_home, tmp_path, [
        {"tap": "lang.en"}, {"expect_screen": "settings"}, {"tap": "nav.help"}])
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith('kiosk: walk step 2 {"expect_screen": "settings"} failed: '
                          "expected screen 'settings' but the screen 'home'")
    assert _("What would you like to do?", "en") in err  # nearby visible text
    log = log_lines(out / "walk.log")
    assert [e["ok"] for e in log] == [True, False]  # nothing ran after the failure


def test_walk_tap_on_a_missing_control_lists_the_controls_there(display, kiosk_home,
                                                                 tmp_path):
    proc, _out = walk(display, kiosk_home, tmp_path, [{"tap": "home.nowhere"}])
    assert proc.returncode == 1
    assert "no control 'home.nowhere' on screen 'attract'" in proc.stderr
    assert "lang.en" in proc.stderr


def test_walk_typing_where_there_is_no_keyboard_fails_clearly(display, kiosk_home, tmp_path):
    proc, _out = walk(display, kiosk_home, tmp_path, [{"tap": "lang.en"}, {"type": "dates"}])
    assert proc.returncode == 1
    assert "walk step 2" in proc.stderr
    assert "no on-screen keyboard" in proc.stderr


def test_walk_wait_moves_the_idle_clock_so_the_warning_shows_without_sleeping(
        display, kiosk_home, tmp_path):
    proc, out = walk(display, kiosk_home, tmp_path, [
        {"tap": "lang.en"}, {"wait": 95}, {"expect_text": _("Are you still there?", "en")},
        {"tap": "idle.continue"}, {"expect_screen": "home"},
        {"slide": ["nav.home", "nav.back"]}, {"expect_screen": "home"},
        {"hold": "nav.help", "s": 0.3}, {"key": "back"}, {"expect_screen": "home"}])
    assert proc.returncode == 0, proc.stderr
    assert log_lines(out / "walk.log")[2]["overlay"] == "idle"


def test_an_expectation_within_a_deadline_fails_after_it_and_the_report_says_what_was_there(
        display, kiosk_home, tmp_path):
    from tests.helpers import walk as walk_report

    r = walk_report(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"report": True}, {"tap": "home.settings"}, {"expect_screen": "settings", "within": 5},
        {"tap": "nav.home"}, {"expect_screen": "settings", "within": 0.5}, {"tap": "nav.help"}])
    assert r["steps_done"] == 4
    assert len(r["errors"]) == 1
    assert r["errors"][0].startswith(
        'walk step 5 {"expect_screen": "settings", "within": 0.5} failed: not within 0.5 s: '
        "expected screen 'settings' but the screen 'home'")
    assert [rep["screen"] for rep in r["reports"]] == ["home", "home"]  # the step's, the last
    assert [(n["step"], n["name"]) for n in r["navigations"]] == [(2, "settings"), (4, "home")]


@pytest.mark.parametrize("script,message", [
    ("not json", "is not valid JSON"),
    ('[{"tap": "lang.en"}, {"jump": 3}]', 'step 2 {"jump": 3}: a step has exactly one of'),
    ('[{"key": "enter"}]', "key is one of up, down, action"),
    ('[{"shot": "../x"}]', "shot takes a file name without a folder"),
    ('[{"call": "stop"}]', "call is one of start_session, end_session"),
    ('[{"expect_screen": "home", "within": 0}]', "within is how long to wait"),
    ('[{"touch_path": [[1, 2, 3]]}]', "touch_path takes a list of control ids or [x, y]"),
])
def test_a_wrong_script_is_refused_before_the_app_starts(tmp_path, script, message):
    path = tmp_path / "walk.json"
    path.write_text(script, encoding="utf-8")
    env = kiosk_env(None, tmp_path / "home")  # no display is needed to find a script's mistakes
    proc = subprocess.run([*KIOSK, "walk", str(path), "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_walk_types_through_the_on_screen_keyboard_in_both_layouts(display, kiosk_home,
                                                                    tmp_path):
    from screens import registry

    if "search" not in registry.SCREENS:
        pytest.skip("no search screen registered yet")
    proc, out = walk(display, kiosk_home, tmp_path, [
        {"tap": "lang.en"}, {"tap": "home.search"}, {"expect_screen": "search"},
        {"type": "dates"}, {"expect_text": "dates"},
        {"tap": "nav.lang"}, {"type": " تمر"}, {"expect_text": "dates تمر"}])
    assert proc.returncode == 0, proc.stderr
    typed = log_lines(out / "walk.log")[6]
    assert typed["ok"] and typed["seen"].startswith("typed ' تمر'")


def test_walk_starts_its_own_xvfb_when_there_is_no_display(display, kiosk_home, tmp_path):
    script = tmp_path / "walk.json"
    script.write_text('[{"expect_screen": "attract"}, {"shot": "attract.png"}]', "utf-8")
    env = kiosk_env(None, kiosk_home)
    proc = subprocess.run([*KIOSK, "walk", str(script), "--out", str(tmp_path / "out"),
                           "--silent", "--size", "1920x1080"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert png_size(tmp_path / "out" / "attract.png") == (1920, 1080)
