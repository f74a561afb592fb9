"""SpeechService: what the kiosk calls to speak. Every call returns at once; one player thread
turns queued sentences into sound (prompt cache first, else the engine process) and new speech,
stop, pause and repeat cut the current sound immediately."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voices.audio import AudioOut, NullOut, Playback, choose_audio_out, write_with_gain
from voices.engine import DEFAULT_RATE_STEP, RATE_STEPS, SpeechEngine, SpeechUnavailable
from voices.prompt_cache import PromptCache
from voices.speakable import LANGS, Sentence, prepare

log = logging.getLogger("voices.service")

# Loudness multipliers applied to the samples. espeak-ng peaks near 0.65 of full scale, so the
# top step only just reaches it; the lower steps are for quiet rooms and headsets.
VOLUME_GAINS: tuple[float, ...] = (0.2, 0.35, 0.5, 0.7, 1.0, 1.25, 1.5)
DEFAULT_VOLUME_STEP = 4


@dataclass(frozen=True)
class Utterance:
    """Something the kiosk said, for captions and speech.log."""

    time: float  # seconds since the epoch
    lang: str
    text: str

    def to_json(self) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(self.time, UTC).isoformat(timespec="milliseconds")
        return {"time": stamp, "lang": self.lang, "text": self.text}


@dataclass(frozen=True)
class SentenceStarted:
    """A sentence began to sound; `said_at`/`started_at` are perf_counter values."""

    lang: str
    text: str
    spoken: str
    said_at: float
    started_at: float
    cached: bool
    playback: Playback


@dataclass(eq=False)
class _Item:
    sentence: Sentence
    lang: str
    said_at: float
    wav: Path | None = None
    wav_rate: int | None = None
    wav_temp: bool = False
    wav_cached: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # say_and_report's listener: told once how this sentence ended, (went out whole, seconds
    # of sound) or (False, why not).
    report: Callable[[bool, str, float], None] | None = None

    def tell(self, ok: bool, how: str = "", seconds: float = 0.0) -> None:
        report, self.report = self.report, None
        if report is not None:
            report(ok, how, seconds)


class SpeechService:
    """Thread-safe, never blocks the caller. Callbacks run quickly or hand off: `on_utterance`
    runs in the caller's thread inside say(); `on_sentence` runs in the player thread (a Kivy
    UI hands both to Clock.schedule_once)."""

    def __init__(
        self,
        *,
        engine: SpeechEngine | None = None,
        audio: AudioOut | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        on_utterance: Callable[[Utterance], None] | None = None,
        on_sentence: Callable[[SentenceStarted], None] | None = None,
        default_rate_step: int = DEFAULT_RATE_STEP,
        default_volume_step: int = DEFAULT_VOLUME_STEP,
    ) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="kiosk-speech-"))
        self.engine = engine or SpeechEngine(workdir=self._tmp / "engine")
        self.audio = audio or choose_audio_out()
        self.cache = PromptCache(cache_dir, self.engine) if cache_dir is not None else None
        self.on_utterance = on_utterance
        self.on_sentence = on_sentence
        self.default_rate_step = _clamp(default_rate_step, RATE_STEPS)
        self.default_volume_step = _clamp(default_volume_step, VOLUME_GAINS)
        self._rate_step = self.default_rate_step
        self._volume_step = self.default_volume_step
        self._cond = threading.Condition(threading.RLock())
        self._queue: deque[_Item] = deque()
        self._active: _Item | None = None  # popped and being rendered or played
        self._last: _Item | None = None  # what repeat() says when nothing is playing
        self._playback: Playback | None = None
        self._gen = 0  # bumped whenever queued or playing speech is cut
        self._paused = False
        self._closed = False
        self._last_error: str | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="voices-player")
        self._thread.start()

    # -- what the UI calls -------------------------------------------------------------------

    def say(self, text: str, lang: str, *, interrupt: bool = True) -> None:
        """Speak `text` (logical text) in 'ar' or 'en'. By default it cuts whatever is being
        said; interrupt=False queues it after the current speech."""
        said_at = time.perf_counter()
        if lang not in LANGS:
            log.warning("no speech language %r; using English rules", lang)
        items = [_Item(s, lang, said_at) for s in prepare(text, lang)]
        with self._cond:
            if self._closed:
                return
            if interrupt:
                self._cut()
                self._drop_queue()
                self._paused = False
            self._queue.extend(items)
            self._cond.notify_all()
        if self.on_utterance is not None and text.strip():
            try:
                self.on_utterance(Utterance(time.time(), lang, text))
            except Exception:  # noqa: BLE001 - a caption bug must not silence the kiosk
                log.exception("on_utterance callback failed")

    def say_and_report(self, text: str, lang: str, timeout: float = 30.0) -> tuple[bool, str]:
        """Say ``text`` after whatever is being said and wait until it has sounded: whether the
        sound went out whole on this kiosk's output, and what it went to, or why not. Blocks:
        for a speech test staff ask for, never on a UI thread."""
        if isinstance(self.audio, NullOut):
            return False, f"no audio output works ({self.audio.reason})"
        sentences = prepare(text, lang)
        if not sentences:
            return False, "there was nothing to say"
        ended: list[tuple[bool, str, float]] = []
        finished = threading.Event()

        def report(ok: bool, how: str, seconds: float) -> None:
            with self._cond:
                ended.append((ok, how, seconds))
                if len(ended) == len(sentences):
                    finished.set()

        items = [_Item(s, lang, time.perf_counter(), report=report) for s in sentences]
        with self._cond:
            if self._closed:
                return False, "the speech service has stopped"
            self._queue.extend(items)
            self._cond.notify_all()
        if not finished.wait(timeout):
            for item in items:
                item.report = None
            return False, f"it had not been played after {timeout:g} s"
        failed = [how for ok, how, _s in ended if not ok]
        if failed:
            return False, failed[0]
        return True, f"{sum(s for _ok, _how, s in ended):.1f} s of speech went to {self._output()}"

    def _output(self) -> str:
        d = self.audio.describe()
        where = d.get("device") or d.get("directory")
        return f"{d.get('output')} ({where})" if where else str(d.get("output"))

    def stop(self) -> None:
        """Silence now and forget what was queued; repeat() still says the last sentence."""
        with self._cond:
            self._cut()
            self._drop_queue()
            self._paused = False
            self._cond.notify_all()

    def pause(self) -> None:
        """Stop sounding; resume() starts the interrupted sentence again from its beginning
        (a sentence is short, and hearing it whole is easier to follow than a cut-off word)."""
        with self._cond:
            if self._paused:
                return
            self._paused = True
            active = self._active
            self._cut()
            if active is not None:
                self._queue.appendleft(active)
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def repeat(self) -> None:
        """Say the current sentence again (or the last one, when nothing is playing), then go
        on with whatever was still to come."""
        with self._cond:
            if self._paused and self._queue:
                # Paused speech already starts with the interrupted sentence.
                self._paused = False
                self._cond.notify_all()
                return
            item = self._active or self._last
            if item is None:
                return
            self._cut()
            self._queue.appendleft(_Item(item.sentence, item.lang, time.perf_counter()))
            self._paused = False
            self._cond.notify_all()

    @property
    def rate_step(self) -> int:
        return self._rate_step

    @property
    def volume_step(self) -> int:
        return self._volume_step

    def set_rate(self, step: int) -> int:
        """Speech rate step 0 (slowest) .. len(RATE_STEPS)-1; applies from the next sentence."""
        with self._cond:
            self._rate_step = _clamp(step, RATE_STEPS)
            return self._rate_step

    def set_volume(self, step: int) -> int:
        """Volume step 0 (quietest) .. len(VOLUME_GAINS)-1; applies from the next sentence."""
        with self._cond:
            self._volume_step = _clamp(step, VOLUME_GAINS)
            return self._volume_step

    def volume_up(self) -> int:
        return self.set_volume(self._volume_step + 1)

    def volume_down(self) -> int:
        return self.set_volume(self._volume_step - 1)

    def reset_for_new_visitor(self) -> None:
        """Silence, forget, and return volume and rate to the site's defaults."""
        with self._cond:
            self._cut()
            self._drop_queue()
            self._paused = False
            self._last = None
            self._rate_step = self.default_rate_step
            self._volume_step = self.default_volume_step
            self._cond.notify_all()

    @property
    def is_paused(self) -> bool:
        return self._paused

    @property
    def is_speaking(self) -> bool:
        with self._cond:
            return self._active is not None or (bool(self._queue) and not self._paused)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or playing (for `kiosk say` and tests, not the UI)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._active is not None or (self._queue and not self._paused):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def load_prompts(self, prompts: Iterable[tuple[str, str]],
                     rate_steps: Iterable[int] | None = None,
                     wait: bool = False) -> threading.Thread | None:
        """Bring the prompt cache in line with the UI's strings, as (text, lang) pairs, in the
        background (or now, with wait=True). Without a cache_dir this does nothing."""
        if self.cache is None:
            return None
        cache = self.cache
        prompts = list(prompts)
        steps = list(rate_steps) if rate_steps is not None else None

        def build() -> None:
            try:
                cache.build(prompts, steps)
            except Exception:  # noqa: BLE001 - a cache failure only costs speed
                log.exception("prompt cache build failed")

        if wait:
            build()
            return None
        t = threading.Thread(target=build, daemon=True, name="voices-prompt-cache")
        t.start()
        return t

    def diagnostics(self) -> dict[str, Any]:
        """For the admin screen: engine, voices, output, cache, and problems as sentences."""
        d = self.engine.diagnostics()
        d["audio"] = self.audio.describe()
        d["prompt_cache"] = self.cache.describe() if self.cache else None
        d["rate_step"], d["volume_step"] = self._rate_step, self._volume_step
        if self._last_error and self._last_error not in d["problems"]:
            d["problems"] = d["problems"] + [self._last_error]
        if d["audio"].get("output") == "null":
            d["problems"] = d["problems"] + [
                f"No audio output works ({d['audio'].get('reason')}); connect speakers or a "
                "headset and restart the kiosk."]
        d["ok"] = not d["problems"]
        d["message"] = " ".join(d["problems"]) if d["problems"] else "Speech is working."
        return d

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            self._cut()
            self._drop_queue()
            self._cond.notify_all()
        self._thread.join(timeout=2)
        self.engine.close()
        self.audio.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- the player thread -------------------------------------------------------------------

    def _cut(self) -> None:
        # Caller holds the lock. Anything rendered or playing for the old generation is dropped.
        self._gen += 1
        if self._active is not None:
            self._last = self._active
        self._active = None
        pb, self._playback = self._playback, None
        if pb is not None:
            pb.stop()

    def _drop_queue(self) -> None:
        # Caller holds the lock; prefetched sentences own temporary files.
        for item in self._queue:
            if item.wav is not None and item.wav_temp:
                item.wav.unlink(missing_ok=True)
            item.tell(False, "it was cut off before it played (other speech or a stop)")
        self._queue.clear()

    def _run(self) -> None:
        self.engine.start()  # warm the engine process so the first utterance is quick
        while True:
            with self._cond:
                while not self._closed and (self._paused or not self._queue):
                    self._cond.wait()
                if self._closed:
                    return
                item = self._queue.popleft()
                self._active = item
                gen = self._gen
                rate, gain = self._rate_step, VOLUME_GAINS[self._volume_step]
            self._speak(item, gen, rate, gain)

    def _speak(self, item: _Item, gen: int, rate: int, gain: float) -> None:
        try:
            wav, temp, cached = self._render(item, rate)
        except SpeechUnavailable as e:
            self._problem(str(e))
            item.tell(False, str(e))
            self._finish(item, gen)
            return
        scaled: Path | None = None
        try:
            if abs(gain - 1.0) >= 1e-3:
                # Scaling samples takes milliseconds: do it before taking the lock say() needs.
                scaled = self._tmp / f"vol-{id(item)}.wav"
                write_with_gain(wav, scaled, gain)
            with self._cond:
                if gen != self._gen:
                    if item not in self._queue:  # not paused: it will not play
                        item.tell(False, "it was cut off before it played (other speech or a "
                                         "stop)")
                    return
                try:
                    pb = self.audio.play(scaled or wav, lang=item.lang, text=item.sentence.text,
                                         gain=gain, scaled=True)
                except OSError as e:
                    self._problem(f"Speech could not be played ({e}).")
                    item.tell(False, f"it could not be played ({e})")
                    self._finish(item, gen)
                    return
                self._playback = pb
            self._last_error = None
            if self.on_sentence is not None:
                try:
                    self.on_sentence(SentenceStarted(
                        item.lang, item.sentence.text, item.sentence.spoken, item.said_at,
                        pb.started_at or time.perf_counter(), cached, pb))
                except Exception:  # noqa: BLE001
                    log.exception("on_sentence callback failed")
            self._prefetch(rate)
            pb.wait()
            if pb.error:
                self._problem(pb.error)
                item.tell(False, pb.error)
            elif pb.stopped_early:
                with self._cond:
                    if item not in self._queue:  # paused, it plays again from its start
                        item.tell(False, f"it was cut off after {pb.played_ms or 0:.0f} ms")
            else:
                item.tell(True, seconds=pb.duration_ms / 1000)
            self._finish(item, gen)
        except OSError as e:
            self._problem(f"Speech could not be played ({e}).")
            item.tell(False, f"it could not be played ({e})")
            self._finish(item, gen)
        finally:
            if temp:
                wav.unlink(missing_ok=True)
            if scaled is not None:
                scaled.unlink(missing_ok=True)

    def _finish(self, item: _Item, gen: int) -> None:
        with self._cond:
            if gen == self._gen:
                self._active = None
                self._last = item
                self._playback = None
            self._cond.notify_all()

    def _render(self, item: _Item, rate: int) -> tuple[Path, bool, bool]:
        if item.wav is not None:
            wav, temp, cached = item.wav, item.wav_temp, item.wav_cached
            item.wav = None
            if item.wav_rate == rate and wav.exists():
                return wav, temp, cached
            if temp:  # prefetched before the rate changed
                wav.unlink(missing_ok=True)
        if self.cache is not None:
            hit = self.cache.get(item.sentence.spoken, item.lang, rate)
            if hit is not None:
                return hit, False, True
        return self.engine.synthesize(item.sentence.spoken, item.lang, rate), True, False

    def _prefetch(self, rate: int) -> None:
        # Render the next sentence while this one plays, so sentences follow without a gap.
        with self._cond:
            nxt = self._queue[0] if self._queue else None
        if nxt is None or nxt.wav is not None:
            return
        try:
            wav, temp, cached = self._render(nxt, rate)
        except SpeechUnavailable:
            return  # reported when its turn comes
        with self._cond:
            if nxt in self._queue and nxt.wav is None:
                nxt.wav, nxt.wav_rate, nxt.wav_temp, nxt.wav_cached = wav, rate, temp, cached
                return
        if temp:
            wav.unlink(missing_ok=True)

    def _problem(self, message: str) -> None:
        if message != self._last_error:
            log.error("%s", message)
        self._last_error = message


def _clamp(step: int, steps: tuple[Any, ...]) -> int:
    return max(0, min(len(steps) - 1, int(step)))
