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

from kiosk.units import GAP_MM, MIN_CAP_HEIGHT_MM, TARGET_MM
from screens.context import ARABIC_BOLD, ARABIC_FONT, LATIN_FONT
from screens.themes import NON_TEXT_MIN, TEXT_MIN
from screens.walk import scroll_views_of, visible_rect, window_rect
from screens.widgets.button import KButton
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
                        "its neighbour"),
    "cap_height": ("3", f"capital height at least {MIN_CAP_HEIGHT_MM:g} mm at text scale 1, "
                        "measured on the rendered glyphs of the fonts used"),
    "text_clipped": ("4", "every text line inside its widget, every text and control inside "
                          "its parent"),
    "overlap": ("4", "no two widgets side by side in a layout overlap"),
    "outside_window": ("4", "nothing outside the window unless inside a scroll area (and then "
                            "only in its scroll direction)"),
    "state_written": ("5", "a selected control writes its state out in both languages"),
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


def drawn_behind(w) -> RGB:
    """The colour actually drawn behind the centre of ``w``: the window's clear colour, then
    every ancestor's flat fills that cover that point, composed in drawing order."""
    x, y, wd, ht = window_rect(w)
    centre = (x + wd / 2, y + ht / 2)
    colour: RGB = tuple(Window.clearcolor[:3])  # type: ignore[assignment]
    for a in _ancestors(w):
        for rgba, rect in _fills(a, (a.canvas.before, a.canvas)):
            if _covers(rect, centre):
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


def ring_colours(b: KButton) -> list[RGB]:
    out = []
    colour = (1.0, 1.0, 1.0, 1.0)
    for instr in b.canvas.after.children:
        if isinstance(instr, Color):
            colour = tuple(instr.rgba)
        elif isinstance(instr, Line):
            out.append(colour[:3])
    return out


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
                 move_focus=None, scroll_root=None) -> None:
    """Every check on the laid-out widget tree under ``root`` (a screen, or any hand-built
    widget). ``focus_order`` is the keypad's order (None: focus checks skipped); ``reach_top``
    the highest a control may reach in reach mode, in px from the bottom; ``move_focus`` the
    app's keypad focus step, for the trap check (run last: it scrolls)."""
    def fail(widget: str, check: str, message: str, measured=None, required=None) -> None:
        findings.failures.append(Failure(combo.screen, combo.lang, combo.theme, combo.scale,
                                         combo.reach, widget, check, message, measured,
                                         required, combo.speech))

    widgets = list(root.walk(restrict=True))
    findings.widgets += len(widgets)
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
        b.focused = True
        bands = ring_colours(b)
        b.focused = was
        findings.checked("focus_ring")
        if not bands:
            fail(name(b), "focus_ring", "no focus ring is drawn when it has the keypad's focus",
                 0, NON_TEXT_MIN)
            continue
        outer = contrast(bands[0], behind)
        inner = contrast(bands[-1], fill or behind) if len(bands) > 1 else outer
        if min(outer, inner) < NON_TEXT_MIN - 0.005:
            fail(name(b), "focus_ring", f"focus ring {hex_of(bands[0])} on {hex_of(behind)} "
                 f"is {outer:.2f}:1, inner band {hex_of(bands[-1])} on "
                 f"{hex_of(fill or behind)} is {inner:.2f}:1; needs {NON_TEXT_MIN:g}:1",
                 round(min(outer, inner), 2), NON_TEXT_MIN)

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
    if focus_order is None:
        return
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
