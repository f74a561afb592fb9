"""Pictures: a content image from the blob store (always shown with its text alternative by the
screen that uses it), and a QR code drawn as squares on the canvas (no Pillow needed)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Rectangle
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from screens.context import ui
from screens.themes import rgba

log = logging.getLogger("screens.pictures")


def _ext(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def load_texture(path: Path):
    """A texture for a blob file (named by its hash, without extension), or None when the file
    is missing or not a picture: the screen still shows the text alternative."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    ext = _ext(data)
    if ext is None:
        return None
    try:
        return CoreImage(io.BytesIO(data), ext=ext).texture
    except Exception:  # a damaged picture must not take the screen down
        log.warning("could not decode picture %s", path.name)
        return None


class Picture(Widget):
    """A picture fitted inside its box, keeping its proportions, centred."""

    path = StringProperty("")
    box_height = NumericProperty(0)

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.texture = load_texture(Path(self.path)) if self.path else None
        self.height = self.box_height or ui().units.mm(70)
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    @property
    def loaded(self) -> bool:
        return self.texture is not None

    def _draw(self, *_a) -> None:
        self.canvas.clear()
        tex = self.texture
        if tex is None or not self.width or not self.height:
            return
        scale = min(self.width / tex.width, self.height / tex.height)
        w, h = tex.width * scale, tex.height * scale
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=tex, size=(w, h),
                      pos=(self.x + (self.width - w) / 2, self.y + (self.height - h) / 2))


class QRCode(Widget):
    """Dark modules on a white field with the standard four-module quiet zone, whatever the
    theme: phone cameras read that reliably, and it is 21:1."""

    data = StringProperty("")

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint", (None, None))
        super().__init__(**kwargs)
        qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(self.data)
        qr.make(fit=True)
        self.matrix = qr.get_matrix()
        side = ui().units.mm(45)
        self.size = (side, side)
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    def _draw(self, *_a) -> None:
        n = len(self.matrix)
        cell = max(1, int(min(self.width, self.height) // n))  # whole pixels keep edges crisp
        self.canvas.clear()
        with self.canvas:
            Color(*rgba("#FFFFFF"))
            Rectangle(pos=self.pos, size=(cell * n, cell * n))
            Color(*rgba("#000000"))
            for r, row in enumerate(self.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        Rectangle(pos=(int(self.x) + c * cell,
                                       int(self.y) + (n - 1 - r) * cell), size=(cell, cell))
