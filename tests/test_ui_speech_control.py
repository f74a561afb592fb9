"""Speech a visitor controls (ACCESSIBILITY 13): the Pause key and the bar's Pause / Resume
control pause the sentence being said and resume it from its start, the caption says speech is
paused, and new speech replaces a paused sentence; a disabled control is reached by Down, spoken
as unavailable, and choosing it only says why. Each walk is `kiosk walk` (the one UI driver)
with the real app in its own process under Xvfb, speaking with real espeak-ng into the FileSink
(the test's sound card): speech.log has what the app asked to say, sounded.log each sentence as
it began to sound, and the sink's log how much of each was heard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.i18n import _
from kiosk.vocabulary import TEXT_SCALES
from tests import helpers
from tests.helpers import kiosk_env
from tests.test_ui_forms import outbox_rows
from tests.test_ui_journeys import display, home, open_tile, start  # noqa: F401

SOUNDS_WITHIN_S = 30  # the first sentence of a screen: the voice may still be warming up


def paused_caption(lang: str) -> str:
    return _("Speech paused. Press Pause again, or touch Resume, to continue.", lang)


def unavailable(label: str, lang: str) -> str:
    return _("{label}, unavailable", lang).format(label=_(label, lang))


def sounds() -> dict:
    """A sentence begins to sound through the audio output (not only asked for)."""
    return {"expect_sounded": "", "within": SOUNDS_WITHIN_S}


def walk(display: str, home: Path, tmp_path: Path, steps: list,  # noqa: F811
         silent: bool = False, **start) -> dict:
    """Run the walk (with the kiosk's voice into the sink unless ``silent``; starting as
    ``start`` says, see helpers.walk); fail with its one line. Returns its report with
    "spoken" (speech.log), "sounded" (sounded.log) and "heard" (the sink's log) added."""
    sink = tmp_path / "sink"
    env = kiosk_env(display, home, KIOSK_AUDIO="sink", KIOSK_AUDIO_SINK_DIR=str(sink))
    result = helpers.walk(display, home, tmp_path, steps=steps, silent=silent, env=env,
                          **start)
    assert result["errors"] == [], result["errors"][0]
    out = result["out"]
    result.update(spoken=_lines(out / "speech.log"), sounded=_lines(out / "sounded.log"),
                  heard=_lines(sink / "speech-sink.log"))
    return result


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def step_of(steps: list, step: dict, nth: int = 1) -> int:
    """The walk's number (from 1) of the ``nth`` step equal to ``step``."""
    found = [i + 1 for i, s in enumerate(steps) if s == step]
    return found[nth - 1]


def assert_paused_then_resumed(r: dict, paused: int, resumed: int) -> str:
    """Step ``paused`` paused the sentence sounding then (the sink heard it cut short),
    nothing sounded until step ``resumed``, and the first sentence to sound after it was the
    same one again, played whole from its beginning. Returns its text."""
    before = [s["text"] for s in r["sounded"] if s["after_step"] < paused]
    during = [s["text"] for s in r["sounded"] if paused <= s["after_step"] < resumed]
    after = [s["text"] for s in r["sounded"] if s["after_step"] >= resumed]
    assert before, r["sounded"]
    held = before[-1]
    assert during == [], during  # paused: nothing sounded
    assert after and after[0] == held, (held, after)
    heard = [h for h in r["heard"] if h["text"] == held]
    assert heard and heard[0]["stopped"] is True, r["heard"]
    assert heard[0]["played_ms"] < heard[0]["duration_ms"] - 100, heard[0]
    if len(heard) > 1:  # the sink logs a sound when it ends or is cut; the walk may end first
        assert heard[1]["time"] > heard[0]["time"]
        # The whole sentence (a fresh rendering may differ by a few milliseconds of silence),
        # not the rest of it after the pause.
        whole, rest = heard[0]["duration_ms"], heard[0]["duration_ms"] - heard[0]["played_ms"]
        assert abs(heard[1]["duration_ms"] - whole) < 0.1 * whole, heard
        assert heard[1]["duration_ms"] > rest + 50, heard
    return held


def shown(report: dict, fragment: str) -> bool:
    """``fragment`` in any text on screen, the caption strip and the bar included."""
    return helpers.shows(report, fragment)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pause_key_pauses_the_sentence_and_pressed_again_says_it_again_from_its_start(
        display, home, tmp_path, lang):  # noqa: F811
    steps = [
        *start(lang), sounds(),  # home's long announcement is sounding
        {"key": "pause"},
        {"expect_text": paused_caption(lang)},
        {"expect_text": _("Resume", lang)}, {"expect_text": _("Paused", lang)},
        {"expect_screen": "home"}, {"report": True},
        {"key": "pause"}, sounds(), {"report": True},
    ]
    r = walk(display, home, tmp_path, steps)
    pause = step_of(steps, {"key": "pause"})
    held = assert_paused_then_resumed(r, pause, step_of(steps, {"key": "pause"}, 2))
    announcement = r["spoken"][-1]  # pausing and resuming asked for nothing new
    assert _("What would you like to do?", lang) in announcement["text"]
    assert announcement["lang"] == lang and held in announcement["text"]
    paused, resumed = r["reports"][:2]
    control = helpers.button(paused, "speech.pause")
    assert control["selected"] and control["text"] == \
        f"{_('Resume', lang)}\n{_('Paused', lang)}"
    assert helpers.button(resumed, "speech.pause")["text"] == _("Pause", lang)
    assert not shown(resumed, paused_caption(lang))


def test_the_pause_control_pauses_and_resumes_by_touch_without_cutting_speech_first(
        display, home, tmp_path):  # noqa: F811
    steps = [
        {"tap": "lang.en"}, {"expect_screen": "home"},
        {"tap": "nav.speak"}, {"expect_spoken": "Speech is on"}, sounds(),
        {"tap": "speech.pause"},
        {"expect_text": paused_caption("en")}, {"expect_text": "Resume"},
        {"tap": "speech.pause"},
        sounds(),  # the touch did not cut it: there was something to resume
        {"report": True},
        {"keys_to": "speech.pause"}, {"expect_spoken": "Pause, button"},
        # Speak's own on and off are as they were: off takes the Pause control away.
        {"tap": "nav.speak"}, {"expect_screen": "home"}, {"report": True},
    ]
    r = walk(display, home, tmp_path, steps)
    held = assert_paused_then_resumed(r, step_of(steps, {"tap": "speech.pause"}),
                                      step_of(steps, {"tap": "speech.pause"}, 2))
    assert held == "Speech is on."
    resumed, off = r["reports"][:2]
    assert not shown(resumed, paused_caption("en"))
    assert "speech.pause" not in {b["id"] for b in off["buttons"]}
    assert helpers.button(off, "nav.speak")["text"] == "Speak\nOff"


def test_a_new_screen_replaces_a_paused_sentence(display, home, tmp_path):  # noqa: F811
    steps = [
        *start("en"), sounds(),
        {"key": "pause"}, {"expect_text": paused_caption("en")},
        {"keys_to": "home.news"},  # Down cuts the paused sentence; the item is said instead
        {"key": "action"}, {"expect_screen": "news"}, sounds(), {"report": True},
    ]
    r = walk(display, home, tmp_path, steps)
    pause = step_of(steps, {"key": "pause"})
    held = [s["text"] for s in r["sounded"] if s["after_step"] < pause][-1]
    after = [s["text"] for s in r["sounded"] if s["after_step"] > pause]
    assert held not in after, after  # the paused sentence never came back
    assert any(_("News", "en") in t for t in after), after
    news = r["reports"][0]
    assert not shown(news, paused_caption("en"))
    assert helpers.button(news, "speech.pause")["text"] == "Pause"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_disabled_control_is_reached_by_down_spoken_as_unavailable_and_does_nothing(
        display, home, tmp_path, lang):  # noqa: F811
    vote_unavailable = unavailable("Vote", lang)
    why = _("Please choose an answer first, then tap Vote.", lang)
    r = walk(display, home, tmp_path, [
        *start(lang),
        *open_tile("poll", "Poll", lang),
        {"keys_to": "poll.submit"}, {"expect_spoken": vote_unavailable}, {"report": True},
        {"key": "action"}, {"expect_spoken": why},
        {"expect_screen": "poll"}, {"expect_text": why},
    ])
    said = [s["text"] for s in r["spoken"]]
    reached = next(t for t in said if t.startswith(vote_unavailable))
    assert why not in reached  # focus says that it is unavailable; Action says why
    assert said[-1] == _("{label}, unavailable: {reason}", lang).format(
        label=_("Vote", lang), reason=why)
    vote = helpers.button(r["reports"][0], "poll.submit")
    assert vote["disabled"] and vote["text"] == f"{_('Vote', lang)}\n{_('Unavailable', lang)}"
    assert r["reports"][-1]["screen"] == "poll"
    assert outbox_rows(home) == []  # no vote was kept


def test_without_a_voice_the_pause_control_and_key_say_they_are_unavailable(
        display, home, tmp_path):  # noqa: F811
    why = _("This kiosk can not speak at the moment. Everything it would say is shown on the "
            "screen.", "en")
    r = walk(display, home, tmp_path, [
        {"tap": "lang.en"}, {"expect_screen": "home"},
        {"tap": "nav.speak"}, {"expect_spoken": "Speech is on"},
        {"keys_to": "speech.pause"}, {"expect_spoken": unavailable("Pause", "en")},
        {"expect_text": "Unavailable"},
        {"key": "action"}, {"expect_spoken": why},
        {"key": "pause"}, {"expect_spoken": why}, {"report": True},
        {"tap": "speech.pause"}, {"expect_spoken": why},
    ], silent=True)
    assert r["sounded"] == []  # no voice: nothing sounded, everything was recorded
    assert not shown(r["reports"][0], paused_caption("en"))
    assert helpers.button(r["reports"][0], "speech.pause")["disabled"]


def drawn_lines(report: dict, kiosk_id: str) -> list[str]:
    """The lines the control's words are drawn in, as the visitor reads them (logical)."""
    b = helpers.button(report, kiosk_id)
    x, y, w, h = b["rect"]
    inside = [t for t in report["texts"] if t["logical"] == b["text"]
              and x <= t["rect"][0] and t["rect"][0] + t["rect"][2] <= x + w + 0.5
              and y <= t["rect"][1] and t["rect"][1] + t["rect"][3] <= y + h + 0.5]
    assert len(inside) == 1, (b, inside)
    return inside[0]["lines_logical"]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_pause_control_reads_on_two_lines_at_every_text_size(
        display, home, tmp_path, lang):  # noqa: F811
    """At text size 2 the Arabic Pause control once wrapped to three and four lines in a
    third of the bar; at every size, in both languages and in every state (Pause, Resume
    with Paused, unavailable without a voice) its words keep to a line and its state to the
    next, at the text size the visitor chose."""
    steps: list = []
    for _scale in TEXT_SCALES:
        steps += [{"expect_screen": "home"}, {"report": True},
                  {"tap": "speech.pause"}, {"expect_text": paused_caption(lang)},
                  {"report": True}, {"tap": "nav.text_size"}]
    r = walk(display, home, tmp_path, steps, screen="home", lang=lang, speech=True,
             text_scale=TEXT_SCALES[0])
    reports = r["reports"][:-1]
    assert [rep["session"]["text_scale"] for rep in reports] == \
        [s for s in TEXT_SCALES for _twice in (1, 2)]
    states = [(rep, "Pause", "") for rep in reports[::2]] + \
        [(rep, "Resume", "Paused") for rep in reports[1::2]]
    quiet: list = []
    for _scale in TEXT_SCALES:
        quiet += [{"expect_screen": "home"}, {"report": True}, {"tap": "nav.text_size"}]
    r = walk(display, home, tmp_path, quiet, silent=True, screen="home", lang=lang,
             speech=True, text_scale=TEXT_SCALES[0])
    states += [(rep, "Pause", "Unavailable") for rep in r["reports"][:-1]]
    wrong = [(rep["session"]["text_scale"], lines) for rep, words, state in states
             if (lines := drawn_lines(rep, "speech.pause"))
             != [_(words, lang), *([_(state, lang)] if state else [])]]
    assert wrong == [], wrong
