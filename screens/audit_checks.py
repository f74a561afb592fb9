"""The accessibility audit's checks on one laid-out screen, one function per check, named after
it (``check_text_contrast`` is the ``text_contrast`` check), run in order by ``audit_screen``.
Each measures what was actually built and drawn (screens/audit_measure.py says how) against
docs/ACCESSIBILITY.md's numbers. screens/audit.py opens the screens; this module only checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.scatter import Scatter
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout

from kiosk.units import FOCUS_RING_MM, GAP_MM, MIN_CAP_HEIGHT_MM, TARGET_MM
from screens.audit_measure import (
    ARABIC_LETTER,
    EVERYWHERE,
    LATIN_WORD,
    RGB,
    Band,
    Box,
    ancestors,
    blend,
    button_colours,
    cap_height_px,
    clip_box,
    contrast,
    drawn_after,
    drawn_behind,
    fonts_of,
    hex_of,
    lines_height,
    painted,
    picture_alternatives,
    picture_name,
    pictures_in,
    ring_bands,
    ring_outside,
    ring_too_thin,
    text_colour,
    window_box,
)
from screens.overlays import Overlay
from screens.themes import NON_TEXT_MIN, TEXT_MIN
from screens.walk import scroll_views_of, visible_rect, window_rect
from screens.widgets.button import KButton
from screens.widgets.easyread import Pictogram
from screens.widgets.pictures import Picture
from screens.widgets.text import KText

NAV_IDS = ("nav.home", "nav.back", "nav.lang", "nav.text_size", "nav.contrast", "nav.speak",
           "nav.help")

# name -> (the requirement's item(s) in docs/ACCESSIBILITY.md, what is required)
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
    "nav_bar": ("20", "the bar with all seven nav ids on every screen; on an overlay a screen "
                      "opens (audited alone), a Close control back to it"),
    "focus_reaches": ("18, 21", "the keypad's focus order reaches every control"),
    "focus_order": ("21", "focus order follows reading order (right to left in Arabic)"),
    "focus_trap": ("21", "Down through the whole order comes back to the first control"),
    "kiosk_id": ("CONTRACT", "every control has a kiosk_id, unique on its screen"),
    "labels": ("24", "every control has a label in Arabic and in English"),
    "pictogram_label": ("24", "every pictogram sits in a control beside its text label in "
                              "the screen's language, shown, never alone"),
    "pictogram_contrast": ("1", f"every pictogram (on controls and beside Easy Read sentences) "
                                f"and every list or content picture's frame at least {NON_TEXT_MIN:g}:1 "
                                "against what it is drawn on"),
    "motion": ("2.3.1", "nothing on a screen changes by itself more than three times a "
                        "second (the idle screen's loop, sampled frame by frame over three of "
                        "its items)"),
    "build": ("-", "the screen opens with its sample parameters"),
}



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
    easy_read: bool = False

    @property
    def where(self) -> str:
        return (f"{self.screen}/{self.lang}/{self.theme}/x{self.scale:g}"
                + ("/reach" if self.reach else "") + ("/speech" if self.speech else "")
                + ("/easy_read" if self.easy_read else ""))

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
    easy_read: bool = False  # Easy Read on: the reading screens show sentences and pictograms


class Findings:
    """What one audit run found, with how many times each check was applied."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.counts: dict[str, int] = dict.fromkeys(CHECKS, 0)
        self.widgets = 0

    def checked(self, check: str, n: int = 1) -> None:
        self.counts[check] = self.counts.get(check, 0) + n


@dataclass
class Scene:
    """One laid-out screen as every check sees it, and where the checks say what fails."""

    root: Any
    combo: Combo
    px_per_mm: float
    findings: Findings
    widgets: list  # the screen's walk(): Kivy's drawing order
    buttons: list[KButton]
    texts: list[KText]
    # Where every scroll area is as the screen opened (the focus checks scroll them).
    opened: list[tuple[ScrollView, float, float]]
    fills: list[tuple[int, Box]]  # opaque fills in drawing order, for what covers a ring
    focus_order: list[KButton] | None = None
    reach_top: float | None = None
    move_focus: Callable[[int], KButton | None] | None = None
    focus_on: Callable[[KButton], Any] | None = None
    # Focus rings a scroll area cuts off, looked at again once the app has focused them.
    second_look: list[tuple[KButton, tuple[str, float]]] = field(default_factory=list)

    @classmethod
    def of(cls, root, combo: Combo, px_per_mm: float, findings: Findings,
           **app: Any) -> Scene:
        widgets = list(root.walk(restrict=True))
        buttons = [w for w in widgets if isinstance(w, KButton) and w.opacity > 0]
        return cls(
            root=root, combo=combo, px_per_mm=px_per_mm, findings=findings, widgets=widgets,
            buttons=buttons,
            texts=[w for w in widgets if isinstance(w, KText) and w.logical and w.opacity > 0],
            opened=[(sv, sv.scroll_x, sv.scroll_y) for sv in widgets
                    if isinstance(sv, ScrollView)],
            fills=painted(widgets) if buttons else [], **app)

    def fail(self, widget: str, check: str, message: str, measured: Any = None,
             required: Any = None) -> None:
        c = self.combo
        self.findings.failures.append(Failure(c.screen, c.lang, c.theme, c.scale, c.reach,
                                              widget, check, message, measured, required,
                                              c.speech, c.easy_read))

    def checked(self, check: str) -> None:
        self.findings.checked(check)

    def mm(self, px: float) -> float:
        return px / self.px_per_mm

    def name(self, w) -> str:
        """How a failure names the widget: a control's kiosk_id, a label's control, a text's
        first words."""
        if isinstance(w, KButton):
            return w.kiosk_id or "(button without id)"
        owner = next((p for p in ancestors(w)[::-1] if isinstance(p, KButton)), None)
        if owner is not None:
            return f"{owner.kiosk_id or '(button)'}:label"
        words = " ".join(w.logical.split())
        return f"text {words[:40]!r}" if isinstance(w, KText) else type(w).__name__


def audit_screen(root, combo: Combo, px_per_mm: float, findings: Findings,
                 focus_order: list[KButton] | None = None, reach_top: float | None = None,
                 move_focus: Callable[[int], KButton | None] | None = None,
                 focus_on: Callable[[KButton], Any] | None = None) -> None:
    """Every check on the laid-out widget tree under ``root`` (a screen, or any hand-built
    widget). ``focus_order`` is the keypad's order (None: focus checks skipped); ``reach_top``
    the highest a control may reach in reach mode, in px from the bottom; ``move_focus`` the
    app's keypad focus step, for the trap check, and ``focus_on`` the app's way of giving one
    control the keypad focus (scrolling it into view), for a focus ring a scroll area cuts
    off (both run last: they scroll)."""
    s = Scene.of(root, combo, px_per_mm, findings, focus_order=focus_order,
                 reach_top=reach_top, move_focus=move_focus, focus_on=focus_on)
    findings.widgets += len(s.widgets)
    check_text_contrast(s)
    check_pictogram_contrast(s)
    for b in s.buttons:  # one control's colours and ring together
        behind = drawn_behind(b)
        fill, edge = button_colours(b)
        check_non_text_contrast(s, b, behind, fill, edge)
        bands = check_focus_ring(s, b, behind, fill)
        if bands:
            check_focus_ring_thickness(s, b, bands)
    check_cap_height(s)
    check_text_clipped(s)
    check_overlap(s)
    check_outside_window(s)
    check_picture_alt(s)
    check_state_written(s)
    check_target_size(s)
    check_target_gap(s)
    for b in s.buttons:
        check_kiosk_id(s, b)
        check_labels(s, b)
        check_pictogram(s, b)
    check_kiosk_id_unique(s)
    check_nav_bar(s)
    check_reach(s)
    check_focus_reaches(s)
    check_focus_order(s)
    check_focus_trap(s)
    check_focus_ring_in_view(s)
    check_motion(s)


def check_motion(s: Scene) -> None:
    """motion (2.3.1): a screen that changes by itself (``changes_per_second``: the idle
    screen's loop) does so at most three times a second."""
    measure = getattr(s.root, "changes_per_second", None)
    if measure is None:
        return
    s.checked("motion")
    rate = measure()
    if rate > 3:
        s.fail(s.name(s.root) if not hasattr(s.root, "screen_name") else s.root.screen_name,
               "motion", f"changes by itself {rate:g} times in one second", rate, 3)


# -- colour (1, 7) -------------------------------------------------------------------------------

def check_text_contrast(s: Scene) -> None:
    """text_contrast (1): every text against the colour drawn behind it."""
    for t in s.texts:
        fg = text_colour(t)
        if fg is None:
            continue
        bg = drawn_behind(t)
        fg_rgb = blend(fg, bg)
        ratio = contrast(fg_rgb, bg)
        s.checked("text_contrast")
        if ratio < TEXT_MIN - 0.005:
            s.fail(s.name(t), "text_contrast", f"text {hex_of(fg_rgb)} on {hex_of(bg)} is "
                   f"{ratio:.2f}:1, needs {TEXT_MIN:g}:1", round(ratio, 2), TEXT_MIN)


def check_pictogram_contrast(s: Scene) -> None:
    """pictogram_contrast (1): an Easy Read pictogram, in the colour its canvas tints it,
    against what is drawn behind it (it carries its sentence's idea: 1.4.11's 3:1)."""
    for w in s.widgets:
        if not isinstance(w, Pictogram) or w.texture is None or w.opacity <= 0:
            continue
        fg = text_colour(w)  # the Color its canvas draws the white pictogram through
        s.checked("pictogram_contrast")
        if fg is None:
            s.fail(f"pictogram {w.icon}", "pictogram_contrast", "drawn without a colour",
                   None, NON_TEXT_MIN)
            continue
        bg = drawn_behind(w)
        ratio = contrast(blend(fg, bg), bg)
        if ratio < NON_TEXT_MIN - 0.005:
            s.fail(f"pictogram {w.icon}", "pictogram_contrast",
                   f"pictogram {hex_of(blend(fg, bg))} on {hex_of(bg)} is {ratio:.2f}:1, "
                   f"needs {NON_TEXT_MIN:g}:1", round(ratio, 2), NON_TEXT_MIN)
    # A content picture drawn with a frame (the product's gallery): the frame, whatever the
    # picture's own edges are, shows where it ends against the screen.
    for w in s.widgets:
        if not isinstance(w, Picture) or not w.fg or not w.loaded or w.opacity <= 0:
            continue
        s.checked("pictogram_contrast")
        frame, bg = w.frame_colour, drawn_behind(w)
        ratio = contrast(blend(frame, bg), bg)
        if ratio < NON_TEXT_MIN - 0.005:
            s.fail(f"picture frame {Path(w.path).name[:12]}", "pictogram_contrast",
                   f"the picture's frame {hex_of(blend(frame, bg))} on {hex_of(bg)} is "
                   f"{ratio:.2f}:1, needs {NON_TEXT_MIN:g}:1", round(ratio, 2), NON_TEXT_MIN)


def check_non_text_contrast(s: Scene, b: KButton, behind: RGB, fill: RGB | None,
                            edge: RGB | None) -> None:
    """non_text_contrast (1): a control's edge or fill against what is drawn behind it."""
    ratios = [contrast(c, behind) for c in (fill, edge) if c is not None]
    s.checked("non_text_contrast")
    best = max(ratios or [1.0])
    if best < NON_TEXT_MIN - 0.005:
        s.fail(s.name(b), "non_text_contrast",
               f"edge {hex_of(edge) if edge else 'none'} and fill "
               f"{hex_of(fill) if fill else 'none'} against {hex_of(behind)}: best "
               f"{best:.2f}:1, needs {NON_TEXT_MIN:g}:1", round(best, 2), NON_TEXT_MIN)


def check_focus_ring(s: Scene, b: KButton, behind: RGB, fill: RGB | None) -> list[Band]:
    """focus_ring (7): a ring is drawn when the control has the keypad's focus, its outer band
    against what is drawn behind it (where it is drawn), its inner band against the control's
    fill. Returns the ring's bands (none: no ring, and nothing more to measure)."""
    was = b.focused
    b.focused = False
    b.focused = True
    bands = ring_bands(b)
    b.focused = False  # draws its canvas.after again (ring_bands borrowed the lines)
    b.focused = was
    s.checked("focus_ring")
    if not bands:
        s.fail(s.name(b), "focus_ring", "no focus ring is drawn when it has the keypad's focus",
               0, NON_TEXT_MIN)
        return []
    box = window_box(b)
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
        s.fail(s.name(b), "focus_ring", f"focus ring {hex_of(ring.rgb)} on {hex_of(outer_on)} "
               f"is {outer:.2f}:1, {against} is {inner:.2f}:1; needs {NON_TEXT_MIN:g}:1",
               round(min(outer, inner), 2), NON_TEXT_MIN)
    return bands


def check_focus_ring_thickness(s: Scene, b: KButton, bands: list[Band]) -> None:
    """focus_ring_thickness (7): the ring at least FOCUS_RING_MM thick outside the control on
    every side a visitor can see. A ring drawn thick enough that a scroll area cuts off is
    looked at again at the end (``check_focus_ring_in_view``)."""
    s.checked("focus_ring_thickness")
    ring, box = bands[0], window_box(b)
    thin = ring_too_thin(bands, ring_outside(ring, box, clip_box(b),
                                             drawn_after(s.widgets, s.fills, b)), s.px_per_mm)
    if thin is not None and s.focus_on is not None and scroll_views_of(b) and \
            ring_too_thin(bands, ring_outside(ring, box, EVERYWHERE), s.px_per_mm) is None:
        # Drawn thick enough, but cut off in a scroll area: look again once the app has
        # given the control the focus and scrolled (at the end: that scrolls).
        s.second_look.append((b, thin))
    elif thin is not None:
        s.fail(s.name(b), "focus_ring_thickness", f"the focus ring {thin[0]}; needs "
               f"{FOCUS_RING_MM:g} mm", round(thin[1], 2), FOCUS_RING_MM)


def check_focus_ring_in_view(s: Scene) -> None:
    """focus_ring_thickness (7), second look: the ring of a control a scroll area cuts off,
    measured as the visitor sees it: on the screen as it opened, the app's own keypad focus
    moves to the control (scrolling it into view as the app does). The scroll areas go back
    to where they were when the screen opened."""
    for b, thin in s.second_look:
        _ring_in_view(s, b, thin)


def _scroll_back(opened: list) -> None:
    for sv, x, y in opened:
        sv.scroll_x, sv.scroll_y = x, y
        sv.update_from_scroll()  # Kivy moves the content on the next frame; now, here


def _ring_in_view(s: Scene, b: KButton, thin: tuple[str, float]) -> None:
    # ``thin``: what was found with the screen as it opened.
    label = s.name(b)
    _scroll_back(s.opened)
    if s.focus_on(b) is None:  # the keypad can not reach it (focus_reaches says so)
        s.fail(label, "focus_ring_thickness", f"the focus ring {thin[0]}; needs "
               f"{FOCUS_RING_MM:g} mm", round(thin[1], 2), FOCUS_RING_MM)
        return
    for sv in scroll_views_of(b):
        sv.update_from_scroll()
    b.focused = True
    bands = ring_bands(b)
    b.focused = False  # draws its canvas.after again (ring_bands borrowed the lines)
    shows = ring_outside(bands[0], window_box(b), clip_box(b),
                         drawn_after(s.widgets, painted(s.widgets), b)) if bands else {}
    _scroll_back(s.opened)
    if not bands:
        return
    thin = ring_too_thin(bands, shows, s.px_per_mm)
    if thin is not None:
        s.fail(label, "focus_ring_thickness", f"the focus ring {thin[0]}, with the app's own "
               f"focus on it on the screen as it opened; needs {FOCUS_RING_MM:g} mm",
               round(thin[1], 2), FOCUS_RING_MM)


# -- size of text (3) ----------------------------------------------------------------------------

def check_cap_height(s: Scene) -> None:
    """cap_height (3): at text scale 1, the capital height of every font a text drew a run in,
    from the rendered glyphs."""
    if s.combo.scale != 1.0:
        return
    for t in s.texts:
        for font in sorted(fonts_of(t)):
            cap = s.mm(cap_height_px(font, t.font_size))
            s.checked("cap_height")
            if cap < MIN_CAP_HEIGHT_MM - 0.005:
                s.fail(s.name(t), "cap_height", f"capital height {cap:.2f} mm in "
                       f"{font.rsplit('/', 1)[-1]} at {t.font_size} px, needs "
                       f"{MIN_CAP_HEIGHT_MM:g} mm", round(cap, 2), MIN_CAP_HEIGHT_MM)


# -- clipping, overlap, the window (4) -----------------------------------------------------------

def check_text_clipped(s: Scene) -> None:
    """text_clipped (4): every text line inside its widget, every text and control inside its
    parent."""
    for t in s.texts:
        s.checked("text_clipped")
        widest = max(list(t.line_widths) or [0])
        if widest > t.width + 0.5:
            s.fail(s.name(t), "text_clipped", f"a line is {widest:.0f} px wide in a "
                   f"{t.width:.0f} px wide text", round(widest, 1), round(t.width, 1))
        lines_h = lines_height(t)
        if lines_h > t.height + 0.5:
            s.fail(s.name(t), "text_clipped", f"its lines need {lines_h:.0f} px but it is "
                   f"{t.height:.0f} px tall", round(lines_h, 1), round(t.height, 1))
    for w in s.texts + s.buttons:
        parent = w.parent
        if parent is None or isinstance(parent, ScrollView) or parent is s.root:
            continue
        s.checked("text_clipped")
        ax, ay, aw, ah = window_rect(w)
        px, py, pw, ph = window_rect(parent) if not isinstance(
            parent, RelativeLayout | Scatter) else (*parent.to_window(0, 0, initial=False),
                                                    parent.width, parent.height)
        over = max(px - ax, py - ay, (ax + aw) - (px + pw), (ay + ah) - (py + ph))
        if over > 1.0:
            s.fail(s.name(w), "text_clipped", f"sticks out of its {type(parent).__name__} by "
                   f"{s.mm(over):.1f} mm", round(s.mm(over), 1), 0)


def check_overlap(s: Scene) -> None:
    """overlap (4): no two widgets side by side in a box, grid or stack layout overlap."""
    for layout in s.widgets:
        if not isinstance(layout, BoxLayout | GridLayout | StackLayout):
            continue
        kids = [c for c in layout.children if c.width > 0.5 and c.height > 0.5
                and c.opacity > 0]
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                s.checked("overlap")
                ox = min(a.right, b.right) - max(a.x, b.x)
                oy = min(a.top, b.top) - max(a.y, b.y)
                if ox > 1.0 and oy > 1.0:
                    s.fail(f"{s.name(a)} / {s.name(b)}", "overlap",
                           f"overlap by {s.mm(ox):.1f} x {s.mm(oy):.1f} mm",
                           round(s.mm(min(ox, oy)), 1), 0)


def check_outside_window(s: Scene) -> None:
    """outside_window (4): nothing outside the window, or outside its scroll area across the
    scroll direction."""
    win_w, win_h = float(Window.width), float(Window.height)
    for w in s.texts + s.buttons:
        s.checked("outside_window")
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
            s.fail(s.name(w), "outside_window", f"{s.mm(out):.1f} mm of it is outside "
                   f"the {'scroll area' if views else 'window'} and can not be seen",
                   round(s.mm(out), 1), 0)


# -- pictures (6), state (5) ---------------------------------------------------------------------

def check_picture_alt(s: Scene) -> None:
    """picture_alt (6): every picture a visitor sees has a text alternative in the screen's
    language beside it."""
    pictures = pictures_in(s.widgets)
    alts = picture_alternatives(pictures, s.root, s.combo.lang)
    for i, (p, (alt, why)) in enumerate(zip(pictures, alts, strict=True), 1):
        s.checked("picture_alt")
        if alt is None:
            s.fail(picture_name(p, i, len(pictures)), "picture_alt",
                   f"no text alternative in {'Arabic' if s.combo.lang == 'ar' else 'English'} "
                   f"beside it: {why}", None, "a text in the screen's language next to it")


def check_state_written(s: Scene) -> None:
    """state_written (5): a selected control writes its state out in both languages, so colour
    is not the only cue."""
    for b in s.buttons:
        if b.selected:
            s.checked("state_written")
            missing = [lang for lang in ("ar", "en") if not (b.state_text or {}).get(lang)]
            if missing:
                s.fail(s.name(b), "state_written", "selected, but its state is not written "
                       f"out in {' or '.join(missing)}", None, "state_text in ar and en")


# -- targets (8) ---------------------------------------------------------------------------------

def check_target_size(s: Scene) -> None:
    """target_size (8): every control at least TARGET_MM x TARGET_MM."""
    for b in s.buttons:
        s.checked("target_size")
        wmm, hmm = s.mm(b.width), s.mm(b.height)
        if wmm < TARGET_MM - 0.01 or hmm < TARGET_MM - 0.01:
            s.fail(s.name(b), "target_size", f"{wmm:.1f} x {hmm:.1f} mm, needs at least "
                   f"{TARGET_MM:g} x {TARGET_MM:g} mm", [round(wmm, 1), round(hmm, 1)],
                   TARGET_MM)


def check_target_gap(s: Scene) -> None:
    """target_gap (8): every two controls at least GAP_MM apart; controls in different scroll
    areas are compared on what of them is visible."""
    rects = []
    for b in s.buttons:
        views = tuple(id(v) for v in scroll_views_of(b))
        rects.append((b, views, window_rect(b), visible_rect(b)))
    for i, (a, va, ra, vis_a) in enumerate(rects):
        for b, vb, rb, vis_b in rects[i + 1:]:
            if va != vb:  # different scroll areas: only what both show can be too close
                if vis_a is None or vis_b is None:
                    continue
                ra, rb = vis_a, vis_b
            s.checked("target_gap")
            dx = max(0.0, rb[0] - (ra[0] + ra[2]), ra[0] - (rb[0] + rb[2]))
            dy = max(0.0, rb[1] - (ra[1] + ra[3]), ra[1] - (rb[1] + rb[3]))
            apart = s.mm(max(dx, dy))
            if apart < GAP_MM - 0.01:
                s.fail(f"{s.name(a)} / {s.name(b)}", "target_gap", f"{apart:.1f} mm apart, "
                       f"needs {GAP_MM:g} mm", round(apart, 1), GAP_MM)


# -- identity and labels (CONTRACT, 24) ----------------------------------------------------------

def check_kiosk_id(s: Scene, b: KButton) -> None:
    """kiosk_id (CONTRACT): every control has a kiosk_id (``check_kiosk_id_unique``: unique on
    its screen)."""
    s.checked("kiosk_id")
    if not b.kiosk_id:
        s.fail(s.name(b), "kiosk_id", f"a control labelled {b.label.get('en', '')!r} has no "
               "kiosk_id", None, "kiosk_id")


def check_kiosk_id_unique(s: Scene) -> None:
    """kiosk_id (CONTRACT): no two controls on a screen share a kiosk_id."""
    seen = Counter(b.kiosk_id for b in s.buttons if b.kiosk_id)
    for kid, n in seen.items():
        if n > 1:
            s.fail(kid, "kiosk_id", f"{n} controls share this kiosk_id", n, 1)


def check_labels(s: Scene, b: KButton) -> None:
    """labels (24): a label in Arabic and in English; an Arabic label that is only the English
    words is untranslated, unless the control is deliberately in one language."""
    s.checked("labels")
    for lang, lang_name in (("ar", "Arabic"), ("en", "English")):
        if not (b.label or {}).get(lang, "").strip():
            s.fail(s.name(b), "labels", f"no {lang_name} label", None, f"label[{lang!r}]")
    ar, en = (b.label or {}).get("ar", ""), (b.label or {}).get("en", "")
    if ar and ar == en and not b.lang and LATIN_WORD.search(ar) and \
            not ARABIC_LETTER.search(ar):
        s.fail(s.name(b), "labels", f"its Arabic label is the English text {ar!r} (not "
               "translated)", ar, "an Arabic label")


def check_pictogram(s: Scene, b: KButton) -> None:
    """pictogram_label (24) and pictogram_contrast (1): a pictogram has its text label beside
    it, and it (like a list picture's frame) is drawn at 3:1 or more against the fill."""
    fill, _edge = button_colours(b)
    fill = fill or drawn_behind(b)
    marks = [(b.icon, "pictogram", getattr(b.icon, "colour", None))] if b.icon else []
    if b.picture is not None and hasattr(b.picture, "frame_colour"):
        marks.append((b.picture, "picture frame", b.picture.frame_colour))
    for _w, what, colour in marks:
        if what == "pictogram":
            s.checked("pictogram_label")
            text = b._text
            if not (b.label or {}).get(s.combo.lang, "").strip() or text is None or \
                    text.opacity <= 0 or text.height < 1:
                s.fail(s.name(b), "pictogram_label", "a pictogram without its text label",
                       None, "a label in the screen's language beside it")
            # Drawn inside its own control: a pictogram left outside (or half outside) the
            # button reads as belonging to its neighbour.
            w = _w
            if w.x < b.x - 0.5 or w.y < b.y - 0.5 or w.x + w.width > b.x + b.width + 0.5 or \
                    w.y + w.height > b.y + b.height + 0.5:
                s.fail(s.name(b), "pictogram_label", "its pictogram is drawn outside the "
                       f"control (at {w.x:.0f},{w.y:.0f} {w.width:.0f}x{w.height:.0f}; the "
                       f"control {b.x:.0f},{b.y:.0f} {b.width:.0f}x{b.height:.0f})", None,
                       "the pictogram inside its control, beside its label")
        s.checked("pictogram_contrast")
        ratio = contrast(blend(colour, fill), fill)
        if ratio < NON_TEXT_MIN - 0.005:
            s.fail(s.name(b), "pictogram_contrast", f"its {what} {hex_of(blend(colour, fill))} "
                   f"on {hex_of(fill)} is {ratio:.2f}:1", round(ratio, 2), NON_TEXT_MIN)


# -- the bar (20), reach mode (10) ---------------------------------------------------------------

def check_nav_bar(s: Scene) -> None:
    """nav_bar (20): the bar with all seven nav ids; on an overlay audited alone (it covers
    the bar while it is open), a Close control (``<kind>.close``) that returns to it."""
    s.checked("nav_bar")
    if isinstance(s.root, Overlay):
        if not any(b.kiosk_id.endswith(".close") for b in s.buttons):
            s.fail("overlay", "nav_bar", f"the {s.root.kind} overlay has no Close control "
                   "back to the screen and its bar", sorted(b.kiosk_id for b in s.buttons),
                   ["<kind>.close"])
        return
    ids = {b.kiosk_id for b in s.buttons}
    missing_nav = [i for i in NAV_IDS if i not in ids]
    if missing_nav:
        s.fail("nav", "nav_bar", f"the bar lacks {', '.join(missing_nav)}", sorted(ids & set(
            NAV_IDS)), list(NAV_IDS))


def check_reach(s: Scene) -> None:
    """reach (10): in reach mode every visible control's top within ``reach_top``."""
    if not s.combo.reach or s.reach_top is None:
        return
    for b in s.buttons:
        vis = visible_rect(b)
        if vis is None:
            continue
        s.checked("reach")
        top = vis[1] + vis[3]
        if top > s.reach_top + 0.5:
            s.fail(s.name(b), "reach", f"its top is {s.mm(top):.0f} mm above the "
                   f"screen's bottom edge; reach mode allows "
                   f"{s.mm(s.reach_top):.0f} mm", round(s.mm(top)),
                   round(s.mm(s.reach_top)))


# -- keypad focus (18, 21) -----------------------------------------------------------------------

def check_focus_reaches(s: Scene) -> None:
    """focus_reaches (18, 21): the keypad's focus order reaches every control, disabled ones
    too (they are spoken as unavailable)."""
    if s.focus_order is None:
        return
    in_order = {id(b) for b in s.focus_order}
    for b in s.buttons:
        s.checked("focus_reaches")
        if id(b) not in in_order:
            s.fail(s.name(b), "focus_reaches", "the keypad's focus never reaches it", None,
                   "in the focus order")


def check_focus_order(s: Scene) -> None:
    """focus_order (21): each next control is on the same line further along the reading
    direction (right to left in Arabic), or on a lower line; the bar after the content starts
    again at its own top."""
    if s.focus_order is None:
        return
    rtl = s.combo.lang == "ar"

    def part(b) -> str:
        # The bar, the scroll area's page buttons and the content each read in order; content
        # scrolled out of view has no place among the page buttons to compare with.
        if b.kiosk_id.startswith("nav."):
            return "bar"
        return "page" if b.kiosk_id.startswith("scroll.") else "content"
    order = s.focus_order
    for a, b in zip(order, order[1:], strict=False):
        if part(a) != part(b):
            continue
        s.checked("focus_order")
        ax, ay, aw, ah = window_rect(a)
        bx, by, bw, bh = window_rect(b)
        # One line: their heights overlap by at least half the shorter one (tiles of one grid
        # row may differ in height and so in where their tops are).
        overlap = min(ay + ah, by + bh) - max(ay, by)
        if overlap >= 0.5 * min(ah, bh):
            backwards = (bx + bw > ax + aw + 1) if rtl else (bx < ax - 1)
            if backwards:
                s.fail(f"{a.kiosk_id} > {b.kiosk_id}", "focus_order", "on one line, focus "
                       f"goes {'left to right' if rtl else 'right to left'} against the "
                       "reading direction", None, "right to left" if rtl else "left to right")
        elif by + bh / 2 > ay + ah / 2:
            up = s.mm((by + bh / 2) - (ay + ah / 2))
            s.fail(f"{a.kiosk_id} > {b.kiosk_id}", "focus_order", f"focus goes back up the "
                   f"screen by {up:.0f} mm", round(up), 0)


def check_focus_trap(s: Scene) -> None:
    """focus_trap (21): Down through the whole order, with the app's own ``move_focus``,
    visits every control once and comes back to the first."""
    if s.focus_order is None or s.move_focus is None or not s.focus_order:
        return
    s.checked("focus_trap")
    order_ids = [b.kiosk_id for b in s.focus_order]
    visited = []
    for _ in range(len(s.focus_order) + 1):
        target_b = s.move_focus(1)
        visited.append(target_b.kiosk_id if target_b is not None else None)
    for b in s.focus_order:
        b.focused = False
    expected = order_ids + order_ids[:1]
    if visited != expected:
        s.fail("focus", "focus_trap", f"Down went {' > '.join(map(str, visited[:12]))}, "
               f"expected {' > '.join(expected[:12])}", visited, expected)
