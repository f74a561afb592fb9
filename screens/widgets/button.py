"""KButton, every tappable thing on the kiosk: a flat fill drawn on the canvas (never a tinted
texture), a border, a two-band focus ring, a bilingual label and an optional state written out
("Selected", "On") so colour is never the only cue. It activates on release and a finger that
slides off cancels it (ACCESSIBILITY 9), as does sliding to read (the app marks the touch);
it is never smaller than 16 x 16 mm. A disabled button stays in the keypad's reach: it is drawn
without its fill and says "Unavailable" (and why, when its screen knows), and choosing it only
says so."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.graphics import Color, Line, Rectangle
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.context import ui
from screens.themes import rgba
from screens.widgets.text import KText, paragraph_widths


class KButton(Widget):
    kiosk_id = StringProperty("")
    label = DictProperty({})  # {"ar": ..., "en": ...}
    state_text = DictProperty({})  # {"ar": ..., "en": ...}, empty when there is no state
    selected = BooleanProperty(False)
    focused = BooleanProperty(False)
    pressed = BooleanProperty(False)
    role = OptionProperty("body", options=["body", "title", "small"])
    align = OptionProperty("center", options=["start", "center", "end"])
    lang = StringProperty("")  # the label's language when it is not the visitor's
    min_height = NumericProperty(0)  # tiles and bar rows ask for more than the 16 mm floor
    natural_height = NumericProperty(0)  # what the label needs, before min_height
    # What a tap does. Not named on_*: Kivy treats on_* keyword arguments as event bindings.
    action = ObjectProperty(None, allownone=True)
    # Why a disabled button can not be chosen now, {"ar": ..., "en": ...}; said when it is.
    unavailable_reason = DictProperty({})
    # What else choosing it while disabled does, after saying so (a screen shows the reason).
    when_unavailable = ObjectProperty(None, allownone=True)
    # A pictogram (assets/pictograms name) drawn in the label's colour: above the label when
    # ``stacked`` (tiles, the bar), else at the start side. ``mirror``: turned over in Arabic
    # (an arrow that points the way of reading). Always with the label, never instead of it.
    pictogram = StringProperty("")
    mirror = BooleanProperty(False)
    stacked = BooleanProperty(False)
    # A widget shown at the start side of the label (a list's Thumbnail), or None.
    picture = ObjectProperty(None, allownone=True)
    # The other texts it shows in its place as its state changes ({"ar": ..., "en": ...}
    # each, words and state), so a layout sizes it for all of them and does not move.
    also_shows = ListProperty([])
    __events__ = ("on_activate",)

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        if kwargs.get("size_hint_x", 1) is not None:
            kwargs.setdefault("width", 0)  # a layout sets it; the label waits for it
        u = ui().units
        self._pad = u.mm(3)
        self._text: KText | None = None
        self._icon = None
        super().__init__(**kwargs)
        self._cancelled = False
        self._touched = False  # a touch went down on it (disabled buttons are never pressed)
        self.held_s = 0.0  # how long the last touch that ended here was held
        lang = self.lang or ui().lang
        self._text = KText(lang=lang, role=self.role, align=self.align, bold=True,
                           fg=self._text_fg(), logical=self.text_for(lang),
                           width=self._text_width())
        self.add_widget(self._text)
        if self.pictogram:
            from screens.widgets.pictures import Pictogram

            self._icon = Pictogram(name=self.pictogram, fg=self._text_fg(),
                                   mirrored=self.mirror and lang == "ar")
            self.add_widget(self._icon)
        if self.picture is not None:
            self.add_widget(self.picture)
        # The fill and edge are drawn once and then only moved and recoloured.
        with self.canvas.before:
            self._fill_colour = Color()
            self._fill = Rectangle()
            self._edge_colour = Color()
            self._edge = Line()
        self.bind(pos=self._place, size=self._layout, label=self._update_text,
                  state_text=self._update_text, selected=self._update_text,
                  focused=self._redraw, pressed=self._redraw, min_height=self._layout,
                  disabled=self._update_text, pictogram=self._set_pictogram,
                  align=self._text.setter("align"))
        self._text.bind(height=self._layout)
        self._layout()

    # -- what it says ------------------------------------------------------------------------

    def text_for(self, lang: str) -> str:
        words = self.label.get(lang, "")
        state = _("Unavailable", lang) if self.disabled else self.state_text.get(lang, "")
        return f"{words}\n{state}" if state else words

    def describe(self, lang: str | None = None) -> str:
        """What speech says for this control: its label and its state ("unavailable" for a
        disabled one)."""
        lang = lang or ui().lang
        if self.disabled:
            return _("{label}, unavailable", lang).format(label=self.label.get(lang, ""))
        state = self.state_text.get(lang, "")
        return f"{self.label.get(lang, '')}, {state}" if state else self.label.get(lang, "")

    def unavailable_text(self, lang: str | None = None) -> str:
        """What choosing a disabled control says: that it is unavailable, and why."""
        lang = lang or ui().lang
        label = self.label.get(lang, "")
        reason = self.unavailable_reason.get(lang, "")
        if reason:
            return _("{label}, unavailable: {reason}", lang).format(label=label, reason=reason)
        return _("{label}, unavailable", lang).format(label=label)

    @property
    def logical_text(self) -> str:
        return self._text.logical

    def _text_fg(self) -> str:
        return "selected_text" if self.selected else "button_text"

    def _side(self) -> Widget | None:
        """What sits at the start side of the label: the picture, or an unstacked pictogram."""
        if self.picture is not None:
            return self.picture
        return self._icon if self._icon is not None and not self.stacked else None

    def _icon_side(self) -> float:
        u = ui().units
        return u.mm(12 if self.stacked else 8) * min(1.5, ui().scale ** 0.5)

    def _text_width(self, width: float | None = None) -> float:
        """Room for the words in the button as wide as ``width`` (its own by default)."""
        side = self._side()
        side_width = self._icon_side() if side is not None and side is self._icon \
            else getattr(side, "width", 0)
        taken = side_width + ui().units.mm(3) if side is not None else 0
        return max(0.0, (self.width if width is None else width) - 2 * self._pad - taken)

    def words_fit(self, width: float) -> bool:
        """Whether, in a button ``width`` wide, its words and its state each keep to one
        line (nothing wraps, no word is broken), in everything it shows (``also_shows``)."""
        lang = self.lang or ui().lang
        room = int(self._text_width(width))
        texts = [self.text_for(lang), *(t.get(lang, "") for t in self.also_shows)]
        return all(w <= room for text in texts
                   for w in paragraph_widths(text, self._text.font_size, True, lang == "ar"))

    def _set_pictogram(self, *_a) -> None:
        if self._icon is not None and self.pictogram:
            self._icon.name = self.pictogram

    @property
    def icon(self):
        """The pictogram widget, or None."""
        return self._icon

    def _update_text(self, *_a) -> None:
        if self._text is None:
            return
        lang = self.lang or ui().lang
        self._text.lang = lang
        self._text.logical = self.text_for(lang)
        self._layout()

    # -- layout and drawing ------------------------------------------------------------------

    def _layout(self, *_a) -> None:
        if self._text is None:
            return
        u = ui().units
        if self._icon is not None:
            side = self._icon_side()
            self._icon.size = (side, side)
        self._text.width = self._text_width()
        need = self._text.height + 2 * self._pad
        if self._icon is not None and self.stacked:
            need += self._icon.height + u.mm(1.5)
        leading = self._side()
        if leading is not None:
            need = max(need, leading.height + 2 * self._pad)
        self.natural_height = max(u.target, need)
        self.height = max(self.natural_height, self.min_height)
        self._place()

    def _place(self, *_a) -> None:
        if self._text is None:
            return
        rtl = (self.lang or ui().lang) == "ar"
        leading = self._side()
        if leading is not None:
            gap = ui().units.mm(3)
            if rtl:
                leading.x = self.x + self.width - self._pad - leading.width
                self._text.x = self.x + self._pad
            else:
                leading.x = self.x + self._pad
                self._text.x = leading.right + gap
            leading.center_y = self.y + self.height / 2
            self._text.center_y = self.y + self.height / 2
        elif self._icon is not None and self.stacked:
            gap = ui().units.mm(1.5)
            block = self._icon.height + gap + self._text.height
            # From x, y and the size, not center_x / center_y: those aliases can still hold
            # the old position while the pos event that called this is being dispatched.
            top = self.y + (self.height + block) / 2
            self._icon.x = self.x + (self.width - self._icon.width) / 2
            self._icon.top = top
            self._text.x = self.x + self._pad
            self._text.top = self._icon.y - gap
        else:
            self._text.x = self.x + self._pad
            self._text.center_y = self.y + self.height / 2
        self._redraw()

    def _redraw(self, *_a) -> None:
        t = ui().theme
        u = ui().units
        fill = t.selected_bg if (self.selected or self.pressed) else t.button_bg
        if self.pressed and self.selected:
            fill = t.button_bg
        self._text.fg = "selected_text" if fill == t.selected_bg else "button_text"
        border = u.mm(0.75) if not self.selected else u.mm(1.25)
        edge = t.button_border if fill == t.button_bg else t.selected_text
        if self.disabled:
            # Unavailable: an outline on the screen's own background, not a solid button;
            # the text keeps its full contrast and writes the state out.
            fill, edge = t.bg, t.button_border
            self._text.fg = "text"
        # The pictogram and the picture's frame in the label's own colour: the label passes
        # 7:1 against this fill, so they pass 3:1.
        if self._icon is not None:
            self._icon.fg = self._text.fg
        if self.picture is not None and hasattr(self.picture, "fg"):
            self.picture.fg = self._text.fg
        self._fill_colour.rgba = rgba(fill)
        self._fill.pos, self._fill.size = self.pos, self.size
        self._edge_colour.rgba = rgba(edge)
        self._edge.width = border / 2
        self._edge.rectangle = (self.x + border / 2, self.y + border / 2,
                                self.width - border, self.height - border)
        self.canvas.after.clear()
        if self.focused:
            ring = u.focus_ring
            with self.canvas.after:
                # Outer band just outside the widget, against whatever is behind it; the
                # inner band inside its edge, against its own fill.
                Color(*rgba(t.focus))
                Line(rectangle=(self.x - ring / 2, self.y - ring / 2,
                                self.width + ring, self.height + ring), width=ring / 2)
                # Inside an unavailable control's outline, the screen's background shows: the
                # outer band's colour is the one that stands out on it.
                Color(*rgba(t.focus if self.disabled else t.focus_inner))
                Line(rectangle=(self.x + ring / 2, self.y + ring / 2,
                                self.width - ring, self.height - ring), width=ring / 4)

    # -- touch: activate on release, cancel when the finger slides off ----------------------

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        # A disabled button takes its tap too (Kivy's would swallow it silently): on release
        # it says it is unavailable, without looking pressed.
        touch.grab(self)
        self._cancelled = False
        self.pressed = not self.disabled
        self._touched = True
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is self:
            if touch.ud.get("reading") or not self.collide_point(*touch.pos):
                self._cancelled = True
                self.pressed = False
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        fire = (self.pressed or (self.disabled and self._touched)) and not self._cancelled \
            and self.collide_point(*touch.pos)
        self.pressed = False
        self._touched = False
        self.held_s = max(0.0, time.time() - touch.time_start)
        if fire:
            # The app may take the tap for itself (explain mode: Help held, then a control).
            app = App.get_running_app()
            intercept = getattr(getattr(app, "overlays", None), "intercept_tap", None)
            if intercept is None or not intercept(self):
                self.activate()
        return True

    def activate(self) -> None:
        """What a tap on release, the keypad's Action key or a walk script does. A disabled
        button does nothing but say that it is unavailable, and why."""
        if self.disabled:
            app = App.get_running_app()
            speak = getattr(app, "speak", None)
            if speak is not None:
                speak(self.unavailable_text(getattr(getattr(app, "session", None), "lang",
                                                    None)))
            if self.when_unavailable is not None:
                self.when_unavailable()
            return
        self.dispatch("on_activate")

    def on_activate(self, *_a) -> None:
        if self.action is not None:
            self.action()
