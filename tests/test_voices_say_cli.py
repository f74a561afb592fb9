"""`kiosk say` end to end: the real console script, real espeak-ng, real WAV files."""

from __future__ import annotations

import array
import json
import math
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).parent / "kiosk"
RMS_FLOOR = 500  # espeak-ng speech is near 2500; silence is 0


def wav_stats(path: Path) -> tuple[float, float]:
    """(duration in seconds, RMS of the 16-bit samples)."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = array.array("h")
    samples.frombytes(frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return seconds, rms


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KIOSK), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize(
    ("text", "lang"),
    [("مرحبا بكم في بوابة صنع في عمان. اتصلوا على ٨٠٠٠٠٠٧٠", "ar"),
     ("Welcome to Made in Oman. Call 80000070.", "en")],
)
def test_kiosk_say_writes_real_speech_in_both_languages(tmp_path, text, lang):
    out = tmp_path / f"{lang}.wav"
    res = kiosk("say", text, "--lang", lang, "--out", str(out))
    assert res.returncode == 0, res.stderr
    seconds, rms = wav_stats(out)
    assert rms > RMS_FLOOR
    # About 40 words/phrases at a calm rate: a few seconds, certainly not under one or over 20.
    assert 2.0 < seconds < 20.0


def test_kiosk_say_reads_arabic_with_the_arabic_voice(tmp_path):
    text = "مرحبا بكم في عمان"
    ours = tmp_path / "ours.wav"
    assert kiosk("say", text, "--lang", "ar", "--out", str(ours)).returncode == 0
    arabic, english = tmp_path / "sem-ar.wav", tmp_path / "en.wav"
    subprocess.run(["espeak-ng", "-v", "sem/ar", "-s", "155", "-w", str(arabic), text], check=True)
    subprocess.run(["espeak-ng", "-v", "gmw/en", "-s", "155", "-w", str(english), text], check=True)
    # The English voice spells Arabic letters out one by one and takes several times longer.
    ours_s, arabic_s, english_s = (wav_stats(p)[0] for p in (ours, arabic, english))
    assert abs(ours_s - arabic_s) / arabic_s < 0.25
    assert english_s > 2 * ours_s


def test_kiosk_say_without_out_plays_through_the_sink_when_there_is_no_sound_card(tmp_path):
    sink = tmp_path / "sink"
    res = kiosk("say", "Hello. Goodbye.", "--lang", "en",
                env={"KIOSK_AUDIO": "sink", "KIOSK_AUDIO_SINK_DIR": str(sink)})
    assert res.returncode == 0, res.stderr
    entries = [json.loads(line) for line in (sink / "speech-sink.log").read_text().splitlines()]
    assert [e["text"] for e in entries] == ["Hello.", "Goodbye."]
    assert all(not e["stopped"] and e["lang"] == "en" for e in entries)
    assert wav_stats(Path(entries[0]["wav"]))[1] > RMS_FLOOR


def test_kiosk_say_rejects_an_unknown_language_with_advice(tmp_path):
    res = kiosk("say", "Bonjour", "--lang", "fr", "--out", str(tmp_path / "x.wav"))
    assert res.returncode == 1
    assert "use --lang ar or --lang en" in res.stderr
    assert "Traceback" not in res.stderr


def test_kiosk_say_to_a_missing_folder_says_what_to_do(tmp_path):
    res = kiosk("say", "Hello", "--lang", "en", "--out", str(tmp_path / "no" / "x.wav"))
    assert res.returncode == 1
    assert "does not exist" in res.stderr and "--out" in res.stderr
