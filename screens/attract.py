"""The attract screen: a calm invitation to touch, in both languages, with the language choice
that also starts the session."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.text import KText


class AttractScreen(KioskScreen):
    screen_name = "attract"
    reads_content = False
    title = registry.TITLES["attract"]
    summary = "Discover products made in Oman, in Arabic or English."

    def build_content(self) -> Widget:
        u = ui().units
        other = "en" if ui().lang == "ar" else "ar"
        # The invitation is written in both languages: the visitor has not chosen yet.
        invite_other = KText(logical=_("Choose your language to start.", other), lang=other,
                             role="title")
        invite = KText(logical=ui().t("Choose your language to start."), role="title")
        ar = KButton(kiosk_id="lang.ar", label={"ar": "العربية", "en": "العربية"}, lang="ar",
                     role="title", action=lambda: self.app.start_session("ar"))
        en = KButton(kiosk_id="lang.en", label={"ar": "English", "en": "English"}, lang="en",
                     role="title", action=lambda: self.app.start_session("en"))
        start = KButton(kiosk_id="attract.start", label=both("Start"), role="title",
                        action=lambda: self.app.start_session())
        return column(invite, invite_other, Widget(size_hint_y=None, height=u.mm(6)),
                      row(ar, en), start, spacing=u.mm(5))
