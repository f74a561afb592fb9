"""Sign-language clips made at test time (never committed, never anyone's signing): a few
seconds of a bright block moving across a dark field, written with ffpyplayer's MediaWriter as
MP4/H.264 or WebM/VP8 or VP9, and a copy of the demo catalogue that carries one on a record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from kiosk.protocol import sha256_hex
from tests.helpers import ROOT

DEMO = ROOT / "assets" / "demo"
CODECS = {"mp4": "libx264", "webm": "libvpx", "vp9": "libvpx-vp9", "mpeg4": "mpeg4"}
BLOCK = (240, 140, 40)  # the moving block's colour, far from every theme's background


def make_clip(path: Path, seconds: float = 4.0, size: tuple[int, int] = (320, 240),
              fps: int = 10, codec: str = "mp4", fmt: str | None = None) -> bytes:
    """Write a clip to ``path`` and return its bytes. ``codec``: mp4 (H.264), webm (VP8),
    vp9 or mpeg4 (MPEG-4 part 2, which kiosks do not take); ``fmt`` the container when the
    file name does not say it."""
    from ffpyplayer.pic import Image
    from ffpyplayer.writer import MediaWriter

    w, h = size
    opts = {"pix_fmt_in": "rgb24", "width_in": w, "height_in": h, "codec": CODECS[codec],
            "frame_rate": (fps, 1), "pix_fmt_out": "yuv420p"}
    writer = MediaWriter(str(path), [opts], fmt=fmt)
    dark, bright = bytes((20, 20, 60)), bytes(BLOCK)
    block = max(8, w // 5)
    frames = int(seconds * fps)
    for i in range(frames):
        x0 = (i * (w - block)) // max(1, frames - 1)
        line = dark * x0 + bright * block + dark * (w - x0 - block)
        top = h // 4
        body = dark * w * top + line * (h - 2 * top) + dark * w * top
        writer.write_frame(img=Image(plane_buffers=[body], pix_fmt="rgb24", size=(w, h)),
                           pts=i / fps, stream=0)
    writer.close()
    return path.read_bytes()


def sign_video(blob: bytes, media_type: str = "video/mp4", seconds: float = 4.0,
               size: tuple[int, int] = (320, 240)) -> dict[str, Any]:
    """The record's ``sign_video`` for a clip made by make_clip."""
    return {"blob": sha256_hex(blob), "media_type": media_type,
            "duration_ms": int(seconds * 1000), "width": size[0], "height": size[1],
            "captions": {"ar": "يصنع هذا الإسمنت في عُمان من حجر الجير المحلي.",
                         "en": "This cement is made in Oman from local limestone."}}


def demo_with_clips(root: Path, records: dict[str, list[str]], seconds: float = 4.0,
                    codec: str = "mp4", screens: tuple[str, ...] = ()
                    ) -> tuple[Path, dict[str, Any]]:
    """A copy of the demo catalogue in ``root`` where the records named (``{kind: [id, ...]}``)
    and the site's ``screens`` (its screen_sign_videos) carry one clip; returns the folder and
    the clip's ``sign_video``."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(DEMO, root)
    suffix, media_type = (".webm", "video/webm") if codec in ("webm", "vp9") else \
        (".mp4", "video/mp4")
    made = root / f"clip{suffix}"
    blob = make_clip(made, seconds=seconds, codec=codec)
    video = sign_video(blob, media_type, seconds)
    made.rename(root / "media" / f"{video['blob']}{suffix}")
    data = json.loads((root / "catalogue.json").read_text(encoding="utf-8"))
    for kind, ids in records.items():
        found = {r["id"]: r for r in data[kind]}
        for rid in ids:
            found[rid]["sign_video"] = video
    if screens:
        data["site"][0]["screen_sign_videos"] = {name: video for name in screens}
    (root / "catalogue.json").write_text(json.dumps(data, ensure_ascii=False),
                                         encoding="utf-8")
    return root, video


def install_in(home: Path, folder: Path) -> None:
    """Make ``folder`` the active content of the kiosk at ``home``, as a sync would."""
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    device = KioskDevice(KioskPaths(home))
    try:
        device.install_catalogue(folder)
    finally:
        device.close()
