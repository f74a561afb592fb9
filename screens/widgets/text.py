"""KText, the one widget that draws text. It keeps the logical string, wraps it into lines at
its own width, then shapes and reorders each line (screens/textlayout.py), and draws Arabic runs
in Noto Sans Arabic and everything else in Noto Sans, each run on a shared baseline. Its line
lists (logical and display order) are exposed for tests and for speech."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.widget import Widget

from screens.context import ARABIC_BOLD, ARABIC_FONT, LATIN_BOLD, LATIN_FONT, ui
from screens.textlayout import script_runs, shape_line, wrap_logical
from screens.themes import rgba

LINE_SPACING = 1.05  # on top of the fonts' own generous ascent and descent


@lru_cache(maxsize=64)
def _core_label(font: str, size: int) -> CoreLabel:
    return CoreLabel(font_name=font, font_size=size)


@lru_cache(maxsize=64)
def _metrics(font: str, size: int) -> tuple[int, int]:
    """(ascent, descent) in px, both positive."""
    lbl = _core_label(font, size)
    return int(lbl.get_ascent()), abs(int(lbl.get_descent()))


@lru_cache(maxsize=20000)
def _run_width(text: str, font: str, size: int) -> float:
    return float(_core_label(font, size).get_extents(text)[0])


@lru_cache(maxsize=4000)
def _texture(text: str, font: str, size: int):
    # Rendered white and coloured by the canvas Color: a white texture tints exactly.
    lbl = CoreLabel(text=text, font_name=font, font_size=size, color=(1, 1, 1, 1))
    lbl.refresh()
    return lbl.texture


def _fonts(bold: bool) -> tuple[str, str]:
    return (LATIN_BOLD, ARABIC_BOLD) if bold else (LATIN_FONT, ARABIC_FONT)


def measure_display(display: str, size: int, bold: bool) -> float:
    latin, arabic = _fonts(bold)
    return sum(_run_width(r.text, arabic if r.arabic else latin, size)
               for r in script_runs(display))


@dataclass
class _Line:
    runs: list[tuple[str, str]]  # (display text, font)
    width: float
    ascent: int
    descent: int

    @property
    def height(self) -> float:
        return (self.ascent + self.descent) * LINE_SPACING


class KText(Widget):
    """Bidirectional, wrapped, auto-height text. Set ``logical`` (never a shaped string),
    ``lang`` (direction and alignment), ``role`` (body, title, small) and ``fg`` (a theme
    colour name or '#rrggbb')."""

    logical = StringProperty("")
    lang = OptionProperty("en", options=["ar", "en"])
    role = OptionProperty("body", options=["body", "title", "small"])
    bold = BooleanProperty(False)
    fg = StringProperty("text")
    align = OptionProperty("start", options=["start", "center", "end"])
    font_px = NumericProperty(0)  # 0: from role and the visitor's text scale
    lines_logical = ListProperty([])
    lines_display = ListProperty([])
    line_tops = ListProperty([])  # window-independent: offsets from the widget's top, in px
    line_widths = ListProperty([])  # drawn width of each line, never more than the widget's

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("lang", ui().lang)
        super().__init__(**kwargs)
        self._lines: list[_Line] = []
        self.bind(logical=self._relayout, width=self._relayout, lang=self._relayout,
                  role=self._relayout, bold=self._relayout, font_px=self._relayout,
                  align=self._draw, fg=self._draw, x=self._draw, y=self._draw)
        self._relayout()

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    @property
    def font_size(self) -> int:
        return int(round(self.font_px or ui().font(self.role)))

    def _relayout(self, *_a) -> None:
        size = self.font_size
        rtl = self.rtl
        latin, arabic = _fonts(self.bold)
        width = max(1.0, self.width)

        def measure(fragment: str) -> float:
            return measure_display(shape_line(fragment, rtl), size, self.bold)

        logical_lines = wrap_logical(self.logical, width, measure)
        display = [shape_line(line, rtl) for line in logical_lines]
        lines = []
        for d in display:
            runs = [(r.text, arabic if r.arabic else latin) for r in script_runs(d)] or \
                [("", latin)]
            metrics = [_metrics(font, size) for _t, font in runs]
            lines.append(_Line(runs=runs, width=sum(_run_width(t, f, size) for t, f in runs),
                               ascent=max(m[0] for m in metrics),
                               descent=max(m[1] for m in metrics)))
        self._lines = lines
        self.lines_logical = logical_lines
        self.lines_display = display
        tops, y = [], 0.0
        for line in lines:
            tops.append(y)
            y += line.height
        self.line_tops = tops
        self.line_widths = [line.width for line in lines]
        self.height = max(y, size)
        self._draw()

    def _draw(self, *_a) -> None:
        colour = self.fg if self.fg.startswith("#") else getattr(ui().theme, self.fg)
        size = self.font_size
        rtl = self.rtl
        align = {"start": "right" if rtl else "left", "center": "center",
                 "end": "left" if rtl else "right"}[self.align]
        self.canvas.clear()
        with self.canvas:
            Color(*rgba(colour))
            # y + height, not self.top: the alias can still hold the old value while our
            # y observer runs.
            top = self.y + self.height
            for line, offset in zip(self._lines, self.line_tops, strict=False):
                baseline = top - offset - line.ascent * LINE_SPACING
                if align == "right":
                    x = self.x + self.width - line.width
                elif align == "center":
                    x = self.x + (self.width - line.width) / 2
                else:
                    x = self.x
                for text, font in line.runs:
                    if not text.strip():
                        x += _run_width(text, font, size)
                        continue
                    tex = _texture(text, font, size)
                    ascent, _descent = _metrics(font, size)
                    Rectangle(texture=tex, size=tex.size,
                              pos=(int(x), int(baseline - (tex.height - ascent))))
                    x += _run_width(text, font, size)
