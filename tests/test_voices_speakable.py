"""Speakable text: what the voice reads for numbers, prices, dates, codes, and where sentences
break (pure functions, no engine)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voices.speakable import normalize_digits, prepare, speakable, split_sentences


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_call_centre_number_is_read_digit_by_digit_in_both_languages(lang):
    assert "8 0 0 0 0 0 7 0" in speakable("80000070", lang)


@pytest.mark.parametrize("lang,sentence", [
    ("en", "Your reference is {reference}."),
    ("ar", "رقمك المرجعي هو {reference}."),
])
def test_a_feedback_reference_is_read_digit_by_digit_in_both_languages(lang, sentence):
    # What the thanks and Follow up screens say (screens/thanks.py, SAID_REFERENCE).
    spoken = speakable(sentence.format(reference="4821-0937-5523"), lang)
    assert "4 8 2 1 0 9 3 7 5 5 2 3" in spoken
    assert "4821" not in spoken and "-" not in spoken


def test_arabic_indic_phone_number_is_read_digit_by_digit():
    assert speakable("اتصل على ٨٠٠٠٠٠٧٠", "ar") == "اتصل على 8 0 0 0 0 0 7 0"


def test_arabic_indic_and_persian_digits_become_ascii():
    assert normalize_digits("١٢٣ ۴۵۶ ١٢٫٥") == "123 456 12.5"


def test_grouped_phone_number_with_country_code_is_spelled():
    assert speakable("+968 2412 3456", "en") == "9 6 8 2 4 1 2 3 4 5 6"


def test_quantities_with_thousands_separators_are_read_as_numbers():
    out = speakable("1,250,000 visitors", "en")
    assert out == "1250000 visitors"


def test_short_numbers_are_left_to_the_voice():
    assert speakable("We have 175 products", "en") == "We have 175 products"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Price: 12.500 OMR", "en", "Price: 12 Omani rials and 500 baisa"),
        ("OMR 0.750", "en", "750 baisa"),
        ("RO 1", "en", "1 Omani rial"),
        ("السعر ١٢٫٥ ر.ع.", "ar", "السعر 12 ريال عماني و 500 بيسة"),
        ("السعر 3 ريال عماني", "ar", "السعر 3 ريال عماني"),
    ],
)
def test_prices_in_rials_and_baisa(text, lang, expected):
    assert speakable(text, lang) == expected


def test_dates_are_read_with_month_names():
    assert speakable("Opens 2026-11-28", "en") == "Opens 28 November 2026"
    assert speakable("يفتح ٢٨/١١/٢٠٢٦", "ar") == "يفتح 28 نوفمبر 2026"


def test_times_are_read_on_a_twelve_hour_clock():
    assert speakable("at 14:30", "en") == "at 2 30 PM"
    assert speakable("at 09:05", "en") == "at 9 oh 5 AM"
    assert speakable("الساعة 09:00", "ar") == "الساعة 9 صباحاً"
    assert speakable("يبدأ 14:30", "ar") == "يبدأ الساعة 2 و 30 دقيقة مساءً"


def test_percent_is_said():
    assert speakable("15% more", "en") == "15 percent more"
    assert speakable("خصم ١٥٪", "ar") == "خصم 15 بالمئة"


def test_product_code_is_spelled_letter_by_letter():
    assert speakable("Code MIO-DT-0001", "en") == "Code em eye oh, dee tee, 0 0 0 1"
    assert speakable("الرمز MIO-DT-0001", "ar") == "الرمز إم آي أو، دي تي، 0 0 0 1"


def test_latin_names_inside_arabic_are_kept():
    assert speakable("تمور Nizwa الممتازة", "ar") == "تمور Nizwa الممتازة"


def test_arabic_sentences_split_on_arabic_punctuation_and_newlines():
    text = "مرحبا بكم. هل تريد المساعدة؟ نعم، شكرا؛ انتهى\nسطر جديد"
    assert split_sentences(text) == [
        "مرحبا بكم.", "هل تريد المساعدة؟", "نعم،", "شكرا؛", "انتهى", "سطر جديد"]


def test_english_sentences_split_but_decimals_and_abbreviations_stay_whole():
    text = "Hello there! How are you? Fine; thanks. Price 12.500 R.O. today."
    assert split_sentences(text) == [
        "Hello there!", "How are you?", "Fine;", "thanks.", "Price 12.500 R.O. today."]


def test_price_abbreviation_in_arabic_does_not_end_the_sentence():
    assert split_sentences("السعر 12.500 ر.ع. للعلبة. شكرا") == [
        "السعر 12.500 ر.ع. للعلبة.", "شكرا"]


def test_long_text_without_punctuation_is_cut_between_words():
    pieces = split_sentences("word " * 200)
    assert len(pieces) > 1
    assert all(len(p) <= 220 for p in pieces)
    assert " ".join(pieces).split() == ["word"] * 200


def test_prepare_keeps_logical_text_for_captions_and_drops_empty_pieces():
    sentences = prepare("Call 80000070.\n...\n", "en")
    assert [(s.text, s.spoken) for s in sentences] == [
        ("Call 80000070.", "Call 8 0 0 0 0 0 7 0.")]


# Properties over arbitrary text: nothing is lost when cutting, nothing crashes, phone-like
# numbers are always spelled.

_ALPHABET = st.sampled_from(list("abc XYZ019٠١٩.,!?؟،;؛:-/%\n مرحبا") + ["ر.ع.", "OMR"])
_TEXT = st.lists(_ALPHABET, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_cutting_into_sentences_loses_no_characters(text):
    pieces = split_sentences(text)
    assert "".join(pieces).replace(" ", "") == "".join(text.split())
    assert all(p == p.strip() and p for p in pieces)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["ar", "en"]))
def test_speakable_accepts_any_text(text, lang):
    assert isinstance(speakable(text, lang), str)
    prepare(text, lang)


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=7, max_size=12), st.sampled_from(["ar", "en"]))
def test_any_run_of_seven_or_more_digits_is_spelled(number, lang):
    assert speakable(f"call {number} now", lang) == f"call {' '.join(number)} now"


def test_a_span_of_years_is_not_read_as_a_phone_number():
    assert speakable("Made 2010-2015", "en") == "Made 2010 to 2015"
    assert speakable("من ٢٠١٠-٢٠١٥", "ar") == "من 2010 إلى 2015"
    assert speakable("Call 2412-3456", "en") == "Call 2 4 1 2 3 4 5 6"
