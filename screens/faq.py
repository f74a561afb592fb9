"""The questions screen: the FAQ from the content store, one question open at a time, its answer
right under it and its state written out (Open / Closed)."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from screens import registry
from screens.context import ui
from screens.reading import ReadingScreen, easy, pick
from screens.widgets.easyread import easy_read_block, spoken
from screens.widgets.layout import column
from screens.widgets.text import KText


class FaqScreen(ReadingScreen):
    screen_name = "faq"
    item_kind = "faq"
    title = registry.TITLES["faq"]
    summary = "Answers to what visitors ask most often. Tap a question to see its answer."

    def build_content(self) -> Widget:
        u = ui().units
        items: list[Widget] = []
        for f in self.services.reading.faq():
            items.append(self.item_button(f.id, {"ar": f.question.ar, "en": f.question.en}))
            if self.open_id == f.id:
                sign = self.sign_control()
                if sign is not None:
                    items.append(sign)
                sentences = easy(f)
                answer = easy_read_block(sentences) if sentences else KText(
                    logical=pick(f.answer))
                items.append(column(answer, padding=(0, 0, 0, u.mm(3))))
        if not items:
            return KText(logical=ui().t("There are no questions on this kiosk yet."))
        return column(*items, spacing=u.mm(3))

    def sign_video(self) -> Any:
        f = self.services.reading.faq_entry(self.open_id)
        return f.sign_video if f is not None else None

    def spoken_when_opened(self, item_id: str, lang: str) -> str:
        f = self.services.reading.faq_entry(item_id)
        if f is None:
            return ""
        sentences = easy(f, lang)
        return spoken(sentences) if sentences else pick(f.answer, lang)

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        faq = services.reading.faq()
        return {"open": faq[0].id} if faq else {}
