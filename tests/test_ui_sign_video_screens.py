"""A screen's own sign-language clip, in the real app, in both languages: on a copy of the demo
catalogue whose site record gives home and search a clip (tests/sign_clip.py makes it at test
time), home and search offer "Sign language" first on the page, reached by the keypad and
spoken; it plays in the panel without sound with its captions, pauses, replays and closes;
a screen the site gives no clip (feedback) offers nothing of the kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.i18n import _
from tests.helpers import button, walk_ok
from tests.sign_clip import demo_with_clips, install_in

SCREENS_WITH = ("home", "search")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> tuple[Path, dict]:
    """A kiosk home whose content is the demo with one clip for home and search in the site
    record, and none on any record."""
    root = tmp_path_factory.mktemp("screen-sign-home")
    folder, video = demo_with_clips(root / "catalogue", {}, seconds=10.0,
                                    screens=SCREENS_WITH)
    install_in(root / "home", folder)
    return root / "home", video


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


def ids(report: dict) -> set[str]:
    return {b["id"] for b in report["buttons"]}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_home_plays_the_sites_clip_for_it_and_a_screen_without_one_offers_none(
        display, home, tmp_path, lang):
    kiosk_home, video = home
    r = walk_ok(display, kiosk_home, tmp_path, lang=lang, speech=True, steps=[
        {"tap": f"lang.{lang}"}, {"expect_screen": "home"}, {"report": True},
        {"keys_to": "sign.open"}, {"expect_spoken": _("Sign language", lang)},
        {"key": "action"},
        {"expect_video": {"state": "playing", "at_least_s": 1.0}, "within": 20},
        {"report": True},
        {"tap": "sign.play"}, {"expect_video": {"state": "paused"}}, {"report": True},
        {"tap": "sign.replay"},
        {"expect_video": {"state": "playing", "at_least_s": 0.3}, "within": 20},
        {"tap": "sign.close"}, {"report": True},
        {"tap": "home.feedback"}, {"expect_screen": "feedback"}, {"report": True},
        {"call": "home"}, {"tap": "home.search"}, {"expect_screen": "search"},
        {"report": True}])
    page, playing, paused, closed, feedback, search = r["reports"][:6]
    sign = button(page, "sign.open")
    assert sign["pictogram"] == "sign_language"
    assert sign["text"].startswith(_("Sign language", lang))
    assert page["focus_order"][0] == "sign.open"  # first on the page, before the tiles
    assert page["videos"] == []
    assert playing["overlay"] == "sign_video" and playing["screen"] == "home"
    (clip,) = playing["videos"]
    assert clip["file"] == video["blob"] and clip["state"] == "playing"
    assert clip["volume"] == 0.0 and clip["position"] >= 1.0
    window_w, window_h = playing["window"]
    _x, _y, w, h = clip["drawn"]
    assert w >= 0.95 * window_w or h >= 0.58 * window_h  # a signer readable at 50-70 cm
    assert video["captions"][lang] in texts(playing)
    assert video["captions"][lang] in " ".join(playing["spoken"])
    assert playing["focus_order"][:3] == ["sign.play", "sign.replay", "sign.close"]
    (held,) = paused["videos"]
    assert held["state"] == "paused"
    assert button(paused, "sign.play")["text"] == f"{_('Play', lang)}\n{_('Paused', lang)}"
    assert closed["overlay"] is None and closed["videos"] == []
    assert _("Sign language closed.", lang) in closed["spoken"]
    assert "sign.open" in ids(closed)
    # The site gives feedback no clip: nothing of the kind there, shown or reachable.
    assert not any(i.startswith("sign.") for i in ids(feedback))
    assert not any(i.startswith("sign.") for i in feedback["focus_order"])
    assert not any(_("Sign language", lang) in t for t in texts(feedback))
    assert search["focus_order"][0] == "sign.open"


def test_home_opened_before_the_store_shows_its_clip_once_the_store_is_open(
        display, home, tmp_path):
    """A walk that starts on home builds it at the first frame, before the content store
    opens; the control joins as soon as the store has opened, before the first step."""
    kiosk_home, _video = home
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en",
                steps=[{"report": True}])
    assert r["reports"][0]["screen"] == "home"
    assert "sign.open" in ids(r["reports"][0])
