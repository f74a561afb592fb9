"""Everything spoken is also shown (ACCESSIBILITY 17): the caption strip, and the record of
what was said (for the strip, Repeat and walks)."""

from __future__ import annotations

import time
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

from screens.context import ui
from screens.themes import rgba
from screens.widgets.layout import Filled
from screens.widgets.text import KText

CAPTION_LINES = 2
KEEP_SPOKEN = 200


class Captions:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.text = ""  # what is being said (Repeat says it again)
        self.note = ""  # shown instead while set: speech is paused
        self.label: KText | None = None
        self.box: Widget | None = None
        self.spoken: list[tuple[float, str, str]] = []  # (time, lang, text), newest last

    def record(self, text: str, lang: str) -> None:
        self.spoken.append((time.time(), lang, text))
        del self.spoken[:-KEEP_SPOKEN]

    def show(self, text: str, sentence: bool = False) -> None:
        """Show what is being said. ``app.speak`` shows the utterance; as each sentence starts
        to sound the strip narrows to it (``sentence=True``, from the player thread through
        Clock). The strip is there, at a fixed height, whenever speech mode is on, so a
        caption never moves a control under a sliding finger."""
        if sentence and not text:
            return
        session = self.app.session
        self.text = " ".join(text.split()) if session.speech else ""
        self._refresh()

    def notice(self, text: str) -> None:
        """Show ``text`` in the strip instead of what is being said (a paused sentence), until
        it is taken away with ``notice("")``; it is shown, not spoken or recorded."""
        self.note = " ".join(text.split())
        self._refresh()

    def _refresh(self) -> None:
        session = self.app.session
        if not session.speech:
            self.note = ""
        if self.label is not None and self.box is not None:
            self.label.lang = session.lang
            self._fit()
        elif session.speech:
            self.place()

    def _fit(self) -> None:
        """The caption in at most CAPTION_LINES lines; a longer utterance is cut at a word
        and continues as its sentences start to sound."""
        c = self.label
        text = self.note or self.text
        c.logical = text
        if len(c.lines_logical) <= CAPTION_LINES:
            return
        words = text.split()
        lo, hi = 0, len(words)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            c.logical = " ".join(words[:mid]) + " …"
            if len(c.lines_logical) <= CAPTION_LINES:
                lo = mid
            else:
                hi = mid - 1
        c.logical = " ".join(words[:lo]) + " …"

    def place(self) -> None:
        """Put the strip in (speech on) or take it out, for the current context."""
        stack = getattr(self.app, "stack", None)
        if stack is None:
            return
        if self.box is not None:
            stack.remove_widget(self.box)
            self.box = None
            self.label = None
        if not self.app.session.speech:
            self.text = self.note = ""
            return
        u = ui().units
        pad = u.mm(3)
        width = max(1.0, self.app.window_width() - 2 * pad)
        # Both scripts in the sample: Arabic lines are taller than Latin ones (Noto Sans
        # Arabic's ascent and descent), and a caption may hold either.
        sample = KText(logical="\n".join(["Ag لج"] * CAPTION_LINES), size_hint_x=None,
                       width=width)
        self.label = KText(logical="", fg="panel_text", size_hint_x=None, width=width)
        box = Filled(orientation="vertical", size_hint_y=None, padding=pad,
                     height=sample.height + 2 * pad)
        box.fill = "panel_bg"

        def edge(*_a) -> None:
            # A rule along the strip's inner edge sets it apart from the screen.
            box.canvas.after.clear()
            with box.canvas.after:
                Color(*rgba(ui().theme.button_border))
                y = box.y if ui().reach else box.top - u.mm(0.5)
                Rectangle(pos=(box.x, y), size=(box.width, u.mm(0.5)))
        box.bind(pos=edge, size=edge)
        box.add_widget(self.label)
        box.add_widget(Widget())
        box.caption = True
        self._fit()
        # Below the bar, so it never covers a control; in reach mode at the top, which holds
        # nothing to touch, so the controls stay within reach.
        stack.add_widget(box, index=len(stack.children) if ui().reach else 0)
        self.box = box
