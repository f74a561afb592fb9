"""Layout helpers that every screen shares: a flat background, rows mirrored for Arabic, grids
that fill right to left in Arabic, and a scroll area that also has its own page buttons, since
dragging is a path gesture some visitors can not make (ACCESSIBILITY 9)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.layout import Layout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.i18n import both
from screens.context import ui
from screens.themes import rgba
from screens.widgets.button import KButton


class Filled(BoxLayout):
    """A vertical box drawn on a flat theme colour."""

    fill = StringProperty("bg")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas.before:
            self._colour = Color(*rgba(getattr(ui().theme, self.fill)))
            self._rect = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._draw, size=self._draw, fill=self._recolour)

    def _draw(self, *_a) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def _recolour(self, *_a) -> None:
        self._colour.rgba = rgba(getattr(ui().theme, self.fill))


def settle_widths(widget: Widget) -> None:
    """Every container in ``widget`` places its children now, from the top down, at the size
    it has. A screen is built bottom up, each box at Kivy's default 100 px until its parent
    places it, and the boxes' own layout passes come in the order they were asked for, the
    innermost first: without this every text inside was wrapped (and its words broken
    letter by letter) at 68 px or less before its real width came. The passes still run
    afterwards, as before, and end where they always did; they now find the widths set."""
    if isinstance(widget, Layout):
        widget.do_layout()
    elif isinstance(widget, ScrollView):
        widget.update_from_scroll()
    for child in list(widget.children):
        settle_widths(child)


def column(*widgets: Widget, spacing: float | None = None, fill: str | None = None,
           padding: float = 0) -> BoxLayout:
    """A vertical stack whose height follows its content."""
    gap = ui().units.gap if spacing is None else spacing
    cls = Filled if fill else BoxLayout
    box = cls(orientation="vertical", size_hint_y=None, spacing=gap, padding=padding)
    if fill:
        box.fill = fill
    box.bind(minimum_height=box.setter("height"))
    for w in widgets:
        box.add_widget(w)
    return box


class Row(BoxLayout):
    """A horizontal row in reading order: right to left in Arabic. Its height is its tallest
    child's, so a child that wraps to more lines at text scale 2 grows the row."""

    def __init__(self, widgets: list[Widget], spacing: float | None = None, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(orientation="horizontal",
                         spacing=ui().units.gap if spacing is None else spacing, **kwargs)
        ordered = list(reversed(widgets)) if ui().rtl else list(widgets)
        for w in ordered:
            self.add_widget(w)
            w.bind(height=self._fit)
            if isinstance(w, KButton):
                w.bind(natural_height=self._even)
        self._even()
        self._fit()

    def _even(self, *_a) -> None:
        # Buttons side by side share one height: an Arabic label's taller line box must not
        # make its neighbour look like a smaller, lesser choice.
        buttons = [c for c in self.children if isinstance(c, KButton)]
        tallest = max([b.natural_height for b in buttons] or [0])
        for b in buttons:
            b.min_height = tallest

    def _fit(self, *_a) -> None:
        self.height = max([c.height for c in self.children] or [0])


def row(*widgets: Widget, spacing: float | None = None) -> Row:
    return Row(list(widgets), spacing=spacing)


class Grid(GridLayout):
    """A grid whose buttons share one height per row, as in ``Row``: a grid row of ragged
    tiles (a one-line label beside a two-line one) does not read as one line, to the eye or
    to the keypad's focus order, which follows where the tops are."""

    def add_widget(self, widget, *args, **kwargs):
        super().add_widget(widget, *args, **kwargs)
        if isinstance(widget, KButton):
            widget._grid_min = widget.min_height  # what the screen asked for, kept
            widget.bind(natural_height=self._even)
        self._even()

    def _even(self, *_a) -> None:
        cols = max(1, self.cols or 1)
        kids = list(reversed(self.children))  # in the order added: row by row
        for i in range(0, len(kids), cols):
            buttons = [k for k in kids[i:i + cols] if isinstance(k, KButton)]
            tallest = max([max(b.natural_height, getattr(b, "_grid_min", 0)) for b in buttons]
                          or [0])
            for b in buttons:
                b.min_height = tallest


def grid(cols: int, spacing: float | None = None) -> GridLayout:
    """A grid that fills in reading order (right to left in Arabic), height from content;
    buttons in one row share one height."""
    gap = ui().units.gap if spacing is None else spacing
    g = Grid(cols=max(1, cols), spacing=gap, size_hint_y=None,
             orientation="rl-tb" if ui().rtl else "lr-tb")
    g.bind(minimum_height=g.setter("height"))
    return g


def columns_for(width: float, min_mm: float, choices: tuple[int, ...] = (4, 3, 2, 1)) -> int:
    """The largest column count in ``choices`` whose cells are at least ``min_mm`` wide at the
    visitor's text scale."""
    u = ui().units
    for cols in choices:
        if width / cols >= u.mm(min_mm) * ui().scale:
            return cols
    return choices[-1]


SCROLL_BAR_MM = 4.0


def ring_room() -> float:
    """Space a control needs around it for its focus ring to show whole."""
    u = ui().units
    return u.focus_ring + u.mm(0.5)


class KScroll(BoxLayout):
    """Long content in a scroll view, with 'Scroll up' / 'Scroll down' buttons that appear when
    the content is taller than the space for it."""

    def __init__(self, content: Widget, **kwargs):
        super().__init__(orientation="vertical", spacing=ui().units.gap, **kwargs)
        self.content = content
        # Dragging the content does not scroll: a finger sliding over the content reads it
        # (slide to read, ACCESSIBILITY 19). The page buttons and the wide bar scroll.
        self.view = ScrollView(do_scroll_x=False, bar_width=ui().units.mm(SCROLL_BAR_MM),
                               scroll_type=["bars"], bar_pos_y="left" if ui().rtl else "right",
                               bar_color=rgba(ui().theme.button_border),
                               bar_inactive_color=rgba(ui().theme.button_border, 0.6),
                               effect_cls="ScrollEffect")
        self.view.add_widget(content)
        self.add_widget(self.view)
        self.up = KButton(kiosk_id="scroll.up", label=both("Scroll up"),
                          action=lambda: self.page(-1))
        self.down = KButton(kiosk_id="scroll.down", label=both("Scroll down"),
                            action=lambda: self.page(1))
        # Room all round for their focus ring: the window's edges and the bar below would
        # otherwise cut it.
        margin = ring_room()
        pair = row(self.up, self.down)
        self.buttons = BoxLayout(orientation="vertical", size_hint_y=None, padding=margin)
        self.buttons.add_widget(pair)

        def fit(*_a) -> None:
            self.buttons.height = pair.height + 2 * margin
        pair.bind(height=fit)
        fit()
        self._showing = False
        # While out of the box, the page buttons keep its width, laid out (settle_widths):
        # they come in at their real width, never wrapped at Kivy's default 100 px first.
        self.bind(width=self._size_buttons)
        # -1: decided before this frame is drawn, so the page buttons appear with the content
        # rather than one frame later (which moved the view under the visitor and cost a frame).
        self._check = Clock.create_trigger(self._update_buttons, -1)
        content.bind(height=self._check)
        self.bind(height=self._check)

    def _size_buttons(self, *_a) -> None:
        if not self._showing:
            self.buttons.width = self.width
            settle_widths(self.buttons)

    @property
    def overflows(self) -> bool:
        view_h = self.height - (self.buttons.height + self.spacing if self._showing else 0)
        return self.content.height > view_h + 1

    def _update_buttons(self, *_a) -> None:
        want = self.overflows
        if want and not self._showing:
            self.add_widget(self.buttons)
            self._showing = True
        elif not want and self._showing:
            self.remove_widget(self.buttons)
            self._showing = False

    def page(self, direction: int) -> None:
        """Move by most of a page, keeping a strip of the old page for orientation."""
        view_h, content_h = self.view.height, self.content.height
        if content_h <= view_h:
            return
        step = (view_h * 0.85) / (content_h - view_h)
        # scroll_y is 1 at the top: scrolling down lowers it.
        self.view.scroll_y = min(1.0, max(0.0, self.view.scroll_y - direction * step))

    def show(self, widget: Widget) -> None:
        """Bring a widget inside the content into view with room for its focus ring (keypad
        focus or slide to read moved to it). Kivy's own scroll_to moves only a widget that
        is itself cut off, which leaves a ring cut at the edge."""
        if widget is None or not self.overflows:
            return
        view = self.view
        room = ring_room()
        # In the scroll view's own frame (its parent's coordinates), as Kivy's scroll_to.
        _x, bottom = view.parent.to_widget(*widget.to_window(widget.x, widget.y))
        _x, top = view.parent.to_widget(*widget.to_window(widget.right, widget.top))
        dy = 0.0
        if bottom - room < view.y:
            dy = view.y - bottom + room + ui().units.gap
        elif top + room > view.top:
            dy = view.top - top - room - ui().units.gap
        if dy:
            _dsx, dsy = view.convert_distance_to_scroll(0, dy)
            view.scroll_y = max(0.0, min(1.0, view.scroll_y - dsy))
