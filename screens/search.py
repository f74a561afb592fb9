"""The search screen: the on-screen keyboard, and products matching what is typed so far
(ContentStore.search: prefix, forgiving of hamza, taa marbuta, diacritics and digits), with the
count written out, and suggestions when nothing matches. What was typed is kept in the session,
so a text-size or language change keeps it and the end of the session wipes it.

Controls: the keyboard's key.*, product.<id> for each result, search.more, and when nothing
matches search.suggestion.<word> and search.categories."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.keyboard import Keyboard
from screens.widgets.layout import column, columns_for, grid
from screens.widgets.text import KText

QUERY_KEY = "search.query"
PAGE = 20
# Words that find something in most catalogues, offered when nothing matches: (id, ar, en).
SUGGESTIONS = (
    ("dates", "تمر", "dates"),
    ("frankincense", "لبان", "frankincense"),
    ("coffee", "قهوة", "coffee"),
    ("halwa", "حلوى", "halwa"),
    ("honey", "عسل", "honey"),
    ("silver", "فضة", "silver"),
)
SPEAK_COUNT_AFTER_S = 1.2  # say the count once the visitor pauses, not after every letter


def count_text(total: int, lang: str) -> str:
    if total == 1:
        return _("1 product found.", lang)
    return _("{count} products found.", lang).format(count=total)


class SearchScreen(KioskScreen):
    screen_name = "search"
    title = registry.TITLES["search"]
    summary = "Type part of a product's name, its maker or its code. Results appear as you type."

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.keyboard: Keyboard | None = None
        self.status: KText | None = None
        self.results: Widget | None = None
        self._speak_count = Clock.create_trigger(self._say_count, SPEAK_COUNT_AFTER_S)

    @property
    def query(self) -> str:
        return self.app.session.entered.get(QUERY_KEY, "")

    def help_text(self, lang: str) -> str:
        return (_("Type with the keys. Delete removes the last letter; the language key "
                  "switches between Arabic and English letters. Matching products appear "
                  "below the keys: tap one to open it.", lang) + "\n\n"
                + super().help_text(lang))

    def build_content(self) -> Widget:
        u = ui().units
        width = self.app.window_width() - u.mm(8)
        self.keyboard = Keyboard(
            width=width, text=self.query, layout=self.params.get("layout"),
            label=ui().t("What are you looking for?"), on_change=self._typed,
            on_done=lambda _t: self._say_count(), on_layout=self._layout_changed,
            speak=self.app.speak, done_label="Done")
        self.status = KText(logical="", bold=True)
        self.results = column()
        self._show_results()
        return column(self.keyboard, self.status, self.results, spacing=u.mm(4))

    def on_deactivate(self) -> None:
        self._speak_count.cancel()

    # -- typing -------------------------------------------------------------------------

    def _layout_changed(self, name: str) -> None:
        self.params["layout"] = name
        if self.app.history and self.app.history[-1][0] == self.screen_name:
            self.app.history[-1] = (self.screen_name, dict(self.params))

    def _typed(self, text: str) -> None:
        self.app.session.entered[QUERY_KEY] = text
        self.params.pop("limit", None)
        self._show_results()
        self._speak_count()

    def _use_word(self, word: str) -> None:
        self.app.session.entered[QUERY_KEY] = word
        if self.keyboard is not None:
            self.keyboard.set_text(word)
        self.params.pop("limit", None)
        self._show_results()
        self._say_count()

    def _say_count(self, *_a) -> None:
        if self.status is not None and self.status.logical:
            self.app.speak(self.status.logical)

    # -- results ------------------------------------------------------------------------

    def _show_results(self) -> None:
        t = ui().t
        lang = ui().lang
        u = ui().units
        box, status = self.results, self.status
        if box is None or status is None:
            return
        box.clear_widgets()
        query = self.query
        if not query.strip():
            self.services.usage.search_result(query, 0)
            status.logical = t("Type a product name, a maker or a product code.")
            return
        limit = int(self.params.get("limit", PAGE))
        found = self.services.search.find(query, limit=limit)
        self.services.usage.search_result(query, found.total)
        if found.total == 0:
            status.logical = t("No products match what you typed.")
            box.add_widget(KText(logical=t("Check the spelling, delete a letter or two, or try "
                                           "one of these words:")))
            words = grid(columns_for(self.app.window_width() - u.mm(8), 60, (3, 2, 1)))
            for word_id, ar, en in SUGGESTIONS:
                word = ar if lang == "ar" else en
                if not self.services.search.finds_anything(word):
                    continue
                words.add_widget(KButton(kiosk_id=f"search.suggestion.{word_id}",
                                         label={"ar": ar, "en": en},
                                         action=lambda w=word: self._use_word(w)))
            box.add_widget(words)
            if "categories" in self.app.screens:
                box.add_widget(KButton(kiosk_id="search.categories",
                                       label=both("Browse products by category"),
                                       action=lambda: self.app.go("categories")))
            return
        status.logical = count_text(found.total, lang)
        for p in found.items:
            box.add_widget(KButton(
                kiosk_id=f"product.{p.id}", align="start",
                label={"ar": f"{p.name.ar}\n{p.manufacturer_name.ar}",
                       "en": f"{p.name.en}\n{p.manufacturer_name.en}"},
                action=lambda pid=p.id: self.app.go("product", id=pid)))
        if found.total > len(found.items):
            box.add_widget(KText(logical=t("Showing the first {shown}.").format(
                shown=len(found.items))))
            box.add_widget(KButton(kiosk_id="search.more", label=both("Show more results"),
                                   action=lambda: self.update_params(limit=limit + PAGE)))
