"""Pictures: a content image from the blob store (always shown with its text alternative by the
screen that uses it), list thumbnails made off the UI thread, the pictograms on controls, and a
QR code drawn as squares on the canvas.

Thumbnails: a list asks for a picture at its drawn size; the file is made once per picture and
size under $KIOSK_HOME/cache/thumbnails (offline_cache/thumbnails.py, through the browse
service) by one worker thread, which also decodes it; the UI thread only uploads the pixels
into a texture when they are ready, so paging never waits for a picture. Until then the
thumbnail is a neutral frame. The textures are kept in a small bounded cache that is emptied
when the visitor leaves the screen (under the software renderer textures are main memory)."""

from __future__ import annotations

import io
import logging
import queue
import threading
import weakref
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
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
    """A picture fitted inside its box, keeping its proportions and its own colours, centred.
    With ``fg`` (a theme colour name) a frame in that colour is drawn round it, so its edge
    shows against the screen whatever the picture's own edges are (the label colours are 7:1
    against their background, well over 3:1). ``fit_width``: the box is as tall as the
    picture at the box's width, at most ``max_height``. A new ``path`` shows another
    picture in place."""

    path = StringProperty("")
    box_height = NumericProperty(0)
    fit_width = BooleanProperty(False)
    max_height = NumericProperty(0)
    fg = StringProperty("")

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.texture = None
        self._edge = max(2.0, ui().units.mm(0.5)) if self.fg else 0.0
        if not self.fit_width and self.size_hint_y is None:
            self.height = self.box_height or ui().units.mm(70)
        with self.canvas:
            self._frame_colour = Color(*(rgba(ui().theme.colours()[self.fg]) if self.fg
                                         else (0, 0, 0, 0)))
            self._frame = Line(width=max(1.0, self._edge / 2))
            Color(1, 1, 1, 1)
            self._rect = Rectangle(size=(0, 0))
        self.bind(pos=self._draw, size=self._draw, path=self._load,
                  max_height=self._fit, fg=self._recolour)
        self.bind(width=self._fit)
        self._load()

    @property
    def loaded(self) -> bool:
        return self.texture is not None

    @property
    def drawn(self) -> tuple[float, float, float, float]:
        """Where the picture itself is drawn (x, y, width, height, in this widget's
        coordinates); zero size when nothing is."""
        x, y = self._rect.pos
        w, h = self._rect.size
        return x, y, w, h

    @property
    def frame_colour(self) -> tuple[float, ...]:
        return tuple(self._frame_colour.rgba)

    def _load(self, *_a) -> None:
        self.texture = load_texture(Path(self.path)) if self.path else None
        self._rect.texture = self.texture
        self._fit()
        self._draw()

    def _recolour(self, *_a) -> None:
        if self.fg:
            self._frame_colour.rgba = rgba(ui().theme.colours()[self.fg])

    def _fit(self, *_a) -> None:
        if not self.fit_width:
            return
        tex = self.texture
        if tex is None or not self.width:
            self.height = 0
            return
        e = 2 * self._edge
        h = (self.width - e) * tex.height / tex.width + e
        self.height = min(h, self.max_height) if self.max_height else h

    def _draw(self, *_a) -> None:
        tex = self.texture
        e = self._edge
        if tex is None or self.width <= 2 * e or self.height <= 2 * e:
            self._rect.size = (0, 0)
            self._frame.rectangle = (self.x, self.y, 0, 0)
            return
        scale = min((self.width - 2 * e) / tex.width, (self.height - 2 * e) / tex.height)
        w, h = tex.width * scale, tex.height * scale
        x, y = self.x + (self.width - w) / 2, self.y + (self.height - h) / 2
        self._rect.size = (w, h)
        self._rect.pos = (x, y)
        if e:
            self._frame.rectangle = (x - e / 2, y - e / 2, w + e, h + e)


# -- pictograms ----------------------------------------------------------------------------------

PICTOGRAM_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "pictograms"


@lru_cache(maxsize=64)
def pictogram_texture(name: str):
    """The white-on-transparent pictogram ``name`` (assets/pictograms, Lucide), tinted by the
    canvas Color like KText's glyphs. Not mipmapped: under the software renderer the first
    mipmaps cost about 100 ms, all before the home screen's first frame; drawn at 1/2 to 1/3
    of its 128 px, a linear filter keeps Lucide's thick strokes smooth."""
    path = PICTOGRAM_DIR / f"{name}.png"
    if not path.exists():
        raise KeyError(f"no pictogram {name!r} in {PICTOGRAM_DIR}")
    tex = CoreImage(str(path), mipmap=False).texture
    tex.min_filter = "linear"
    tex.mag_filter = "linear"
    return tex


class Pictogram(Widget):
    """A pictogram drawn in a theme colour (``fg``), square, mirrored when ``mirrored`` (an
    arrow that points the way of reading, in Arabic). Never alone: KButton draws it beside
    its text label (the audit checks that)."""

    name = StringProperty("")
    fg = StringProperty("button_text")
    mirrored = BooleanProperty(False)

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint", (None, None))
        super().__init__(**kwargs)
        tex = pictogram_texture(self.name)
        with self.canvas:
            self._colour = Color(*rgba(ui().theme.colours()[self.fg]))
            self._rect = Rectangle(texture=tex)
        if self.mirrored:
            u0, v0, u1, v1 = 0, 0, 1, 1
            self._rect.tex_coords = (u1, v0, u0, v0, u0, v1, u1, v1)
        self.bind(pos=self._draw, size=self._draw, fg=self._recolour, name=self._retexture)
        self._draw()

    def _retexture(self, *_a) -> None:
        self._rect.texture = pictogram_texture(self.name)

    @property
    def colour(self) -> tuple[float, ...]:
        return tuple(self._colour.rgba)

    def _recolour(self, *_a) -> None:
        self._colour.rgba = rgba(ui().theme.colours()[self.fg])

    def _draw(self, *_a) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size


# -- thumbnails ----------------------------------------------------------------------------------

THUMBNAIL_STEP = 16  # px: sizes are rounded up to steps, so a page asks for few distinct ones
TEXTURES_KEPT = 48  # a page of ten at two sizes, with room to page back; ~1.5 MB at 100 px


def thumbnail_px(side: float) -> int:
    return int(-(-max(8, side) // THUMBNAIL_STEP) * THUMBNAIL_STEP)


class ThumbnailCache:
    """One worker thread makes and decodes thumbnails; the UI thread turns them into textures,
    keeps at most TEXTURES_KEPT, and hands each to the widgets that asked for it."""

    def __init__(self) -> None:
        self.textures: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._waiting: dict[tuple[str, int], list[weakref.ref]] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self.missing: set[tuple[str, int]] = set()  # no picture to show: not asked again

    def request(self, browse: Any, blob: str, px: int, widget: Any) -> None:
        key = (blob, px)
        tex = self.textures.get(key)
        if tex is not None:
            self.textures.move_to_end(key)
            widget.show(tex)
            return
        if key in self.missing:
            return
        waiting = self._waiting.setdefault(key, [])
        waiting.append(weakref.ref(widget))
        if len(waiting) == 1:
            self._jobs.put((self._generation, browse, blob, px))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="thumbnails",
                                                daemon=True)
                self._thread.start()

    @property
    def busy(self) -> bool:
        """Some thumbnail asked for is not shown yet."""
        return bool(self._waiting)

    def _work(self) -> None:
        from PIL import Image

        while True:
            generation, browse, blob, px = self._jobs.get()
            if generation != self._generation:
                continue  # asked for by a screen the visitor has left
            pixels = None
            try:
                path = browse.thumbnail(blob, px)
                if path is not None:
                    with Image.open(path) as im:
                        im = im.convert("RGBA")
                        pixels = (im.size, im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
                                  .tobytes())
            except Exception:  # a damaged picture shows its frame only
                log.warning("could not load the thumbnail of %s", blob)
            Clock.schedule_once(lambda _dt, k=(blob, px), p=pixels, g=generation:
                                self._ready(k, p, g))

    def _ready(self, key: tuple[str, int], pixels: Any, generation: int) -> None:
        widgets = self._waiting.pop(key, [])
        if generation != self._generation:
            return
        if pixels is None:
            self.missing.add(key)
            return
        size, data = pixels
        tex = Texture.create(size=size, colorfmt="rgba")
        tex.blit_buffer(data, colorfmt="rgba", bufferfmt="ubyte")
        self.textures[key] = tex
        while len(self.textures) > TEXTURES_KEPT:
            self.textures.popitem(last=False)
        for ref in widgets:
            w = ref()
            if w is not None:
                w.show(tex)

    def release(self) -> None:
        """The visitor left the screen: let its textures go and drop what it still asked for
        (a screen built again asks again, and finds the files made)."""
        self._generation += 1
        self.textures.clear()
        self._waiting.clear()
        self.missing.clear()


THUMBNAILS = ThumbnailCache()


class Thumbnail(Widget):
    """A content picture in a list, fitted in a square of ``side`` px with its own colours,
    inside a frame in a theme colour (``fg``: the label's, at least 7:1 against the control's
    fill, so the frame is well over 3:1 whatever the picture's edges are). The frame shows at
    once; the picture when its thumbnail is ready."""

    blob = StringProperty("")
    side = NumericProperty(0)
    fg = StringProperty("button_text")

    def __init__(self, browse: Any = None, **kwargs):
        kwargs.setdefault("size_hint", (None, None))
        super().__init__(**kwargs)
        self.size = (self.side, self.side)
        self.texture = None
        self._edge = max(2.0, ui().units.mm(0.5))
        with self.canvas:
            self._frame_colour = Color(*rgba(ui().theme.colours()[self.fg]))
            self._frame = Line(width=self._edge / 2)
            Color(1, 1, 1, 1)
            self._rect = Rectangle(size=(0, 0))
        self.bind(pos=self._draw, size=self._draw, fg=self._recolour)
        self._draw()
        if browse is not None and self.blob:
            THUMBNAILS.request(browse, self.blob, thumbnail_px(self.side - 2 * self._edge),
                               self)

    @property
    def loaded(self) -> bool:
        return self.texture is not None

    @property
    def frame_colour(self) -> tuple[float, ...]:
        return tuple(self._frame_colour.rgba)

    def show(self, texture) -> None:
        self.texture = texture
        self._rect.texture = texture
        self._draw()

    def _recolour(self, *_a) -> None:
        self._frame_colour.rgba = rgba(ui().theme.colours()[self.fg])

    def _draw(self, *_a) -> None:
        e = self._edge
        self._frame.rectangle = (self.x + e / 2, self.y + e / 2, self.width - e,
                                 self.height - e)
        tex = self.texture
        inner = self.width - 2 * e
        if tex is None or inner <= 0:
            self._rect.size = (0, 0)
            return
        scale = min(inner / tex.width, inner / tex.height)
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
