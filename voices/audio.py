"""Where speech goes: a sound card through `aplay`, a FileSink that stands in for the sound card
(each utterance's WAV plus a JSON log line, played in simulated real time), or nothing at all.
Every play returns at once with a Playback handle that can be stopped instantly."""

from __future__ import annotations

import array
import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
import wave
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("voices.audio")

SINK_LOG_NAME = "speech-sink.log"


class Playback:
    """One sound being played. `started`/`done` are events so callers wait instead of sleeping;
    times are time.perf_counter() values."""

    def __init__(self, wav: Path, lang: str, text: str, duration_ms: float,
                 speed: float = 1.0) -> None:
        self.wav = wav
        self.speed = speed  # a FileSink may play faster than real time; played_ms stays audio time
        self.lang = lang
        self.text = text
        self.duration_ms = duration_ms
        self.started = threading.Event()
        self.done = threading.Event()
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stopped_early = False
        self.played_ms: float | None = None
        self._stop_hook: Callable[[], None] | None = None
        self.process: subprocess.Popen[bytes] | None = None  # the player, when there is one
        self.error: str | None = None  # set when the output failed to play the sound
        self._lock = threading.Lock()

    def _mark_started(self) -> None:
        self.started_at = time.perf_counter()
        self.started.set()

    def _mark_done(self, stopped: bool, signal: bool = True) -> None:
        with self._lock:  # the stopper and the player thread may both get here
            self._set_end(stopped)
        if signal:
            self.done.set()

    def _set_end(self, stopped: bool) -> None:
        if self.ended_at is None:
            self.ended_at = time.perf_counter()
            self.stopped_early = stopped
            if self.started_at is not None:
                self.played_ms = round(min(self.duration_ms, (self.ended_at - self.started_at)
                                           * 1000 * self.speed), 1)

    def stop(self) -> None:
        """End this sound now; safe from any thread, any number of times."""
        if self.done.is_set():
            return
        hook = self._stop_hook
        if hook is not None:
            hook()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


def wav_duration_ms(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() * 1000.0 / (w.getframerate() or 1)


try:  # audioop scales in C; it is deprecated and leaves the stdlib in Python 3.13
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
except ImportError:  # pragma: no cover - Python 3.13+
    audioop = None


def _scaled_frames(frames: bytes, gain: float) -> bytes:
    if audioop is not None:
        return audioop.mul(frames, 2, gain)  # clips at full scale, like the loop below
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder != "little":
        samples.byteswap()
    if gain <= 1.0:
        samples = array.array("h", [int(s * gain) for s in samples])
    else:
        samples = array.array("h", [max(-32768, min(32767, int(s * gain))) for s in samples])
    if sys.byteorder != "little":
        samples.byteswap()
    return samples.tobytes()


def write_with_gain(src: Path, dst: Path, gain: float) -> None:
    """Copy a 16-bit WAV, scaling its loudness; volume is applied here so that one cached
    rendering serves every volume step."""
    if abs(gain - 1.0) < 1e-3:
        shutil.copyfile(src, dst)
        return
    with wave.open(str(src), "rb") as r:
        params = r.getparams()
        frames = r.readframes(r.getnframes())
    if params.sampwidth == 2:
        frames = _scaled_frames(frames, gain)
    with wave.open(str(dst), "wb") as w:
        w.setparams(params)
        w.writeframes(frames)


class AudioOut:
    """Base of the three outputs: play() never blocks on the sound itself. `gain` is the
    volume; with scaled=True the caller has already applied it to the file (so that the work
    happens outside its own locks) and it is only recorded."""

    name = "none"

    def play(self, wav: Path, *, lang: str, text: str, gain: float = 1.0,
             scaled: bool = False) -> Playback:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"output": self.name}

    def close(self) -> None:
        pass


class NullOut(AudioOut):
    """Used when no output works: speech is dropped (the text is still shown) and logged once."""

    name = "null"

    def __init__(self, reason: str = "no audio output is available") -> None:
        self.reason = reason
        log.error("speech is silent: %s", reason)

    def play(self, wav: Path, *, lang: str, text: str, gain: float = 1.0,
             scaled: bool = False) -> Playback:
        pb = Playback(wav, lang, text, 0.0)
        pb._mark_started()
        pb._mark_done(stopped=False)
        return pb

    def describe(self) -> dict[str, Any]:
        return {"output": self.name, "reason": self.reason}


class AplayOut(AudioOut):
    """A real sound card through alsa-utils' aplay; stopping kills the aplay process, which
    silences the card at once (espeak-ng itself can not be interrupted mid-utterance)."""

    name = "aplay"

    def __init__(self, device: str | None = None, tmpdir: Path | None = None) -> None:
        self.device = device
        self.tmpdir = tmpdir or Path(os.environ.get("TMPDIR", "/tmp"))
        self._n = itertools.count(1)

    def play(self, wav: Path, *, lang: str, text: str, gain: float = 1.0,
             scaled: bool = False) -> Playback:
        src = Path(wav)
        path = src
        if not scaled and abs(gain - 1.0) >= 1e-3:
            path = self.tmpdir / f"kiosk-play-{os.getpid()}-{next(self._n)}.wav"
            write_with_gain(src, path, gain)
        pb = Playback(path, lang, text, wav_duration_ms(path))
        cmd = ["aplay", "-q"] + (["-D", self.device] if self.device else []) + [str(path)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError:
            if path != src:
                path.unlink(missing_ok=True)
            raise
        pb._mark_started()
        pb.process = proc

        def stop() -> None:
            if proc.poll() is None:
                proc.kill()
            pb._mark_done(stopped=True)

        def reap() -> None:
            rc = proc.wait()
            if rc > 0:
                pb.error = (f"aplay could not play the sound (exit status {rc}); check that the "
                            "speakers or headset are connected and listed by 'aplay -l'.")
            pb._mark_done(stopped=rc != 0)
            if path != src:
                path.unlink(missing_ok=True)

        pb._stop_hook = stop
        threading.Thread(target=reap, daemon=True, name="voices-aplay-reaper").start()
        return pb

    def describe(self) -> dict[str, Any]:
        return {"output": self.name, "device": self.device or "default"}


class FileSink(AudioOut):
    """Stands in for a sound card: keeps each utterance's WAV in `directory`, appends one JSON
    line per utterance to speech-sink.log, and "plays" for the sound's real duration (divided
    by `speed`) so that stopping early is observable, with how much was heard."""

    name = "file-sink"

    # A kiosk without a sound card may run for months: keep the newest sounds and log lines,
    # not all of them.
    KEEP_WAVS = 1000
    KEEP_ENTRIES = 10000
    MAX_LOG_BYTES = 5 * 1024 * 1024

    def __init__(self, directory: str | os.PathLike[str], speed: float = 1.0,
                 on_entry: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_path = self.directory / SINK_LOG_NAME
        self.speed = speed
        self.on_entry = on_entry
        self.entries: list[dict[str, Any]] = []
        self.count = 0  # utterances finished since start (entries may be trimmed)
        self._cond = threading.Condition()
        existing = sorted(self.directory.glob("utt-*.wav"))
        self._wavs: deque[Path] = deque(existing)
        numbers = [int(p.name.split("-")[1]) for p in existing if p.name.split("-")[1].isdigit()]
        self._n = itertools.count(max(numbers, default=0) + 1)

    def play(self, wav: Path, *, lang: str, text: str, gain: float = 1.0,
             scaled: bool = False) -> Playback:
        n = next(self._n)
        dst = self.directory / f"utt-{n:05d}-{lang}.wav"
        write_with_gain(Path(wav), dst, 1.0 if scaled else gain)
        with self._cond:
            self._wavs.append(dst)
            while len(self._wavs) > self.KEEP_WAVS:
                self._wavs.popleft().unlink(missing_ok=True)
        pb = Playback(dst, lang, text, wav_duration_ms(dst), speed=self.speed)
        stop_event = threading.Event()

        def stop() -> None:
            stop_event.set()
            pb._mark_done(stopped=True)

        pb._stop_hook = stop
        pb._mark_started()
        wall_time = datetime.now(UTC).isoformat(timespec="milliseconds")

        def run() -> None:
            stopped = stop_event.wait(pb.duration_ms / 1000.0 / self.speed)
            # A sound that ends by itself is logged before it reports done, so whoever waits
            # on it finds its line; a stopped one reported done at the stop.
            pb._mark_done(stopped=stopped, signal=False)
            self._record({
                "time": wall_time, "lang": lang, "text": text, "wav": str(dst),
                "duration_ms": round(pb.duration_ms, 1), "stopped": pb.stopped_early,
                "played_ms": pb.played_ms, "gain": round(gain, 3),
            })
            pb.done.set()

        threading.Thread(target=run, daemon=True, name="voices-sink-player").start()
        return pb

    def _record(self, entry: dict[str, Any]) -> None:
        with self._cond:
            try:
                if self.log_path.stat().st_size > self.MAX_LOG_BYTES:
                    os.replace(self.log_path, self.log_path.with_suffix(".log.1"))
            except FileNotFoundError:
                pass
            with self.log_path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.entries.append(entry)
            if len(self.entries) > self.KEEP_ENTRIES:
                del self.entries[: len(self.entries) - self.KEEP_ENTRIES]
            self.count += 1
            self._cond.notify_all()
        if self.on_entry is not None:
            try:
                self.on_entry(entry)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop the sink
                log.exception("sink listener failed")

    def wait_for_entries(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `count` utterances have finished (played or stopped); for tests."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.count < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"sink has {self.count} of {count} entries")
                self._cond.wait(left)
            return list(self.entries)

    def describe(self) -> dict[str, Any]:
        return {"output": self.name, "directory": str(self.directory)}


def sound_card_present() -> bool:
    """True when ALSA lists a playback card (`aplay -l`)."""
    if shutil.which("aplay") is None:
        return False
    try:
        res = subprocess.run(["aplay", "-l"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0 and "card " in res.stdout


def choose_audio_out(sink_dir: str | os.PathLike[str] | None = None) -> AudioOut:
    """The output for this machine: $KIOSK_AUDIO=aplay|sink|null forces one; otherwise aplay
    when a sound card exists, else a FileSink in `sink_dir` (or $KIOSK_AUDIO_SINK_DIR),
    else NullOut."""
    forced = os.environ.get("KIOSK_AUDIO", "").strip().lower()
    if forced == "null":
        return NullOut("KIOSK_AUDIO=null")
    if forced == "aplay" or (not forced and sound_card_present()):
        return AplayOut(os.environ.get("KIOSK_AUDIO_DEVICE") or None)
    directory = sink_dir or os.environ.get("KIOSK_AUDIO_SINK_DIR")
    if directory is None:
        home = os.environ.get("KIOSK_HOME")
        directory = Path(home) / "speech-sink" if home else Path("/tmp") / "kiosk-speech-sink"
    try:
        sink = FileSink(directory)
    except OSError as e:
        return NullOut(f"no sound card and the sink directory {directory} is not writable ({e})")
    log.info("no sound card found; speech goes to %s", sink.log_path)
    return sink
