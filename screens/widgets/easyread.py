"""Easy Read text: one short sentence per line, each with its pictogram on the reading side
(right in Arabic). The pictograms are white pictures (assets/easy_read/, see its README) drawn
through a canvas Color in the theme's text colour, as KText draws its glyphs, so each has the
text's own contrast in every theme (at least 3:1, ACCESSIBILITY 1.4.11). Speech reads the
sentences; a pictogram only repeats its sentence's idea and says nothing of its own."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

from screens.context import ui
from screens.themes import rgba
from screens.widgets.layout import column, row
from screens.widgets.text import KText

log = logging.getLogger("screens")

ICON_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "easy_read"
ICON_MM = 11.0  # at text scale 1; it grows with the text


@lru_cache(maxsize=64)
def icon_texture(name: str):
    """The white texture of a pictogram, or None if its file is missing (the sentence still
    reads alone)."""
    path = ICON_DIR / f"{name}.png"
    try:
        return CoreImage(str(path)).texture
    except Exception:
        log.warning("Easy Read pictogram %s is missing", path.name)
        return None


class Pictogram(Widget):
    """A square pictogram in a theme colour (``fg``: a theme colour's name, default the text
    colour, or '#rrggbb')."""

    def __init__(self, name: str, fg: str = "text", **kwargs: Any):
        side = ui().units.mm(ICON_MM) * max(1.0, ui().scale * 0.8)
        kwargs.setdefault("size_hint", (None, None))
        kwargs.setdefault("size", (side, side))
        kwargs.setdefault("pos_hint", {"top": 1})
        super().__init__(**kwargs)
        self.icon = name
        self.fg = fg
        self.texture = icon_texture(name)
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    def _draw(self, *_a) -> None:
        self.canvas.clear()
        if self.texture is None:
            return
        with self.canvas:
            Color(*rgba(self.fg if self.fg.startswith("#") else getattr(ui().theme, self.fg)))
            Rectangle(texture=self.texture, pos=self.pos, size=self.size)


def easy_read_block(sentences: Sequence[Any], fg: str = "text") -> Widget:
    """Easy Read sentences (``EasySentence``: ``text`` and ``icon``), one per row."""
    u = ui().units
    rows = []
    for s in sentences:
        text = KText(logical=s.text, fg=fg, pos_hint={"top": 1})
        rows.append(row(Pictogram(s.icon, fg=fg), text, spacing=u.mm(3)))
    return column(*rows, spacing=u.mm(3))


def spoken(sentences: Sequence[Any]) -> str:
    """The sentences as speech reads them, each ending as a sentence."""
    out = []
    for s in sentences:
        text = s.text.strip()
        out.append(text if text[-1:] in ".?!؟:" else f"{text}.")
    return " ".join(out)
