"""The service guide: how to do things with the portal (apply for the Made in Oman mark first).
One entry open at a time; an open entry says what it is, the documents needed and the steps,
each numbered, how long it takes and what it costs."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.context import ui
from screens.reading import ReadingScreen, easy, numbered, pick, section
from screens.widgets.easyread import easy_read_block, spoken
from screens.widgets.layout import column
from screens.widgets.text import KText


class GuideScreen(ReadingScreen):
    screen_name = "guide"
    item_kind = "guide"
    title = registry.TITLES["guide"]
    summary = "How to use the portal's services: what you need, the steps and how long it takes."

    def build_content(self) -> Widget:
        u = ui().units
        items: list[Widget] = []
        for g in self.services.reading.guide():
            items.append(self.item_button(g.id, {"ar": g.title.ar, "en": g.title.en}))
            if self.open_id == g.id:
                sign = self.sign_control()
                if sign is not None:
                    items.append(sign)
                items.append(self._entry(g))
        if not items:
            return KText(logical=ui().t("The service guide is not on this kiosk yet."))
        return column(*items, spacing=u.mm(3))

    def sign_video(self) -> Any:
        g = self.services.reading.guide_entry(self.open_id)
        return g.sign_video if g is not None else None

    def _entry(self, g: Any) -> Widget:
        t = ui().t
        u = ui().units
        sentences = easy(g)
        if sentences:
            return column(easy_read_block(sentences), padding=(0, u.mm(2), 0, u.mm(6)))
        return column(
            KText(logical=pick(g.summary)),
            section(t("Documents you need"), numbered([pick(d) for d in g.documents])),
            section(t("Steps"), numbered([pick(s) for s in g.steps])),
            section(t("Time it takes"), pick(g.duration)),
            section(t("Fee"), pick(g.fee)),
            spacing=u.mm(6), padding=(0, u.mm(2), 0, u.mm(6)))

    def spoken_when_opened(self, item_id: str, lang: str) -> str:
        g = self.services.reading.guide_entry(item_id)
        if g is None:
            return ""
        sentences = easy(g, lang)
        if sentences:
            return spoken(sentences)

        def listed(heading: str, entries: Any) -> str:
            return f"{_(heading, lang)}: " + " ".join(
                f"{i}. {pick(e, lang)}" for i, e in enumerate(entries, 1))

        return " ".join([
            pick(g.summary, lang),
            listed("Documents you need", g.documents),
            listed("Steps", g.steps),
            f"{_('Time it takes', lang)}: {pick(g.duration, lang)}.",
            f"{_('Fee', lang)}: {pick(g.fee, lang)}.",
        ])

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        guide = services.reading.guide()
        return {"open": guide[0].id} if guide else {}
