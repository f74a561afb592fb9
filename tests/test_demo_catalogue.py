"""The demo catalogue in assets/demo/: what a visitor would get from a kiosk running on it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.protocol import GOVERNORATES, POLICY_IDS, Catalogue
from kiosk.protocol.readability import check_easy_read
from offline_cache.catalogue_dir import load_catalogue_dir

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo"
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
ARABIC_ANY = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def demo() -> tuple[Catalogue, dict]:
    return load_catalogue_dir(DEMO)


@pytest.fixture(scope="module")
def cat(demo) -> Catalogue:
    return demo[0]


def bilingual_texts(value, path=""):
    """Every {"ar": ..., "en": ...} pair inside a record, with where it is."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        if set(fields) == {"ar", "en"}:
            if isinstance(value.ar, str):
                yield path, value
            else:  # Easy Read: sentences in each language, read as one text
                yield path, SimpleNamespace(ar=" ".join(x.text for x in value.ar),
                                            en=" ".join(x.text for x in value.en))
            return
        for name in fields:
            yield from bilingual_texts(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, tuple | list):
        for i, v in enumerate(value):
            yield from bilingual_texts(v, f"{path}[{i}]")


def test_demo_directory_loads_with_every_image_present(demo):
    cat, media = demo
    assert cat.blob_refs() == set(media)


def test_there_is_plenty_to_browse(cat):
    assert len(cat.of("product")) >= 60
    assert len(cat.of("category")) >= 8
    assert len(cat.of("manufacturer")) >= 20
    # every category has something in it
    used = {p.category_id for p in cat.of("product").values()}
    assert used == set(cat.of("category"))


def test_every_governorate_has_makers_and_products(cat):
    assert set(cat.of("governorate")) == set(GOVERNORATES)
    assert {m.governorate for m in cat.of("manufacturer").values()} == set(GOVERNORATES)
    assert {p.governorate for p in cat.of("product").values()} == set(GOVERNORATES)


def test_a_product_is_in_its_makers_governorate(cat):
    makers = cat.of("manufacturer")
    for p in cat.of("product").values():
        assert p.governorate == makers[p.manufacturer_id].governorate, p.id


def test_every_product_has_a_picture_described_in_both_languages(cat):
    for p in cat.of("product").values():
        assert p.images, p.id
        for img in p.images:
            assert ARABIC_LETTER.search(img.alt.ar), p.id
            assert LATIN_LETTER.search(img.alt.en), p.id


def test_most_products_carry_the_made_in_oman_mark(cat):
    products = list(cat.of("product").values())
    marked = [p for p in products if "made_in_oman" in p.certifications]
    assert len(marked) >= 0.9 * len(products)


def test_every_product_says_where_to_buy_and_links_to_the_portal(cat):
    for p in cat.of("product").values():
        assert 1 <= len(p.where_to_buy) <= 2, p.id
        assert p.portal_url == f"https://madeinoman.om/products/{p.id}"
        assert re.fullmatch(r"MIO-[A-Z]{2}-\d{4}", p.code), p.code
    assert len({p.code for p in cat.of("product").values()}) == len(cat.of("product"))


def test_names_that_exercise_search_and_bidi_are_present(cat):
    names = [p.name for p in cat.of("product").values()]
    ar = [n.ar for n in names]
    assert any("اللُّبان" in a for a in ar)
    assert any("حلوى" in a for a in ar)
    assert any("قهوة" in a for a in ar)
    assert any("أصيل" in a for a in ar)
    assert any("2025" in n.ar and "2025" in n.en for n in names)
    assert any(re.search(r"[A-Za-z]", a) for a in ar)  # Latin inside Arabic text
    longest = max(names, key=lambda n: len(n.en))
    assert 180 <= len(longest.en) <= 200
    assert len(longest.ar) >= 150


def test_arabic_texts_are_arabic_and_english_texts_are_latin(cat):
    for kind, records in cat.records.items():
        for rid, rec in records.items():
            for where, text in bilingual_texts(rec):
                assert ARABIC_LETTER.search(text.ar), f"{kind} {rid}{where}: {text.ar!r}"
                assert LATIN_LETTER.search(text.en), f"{kind} {rid}{where}: {text.en!r}"
                assert not ARABIC_ANY.search(text.en), f"{kind} {rid}{where}: {text.en!r}"


def test_faq_answers_the_common_questions(cat):
    faq = cat.of("faq")
    assert len(faq) >= 10
    answers = " ".join(f.answer.en for f in faq.values())
    assert "80000070" in answers


def test_service_guide_explains_the_made_in_oman_mark(cat):
    guide = cat.of("guide")
    assert len(guide) >= 3
    mark = [g for g in guide.values() if "Made in Oman mark" in g.title.en]
    assert mark
    g = mark[0]
    assert len(g.documents) >= 3 and len(g.steps) >= 3
    assert g.duration_days > 0 and "working days" in g.duration.en


def test_all_five_policies_are_there_in_plain_words(cat):
    policies = cat.of("policy")
    assert set(policies) == set(POLICY_IDS)
    for p in policies.values():
        assert 100 <= len(p.body.en.split()) <= 250, p.id


def test_easy_read_covers_the_guide_policies_faq_and_at_least_20_products(cat):
    for kind in ("guide", "policy", "faq"):
        missing = [rid for rid, r in cat.of(kind).items() if r.easy_read is None]
        assert missing == [], f"{kind} without Easy Read: {missing}"
    products = [p for p in cat.of("product").values() if p.easy_read is not None]
    assert len(products) >= 20
    # The product the screenshots and the audit open (the first in Arabic name order) has one.
    assert cat.of("product")["portland-cement"].easy_read is not None
    for kind in ("product", "news", "guide", "policy", "faq"):
        for rid, r in cat.of(kind).items():
            if r.easy_read is None:
                continue
            for lang in ("ar", "en"):
                sentences = getattr(r.easy_read, lang)
                assert 2 <= len(sentences) <= 8, f"{kind} {rid} {lang}: {len(sentences)}"


def test_the_teams_easy_read_text_passes_the_readability_check(cat):
    graded = []
    for kind in ("product", "news", "guide", "policy", "faq"):
        for rid, r in cat.of(kind).items():
            if r.easy_read is None:
                continue
            for lang, report in check_easy_read(r.easy_read).items():
                assert report.ok, f"{kind} {rid} {lang}: " + "; ".join(
                    f"sentence {p.sentence}: {p.message}" for p in report.problems)
                assert report.longest_sentence_words <= (15 if lang == "en" else 12)
                if lang == "en":
                    graded.append(report.grade)
    assert graded and max(graded) <= 6.0


def test_one_poll_is_open_from_late_2026_until_the_end_of_2027(cat):
    polls = list(cat.of("poll").values())
    assert len(polls) == 1
    poll = polls[0]
    assert poll.opens_at <= datetime(2026, 11, 28, tzinfo=UTC)
    assert poll.closes_at >= datetime(2027, 12, 31, tzinfo=UTC)
    assert 4 <= len(poll.options) <= 5


def test_satisfaction_survey_has_rating_and_choice_questions(cat):
    surveys = list(cat.of("survey").values())
    assert len(surveys) == 1
    questions = surveys[0].questions
    assert len(questions) >= 4
    ratings = [q for q in questions if q.kind == "rating"]
    assert ratings and all(len(q.choices) == 5 for q in ratings)
    assert ratings[0].choices[0].label.en == "Very dissatisfied"
    assert ratings[0].choices[-1].label.en == "Very satisfied"
    assert any(q.kind == "choice" for q in questions)


def test_site_info_tells_how_to_reach_the_portal(cat):
    site = cat.of("site")["site"]
    assert site.call_centre == "80000070"
    assert site.timezone == "Asia/Muscat"
    assert len(site.office_hours) == 1
    hours = site.office_hours[0]
    assert hours.days == ("sun", "mon", "tue", "wed", "thu")
    assert (hours.opens, hours.closes) == ("07:30", "14:30")
    holidays = {h.date for h in site.holidays}
    assert date(2026, 11, 18) in holidays and date(2027, 11, 18) in holidays
    assert "CC BY 4.0" in site.open_data_licence.en


def test_media_is_small_and_all_png(demo):
    _, media = demo
    total = sum(size for _, size, _ in media.values())
    assert total < 3 * 1024 * 1024
    assert {mt for _, _, mt in media.values()} == {"image/png"}
    files = list((DEMO / "media").iterdir())
    assert len(files) == len(media), "media/ holds files no record points at"


def test_pictures_are_drawn_the_same_way_every_time():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_demo_images", DEMO.parent.parent / "scripts" / "make_demo_images.py"
    )
    images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(images)
    for kind in ("dates", "khanjar", "fish", "cement"):
        first, alt = images.render(kind, "product:test")
        again, _ = images.render(kind, "product:test")
        assert first == again
        assert first.startswith(b"\x89PNG") and len(first) < 20_000
        assert alt["en"].startswith("Drawing of")
