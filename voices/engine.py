"""Speech synthesis: sends text to the engine process (voices.worker, pyttsx3 over espeak-ng)
and gets WAV files back; picks the voice per language and the rate per step, and keeps a
diagnostics report for the admin screen instead of ever raising into the UI."""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("voices.engine")

# Words per minute. The default is calmer than espeak-ng's 175 for elderly visitors;
# two slower and two faster steps cover what visitors ask for.
RATE_STEPS: tuple[int, ...] = (115, 135, 155, 175, 200)
DEFAULT_RATE_STEP = 2

PREFERRED_VOICES: dict[str, tuple[str, ...]] = {
    "ar": ("sem/ar",),
    "en": ("gmw/en", "en", "gmw/en-us"),
}
LANG_NAMES = {"ar": "Arabic", "en": "English"}

WORKER_START_TIMEOUT_S = 20.0
SYNTH_TIMEOUT_S = 15.0
# After the engine fails to start, retrying on every utterance would stall speech each time.
RETRY_AFTER_S = 30.0


class SpeechUnavailable(Exception):
    """Speech can not be produced; the message says why and what a technician should do."""


def clamp_rate_step(step: int) -> int:
    return max(0, min(len(RATE_STEPS) - 1, int(step)))


class SpeechEngine:
    """One engine process, started on first use, restarted if it dies. Thread-safe."""

    def __init__(
        self,
        *,
        workdir: str | os.PathLike[str] | None = None,
        preferred_voices: dict[str, tuple[str, ...]] | None = None,
        worker_cmd: list[str] | None = None,
    ) -> None:
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="kiosk-voices-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._preferred = dict(PREFERRED_VOICES)
        self._overridden = set(preferred_voices or ())
        self._preferred.update(preferred_voices or {})
        self._worker_cmd = worker_cmd or [sys.executable, "-m", "voices.worker"]
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._files = itertools.count(1)
        self._info: dict[str, Any] = {}
        self._voices: dict[str, str | None] = {}
        self._error: str | None = None
        self._failed_at: float | None = None
        self._problems: dict[str, str] = {}
        self.synth_count = 0
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start the engine process now (it also starts on first use); False if it can not."""
        with self._lock:
            return self._ensure_started()

    def _ensure_started(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        if self._closed:  # a prompt-cache build still running must not start a new process
            return False
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_AFTER_S:
            return False
        self._spawn()
        return self._proc is not None

    def _spawn(self) -> None:
        self._replies = queue.Queue()
        env = dict(os.environ)
        # The worker imports voices from wherever this copy of the package lives.
        pkg_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pkg_root, env.get("PYTHONPATH")) if p)
        try:
            # The engine's own complaints (espeak-ng warnings, tracebacks) go to a file a
            # technician can read; they must not mix with the replies on stdout.
            with open(self.workdir / "engine.log", "ab") as errlog:
                proc = subprocess.Popen(
                    self._worker_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=errlog, text=True, encoding="utf-8", bufsize=1, env=env,
                )
        except OSError as e:
            self._fail(f"The speech engine could not start ({e}); reinstall the kiosk with "
                       "'make deps'.")
            return
        threading.Thread(target=self._read, args=(proc, self._replies), daemon=True,
                         name="voices-engine-reader").start()
        try:
            hello = self._replies.get(timeout=WORKER_START_TIMEOUT_S)
        except queue.Empty:
            hello = None
        if not hello or not hello.get("ready"):
            detail = (hello or {}).get("error") or "no answer from the engine process"
            proc.kill()
            if "espeak" in detail.lower() or "libespeak" in detail.lower():
                msg = (f"espeak-ng is missing or broken ({detail}); install it with "
                       "scripts/system-deps, then restart the kiosk. Text stays on screen.")
            else:
                msg = (f"The speech engine did not start ({detail}); check that espeak-ng and "
                       "pyttsx3 are installed (scripts/system-deps, make deps). "
                       "Text stays on screen.")
            self._fail(msg)
            return
        self._proc = proc
        self._failed_at = None
        self._error = None
        self._info = {"espeak_version": hello.get("espeak_version"), "pid": hello.get("pid"),
                      "voice_count": len(hello.get("voices") or [])}
        self._voices = self._choose_voices(hello.get("voices") or [])
        log.info("speech engine ready: pid %s, espeak-ng %s, voices %s",
                 proc.pid, self._info["espeak_version"], self._voices)

    def _fail(self, message: str) -> None:
        self._proc = None
        self._error = message
        self._failed_at = time.monotonic()
        log.error("%s", message)

    @staticmethod
    def _read(proc: subprocess.Popen[str], replies: queue.Queue[dict[str, Any] | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                replies.put(json.loads(line))
            except ValueError:
                log.warning("engine said something unreadable: %r", line[:200])
        replies.put(None)  # the process ended

    def _choose_voices(self, voices: list[dict[str, Any]]) -> dict[str, str | None]:
        ids = {v["id"] for v in voices}
        chosen: dict[str, str | None] = {}
        self._problems = {}
        for lang, wanted in self._preferred.items():
            pick = next((w for w in wanted if w in ids), None)
            if pick is None and lang not in self._overridden:
                # A technician who names voices wants those; otherwise any voice of the language.
                pick = next((v["id"] for v in voices
                             if any(str(lg).split("-")[0] == lang for lg in v["languages"])), None)
            chosen[lang] = pick
            if pick is None:
                name = LANG_NAMES.get(lang, lang)
                self._problems[lang] = (
                    f"No {name} voice was found in espeak-ng (looked for {', '.join(wanted)}); "
                    f"install espeak-ng's voice data (scripts/system-deps). {name} text is shown "
                    "on screen but not spoken.")
                log.error("%s", self._problems[lang])
        return chosen

    def close(self) -> None:
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # -- queries -----------------------------------------------------------------------------

    def voice_for(self, lang: str) -> str | None:
        with self._lock:
            if not self._ensure_started():
                return None
            return self._voices.get(lang)

    @property
    def espeak_version(self) -> str:
        with self._lock:
            self._ensure_started()
            return str(self._info.get("espeak_version") or "unavailable")

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def rss_kb(self) -> int | None:
        """Resident memory of the engine process, for the bench and the admin screen."""
        pid = self.pid
        if pid is None:
            return None
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def diagnostics(self) -> dict[str, Any]:
        """What the admin screen shows about speech: ok, engine, voices, and problems as
        sentences saying what to do."""
        with self._lock:
            self._ensure_started()
            problems = ([self._error] if self._error else []) + list(self._problems.values())
            return {
                "ok": not problems,
                "engine": "pyttsx3 + espeak-ng",
                "engine_running": self.pid is not None,
                "engine_pid": self.pid,
                "espeak_version": self._info.get("espeak_version"),
                "voices": dict(self._voices) if not self._error else
                {lang: None for lang in self._preferred},
                "rate_steps_wpm": list(RATE_STEPS),
                "synth_count": self.synth_count,
                "engine_log": str(self.workdir / "engine.log"),
                "problems": problems,
                "message": " ".join(problems) if problems else "Speech is working.",
            }

    # -- synthesis ---------------------------------------------------------------------------

    def synthesize(self, text: str, lang: str, rate_step: int = DEFAULT_RATE_STEP,
                   out: str | os.PathLike[str] | None = None) -> Path:
        """Render speakable `text` in `lang` to a WAV file and return its path.
        Raises SpeechUnavailable (with a sentence for the admin screen) if it can not."""
        with self._lock:
            if not self._ensure_started():
                raise SpeechUnavailable(self._error or "The speech engine has been shut down.")
            voice = self._voices.get(lang)
            if voice is None:
                raise SpeechUnavailable(self._problems.get(lang)
                                        or f"No voice for language {lang!r}.")
            path = Path(out) if out is not None else self.workdir / f"u{next(self._files)}.wav"
            req = {"op": "synth", "id": next(self._ids), "text": text, "voice": voice,
                   "rate": RATE_STEPS[clamp_rate_step(rate_step)], "out": str(path)}
            reply = self._request(req)
            self.synth_count += 1
            if not reply.get("ok"):
                raise SpeechUnavailable(f"The speech engine could not say this: "
                                        f"{reply.get('error')}")
            return path

    def _request(self, req: dict[str, Any]) -> dict[str, Any]:
        for attempt in (1, 2):
            proc = self._proc
            assert proc is not None and proc.stdin is not None
            try:
                proc.stdin.write(json.dumps(req, ensure_ascii=False) + "\n")
                proc.stdin.flush()
                deadline = time.monotonic() + SYNTH_TIMEOUT_S
                while True:
                    reply = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
                    if reply is None:
                        raise BrokenPipeError("engine process ended")
                    if reply.get("id") == req["id"]:
                        return reply
            except (OSError, queue.Empty) as e:
                log.warning("speech engine failed (%s); restarting it", e or type(e).__name__)
                proc.kill()
                self._proc = None
                if attempt == 2 or not self._ensure_started():
                    raise SpeechUnavailable(
                        self._error or "The speech engine stopped answering; it will be "
                        "restarted on the next utterance.") from e
        raise AssertionError("unreachable")
