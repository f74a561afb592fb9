"""The speech engine process: pyttsx3's espeak-ng binding, driven by JSON lines on stdin, answering
JSON lines on stdout. It runs apart from the kiosk because espeak-ng's synthesis blocks and can
not be interrupted, and a crash in the C library must not take the kiosk down."""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time
import wave
from typing import Any


class Renderer:
    """pyttsx3's espeak-ng binding in synchronous mode. pyttsx3's own save_to_file runs
    espeak-ng in asynchronous "retrieval" mode, where back-to-back utterances race inside
    espeak-ng: a new rate or voice is sometimes ignored and a file sometimes comes out empty
    (voices/README.md); 100 mixed renders here gave 30 wrong files. Synchronous
    mode renders in this thread, in order, with no polling sleep."""

    def __init__(self) -> None:
        import pyttsx3
        from pyttsx3.drivers import _espeak
        from pyttsx3.drivers import espeak as espeak_driver

        self._espeak = _espeak
        self.sample_rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 200)
        if self.sample_rate == -1:
            raise RuntimeError("could not initialise espeak-ng")
        # espeak-ng can be initialised once per process; tell pyttsx3's driver it is done.
        espeak_driver.EspeakDriver._moduleInitialized = True
        espeak_driver.EspeakDriver._defaultVoice = "gmw/en"
        engine = pyttsx3.init("espeak")
        self.voices = [
            {"id": v.id, "name": v.name, "languages": list(v.languages or [])}
            for v in engine.getProperty("voices")
        ]
        self.version = (_espeak.Info(None) or b"unknown").decode("utf-8", "replace")
        self._chunks: list[bytes] = []
        self._voice: str | None = None
        _espeak.SetSynthCallback(self._on_synth)  # replaces pyttsx3's callback

    def _on_synth(self, wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0  # 0 = go on

    def render(self, text: str, voice: str, rate: int, out: str) -> None:
        es = self._espeak
        if voice != self._voice:  # loading a voice reads its files; most requests keep it
            if es.SetVoiceByName(voice.encode("utf-8")) != 0:
                self._voice = None
                raise ValueError(f"espeak-ng has no voice {voice!r}")
            self._voice = voice
        es.SetParameter(es.RATE, int(rate), 0)
        es.SetParameter(es.VOLUME, 100, 0)  # loudness is applied at playback
        self._chunks = []
        es.Synth(text, flags=es.ENDPAUSE | es.CHARS_UTF8)
        part = f"{out}.part"
        with wave.open(part, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(b"".join(self._chunks))
        # Readers (prompt cache, player) must never see a half-written file.
        os.replace(part, out)


def _synth(renderer: Renderer, req: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    renderer.render(req["text"], req["voice"], int(req["rate"]), req["out"])
    return {"ok": True, "out": req["out"], "ms": round((time.perf_counter() - started) * 1000, 2)}


def main() -> int:
    # pyttsx3 prints "Audio saved to ..." on stdout; keep stdout for replies only.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr

    def reply(obj: dict[str, Any]) -> None:
        replies.write(json.dumps(obj, ensure_ascii=False) + "\n")
        replies.flush()

    try:
        engine = Renderer()
        info = {"espeak_version": engine.version, "voices": engine.voices}
    except Exception as e:  # noqa: BLE001 - reported to the parent, which decides what to say
        reply({"ready": False, "error": f"{type(e).__name__}: {e}", "pid": os.getpid()})
        return 2
    reply({"ready": True, "pid": os.getpid(), **info})

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req: Any = None
        try:
            req = json.loads(line)
            if req.get("op") == "synth":
                res = _synth(engine, req)
            elif req.get("op") == "info":
                res = {"ok": True, **info}
            else:
                res = {"ok": False, "error": f"unknown op {req.get('op')!r}"}
        except Exception as e:  # noqa: BLE001 - one bad request must not end the process
            res = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        res["id"] = req.get("id") if isinstance(req, dict) else None
        reply(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
