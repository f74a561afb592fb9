"""The on-screen keyboard: it edits the logical string (append at the end, Delete removes the
last letter with its harakat), shows it shaped, speaks every key in both languages, masks what
is private, and keeps its keys at least 16 mm wide and 2.5 mm apart at every text scale."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from screens.textlayout import shape_line
from tests.helpers import PX_PER_MM, ROOT, kiosk_env, walk


def field(report: dict) -> dict:
    """The keyboard's text field: the text right after its label."""
    texts = report["texts"]
    labels = {"What are you looking for?", "عمّ تبحث؟"}
    i = next(i for i, t in enumerate(texts) if t["logical"] in labels)
    return texts[i + 1]


def key_rects(report: dict) -> dict[str, list[float]]:
    return {b["id"]: b["rect"] for b in report["buttons"] if b["id"].startswith("key.")}


def test_pure_editing_and_speech_helpers(display, kiosk_home):
    """Run in a child process: the module imports Kivy, which stays out of the test process."""
    code = r"""
import json
from screens.widgets.keyboard import key_words, remove_last, spoken_text
print(json.dumps({
    "harakat": remove_last("كتبَ"),
    "shadda": remove_last("محمّدٌ"),
    "plain": remove_last("قهوه"),
    "latin": remove_last("tea"),
    "empty": remove_last(""),
    "letter_en": key_words("ب", "en"), "letter_ar": key_words("ب", "ar"),
    "digit_en": key_words("3", "en"), "at_en": key_words("@", "en"),
    "at_ar": key_words("@", "ar"),
    "masked": spoken_text("abc", "en", masked=True),
    "masked_ar": spoken_text("ab", "ar", masked=True),
    "private": spoken_text("Sara", "en", private=True),
    "nothing": spoken_text("", "en"),
}, ensure_ascii=False))
"""
    env = kiosk_env(display, kiosk_home, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["harakat"] == "كت"  # the letter and its fatha go together
    assert r["shadda"] == "محمّ"  # the dal goes with its tanween; the shadda stays
    assert r["plain"] == "قهو"
    assert r["latin"] == "te"
    assert r["empty"] == ""
    assert (r["letter_en"], r["letter_ar"]) == ("letter ب", "حرف ب")
    assert r["digit_en"] == "digit 3"
    assert (r["at_en"], r["at_ar"]) == ("at sign", "علامة آت")
    assert r["masked"] == "asterisk asterisk asterisk"
    assert r["masked_ar"] == "نجمة نجمة"
    assert r["private"] == "hidden"
    assert r["nothing"] == "empty"


def test_typing_arabic_shows_the_shaped_text_and_delete_edits_the_logical_string(
        display, kiosk_home, tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "قهوه"}, {"report": True},
        {"tap": "key.backspace"}, {"report": True},
        {"tap": "key.space"}, {"type": "ب"}, {"report": True},
    ], lang="ar", speech=True)
    assert r["errors"] == []
    typed, deleted, spaced = r["reports"][:3]
    f = field(typed)
    assert f["logical"] == "قهوه"
    assert f["rtl"] and f["lines_display"] == [shape_line("قهوه", True)]
    assert f["lines_display"] != ["قهوه"]  # joined letters, not the raw codepoints
    assert typed["session"]["entered"]["search.query"] == "قهوه"
    assert field(deleted)["logical"] == "قهو"
    assert deleted["session"]["entered"]["search.query"] == "قهو"
    assert spaced["session"]["entered"]["search.query"] == "قهو ب"
    # Speech echoed the letters and the deletion in Arabic.
    assert "ه" in typed["spoken"] and "حُذف ه" in deleted["spoken"]


def test_layout_key_switches_between_arabic_english_and_digits(display, kiosk_home,
                                                               tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"report": True}, {"tap": "key.layout"}, {"report": True},
        {"tap": "key.digits"}, {"report": True},
        {"tap": "key.layout"}, {"report": True},
    ], lang="ar")
    ar, en, digits, back = (set(key_rects(x)) for x in r["reports"][:4])
    assert {"key.ب", "key.لا", "key.ة", "key.space", "key.backspace", "key.layout",
            "key.done"} <= ar
    assert "key.a" not in ar
    assert {"key.a", "key.z", "key.shift"} <= en and "key.ب" not in en
    assert {"key.1", "key.٣", "key.@", "key.."} <= digits
    assert "key.a" in back  # from digits, back to the letters that were showing


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_keys_are_16_mm_and_2_5_mm_apart_and_inside_the_window_at_every_scale(
        display, kiosk_home, tmp_path, lang):
    steps: list[dict] = []
    for _scale in (1, 1.5, 2):  # one app, the visitor's text size button between layouts
        steps += [{"report": True}, {"tap": "key.layout"}, {"report": True},
                  {"tap": "key.digits"}, {"report": True}, {"tap": "key.layout"},
                  {"call": "next_text_scale"}]
    r = walk(display, kiosk_home, tmp_path, "search", steps, lang=lang)
    assert r["errors"] == []
    scales = [rep["session"]["text_scale"] for rep in r["reports"][:9]]
    assert scales == [1.0] * 3 + [1.5] * 3 + [2.0] * 3
    target, gap = 16 * PX_PER_MM, 2.5 * PX_PER_MM
    for rep in r["reports"][:9]:
        width = rep["window"][0]
        rects = key_rects(rep)
        assert len(rects) > 10
        for kid, (x, _y, w, h) in rects.items():
            assert w >= target - 0.5 and h >= target - 0.5, (kid, w, h)
            assert x >= -0.5 and x + w <= width + 0.5, kid
        items = list(rects.items())
        for i, (a, ra) in enumerate(items):
            for b, rb in items[i + 1:]:
                ax, ay, aw, ah = ra
                bx, by, bw, bh = rb
                apart = (ax + aw + gap - 0.5 <= bx or bx + bw + gap - 0.5 <= ax or
                         ay + ah + gap - 0.5 <= by or by + bh + gap - 0.5 <= ay)
                assert apart, (a, b)
        # Nothing on the keys is wider than its key: no label is cut off.
        for t in rep["texts"]:
            assert all(lw <= t["rect"][2] + 0.5 for lw in t["line_widths"]), t["logical"]


def test_capital_letter_key_types_one_capital(display, kiosk_home, tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"tap": "key.shift"}, {"tap": "key.H"}, {"tap": "key.i"}], lang="en")
    assert r["errors"] == []
    assert r["reports"][-1]["session"]["entered"]["search.query"] == "Hi"


def test_the_done_key_reads_back_what_was_typed_and_private_text_as_hidden(display,
                                                                          kiosk_home,
                                                                          tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "tea"}, {"focus": "key.done"}, {"focus": "key.t"}], lang="en", speech=True)
    assert r["errors"] == []
    spoken = r["reports"][-1]["spoken"]
    assert any("Done. Typed so far: tea" in said for said in spoken)
    assert any("letter t" in said for said in spoken)
    r = walk(display, kiosk_home, tmp_path, "feedback", [
        {"tap": "feedback.kind.comment"}, {"type": "hi"}, {"tap": "key.done"},
        {"tap": "feedback.consent"}, {"tap": "feedback.contact.name"}, {"type": "Ali"},
        {"focus": "key.done"}, {"tap": "key.done"}, {"focus": "feedback.contact.name"}],
        lang="en", speech=True)
    assert r["errors"] == []
    spoken = r["reports"][-1]["spoken"]
    assert any("Done. Typed so far: hidden" in said for said in spoken)
    assert any("Your name, hidden" in said for said in spoken)
    assert not any("Ali" in s for s in spoken)


def test_a_message_starts_with_a_capital_letter_without_looking_for_the_key(display,
                                                                           kiosk_home,
                                                                           tmp_path):
    r = walk(display, kiosk_home, tmp_path, "feedback", [
        {"tap": "feedback.kind.comment"}, {"tap": "key.layout"}, {"report": True},
        {"tap": "key.H"}, {"report": True}], lang="ar")
    assert r["errors"] == []
    start, after = r["reports"][:2]
    assert "key.H" in key_rects(start) and "key.h" not in key_rects(start)
    shift = next(b for b in start["buttons"] if b["id"] == "key.shift")
    assert shift["selected"] and shift["text"].endswith("مفعّل")
    assert "key.e" in key_rects(after)
    assert after["session"]["entered"]["feedback.text"] == "H"
