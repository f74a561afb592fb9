"""The accessibility audit's checks on one laid-out screen: what was actually built and drawn
(the widget tree, the colours on the canvas, the fonts' rendered glyphs), measured against
/work/shared/ACCESSIBILITY.md's numbers. screens/audit.py opens the screens; this module only
measures. Needs Kivy (a GL context for the glyph measurements)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from kivy.core.window import Window
from kivy.graphics import Color, Line, Rectangle, StencilPush, StencilUse
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.scatter import Scatter
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout

from kiosk.units import FOCUS_RING_MM, GAP_MM, MIN_CAP_HEIGHT_MM, TARGET_MM
from screens.context import ARABIC_BOLD, ARABIC_FONT, LATIN_FONT
from screens.themes import NON_TEXT_MIN, TEXT_MIN
from screens.walk import scroll_views_of, visible_rect, window_rect
from screens.widgets.button import KButton
from screens.widgets.pictures import Picture, QRCode
from screens.widgets.text import KText

NAV_IDS = ("nav.home", "nav.back", "nav.lang", "nav.text_size", "nav.contrast", "nav.speak",
           "nav.help")

# name -> (ACCESSIBILITY.md item(s), what is required)
CHECKS: dict[str, tuple[str, str]] = {
    "text_contrast": ("1", f"every text at least {TEXT_MIN:g}:1 against the colour drawn "
                           "behind it"),
    "non_text_contrast": ("1", f"a control's edge or fill at least {NON_TEXT_MIN:g}:1 against "
                               "what is drawn behind it"),
    "focus_ring": ("7", f"the focus ring drawn, each band at least {NON_TEXT_MIN:g}:1 against "
                        "its neighbour: the outer band against what is drawn behind it, the "
                        "inner band against the control's fill"),
    "focus_ring_thickness": ("7", f"the focus ring drawn around the outside of the control at "
                                  f"least {FOCUS_RING_MM:g} mm thick on every side a visitor "
                                  "can see"),
    "cap_height": ("3", f"capital height at least {MIN_CAP_HEIGHT_MM:g} mm at text scale 1, "
                        "measured on the rendered glyphs of the fonts used"),
    "text_clipped": ("4", "every text line inside its widget, every text and control inside "
                          "its parent"),
    "overlap": ("4", "no two widgets side by side in a layout overlap"),
    "outside_window": ("4", "nothing outside the window unless inside a scroll area (and then "
                            "only in its scroll direction)"),
    "state_written": ("5", "a selected control writes its state out in both languages"),
    "picture_alt": ("6", "every picture a visitor sees (content pictures, the QR code) has a "
                         "text alternative in the screen's language beside it: the next text "
                         "in its container, or the text just before it if that is not another "
                         "picture's"),
    "target_size": ("8", f"every control at least {TARGET_MM:g} x {TARGET_MM:g} mm"),
    "target_gap": ("8", f"controls at least {GAP_MM:g} mm apart"),
    "reach": ("10", "in reach mode every control in the lower part of the screen"),
    "nav_bar": ("20", "the bar with all seven nav ids on every screen"),
    "focus_reaches": ("18, 21", "the keypad's focus order reaches every control"),
    "focus_order": ("21", "focus order follows reading order (right to left in Arabic)"),
    "focus_trap": ("21", "Down through the whole order comes back to the first control"),
    "kiosk_id": ("CONTRACT", "every control has a kiosk_id, unique on its screen"),
    "labels": ("24", "every control has a label in Arabic and in English"),
    "build": ("-", "the screen opens with its sample parameters"),
}

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
WEB_ADDRESS = re.compile(r"(?:[a-z]+://|www\.)\S+", re.IGNORECASE)


@dataclass
class Failure:
    screen: str
    lang: str
    theme: str
    scale: float
    reach: bool
    widget: str
    check: str
    message: str
    measured: Any = None
    required: Any = None
    speech: bool = False

    @property
    def where(self) -> str:
        return (f"{self.screen}/{self.lang}/{self.theme}/x{self.scale:g}"
                + ("/reach" if self.reach else "") + ("/speech" if self.speech else ""))

    def line(self) -> str:
        return f"FAIL {self.where} {self.widget or '-'} {self.check}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["item"] = CHECKS.get(self.check, ("?", ""))[0]
        return d


@dataclass
class Combo:
    screen: str
    lang: str
    theme: str
    scale: float
    reach: bool = False
    speech: bool = False  # speech on: the caption strip takes its place on screen


class Findings:
    """What one audit run found, with how many times each check was applied."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.counts: dict[str, int] = dict.fromkeys(CHECKS, 0)
        self.widgets = 0

    def checked(self, check: str, n: int = 1) -> None:
        self.counts[check] = self.counts.get(check, 0) + n


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


def _ancestors(w) -> list:
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
    for a in _ancestors(w):
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


def _box(w) -> Box:
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
        if any(isinstance(a, KText | KButton) for a in _ancestors(w)):
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


# -- the checks on one screen -------------------------------------------------------------------

def _mm(px: float, px_per_mm: float) -> float:
    return px / px_per_mm


def audit_screen(root, combo: Combo, px_per_mm: float, findings: Findings,
                 focus_order: list[KButton] | None = None, reach_top: float | None = None,
                 move_focus=None, scroll_root=None, focus_on=None) -> None:
    """Every check on the laid-out widget tree under ``root`` (a screen, or any hand-built
    widget). ``focus_order`` is the keypad's order (None: focus checks skipped); ``reach_top``
    the highest a control may reach in reach mode, in px from the bottom; ``move_focus`` the
    app's keypad focus step, for the trap check, and ``focus_on`` the app's way of giving one
    control the keypad focus (scrolling it into view), for a focus ring a scroll area cuts
    off (both run last: they scroll)."""
    def fail(widget: str, check: str, message: str, measured=None, required=None) -> None:
        findings.failures.append(Failure(combo.screen, combo.lang, combo.theme, combo.scale,
                                         combo.reach, widget, check, message, measured,
                                         required, combo.speech))

    widgets = list(root.walk(restrict=True))
    findings.widgets += len(widgets)
    # Where every scroll area is as the screen opened (the focus checks scroll them).
    opened = [(sv, sv.scroll_x, sv.scroll_y) for sv in widgets if isinstance(sv, ScrollView)]
    buttons = [w for w in widgets if isinstance(w, KButton) and w.opacity > 0]
    texts = [w for w in widgets if isinstance(w, KText) and w.logical and w.opacity > 0]

    def name(w) -> str:
        if isinstance(w, KButton):
            return w.kiosk_id or "(button without id)"
        owner = next((p for p in _ancestors(w)[::-1] if isinstance(p, KButton)), None)
        if owner is not None:
            return f"{owner.kiosk_id or '(button)'}:label"
        words = " ".join(w.logical.split())
        return f"text {words[:40]!r}" if isinstance(w, KText) else type(w).__name__

    # -- colour: text on what is drawn behind it (1) ------------------------------------------
    for t in texts:
        fg = text_colour(t)
        if fg is None:
            continue
        bg = drawn_behind(t)
        fg_rgb = blend(fg, bg)
        ratio = contrast(fg_rgb, bg)
        findings.checked("text_contrast")
        if ratio < TEXT_MIN - 0.005:
            fail(name(t), "text_contrast", f"text {hex_of(fg_rgb)} on {hex_of(bg)} is "
                 f"{ratio:.2f}:1, needs {TEXT_MIN:g}:1", round(ratio, 2), TEXT_MIN)

    # -- colour: controls' edges and the focus ring (1, 7) -------------------------------------
    second_look: list[tuple[KButton, tuple[str, float]]] = []
    fills = painted(widgets) if buttons else []
    for b in buttons:
        behind = drawn_behind(b)
        fill, edge = button_colours(b)
        ratios = [contrast(c, behind) for c in (fill, edge) if c is not None]
        findings.checked("non_text_contrast")
        best = max(ratios or [1.0])
        if best < NON_TEXT_MIN - 0.005:
            fail(name(b), "non_text_contrast",
                 f"edge {hex_of(edge) if edge else 'none'} and fill "
                 f"{hex_of(fill) if fill else 'none'} against {hex_of(behind)}: best "
                 f"{best:.2f}:1, needs {NON_TEXT_MIN:g}:1", round(best, 2), NON_TEXT_MIN)
        was = b.focused
        b.focused = False
        b.focused = True
        bands = ring_bands(b)
        b.focused = False  # draws its canvas.after again (ring_bands borrowed the lines)
        b.focused = was
        findings.checked("focus_ring")
        if not bands:
            fail(name(b), "focus_ring", "no focus ring is drawn when it has the keypad's focus",
                 0, NON_TEXT_MIN)
            continue
        box = _box(b)
        ring = bands[0]
        shows = ring_outside(ring, box, clip_box(b))  # where to look behind it
        # Behind the outer band, where it is drawn (not behind the control's centre).
        mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        at = {"left": ((ring.outer[0] + box[0]) / 2, mid_y),
              "right": ((ring.outer[2] + box[2]) / 2, mid_y),
              "bottom": (mid_x, (ring.outer[1] + box[1]) / 2),
              "top": (mid_x, (ring.outer[3] + box[3]) / 2)}
        sides = [side for side, t in shows.items() if t >= 1.0] or ["left"]
        backs = [drawn_behind(b, at[side]) for side in sides]
        outer_on = min(backs, key=lambda c: contrast(ring.rgb, c))
        outer = contrast(ring.rgb, outer_on)
        # The band next to the control's fill: the inner band of a two-band ring, or the
        # one band, which then has to stand out against both.
        inner_band = bands[-1]
        inner_on = fill or behind
        inner = contrast(inner_band.rgb, inner_on)
        if min(outer, inner) < NON_TEXT_MIN - 0.005:
            against = (f"inner band {hex_of(inner_band.rgb)} on {hex_of(inner_on)}"
                       if len(bands) > 1 else f"on the control's fill {hex_of(inner_on)}")
            fail(name(b), "focus_ring", f"focus ring {hex_of(ring.rgb)} on {hex_of(outer_on)} "
                 f"is {outer:.2f}:1, {against} is {inner:.2f}:1; needs {NON_TEXT_MIN:g}:1",
                 round(min(outer, inner), 2), NON_TEXT_MIN)
        findings.checked("focus_ring_thickness")
        thin = ring_too_thin(bands, ring_outside(ring, box, clip_box(b),
                                                 drawn_after(widgets, fills, b)), px_per_mm)
        if thin is not None and focus_on is not None and scroll_views_of(b) and \
                ring_too_thin(bands, ring_outside(ring, box, EVERYWHERE), px_per_mm) is None:
            # Drawn thick enough, but cut off in a scroll area: look again once the app has
            # given the control the focus and scrolled (at the end: that scrolls).
            second_look.append((b, thin))
        elif thin is not None:
            fail(name(b), "focus_ring_thickness", f"the focus ring {thin[0]}; needs "
                 f"{FOCUS_RING_MM:g} mm", round(thin[1], 2), FOCUS_RING_MM)

    # -- size of text (3): rendered glyphs, at text scale 1 ------------------------------------
    if combo.scale == 1.0:
        for t in texts:
            for font in sorted(fonts_of(t)):
                cap = _mm(cap_height_px(font, t.font_size), px_per_mm)
                findings.checked("cap_height")
                if cap < MIN_CAP_HEIGHT_MM - 0.005:
                    fail(name(t), "cap_height", f"capital height {cap:.2f} mm in "
                         f"{font.rsplit('/', 1)[-1]} at {t.font_size} px, needs "
                         f"{MIN_CAP_HEIGHT_MM:g} mm", round(cap, 2), MIN_CAP_HEIGHT_MM)

    # -- clipping, overlap, the window (4) ------------------------------------------------------
    win_w, win_h = float(Window.width), float(Window.height)
    for t in texts:
        findings.checked("text_clipped")
        widest = max(list(t.line_widths) or [0])
        if widest > t.width + 0.5:
            fail(name(t), "text_clipped", f"a line is {widest:.0f} px wide in a "
                 f"{t.width:.0f} px wide text", round(widest, 1), round(t.width, 1))
        lines_h = _lines_height(t)
        if lines_h > t.height + 0.5:
            fail(name(t), "text_clipped", f"its lines need {lines_h:.0f} px but it is "
                 f"{t.height:.0f} px tall", round(lines_h, 1), round(t.height, 1))
    for w in texts + buttons:
        parent = w.parent
        if parent is None or isinstance(parent, ScrollView) or parent is root:
            continue
        findings.checked("text_clipped")
        ax, ay, aw, ah = window_rect(w)
        px, py, pw, ph = window_rect(parent) if not isinstance(
            parent, RelativeLayout | Scatter) else (*parent.to_window(0, 0, initial=False),
                                                    parent.width, parent.height)
        over = max(px - ax, py - ay, (ax + aw) - (px + pw), (ay + ah) - (py + ph))
        if over > 1.0:
            fail(name(w), "text_clipped", f"sticks out of its {type(parent).__name__} by "
                 f"{_mm(over, px_per_mm):.1f} mm", round(_mm(over, px_per_mm), 1), 0)
    for layout in widgets:
        if not isinstance(layout, BoxLayout | GridLayout | StackLayout):
            continue
        kids = [c for c in layout.children if c.width > 0.5 and c.height > 0.5
                and c.opacity > 0]
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                findings.checked("overlap")
                ox = min(a.right, b.right) - max(a.x, b.x)
                oy = min(a.top, b.top) - max(a.y, b.y)
                if ox > 1.0 and oy > 1.0:
                    fail(f"{name(a)} / {name(b)}", "overlap",
                         f"overlap by {_mm(ox, px_per_mm):.1f} x {_mm(oy, px_per_mm):.1f} mm",
                         round(_mm(min(ox, oy), px_per_mm), 1), 0)
    for w in texts + buttons:
        findings.checked("outside_window")
        x, y, wd, ht = window_rect(w)
        views = scroll_views_of(w)
        if views:
            sv = views[0]
            sx, _sy = sv.to_window(sv.x, sv.y)
            lo, hi = max(0.0, sx), min(win_w, sx + sv.width)
            out = max(lo - x, (x + wd) - hi)
            if not sv.do_scroll_y:
                out = max(out, -y, (y + ht) - win_h)
        else:
            out = max(-x, -y, (x + wd) - win_w, (y + ht) - win_h)
        if out > 1.0:
            fail(name(w), "outside_window", f"{_mm(out, px_per_mm):.1f} mm of it is outside "
                 f"the {'scroll area' if views else 'window'} and can not be seen",
                 round(_mm(out, px_per_mm), 1), 0)

    # -- pictures' text alternatives (6) ---------------------------------------------------------
    pictures = pictures_in(widgets)
    alts = picture_alternatives(pictures, root, combo.lang)
    for i, (p, (alt, why)) in enumerate(zip(pictures, alts, strict=True), 1):
        findings.checked("picture_alt")
        if alt is None:
            fail(picture_name(p, i, len(pictures)), "picture_alt",
                 f"no text alternative in {'Arabic' if combo.lang == 'ar' else 'English'} "
                 f"beside it: {why}", None, "a text in the screen's language next to it")

    # -- colour is not the only cue (5) ----------------------------------------------------------
    for b in buttons:
        if b.selected:
            findings.checked("state_written")
            missing = [lang for lang in ("ar", "en") if not (b.state_text or {}).get(lang)]
            if missing:
                fail(name(b), "state_written", "selected, but its state is not written out in "
                     f"{' or '.join(missing)}", None, "state_text in ar and en")

    # -- targets (8) -----------------------------------------------------------------------------
    target, gap = TARGET_MM, GAP_MM
    for b in buttons:
        findings.checked("target_size")
        wmm, hmm = _mm(b.width, px_per_mm), _mm(b.height, px_per_mm)
        if wmm < target - 0.01 or hmm < target - 0.01:
            fail(name(b), "target_size", f"{wmm:.1f} x {hmm:.1f} mm, needs at least "
                 f"{target:g} x {target:g} mm", [round(wmm, 1), round(hmm, 1)], target)
    rects = []
    for b in buttons:
        views = tuple(id(v) for v in scroll_views_of(b))
        rects.append((b, views, window_rect(b), visible_rect(b)))
    for i, (a, va, ra, vis_a) in enumerate(rects):
        for b, vb, rb, vis_b in rects[i + 1:]:
            if va != vb:  # different scroll areas: only what both show can be too close
                if vis_a is None or vis_b is None:
                    continue
                ra, rb = vis_a, vis_b
            findings.checked("target_gap")
            dx = max(0.0, rb[0] - (ra[0] + ra[2]), ra[0] - (rb[0] + rb[2]))
            dy = max(0.0, rb[1] - (ra[1] + ra[3]), ra[1] - (rb[1] + rb[3]))
            apart = _mm(max(dx, dy), px_per_mm)
            if apart < gap - 0.01:
                fail(f"{name(a)} / {name(b)}", "target_gap", f"{apart:.1f} mm apart, needs "
                     f"{gap:g} mm", round(apart, 1), gap)

    # -- identity and labels (CONTRACT, 24) ------------------------------------------------------
    seen: dict[str, int] = {}
    for b in buttons:
        findings.checked("kiosk_id")
        if not b.kiosk_id:
            fail(name(b), "kiosk_id", f"a control labelled {b.label.get('en', '')!r} has no "
                 "kiosk_id", None, "kiosk_id")
        else:
            seen[b.kiosk_id] = seen.get(b.kiosk_id, 0) + 1
        findings.checked("labels")
        for lang, lang_name in (("ar", "Arabic"), ("en", "English")):
            if not (b.label or {}).get(lang, "").strip():
                fail(name(b), "labels", f"no {lang_name} label", None, f"label[{lang!r}]")
        ar, en = (b.label or {}).get("ar", ""), (b.label or {}).get("en", "")
        if ar and ar == en and not b.lang and LATIN_WORD.search(ar) and \
                not ARABIC_LETTER.search(ar):
            fail(name(b), "labels", f"its Arabic label is the English text {ar!r} (not "
                 "translated)", ar, "an Arabic label")
    for kid, n in seen.items():
        if n > 1:
            fail(kid, "kiosk_id", f"{n} controls share this kiosk_id", n, 1)

    # -- the bar (20) ----------------------------------------------------------------------------
    findings.checked("nav_bar")
    ids = {b.kiosk_id for b in buttons}
    missing_nav = [i for i in NAV_IDS if i not in ids]
    if missing_nav:
        fail("nav", "nav_bar", f"the bar lacks {', '.join(missing_nav)}", sorted(ids & set(
            NAV_IDS)), list(NAV_IDS))

    # -- reach mode (10) --------------------------------------------------------------------------
    if combo.reach and reach_top is not None:
        for b in buttons:
            vis = visible_rect(b)
            if vis is None:
                continue
            findings.checked("reach")
            top = vis[1] + vis[3]
            if top > reach_top + 0.5:
                fail(name(b), "reach", f"its top is {_mm(top, px_per_mm):.0f} mm above the "
                     f"screen's bottom edge; reach mode allows "
                     f"{_mm(reach_top, px_per_mm):.0f} mm", round(_mm(top, px_per_mm)),
                     round(_mm(reach_top, px_per_mm)))

    # -- keypad focus (18, 21) -------------------------------------------------------------------
    if focus_order is not None:
        _check_focus(focus_order, buttons, combo, px_per_mm, fail, findings, scroll_root,
                     move_focus, name)
    for b, thin in second_look:
        _ring_in_view(b, thin, focus_on, px_per_mm, fail, name(b), opened, widgets)


def _scroll_back(opened: list) -> None:
    for sv, x, y in opened:
        sv.scroll_x, sv.scroll_y = x, y
        sv.update_from_scroll()  # Kivy moves the content on the next frame; now, here


def _ring_in_view(b: KButton, thin: tuple[str, float], focus_on, px_per_mm: float, fail,
                  label: str, opened: list, widgets: list) -> None:
    """The ring of a control a scroll area cuts off, measured as the visitor sees it: on the
    screen as it opened, the app's own keypad focus moves to the control (scrolling it into
    view as the app does). ``thin``: what was found before. The scroll areas go back to
    where they were when the screen opened."""
    _scroll_back(opened)
    if focus_on(b) is None:  # the keypad can not reach it (focus_reaches says so)
        fail(label, "focus_ring_thickness", f"the focus ring {thin[0]}; needs "
             f"{FOCUS_RING_MM:g} mm", round(thin[1], 2), FOCUS_RING_MM)
        return
    for sv in scroll_views_of(b):
        sv.update_from_scroll()
    b.focused = True
    bands = ring_bands(b)
    b.focused = False  # draws its canvas.after again (ring_bands borrowed the lines)
    shows = ring_outside(bands[0], _box(b), clip_box(b),
                         drawn_after(widgets, painted(widgets), b)) if bands else {}
    _scroll_back(opened)
    if not bands:
        return
    thin = ring_too_thin(bands, shows, px_per_mm)
    if thin is not None:
        fail(label, "focus_ring_thickness", f"the focus ring {thin[0]}, with the app's own focus "
             f"on it on the screen as it opened; needs {FOCUS_RING_MM:g} mm",
             round(thin[1], 2), FOCUS_RING_MM)


def _check_focus(focus_order: list[KButton], buttons: list[KButton], combo: Combo,
                 px_per_mm: float, fail, findings: Findings, scroll_root, move_focus,
                 name) -> None:
    order_ids = [b.kiosk_id for b in focus_order]
    in_order = {id(b) for b in focus_order}
    for b in buttons:
        if b.disabled:
            continue
        findings.checked("focus_reaches")
        if id(b) not in in_order:
            fail(name(b), "focus_reaches", "the keypad's focus never reaches it", None,
                 "in the focus order")
    _check_reading_order(focus_order, combo, px_per_mm, fail, findings, scroll_root)
    if move_focus is not None and focus_order:
        findings.checked("focus_trap")
        visited = []
        for _ in range(len(focus_order) + 1):
            target_b = move_focus(1)
            visited.append(target_b.kiosk_id if target_b is not None else None)
        for b in focus_order:
            b.focused = False
        expected = order_ids + order_ids[:1]
        if visited != expected:
            fail("focus", "focus_trap", f"Down went {' > '.join(map(str, visited[:12]))}, "
                 f"expected {' > '.join(expected[:12])}", visited, expected)


def _lines_height(t: KText) -> float:
    lines = getattr(t, "_lines", [])
    if not lines or not t.line_tops:
        return 0.0
    return float(t.line_tops[-1]) + lines[-1].height


def _check_reading_order(order: list[KButton], combo: Combo, px_per_mm: float, fail,
                         findings: Findings, scroll_root) -> None:
    """Each next control is on the same line further along the reading direction, or on a
    lower line; the bar after the content starts again at its own top."""
    rtl = combo.lang == "ar"

    def part(b) -> str:
        # The bar, the scroll area's page buttons and the content each read in order; content
        # scrolled out of view has no place among the page buttons to compare with.
        if b.kiosk_id.startswith("nav."):
            return "bar"
        return "page" if b.kiosk_id.startswith("scroll.") else "content"
    for a, b in zip(order, order[1:], strict=False):
        if part(a) != part(b):
            continue
        findings.checked("focus_order")
        ax, ay, aw, ah = window_rect(a)
        bx, by, bw, bh = window_rect(b)
        # One line: their heights overlap by at least half the shorter one (tiles of one grid
        # row may differ in height and so in where their tops are).
        overlap = min(ay + ah, by + bh) - max(ay, by)
        if overlap >= 0.5 * min(ah, bh):
            backwards = (bx + bw > ax + aw + 1) if rtl else (bx < ax - 1)
            if backwards:
                fail(f"{a.kiosk_id} > {b.kiosk_id}", "focus_order", "on one line, focus goes "
                     f"{'left to right' if rtl else 'right to left'} against the reading "
                     "direction", None, "right to left" if rtl else "left to right")
        elif by + bh / 2 > ay + ah / 2:
            up = _mm((by + bh / 2) - (ay + ah / 2), px_per_mm)
            fail(f"{a.kiosk_id} > {b.kiosk_id}", "focus_order", f"focus goes back up the "
                 f"screen by {up:.0f} mm", round(up), 0)
