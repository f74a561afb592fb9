"""`kiosk say TEXT --lang ar|en [--out FILE.wav]`: speak with the kiosk's voice through the
kiosk's audio output, or write the WAV, so a technician can check speech on site."""

from __future__ import annotations

import argparse
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

from kiosk.errors import CommandError

# Long enough for a paragraph at the slowest rate; `kiosk say` is for short checks.
PLAY_TIMEOUT_S = 600.0


def run_say(text: str, lang: str, out: str | None) -> int:
    """Speak `text` in `lang`, or write it to the WAV file `out`; 0 on success. Errors raise
    kiosk.errors.CommandError with a sentence saying what to do."""
    from voices.engine import SpeechEngine, SpeechUnavailable
    from voices.speakable import prepare

    if lang not in ("ar", "en"):
        raise CommandError(f"'{lang}' is not a kiosk language; use --lang ar or --lang en.")
    sentences = prepare(text, lang)
    if not sentences:
        raise CommandError("There is nothing to say; give the text to speak, e.g. kiosk say "
                           "\"Welcome\" --lang en.")
    if out is not None:
        return _write(sentences, lang, Path(out), SpeechEngine, SpeechUnavailable)
    return _speak(text, lang)


def _write(sentences: list[Any], lang: str, out: Path, engine_cls: Any, unavailable: Any) -> int:
    # One file for the whole text: sentences are joined back with a pause between them.
    pause = "،" if lang == "ar" else ","
    spoken = " ".join(s.spoken if s.spoken[-1] in ".!?؟،,;؛:" else s.spoken + pause
                      for s in sentences)
    out = out.expanduser()
    if not out.parent.is_dir():
        raise CommandError(f"The folder {out.parent} does not exist; create it or choose another "
                           "--out path.")
    with tempfile.TemporaryDirectory(prefix="kiosk-say-") as tmp:
        engine = engine_cls(workdir=tmp)
        try:
            part = Path(tmp) / "say.wav"
            engine.synthesize(spoken, lang, out=part)
        except unavailable as e:
            raise CommandError(str(e)) from e
        finally:
            engine.close()
        try:
            with wave.open(str(part), "rb") as w:
                if w.getnframes() == 0:
                    raise CommandError("The voice produced no sound for this text; check the "
                                       "voice data with 'kiosk say Hello --lang en' and "
                                       "reinstall espeak-ng.")
            with open(part, "rb") as src, open(out, "wb") as dst:
                dst.write(src.read())
        except OSError as e:
            raise CommandError(f"Could not write {out} ({e.strerror or e}); choose a writable "
                               "--out path.") from e
    return 0


def _speak(text: str, lang: str) -> int:
    from voices.audio import FileSink
    from voices.service import SpeechService

    service = SpeechService()
    try:
        problems = service.diagnostics()["problems"]
        if problems:
            raise CommandError(" ".join(problems))
        service.say(text, lang)
        if not service.wait_idle(PLAY_TIMEOUT_S):
            raise CommandError("Speech did not finish in time; check the audio output with "
                               "'aplay -l'.")
        problems = service.diagnostics()["problems"]
        if problems:
            raise CommandError(" ".join(problems))
        if isinstance(service.audio, FileSink):
            print(f"kiosk: no sound card found; the speech was written to "
                  f"{service.audio.directory} (see {service.audio.log_path.name}).",
                  file=sys.stderr)
    finally:
        service.shutdown()
    return 0


def add_say_parser(sub: Any) -> argparse.ArgumentParser:
    """Register `kiosk say` on the kiosk CLI's subparsers."""
    p = sub.add_parser("say", help="speak TEXT with the kiosk's voice, or write the WAV")
    p.add_argument("text", metavar="TEXT", help="what to say (logical text)")
    p.add_argument("--lang", required=True, help="ar or en")
    p.add_argument("--out", metavar="FILE.wav", help="write the WAV here instead of playing it")
    p.set_defaults(func=lambda args: run_say(args.text, args.lang, args.out))
    return p

