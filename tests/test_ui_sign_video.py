"""Sign language in the real app, in both languages, on a copy of the demo catalogue where the
sample product (and an FAQ entry) carry a clip made at test time (tests/sign_clip.py: a block
moving across a dark field, never anyone's signing): the product offers "Sign language", which
opens a panel that plays the clip without sound at a size a signer can be read at (its
position advances; the pixels in the clip's place are the clip's, not the panel's), with its
captions in the visitor's language; Pause holds it, Replay starts it again from 0, Close (or
Back) removes the panel; the keypad reaches every control; a product without a clip shows no
such control; and `kiosk audit` measures the open panel on its own."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from kiosk.i18n import _
from tests.helpers import KIOSK, ROOT, button, kiosk_env, walk_ok
from tests.sign_clip import BLOCK, demo_with_clips, install_in

WITH = "portland-cement"  # the product screen's sample product
WITHOUT = "sulphate-resistant-cement"  # same category, no clip
FAQ = "hear-screen"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> tuple[Path, dict]:
    """A kiosk home whose content is the demo plus one clip on WITH and on the FAQ entry."""
    root = tmp_path_factory.mktemp("sign-home")
    # Ten seconds: long enough that a slow machine's walk never reaches its end by chance.
    folder, video = demo_with_clips(root / "catalogue", {"product": [WITH], "faq": [FAQ]},
                                    seconds=10.0)
    install_in(root / "home", folder)
    return root / "home", video


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


def clip_pixels(shot: Path, drawn: list[float]) -> tuple[float, float]:
    """In the screenshot, where the clip is drawn: the mean colour's distance from the panel's
    white and the share of pixels near the clip's block colour."""
    im = Image.open(shot).convert("RGB")
    x, y, w, h = drawn
    top = im.height - (y + h)
    crop = im.crop((int(x) + 4, int(top) + 4, int(x + w) - 4, int(top + h) - 4))
    mean = ImageStat.Stat(crop).mean
    away_from_white = sum(255 - c for c in mean) / 3
    raw = crop.resize((64, 48)).tobytes()
    pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
    near = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, BLOCK, strict=True)) < 90)
    return away_from_white, near / (64 * 48)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_sign_language_clip_plays_pauses_replays_and_closes(display, home, tmp_path, lang):
    kiosk_home, video = home
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, speech=True, steps=[
        {"report": True},
        {"tap": "sign.open"},
        {"expect_video": {"state": "playing", "at_least_s": 1.0}, "within": 20},
        {"report": True}, {"shot": "playing"},
        {"tap": "sign.play"}, {"expect_video": {"state": "paused"}}, {"report": True},
        # Reading the controls by sliding over them takes real time and chooses nothing:
        # the clip stays where it was paused.
        {"slide": ["sign.replay", "sign.close", "sign.replay"]}, {"report": True},
        {"tap": "sign.replay"}, {"report": True},
        {"expect_video": {"state": "playing", "at_least_s": 0.3}, "within": 20},
        {"tap": "sign.close"}, {"report": True}])
    page, playing, paused, still, replayed, closed = r["reports"][:6]
    out = Path(r["out"])
    # The control is on the page, first, with its pictogram and its words.
    sign = button(page, "sign.open")
    assert sign["pictogram"] == "sign_language"
    assert sign["text"].startswith(_("Sign language", lang))
    assert page["focus_order"][0] == "sign.open"
    assert page["videos"] == []
    # Open: the panel, playing without sound, large, with its captions and controls.
    assert playing["overlay"] == "sign_video"
    (clip,) = playing["videos"]
    assert clip["file"] == video["blob"] and clip["state"] == "playing"
    assert clip["position"] >= 1.0 and clip["frames"] > 3 and clip["volume"] == 0.0
    window_w, window_h = playing["window"]
    x, y, w, h = clip["drawn"]
    assert w >= 0.95 * window_w or h >= 0.58 * window_h  # a signer readable at 50-70 cm
    assert video["captions"][lang] in texts(playing)
    assert playing["focus_order"][:3] == ["sign.play", "sign.replay", "sign.close"]
    play = button(playing, "sign.play")
    assert play["text"] == f"{_('Pause', lang)}\n{_('Playing', lang)}"
    assert play["pictogram"] == "pause"
    assert button(playing, "sign.replay")["pictogram"] == "replay"
    assert button(playing, "sign.close")["pictogram"] == "close"
    for b in ("sign.play", "sign.replay", "sign.close"):
        bx, by, bw, bh = button(playing, b)["rect"]
        assert bw >= 16 * playing["px_per_mm"] - 1 and bh >= 16 * playing["px_per_mm"] - 1
    spoken = " ".join(playing["spoken"])
    assert _("Sign language", lang) in spoken and video["captions"][lang] in spoken
    # The clip's own pixels are drawn where it is: a dark field with the bright block.
    away, block = clip_pixels(out / "playing.png", clip["drawn"])
    assert away > 100 and 0.05 < block < 0.6
    # Pause holds it; the control now says Play, and the state is written out.
    (held,) = paused["videos"]
    assert held["state"] == "paused"
    assert button(paused, "sign.play")["text"] == f"{_('Play', lang)}\n{_('Paused', lang)}"
    (later,) = still["videos"]
    assert later["state"] == "paused" and later["position"] == held["position"]
    assert later["frames"] == held["frames"]
    assert still["overlay"] == "sign_video"
    # Replay starts again from the beginning.
    (again,) = replayed["videos"]
    assert again["state"] == "playing" and again["position"] < held["position"]
    assert _("Playing from the start.", lang) in replayed["spoken"]
    # Close: the panel is gone, the page is back with its control, and speech says so.
    assert closed["overlay"] is None and closed["screen"] == "product"
    assert _("Sign language closed.", lang) in closed["spoken"]
    assert closed["videos"] == [] and button(closed, "sign.open")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_sign_language_is_offered_only_where_there_is_a_clip(display, home, tmp_path, lang):
    kiosk_home, video = home
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, steps=[
        {"tap": "product.category"}, {"tap": f"product.{WITHOUT}"},
        {"expect_screen": "product"}, {"report": True},
        {"call": "home"}, {"tap": "home.faq"}, {"tap": f"faq.{FAQ}"}, {"report": True},
        {"tap": "sign.open"},
        {"expect_video": {"state": "playing", "at_least_s": 0.3}, "within": 20},
        {"report": True}, {"key": "back"}, {"report": True}])
    without, faq, faq_playing, faq_back = r["reports"][:4]
    ids = {b["id"] for b in without["buttons"]}
    assert not any(i.startswith("sign.") for i in ids)
    assert not any(_("Sign language", lang) in t for t in texts(without))
    assert "sign.open" in {b["id"] for b in faq["buttons"]}
    assert faq_playing["overlay"] == "sign_video"
    assert video["captions"][lang] in texts(faq_playing)
    assert faq_back["overlay"] is None and faq_back["screen"] == "faq"
    assert faq_back["videos"] == []


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_keypad_alone_plays_and_closes_the_clip_and_a_language_change_keeps_it(
        display, home, tmp_path, lang):
    kiosk_home, video = home
    other = "en" if lang == "ar" else "ar"
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, speech=True, steps=[
        {"keys_to": "sign.open"}, {"key": "action"},
        {"expect_video": {"state": "playing", "at_least_s": 0.5}, "within": 20},
        {"keys_to": "sign.play"}, {"key": "action"},
        {"expect_spoken": f"{_('Play', lang)}, {_('Paused', lang)}"},
        {"expect_video": {"state": "paused"}}, {"report": True},
        {"key": "lang"}, {"report": True},
        {"keys_to": "sign.close"}, {"key": "action"}, {"report": True}])
    paused, switched, closed = r["reports"][:3]
    (was,) = paused["videos"]
    # The language key rebuilt the screen: the panel is open again, in the other language,
    # paused where it was.
    assert switched["session"]["lang"] == other and switched["overlay"] == "sign_video"
    (now,) = switched["videos"]
    assert now["state"] == "paused" and abs(now["position"] - was["position"]) < 0.3
    assert video["captions"][other] in texts(switched)
    assert closed["overlay"] is None and closed["screen"] == "product"


def test_the_audit_measures_the_sign_language_panel_on_its_own(display, home, tmp_path):
    kiosk_home, _video = home
    out = tmp_path / "audit.json"
    proc = subprocess.run([*KIOSK, "audit", "--screen", "product:sign", "--out", str(out)],
                          cwd=ROOT, env=kiosk_env(display, kiosk_home), capture_output=True,
                          text=True, timeout=900)
    report = json.loads(out.read_text(encoding="utf-8"))
    failures = "\n".join(f"{f['lang']}/{f['theme']}/x{f['scale']} {f['widget']} {f['check']}: "
                         f"{f['message']}" for f in report["failures"][:30])
    assert proc.returncode == 0 and report["ok"], failures + proc.stderr[-2000:]
    assert report["pages"] == ["product:sign"]
    n = report["counts"]["combinations"]
    assert report["checks"]["nav_bar"]["checked"] == n
    assert report["checks"]["focus_trap"]["checked"] == n
    assert report["checks"]["pictogram_contrast"]["checked"] >= 3 * n
