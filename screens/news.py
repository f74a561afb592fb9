"""The news screen: news and announcements, newest first, each with its date written out in the
visitor's language and its summary; choosing one opens the whole item (picture with its text
alternative, body) with a button back to the list."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.context import ui
from screens.reading import ContentPicture, ReadingScreen, date_text, easy, pick
from screens.widgets.button import KButton
from screens.widgets.easyread import easy_read_block, spoken
from screens.widgets.layout import column
from screens.widgets.text import KText


class NewsScreen(ReadingScreen):
    screen_name = "news"
    item_kind = "news"
    title = registry.TITLES["news"]
    summary = "News and announcements from the portal, newest first. Tap one to read it."

    def anchor_id(self) -> str | None:
        # Back on the list, the item just read is where the visitor left it: at the top.
        seen = self.params.get("seen")
        return f"news.{seen}" if seen and not self.params.get("open") else None

    def _item(self):
        return self.services.reading.news_item(self.params.get("open"))

    def title_text(self, lang: str) -> str:
        item = self._item()
        return pick(item.title, lang) if item is not None else _(self.title, lang)

    def summary_text(self, lang: str) -> str:
        item = self._item()
        if item is None:
            return _(self.summary, lang)
        return _("Published on {date}", lang).format(date=date_text(item.published_on, lang))

    def build_content(self) -> Widget:
        item = self._item()
        return self._list() if item is None else self._detail(item)

    # -- the list ------------------------------------------------------------------------------

    def _list(self) -> Widget:
        u = ui().units
        cards: list[Widget] = []
        for n in self.services.reading.news():
            cards.append(column(
                KButton(kiosk_id=f"news.{n.id}", label={"ar": n.title.ar, "en": n.title.en},
                        state_text={"ar": date_text(n.published_on, "ar"),
                                    "en": date_text(n.published_on, "en")},
                        align="start", action=lambda n=n: self.open(n.id)),
                self._summary(n),
                spacing=u.mm(2)))
        if not cards:
            return KText(logical=ui().t("There is no news on this kiosk yet."))
        return column(*cards, spacing=u.mm(7))

    @staticmethod
    def _summary(n: Any) -> Widget:
        """Under an item's button: its summary, or in Easy Read its first sentence."""
        sentences = easy(n)
        return easy_read_block(sentences[:1]) if sentences else KText(logical=pick(n.summary))

    def open(self, news_id: str) -> None:
        # A history entry of its own: Back returns to the list, at the item just read.
        history = self.app.history
        if history and history[-1][0] == "news":
            history[-1] = ("news", {**history[-1][1], "seen": news_id})
        self.app.go("news", open=news_id)
        item = self._item()
        if item is not None:
            lang = self.app.session.lang
            sentences = easy(item, lang)
            text = spoken(sentences) if sentences else \
                f"{pick(item.summary, lang)} {pick(item.body, lang)}"
            self.app.speak(f"{pick(item.title, lang)}. {self.summary_text(lang)}. "
                           f"{self._alt_caption(item, lang)} {text}")

    # -- one item ------------------------------------------------------------------------------

    @staticmethod
    def _alt_caption(item: Any, lang: str) -> str:
        if item.image is None:
            return ""
        return _("Picture: {alt}", lang).format(alt=pick(item.image.alt, lang))

    def sign_video(self) -> Any:
        item = self._item()
        return item.sign_video if item is not None else None

    def _detail(self, item: Any) -> Widget:
        u = ui().units
        lang = ui().lang
        parts: list[Widget] = [
            KButton(kiosk_id="news.list", label=both("All news"), align="start",
                    action=self.back_to_list)]
        sign = self.sign_control()
        if sign is not None:
            parts.append(sign)
        if item.image is not None:
            picture = ContentPicture(self.services.browse.picture(item.image.blob))
            figure = [picture] if picture.loaded else []
            figure.append(KText(logical=self._alt_caption(item, lang), role="body"))
            parts.append(column(*figure, spacing=u.mm(2)))
        sentences = easy(item)
        if sentences:
            parts.append(easy_read_block(sentences))
        else:
            parts.append(KText(logical=pick(item.summary), bold=True))
            parts.append(KText(logical=pick(item.body)))
        return column(*parts, spacing=u.mm(5))

    def back_to_list(self) -> None:
        history = self.app.history
        if len(history) >= 2 and history[-2][0] == "news" and not history[-2][1].get("open"):
            self.app.back()
        else:
            self.app.go("news", _replace=True, seen=self.params.get("open"))
