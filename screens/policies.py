"""The policies screen: short summaries of the portal's policies (privacy, terms of use,
e-accessibility, e-participation, open data) in their order, each opening to its fuller text,
and where the complete text is published."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.context import ui
from screens.reading import ReadingScreen, easy, pick
from screens.widgets.easyread import easy_read_block, spoken
from screens.widgets.layout import column
from screens.widgets.text import KText


class PoliciesScreen(ReadingScreen):
    screen_name = "policies"
    item_kind = "policy"
    title = registry.TITLES["policies"]
    summary = "How the portal treats your data, your rights and the information it publishes."

    def intro(self, lang: str) -> str:
        return _("These are short summaries. The full text of every policy is on the portal's "
                 "website:", lang)

    def help_text(self, lang: str) -> str:
        url = self.services.reading.portal_url()
        where = f" {url}" if url is not None else ""
        return f"{self.intro(lang)}{where}\n\n{super().help_text(lang)}"

    def build_content(self) -> Widget:
        u = ui().units
        reading = self.services.reading
        url = reading.portal_url()
        parts: list[Widget] = [KText(logical=self.intro(ui().lang))]
        if url is not None:
            # A web address reads left to right in both languages, on its own line.
            parts.append(KText(logical=url, lang="en", bold=True,
                               align="end" if ui().rtl else "start"))
        intro = column(*parts, spacing=u.mm(1.5), padding=(0, 0, 0, u.mm(3)))
        items: list[Widget] = [intro]
        for p in reading.policies():
            items.append(self.item_button(p.id, {"ar": p.title.ar, "en": p.title.en}))
            sign = self.sign_control() if self.open_id == p.id else None
            if sign is not None:
                items.append(sign)
            sentences = easy(p)
            if sentences:
                # Easy Read: its first sentence stands for the summary; open, all of them.
                text = [easy_read_block(sentences if self.open_id == p.id else sentences[:1])]
            else:
                text = [KText(logical=pick(p.summary), bold=self.open_id == p.id)]
                if self.open_id == p.id:
                    text.append(KText(logical=pick(p.body)))
            items.append(column(*text, spacing=u.mm(3), padding=(0, 0, 0, u.mm(3))))
        return column(*items, spacing=u.mm(3))

    def sign_video(self) -> Any:
        p = self.services.reading.policy(self.open_id)
        return p.sign_video if p is not None else None

    def spoken_when_opened(self, item_id: str, lang: str) -> str:
        p = self.services.reading.policy(item_id)
        if p is None:
            return ""
        sentences = easy(p, lang)
        return spoken(sentences) if sentences else f"{pick(p.summary, lang)} {pick(p.body, lang)}"
