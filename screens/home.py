"""The home screen: a large tile for every screen a visitor can open, each with its pictogram
(assets/pictograms, Lucide) above its name."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import columns_for, grid


class HomeScreen(KioskScreen):
    screen_name = "home"
    reads_content = False
    title = registry.TITLES["home"]
    summary = "Choose a tile. Every screen has Home, Back, Help and Speak at the bottom."

    def build_content(self) -> Widget:
        u = ui().units
        tiles = grid(columns_for(self.app.window_width() - u.mm(8), 55, (3, 2, 1)),
                     spacing=u.mm(4))
        # The pictogram above the name at text scale 1; at larger text, beside it (at the
        # start side), so the taller text does not push the last tiles off the screen.
        stack = ui().scale <= 1.0
        for name in registry.home_tiles():
            tile = KButton(kiosk_id=f"home.{name}",
                           label={lang: _(registry.title(name), lang) for lang in ("ar", "en")},
                           pictogram=name, stacked=stack,
                           action=lambda n=name: self.app.go(n))
            tile.min_height = u.mm(26)
            tiles.add_widget(tile)
        # Easy Read is a setting, not a screen: a tile that turns it on and off, its state
        # written on it like the settings' own buttons.
        easy = self.app.session.easy_read
        tile = KButton(kiosk_id="home.easy_read", label=both("Easy Read"),
                       pictogram="easy_read", stacked=stack,
                       state_text=both("On") if easy else both("Off"), selected=easy,
                       action=self.app.prefs.toggle_easy_read)
        tile.min_height = u.mm(26)
        tiles.add_widget(tile)
        # The tiles of a row as tall as the row's tallest: a one-line tile no longer sits
        # lower than its two-line neighbours, so the row reads (and the keypad's focus moves)
        # in order.
        order = list(reversed(tiles.children))
        cols = max(1, int(tiles.cols or 1))
        for start in range(0, len(order), cols):
            row_tiles = order[start:start + cols]

            def even(*_a, row_tiles=row_tiles) -> None:
                tallest = max([u.mm(26)] + [b.natural_height for b in row_tiles])
                for b in row_tiles:
                    b.min_height = tallest
            for b in row_tiles:
                b.bind(natural_height=even)
            even()
        return tiles
