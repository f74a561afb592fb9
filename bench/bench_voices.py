"""Speech latency on this machine with real espeak-ng and the real engine process: say() to the
first audio sample (new text and cached prompts), new say() to silence of the previous sound,
and the engine process's memory. The sound card is a FileSink; its play start is the moment a
card would receive the first sample."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from voices.audio import AplayOut, FileSink
from voices.engine import SpeechEngine
from voices.service import SentenceStarted, SpeechService

ROUNDS = 60

PRODUCTS_EN = ["dates", "frankincense", "halwa", "rose water", "honey", "pottery", "silver",
               "coffee", "textiles", "perfume"]
PRODUCTS_AR = ["تمور", "لبان", "حلوى", "ماء ورد", "عسل", "فخار", "فضة", "قهوة", "منسوجات", "عطور"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class _Starts:
    def __init__(self) -> None:
        self.events: list[SentenceStarted] = []
        self.cond = threading.Condition()

    def __call__(self, event: SentenceStarted) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait_for(self, n: int, timeout: float = 10.0) -> SentenceStarted:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.events) >= n, timeout):
                raise TimeoutError(f"sentence {n} did not start")
            return self.events[n - 1]


def _player_kill_ms(tmp: Path, wav: Path) -> list[float]:
    """There is no sound card here, so a stand-in `aplay` that plays for a long time shows how
    quickly stopping ends the player process (which is what silences a real card)."""
    bindir = tmp / "bin"
    bindir.mkdir()
    fake = bindir / "aplay"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{bindir}{os.pathsep}{old_path}"
    out, times = AplayOut(), []
    try:
        for _ in range(20):
            pb = out.play(wav, lang="en", text="x")
            time.sleep(0.02)  # let the player get going, as it would be mid-sentence
            t0 = time.perf_counter()
            pb.stop()
            if pb.process is not None:
                pb.process.wait(5)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        os.environ["PATH"] = old_path
    return times


def _text(i: int) -> tuple[str, str]:
    # Every text is new (the number changes), in both languages, like product pages.
    if i % 2:
        return f"{PRODUCTS_AR[i % 10]} من نزوى، رقم {i + 100}، بسعر {i}.500 ر.ع.", "ar"
    return f"{PRODUCTS_EN[i % 10].capitalize()} from Nizwa, number {i + 100}, {i}.500 OMR.", "en"


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-voices-"))
    starts = _Starts()
    # Fast simulated playback keeps the bench short; latency is measured to the play start.
    sink = FileSink(tmp / "sink", speed=20.0)
    service = SpeechService(engine=SpeechEngine(workdir=tmp / "engine"), audio=sink,
                            cache_dir=tmp / "cache", on_sentence=starts)
    try:
        service.engine.start()
        n = 0
        # Warm-up: imports, first voice load, page cache.
        for i in range(4):
            text, lang = _text(i)
            service.say(text, lang)
            n += 1
            starts.wait_for(n)

        new_ms, call_ms = [], []
        for i in range(ROUNDS):
            text, lang = _text(1000 + i)
            t0 = time.perf_counter()
            service.say(text, lang)
            call_ms.append((time.perf_counter() - t0) * 1000)
            n += 1
            ev = starts.wait_for(n)
            new_ms.append((ev.started_at - ev.said_at) * 1000)

        prompts = [(f"Screen {i}: touch a tile to open it.", "en") for i in range(20)]
        prompts += [(f"الشاشة {i}: المس المربع لفتحه.", "ar") for i in range(20)]
        build_t0 = time.perf_counter()
        service.load_prompts(prompts, rate_steps=[service.rate_step], wait=True)
        build_s = time.perf_counter() - build_t0
        synth_before = service.engine.synth_count
        cached_ms = []
        for i in range(ROUNDS):
            text, lang = prompts[i % len(prompts)]
            service.say(text, lang)
            n += 1
            ev = starts.wait_for(n)
            cached_ms.append((ev.started_at - ev.said_at) * 1000)
        cache_synths = service.engine.synth_count - synth_before

        # Cutting: while a long sentence plays, new speech arrives; how soon is the old one silent?
        cut_ms = []
        long_text = ("This sentence is long enough to still be playing when the visitor acts "
                     "on the screen again")
        for _ in range(ROUNDS // 2):
            service.say(long_text, "en")
            n += 1
            ev = starts.wait_for(n)
            t0 = time.perf_counter()
            service.say("Next.", "en")
            n += 1
            starts.wait_for(n)
            if ev.playback.ended_at is not None:
                cut_ms.append((ev.playback.ended_at - t0) * 1000)
        service.wait_idle(10)
        rss_mb = (service.engine.rss_kb() or 0) / 1024
        kill_ms = _player_kill_ms(tmp, Path(sink.entries[0]["wav"]))
    finally:
        service.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)

    return [
        {"metric": "say() to first audio, new text: p50", "value": statistics.median(new_ms),
         "unit": "ms", "goal": ""},
        {"metric": "say() to first audio, new text: p95", "value": _pct(new_ms, 0.95),
         "unit": "ms", "goal": "<= 150"},
        {"metric": "say() call returns (caller never waits): p95", "value": _pct(call_ms, 0.95),
         "unit": "ms", "goal": "<= 5"},
        {"metric": "say() to first audio, cached prompt: p50",
         "value": statistics.median(cached_ms), "unit": "ms", "goal": ""},
        {"metric": "say() to first audio, cached prompt: p95", "value": _pct(cached_ms, 0.95),
         "unit": "ms", "goal": "<= 30"},
        {"metric": "syntheses during cached prompts", "value": cache_synths, "unit": "",
         "goal": "0"},
        {"metric": "new say() to end of previous sound: p95", "value": _pct(cut_ms, 0.95),
         "unit": "ms", "goal": "<= 100"},
        {"metric": "player process stop: kill to exit p95 (stand-in aplay)",
         "value": _pct(kill_ms, 0.95) if kill_ms else "n/a", "unit": "ms", "goal": "<= 100"},
        {"metric": "prompt cache build, 40 prompts at one rate", "value": build_s, "unit": "s",
         "goal": ""},
        {"metric": "speech engine process RSS", "value": rss_mb, "unit": "MiB", "goal": ""},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
