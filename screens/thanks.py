"""The thanks screen after a visitor sent something: says what happened to it, and the way back."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column
from screens.widgets.text import KText

# What each kind of submission is told; the English msgids live in assets/locale.
MESSAGES = {
    "feedback": "Your message is saved on this kiosk and will reach the portal team.",
    "survey": "Your answers are saved. They help the portal serve you better.",
    "poll": "Your vote is counted.",
    "report": "Your report is saved and will reach the accessibility team.",
}
DEFAULT_MESSAGE = "What you sent is saved and will reach the portal team."


class ThanksScreen(KioskScreen):
    screen_name = "thanks"
    title = registry.TITLES["thanks"]
    summary = "What you sent is saved."

    def build_content(self) -> Widget:
        what = self.params.get("what", "")
        message = ui().t(MESSAGES.get(what, DEFAULT_MESSAGE))
        return column(
            KText(logical=message),
            KButton(kiosk_id="thanks.home", label=both("Back to the start"),
                    action=self.app.home),
        )
