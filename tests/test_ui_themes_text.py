"""Themes and bidirectional text layout, without a window: contrast of every pair, and Arabic
wrapped into lines before shaping so multi-line text reads top to bottom."""

from __future__ import annotations

import pytest

from screens.textlayout import has_arabic, script_runs, shape_line, wrap_logical
from screens.themes import (
    NON_TEXT_MIN,
    TEXT_MIN,
    THEMES,
    contrast_failures,
    contrast_ratio,
)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#0000FF", "#FFFFFF") == pytest.approx(8.59, abs=0.01)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_pair_is_7_to_1_and_every_non_text_pair_3_to_1(name):
    t = THEMES[name]
    assert contrast_failures(t) == []
    assert all(contrast_ratio(fg, bg) >= TEXT_MIN for _w, fg, bg in t.text_pairs())
    assert all(contrast_ratio(fg, bg) >= NON_TEXT_MIN for _w, fg, bg in t.non_text_pairs())


def test_the_three_themes_exist():
    assert set(THEMES) == {"standard", "high_contrast", "inverted"}


LONG_AR = ("تنتج المصانع العمانية التمور والحلوى واللبان والفضة والنسيج، وتصل منتجاتها "
           "إلى أسواق الخليج والعالم")


def test_arabic_wraps_in_logical_order_then_each_line_is_shaped():
    lines = wrap_logical(LONG_AR, 30, len)
    assert len(lines) > 2
    # Read top to bottom, the lines are the text in order: nothing moved between lines.
    assert " ".join(lines) == LONG_AR
    assert lines[0].startswith("تنتج المصانع")
    for line in lines:
        assert len(line) <= 30 or " " not in line
        display = shape_line(line, rtl=True)
        # Display order is right to left: the first logical word is drawn at the right end.
        first_word = shape_line(line.split()[0], rtl=True)
        assert display.endswith(first_word)


def test_numbers_and_codes_inside_arabic_keep_their_order():
    display = shape_line("رمز المنتج OM-2041 والسعر 12.500", rtl=True)
    assert "OM-2041" in display
    assert "12.500" in display


def test_a_reference_inside_arabic_keeps_its_groups_in_order():
    # After Arabic letters the digits count as Arabic numbers, and a hyphen between those is
    # right to left: without care the groups came out as 5526-0937-4821.
    assert "4821-0937-5526" in shape_line("رقمك المرجعي هو 4821-0937-5526.", rtl=True)
    assert "4821-0937-5526" in shape_line("Your reference is 4821-0937-5526.", rtl=False)
    # Two groups after Arabic stay a span read right to left, as the bidi algorithm has it.
    assert "2015-2010" in shape_line("من 2010-2015", rtl=True)


def test_a_word_wider_than_the_line_is_broken_not_clipped():
    lines = wrap_logical("Supercalifragilistic", 5, len)
    assert all(len(line) <= 5 for line in lines)
    assert "".join(lines) == "Supercalifragilistic"


def test_hard_newlines_and_empty_paragraphs_are_kept():
    assert wrap_logical("one\n\ntwo", 100, len) == ["one", "", "two"]


def test_runs_split_by_script_so_each_gets_a_font_with_its_glyphs():
    runs = script_runs(shape_line("صنع في عمان — Made in Oman", rtl=False))
    assert any(r.arabic for r in runs) and any(not r.arabic for r in runs)
    for r in runs:
        assert has_arabic(r.text) == r.arabic or not r.text.strip()
    # The em dash is not in the Arabic font: it must be in a Latin run.
    assert all("—" not in r.text for r in runs if r.arabic)


def test_brackets_in_arabic_are_mirrored_and_latin_brackets_are_not():
    # Visual order, left to right: the Arabic "(لومي)" must still look like "(...)".
    display = shape_line("ليمون عماني مجفف (لومي)", rtl=True)
    assert display.startswith("(") and display.index(")") > 0
    mixed = shape_line("رمز OM-12 (A)", rtl=True)
    assert "OM-12 (A)" in mixed
    latin = shape_line("Made in Oman (2025)", rtl=False)
    assert latin == "Made in Oman (2025)"
