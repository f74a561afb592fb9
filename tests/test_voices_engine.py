"""The speech engine process and its diagnostics: real pyttsx3 over espeak-ng."""

from __future__ import annotations

import sys
import wave

import pytest

from voices.engine import RATE_STEPS, SpeechEngine, SpeechUnavailable


@pytest.fixture
def engine(tmp_path):
    e = SpeechEngine(workdir=tmp_path)
    yield e
    e.close()


def duration(path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_each_language_gets_its_own_voice(engine):
    assert engine.voice_for("ar") == "sem/ar"
    assert engine.voice_for("en") in ("gmw/en", "en", "gmw/en-us")
    d = engine.diagnostics()
    assert d["ok"] and d["engine_running"] and d["espeak_version"]


def test_synthesis_runs_in_a_separate_process(engine):
    import os

    engine.synthesize("Hello", "en")
    assert engine.pid is not None and engine.pid != os.getpid()
    assert engine.rss_kb() > 0


def test_slower_rate_steps_take_longer(engine):
    text = "The kiosk speaks calmly so that everyone can follow."
    slow = duration(engine.synthesize(text, "en", 0))
    fast = duration(engine.synthesize(text, "en", len(RATE_STEPS) - 1))
    assert slow > fast * 1.3


def test_missing_voice_gives_a_diagnostic_not_a_crash(tmp_path):
    engine = SpeechEngine(workdir=tmp_path, preferred_voices={"ar": ("xx/no-such-voice",)})
    try:
        d = engine.diagnostics()
        assert not d["ok"]
        assert d["voices"]["ar"] is None
        assert "No Arabic voice" in d["message"] and "system-deps" in d["message"]
        with pytest.raises(SpeechUnavailable, match="Arabic"):
            engine.synthesize("مرحبا", "ar")
        # The other language keeps working.
        assert duration(engine.synthesize("Hello", "en")) > 0.2
    finally:
        engine.close()


def test_engine_that_cannot_start_gives_a_diagnostic(tmp_path):
    engine = SpeechEngine(workdir=tmp_path,
                          worker_cmd=[sys.executable, "-c", "import sys; sys.exit(3)"])
    d = engine.diagnostics()
    assert not d["ok"] and not d["engine_running"]
    assert "did not start" in d["message"] and "Text stays on screen" in d["message"]
    with pytest.raises(SpeechUnavailable):
        engine.synthesize("Hello", "en")


def test_engine_without_espeak_says_to_install_it(tmp_path):
    fake = ("import json; print(json.dumps({'ready': False, 'error': "
            "'RuntimeError: This means you probably do not have eSpeak or eSpeak-ng installed!'}))")
    engine = SpeechEngine(workdir=tmp_path, worker_cmd=[sys.executable, "-c", fake])
    msg = engine.diagnostics()["message"]
    assert "espeak-ng is missing" in msg and "scripts/system-deps" in msg


def test_engine_process_that_dies_is_restarted(engine):
    import os
    import signal

    engine.synthesize("one", "en")
    first = engine.pid
    os.kill(first, signal.SIGKILL)
    assert duration(engine.synthesize("two", "en")) > 0.1
    assert engine.pid not in (None, first)


def test_closed_engine_ends_its_process_and_never_starts_another(tmp_path):
    import os

    engine = SpeechEngine(workdir=tmp_path)
    engine.synthesize("Hello", "en")
    pid = engine.pid
    engine.close()
    assert engine.pid is None
    with pytest.raises(ProcessLookupError):  # close() waits for the process to end
        os.kill(pid, 0)
    with pytest.raises(SpeechUnavailable, match="shut down"):
        engine.synthesize("Again", "en")
