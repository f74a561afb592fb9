"""KText, the one widget that draws text. It keeps the logical string, wraps it into lines at
its own width, then shapes and reorders each line (screens/textlayout.py), and draws Arabic runs
in Noto Sans Arabic and everything else in Noto Sans, each run on a shared baseline. Its line
lists (logical and display order) are exposed for tests and for speech."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, PopMatrix, PushMatrix, Rectangle, Translate
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
from screens.widgets.kept_layouts import KeptLayouts, versions_of

LINE_SPACING = 1.05
# Rendered runs of text kept for reuse: the bar, tiles and lists come back on every screen.
# Each is a texture the size of its run, in main memory under a software renderer, so the
# cache is kept small; a run drawn again after it fell out renders in well under a millisecond.
TEXTURES_KEPT = 400  # on top of the fonts' own generous ascent and descent


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


@lru_cache(maxsize=TEXTURES_KEPT)
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


def paragraph_widths(logical: str, size: int, bold: bool, rtl: bool) -> list[float]:
    """How wide each paragraph (hard line) of a text is drawn unwrapped: what a layout asks
    before it chooses a width at which nothing has to wrap."""
    return [measure_display(shape_line(p, rtl), size, bold) for p in logical.split("\n")]


@dataclass(frozen=True)
class _Line:
    runs: tuple[tuple[str, str], ...]  # (display text, font)
    width: float
    ascent: int
    descent: int

    @property
    def height(self) -> float:
        return (self.ascent + self.descent) * LINE_SPACING


@lru_cache(maxsize=64)
def _unplaced_line(size: int, bold: bool) -> _Line:
    """A line of a text not placed yet: nothing drawn, as tall as either script's line."""
    metrics = [_metrics(font, size) for font in _fonts(bold)]
    return _Line(runs=(), width=0.0, ascent=max(m[0] for m in metrics),
                 descent=max(m[1] for m in metrics))


@lru_cache(maxsize=8192)
def _lay_out(logical: str, width: int, size: int, bold: bool, rtl: bool
             ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[_Line, ...]]:
    """(logical lines, display lines, drawn lines) of a text at a width. A pure function of
    its arguments, so screens built again (Back, Home, the bar on every screen) reuse it.
    Width 0 (a text of fixed width 0): one line per paragraph, nothing measured for wrapping."""
    key = (logical, width, size, bold, rtl)
    kept = kept_layouts().get(key)
    if kept is not None:
        return kept[0], kept[1], tuple(_Line(runs=runs, width=w, ascent=a, descent=d)
                                       for runs, w, a, d in kept[2])
    latin, arabic = _fonts(bold)
    if width <= 0:
        logical_lines = logical.split("\n")
    else:
        def measure(fragment: str) -> float:
            return measure_display(shape_line(fragment, rtl), size, bold)
        logical_lines = wrap_logical(logical, width, measure)
    display = tuple(shape_line(line, rtl) for line in logical_lines)
    lines = []
    for d in display:
        runs = tuple((r.text, arabic if r.arabic else latin) for r in script_runs(d)) or \
            (("", latin),)
        metrics = [_metrics(font, size) for _t, font in runs]
        lines.append(_Line(runs=runs, width=sum(_run_width(t, f, size) for t, f in runs),
                           ascent=max(m[0] for m in metrics),
                           descent=max(m[1] for m in metrics)))
    laid = tuple(logical_lines), display, tuple(lines)
    kept_layouts().put(key, (laid[0], laid[1], tuple((ln.runs, ln.width, ln.ascent, ln.descent)
                                                     for ln in laid[2])))
    return laid


@lru_cache(maxsize=1)
def kept_layouts() -> KeptLayouts:
    """The layouts kept between starts (screens/widgets/kept_layouts.py), in this kiosk's
    cache; the app writes them once it has settled and when it stops (keep_layouts)."""
    import arabic_reshaper
    import bidi
    import kivy

    from kiosk.config import kiosk_home
    from screens import textlayout
    from screens.widgets import kept_layouts as module

    sources = [Path(__file__), Path(textlayout.__file__), Path(module.__file__)]
    fonts = [Path(f) for f in (LATIN_FONT, LATIN_BOLD, ARABIC_FONT, ARABIC_BOLD)]
    return KeptLayouts(kiosk_home() / "cache", sources + fonts,
                       versions_of(arabic_reshaper, bidi, kivy))


def keep_layouts() -> bool:
    return kept_layouts().save()


class KText(Widget):
    """Bidirectional, wrapped, auto-height text. Set ``logical`` (never a shaped string),
    ``lang`` (direction and alignment), ``role`` (body, title, small) and ``fg`` (a theme
    colour name or '#rrggbb').

    The lines are drawn in the widget's own coordinates behind a translation, so moving the
    widget (layouts do, many times while a screen is built) moves one instruction instead of
    drawing every run again. Until a layout gives it a width (width 0), the text is not
    wrapped: the first real width lays it out once."""

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
        if kwargs.get("size_hint_x", 1) is not None:
            kwargs.setdefault("width", 0)  # a layout sets it
        self._lines: tuple[_Line, ...] = ()
        self._laid: tuple | None = None
        self._color: Color | None = None
        self._move: Translate | None = None
        super().__init__(**kwargs)
        self.bind(logical=self._relayout, width=self._relayout, lang=self._relayout,
                  role=self._relayout, bold=self._relayout, font_px=self._relayout,
                  align=self._draw, fg=self._recolour, pos=self._place)
        self._relayout()

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    @property
    def font_size(self) -> int:
        return int(round(self.font_px or ui().font(self.role)))

    def _relayout(self, *_a) -> None:
        size = self.font_size
        key = (self.logical, max(0, int(self.width)), size, self.bold, self.rtl)
        if key == self._laid:
            return
        self._laid = key
        if key[1] == 0 and self.size_hint_x is not None:
            # Not placed yet: a layout needs a height now, and the real width comes next.
            # Shaping and measuring whole paragraphs for it would be thrown away (it was a
            # third of building the home screen at a cold start).
            logical_lines = display = tuple(self.logical.split("\n"))
            lines = (_unplaced_line(size, self.bold),) * len(logical_lines)
        else:
            logical_lines, display, lines = _lay_out(*key)
        self._lines = lines
        self.lines_logical = list(logical_lines)
        self.lines_display = list(display)
        tops, y = [], 0.0
        for line in lines:
            tops.append(y)
            y += line.height
        self.line_tops = tops
        self.line_widths = [line.width for line in lines]
        self.height = max(y, size)
        if key[1] == 0 and self.size_hint_x is not None:
            # Not placed yet: the height is all a layout needs now. Drawing would render every
            # paragraph as one unwrapped run, to be thrown away at the first real width.
            self.canvas.clear()
            self._color = self._move = None
            return
        self._draw()

    def _colour(self) -> tuple[float, float, float, float]:
        return rgba(self.fg if self.fg.startswith("#") else getattr(ui().theme, self.fg))

    def _recolour(self, *_a) -> None:
        if self._color is not None:
            self._color.rgba = self._colour()

    def _place(self, *_a) -> None:
        if self._move is not None:
            # Whole pixels keep the glyphs crisp.
            self._move.xy = (round(self.x), round(self.y))

    def _draw(self, *_a) -> None:
        size = self.font_size
        rtl = self.rtl
        align = {"start": "right" if rtl else "left", "center": "center",
                 "end": "left" if rtl else "right"}[self.align]
        self.canvas.clear()
        with self.canvas:
            self._color = Color(*self._colour())
            PushMatrix()
            self._move = Translate(round(self.x), round(self.y))
            top = self.height
            for line, offset in zip(self._lines, self.line_tops, strict=False):
                baseline = top - offset - line.ascent * LINE_SPACING
                if align == "right":
                    x = self.width - line.width
                elif align == "center":
                    x = (self.width - line.width) / 2
                else:
                    x = 0.0
                for text, font in line.runs:
                    if not text.strip():
                        x += _run_width(text, font, size)
                        continue
                    tex = _texture(text, font, size)
                    ascent, _descent = _metrics(font, size)
                    Rectangle(texture=tex, size=tex.size,
                              pos=(int(x), int(baseline - (tex.height - ascent))))
                    x += _run_width(text, font, size)
            PopMatrix()
