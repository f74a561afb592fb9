"""The thanks screen after a visitor sent something: says what happened to it, and the way back.
After a message (feedback or an accessibility report) it shows the message's reference large,
says it on arrival (the voice reads it digit by digit, voices/speakable.py), offers to say it
again, and gives a square code to the public follow-up page on central, and the way to the
Follow up screen. The reference is made on the kiosk (kiosk/services/feedback.py), so it is
there even when the kiosk is offline.

Controls: thanks.say_reference, thanks.follow_up, thanks.home."""

from __future__ import annotations

from typing import Any

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column
from screens.widgets.pictures import QRCode
from screens.widgets.text import KText

# What each kind of submission is told; the English msgids live in assets/locale.
MESSAGES = {
    "feedback": "Your message is saved on this kiosk and will reach the portal team.",
    "survey": "Your answers are saved. They help the portal serve you better.",
    "poll": "Your vote is counted.",
    "report": "Your report is saved and will reach the accessibility team.",
}
DEFAULT_MESSAGE = "What you sent is saved and will reach the portal team."
SAID_REFERENCE = "Your reference is {reference}."
KEEP_IT = ("Write it down or take a photo of it. With it you can follow up your message here, "
           "with “Follow up a message”, or on your phone.")
ON_YOUR_PHONE = "Point your phone's camera at the square code to follow up your message there."


class ThanksScreen(KioskScreen):
    screen_name = "thanks"
    title = registry.TITLES["thanks"]
    summary = "What you sent is saved."

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        # The audit sees the screen as a visitor does after a message: with a reference.
        return {"what": "feedback", "reference": "4821-0937-5523"}

    @property
    def reference(self) -> str:
        return str(self.params.get("reference") or "")

    def summary_text(self, lang: str) -> str:
        # Said on arrival with the title: the reference, which the voice reads digit by digit.
        said = _(self.summary, lang)
        if self.reference:
            said += " " + _(SAID_REFERENCE, lang).format(reference=self.reference)
        return said

    def say_reference(self) -> None:
        lang = self.app.session.lang
        self.app.speak(_(SAID_REFERENCE, lang).format(reference=self.reference))

    def build_content(self) -> Widget:
        t = ui().t
        u = ui().units
        what = self.params.get("what", "")
        parts: list[Widget] = [KText(logical=t(MESSAGES.get(what, DEFAULT_MESSAGE)))]
        if self.reference:
            parts.append(column(
                KText(logical=t("Your reference"), bold=True, fg="panel_text"),
                KText(logical=self.reference, lang="en", role="title", bold=True,
                      fg="panel_text", align="end" if ui().rtl else "start"),
                fill="panel_bg", padding=u.mm(3), spacing=u.mm(1)))
            parts.append(KText(logical=t(KEEP_IT)))
            parts.append(KButton(kiosk_id="thanks.say_reference",
                                 label=both("Say the reference again"),
                                 action=self.say_reference))
            url = self.services.follow_up.page_url(self.reference)
            if url:
                parts.append(KText(logical=t(ON_YOUR_PHONE)))
                qr = QRCode(data=url)
                holder = AnchorLayout(anchor_x="right" if ui().rtl else "left",
                                      size_hint_y=None, height=qr.height)
                holder.add_widget(qr)
                parts.append(holder)
                parts.append(KText(logical=url, lang="en", role="small",
                                   align="end" if ui().rtl else "start"))
            parts.append(KButton(kiosk_id="thanks.follow_up",
                                 label=both(registry.TITLES["follow_up"]),
                                 pictogram="follow_up",
                                 action=lambda: self.app.go("follow_up")))
        parts.append(KButton(kiosk_id="thanks.home", label=both("Back to the start"),
                             action=self.app.home))
        return column(*parts, spacing=u.mm(4))
