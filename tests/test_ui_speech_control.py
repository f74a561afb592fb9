"""Speech a visitor controls (ACCESSIBILITY 13): the Pause key and the bar's Pause / Resume
control pause the sentence being said and resume it from its start, the caption says speech is
paused, and new speech replaces a paused sentence; a disabled control is reached by Down, spoken
as unavailable, and choosing it only says why. Each walk is the real app in its own process
under Xvfb, speaking with real espeak-ng into the FileSink (the test's sound card), driven by the
keypad walk (tests/test_ui_journeys_driver.py) plus two steps this module adds:

- {"wait_for_sentence": TEXT}: wait (frame by frame, up to a deadline) until a sentence
  containing TEXT ("" for any) has started to sound since the last action; sentences.log in
  the walk's folder lists every sentence that started, in order.
- {"expect_no_text": TEXT}: no visible text contains TEXT.

    python -m tests.test_ui_speech_control SCRIPT.json --out DIR [--silent]"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import _
from screens import walk as walk_mod
from tests.test_ui_forms import outbox_rows
from tests.test_ui_journeys import display, home, open_tile, start  # noqa: F401
from tests.test_ui_journeys_driver import KeypadWalker

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_WAIT_S = 30.0
EXTRA = ("keys_to", "type_keys", "wait_for_sentence", "expect_no_text")


def paused_caption(lang: str) -> str:
    return _("Speech paused. Press Pause again, or touch Resume, to continue.", lang)


def unavailable(label: str, lang: str) -> str:
    return _("{label}, unavailable", lang).format(label=_(label, lang))


# -- the driver (runs inside the walk's process) -------------------------------------------------

class SpeechSteps(walk_mod.Walker):
    """The two steps this module adds, for a walker that also records ``events``."""

    events: list[dict[str, Any]]
    mark: int

    def run_next(self) -> None:
        if self.finished or self.index >= len(self.steps):
            super().run_next()
            return
        step = self.steps[self.index]
        if "wait_for_sentence" in step:
            self.wait_for_sentence(step, time.monotonic() + SENTENCE_WAIT_S)
            return
        if "expect_no_text" in step:
            unwanted = step["expect_no_text"]
            if any(unwanted in t for t in walk_mod.texts_on(self.app)):
                self.fail(step, f"{unwanted!r} is still shown; {self._here()}")
            else:
                self.done(step, f"{unwanted!r} not shown")
            return
        super().run_next()

    def started_since_action(self) -> list[str]:
        return [e["sentence"] for e in self.events[self.mark:] if "sentence" in e]

    def wait_for_sentence(self, step: dict[str, Any], deadline: float) -> None:
        from kivy.clock import Clock

        if self.finished:
            return
        want = step["wait_for_sentence"]
        found = [t for t in self.started_since_action() if want in t]
        if found:
            self.done(step, f"sentence started: {found[0]!r}")
        elif time.monotonic() > deadline:
            self.fail(step, f"no sentence containing {want!r} started within "
                            f"{SENTENCE_WAIT_S:g} s; started: {self.started_since_action()}")
        else:
            Clock.schedule_once(lambda _dt: self.wait_for_sentence(step, deadline), 0)


class SpeechWalker(KeypadWalker, SpeechSteps):
    """The keypad walk, listening to the speech service's "a sentence started" as well.
    sentences.log interleaves {"action": STEP} (each key, tap, hold, slide or typing) and
    {"sentence": TEXT, "lang": L} (each sentence as it started to sound), in order. This
    module's steps are taken after the keypad walker's (which hands whatever it does not
    expand on to the next class in line, ``SpeechSteps``)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.events: list[dict[str, Any]] = []  # appended to by the player thread too
        self.mark = 0  # events before this came before the last action

    def start(self) -> None:
        service = self.app.speech
        if service is not None:
            original = service.on_sentence

            def started(event: Any) -> None:  # the player thread: only appends
                self.events.append({"sentence": event.text, "lang": event.lang})
                if original is not None:
                    original(event)
            service.on_sentence = started
        super().start()

    def _acting(self, step: dict[str, Any]) -> None:
        self.events.append({"action": step})
        self.mark = len(self.events)

    def do_key(self, step: dict[str, Any]) -> None:
        self._acting(step)
        super().do_key(step)

    def do_tap(self, step: dict[str, Any]) -> None:
        self._acting(step)
        super().do_tap(step)

    def do_hold(self, step: dict[str, Any]) -> None:
        self._acting(step)
        super().do_hold(step)

    def do_slide(self, step: dict[str, Any]) -> None:
        self._acting(step)
        super().do_slide(step)

    def do_type(self, step: dict[str, Any]) -> None:
        self._acting(step)
        super().do_type(step)

    def finish(self) -> None:
        if not self.finished:
            with (self.out / "sentences.log").open("w", encoding="utf-8") as f:
                for e in list(self.events):
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")
        super().finish()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("script")
    p.add_argument("--out", required=True)
    p.add_argument("--silent", action="store_true")
    args = p.parse_args(argv)
    steps = json.loads(Path(args.script).read_text(encoding="utf-8"))
    for n, step in enumerate(steps, 1):
        if not any(k in step for k in EXTRA):
            walk_mod.check_step(n, step)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result = walk_mod.run_walk(steps, out, (1080, 1920), voice=not args.silent,
                               walker_cls=SpeechWalker)
    sys.stderr = sys.__stderr__
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    print(f"walk: {result.steps_done} steps passed")
    return 0


# -- the tests -------------------------------------------------------------------------------------

def walk(display: str, home: Path, tmp_path: Path, steps: list,  # noqa: F811
         silent: bool = False) -> dict[str, list[dict]]:
    """Run the walk; fail with its one line. Returns speech.log ("spoken"), the sink's log
    ("heard") and sentences.log ("events"), by name."""
    script = tmp_path / "walk.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    out, sink = tmp_path / "out", tmp_path / "sink"
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(home), KIOSK_AUDIO="sink",
               KIOSK_AUDIO_SINK_DIR=str(sink))
    env.pop("KIOSK_PX_PER_MM", None)
    proc = subprocess.run([sys.executable, "-m", "tests.test_ui_speech_control", str(script),
                           "--out", str(out), *(["--silent"] if silent else [])], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (proc.stderr or proc.stdout)[-3000:]
    return {"spoken": _lines(out / "speech.log"), "heard": _lines(sink / "speech-sink.log"),
            "events": _lines(out / "sentences.log")}


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sentences_around(r: dict[str, list[dict]], key: dict) -> list[tuple[list[str], list[str]]]:
    """For each time the action ``key`` was done: (sentences started before it since the
    previous action, sentences started after it until the next action)."""
    events = r["events"]
    out = []
    for i, e in enumerate(events):
        if e.get("action") != key:
            continue
        before = []
        for b in reversed(events[:i]):
            if "action" in b:
                break
            before.insert(0, b["sentence"])
        after = []
        for a in events[i + 1:]:
            if "action" in a:
                break
            after.append(a["sentence"])
        out.append((before, after))
    return out


def assert_paused_then_resumed(r: dict[str, list[dict]], key: dict) -> str:
    """The first ``key`` paused the sentence sounding then (cut short in the sink), nothing
    started until the second ``key``, and the first sentence after it was the same one again,
    played whole from its beginning. Returns its text."""
    (before, during), (_b2, after) = sentences_around(r, key)[:2]
    assert before, r["events"]
    held = before[-1]
    assert during == [], during  # paused: nothing sounded
    assert after and after[0] == held, (held, after)
    heard = [h for h in r["heard"] if h["text"] == held]
    assert heard and heard[0]["stopped"] is True, r["heard"]
    assert heard[0]["played_ms"] < heard[0]["duration_ms"] - 100, heard[0]
    if len(heard) > 1:  # the sink logs a sound when it ends or is cut; the walk may end first
        assert heard[1]["time"] > heard[0]["time"]
        # The whole sentence (a fresh rendering may differ by a few milliseconds of
        # silence), not the rest of it after the pause.
        whole, rest = heard[0]["duration_ms"], heard[0]["duration_ms"] - heard[0]["played_ms"]
        assert abs(heard[1]["duration_ms"] - whole) < 0.1 * whole, heard
        assert heard[1]["duration_ms"] > rest + 50, heard
    return held


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pause_key_pauses_the_sentence_and_pressed_again_says_it_again_from_its_start(
        display, home, tmp_path, lang):  # noqa: F811
    r = walk(display, home, tmp_path, [
        *start(lang),  # home's long announcement is playing
        {"wait_for_sentence": ""},
        {"key": "pause"},
        {"expect_text": paused_caption(lang)},
        {"expect_text": _("Resume", lang)}, {"expect_text": _("Paused", lang)},
        {"expect_screen": "home"},
        {"key": "pause"},
        {"wait_for_sentence": ""},
        {"expect_no_text": paused_caption(lang)},
        {"expect_no_text": _("Resume", lang)},
    ])
    held = assert_paused_then_resumed(r, {"key": "pause"})
    announcement = r["spoken"][-1]  # pausing and resuming said nothing new
    assert _("What would you like to do?", lang) in announcement["text"]
    assert announcement["lang"] == lang and held in announcement["text"]


def test_the_pause_control_pauses_and_resumes_by_touch_without_cutting_speech_first(
        display, home, tmp_path):  # noqa: F811
    r = walk(display, home, tmp_path, [
        {"tap": "lang.en"}, {"expect_screen": "home"},
        {"tap": "nav.speak"}, {"expect_spoken": "Speech is on"},
        {"wait_for_sentence": ""},
        {"tap": "speech.pause"},
        {"expect_text": paused_caption("en")}, {"expect_text": "Resume"},
        {"tap": "speech.pause"},
        {"wait_for_sentence": ""},  # the touch did not cut it: there was something to resume
        {"expect_no_text": paused_caption("en")}, {"expect_no_text": "Resume"},
        {"keys_to": "speech.pause"}, {"expect_spoken": "Pause, button"},
        # Speak's own on and off are as they were: off takes the Pause control away.
        {"tap": "nav.speak"}, {"expect_no_text": "Pause"}, {"expect_screen": "home"},
    ])
    held = assert_paused_then_resumed(r, {"tap": "speech.pause"})
    assert held == "Speech is on."


def test_a_new_screen_replaces_a_paused_sentence(display, home, tmp_path):  # noqa: F811
    r = walk(display, home, tmp_path, [
        *start("en"),
        {"wait_for_sentence": ""},
        {"key": "pause"}, {"expect_text": paused_caption("en")},
        {"keys_to": "home.news"},  # Down cuts the paused sentence; the item is said instead
        {"expect_no_text": paused_caption("en")}, {"expect_no_text": "Resume"},
        {"key": "action"}, {"expect_screen": "news"},
        {"wait_for_sentence": ""},
    ])
    ((before, during),) = sentences_around(r, {"key": "pause"})
    assert before and during == []
    after = [e["sentence"] for e in r["events"][r["events"].index({"action": {"key": "pause"}})
                                                  + 1:] if "sentence" in e]
    assert before[-1] not in after, after  # the paused sentence never came back
    assert any("News" in t for t in after), after


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_disabled_control_is_reached_by_down_spoken_as_unavailable_and_does_nothing(
        display, home, tmp_path, lang):  # noqa: F811
    vote_unavailable = unavailable("Vote", lang)
    why = _("Please choose an answer first, then tap Vote.", lang)
    r = walk(display, home, tmp_path, [
        *start(lang),
        *open_tile("poll", "Poll", lang),
        {"keys_to": "poll.submit"}, {"expect_spoken": vote_unavailable},
        {"expect_text": _("Unavailable", lang)},
        {"key": "action"}, {"expect_spoken": why},
        {"expect_screen": "poll"}, {"expect_text": why},
    ])
    said = [s["text"] for s in r["spoken"]]
    reached = next(t for t in said if t.startswith(vote_unavailable))
    assert why not in reached  # focus says that it is unavailable; Action says why
    assert said[-1] == _("{label}, unavailable: {reason}", lang).format(
        label=_("Vote", lang), reason=why)
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
        {"key": "pause"}, {"expect_spoken": why}, {"expect_no_text": paused_caption("en")},
        {"tap": "speech.pause"}, {"expect_spoken": why},
    ], silent=True)
    assert not any("sentence" in e for e in r["events"])  # no voice: nothing sounded


if __name__ == "__main__":
    sys.exit(main())
