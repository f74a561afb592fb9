"""Panels above the screen (the idle warning, help) and explain mode: Help held for a second,
the next control touched is explained instead of chosen (ACCESSIBILITY 19)."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import both
from screens.context import ui
from screens.speech import spoken
from screens.widgets.button import KButton
from screens.widgets.layout import Filled, column
from screens.widgets.text import KText

HELP_HOLD_S = 1.0  # Help held this long starts explain mode


class Overlay(Filled):
    """A full-window panel above the screen (idle warning, help); it takes every touch so
    nothing behind it fires."""

    def __init__(self, kind: str, padding: float | None = None, **kwargs):
        super().__init__(orientation="vertical",
                         padding=ui().units.mm(8) if padding is None else padding,
                         spacing=ui().units.gap, **kwargs)
        self.kind = kind
        self.fill = "panel_bg"
        self.on_close: Any = None  # called once it is closed, however that happened

    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch):
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch):
        super().on_touch_up(touch)
        return True

    def focus_order(self) -> list[KButton]:
        rtl = ui().rtl
        found = [w for w in self.walk(restrict=True) if isinstance(w, KButton)]
        return sorted(found, key=lambda w: (-round(w.top), -w.right if rtl else w.x))


class Overlays:
    """The one overlay open (``open``, or None) and explain mode, for ``app``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.open: Overlay | None = None
        self.explain_next = False  # Help was held: the next control touched is explained

    def show(self, kind: str, panel: Widget, fill: bool = False, padding: float | None = None,
             on_close: Any = None) -> None:
        """Open ``panel`` above the screen, centred (``fill``: taking the whole window, less
        ``padding``), in place of any overlay open. ``on_close()`` is called when it closes:
        Back, its own Close, another overlay taking its place or the visitor leaving."""
        self.close()
        overlay = Overlay(kind, padding=padding)
        overlay.on_close = on_close
        if not fill:
            overlay.add_widget(Widget())
        overlay.add_widget(panel)
        if not fill:
            overlay.add_widget(Widget())
        self.app.root_layer.add_widget(overlay)
        self.open = overlay
        self.app.focus.id = None

    def close(self) -> None:
        if self.open is not None:
            closed = self.open
            self.app.root_layer.remove_widget(closed)
            self.open = None
            self.app.focus.id = None
            if closed.on_close is not None:
                closed.on_close()

    def is_open(self, kind: str) -> bool:
        return self.open is not None and self.open.kind == kind

    def show_help(self, layered: bool = False) -> None:
        """Help for this screen; held for a second, the next control touched is explained
        instead of chosen. From the keypad the help is layered: the screen, then the focused
        item, then the keys."""
        app = self.app
        t = ui().t
        screen = app.current
        held = screen.find("nav.help")
        if held is not None and held.held_s >= HELP_HOLD_S and self.open is None:
            self.explain_next = True
            held.selected = True
            held.state_text = both("Touch a control")
            app.speak(t("Touch any control to hear what it does, without choosing it."))
            return
        lang = app.session.lang
        text = screen.help_text(lang)
        if layered:
            item = app.focus.focused()
            if item is not None:
                text += "\n\n" + spoken("item_help", lang, item=item.describe(lang))
            text += "\n\n" + spoken("keys_help", lang)
        app.speak(text)  # first: the voice starts while the panel is being built
        panel = column(
            KText(logical=t("Help"), role="title", bold=True, fg="panel_text"),
            KText(logical=text, fg="panel_text"),
            KButton(kiosk_id="help.close", label=both("Close help"), action=self.close),
        )
        self.show("help", panel)

    def intercept_tap(self, button: KButton) -> bool:
        """In explain mode the tap explains the control instead of activating it."""
        if not self.explain_next:
            return False
        self.explain_next = False
        app = self.app
        if button.kiosk_id == "nav.help":
            app.nav.refresh()  # a second touch of Help leaves explain mode
            return True
        t = ui().t
        lang = app.session.lang
        explanation = f"{button.describe(lang)}. {t('To choose it, tap it.')}"
        panel = column(
            KText(logical=t("What this control does"), role="title", bold=True,
                  fg="panel_text"),
            KText(logical=explanation, fg="panel_text"),
            KButton(kiosk_id="help.close", label=both("Close help"), action=self.close),
        )
        app.nav.refresh()
        self.show("help", panel)
        app.speak(explanation)
        return True
