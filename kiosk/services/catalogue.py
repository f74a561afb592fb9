"""Browsing the catalogue and searching it, for the screens: categories, governorates, makers,
pages of products, one product with its pictures' files, and search as the visitor types."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store's models load with the store, after the first frame
    from kiosk.device import KioskDevice
    from kiosk.protocol import Name
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

    def picture(self, blob: str) -> Path:
        """The file of a content picture (it may be missing: a screen then shows the picture's
        text alternative alone)."""
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

