"""Thumbnails of content pictures: made once per picture and size with Pillow, kept on disk
under $KIOSK_HOME/cache/thumbnails as ``<blob sha256>-<px>.png`` and found there afterwards.

A blob is immutable by its hash, so a thumbnail never goes stale: the name is the key. Lists
draw pictures at a few sizes only (the screens round to steps), so a 10,000-product catalogue
makes at most a few small files per picture, and only for pictures a visitor paged to. Making
one reads and decodes the whole picture: call ``path`` from a worker thread, never the UI's."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from offline_cache.blobs import BlobStore

log = logging.getLogger("offline_cache.thumbnails")

MAX_PX = 1024  # largest thumbnail side asked for (the product page's large picture)
MAX_SOURCE_PIXELS = 40_000_000  # a picture bigger than this is refused, not decoded


class Thumbnails:
    def __init__(self, blobs: BlobStore, root: str | os.PathLike[str]):
        self._blobs = blobs
        self.root = Path(root)
        self._lock = threading.Lock()
        self.made = 0  # how many this process made (tests: made once, then found)

    def file(self, sha: str, px: int) -> Path:
        return self.root / f"{sha}-{int(px)}.png"

    def path(self, sha: str, px: int) -> Path | None:
        """The thumbnail of blob ``sha`` fitted in a ``px`` square (kept proportions, never
        enlarged), made now if it is not on disk yet; None when the blob is missing or not a
        picture Pillow can read (the screen shows the picture's frame and text alone)."""
        px = max(8, min(int(px), MAX_PX))
        out = self.file(sha, px)
        if out.exists():
            return out
        try:
            src = self._blobs.path(sha)
        except ValueError:  # not a sha256
            return None
        if not src.exists():
            return None
        from PIL import Image

        try:
            with Image.open(src) as im:
                if im.width * im.height > MAX_SOURCE_PIXELS:
                    log.warning("picture %s is too large to show (%dx%d)", sha, im.width,
                                im.height)
                    return None
                im.draft("RGB", (px, px))  # JPEG: decode at a fraction of the size
                im = im.convert("RGBA")
                im.thumbnail((px, px), Image.Resampling.LANCZOS)
                self.root.mkdir(parents=True, exist_ok=True)
                tmp = out.with_name(f".{out.name}.{threading.get_ident()}.tmp")
                im.save(tmp, format="PNG", compress_level=1)
        except Exception:  # a damaged picture must not take the list down
            log.warning("could not make a thumbnail of picture %s", sha)
            return None
        os.replace(tmp, out)  # atomic: a reader sees the whole file or none
        with self._lock:
            self.made += 1
        return out
