"""How the accessibility audit measures a laid-out screen: the colours actually drawn on the
canvas, the focus ring as drawn, the pictures and what stands beside them, the fonts' rendered
glyphs. screens/audit_checks.py holds the checks that use these. Needs Kivy (a GL context for
the glyph measurements)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kivy.core.window import Window
from kivy.graphics import Color, Line, Rectangle, StencilPush, StencilUse
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.scatter import Scatter
from kivy.uix.scrollview import ScrollView

from kiosk.units import FOCUS_RING_MM
from screens.context import ARABIC_BOLD, ARABIC_FONT, LATIN_FONT
from screens.walk import scroll_views_of, window_rect
from screens.widgets.button import KButton
from screens.widgets.pictures import Picture, QRCode
from screens.widgets.text import KText

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
WEB_ADDRESS = re.compile(r"(?:[a-z]+://|www\.)\S+", re.IGNORECASE)


# -- colours as drawn ---------------------------------------------------------------------------

RGB = tuple[float, float, float]
Box = tuple[float, float, float, float]  # window (x1, y1, x2, y2)


def _lum(c: RGB) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(min(1.0, max(0.0, v))) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    la, lb = _lum(a), _lum(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def hex_of(c: RGB) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02X}" for v in c)


def blend(top: tuple[float, float, float, float], under: RGB) -> RGB:
    a = top[3]
    return tuple(a * t + (1 - a) * u for t, u in zip(top[:3], under, strict=False))  # type: ignore


def ancestors(w) -> list:
    """From the outermost ancestor down to ``w``'s parent."""
    out, p, seen = [], w.parent, set()
    while p is not None and p is not Window and id(p) not in seen:
        seen.add(id(p))
        out.append(p)
        p = p.parent
    return list(reversed(out))


_default_texture: list = []


def flat(instr) -> bool:
    """A Rectangle filled with its Color alone: no texture, or Kivy's blank default one."""
    tex = instr.texture
    if tex is None:
        return True
    if not _default_texture:
        _default_texture.append(Rectangle().texture)
    default = _default_texture[0]
    return default is not None and (tex is default or tex.id == default.id)


def _fills(widget, groups: Iterable) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """(rgba, window rect) of every flat (untextured) rectangle in these canvas groups."""
    relative = isinstance(widget, RelativeLayout | ScrollView | Scatter)
    out = []
    for group in groups:
        colour = (1.0, 1.0, 1.0, 1.0)
        masking = False  # between StencilPush and StencilUse a shape is a clip mask, not paint
        for instr in group.children:
            if isinstance(instr, StencilPush):
                masking = True
            elif isinstance(instr, StencilUse):
                masking = False
            elif isinstance(instr, Color):
                colour = tuple(instr.rgba)
            elif isinstance(instr, Rectangle) and flat(instr) and not masking:
                x, y = instr.pos
                w, h = instr.size
                wx, wy = widget.to_window(x, y, initial=not relative)
                out.append((colour, (wx, wy, w, h)))
    return out


def _covers(rect: tuple[float, ...], point: tuple[float, float]) -> bool:
    x, y, w, h = rect
    return x - 0.5 <= point[0] <= x + w + 0.5 and y - 0.5 <= point[1] <= y + h + 0.5


def drawn_behind(w, point: tuple[float, float] | None = None) -> RGB:
    """The colour actually drawn behind ``w`` at ``point`` (window coordinates; by default its
    centre): the window's clear colour, then every ancestor's flat fills that cover that
    point, composed in drawing order."""
    if point is None:
        x, y, wd, ht = window_rect(w)
        point = (x + wd / 2, y + ht / 2)
    colour: RGB = tuple(Window.clearcolor[:3])  # type: ignore[assignment]
    for a in ancestors(w):
        for rgba, rect in _fills(a, (a.canvas.before, a.canvas)):
            if _covers(rect, point):
                colour = blend(rgba, colour)
    return colour


def text_colour(t: KText) -> tuple[float, float, float, float] | None:
    for instr in t.canvas.children:
        if isinstance(instr, Color):
            return tuple(instr.rgba)  # type: ignore[return-value]
    return None


def button_colours(b: KButton) -> tuple[RGB | None, RGB | None]:
    """(fill, edge) as drawn in the button's canvas.before."""
    fill = edge = None
    colour = (1.0, 1.0, 1.0, 1.0)
    behind = drawn_behind(b)
    for instr in b.canvas.before.children:
        if isinstance(instr, Color):
            colour = tuple(instr.rgba)
        elif isinstance(instr, Rectangle) and flat(instr) and fill is None:
            fill = blend(colour, behind)
        elif isinstance(instr, Line) and edge is None:
            edge = blend(colour, fill or behind)
    return fill, edge


@dataclass
class Band:
    """One band of a focus ring as drawn: a Line in the control's canvas.after."""

    rgba: tuple[float, ...]
    thickness: float  # px actually painted across the band
    outer: tuple[float, float, float, float]  # window (x1, y1, x2, y2) of its outer edge
    inner: tuple[float, float, float, float]  # window (x1, y1, x2, y2) of its inner edge
    closed: bool  # goes all the way round

    @property
    def rgb(self) -> RGB:
        return self.rgba[:3]  # type: ignore[return-value]


def stroke_px(line: Line) -> float:
    """What a Kivy Line paints across: a width of exactly 1 is a one-pixel GL line; any other
    width is a polygon reaching ``width`` px to each side of the path (vertex_instructions_line:
    the extended build offsets every segment by +-width)."""
    w = float(line.width)
    if w == 1.0 and not line.force_custom_drawing_method:
        return 1.0
    return 2.0 * w


_builder: list = []


def _build(lines: list[Line]) -> None:
    """Have Kivy work out each Line's path (it does so only when the line is drawn): draw
    them into a one-pixel offscreen framebuffer. Drawing them there borrows them from their
    canvas (an instruction has one parent), so the control must draw its ring again
    afterwards: ``ring_bands`` is called between giving a control the focus and taking it
    away, which clears and redraws its canvas.after."""
    from kivy.graphics import Fbo

    if not _builder:
        _builder.append(Fbo(size=(1, 1)))
    fbo = _builder[0]
    for line in lines:
        fbo.add(line)
    fbo.draw()
    for line in lines:
        fbo.remove(line)


def ring_bands(b: KButton) -> list[Band]:
    """The focus ring as drawn in ``b``'s canvas.after, outermost band first. Its lines are
    drawn once offscreen first: Kivy works a Line's path out (``points``) only when it is
    drawn, and the audit draws no frames."""
    lines = [i for i in b.canvas.after.children if isinstance(i, Line)]
    if not lines:
        return []
    _build(lines)
    out = []
    colour: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    for instr in b.canvas.after.children:
        if isinstance(instr, Color):
            colour = tuple(instr.rgba)
        elif isinstance(instr, Line):
            pts = list(instr.points)
            if len(pts) < 4:
                continue
            corners = [b.to_window(pts[i], pts[i + 1]) for i in range(0, len(pts) - 1, 2)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            t = stroke_px(instr)
            x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
            closed = bool(instr.close) or corners[0] == corners[-1]
            out.append(Band(colour, t, (x1 - t / 2, y1 - t / 2, x2 + t / 2, y2 + t / 2),
                            (x1 + t / 2, y1 + t / 2, x2 - t / 2, y2 - t / 2), closed))
    out.sort(key=lambda band: -(band.outer[2] - band.outer[0]) * (band.outer[3] - band.outer[1]))
    return out


def clip_box(w) -> Box:
    """(x1, y1, x2, y2) of what can show of anything drawn by ``w``: the window, cut by every
    scroll area around it."""
    x1, y1, x2, y2 = 0.0, 0.0, float(Window.width), float(Window.height)
    for sv in scroll_views_of(w):
        sx, sy = sv.to_window(sv.x, sv.y)
        x1, y1 = max(x1, sx), max(y1, sy)
        x2, y2 = min(x2, sx + sv.width), min(y2, sy + sv.height)
    return x1, y1, x2, y2


def _uncovered(lo: float, hi: float, cuts: list[tuple[float, float]]) -> float:
    """Length of [lo, hi] left when the intervals ``cuts`` are taken out."""
    pieces = [(lo, hi)]
    for a, b in cuts:
        pieces = [q for p0, p1 in pieces
                  for q in ((p0, min(p1, a)), (max(p0, b), p1)) if q[1] - q[0] > 0]
    return sum(p1 - p0 for p0, p1 in pieces)


def ring_outside(band: Band, control: Box, clip: Box,
                 covers: Iterable[Box] = ()) -> dict[str, float]:
    """How thick ``band`` shows outside the control's edge on each side, in px: from the
    band's outer edge to whichever comes first of its inner edge and the control's edge,
    counting only what the clip (scroll areas, the window) lets show and what nothing drawn
    later (``covers``: opaque flat fills painted after the ring) paints over; the thinnest of
    three places along each side. A side of the control that is itself clipped away is left
    out (scrolling it into view shows its ring too)."""
    cx1, cy1, cx2, cy2 = control
    ox1, oy1, ox2, oy2 = band.outer
    ix1, iy1, ix2, iy2 = band.inner
    kx1, ky1, kx2, ky2 = clip
    covers = list(covers)
    # side -> (across from, across to, along from, along to, across is x); along a side,
    # only the part the clip shows
    ya, yb, xa, xb = max(cy1, ky1), min(cy2, ky2), max(cx1, kx1), min(cx2, kx2)
    spans = {}
    if cx1 >= kx1 - 0.5:
        spans["left"] = (max(ox1, kx1), min(ix1, cx1), ya, yb, True)
    if cy1 >= ky1 - 0.5:
        spans["bottom"] = (max(oy1, ky1), min(iy1, cy1), xa, xb, False)
    if cx2 <= kx2 + 0.5:
        spans["right"] = (max(ix2, cx2), min(ox2, kx2), ya, yb, True)
    if cy2 <= ky2 + 0.5:
        spans["top"] = (max(iy2, cy2), min(oy2, ky2), xa, xb, False)
    out = {}
    for side, (lo, hi, a0, a1, across_x) in spans.items():
        if a1 - a0 < 1:
            continue  # none of that side is in view
        thinnest = max(0.0, hi - lo)
        for k in (0.25, 0.5, 0.75):
            at = a0 + (a1 - a0) * k
            cuts = []
            for x1, y1, x2, y2 in covers:
                if across_x and y1 <= at <= y2:
                    cuts.append((x1, x2))
                elif not across_x and x1 <= at <= x2:
                    cuts.append((y1, y2))
            thinnest = min(thinnest, _uncovered(lo, hi, cuts) if hi > lo else 0.0)
        out[side] = thinnest
    return out


def painted(widgets: list) -> list[tuple[int, Box]]:
    """(position in drawing order, window box) of every opaque flat fill the widgets paint,
    cut to what their scroll areas let show. ``widgets`` is the screen's ``walk()``, which is
    Kivy's drawing order."""
    out = []
    for i, w in enumerate(widgets):
        kx1, ky1, kx2, ky2 = clip_box(w)
        for rgba, (x, y, wd, ht) in _fills(w, (w.canvas.before, w.canvas)):
            if rgba[3] < 0.5:
                continue
            box = (max(x, kx1), max(y, ky1), min(x + wd, kx2), min(y + ht, ky2))
            if box[2] - box[0] >= 1 and box[3] - box[1] >= 1:
                out.append((i, box))
    return out


def drawn_after(widgets: list, fills: list[tuple[int, Box]], w) -> list[Box]:
    """The fills painted after ``w`` and everything inside it (a later sibling, the bar after
    the scroll area): they cover its focus ring where they overlap it."""
    at = next(i for i, x in enumerate(widgets) if x is w)
    end = at + sum(1 for _ in w.walk(restrict=True))
    return [box for i, box in fills if i >= end]


EVERYWHERE: Box = (-float("inf"), -float("inf"), float("inf"), float("inf"))


def window_box(w) -> Box:
    x, y, wd, ht = window_rect(w)
    return x, y, x + wd, y + ht


def ring_too_thin(bands: list[Band], shows: dict[str, float],
                  px_per_mm: float) -> tuple[str, float] | None:
    """(why, measured mm) when the ring is not at least FOCUS_RING_MM thick outside the
    control on every side that can be seen; None when it is."""
    ring = bands[0]
    if not ring.closed:
        return "does not go all the way round", 0.0
    if not shows:
        return "can not be seen on any side", 0.0
    thin = [(side, px / px_per_mm) for side, px in shows.items()
            if px / px_per_mm < FOCUS_RING_MM - 0.01]
    if not thin:
        return None
    inner = (f", inner band {bands[-1].thickness / px_per_mm:.2f} mm" if len(bands) > 1
             else "")
    where = " and ".join(f"{mm:.2f} mm on its {side} side" for side, mm in thin)
    return (f"shows {where} outside the control (band drawn "
            f"{ring.thickness / px_per_mm:.2f} mm wide{inner})"), min(mm for _s, mm in thin)


# -- pictures and their text alternatives ----------------------------------------------------

def _draws_picture(w) -> bool:
    """Whether ``w``'s own canvas paints a texture (a picture), as opposed to flat colour."""
    for group in (w.canvas.before, w.canvas, w.canvas.after):
        for instr in group.children:
            if isinstance(instr, Rectangle) and not flat(instr) and \
                    instr.size[0] >= 1 and instr.size[1] >= 1:
                return True
    return False


def pictures_in(widgets: list) -> list:
    """Every picture a visitor sees among ``widgets`` (in tree order): the QR code, a content
    Picture that loaded, and any other widget that paints a texture of its own (a new picture
    widget is covered without being named here). Text is drawn as glyph textures too: KText
    and everything inside a control's label are not pictures."""
    out = []
    for w in widgets:
        if isinstance(w, KText | KButton) or w.opacity <= 0 or w.width < 1 or w.height < 1:
            continue
        if any(isinstance(a, KText | KButton) for a in ancestors(w)):
            continue
        if isinstance(w, QRCode) or (isinstance(w, Picture) and w.loaded) or \
                _draws_picture(w):
            out.append(w)
    return out


def _shown(w) -> bool:
    return w.opacity > 0 and w.width >= 1 and w.height >= 1


def _figure(w, root):
    """The picture with whatever holds it and nothing else (an AnchorLayout that places a QR
    code): its neighbours are the figure's neighbours."""
    node = w
    while node.parent is not None and node.parent is not root and \
            not isinstance(node.parent, ScrollView | KButton) and \
            [c for c in node.parent.children if _shown(c)] == [node]:
        node = node.parent
    return node


def neighbours(w, root) -> tuple[Any, Any]:
    """(the widget just before, the widget just after) the picture's figure in its
    container, in the order they were added (reading order), or None."""
    fig = _figure(w, root)
    parent = fig.parent
    if parent is None:
        return None, None
    kids = [c for c in reversed(parent.children) if _shown(c) or c is fig]
    i = kids.index(fig)
    return (kids[i - 1] if i > 0 else None), (kids[i + 1] if i + 1 < len(kids) else None)


def alt_problem(t, lang: str) -> str | None:
    """What ``t`` is when it can not be a picture's text alternative in ``lang`` ("nothing",
    "an empty text", ...); None when it can."""
    if t is None:
        return "nothing"
    if not isinstance(t, KText):
        return f"a {type(t).__name__}, not a text"
    words = " ".join((t.logical or "").split())
    if not words or not _shown(t):
        return "an empty text"
    if WEB_ADDRESS.fullmatch(words):  # what a QR code holds, not what it shows
        return f"the web address {words[:40]!r}, not a description"
    if words.endswith(":"):  # "Picture 1:" with the alternative missing
        return f"{words[:40]!r}, which names a picture but says nothing about it"
    script = ARABIC_LETTER if lang == "ar" else LATIN_WORD
    if t.lang != lang or not script.search(words):
        return (f"{words[:40]!r}, in {'Arabic' if t.lang == 'ar' else 'English'}, not the "
                "screen's language")
    return None


def picture_alternatives(pictures: list, root, lang: str) -> list[tuple[Any, str]]:
    """For each picture, (its text alternative, "") or (None, why there is none). The text
    right after a picture's figure is its caption; the text right before counts only when it
    is not the caption of another picture (two pictures can not share one alternative)."""
    sides = [neighbours(p, root) for p in pictures]
    alt: list[Any] = [after if alt_problem(after, lang) is None else None
                      for _before, after in sides]
    claimed = {id(t) for t in alt if t is not None}
    for i, (before, _after) in enumerate(sides):
        if alt[i] is None and id(before) not in claimed and alt_problem(before, lang) is None:
            alt[i] = before
            claimed.add(id(before))
    out = []
    for (before, after), text in zip(sides, alt, strict=True):
        if text is not None:
            out.append((text, ""))
            continue
        what_before = ("the text alternative of another picture" if id(before) in claimed
                       else alt_problem(before, lang))
        out.append((None, f"after it is {alt_problem(after, lang)}; before it is "
                          f"{what_before}"))
    return out


def picture_name(w, i: int, n: int) -> str:
    kind = type(w).__name__
    if isinstance(w, QRCode):
        return f"{kind} {w.data[:48]!r}"
    path = getattr(w, "path", "")
    where = f" {str(path).rsplit('/', 1)[-1][:12]}" if path else ""
    return f"{kind} {i} of {n}{where}"


# -- glyphs as rendered -------------------------------------------------------------------------

@lru_cache(maxsize=256)
def cap_height_px(font: str, size: int) -> int:
    """Ink height of a capital H (Latin fonts) or an alef (Arabic fonts, whose letters have no
    capitals; the alef is the usual comparison) rendered at ``size`` px."""
    from kivy.core.text import Label as CoreLabel

    glyph = "ا" if font in (ARABIC_FONT, ARABIC_BOLD) else "H"
    lbl = CoreLabel(text=glyph, font_name=font, font_size=size)
    lbl.refresh()
    tex = lbl.texture
    w, h = tex.size
    px = tex.pixels
    rows = [y for y in range(h) if any(px[(y * w + x) * 4 + 3] > 127 for x in range(w))]
    return (max(rows) - min(rows) + 1) if rows else 0


def fonts_of(t: KText) -> set[str]:
    fonts = set()
    for line in getattr(t, "_lines", []):
        for text, font in line.runs:
            if text.strip():
                fonts.add(font)
    return fonts or {LATIN_FONT}


def lines_height(t: KText) -> float:
    """How tall the text's laid-out lines are, first line top to last line bottom."""
    lines = getattr(t, "_lines", [])
    if not lines or not t.line_tops:
        return 0.0
    return float(t.line_tops[-1]) + lines[-1].height
