"""Browsing the catalogue and searching it, for the screens: categories, governorates, makers,
pages of products, one product with its pictures' files, and search as the visitor types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store's models load with the store, after the first frame
    from kiosk.device import KioskDevice
    from kiosk.protocol import Name, SignVideo
    from offline_cache.store import (
        Bilingual,
        CategoryItem,
        GovernorateItem,
        ManufacturerItem,
        ProductDetail,
        ProductPage,
        ProductSummary,
        SearchResults,
    )

# What a list of products can be narrowed to, each a record kind of the same name.
FILTERS = ("category", "governorate", "manufacturer")

# The idle screen's loop, when staff named nothing: this many of the newest products with a
# picture, and of the newest news with one, a news item after every three products.
LOOP_PRODUCTS = 6
LOOP_NEWS = 2


@dataclass(frozen=True)
class LoopItem:
    """One item of the idle screen's loop: a product (its maker as ``detail``) or a news item
    (its date), always with a picture."""

    kind: str  # "product" | "news"
    id: str
    name: Any  # .ar / .en
    detail: Any  # .ar / .en, or a date for news
    image_blob: str
    image_alt: Any  # .ar / .en


class Browse:
    """Categories, governorates, manufacturers, pages of products and one product."""

    def __init__(self, device: KioskDevice):
        self._device = device

    def categories(self) -> list[CategoryItem]:
        """In their editorial order, each with how many products it holds."""
        return self._device.store.categories()

    def governorates(self) -> list[GovernorateItem]:
        return self._device.store.governorates()

    def manufacturers(self, lang: str) -> list[ManufacturerItem]:
        """In name order in ``lang``, each with its governorate and product count."""
        return self._device.store.manufacturers(lang=lang)

    def products(self, *, category: str | None = None, governorate: str | None = None,
                 manufacturer: str | None = None, page: int = 0, per_page: int = 10,
                 lang: str = "ar") -> ProductPage:
        """Page ``page`` (from 0) of the products narrowed by the given filters, in name order
        in ``lang``, with the total for the filter."""
        per_page = max(1, int(per_page))
        return self._device.store.products(
            category=category, governorate=governorate, manufacturer=manufacturer,
            offset=max(0, int(page)) * per_page, limit=per_page, lang=lang)

    def product_count(self, *, category: str | None = None, governorate: str | None = None,
                      manufacturer: str | None = None) -> int:
        return self._device.store.products(category=category, governorate=governorate,
                                           manufacturer=manufacturer, limit=0).total

    def list_name(self, *, category: str | None = None, governorate: str | None = None,
                  manufacturer: str | None = None) -> Name | Bilingual | None:
        """The name of what a product list is narrowed to (the first filter given), or None
        for all products or a record no longer in the content."""
        for kind, wanted in (("category", category), ("manufacturer", manufacturer),
                             ("governorate", governorate)):
            if wanted:
                rec = self._device.store.record(kind, wanted)
                return rec.name if rec is not None else None
        return None

    def product(self, product_id: str | None) -> ProductDetail | None:
        """One product with its maker, category, governorate and certifications, or None when
        it is not in the content (any more)."""
        return self._device.store.product(product_id) if product_id else None

    def first_product_id(self) -> str | None:
        page = self._device.store.products(limit=1)
        return page.items[0].id if page.items else None

    def first_with_sign_video(self) -> str | None:
        """A product with a sign-language clip (the first by id), or None: what an audit
        opens the clip's panel on."""
        return self._device.store.first_with_sign_video("product")

    def screen_sign_video(self, screen: str) -> SignVideo | None:
        """The sign-language clip the site gives a screen (by its name), or None."""
        site = self._device.store.site()
        return site.screen_sign_video(screen) if site is not None else None

    def picture(self, blob: str) -> Path:
        """The file of a content picture (it may be missing: a screen then shows the picture's
        text alternative alone)."""
        return self._device.blobs.path(blob)

    def media(self, blob: str) -> Path:
        """The file of a content media blob: a picture or a sign-language clip (it may be
        missing: the panel then shows the clip's captions alone)."""
        return self._device.blobs.path(blob)

    def thumbnail(self, blob: str, px: int) -> Path | None:
        """A small copy of a content picture fitted in a ``px`` square, made once and kept
        (None when the picture is missing or unreadable). Slow the first time: call it from
        a worker thread."""
        return self._device.thumbnails.path(blob, px)

    def newest_products(self, limit: int = 8) -> list[ProductSummary]:
        """The products added most recently (newest first), with their pictures: what the
        attract loop shows when the content names no featured items."""
        return self._device.store.newest_products(limit=limit)

    def loop_items(self) -> list[LoopItem]:
        """What the idle screen's loop shows, in order: the site's featured items (staff pick
        them; those without a picture or gone from the content are left out), else the newest
        products and news with pictures. Empty when the content has no pictures at all."""
        store = self._device.store
        site = store.site()
        items: list[LoopItem] = []
        for ref in (site.featured or ()) if site is not None else ():
            item = (self._product_item(ref.id) if ref.kind == "product"
                    else self._news_item(ref.id))
            if item is not None and all((i.kind, i.id) != (item.kind, item.id) for i in items):
                items.append(item)
        if items:
            return items
        products = [LoopItem("product", p.id, p.name, p.manufacturer_name, p.image_blob,
                             p.image_alt)
                    for p in store.newest_products(limit=LOOP_PRODUCTS) if p.image_blob]
        news = [LoopItem("news", n.id, n.title, n.published_on, n.image.blob, n.image.alt)
                for n in store.news() if n.image is not None][:LOOP_NEWS]
        for n, item in enumerate(news):
            products.insert(min(len(products), 3 * (n + 1) + n), item)
        return products

    def _product_item(self, product_id: str) -> LoopItem | None:
        d = self._device.store.product(product_id)
        if d is None or not d.product.images:
            return None
        img = d.product.images[0]
        maker = d.manufacturer.name if d.manufacturer is not None else None
        return LoopItem("product", d.product.id, d.product.name, maker, img.blob, img.alt)

    def _news_item(self, news_id: str) -> LoopItem | None:
        n = next((n for n in self._device.store.news() if n.id == news_id), None)
        if n is None or n.image is None:
            return None
        return LoopItem("news", n.id, n.title, n.published_on, n.image.blob, n.image.alt)

    def maker_pictures(self) -> dict[str, tuple[str, Bilingual]]:
        """For each manufacturer, the picture of its first product (blob, alt): makers have
        no picture of their own in the wire format, so the list shows what they make."""
        return self._device.store.maker_pictures()


class Search:
    """Products matching what the visitor has typed so far: prefix matching, forgiving of
    hamza, taa marbuta, diacritics and Arabic-Indic digits (offline_cache/search.py)."""

    def __init__(self, device: KioskDevice):
        self._device = device

    def find(self, query: str, limit: int = 20) -> SearchResults:
        return self._device.store.search(query, limit=limit)

    def finds_anything(self, word: str) -> bool:
        """Whether ``word`` matches at least one product (suggestions offer only those)."""
        return self._device.store.search(word, limit=1).total > 0

