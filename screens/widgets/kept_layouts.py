"""Text layouts kept between starts, so a kiosk's first screen is drawn without shaping and
measuring its texts again.

Laying out a text (wrapping it at a width, shaping Arabic, reordering each line, measuring every
run with SDL_ttf) is a pure function of the text, the width, the font size, bold and direction,
given the fonts and the shaping libraries. At a cold start it was the largest part of building
the home screen (about 35 ms of 75 here), and the texts of the attract and home screens are the
same at every start. The layouts a run computed are written to $KIOSK_HOME/cache once the app
has settled; the next start reads them (one small JSON file) and skips that work for every text
it finds there.

The file's name holds a fingerprint of everything a layout depends on (the four font files,
this module's and the layout code's sources, the versions of arabic-reshaper, python-bidi and
Kivy), so a changed font or library never reuses an old layout: it simply starts a new file.
A missing, damaged or foreign file costs only the work it would have saved."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 1
KEPT_MAX = 3000  # layouts; the attract and home screens in both languages need about 150
FILE_MAX_BYTES = 4 * 1024 * 1024

Key = tuple[str, int, int, bool, bool]  # logical, width, font size, bold, right-to-left
# (logical lines, display lines, lines as (runs as (text, font), width, ascent, descent))
Layout = tuple[tuple[str, ...], tuple[str, ...],
               tuple[tuple[tuple[tuple[str, str], ...], float, int, int], ...]]


class KeptLayouts:
    def __init__(self, folder: Path, depends_on: list[Path], versions: list[str]) -> None:
        self.folder = folder
        h = hashlib.sha256(f"kept-layouts-{FORMAT}".encode())
        for path in depends_on:
            try:
                st = path.stat()
                h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
            except OSError:
                h.update(f"{path}:missing".encode())
        for v in versions:
            h.update(v.encode())
        self.path = folder / f"text-layouts-{h.hexdigest()[:24]}.json"
        self._lock = threading.Lock()
        self._kept: dict[Key, Layout] | None = None
        self._fresh = 0

    def _load(self) -> dict[Key, Layout]:
        kept: dict[Key, Layout] = {}
        try:
            if self.path.stat().st_size > FILE_MAX_BYTES:
                return kept
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            for k, (logical_lines, display, lines) in rows:
                logical, width, size, bold, rtl = k
                key = (str(logical), int(width), int(size), bool(bold), bool(rtl))
                kept[key] = (tuple(map(str, logical_lines)), tuple(map(str, display)),
                             tuple((tuple((str(t), str(f)) for t, f in runs), float(w),
                                    int(a), int(d)) for runs, w, a, d in lines))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as e:
            log.info("kept text layouts not read (%s); laying texts out again", e)
            kept.clear()
        return kept

    def get(self, key: Key) -> Layout | None:
        with self._lock:
            if self._kept is None:
                self._kept = self._load()
            return self._kept.get(key)

    def put(self, key: Key, layout: Layout) -> None:
        with self._lock:
            if self._kept is None:
                self._kept = self._load()
            if key not in self._kept:
                self._kept[key] = layout
                self._fresh += 1

    def save(self) -> bool:
        """Write the layouts if this run added any; True if it wrote. Never raises: a
        read-only or full disk only costs the next start the layout work."""
        with self._lock:
            if not self._fresh or self._kept is None:
                return False
            rows = [[list(k), [list(v[0]), list(v[1]),
                               [[[list(r) for r in runs], w, a, d] for runs, w, a, d in v[2]]]]
                    for k, v in list(self._kept.items())[-KEPT_MAX:]]
            self._fresh = 0
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
                           encoding="utf-8")
            os.chmod(tmp, 0o600)
            tmp.replace(self.path)
            for old in self.folder.glob("text-layouts-*.json"):
                if old != self.path:  # an earlier font or library's: never read again
                    old.unlink(missing_ok=True)
        except OSError as e:
            log.info("text layouts not kept (%s)", e)
            return False
        return True


def versions_of(*modules: Any) -> list[str]:
    return [f"{m.__name__}={getattr(m, '__version__', getattr(m, 'VERSION', '?'))}"
            for m in modules]
