"""The technician PIN pad (screen ``technician_pin``): large digit keys (``key.0`` ... ``key.9``,
``key.backspace``, ``key.done``), the digits typed shown and spoken only as asterisks, the
answer (wrong, locked and for how long, no PIN set) written and spoken. Opened only by the
technician mode's way in (screens/technician.py)."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.keyboard import Key, key_words
from screens.widgets.layout import column, grid
from screens.widgets.text import KText

MAX_DIGITS = 12


class TechnicianPinScreen(KioskScreen):
    screen_name = "technician_pin"
    reads_content = False
    title = "Technician PIN"
    summary = "For the kiosk's technicians: type the technician PIN, then Unlock."

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self._pin = ""  # never in session.entered, never spoken, never logged
        self._answer: Any = None
        self._field: KText | None = None

    def help_text(self, lang: str) -> str:
        return _("This screen is for the kiosk's technicians. If you are a visitor, choose "
                 "Home.", lang)

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        self._pin = ""
        self._answer = None

    def on_deactivate(self) -> None:
        self._pin = ""

    def on_session_end(self) -> None:
        super().on_session_end()
        self._pin = ""
        self._answer = None

    # -- what it shows -----------------------------------------------------------------------

    def _services(self) -> Any:
        return self.app.technician.services

    def _masked(self, lang: str) -> str:
        if not self._pin:
            return _("No digits typed yet.", lang)
        return " ".join("*" * len(self._pin))

    def _said(self, lang: str) -> str:
        if not self._pin:
            return _("empty", lang)
        return _("{count} digits typed", lang).format(count=len(self._pin))

    def build_content(self) -> Widget:
        t = ui().t
        u = ui().units
        svc = self._services()
        lang = ui().lang
        parts: list[Widget] = []
        # Page "pad" (the audit's, registry.AUDIT_PAGES) shows the keys even with no PIN set;
        # typing there is refused all the same (try_pin: no PIN, no way in).
        if not svc.pin_set() and self.params.get("step") != "pad":
            # Nothing to type: the mode stays closed, and the pad says why.
            parts.append(KText(logical=svc.no_pin_answer().text(lang), bold=True))
            return column(*parts, spacing=u.mm(4))
        answer = self._answer
        locked = svc.locked_for()
        if locked and (answer is None or answer.ok):
            answer = svc.locked_answer(locked)
        if answer is not None:
            parts.append(column(KText(logical=answer.text(lang), bold=True,
                                      fg="banner_text"), fill="banner_bg", padding=u.mm(2)))
        self._field = KText(logical=self._masked(lang), role="title", fg="panel_text")
        parts.append(column(KText(logical=t("PIN"), bold=True, fg="panel_text"), self._field,
                            fill="panel_bg", padding=u.mm(3), spacing=u.mm(1)))
        pad = grid(3, spacing=u.mm(3))
        for ch in "123456789":
            pad.add_widget(self._digit(ch))
        pad.add_widget(Key(kiosk_id="key.backspace", label=both("Delete"), role="title",
                           action=self._backspace))
        pad.add_widget(self._digit("0"))
        pad.add_widget(Key(kiosk_id="key.done", label=both("Unlock"), role="title",
                           spoken_fn=lambda lang: _("Unlock, {typed}", lang).format(
                               typed=self._said(lang)),
                           action=self._done))
        parts.append(pad)
        return column(*parts, spacing=u.mm(4))

    def _digit(self, ch: str) -> Key:
        return Key(kiosk_id=f"key.{ch}", label={"ar": ch, "en": ch}, role="title",
                   min_height=ui().units.mm(20),
                   spoken={lang: key_words(ch, lang) for lang in ("ar", "en")},
                   action=lambda: self._type(ch))

    # -- what the keys do --------------------------------------------------------------------

    def _show(self) -> None:
        if self._field is not None:
            self._field.logical = self._masked(ui().lang)

    def _type(self, ch: str) -> None:
        lang = ui().lang
        if len(self._pin) >= MAX_DIGITS:
            self.app.speak(_("The PIN has at most 12 digits.", lang))
            return
        self._pin += ch
        self._show()
        self.app.speak(_("asterisk", lang))  # never the digit

    def _backspace(self) -> None:
        lang = ui().lang
        if not self._pin:
            self.app.speak(_("Nothing to delete.", lang))
            return
        self._pin = self._pin[:-1]
        self._show()
        self.app.speak(_("Deleted {what}", lang).format(what=_("asterisk", lang)))

    def _done(self) -> None:
        pin, self._pin = self._pin, ""
        # A PIN of the wrong shape is counted as any wrong PIN (kiosk/technician.py).
        answer = self._services().try_pin(pin)
        if answer.ok:
            self._answer = None
            self.app.technician.entered()
            return
        self._answer = answer
        self.refresh()
        self.app.speak(answer.text(ui().lang))
