"""The real app, each run in its own process under Xvfb (Kivy opens one window per process):
screenshots, Arabic line order on the text widget, target sizes, slide-off cancel, reach mode,
the idle warning and session end, text scale 2 without clipping, landscape."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import KIOSK, PX_PER_MM, ROOT, button, kiosk_env, last, walk_ok

# -- screenshot -------------------------------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_home_in_arabic_is_a_png_of_the_screen_size(display, kiosk_home,
                                                                   tmp_path):
    out = tmp_path / "home.png"
    proc = subprocess.run(
        [*KIOSK, "screenshot", "home", "--lang", "ar", "--out",
         str(out)], cwd=ROOT, env=kiosk_env(display, kiosk_home), capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert png_size(out) == (1080, 1920)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home.png"]  # no x0001.png left


def test_screenshot_starts_its_own_xvfb_when_there_is_no_display(display, kiosk_home,
                                                                 tmp_path):
    out = tmp_path / "settings.png"
    env = kiosk_env(display, kiosk_home)
    env.pop("DISPLAY")
    proc = subprocess.run(
        [*KIOSK, "screenshot", "settings", "--lang", "en",
         "--theme", "high_contrast", "--size", "1920x1080", "--out", str(out)], cwd=ROOT,
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert png_size(out) == (1920, 1080)


def test_screenshot_of_an_unknown_screen_is_one_readable_line(display, kiosk_home, tmp_path):
    proc = subprocess.run(
        [*KIOSK, "screenshot", "nowhere", "--out",
         str(tmp_path / "x.png")], cwd=ROOT, env=kiosk_env(display, kiosk_home),
        capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stderr.startswith("kiosk: unknown screen 'nowhere'")
    assert "Traceback" not in proc.stderr


# -- text --------------------------------------------------------------------------------------

def test_multiline_arabic_renders_its_lines_top_to_bottom_in_reading_order(display, kiosk_home,
                                                                          tmp_path):
    from screens.textlayout import shape_line

    r = last(walk_ok(display, kiosk_home, tmp_path, "contact", lang="ar", text_scale=2))
    multi = [t for t in r["texts"] if t["lang"] == "ar" and len(t["lines_logical"]) > 1
             and "\n" not in t["logical"]]
    assert multi, "expected a wrapped Arabic text on the contact screen at text scale 2"
    for t in multi:
        # Lines in logical order, top to bottom, add up to the whole text.
        assert " ".join(t["lines_logical"]) == " ".join(t["logical"].split())
        assert t["line_tops"] == sorted(t["line_tops"])
        # Each line is shaped and reordered on its own.
        assert t["lines_display"] == [shape_line(line, True) for line in t["lines_logical"]]
        # Right aligned: the widget is right to left.
        assert t["rtl"]


@pytest.mark.parametrize("screen", ["home", "settings", "contact", "attract"])
def test_at_text_scale_2_no_line_is_wider_than_its_text_and_nothing_leaves_the_window(
        display, kiosk_home, tmp_path, screen):
    r = last(walk_ok(display, kiosk_home, tmp_path, screen, lang="ar", text_scale=2))
    width = r["window"][0]
    for t in r["texts"]:
        x, _y, w, _h = t["rect"]
        assert all(lw <= w + 0.5 for lw in t["line_widths"]), t["logical"]
        assert x >= -0.5 and x + w <= width + 0.5, t["logical"]
    for b in r["buttons"]:
        x, _y, w, _h = b["rect"]
        assert x >= -0.5 and x + w <= width + 0.5, b["id"]


# -- touch -------------------------------------------------------------------------------------

def visible(report: dict) -> list[dict]:
    """Buttons as a finger meets them: those in the scroll area cut to its viewport, those
    scrolled out of it left out."""
    if report["scroll"] is None:
        return report["buttons"]
    vx, vy, vw, vh = report["scroll"]["rect"]
    out = []
    for b in report["buttons"]:
        if not b["in_scroll"]:
            out.append(b)
            continue
        x, y, w, h = b["rect"]
        top, bottom = min(y + h, vy + vh), max(y, vy)
        if top - bottom >= h - 0.5:  # wholly in view: a cut-off one is scrolled, not small
            out.append(b)
    return out


def _overlaps(a, b, gap: float) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return not (ax + aw + gap <= bx + 0.5 or bx + bw + gap <= ax + 0.5 or
                ay + ah + gap <= by + 0.5 or by + bh + gap <= ay + 0.5)


@pytest.mark.parametrize("screen,lang,scale", [("home", "ar", 1), ("settings", "en", 1),
                                                ("home", "en", 2), ("attract", "ar", 1.5)])
def test_every_target_is_16_mm_and_2_5_mm_from_the_next(display, kiosk_home, tmp_path,
                                                         screen, lang, scale):
    r = last(walk_ok(display, kiosk_home, tmp_path, screen, lang=lang, text_scale=scale))
    target, gap = 16 * PX_PER_MM, 2.5 * PX_PER_MM
    buttons = visible(r)
    assert {"nav.home", "nav.back", "nav.lang", "nav.text_size", "nav.contrast", "nav.speak",
            "nav.help"} <= {b["id"] for b in buttons}
    assert any(b["in_scroll"] for b in buttons)  # the content's own controls are checked too
    for b in buttons:
        assert b["rect"][2] >= target - 0.5 and b["rect"][3] >= target - 0.5, b["id"]
    # A target scrolled partly out of the content area is clipped by it: only its visible part
    # can be touched, so only that part must keep its distance from the bar.
    seen = [(b["id"], _visible(b, r["scroll"])) for b in buttons]
    seen = [(i, rect) for i, rect in seen if rect is not None]
    for n, (a, ra) in enumerate(seen):
        for b, rb in seen[n + 1:]:
            assert not _overlaps(ra, rb, gap - 0.5), (a, b)


@pytest.mark.parametrize("lang,scale", [("en", 1), ("ar", 1), ("ar", 1.5), ("en", 2)])
def test_home_tiles_fill_the_screen_above_the_bar_or_scroll(display, kiosk_home, tmp_path,
                                                            lang, scale):
    """Half of the home screen was empty: the tiles now share the height above the bar. Where
    they fit, the last row ends at the bottom of the content area (within its padding) and
    nothing scrolls; where the text is too large for that, the page scrolls instead."""
    r = last(walk_ok(display, kiosk_home, tmp_path, "home", lang=lang, text_scale=scale))
    tiles = [b for b in r["buttons"] if b["id"].startswith("home.")]
    assert len(tiles) >= 15
    scrolls = any(b["id"].startswith("scroll.") for b in r["buttons"])
    _vx, vy, _vw, vh = r["scroll"]["rect"]
    lowest = min(b["rect"][1] for b in tiles)  # window y grows upwards
    if not scrolls:
        assert lowest - vy <= 6 * PX_PER_MM, (lowest, vy)  # 4 mm padding, then the bar
        highest = max(b["rect"][1] + b["rect"][3] for b in tiles)
        assert vy + vh - highest <= 6 * PX_PER_MM
        heights = sorted({round(b["rect"][3]) for b in tiles})
        assert heights[0] >= 26 * PX_PER_MM  # grown past the least height a tile has
    else:
        assert scale > 1  # at text size 1 every tile fits the portrait screen


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_control_of_the_bar_carries_its_pictogram_back_turned_over_in_arabic(
        display, kiosk_home, tmp_path, lang):
    r = last(walk_ok(display, kiosk_home, tmp_path, "home", lang=lang, steps=[
        {"tap": "nav.speak"}, {"report": True}]))
    bar = {b["id"]: b for b in r["buttons"] if b["id"].startswith(("nav.", "speech."))}
    assert {k: v["pictogram"] for k, v in bar.items()} == {
        "nav.home": "home", "nav.back": "back", "nav.lang": "language",
        "nav.text_size": "text_size", "nav.contrast": "contrast", "nav.speak": "speak",
        "speech.pause": "pause", "nav.help": "help"}
    # The arrow points the way back: left in English, right in Arabic. Nothing else turns.
    assert [k for k, v in bar.items() if v["pictogram_mirrored"]] == (
        ["nav.back"] if lang == "ar" else [])


def _visible(button: dict, scroll: dict | None) -> list[float] | None:
    if scroll is None or button["id"].startswith(("nav.", "scroll.")):
        return button["rect"]
    x, y, w, h = button["rect"]
    _sx, sy, _sw, sh = scroll["rect"]
    top, bottom = min(y + h, sy + sh), max(y, sy)
    return [x, bottom, w, top - bottom] if top > bottom else None


def test_tap_activates_on_release_and_sliding_off_cancels(display, kiosk_home, tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="ar", steps=[
        {"touch_path": ["nav.lang", [540, 1000]]},  # pressed, slid off, lifted elsewhere
        {"report": True},
        {"tap": "nav.lang"},
        {"report": True},
    ])
    assert r["reports"][0]["session"]["lang"] == "ar"
    assert r["reports"][1]["session"]["lang"] == "en"


def test_home_tiles_open_their_screens_and_back_returns(display, kiosk_home, tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"tap": "home.settings"}, {"report": True}, {"tap": "nav.back"}])
    assert r["reports"][0]["screen"] == "settings"
    assert last(r)["screen"] == "home"


def test_focus_order_is_reading_order_mirrored_for_arabic(display, kiosk_home, tmp_path):
    ar = last(walk_ok(display, kiosk_home, tmp_path, "home", lang="ar"))
    en = last(walk_ok(display, kiosk_home, tmp_path, "home", lang="en"))

    def first_row(report):
        rects = {b["id"]: b["rect"] for b in report["buttons"]}
        order = [i for i in report["focus_order"] if i.startswith("home.")]
        top = rects[order[0]][1] + rects[order[0]][3]
        return [i for i in order if abs(rects[i][1] + rects[i][3] - top) < 2], rects

    row_ar, rects_ar = first_row(ar)
    row_en, rects_en = first_row(en)
    assert len(row_ar) > 1
    assert [rects_ar[i][0] for i in row_ar] == sorted((rects_ar[i][0] for i in row_ar),
                                                      reverse=True)
    assert [rects_en[i][0] for i in row_en] == sorted(rects_en[i][0] for i in row_en)
    # The bar comes after the content, in both languages.
    assert ar["focus_order"][-7:][0] in {"nav.home"}


def test_keypad_moves_focus_without_activating_and_action_activates(display, kiosk_home,
                                                                    tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"key": "down"}, {"report": True}, {"key": "action"}])
    first = r["reports"][0]
    focused = [b["id"] for b in first["buttons"] if b["focused"]]
    assert focused == [first["focus_order"][0]]
    assert first["screen"] == "home"
    assert last(r)["screen"] == first["focus_order"][0].removeprefix("home.")


def test_reach_mode_puts_every_control_in_the_lower_half(display, kiosk_home, tmp_path):
    for screen in ("home", "settings"):
        r = last(walk_ok(display, kiosk_home, tmp_path, screen, lang="en", reach=True))
        half = r["window"][1] / 2
        for b in r["buttons"]:
            if b["rect"][1] >= 0:  # scrolled out of view below is still below
                assert b["rect"][1] + b["rect"][3] <= half + 0.5, (screen, b["id"])


# -- time --------------------------------------------------------------------------------------

def test_idle_warning_continues_ten_times_then_more_time_then_session_ends(display,
                                                                          kiosk_home, tmp_path):
    steps = [{"tap": "lang.en"}]
    for _ in range(10):
        steps += [{"wait": 91}, {"tap": "idle.continue"}]
    steps += [{"wait": 91}, {"report": True}, {"tap": "idle.more_time"},
              {"report": True}, {"wait": 899}, {"report": True},
              {"tap": "nav.text_size"}, {"tap": "nav.contrast"},
              {"wait": 901}, {"report": True}, {"wait": 40}]
    r = walk_ok(display, kiosk_home, tmp_path, "attract", steps=steps)
    warned, continued, extended, warned_again, ended = r["reports"]
    assert warned["overlay"] == "idle" and warned["screen"] == "home"
    assert {b["id"] for b in warned["buttons"] if b["in_overlay"]} == {"idle.continue",
                                                                      "idle.more_time"}
    assert continued["overlay"] is None and continued["session"]["idle_s"] == 900
    assert extended["overlay"] is None
    assert warned_again["overlay"] == "idle"
    assert ended["screen"] == "attract" and ended["overlay"] is None
    s = ended["session"]
    assert (s["lang"], s["text_scale"], s["theme"], s["started"]) == ("ar", 1.0, "standard",
                                                                      False)


# -- layouts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("screen", ["attract", "home", "settings", "contact", "thanks"])
def test_landscape_lays_out_every_screen_inside_the_window(display, kiosk_home, tmp_path,
                                                           screen):
    r = last(walk_ok(display, kiosk_home, tmp_path, screen, lang="en", size="1920x1080"))
    assert r["window"] == [1920, 1080]
    for b in r["buttons"]:
        x, y, w, h = b["rect"]
        assert 0 <= x and x + w <= 1920.5, b["id"]
    assert all(b["rect"][3] >= 64 - 0.5 for b in r["buttons"])


def test_stale_content_shows_a_quiet_banner_and_nothing_else_changes(display, kiosk_home,
                                                                     tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"report": True}, {"stale": True}, {"report": True}])
    fresh, stale = r["reports"][0], r["reports"][1]
    banner = [t for t in stale["texts"] if t["logical"].startswith("Some information may be")]
    assert banner and not any(t["logical"].startswith("Some information may be")
                              for t in fresh["texts"])
    assert [b["id"] for b in fresh["buttons"]] == [b["id"] for b in stale["buttons"]]


def test_first_boot_runs_on_the_bundled_demo_catalogue(display, tmp_path):
    home = tmp_path / "fresh-home"
    r = last(walk_ok(display, home, tmp_path, "home", lang="en",
                   steps=[{"tap": "home.categories"}]))
    assert any(b["id"] == "category.dates_food" for b in r["buttons"])


def test_rendered_body_capitals_are_at_least_4_8_mm_tall(display, kiosk_home, tmp_path):
    """Measure the ink of a rendered 'H' at the body size: Kivy's font size is the em in
    pixels, so capitals come out at 0.714 of it (kiosk/units.py)."""
    script = (
        "from screens.runtime import configure_kivy; configure_kivy((400, 400), quiet=True)\n"
        "from kivy.core.window import Window\n"
        "from kivy.core.text import Label\n"
        "from kiosk.units import Units\n"
        "from screens.context import LATIN_FONT\n"
        "size = round(Units().font('body', 1.0))\n"
        "lbl = Label(text='H', font_name=LATIN_FONT, font_size=size); lbl.refresh()\n"
        "tex = lbl.texture; w, h = tex.size; px = tex.pixels\n"
        "rows = [y for y in range(h) if any(px[(y * w + x) * 4 + 3] > 128 for x in range(w))]\n"
        "print(max(rows) - min(rows) + 1)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                          env=kiosk_env(display, kiosk_home), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cap_px = int(proc.stdout.strip().splitlines()[-1])
    assert cap_px / PX_PER_MM >= 4.8


def test_slide_to_read_focuses_and_speaks_each_control_and_activates_nothing(display,
                                                                             kiosk_home,
                                                                             tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"tap": "nav.speak"},
        {"slide": ["home.categories", "home.governorates", "nav.help"]},
        {"report": True}])
    rep = last(r)
    assert rep["screen"] == "home" and rep["overlay"] is None  # nothing activated
    assert [b["id"] for b in rep["buttons"] if b["focused"]] == ["nav.help"]
    spoken = " | ".join(rep["spoken"])
    assert "Products by governorate" in spoken and "Help" in spoken


def test_a_quick_tap_with_a_small_tremor_still_activates(display, kiosk_home, tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"touch_path": ["home.settings", "home.settings"]}])
    assert last(r)["screen"] == "settings"


def test_help_held_then_a_control_explains_it_without_choosing_it(display, kiosk_home,
                                                                  tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"hold": "nav.help", "s": 1.2}, {"report": True},
        {"tap": "home.settings"}, {"report": True},
        {"tap": "help.close"}, {"tap": "nav.help"}])
    armed, explained, plain_help = r["reports"][0], r["reports"][1], last(r)
    assert button(armed, "nav.help")["selected"]
    assert explained["screen"] == "home" and explained["overlay"] == "help"
    assert any(t["logical"].startswith("Settings. To choose it, tap it.")
               for t in explained["texts"])
    # A quick tap on Help is the ordinary help for the screen.
    assert plain_help["overlay"] == "help" and plain_help["screen"] == "home"
