"""Pictures: a content image from the blob store (always shown with its text alternative by the
screen that uses it), and a QR code drawn as squares on the canvas (no Pillow needed)."""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from screens.context import ui

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
        with self.canvas:
            Color(1, 1, 1, 1)
            self._rect = Rectangle(texture=self.texture, size=(0, 0))
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    @property
    def loaded(self) -> bool:
        return self.texture is not None

    def _draw(self, *_a) -> None:
        tex = self.texture
        if tex is None or not self.width or not self.height:
            self._rect.size = (0, 0)
            return
        scale = min(self.width / tex.width, self.height / tex.height)
        w, h = tex.width * scale, tex.height * scale
        self._rect.size = (w, h)
        self._rect.pos = (self.x + (self.width - w) / 2, self.y + (self.height - h) / 2)


@lru_cache(maxsize=32)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    import qrcode  # only the product screen draws one

    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


@lru_cache(maxsize=32)
def _qr_texture(data: str):
    """One pixel per module, drawn scaled up with nearest-neighbour filtering: one textured
    rectangle instead of hundreds of squares, and edges as crisp as the squares were."""
    matrix = qr_matrix(data)
    n = len(matrix)
    buf = bytearray()
    for row in reversed(matrix):  # textures start at the bottom row
        for dark in row:
            buf += b"\x00\x00\x00" if dark else b"\xff\xff\xff"
    tex = Texture.create(size=(n, n), colorfmt="rgb")
    tex.mag_filter = "nearest"
    tex.min_filter = "nearest"
    tex.blit_buffer(bytes(buf), colorfmt="rgb", bufferfmt="ubyte")
    return tex


class QRCode(Widget):
    """Dark modules on a white field with the standard four-module quiet zone, whatever the
    theme: phone cameras read that reliably, and it is 21:1."""

    data = StringProperty("")

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint", (None, None))
        super().__init__(**kwargs)
        self.matrix = qr_matrix(self.data)
        side = ui().units.mm(45)
        self.size = (side, side)
        with self.canvas:
            Color(1, 1, 1, 1)
            self._rect = Rectangle(texture=_qr_texture(self.data))
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    def _draw(self, *_a) -> None:
        n = len(self.matrix)
        cell = max(1, int(min(self.width, self.height) // n))  # whole pixels keep edges crisp
        self._rect.pos = (int(self.x), int(self.y))
        self._rect.size = (cell * n, cell * n)
