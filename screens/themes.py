"""The three colour themes as data, with the contrast-ratio check that keeps every text at 7:1
and the focus ring and meaningful borders at 3:1 (ACCESSIBILITY 1, 2, 7). No Kivy here."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    h = colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(colour: str) -> float:
    r, g, b = (_channel(c) for c in hex_to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio between two sRGB colours, 1.0 to 21.0."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@lru_cache(maxsize=256)
def rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """Kivy's colour form."""
    return (*hex_to_rgb(colour), alpha)


@dataclass(frozen=True)
class Theme:
    name: str
    bg: str  # screen background
    text: str  # body text on bg
    bar_bg: str  # the navigation bar and the title band
    bar_text: str
    button_bg: str  # buttons, tiles, list items
    button_text: str
    button_border: str  # meaningful edge of a button against bg (non-text, 3:1)
    selected_bg: str  # a chosen option; the state is also written out, never colour alone
    selected_text: str
    banner_bg: str  # the quiet stale-content notice
    banner_text: str
    panel_bg: str  # the idle warning and other overlays
    panel_text: str
    # The focus ring has two bands so it stands out on any surface: the outer band against the
    # screen, bar or panel behind the widget, the inner band against the widget's own fill.
    focus: str
    focus_inner: str

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """(what, foreground, background) for every text the UI draws."""
        return [
            ("text on bg", self.text, self.bg),
            ("bar text", self.bar_text, self.bar_bg),
            ("button text", self.button_text, self.button_bg),
            ("selected text", self.selected_text, self.selected_bg),
            ("banner text", self.banner_text, self.banner_bg),
            ("panel text", self.panel_text, self.panel_bg),
        ]

    def non_text_pairs(self) -> list[tuple[str, str, str]]:
        """(what, colour, neighbour) for the focus ring and edges that carry meaning."""
        pairs = [("button border on bg", self.button_border, self.bg),
                 ("button border on bar", self.button_border, self.bar_bg),
                 ("button border on panel", self.button_border, self.panel_bg)]
        for surface in ("bg", "bar_bg", "panel_bg", "banner_bg"):
            pairs.append((f"focus ring on {surface}", self.focus, getattr(self, surface)))
        for surface in ("button_bg", "selected_bg"):
            pairs.append((f"focus ring inner band on {surface}", self.focus_inner,
                          getattr(self, surface)))
        return pairs

    def colours(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


STANDARD = Theme(
    name="standard",
    bg="#F7F5F0", text="#1A1A1A",
    bar_bg="#E4DED2", bar_text="#1A1A1A",
    button_bg="#0B3954", button_text="#FFFFFF", button_border="#0B3954",
    selected_bg="#7A1F1F", selected_text="#FFFFFF",
    banner_bg="#FFF0C2", banner_text="#1A1A1A",
    panel_bg="#FFFFFF", panel_text="#1A1A1A",
    focus="#D14600", focus_inner="#FFFFFF",
)

# Light on dark: white and yellow on black, the usual high-contrast kiosk scheme.
HIGH_CONTRAST = Theme(
    name="high_contrast",
    bg="#000000", text="#FFFFFF",
    bar_bg="#000000", bar_text="#FFFFFF",
    button_bg="#000000", button_text="#FFFF00", button_border="#FFFF00",
    selected_bg="#FFFF00", selected_text="#000000",
    banner_bg="#1A1A1A", banner_text="#FFFFFF",
    panel_bg="#000000", panel_text="#FFFFFF",
    focus="#00E5FF", focus_inner="#1E66D0",
)

# High contrast turned over: black on white, for visitors who find light text on black glaring.
INVERTED = Theme(
    name="inverted",
    bg="#FFFFFF", text="#000000",
    bar_bg="#FFFFFF", bar_text="#000000",
    button_bg="#FFFFFF", button_text="#000000", button_border="#000000",
    selected_bg="#000000", selected_text="#FFFFFF",
    banner_bg="#F0F0F0", banner_text="#000000",
    panel_bg="#FFFFFF", panel_text="#000000",
    focus="#1E66D0", focus_inner="#1E66D0",
)

THEMES: dict[str, Theme] = {t.name: t for t in (STANDARD, HIGH_CONTRAST, INVERTED)}

TEXT_MIN = 7.0
NON_TEXT_MIN = 3.0


def theme(name: str) -> Theme:
    return THEMES.get(name, STANDARD)


def contrast_failures(t: Theme) -> list[str]:
    """Human-readable failures; empty when the theme passes."""
    out = []
    for what, fg, bg in t.text_pairs():
        r = contrast_ratio(fg, bg)
        if r < TEXT_MIN:
            out.append(f"{t.name}: {what} {fg} on {bg} is {r:.2f}:1, needs {TEXT_MIN}:1")
    for what, fg, bg in t.non_text_pairs():
        r = contrast_ratio(fg, bg)
        if r < NON_TEXT_MIN:
            out.append(f"{t.name}: {what} {fg} next to {bg} is {r:.2f}:1, needs {NON_TEXT_MIN}:1")
    return out
