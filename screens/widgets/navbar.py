"""The bar on every screen: home, back, language, text size, contrast, speak, help, and while
speech is on Pause / Resume beside Speak. Each button writes out its state (the current text
size, theme, speech on or off, paused)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import both
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import Filled

THEME_NAMES = {"standard": "Standard", "high_contrast": "High contrast", "inverted": "Inverted"}


def _scale_text(scale: float) -> dict[str, str]:
    return {"ar": f"{scale:g}×", "en": f"{scale:g}×"}


def nav_buttons(app: Any) -> list[KButton]:
    s = app.session
    lang_target = "en" if s.lang == "ar" else "ar"
    # Each with its pictogram (assets/pictograms) at the start side of its words; Back's
    # arrow points the way back, so it turns over in Arabic.
    return [
        KButton(kiosk_id="nav.home", label=both("Home"), pictogram="home", action=app.home),
        KButton(kiosk_id="nav.back", label=both("Back"), pictogram="back", mirror=True,
                action=app.back),
        # The language button names the other language in that language, so a visitor who
        # reads only that language can find it; its direction follows its own text.
        KButton(kiosk_id="nav.lang", label={"ar": "العربية", "en": "English"},
                lang=lang_target, pictogram="language", action=app.prefs.toggle_lang),
        KButton(kiosk_id="nav.text_size", label=both("Text size"), pictogram="text_size",
                state_text=_scale_text(s.text_scale), action=app.prefs.next_text_scale),
        KButton(kiosk_id="nav.contrast", label=both("Contrast"), pictogram="contrast",
                state_text=both(THEME_NAMES[s.theme]), action=app.prefs.next_theme),
        KButton(kiosk_id="nav.speak", label=both("Speak"),
                pictogram="speak" if s.speech else "speak_off",
                state_text=both("On" if s.speech else "Off"), selected=s.speech,
                action=app.prefs.toggle_speech),
        *([app.speech_control.make_button()] if s.speech else []),
        KButton(kiosk_id="nav.help", label=both("Help"), pictogram="help",
                action=app.overlays.show_help),
    ]


def bar_columns(width: float, buttons: list[KButton]) -> int:
    """All across when the labels fit on a line, else four or three rows' worth (eight
    buttons in rows of four fill the rows that seven leave ragged): the most columns at which
    a button is 45 mm wide at the visitor's text scale and every button's words and state
    each keep to one line. When three columns would break a label (the largest text,
    "Unavailable"), two; at the text scale the visitor chose, never smaller text."""
    u = ui().units

    def each(cols: int) -> float:
        return (width - 2 * u.gap - (cols - 1) * u.gap) / cols

    def fit(cols: int) -> bool:
        return all(b.words_fit(each(cols)) for b in buttons)

    for cols in (len(buttons), 4, 3):
        if width / cols >= u.mm(45) * ui().scale and fit(cols):
            return cols
    return 2 if fit(2) else 3


class NavBar(Filled):
    def __init__(self, app: Any, width: float, **kwargs):
        u = ui().units
        super().__init__(orientation="vertical", size_hint_y=None, padding=u.gap, **kwargs)
        self.fill = "bar_bg"
        self.buttons = nav_buttons(app)
        self._width = width
        self._regrid_soon = Clock.create_trigger(self._regrid)
        self.grid = GridLayout(cols=bar_columns(width, self.buttons), spacing=u.gap,
                               size_hint_y=None,
                               orientation="rl-tb" if ui().rtl else "lr-tb")
        self.grid.bind(minimum_height=self.grid.setter("height"))
        for b in self.buttons:
            self.grid.add_widget(b)
            b.bind(natural_height=self._even)
            # A control whose words change in place (Pause, Resume; unavailable without a
            # voice) may need the columns chosen again.
            b.bind(label=self._regrid_soon, state_text=self._regrid_soon,
                   disabled=self._regrid_soon, also_shows=self._regrid_soon)
        self.add_widget(self.grid)
        self.grid.bind(height=self._fit)
        self._even()
        self._fit()

    def _regrid(self, *_a) -> None:
        cols = bar_columns(self._width, self.buttons)
        if cols != self.grid.cols:
            self.grid.cols = cols
            self._even()

    def _even(self, *_a) -> None:
        # One height for every button in a row: a row of ragged buttons reads as a row of
        # unrelated things, and the tallest label in the row decides.
        cols = self.grid.cols
        for start in range(0, len(self.buttons), cols):
            row = self.buttons[start:start + cols]
            tallest = max(b.natural_height for b in row)
            for b in row:
                b.min_height = tallest

    def _fit(self, *_a) -> None:
        self.height = self.grid.height + 2 * ui().units.gap
