"""What every widget needs to draw itself for the current visitor: language, theme, text scale,
physical units and fonts. The app sets it; widgets read it when they are built (screens are
rebuilt when a setting changes, so nothing has to listen). No Kivy here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.i18n import _
from kiosk.units import Units
from screens.themes import STANDARD, Theme

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
LATIN_FONT = str(FONT_DIR / "NotoSans-Regular.ttf")
LATIN_BOLD = str(FONT_DIR / "NotoSans-Bold.ttf")
ARABIC_FONT = str(FONT_DIR / "NotoSansArabic-Regular.ttf")
ARABIC_BOLD = str(FONT_DIR / "NotoSansArabic-Bold.ttf")


@dataclass
class UIContext:
    lang: str = "en"
    theme: Theme = STANDARD
    scale: float = 1.0
    reach: bool = False
    easy_read: bool = False  # show content's Easy Read version where it has one
    units: Units = field(default_factory=Units)

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    def t(self, message: str) -> str:
        """A UI string (English msgid) in the visitor's language."""
        return _(message, self.lang)

    def font(self, role: str = "body") -> float:
        return self.units.font(role, self.scale)


_current = UIContext()


def ui() -> UIContext:
    return _current


def set_ui(ctx: UIContext) -> None:
    global _current
    _current = ctx
