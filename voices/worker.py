"""The speech engine process: pyttsx3 over espeak-ng, driven by JSON lines on stdin, answering
JSON lines on stdout. It runs apart from the kiosk because espeak-ng's synthesis blocks and can
not be interrupted, and a crash in the C library must not take the kiosk down."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def _open_engine() -> tuple[Any, dict[str, Any]]:
    import pyttsx3
    from pyttsx3.drivers import _espeak

    engine = pyttsx3.init("espeak")
    voices = [
        {"id": v.id, "name": v.name, "languages": list(v.languages or [])}
        for v in engine.getProperty("voices")
    ]
    version = (_espeak.Info(None) or b"unknown").decode("utf-8", "replace")
    return engine, {"espeak_version": version, "voices": voices}


def _synth(engine: Any, req: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    out = req["out"]
    part = f"{out}.part"
    engine.setProperty("voice", req["voice"])
    engine.setProperty("rate", int(req["rate"]))
    engine.setProperty("volume", 1.0)  # loudness is applied at playback, so cached files stay valid
    engine.save_to_file(req["text"], part)
    engine.runAndWait()
    # Readers (prompt cache, player) must never see a half-written file.
    os.replace(part, out)
    return {"ok": True, "out": out, "ms": round((time.perf_counter() - started) * 1000, 2)}


def main() -> int:
    # pyttsx3 prints "Audio saved to ..." on stdout; keep stdout for replies only.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr

    def reply(obj: dict[str, Any]) -> None:
        replies.write(json.dumps(obj, ensure_ascii=False) + "\n")
        replies.flush()

    try:
        engine, info = _open_engine()
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
