"""The search screen in the real app: results as the visitor types in Arabic or English,
forgiving spelling, the count written out, suggestions when nothing matches, products opening,
and what was typed surviving a text-size or language change but not the end of the session."""

from __future__ import annotations

import pytest

from tests.helpers import shows, walk


def result_ids(report: dict) -> list[str]:
    return [b["id"] for b in report["buttons"] if b["id"].startswith("product.")]


def test_typing_qahwa_with_a_final_haa_finds_the_omani_coffee(display, kiosk_home, tmp_path):
    # "قهوه" with a plain haa: the catalogue spells it "قهوة" with a taa marbuta.
    r = walk(display, kiosk_home, tmp_path, "search", [{"type": "قهوه"}], lang="ar")
    assert r["errors"] == []
    last = r["reports"][-1]
    assert "product.omani-coffee-cardamom" in result_ids(last)
    assert shows(last, "قهوة عمانية بالهيل")
    assert shows(last, "عدد المنتجات التي وُجدت: 3.")


def test_typing_in_english_finds_products_and_a_result_opens_the_product(display, kiosk_home,
                                                                         tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "coff"}, {"report": True},
        {"tap": "product.omani-coffee-cardamom"}], lang="en")
    assert r["errors"] == []
    typed = r["reports"][0]
    assert set(result_ids(typed)) == {"product.omani-coffee-cardamom",
                                      "product.coffee-beans-light",
                                      "product.coffee-saffron-rose"}
    assert shows(typed, "3 products found.")
    assert shows(typed, "Omani coffee with cardamom, 500 g")
    opened = r["navigations"][-1]
    assert opened["name"] == "product" and opened["params"] == {"id": "omani-coffee-cardamom"}
    if opened["registered"]:
        assert r["reports"][-1]["screen"] == "product"


def test_the_count_is_spoken_once_the_visitor_pauses(display, kiosk_home, tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "honey"}, {"expect_spoken": "2 products found.", "within": 10}], lang="en",
        speech=True)
    assert r["errors"] == []
    spoken = r["reports"][-1]["spoken"]
    assert spoken[-1] == "2 products found."
    assert [s for s in spoken if "products found" in s] == ["2 products found."]  # once


def test_no_results_says_so_and_offers_words_that_find_something(display, kiosk_home,
                                                                  tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "xqz"}, {"report": True}, {"tap": "search.suggestion.honey"}], lang="en")
    assert r["errors"] == []
    none, suggested = r["reports"]
    assert result_ids(none) == []
    assert shows(none, "No products match what you typed.")
    suggestions = [b["id"] for b in none["buttons"] if b["id"].startswith("search.suggestion.")]
    assert "search.suggestion.honey" in suggestions and len(suggestions) >= 4
    from screens import registry  # no Kivy in the registry

    if "categories" in registry.SCREENS:
        assert "search.categories" in [b["id"] for b in none["buttons"]]
    assert suggested["session"]["entered"]["search.query"] == "honey"
    assert result_ids(suggested) and shows(suggested, "2 products found.")


def test_what_was_typed_survives_text_size_and_language_and_goes_with_the_session(
        display, kiosk_home, tmp_path):
    r = walk(display, kiosk_home, tmp_path, "search", [
        {"type": "honey"}, {"call": "next_text_scale"}, {"report": True},
        {"call": "toggle_lang"}, {"report": True},
        {"call": "end_session"}, {"report": True},
        {"call": "start_session"}, {"tap": "home.search"}, {"report": True}], lang="en")
    assert r["errors"] == []
    bigger, arabic, ended, again = r["reports"][:4]
    assert bigger["session"]["text_scale"] == 1.5
    assert bigger["session"]["entered"]["search.query"] == "honey"
    assert result_ids(bigger)
    assert arabic["session"]["lang"] == "ar" and shows(arabic, "honey")
    assert result_ids(arabic) == result_ids(bigger)
    assert ended["screen"] == "attract" and ended["session"]["entered"] == {}
    assert again["screen"] == "search" and not shows(again, "honey")
    assert result_ids(again) == []


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_results_at_text_scale_2_are_not_clipped(display, kiosk_home, tmp_path, lang):
    word = "تمر" if lang == "ar" else "dates"
    r = walk(display, kiosk_home, tmp_path, "search", [{"type": word}], lang=lang,
              text_scale=2)
    assert r["errors"] == []
    last = r["reports"][-1]
    width = last["window"][0]
    assert result_ids(last)
    for t in last["texts"]:
        x, _y, w, _h = t["rect"]
        assert all(lw <= w + 0.5 for lw in t["line_widths"]), t["logical"]
        assert x >= -0.5 and x + w <= width + 0.5, t["logical"]
    assert last["scroll"]["overflows"]  # long results scroll, with their own buttons
    assert {"scroll.up", "scroll.down"} <= {b["id"] for b in last["buttons"]}
