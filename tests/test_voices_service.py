"""SpeechService with real espeak-ng and real processes; only the sound card is replaced by a
FileSink, which plays each sound for its real duration so cutting it short is observable."""

from __future__ import annotations

import array
import math
import threading
import wave
from pathlib import Path

import pytest

from voices.audio import FileSink
from voices.engine import SpeechEngine
from voices.service import DEFAULT_VOLUME_STEP, VOLUME_GAINS, SpeechService

LONG_EN = ("This is a long sentence that the kiosk reads slowly and calmly to every visitor "
           "who comes to the portal")
LONG_AR = "هذه جملة طويلة تقرأها الشاشة ببطء وهدوء لكل زائر يأتي إلى بوابة صنع في عمان"


class Started:
    """Collects on_sentence events so a test can wait for the n-th sentence to start."""

    def __init__(self) -> None:
        self.events: list = []
        self._cond = threading.Condition()

    def __call__(self, event) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, n: int, timeout: float = 10.0):
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.events) >= n, timeout), (
                f"only {len(self.events)} of {n} sentences started")
            return self.events[n - 1]


@pytest.fixture
def speech(tmp_path):
    # Four times real time keeps the suite quick; played_ms is still reported in audio time.
    sink = FileSink(tmp_path / "sink", speed=4.0)
    started = Started()
    spoken = []
    service = SpeechService(engine=SpeechEngine(workdir=tmp_path / "engine"), audio=sink,
                            cache_dir=tmp_path / "cache", on_sentence=started,
                            on_utterance=spoken.append)
    service.sink, service.started, service.spoken = sink, started, spoken
    yield service
    service.shutdown()


def rms(path: str | Path) -> float:
    with wave.open(str(path), "rb") as w:
        samples = array.array("h")
        samples.frombytes(w.readframes(w.getnframes()))
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_say_returns_at_once_and_the_sink_records_the_utterance(speech):
    speech.say("Welcome to Made in Oman.", "en")
    entry = speech.sink.wait_for_entries(1)[0]
    assert entry["text"] == "Welcome to Made in Oman." and entry["lang"] == "en"
    assert not entry["stopped"] and entry["played_ms"] == entry["duration_ms"] > 500
    assert rms(entry["wav"]) > 500


def test_every_utterance_is_reported_for_captions_and_speech_log(speech):
    speech.say("مرحبا. أهلا بكم", "ar")
    assert [(u.lang, u.text) for u in speech.spoken] == [("ar", "مرحبا. أهلا بكم")]
    line = speech.spoken[0].to_json()
    assert set(line) == {"time", "lang", "text"} and line["time"].endswith("+00:00")


def test_new_speech_cuts_the_current_utterance_at_once(speech):
    speech.say(LONG_EN, "en")
    speech.started.wait_for(1)
    speech.say("Stop.", "en")
    first, second = speech.sink.wait_for_entries(2)
    assert first["text"] == LONG_EN and first["stopped"]
    assert first["played_ms"] < first["duration_ms"] / 2
    assert second["text"] == "Stop." and not second["stopped"]
    assert speech.started.events[0].playback.done.is_set()


def test_long_text_is_spoken_sentence_by_sentence_in_order(speech):
    speech.say("First sentence. Second sentence! Third?", "en")
    entries = speech.sink.wait_for_entries(3)
    assert [e["text"] for e in entries] == ["First sentence.", "Second sentence!", "Third?"]
    assert not any(e["stopped"] for e in entries)


def test_queued_speech_waits_for_the_current_one(speech):
    speech.say("One.", "en")
    speech.say("Two.", "en", interrupt=False)
    entries = speech.sink.wait_for_entries(2)
    assert [(e["text"], e["stopped"]) for e in entries] == [("One.", False), ("Two.", False)]


def test_stop_silences_and_drops_what_was_queued(speech):
    speech.say(f"{LONG_EN}. Never said.", "en")
    speech.started.wait_for(1)
    speech.stop()
    entry = speech.sink.wait_for_entries(1)[0]
    assert entry["stopped"]
    assert speech.wait_idle(2)
    assert len(speech.sink.entries) == 1 and not speech.is_speaking


def test_pause_then_resume_says_the_interrupted_sentence_again_then_goes_on(speech):
    speech.say(f"{LONG_AR}. شكرا", "ar")
    speech.started.wait_for(1)
    speech.pause()
    assert speech.sink.wait_for_entries(1)[0]["stopped"]
    assert speech.is_paused and len(speech.started.events) == 1
    speech.resume()
    entries = speech.sink.wait_for_entries(3)
    assert [e["text"] for e in entries] == [f"{LONG_AR}.", f"{LONG_AR}.", "شكرا"]
    assert not entries[1]["stopped"] and not entries[2]["stopped"]


def test_repeat_says_the_current_sentence_again(speech):
    speech.say(f"{LONG_EN}. The end.", "en")
    speech.started.wait_for(1)
    speech.repeat()
    entries = speech.sink.wait_for_entries(3)
    assert [e["text"] for e in entries] == [f"{LONG_EN}.", f"{LONG_EN}.", "The end."]
    assert entries[0]["stopped"] and not entries[1]["stopped"]


def test_repeat_after_speech_ended_says_the_last_sentence(speech):
    speech.say("Hello. Goodbye.", "en")
    speech.sink.wait_for_entries(2)
    assert speech.wait_idle(2)
    speech.repeat()
    assert speech.sink.wait_for_entries(3)[2]["text"] == "Goodbye."


def test_volume_steps_change_loudness_and_reset_for_new_visitor_restores_them(speech):
    assert speech.volume_step == DEFAULT_VOLUME_STEP
    speech.say("Loud.", "en")
    loud = speech.sink.wait_for_entries(1)[0]
    for _ in range(10):
        speech.volume_down()
    assert speech.volume_step == 0  # clamped at the quietest step
    speech.set_rate(0)
    speech.say("Loud.", "en")
    quiet = speech.sink.wait_for_entries(2)[1]
    assert quiet["gain"] == VOLUME_GAINS[0] and loud["gain"] == VOLUME_GAINS[DEFAULT_VOLUME_STEP]
    assert rms(quiet["wav"]) < rms(loud["wav"]) * (VOLUME_GAINS[0] + 0.05)
    assert quiet["duration_ms"] > loud["duration_ms"] * 1.15  # slowest rate
    speech.volume_up()
    assert speech.volume_step == 1
    speech.reset_for_new_visitor()
    assert speech.volume_step == DEFAULT_VOLUME_STEP and speech.rate_step == 2


def test_reset_for_new_visitor_silences_the_previous_visitor(speech):
    speech.say(LONG_EN, "en")
    speech.started.wait_for(1)
    speech.reset_for_new_visitor()
    assert speech.sink.wait_for_entries(1)[0]["stopped"]
    speech.repeat()  # nothing of the previous visitor is repeated
    assert speech.wait_idle(2) and len(speech.sink.entries) == 1


def test_cached_prompt_is_played_without_synthesis(speech):
    prompts = [("Welcome. Touch the screen to start.", "en"), ("مرحبا. المس الشاشة للبدء", "ar")]
    speech.load_prompts(prompts, rate_steps=[2], wait=True)
    assert speech.cache.last_build["rendered"] == 4
    before = speech.engine.synth_count
    speech.say("مرحبا. المس الشاشة للبدء", "ar")
    speech.sink.wait_for_entries(2)
    assert speech.engine.synth_count == before
    assert all(e.cached for e in speech.started.events)
    speech.say("Something new.", "en")
    speech.sink.wait_for_entries(3)
    assert speech.engine.synth_count == before + 1


def test_prompt_cache_rebuilds_when_the_strings_change(speech):
    speech.load_prompts([("Old prompt.", "en"), ("Kept prompt.", "en")], rate_steps=[2],
                        wait=True)
    old = speech.cache.get("Old prompt.", "en", 2)
    assert old is not None and old.exists()
    speech.load_prompts([("Kept prompt.", "en"), ("New prompt.", "en")], rate_steps=[2],
                        wait=True)
    stats = speech.cache.last_build
    assert (stats["rendered"], stats["reused"], stats["removed"]) == (1, 1, 1)
    assert not old.exists()
    assert speech.cache.get("New prompt.", "en", 2) is not None


def test_prompt_cache_keys_change_with_rate_and_voice(speech):
    cache = speech.cache
    assert cache.key("Hello.", "en", 2) != cache.key("Hello.", "en", 3)
    assert cache.key("Hello.", "en", 2) != cache.key("Hello.", "ar", 2)


def test_missing_voice_is_a_diagnostic_and_the_text_is_still_reported(tmp_path):
    sink = FileSink(tmp_path / "sink")
    spoken = []
    service = SpeechService(
        engine=SpeechEngine(workdir=tmp_path, preferred_voices={"ar": ("xx/none",)}),
        audio=sink, on_utterance=spoken.append)
    try:
        service.say("مرحبا", "ar")
        assert service.wait_idle(5)
        d = service.diagnostics()
        assert not d["ok"] and "No Arabic voice" in d["message"]
        assert [u.text for u in spoken] == ["مرحبا"]  # the UI still shows it
        service.say("Hello.", "en")
        assert sink.wait_for_entries(1)[0]["text"] == "Hello."
    finally:
        service.shutdown()


def test_diagnostics_describe_engine_voices_and_output(speech):
    d = speech.diagnostics()
    assert d["ok"] and d["message"] == "Speech is working."
    assert d["voices"]["ar"] == "sem/ar"
    assert d["audio"]["output"] == "file-sink"


def test_repeat_while_paused_resumes_with_the_interrupted_sentence_once(speech):
    speech.say(f"{LONG_EN}. The end.", "en")
    speech.started.wait_for(1)
    speech.pause()
    speech.repeat()
    entries = speech.sink.wait_for_entries(3)
    assert [e["text"] for e in entries] == [f"{LONG_EN}.", f"{LONG_EN}.", "The end."]
    assert speech.wait_idle(5) and len(speech.sink.entries) == 3


def test_rate_change_applies_to_the_next_sentence(speech):
    speech.say("One two three four. One two three four.", "en")
    speech.started.wait_for(1)
    speech.set_rate(0)
    first, second = speech.sink.wait_for_entries(2)
    assert second["duration_ms"] > first["duration_ms"] * 1.15


def test_say_and_report_waits_until_the_sound_went_out_and_says_where(speech):
    ok, how = speech.say_and_report("This is a speech test.", "en")
    assert ok, how
    assert "file-sink" in how and str(speech.sink.directory) in how
    entries = speech.sink.entries
    assert entries and entries[-1]["text"] == "This is a speech test."
    assert entries[-1]["stopped"] is False
    # Reported only once the sink had the whole sound: its length is in the answer.
    assert f"{entries[-1]['duration_ms'] / 1000:.1f} s" in how


def test_say_and_report_says_why_when_the_sound_was_cut_or_there_is_no_output(speech,
                                                                              tmp_path):
    answer: list = []
    t = threading.Thread(target=lambda: answer.append(
        speech.say_and_report(LONG_EN, "en", timeout=30)))
    t.start()
    speech.started.wait_for(1)
    speech.stop()
    t.join(30)
    assert answer and answer[0][0] is False and "cut off" in answer[0][1]

    from voices.audio import NullOut

    silent = SpeechService(engine=SpeechEngine(workdir=tmp_path / "engine2"),
                           audio=NullOut("no sound card in this test"))
    try:
        assert silent.say_and_report("Hello.", "en") == (
            False, "no audio output works (no sound card in this test)")
    finally:
        silent.shutdown()
