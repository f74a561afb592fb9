"""`kiosk audit`: the accessibility audit passes on the registered screens, and a deliberately
broken screen (registered only inside the test's own audit process) is caught: a too-small
button, low-contrast text, a missing Arabic label and clipped text, each with its numbers.
Every audit runs in its own process under Xvfb."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KIOSK = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]

BROKEN_SCREEN = textwrap.dedent('''
    """A screen that breaks the rules on purpose, for the audit's own tests."""
    from kivy.uix.boxlayout import BoxLayout

    from screens.base import KioskScreen
    from screens.context import ui
    from screens.widgets.button import KButton
    from screens.widgets.layout import column
    from screens.widgets.text import KText


    class BrokenScreen(KioskScreen):
        screen_name = "broken"
        title = "Settings"
        summary = "Settings"

        def build_content(self):
            u = ui().units
            tiny = KButton(kiosk_id="broken.tiny", label={"ar": "صغير", "en": "Tiny"},
                           size_hint_x=None, width=u.mm(8))
            pale = KText(logical="Pale grey words", fg="#A0A0A0")
            english_only = KButton(kiosk_id="broken.english_only",
                                   label={"en": "Only in English"})
            box = BoxLayout(size_hint_y=None, height=u.mm(6))
            box.add_widget(KText(logical="This sentence is taller than the box it sits in."))
            return column(tiny, pale, english_only, box)


    class CrashingScreen(KioskScreen):
        screen_name = "crashing"
        title = "Settings"
        summary = "Settings"

        def build_content(self):
            raise RuntimeError("the catalogue has no such thing")
''')

# Registers the broken screen in this process only, then runs the real command.
DRIVER = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    from screens import registry
    registry.SCREENS["broken"] = "broken_screen:BrokenScreen"
    registry.SCREENS["crashing"] = "broken_screen:CrashingScreen"
    from kiosk.cli import main
    sys.exit(main(sys.argv[2:]))
''')


@pytest.fixture(scope="session")
def kiosk_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kiosk-home-audit")


def _env(display: str, home: Path) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(home))
    env.pop("KIOSK_PX_PER_MM", None)
    return env


def test_audit_json_passes_on_every_registered_screen(display, kiosk_home):
    from screens import registry

    proc = subprocess.run([*KIOSK, "audit", "--json"], cwd=ROOT,
                          env=_env(display, kiosk_home), capture_output=True, text=True,
                          timeout=900)
    report = json.loads(proc.stdout)
    failures = "\n".join(f"{f['screen']}/{f['lang']}/{f['theme']}/x{f['scale']} {f['widget']} "
                         f"{f['check']}: {f['message']}" for f in report["failures"][:40])
    assert proc.returncode == 0, f"{report['counts']['failures']} failures:\n{failures}"
    assert report["ok"] and report["failures"] == []
    assert report["screens"] == list(registry.SCREENS)
    n = len(registry.SCREENS)
    # 2 languages x 3 themes x 2 text scales, a reach pass and a speech pass in each language.
    assert report["counts"]["combinations"] == n * (2 * 3 * 2 + 2 + 2)
    assert report["counts"]["combinations_done"] == report["counts"]["combinations"]
    # Every check really ran, and on every screen's widgets.
    for name in ("text_contrast", "non_text_contrast", "focus_ring", "cap_height",
                 "text_clipped", "overlap", "outside_window", "target_size", "target_gap",
                 "reach", "nav_bar", "focus_reaches", "focus_order", "focus_trap", "kiosk_id",
                 "labels"):
        assert report["checks"][name]["checked"] > 0, name
    assert report["checks"]["nav_bar"]["checked"] == report["counts"]["combinations"]


@pytest.fixture(scope="module")
def broken_audit(display, kiosk_home, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("broken-screen")
    (tmp / "broken_screen.py").write_text(BROKEN_SCREEN, encoding="utf-8")
    out = tmp / "report.json"
    env = _env(display, kiosk_home)
    env.pop("DISPLAY")  # the audit starts its own Xvfb
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(tmp), "audit", "--screen",
                           "broken", "--screen", "crashing", "--out", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True,
                          timeout=300)
    return proc, json.loads(out.read_text(encoding="utf-8"))


def _failures(report: dict, check: str, widget: str) -> list[dict]:
    return [f for f in report["failures"] if f["check"] == check and f["widget"] == widget]


def test_broken_screen_fails_the_audit_with_one_line_per_failure_and_a_summary(broken_audit):
    proc, report = broken_audit
    assert proc.returncode == 1
    assert not report["ok"]
    lines = proc.stdout.strip().splitlines()
    assert all(line.startswith(("FAIL broken/", "FAIL crashing/")) for line in lines[:-1])
    assert lines[-1].startswith(f"audit FAILED: {report['counts']['failures']} failures on 2 "
                                "screen(s)")
    assert "the accessibility audit found" in proc.stderr
    assert "Traceback" not in proc.stderr
    tiny = [line for line in lines
            if line.startswith("FAIL broken/en/standard/x1 broken.tiny target_size: 8.0 x ")]
    assert len(tiny) == 1 and tiny[0].endswith("mm, needs at least 16 x 16 mm")


def test_too_small_button_is_caught_with_its_size_in_mm(broken_audit):
    _proc, report = broken_audit
    found = _failures(report, "target_size", "broken.tiny")
    assert len(found) == 16  # every language, theme and scale, the reach and speech passes
    # 8 mm wide (its label wraps letter by letter, so it is tall): width is what fails.
    assert found[0]["measured"][0] == 8.0 and found[0]["required"] == 16
    assert found[0]["item"] == "8"


def test_low_contrast_text_is_caught_against_the_colour_drawn_behind_it(broken_audit):
    _proc, report = broken_audit
    found = _failures(report, "text_contrast", "text 'Pale grey words'")
    themes = {f["theme"] for f in found}
    # #A0A0A0 is pale on the light themes and fine on high contrast's black.
    assert themes == {"standard", "inverted"}
    standard = next(f for f in found if f["theme"] == "standard")
    assert "#A0A0A0 on #F7F5F0" in standard["message"]
    assert standard["measured"] < 3 and standard["required"] == 7


def test_missing_arabic_label_is_caught(broken_audit):
    _proc, report = broken_audit
    found = _failures(report, "labels", "broken.english_only")
    assert found and all(f["message"] == "no Arabic label" for f in found)
    assert {f["lang"] for f in found} == {"ar", "en"}


def test_clipped_text_is_caught_at_text_scale_2(broken_audit):
    _proc, report = broken_audit
    found = [f for f in report["failures"] if f["check"] == "text_clipped"
             and f["widget"].startswith("text 'This sentence is taller")]
    assert {f["scale"] for f in found} >= {2.0}
    assert all("sticks out of its BoxLayout" in f["message"] for f in found)
    assert all(f["measured"] > 0 for f in found)


def test_a_screen_that_does_not_build_is_a_failure_and_the_audit_goes_on(broken_audit):
    _proc, report = broken_audit
    crashed = [f for f in report["failures"] if f["screen"] == "crashing"]
    assert len(crashed) == 16 and {f["check"] for f in crashed} == {"build"}
    assert "RuntimeError: the catalogue has no such thing" in crashed[0]["message"]
    assert report["counts"]["combinations_done"] == report["counts"]["combinations"] == 32


def test_the_foundation_parts_of_a_broken_screen_raise_nothing(broken_audit):
    _proc, report = broken_audit
    assert report["screens"] == ["broken", "crashing"]
    # The foundation's parts of the broken screen (title, bar, scroll area) raise nothing.
    assert not [f for f in report["failures"] if f["widget"].startswith("nav.")]
    assert report["checks"]["nav_bar"]["failed"] == 0
