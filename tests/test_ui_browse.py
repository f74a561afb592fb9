"""Browsing the catalogue in the real app: categories, governorates, manufacturers, a paginated
product list, and a product with its pictures' text alternatives, maker, certifications, where
to buy and QR code."""

from __future__ import annotations

import pytest

from tests.helpers import button, last, walk_ok


def ids(report: dict, prefix: str) -> list[str]:
    return [b["id"] for b in report["buttons"] if b["id"].startswith(prefix)]


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


@pytest.mark.parametrize("tile,kind", [("home.categories", "category."),
                                       ("home.governorates", "governorate."),
                                       ("home.manufacturers", "manufacturer.")])
def test_each_browse_tile_lists_its_records(display, kiosk_home, tmp_path, tile, kind):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[{"tap": tile}])
    listed = ids(last(r), kind)
    assert len(listed) >= 4
    # Every entry says how many products it leads to.
    assert all("Products: " in button(last(r), i)["text"] for i in listed)


def test_a_governorate_pages_its_products_and_back_keeps_the_page(display, kiosk_home,
                                                                  tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"tap": "home.governorates"}, {"tap": "governorate.muscat"}, {"report": True},
        {"tap": "products.next"}, {"report": True}])
    first, second = r["reports"][0], r["reports"][1]
    assert first["screen"] == "products"
    assert len(ids(first, "product.")) == 10
    assert "Products: 12. Page 1 of 2." in texts(first)
    assert "products.previous" not in ids(first, "products.")
    assert len(ids(second, "product.")) == 2
    assert "Page 2 of 2" in texts(second)
    steps_ar = [{"tap": "home.governorates"}, {"tap": "governorate.muscat"},
                {"tap": "products.next"}]
    # Pages follow the visitor's language: Arabic name order differs from English.
    product_id = ids(last(walk_ok(display, kiosk_home, tmp_path, "home", lang="ar",
                                steps=steps_ar)), "product.")[0]
    r2 = walk_ok(display, kiosk_home, tmp_path, "home", lang="ar", steps=[
        {"tap": "home.governorates"}, {"tap": "governorate.muscat"}, {"tap": "products.next"},
        {"tap": product_id}, {"report": True}, {"tap": "nav.back"}])
    opened, back = r2["reports"][0], last(r2)
    assert opened["screen"] == "product"
    assert back["screen"] == "products"
    assert "الصفحة 2 من 2" in texts(back)


def test_product_shows_alt_text_maker_certifications_outlets_and_portal_link(
        display, kiosk_home, tmp_path):
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    dev = KioskDevice(KioskPaths(kiosk_home))
    dev.ensure_content()
    detail = dev.store.product("khalas-dates-1kg")
    dev.close()
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"tap": "home.categories"}, {"tap": "category.dates_food"},
        {"tap": "product.khalas-dates-1kg"}])
    rep = last(r)
    shown = texts(rep)
    assert rep["screen"] == "product"
    assert detail.product.name.en in shown
    for img in detail.product.images:
        assert f"Picture 1: {img.alt.en}" in shown
    assert any(detail.product.description.en == t for t in shown)
    assert {"product.maker", "product.category"} <= set(ids(rep, "product."))
    for cert in detail.certifications:
        assert any(t.startswith(cert.name.en) for t in shown)
    for outlet in detail.product.where_to_buy:
        assert any(t.startswith(outlet.name.en) for t in shown)
    assert str(detail.product.portal_url) in shown
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang="en",
              steps=[{"tap": "product.maker"}])
    assert last(r)["screen"] == "products"
