"""Audio outputs: the choice at start, the FileSink's log, aplay through ALSA's null device
(no sound card here), and NullOut."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from voices.audio import AplayOut, FileSink, NullOut, choose_audio_out, sound_card_present
from voices.engine import SpeechEngine


@pytest.fixture(scope="module")
def wav(tmp_path_factory):
    engine = SpeechEngine(workdir=tmp_path_factory.mktemp("engine"))
    try:
        yield engine.synthesize("A sound card test sentence for the kiosk.", "en")
    finally:
        engine.close()


def test_without_a_sound_card_speech_goes_to_a_file_sink(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_AUDIO", raising=False)
    if sound_card_present():
        pytest.skip("this machine has a sound card")
    out = choose_audio_out(tmp_path / "sink")
    assert isinstance(out, FileSink) and out.directory == tmp_path / "sink"


def test_kiosk_audio_null_forces_silence_and_says_why(monkeypatch):
    monkeypatch.setenv("KIOSK_AUDIO", "null")
    out = choose_audio_out()
    assert isinstance(out, NullOut) and "KIOSK_AUDIO" in out.describe()["reason"]


def test_unwritable_sink_falls_back_to_null_out(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_AUDIO", "sink")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert isinstance(choose_audio_out(blocker / "sink"), NullOut)


def test_null_out_finishes_at_once(wav):
    pb = NullOut("test").play(wav, lang="en", text="x")
    assert pb.started.is_set() and pb.done.is_set() and not pb.stopped_early


def test_file_sink_logs_each_utterance_as_json(tmp_path, wav):
    sink = FileSink(tmp_path, speed=10)
    pb = sink.play(wav, lang="en", text="A sound card test sentence for the kiosk.", gain=0.5)
    assert pb.wait(5) and not pb.stopped_early
    [line] = (tmp_path / "speech-sink.log").read_text().splitlines()
    entry = json.loads(line)
    assert set(entry) >= {"time", "lang", "text", "wav", "duration_ms", "stopped", "played_ms"}
    assert entry["gain"] == 0.5 and entry["played_ms"] == entry["duration_ms"] > 1000


def test_file_sink_stop_records_how_much_was_heard(tmp_path, wav):
    sink = FileSink(tmp_path)
    pb = sink.play(wav, lang="en", text="t")
    pb.stop()
    entry = sink.wait_for_entries(1)[0]
    assert entry["stopped"] and entry["played_ms"] < 100 < entry["duration_ms"]
    assert pb.done.is_set() and pb.stopped_early


@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed")
def test_aplay_plays_to_alsa_and_can_be_stopped(wav):
    if subprocess.run(["aplay", "-q", "-D", "null", str(wav)]).returncode != 0:
        pytest.skip("ALSA's null device is not available")
    out = AplayOut(device="null")
    pb = out.play(wav, lang="en", text="t", gain=0.5)
    assert pb.wait(5) and not pb.stopped_early
    pb.stop()  # stopping a finished sound is harmless
    assert out.describe() == {"output": "aplay", "device": "null"}


def test_aplay_stop_kills_the_player_at_once(tmp_path, wav, monkeypatch):
    # A stand-in `aplay` that plays for a long time, as a real card would.
    fake = tmp_path / "bin" / "aplay"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    pb = AplayOut().play(wav, lang="en", text="t")
    assert not pb.wait(0.2)
    pb.stop()
    assert pb.done.is_set() and pb.stopped_early
    assert pb.process.wait(2) < 0  # killed, not finished


def test_aplay_failure_is_reported_not_hidden(wav):
    if shutil.which("aplay") is None:
        pytest.skip("alsa-utils not installed")
    pb = AplayOut(device="no-such-device").play(wav, lang="en", text="t")
    assert pb.wait(5)
    assert pb.error and "aplay -l" in pb.error


def test_file_sink_keeps_only_the_newest_sounds_and_never_overwrites(tmp_path, wav, monkeypatch):
    monkeypatch.setattr(FileSink, "KEEP_WAVS", 3)
    sink = FileSink(tmp_path, speed=1000)
    for i in range(5):
        sink.play(wav, lang="en", text=str(i)).wait(5)
    assert sorted(p.name for p in tmp_path.glob("utt-*.wav")) == [
        "utt-00003-en.wav", "utt-00004-en.wav", "utt-00005-en.wav"]
    again = FileSink(tmp_path, speed=1000)  # a restart continues the numbering
    assert again.play(wav, lang="ar", text="x").wav.name == "utt-00006-ar.wav"
