"""Search as a visitor types: forgiving of Arabic spelling variants, diacritics, digits and Latin
accents; prefix on the word being typed; exact and starts-with names first; never an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_cache.normalize import index_text, normalize, tokens
from offline_cache.search import match_expression
from offline_cache.store import ContentStore
from tests.catalogue_factory import install, make_catalogue, make_snapshot


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cat, images = make_catalogue(200, manufacturers=8)
    s = ContentStore(tmp_path_factory.mktemp("search") / "content.db")
    install(s, make_snapshot(cat, images, 1), images)
    yield s
    s.close()


@pytest.mark.parametrize("written, typed", [
    ("اللُّبان", "اللبان"),
    ("حلوى", "حلوي"),
    ("قهوة", "قهوه"),
    ("أصيل", "اصيل"),
    ("إبراهيم", "ابراهيم"),
    ("آمنة", "امنه"),
    ("ٱلوادي", "الوادي"),
    ("مؤسسة", "موسسه"),
    ("شاطئ", "شاطي"),
    ("مـاء", "ماء"),
    ("عُمانيّة", "عمانيه"),
    ("الرَّحْمٰن", "الرحمن"),
    ("2025", "٢٠٢٥"),
    ("2025", "۲۰۲۵"),
    ("Crème", "creme"),
    ("FRANKINCENSE", "frankincense"),
    ("Straße", "strasse"),
])
def test_spelling_variants_normalise_to_the_same_form(written, typed):
    assert normalize(written) == normalize(typed)


def test_normalising_removes_invisible_direction_marks():
    assert tokens("\u200fعسل\u200e") == ["عسل"]


def test_the_index_also_holds_words_without_their_article():
    assert index_text("اللُّبان الظفاري").split() == ["اللبان", "الظفاري", "لبان", "ظفاري"]
    assert "لبان" in index_text("للّبان").split()  # li- + al- + luban
    assert "بيع" in index_text("للبيع").split()


@pytest.mark.parametrize("typed, expected", [
    ("اللبان", "frankincense-dhofari"),
    ("حلوي", "halwa-omani"),
    ("قهوه", "coffee-arabic"),
    ("اصيل", "honey-asil"),
    ("٢٠٢٥", "dates-2025"),
    ("لب", "frankincense-dhofari"),
    ("frank", "frankincense-dhofari"),
    ("creme", "date-cream"),
    ("CRÈME DE", "date-cream"),
    ("Omani Halwa", "halwa-omani"),
    ("ماء الورد", "rose-water"),
    ("اللبان الظ", "frankincense-dhofari"),
    ("ظفاري لبان", "frankincense-dhofari"),
    ("HL-001", "halwa-omani"),
    ("hl-00", "halwa-omani"),
])
def test_what_a_visitor_types_finds_the_product(store, typed, expected):
    assert expected in store.search(typed, limit=50).product_ids


def test_a_prefix_finds_all_frankincense_products_as_it_is_typed(store):
    for typed in ("ل", "لب", "لبا", "لبان", "f", "fr", "fra", "frank", "frankincense"):
        ids = store.search(typed, limit=200).product_ids
        assert {"frankincense-dhofari", "frankincense-oil"} <= set(ids), typed


def test_a_word_after_li_and_the_article_is_found_by_its_bare_form(store):
    # Products of "مصنع ظفار للّبان" come up when a visitor types "لبان".
    frankincense_works = {p.id for p in store.products(manufacturer="maker-0000",
                                                        limit=500).items}
    assert frankincense_works <= set(store.search("لبان", limit=200).product_ids)


def test_a_makers_name_finds_its_products(store):
    ids = store.search("Al Asala", limit=200).product_ids
    assert {"halwa-omani", "coffee-arabic", "date-cream"} <= set(ids)


def test_exact_names_come_first_then_names_that_start_with_the_query(store):
    ids = store.search("frankincense oil").product_ids
    assert ids[0] == "frankincense-oil"
    ids = store.search("frank").product_ids
    assert ids[0] == "frankincense-oil"  # its name starts with the word; the other's does not
    assert ids[1] == "frankincense-dhofari"


def test_a_product_name_outranks_a_maker_name(store):
    # "Dhofar Frankincense Works" makes products that are not frankincense; those come later.
    ids = store.search("frankincense", limit=50).product_ids
    assert ids[:2] == ["frankincense-oil", "frankincense-dhofari"]


@pytest.mark.parametrize("typed", [
    '"', "'", '"عسل', "*", "-", "- -", "NEAR", "NEAR(", "NEAR(a b)", "a OR b", "AND", "NOT x",
    "(", ")", "((عسل", "^", "col:soap", "name_en:soap", "{name_ar}: x", "\\", "%", "_", "a*b",
    "'; DROP TABLE record; --", "\x00", " ", "", "🙂", "😀 soap", "+", "soap -soap", ":",
])
def test_fts_syntax_in_a_query_never_raises(store, typed):
    result = store.search(typed)
    assert result.total >= len(result.items)


def test_query_words_are_quoted_so_operators_are_plain_text():
    assert match_expression('NEAR("a" b)*') == '"near" AND "a" AND "b"*'
    assert match_expression("*** ---") is None


def test_results_are_limited_and_the_total_counts_all_matches(store):
    everything = store.search("p", limit=200)
    page = store.search("p", limit=5)
    assert page.total == everything.total > 5
    assert len(page.items) == 5
    assert page.product_ids == everything.product_ids[:5]
    second = store.search("p", limit=5, offset=5)
    assert second.product_ids == everything.product_ids[5:10]


def test_nothing_found_gives_an_empty_list_and_zero(store):
    result = store.search("zzzzqqq")
    assert (result.items, result.total) == ([], 0)


def test_results_carry_what_a_list_shows(store):
    hit = store.search("Omani Halwa").items[0]
    assert hit.name.ar == "حلوى عُمانية"
    assert hit.manufacturer_name.en == "Al Asala Factory"
    assert hit.image_blob and hit.image_alt.en.startswith("Photo of")


@pytest.mark.parametrize("typed", ["s", "p", "frank", "ص", "ال", "2"])
def test_paging_through_results_shows_every_match_once(store, typed):
    everything = store.search(typed, limit=200)
    assert everything.total <= 200  # the whole list fits, to compare against
    seen: list[str] = []
    for offset in range(0, everything.total + 7, 7):
        page = store.search(typed, limit=7, offset=offset)
        assert page.total == everything.total
        seen += page.product_ids
    assert seen == everything.product_ids
    assert len(set(seen)) == everything.total


def test_names_that_start_with_the_query_come_before_other_matches(store):
    results = store.search("s", limit=200)
    starts = [p.name.en.casefold().startswith("s") or p.name.ar.startswith("s")
              for p in results.items]
    assert any(starts) and not all(starts)
    assert starts == sorted(starts, reverse=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text):
    once = normalize(text)
    assert normalize(once) == once
    assert tokens(once) == tokens(text)


@settings(max_examples=300, deadline=None)
@given(typed=st.text(max_size=30) | st.lists(st.sampled_from(
    ['"', "*", "-", "(", ")", "NEAR", "AND", "OR", "NOT", ":", "^", "+", "عسل", "soap", " "]),
    max_size=8).map("".join))
def test_whatever_is_typed_search_answers_without_error(store, typed):
    result = store.search(typed)
    assert result.total >= len(result.items)
