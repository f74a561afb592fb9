"""The contact screen: the call centre number, office hours, whether it is open now (the contact
service computes it in Asia/Muscat time), e-mail and address."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.widget import Widget

from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.layout import column
from screens.widgets.text import KText


class ContactScreen(KioskScreen):
    screen_name = "contact"
    title = registry.TITLES["contact"]
    summary = "How to reach the Made in Oman portal team."

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        details = self.services.contact.details(lang)
        if details is None:
            return KText(logical=t("Contact details are not available on this kiosk yet."))
        u = ui().units
        parts: list[Widget] = [
            KText(logical=t("Call centre"), bold=True),
            KText(logical=details.call_centre, role="title", bold=True),
            KText(logical=details.status, bold=True),
            KText(logical=t("Office hours"), bold=True),
            KText(logical=details.hours),
        ]
        if details.email:
            parts += [KText(logical=t("E-mail"), bold=True), KText(logical=details.email)]
        parts += [KText(logical=t("Address"), bold=True), KText(logical=details.address)]
        return column(*parts, spacing=u.mm(3))

    def on_activate(self, **params) -> None:
        super().on_activate(**params)
        # Open or closed changes while a visitor reads; redraw each minute while shown.
        self._timer = Clock.schedule_interval(lambda _dt: self.refresh(), 60)

    def on_deactivate(self) -> None:
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.cancel()
