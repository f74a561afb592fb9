"""What the reading screens (news, questions, service guide, policies) share: one item open at a
time, kept in the screen's params so a rebuild (language, theme, text size) keeps it open and in
view; numbered lists whose numbers hang beside wrapped lines; and a content picture that is
always shown with its text alternative as a caption (ACCESSIBILITY 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

from kiosk.i18n import both
from screens.base import KioskScreen
from screens.context import ui
from screens.textlayout import shape_line
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.pictures import load_texture
from screens.widgets.text import KText, measure_display

# English dates as Oman writes them (25 November 2026), Arabic with Arabic month names.
DATE_LOCALES = {"ar": "ar", "en": "en_GB"}


def pick(text: Any, lang: str | None = None) -> str:
    """The visitor's language from a bilingual content text."""
    return text.ar if (lang or ui().lang) == "ar" else text.en


def easy(record: Any, lang: str | None = None) -> tuple | None:
    """A record's Easy Read sentences in the visitor's language while Easy Read is on, or None
    (it is off, or the record has none): the screen then shows its normal text, and says
    nothing of a missing version."""
    if not ui().easy_read:
        return None
    version = getattr(record, "easy_read", None)
    if version is None:
        return None
    return version.ar if (lang or ui().lang) == "ar" else version.en


def date_text(day: date, lang: str | None = None) -> str:
    """A date written out: '25 November 2026', '25 نوفمبر 2026'."""
    lang = lang or ui().lang
    from babel.dates import format_date  # with the first dated item, not at start-up

    return format_date(day, format="long", locale=DATE_LOCALES[lang])


def open_state(is_open: bool) -> dict[str, str]:
    """The state written on an item's button, so colour is never the only cue."""
    return both("Open") if is_open else both("Closed")


def numbered(items: list[str], fg: str = "text") -> Widget:
    """A numbered list: each number in its own narrow column on the reading side, so wrapped
    lines start under the text, not under the number."""
    u = ui().units
    rtl = ui().rtl
    size = int(round(ui().font("body")))
    labels = [f"{i}." for i in range(1, len(items) + 1)]
    width = max(measure_display(shape_line(label, rtl), size, True) for label in labels) \
        + u.mm(2)
    rows = []
    for label, text in zip(labels, items, strict=True):
        number = KText(logical=label, bold=True, fg=fg, size_hint_x=None, width=width,
                       pos_hint={"top": 1})
        words = KText(logical=text, fg=fg, pos_hint={"top": 1})
        rows.append(row(number, words, spacing=u.mm(1)))
    return column(*rows, spacing=u.mm(2))


class ContentPicture(Widget):
    """A content picture from the blob store, fitted to the width (at most ``max_mm`` tall)
    and centred. A missing or damaged file draws nothing; the caption still says what it
    shows."""

    def __init__(self, path: Path, max_mm: float = 70, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.texture = load_texture(path)
        self.max_h = ui().units.mm(max_mm)
        self.height = self.max_h if self.texture is not None else 0
        self.bind(pos=self._draw, size=self._draw)

    @property
    def loaded(self) -> bool:
        return self.texture is not None

    def _draw(self, *_a) -> None:
        self.canvas.clear()
        tex = self.texture
        if tex is None or self.width <= 1:
            return
        scale = min(self.width / tex.width, self.max_h / tex.height)
        w, h = tex.width * scale, tex.height * scale
        if abs(self.height - h) > 0.5:
            self.height = h  # redraws through the size binding
            return
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=tex, size=(w, h), pos=(self.x + (self.width - w) / 2, self.y))


class ReadingScreen(KioskScreen):
    """A screen of items, at most one open (``self.params["open"]``). Subclasses set
    ``item_kind`` (buttons are ``<item_kind>.<id>``) and say what is spoken when one opens."""

    item_kind: ClassVar[str] = ""

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self._anchor: str | None = None  # the kiosk id to bring to the top after a rebuild
        self._keep_focus_on: str | None = None  # keypad focus goes back to it once laid out
        self._settle: Any = None

    @property
    def open_id(self) -> str | None:
        return self.params.get("open")

    def spoken_when_opened(self, item_id: str, lang: str) -> str:
        """What speech reads after the item's button when it opens (its answer, its body)."""
        return ""

    def item_button(self, item_id: str, label: dict[str, str], **kwargs: Any) -> KButton:
        """The button that opens and closes one item, its state written out."""
        is_open = self.open_id == item_id
        return KButton(kiosk_id=f"{self.item_kind}.{item_id}", label=label,
                       state_text=open_state(is_open), selected=is_open, align="start",
                       action=lambda: self.toggle(item_id), **kwargs)

    def toggle(self, item_id: str) -> None:
        """Open ``item_id`` and close the one that was open, or close it if it was open. The
        history entry changes too (Back leaves the screen, it does not replay the taps)."""
        now_open = None if self.open_id == item_id else item_id
        self.set_params(open=now_open, _anchor=f"{self.item_kind}.{item_id}")
        lang = self.app.session.lang
        button = self.find(f"{self.item_kind}.{item_id}")
        words = button.describe(lang) if button is not None else ""
        if now_open:
            extra = self.spoken_when_opened(item_id, lang)
            words = f"{words}. {extra}" if extra else words
        self.app.speak(words)

    def set_params(self, _anchor: str | None = None, **changes: Any) -> None:
        """Change this screen's state and rebuild it, keeping keypad focus and the anchor in
        view."""
        for key, value in changes.items():
            if value is None:
                self.params.pop(key, None)
            else:
                self.params[key] = value
        if self.app.history and self.app.history[-1][0] == self.screen_name:
            self.app.history[-1] = (self.screen_name, dict(self.params))
        keypad = self.app.focus.index is not None and self.app.overlay is None
        self._anchor = _anchor
        self.refresh()
        if keypad and _anchor:
            self.app.focus.index = None
            self._keep_focus_on = _anchor
        else:
            self._keep_focus_on = None

    def anchor_id(self) -> str | None:
        """The control to bring to the top of the view after a rebuild: the open item's."""
        return f"{self.item_kind}.{self.open_id}" if self.open_id else None

    def refresh(self) -> None:
        anchor = self._anchor or self.anchor_id()
        self._anchor = None
        self._keep_focus_on = None
        super().refresh()
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None
        scroll = self.scroll
        if anchor and scroll is not None:
            # Lines wrap, and so heights settle, over the next frames: place the anchor again
            # whenever the content's or the view's height changes (only while it settles; the
            # heights do not change afterwards).
            self._settle = Clock.create_trigger(lambda _dt: self._bring_to_top(anchor), 0)
            scroll.content.bind(height=self._settle)
            scroll.view.bind(height=self._settle)
            self._settle()

    def on_deactivate(self) -> None:
        if self._settle is not None:
            self._settle.cancel()
        super().on_deactivate()

    def _bring_to_top(self, kiosk_id: str) -> None:
        scroll = self.scroll
        widget = self.find(kiosk_id)
        if scroll is None or widget is None:
            return
        content = scroll.content
        spare = content.height - scroll.view.height
        if spare > 0:
            # The widget and the content share one coordinate space (plain box layouts).
            below_top = content.top - widget.top - ui().units.gap
            scroll.view.scroll_y = min(1.0, max(0.0, 1.0 - below_top / spare))
        else:
            scroll.view.scroll_y = 1.0
        if self._keep_focus_on == kiosk_id and self.app.focus.index is None:
            self._keep_focus_on = None
            order = self.app.focus.order()
            for i, w in enumerate(order):
                w.focused = w.kiosk_id == kiosk_id
                if w.kiosk_id == kiosk_id:
                    self.app.focus.index = i


def section(heading: str, body: Widget | str) -> Widget:
    """A bold heading over its text or list."""
    u = ui().units
    part = KText(logical=body) if isinstance(body, str) else body
    return column(KText(logical=heading, bold=True), part, spacing=u.mm(1.5))
