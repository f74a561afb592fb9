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
                      row(ar, en), start, Widget(size_hint_y=None, height=u.mm(8)),
                      self.technician_spot(), spacing=u.mm(5))

    def technician_spot(self) -> KButton:
        """The kiosk's version, discreet at the bottom: a tap says it; held for 5 seconds it
        opens the technician mode's PIN pad (screens/technician.py)."""
        from kiosk import __version__

        label = {lang: _("Kiosk version {version}", lang).format(version=__version__)
                 for lang in ("ar", "en")}
        spot = KButton(kiosk_id="attract.technician", label=label, role="small",
                       size_hint_x=None, width=ui().units.mm(40))

        def touched() -> None:
            if not self.app.technician.held(spot.held_s):
                self.app.speak(label[ui().lang])
        spot.action = touched
        return spot
