"""The products screen: one page of products for a category, governorate or manufacturer
(or all), in name order in the visitor's language, with Previous page / Next page buttons.

Pages rather than a RecycleView: a page holds at most PAGE_SIZE products, so it is built in a
few milliseconds; a RecycleView needs item heights up front, which our wrapped text does not
have at text scale 2, and its own scrolling would nest inside the screen's scroll area. Pages
also give blind visitors a count to orient by ("page 2 of 5")."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.lists import bilingual, list_picture, record_button
from screens.widgets.text import KText

PAGE_SIZE = 10


class ProductsScreen(KioskScreen):
    screen_name = "products"
    title = registry.TITLES["products"]
    summary = "Choose a product to see its details."

    def _filter(self) -> dict[str, str]:
        return {k: self.params[k] for k in ("category", "governorate", "manufacturer")
                if self.params.get(k)}

    def _filter_name(self) -> Any:
        return self.services.browse.list_name(**self._filter())

    def title_text(self, lang: str) -> str:
        name = self._filter_name()
        return bilingual(name)[lang] if name is not None else _(self.title, lang)

    def summary_text(self, lang: str) -> str:
        page = self._page()
        if page.total == 0:
            return _("There are no products here yet.", lang)
        return _("Products: {total}. Page {page} of {pages}.", lang).format(
            total=page.total, page=self._page_number() + 1, pages=self._pages(page.total))

    def _page_number(self) -> int:
        return max(0, int(self.params.get("page", 0)))

    @staticmethod
    def _pages(total: int) -> int:
        return max(1, -(-total // PAGE_SIZE))

    def _page(self):
        key = (tuple(sorted(self._filter().items())), self._page_number(), ui().lang,
               self.services.content_version())
        if getattr(self, "_cache_key", None) != key:
            self._cache = self.services.browse.products(
                **self._filter(), page=self._page_number(), per_page=PAGE_SIZE,
                lang=ui().lang)
            self._cache_key = key
        return self._cache

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        # A page past the end (content shrank since) shows the last page instead.
        total = self._page().total
        if self._page_number() >= self._pages(total):
            self.params["page"] = self._pages(total) - 1

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        cats = services.browse.categories()
        return {"category": cats[0].id} if cats else {}

    def build_content(self) -> Widget:
        lang = ui().lang
        page = self._page()
        if not page.items:
            return KText(logical=_("There are no products here yet.", lang))
        items: list[Widget] = []
        browse = self.services.browse
        for p in page.items:
            maker = bilingual(p.manufacturer_name)
            items.append(record_button(f"product.{p.id}", p.name, maker,
                                       lambda p=p: self.app.go("product", id=p.id),
                                       picture=list_picture(browse, p.image_blob)))
        n, pages = self._page_number(), self._pages(page.total)
        paging: list[Widget] = []
        if n > 0:
            paging.append(KButton(kiosk_id="products.previous", label=both("Previous page"),
                                  pictogram="previous_page", mirror=True,
                                  action=lambda: self.update_params(page=n - 1)))
        if n + 1 < pages:
            paging.append(KButton(kiosk_id="products.next", label=both("Next page"),
                                  pictogram="next_page", mirror=True,
                                  action=lambda: self.update_params(page=n + 1)))
        if paging:
            items.append(KText(logical=_("Page {page} of {pages}", lang).format(
                page=n + 1, pages=pages), bold=True))
            items.append(row(*paging))
        return column(*items, spacing=ui().units.mm(3))
