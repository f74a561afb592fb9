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
        # in order. And the rows share the screen's height between them: the tiles fill the
        # space above the bar at every text size (fill_rows), where they fit without
        # scrolling.
        order = list(reversed(tiles.children))
        cols = max(1, int(tiles.cols or 1))
        self._rows = [order[i:i + cols] for i in range(0, len(order), cols)]
        self._tiles = tiles
        for row_tiles in self._rows:
            for b in row_tiles:
                b.bind(natural_height=self._fill_rows)
        self._room = 0.0
        self._fill_rows()
        return tiles

    def refresh(self) -> None:
        super().refresh()
        if self.scroll is not None:
            self.scroll.bind(height=self._measure_room)
            self._measure_room()

    def _measure_room(self, *_a) -> None:
        """The height the tiles may take: the scrolling area's, less the padding around them
        (screens/base.py), so filling never makes the page scroll."""
        scroll = self.scroll
        if scroll is None or scroll.height <= 1:
            return
        u = ui().units
        room = scroll.height - 2 * u.mm(4) - 2
        if abs(room - self._room) >= 1:
            self._room = room
            self._fill_rows()

    def _fill_rows(self, *_a) -> None:
        u = ui().units
        least = u.mm(26)
        naturals = [max([least] + [b.natural_height for b in row]) for row in self._rows]
        heights = fill_heights(naturals, self._room - self._tiles.spacing[1] *
                               (len(self._rows) - 1))
        for row, h in zip(self._rows, heights, strict=True):
            for b in row:
                b.min_height = h


def fill_heights(naturals: list[float], room: float) -> list[float]:
    """Row heights that share ``room`` as evenly as the rows allow: a row taller than its share
    keeps its own height and the others share what is left; with no room to share (the rows
    already fill it, or it is not known yet), every row keeps its own."""
    heights = list(naturals)
    if room <= sum(naturals):
        return heights
    free = list(range(len(naturals)))
    left = room
    while free:
        share = left / len(free)
        tall = [i for i in free if naturals[i] > share]
        if not tall:
            for i in free:
                heights[i] = share
            break
        for i in tall:
            free.remove(i)
            left -= naturals[i]
    return heights
