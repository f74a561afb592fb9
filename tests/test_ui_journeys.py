"""A blind visitor's journeys, walked with the keypad only, in Arabic and in English, with what
the kiosk says checked at every step. Each walk is the real app in its own process under Xvfb,
speaking with real espeak-ng into the FileSink (the test's sound card), so speech.log and the
sink's log show what was said and what was heard. Keys only: `keys_to` is Down/Up pressed until
the wanted control has the focus, `type_keys` types with them (kiosk walk's steps)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kiosk.i18n import _
from tests import helpers
from tests.helpers import kiosk_env

SPEECH_ON = {"ar": "القراءة الصوتية مفعّلة", "en": "Speech is on"}
POSITION = {"ar": "1 من", "en": "1 of"}


@pytest.fixture(scope="module")
def display(display: str) -> str:
    if shutil.which("espeak-ng") is None and not Path("/usr/lib/x86_64-linux-gnu/"
                                                      "libespeak-ng.so.1").exists():
        pytest.skip("espeak-ng is not installed; the journeys speak with the real voice")
    return display


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    # One home for the module: the content and the prompt cache are made once.
    return tmp_path_factory.mktemp("kiosk-home-journeys")


def walk(display: str, home: Path, tmp_path: Path, steps: list) -> tuple[Path, list, list]:
    """Run the walk with the kiosk's voice into the sink; fail with its one line. Returns
    (out, speech.log, sink log)."""
    sink = tmp_path / "sink"
    env = kiosk_env(display, home, KIOSK_AUDIO="sink", KIOSK_AUDIO_SINK_DIR=str(sink))
    result = helpers.walk(display, home, tmp_path, steps=steps, silent=False, env=env)
    assert result["errors"] == [], result["errors"][0]
    out = result["out"]
    return out, _lines(out / "speech.log"), _lines(sink / "speech-sink.log")


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def start(lang: str) -> list[dict]:
    """From the attract screen: the first key turns speech on and says so; choose the
    language with the keys; home is announced with how to move."""
    return [
        {"key": "down"}, {"expect_spoken": SPEECH_ON["ar"]},  # the site's language: Arabic
        {"expect_spoken": _("Welcome to Made in Oman", "ar")},
        {"keys_to": f"lang.{lang}"}, {"key": "action"}, {"expect_screen": "home"},
        {"expect_spoken": _("What would you like to do?", lang)},
    ]


def open_tile(name: str, title: str, lang: str) -> list[dict]:
    return [{"keys_to": f"home.{name}"}, {"expect_spoken": _(title, lang)},
            {"key": "action"}, {"expect_screen": name}, {"expect_spoken": _(title, lang)}]


def store(home: Path):
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    return KioskDevice(paths=KioskPaths(home)).store


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_find_a_product_by_category_by_keys_and_hear_its_details(display, home, tmp_path,
                                                                  lang):
    _out, spoken, heard = walk(display, home, tmp_path, [
        *start(lang),
        *open_tile("categories", "Products by category", lang),
        {"key": "down"}, {"expect_spoken": POSITION[lang]},
        {"key": "action"}, {"expect_screen": "products"},
        {"key": "down"}, {"expect_spoken": POSITION[lang]},
        {"key": "action"}, {"expect_screen": "product"},
        {"expect_spoken": _("Product code: {code}", lang).split("{")[0].strip()},
        {"expect_spoken": _("Continue on your phone", lang)},
        {"key": "back"}, {"expect_screen": "products"},
    ])
    product = next(u["text"] for u in spoken if _("Product code: {code}", lang).split("{")[0]
                   .strip() in u["text"])
    assert all(u["lang"] == lang for u in spoken[2:])
    # The product's own words were really sounded, in the visitor's language.
    assert any(h["lang"] == lang and h["text"] and h["text"] in product for h in heard)


@pytest.mark.parametrize("lang,word", [("ar", "عسل"), ("en", "honey")])
def test_search_by_typing_on_the_on_screen_keyboard_with_keys(display, home, tmp_path, lang,
                                                              word):
    found = store(home).search(word, limit=1).items[0]
    name = found.name.ar if lang == "ar" else found.name.en
    walk(display, home, tmp_path, [
        *start(lang),
        *open_tile("search", "Search", lang),
        {"type_keys": word},  # each character echoed
        {"keys_to": "key.done"}, {"key": "action"},
        {"keys_to": f"product.{found.id}"}, {"expect_spoken": name},
        {"key": "action"}, {"expect_screen": "product"}, {"expect_spoken": name},
    ])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_vote_in_the_poll_by_keys_and_hear_the_results(display, home, tmp_path, lang):
    _out, spoken, _heard = walk(display, home, tmp_path, [
        *start(lang),
        *open_tile("poll", "Poll", lang),
        {"keys_to": "poll.option.perfume"},
        {"expect_spoken": "اللبان والعطور" if lang == "ar" else "Frankincense and perfume"},
        {"key": "action"}, {"expect_spoken": _("Selected", lang)},
        {"keys_to": "poll.submit"}, {"key": "action"}, {"expect_screen": "poll_results"},
        {"expect_spoken": _("Poll results", lang)},
    ])
    results = " ".join(u["text"] for u in spoken[-3:])
    assert ("%" in results or "٪" in results), results


@pytest.mark.parametrize("lang,message", [("ar", "شكرا"), ("en", "thanks")])
def test_send_feedback_by_keys_and_the_error_names_the_field(display, home, tmp_path, lang,
                                                             message):
    walk(display, home, tmp_path, [
        *start(lang),
        {"keys_to": "home.feedback"}, {"key": "action"}, {"expect_screen": "feedback"},
        {"keys_to": "feedback.kind.comment"}, {"key": "action"},
        {"keys_to": "key.done"}, {"key": "action"},
        {"expect_spoken": _("Please type your message first.", lang)},
        {"type_keys": message},
        {"keys_to": "key.done"}, {"key": "action"},
        {"keys_to": "feedback.submit"}, {"key": "action"}, {"expect_screen": "thanks"},
        {"expect_spoken": _("Thank you", lang)},
    ])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_change_language_and_volume_by_keys(display, home, tmp_path, lang):
    other = "en" if lang == "ar" else "ar"
    _out, _spoken, heard = walk(display, home, tmp_path, [
        *start(lang),
        # Sounded, not only asked for: the gain below is read from what the voice played, and
        # on a loaded machine the next key could cut the sentence before it began.
        {"key": "vol_up"}, {"expect_sounded": _("Volume {step} of {count}", lang).format(
            step=6, count=7)},
        {"key": "vol_down"}, {"key": "vol_down"},
        {"expect_spoken": _("Volume {step} of {count}", lang).format(step=4, count=7)},
        {"key": "lang"}, {"expect_spoken": _("English", "en") if other == "en" else
                          _("Arabic", "ar")},
        {"key": "down"}, {"expect_spoken": POSITION[other]},
        {"key": "help"}, {"expect_spoken": _("Choose a tile. Every screen has Home, Back, "
                                             "Help and Speak at the bottom.", other)},
        {"key": "help"},  # pressed twice: speech stops, help closes
        {"key": "repeat"}, {"expect_spoken": _("Choose a tile. Every screen has Home, Back, "
                                               "Help and Speak at the bottom.", other)[:8]},
    ])
    gains = {h["text"]: h["gain"] for h in heard}
    vol6 = _("Volume {step} of {count}", lang).format(step=6, count=7)
    assert any(vol6.startswith(t) and g > 1.0 for t, g in gains.items()), gains
    assert heard[-1]["lang"] == other


def test_slide_to_read_over_three_items_speaks_all_three_and_activates_none(display, home,
                                                                            tmp_path):
    # A blind visitor with a finger only: Speak, slide to read, Help held then a touch.
    out, _spoken, _heard = walk(display, home, tmp_path, [
        {"tap": "lang.en"}, {"expect_screen": "home"},
        {"tap": "nav.speak"}, {"expect_spoken": "Speech is on"},
        {"expect_spoken": "What would you like to do?"},
        {"slide": ["home.categories", "home.governorates", "home.manufacturers"]},
        {"expect_spoken": "Products by category"},
        {"expect_spoken": "Products by governorate"},
        {"expect_spoken": "Products by manufacturer"},
        {"expect_screen": "home"},
        {"hold": "nav.help", "s": 1.2},
        {"expect_spoken": "Touch any control to hear what it does"},
        {"tap": "home.search"},  # explained (shown and spoken), not opened
        {"expect_spoken": "Search"}, {"expect_spoken": _("To choose it, tap it.", "en")},
        {"expect_text": "Search. " + _("To choose it, tap it.", "en")},
    ])
    log = [json.loads(x) for x in (out / "walk.log").read_text().splitlines()]
    assert log[9]["screen"] == "home" and log[9]["overlay"] is None


def test_the_idle_screen_invites_by_voice_in_both_languages(display, home, tmp_path):
    _out, spoken, _heard = walk(display, home, tmp_path, [
        {"expect_screen": "attract"}, {"wait": 15},
        {"expect_spoken": "To hear this kiosk, press any key"},
    ])
    said = [u["lang"] for u in spoken if "keypad" in u["text"] or "لوحة المفاتيح" in u["text"]]
    assert said[:2] == ["ar", "en"]


def test_a_new_key_press_cuts_the_current_utterance(display, home, tmp_path):
    _out, _spoken, heard = walk(display, home, tmp_path, [
        *start("en"),  # home's long announcement is playing
        {"key": "down"}, {"expect_spoken": "Products by category"},
    ])
    cut = [h for h in heard if h["text"].startswith("What would you like to do")]
    assert cut and cut[0]["stopped"] is True
    assert cut[0]["played_ms"] < cut[0]["duration_ms"] - 200
