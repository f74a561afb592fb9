"""Fixed prompts (the UI's own strings) rendered ahead of time, one WAV per sentence, language
and rate, so they start instantly. Files are named by a hash of everything that changes the
sound, so a changed string, voice or espeak-ng version simply misses and is rebuilt."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from voices.engine import DEFAULT_RATE_STEP, RATE_STEPS, SpeechEngine, SpeechUnavailable
from voices.speakable import prepare

log = logging.getLogger("voices.prompt_cache")

MANIFEST = "manifest.json"


class PromptCache:
    """A directory of pre-rendered sentences. `build()` brings it in line with the current
    prompt set (rendering what is missing, deleting what is no longer wanted); `get()` is the
    lookup the speech service makes before synthesising."""

    def __init__(self, directory: str | os.PathLike[str], engine: SpeechEngine) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.engine = engine
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # two builds at once would delete each other's files
        self.hits = 0
        self.misses = 0
        self.last_build: dict[str, Any] = {}

    def key(self, spoken: str, lang: str, rate_step: int) -> str | None:
        """Hash of (speakable text, language, voice id, rate, espeak-ng version); None when the
        language has no voice."""
        voice = self.engine.voice_for(lang)
        if voice is None:
            return None
        material = json.dumps([spoken, lang, voice, RATE_STEPS[rate_step],
                               self.engine.espeak_version], ensure_ascii=False)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.wav"

    def get(self, spoken: str, lang: str, rate_step: int = DEFAULT_RATE_STEP) -> Path | None:
        key = self.key(spoken, lang, rate_step)
        path = self.path_for(key) if key else None
        with self._lock:
            if path is not None and path.exists():
                self.hits += 1
                return path
            self.misses += 1
            return None

    def build(self, prompts: Iterable[tuple[str, str]],
              rate_steps: Iterable[int] | None = None) -> dict[str, Any]:
        """Render every sentence of every (text, lang) prompt at each rate step (the default
        rate first, because visitors hear it most) and delete cached files no prompt needs."""
        with self._build_lock:
            return self._build(list(prompts), rate_steps)

    def _build(self, prompts: list[tuple[str, str]],
               rate_steps: Iterable[int] | None) -> dict[str, Any]:
        steps = list(rate_steps) if rate_steps is not None else list(range(len(RATE_STEPS)))
        steps.sort(key=lambda s: (s != DEFAULT_RATE_STEP, s))
        wanted: dict[str, tuple[str, str, int]] = {}
        for text, lang in prompts:
            for sentence in prepare(text, lang):
                for step in steps:
                    key = self.key(sentence.spoken, lang, step)
                    if key is not None:
                        wanted.setdefault(key, (sentence.spoken, lang, step))
        removed = 0
        for path in self.directory.iterdir():
            if path.name == MANIFEST:
                continue
            if path.stem not in wanted or path.suffix != ".wav":
                path.unlink(missing_ok=True)
                removed += 1
        rendered = reused = failed = 0
        for key, (spoken, lang, step) in wanted.items():
            path = self.path_for(key)
            if path.exists():
                reused += 1
                continue
            try:
                self.engine.synthesize(spoken, lang, step, out=path)
                rendered += 1
            except SpeechUnavailable as e:
                failed += 1
                log.warning("prompt not cached: %s", e)
        stats = {"entries": len(wanted), "rendered": rendered, "reused": reused,
                 "removed": removed, "failed": failed,
                 "espeak_version": self.engine.espeak_version}
        tmp = self.directory / f"{MANIFEST}.part"
        tmp.write_text(json.dumps({**stats, "keys": sorted(wanted)}, indent=0))
        os.replace(tmp, self.directory / MANIFEST)
        self.last_build = stats
        log.info("prompt cache: %s", stats)
        return stats

    def describe(self) -> dict[str, Any]:
        return {"directory": str(self.directory), "hits": self.hits, "misses": self.misses,
                "last_build": self.last_build}
