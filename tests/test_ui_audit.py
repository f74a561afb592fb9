"""`kiosk audit`: the accessibility audit passes on the registered screens with no failure, and
deliberately broken screens (registered only inside the test's own audit process) are caught: a too-small button, low-contrast text, a missing Arabic
label, clipped text, pictures without a text alternative beside them, a focus ring too thin
and one nobody can see, each with its numbers. The focus ring on screen is as thick as the
audit reads it from the canvas. Every audit runs in its own process under Xvfb."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import KIOSK, ROOT, kiosk_env, walk_ok

BROKEN_SCREEN = textwrap.dedent('''
    """Screens that break the rules on purpose, for the audit's own tests."""
    from pathlib import Path

    from kivy.graphics import Color, Line
    from kivy.uix.boxlayout import BoxLayout

    from screens.base import KioskScreen
    from screens.context import ui
    from screens.themes import rgba
    from screens.widgets.button import KButton
    from screens.widgets.easyread import Pictogram
    from screens.widgets.layout import column, row
    from screens.widgets.pictures import Picture, QRCode
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
            faint = row(Pictogram("phone", fg="#A0A0A0"),
                        KText(logical="Call us", fg="text", pos_hint={"top": 1}))
            return column(tiny, pale, english_only, box, faint)


    PNG = str(Path(__file__).with_name("red.png"))


    class ThinRingButton(KButton):
        """Draws the kiosk's two-band focus ring, each band one pixel wide."""

        def _redraw(self, *a):
            super()._redraw(*a)
            if self.focused:
                t = ui().theme
                self.canvas.after.clear()
                with self.canvas.after:
                    Color(*rgba(t.focus))
                    Line(rectangle=(self.x - 1, self.y - 1, self.width + 2, self.height + 2),
                         width=1)
                    Color(*rgba(t.focus_inner))
                    Line(rectangle=(self.x + 1, self.y + 1, self.width - 2, self.height - 2),
                         width=1)


    class PaleRingButton(KButton):
        """Draws a ring as thick as required, in the colour of the screen behind it."""

        def _redraw(self, *a):
            super()._redraw(*a)
            if self.focused:
                ring = ui().units.focus_ring
                self.canvas.after.clear()
                with self.canvas.after:
                    Color(*rgba(ui().theme.bg))
                    Line(rectangle=(self.x - ring / 2, self.y - ring / 2,
                                    self.width + ring, self.height + ring), width=ring / 2)


    class FiguresScreen(KioskScreen):
        screen_name = "figures"
        title = "Settings"
        summary = "Settings"

        def build_content(self):
            u = ui().units
            ar = ui().lang == "ar"
            return column(
                # 1: its caption is in English on the Arabic screen too
                Picture(path=PNG, box_height=u.mm(20)),
                KText(logical="A red square", lang="en"),
                # 2: another picture after it, picture 1's caption before it
                Picture(path=PNG, box_height=u.mm(20)),
                # 3: captioned as the product screen does it
                Picture(path=PNG, box_height=u.mm(20)),
                KText(logical="الصورة 3: مربع أحمر" if ar else "Picture 3: a red square"),
                # 4: a caption that names it and stops; picture 3's caption before it
                Picture(path=PNG, box_height=u.mm(20)),
                KText(logical="الصورة 4:" if ar else "Picture 4:"),
                ThinRingButton(kiosk_id="figures.thin_ring",
                               label={"ar": "حلقة رفيعة", "en": "Thin ring"}),
                PaleRingButton(kiosk_id="figures.pale_ring",
                               label={"ar": "حلقة باهتة", "en": "Pale ring"}),
                # 5: a control before the QR code, only its address after it
                QRCode(data="https://madeinoman.example/p/1"),
                KText(logical="https://madeinoman.example/p/1", lang="en"))


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
    registry.SCREENS["figures"] = "broken_screen:FiguresScreen"
    registry.SCREENS["crashing"] = "broken_screen:CrashingScreen"
    from kiosk.cli import main
    sys.exit(main(sys.argv[2:]))
''')


def test_audit_json_passes_on_every_registered_screen(display, kiosk_home):
    from screens import registry

    proc = subprocess.run([*KIOSK, "audit", "--json"], cwd=ROOT,
                          env=kiosk_env(display, kiosk_home), capture_output=True, text=True,
                          timeout=1800)
    report = json.loads(proc.stdout)
    found = report["failures"]
    failures = "\n".join(f"{f['screen']}/{f['lang']}/{f['theme']}/x{f['scale']} {f['widget']} "
                         f"{f['check']}: {f['message']}" for f in found[:40])
    assert not found, f"{len(found)} failures:\n{failures}"
    assert proc.returncode == 0
    assert report["screens"] == list(registry.SCREENS)
    assert report["text_scales"] == [1.0, 1.5, 2.0]
    from screens.audit import EASY_READ_SCREENS, audit_entries

    # Every screen, and a screen with pages (the setup wizard's steps and their states, the
    # PIN pad, the technician panel and its log view) once per page.
    n = len(audit_entries(list(registry.SCREENS)))
    assert n == len(registry.SCREENS) - len(registry.AUDIT_PAGES) + sum(
        len(pages) for pages in registry.AUDIT_PAGES.values())
    # The product's sign-language panel is audited on content with a clip
    # (tests/test_ui_sign_video.py); the demo carries no signing, so it is skipped here.
    assert report["skipped_pages"] == ["product:sign"]
    n -= 1
    assert len(report["pages"]) == n
    technician = [p for p in report["pages"] if p.startswith(("setup:", "technician_pin:",
                                                              "admin:"))]
    assert set(technician) >= {
        "setup:screen", "setup:touch-done", "setup:keypad-listening", "setup:keypad-mismatch",
        "setup:sound-answered", "setup:network-failed", "setup:provision-done",
        "setup:summary-done", "technician_pin:pad", "technician_pin:as_set", "admin:panel",
        "admin:logs"}
    # 2 languages x 3 themes x 3 text scales, a reach pass and a speech pass in each language;
    # the reading screens again with Easy Read on, in each language and theme at scales 1, 2.
    assert report["counts"]["combinations"] == n * (2 * 3 * 3 + 2 + 2) + \
        len(EASY_READ_SCREENS) * 2 * 3 * 2
    assert report["counts"]["combinations_done"] == report["counts"]["combinations"]
    # Every check really ran, and on every screen's widgets.
    for name in ("text_contrast", "non_text_contrast", "focus_ring", "focus_ring_thickness",
                 "cap_height", "text_clipped", "overlap", "outside_window", "picture_alt",
                 "target_size", "target_gap", "reach", "nav_bar", "focus_reaches",
                 "focus_order", "focus_trap", "kiosk_id", "labels", "pictogram_contrast"):
        assert report["checks"][name]["checked"] > 0, name
    assert report["checks"]["nav_bar"]["checked"] == report["counts"]["combinations"]
    assert report["checks"]["focus_ring_thickness"]["checked"] == \
        report["checks"]["focus_ring"]["checked"]
    # The product screen's picture and its QR code, in every combination.
    combos_per_screen = report["counts"]["combinations"] // n
    assert report["checks"]["picture_alt"]["checked"] >= 2 * combos_per_screen


@pytest.fixture(scope="module")
def broken_audit(display, kiosk_home, tmp_path_factory):
    from central.content import make_png

    tmp = tmp_path_factory.mktemp("broken-screen")
    (tmp / "broken_screen.py").write_text(BROKEN_SCREEN, encoding="utf-8")
    (tmp / "red.png").write_bytes(make_png(32, 20, (200, 30, 30)))
    out = tmp / "report.json"
    env = kiosk_env(display, kiosk_home)
    env.pop("DISPLAY")  # the audit starts its own Xvfb
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(tmp), "audit", "--screen",
                           "broken", "--screen", "figures", "--screen", "crashing", "--out",
                           str(out)], cwd=ROOT,
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
    assert all(line.startswith(("FAIL broken/", "FAIL figures/", "FAIL crashing/"))
               for line in lines[:-1])
    assert lines[-1].startswith(f"audit FAILED: {report['counts']['failures']} failures on 3 "
                                "screen(s)")
    assert "the accessibility audit found" in proc.stderr
    assert "Traceback" not in proc.stderr
    tiny = [line for line in lines
            if line.startswith("FAIL broken/en/standard/x1 broken.tiny target_size: 8.0 x ")]
    assert len(tiny) == 1 and tiny[0].endswith("mm, needs at least 16 x 16 mm")


def test_too_small_button_is_caught_with_its_size_in_mm(broken_audit):
    _proc, report = broken_audit
    found = _failures(report, "target_size", "broken.tiny")
    assert len(found) == 22  # every language, theme and scale, the reach and speech passes
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


def test_a_pictogram_too_faint_against_the_screen_is_caught_in_the_light_themes(broken_audit):
    _proc, report = broken_audit
    found = _failures(report, "pictogram_contrast", "pictogram phone")
    assert {f["theme"] for f in found} == {"standard", "inverted"}
    standard = next(f for f in found if f["theme"] == "standard")
    assert "#A0A0A0 on #F7F5F0" in standard["message"]
    assert standard["measured"] < 3 and standard["required"] == 3
    assert standard["item"] == "1"


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
    assert len(crashed) == 22 and {f["check"] for f in crashed} == {"build"}
    assert "RuntimeError: the catalogue has no such thing" in crashed[0]["message"]
    assert report["counts"]["combinations_done"] == report["counts"]["combinations"] == 66


def test_the_foundation_parts_of_a_broken_screen_raise_nothing(broken_audit):
    _proc, report = broken_audit
    assert report["screens"] == ["broken", "figures", "crashing"]
    # The foundation's parts of the broken screen (title, bar, scroll area) raise nothing.
    assert not [f for f in report["failures"] if f["widget"].startswith("nav.")]
    assert report["checks"]["nav_bar"]["failed"] == 0


def test_pictures_without_a_text_alternative_beside_them_are_caught(broken_audit):
    _proc, report = broken_audit

    def found(widget: str) -> dict[str, dict]:
        return {f["lang"]: f for f in report["failures"]
                if f["check"] == "picture_alt" and f["screen"] == "figures"
                and f["widget"] == widget and not f["reach"] and not f["speech"]
                and f["theme"] == "standard" and f["scale"] == 1.0}

    # Checked in every combination, each of the five pictures
    # (and the broken screen's pictogram, which its sentence beside it describes).
    assert report["checks"]["picture_alt"]["checked"] == 5 * 22 + 22
    # 1: its only caption is in English: fine in English, missing in Arabic.
    first = found("Picture 1 of 5 red.png")
    assert set(first) == {"ar"}
    assert first["ar"]["message"] == (
        "no text alternative in Arabic beside it: after it is 'A red square', in English, "
        "not the screen's language; before it is nothing")
    assert first["ar"]["item"] == "6"
    # 2: the text before it is picture 1's: one text is not two pictures' alternative.
    second = found("Picture 2 of 5 red.png")
    assert set(second) == {"ar", "en"}
    assert second["en"]["message"].endswith("after it is a Picture, not a text; before it is "
                                            "the text alternative of another picture")
    # 3: captioned the way the product screen does it.
    assert found("Picture 3 of 5 red.png") == {}
    # 4: "Picture 4:" with nothing after the colon; picture 3's caption before it.
    fourth = found("Picture 4 of 5 red.png")
    assert set(fourth) == {"ar", "en"}
    assert "'Picture 4:', which names a picture but says nothing about it; before it is " \
           "the text alternative of another picture" in fourth["en"]["message"]
    # 5: the QR code has a control before it and only the address it holds after it.
    qr = found("QRCode 'https://madeinoman.example/p/1'")
    assert set(qr) == {"ar", "en"}
    assert qr["en"]["message"].endswith(
        "after it is the web address 'https://madeinoman.example/p/1', not a description; "
        "before it is a PaleRingButton, not a text")


def test_a_focus_ring_too_thin_is_caught_with_its_thickness(broken_audit):
    _proc, report = broken_audit
    thin = _failures(report, "focus_ring_thickness", "figures.thin_ring")
    assert len(thin) == 22  # every combination
    # One pixel at 4 px/mm, read from the Line Kivy draws (less where a scroll area cuts it).
    assert all(f["measured"] <= 0.25 and f["required"] == 2.0 for f in thin)
    assert all(f["item"] == "7" for f in thin)
    standard = next(f for f in thin if f["theme"] == "standard" and f["scale"] == 1.0
                    and f["lang"] == "en" and not f["reach"])
    assert standard["message"] == (
        "the focus ring shows 0.25 mm on its left side and 0.25 mm on its bottom side and "
        "0.25 mm on its right side and 0.25 mm on its top side outside the control (band "
        "drawn 0.25 mm wide, inner band 0.25 mm); needs 2 mm")
    # Its colour is the theme's focus colour: thickness is what fails, not contrast.
    assert _failures(report, "focus_ring", "figures.thin_ring") == []


def test_a_focus_ring_in_the_colour_behind_it_is_caught_in_every_theme(broken_audit):
    _proc, report = broken_audit
    pale = _failures(report, "focus_ring", "figures.pale_ring")
    assert {f["theme"] for f in pale} == {"standard", "high_contrast", "inverted"}
    assert len(pale) == 22
    assert all(f["measured"] == 1.0 and f["required"] == 3 for f in pale)
    standard = next(f for f in pale if f["theme"] == "standard" and f["lang"] == "en")
    # One band: against what is behind it and against the control's fill.
    assert standard["message"] == ("focus ring #F7F5F0 on #F7F5F0 is 1.00:1, on the control's "
                                   "fill #0B3954 is 11.16:1; needs 3:1")
    # It is as thick as required: only its contrast fails.
    assert [f for f in _failures(report, "focus_ring_thickness", "figures.pale_ring")
            if "with the app's own focus" not in f["message"]] == []


def test_the_focus_ring_on_screen_is_as_thick_as_the_audit_reads_it(display, kiosk_home,
                                                                     tmp_path):
    """The audit reads a Kivy Line of width w as 2w px across (the extended build offsets the
    path by w each side): the pixels of a focused control agree."""
    from PIL import Image

    from kiosk.units import FOCUS_RING_MM
    from screens.themes import STANDARD, hex_to_rgb

    walked = walk_ok(display, kiosk_home, tmp_path, "settings", lang="en", theme="standard",
                     steps=[{"key": "down"}, {"shot": "ring"}])
    shot = Path(walked["shots"][0])
    r = walked["reports"][-1]
    focused = [b for b in r["buttons"] if b["focused"]]
    assert len(focused) == 1
    x, y, w, h = focused[0]["rect"]
    img = Image.open(shot).convert("RGB")
    row = round(img.height - (y + h / 2))  # the PNG's rows run from the top

    def colour(c: str) -> tuple[int, ...]:
        return tuple(round(v * 255) for v in hex_to_rgb(c))

    def run_of(c: str, start: int, step: int) -> int:
        n, px = 0, start
        while 0 <= px < img.width and img.getpixel((px, row)) == colour(c):
            n, px = n + 1, px + step
        return n

    ring_px = round(FOCUS_RING_MM * r["px_per_mm"])
    left = round(x)
    # The outer band: ring_px of the focus colour just outside the control's left edge...
    assert run_of(STANDARD.focus, left - 1, -1) == ring_px
    assert img.getpixel((left - ring_px - 1, row)) != colour(STANDARD.focus)
    # ...and the inner band, half as wide, a quarter of the ring inside the edge.
    assert run_of(STANDARD.focus_inner, left + ring_px // 4, 1) == ring_px // 2
