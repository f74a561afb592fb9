"""The attract screen: a calm invitation to touch, in both languages, with the language choice
that also starts the session."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
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
        parts = [invite, invite_other, Widget(size_hint_y=None, height=u.mm(6)),
                 row(ar, en), start]
        entry = technician_entry(self.app)
        if entry is not None:
            parts += [Widget(size_hint_y=None, height=u.mm(10)), row(Widget(), entry)]
        return column(*parts, spacing=u.mm(5))


# -- the technician's way in, on a kiosk not provisioned yet ------------------------------------

HOLD_S = 5.0


def technician_entry(app: Any) -> KButton | None:
    """The discreet way into the setup wizard on an unprovisioned kiosk: ``attract.technician``,
    a quiet spot at the end of the screen that opens the wizard when held for 5 s (a tap only
    says so). None once the kiosk is provisioned: the technician mode's PIN is the way then."""
    if app.device.paths.credentials.exists():
        return None
    return HoldSpot(app)


class HoldSpot(KButton):
    def __init__(self, app: Any, **kwargs):
        self.app_ref = app
        self._hold = None
        super().__init__(kiosk_id="attract.technician", label=both("Technician"),
                         state_text=both("Hold for 5 seconds"), role="small",
                         size_hint_x=None, width=ui().units.mm(45), **kwargs)

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            self._cancel()
            self._hold = Clock.schedule_once(lambda _dt: self._open(), HOLD_S)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch):
        if touch.grab_current is self and not self.collide_point(*touch.pos):
            self._cancel()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        self._cancel()
        return super().on_touch_up(touch)

    def _cancel(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
            self._hold = None

    def _open(self) -> None:
        self._hold = None
        self._cancelled = True  # lifting the finger after the hold is not a tap
        self.app_ref.session.started = True
        self.app_ref.go("setup")

    def on_activate(self, *_a) -> None:
        self.app_ref.speak(_("Technicians: hold this spot for 5 seconds to set up the kiosk.",
                             self.app_ref.session.lang))
