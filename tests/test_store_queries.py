"""What the screens ask the content store: lists with counts in a stable order, pages with
totals, one product with everything it points at, and the reading screens' content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.protocol import GOVERNORATES
from offline_cache.blobs import BlobStore
from offline_cache.store import ContentStore
from tests.catalogue_factory import NOW, install, make_catalogue, make_snapshot
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cat, images = make_catalogue(137, manufacturers=9, categories=5)
    s = ContentStore(tmp_path_factory.mktemp("queries") / "content.db")
    install(s, make_snapshot(cat, images, 1), images)
    s.catalogue = cat
    yield s
    s.close()


def test_categories_come_in_editorial_order_with_product_counts(store):
    cats = store.categories()
    assert [c.id for c in cats] == ["food", "crafts", "cosmetics", "building", "textiles"]
    products = store.catalogue.of("product").values()
    for c in cats:
        assert c.product_count == sum(1 for p in products if p.category_id == c.id)
    assert sum(c.product_count for c in cats) == 137
    assert cats[0].name.ar == "أغذية"


def test_governorates_come_in_order_with_counts(store):
    govs = store.governorates()
    assert [g.id for g in govs] == list(GOVERNORATES)
    assert sum(g.product_count for g in govs) == 137
    assert govs[0].name.en == "Muscat"


def test_manufacturers_by_governorate_sorted_by_name(store):
    everyone = store.manufacturers(lang="en")
    assert len(everyone) == 9
    names = [m.name.en for m in everyone]
    assert names == sorted(names, key=str.casefold)
    dhofar = store.manufacturers(governorate="dhofar")
    assert dhofar and all(m.governorate == "dhofar" for m in dhofar)
    assert sum(m.product_count for m in everyone) == 137


def test_pages_cover_a_category_once_each_with_the_total(store):
    food = next(c for c in store.categories() if c.id == "food")
    seen: list[str] = []
    offset = 0
    while True:
        page = store.products(category="food", offset=offset, limit=7, lang="en")
        assert page.total == food.product_count
        if not page.items:
            break
        seen += [p.id for p in page.items]
        offset += 7
    assert len(seen) == len(set(seen)) == food.product_count


def test_products_sort_by_name_in_the_chosen_language(store):
    page = store.products(limit=500, lang="en")
    names = [p.name.en.casefold() for p in page.items]
    assert names == sorted(names)
    assert page.total == 137


def test_products_filter_by_governorate_and_maker(store):
    by_gov = store.products(governorate="dhofar", limit=500)
    assert by_gov.total and all(p.governorate == "dhofar" for p in by_gov.items)
    maker = store.manufacturers()[0]
    by_maker = store.products(manufacturer=maker.id, limit=500)
    assert by_maker.total == maker.product_count
    assert all(p.manufacturer_id == maker.id for p in by_maker.items)


def test_an_unknown_language_is_refused_before_it_reaches_sql(store):
    with pytest.raises(ValueError):
        store.products(lang="en; DROP TABLE record")


def test_one_product_comes_with_its_maker_category_and_certifications(store):
    detail = store.product("halwa-omani")
    assert detail.product.name.en == "Omani Halwa"
    assert detail.manufacturer.name.en == "Al Asala Factory"
    assert detail.category.id == "food"
    assert detail.governorate.id == detail.product.governorate
    assert [c.id for c in detail.certifications] == ["made-in-oman"]
    assert store.product("no-such-product") is None


def test_news_newest_first_faq_guide_and_policies_in_order(store):
    assert [n.id for n in store.news()] == ["news-2", "news-1", "news-0"]
    assert [f.id for f in store.faq()] == ["faq-1", "faq-2", "faq-3"]
    assert [g.id for g in store.guide()] == ["mark"]
    assert [p.id for p in store.policies()][0] == "privacy"
    assert store.policy("open_data").id == "open_data"


def test_only_polls_open_at_the_time_are_offered(store):
    assert [p.id for p in store.polls(NOW)] == ["open-poll"]
    assert [p.id for p in store.polls(datetime(2026, 1, 15, tzinfo=UTC))] == ["closed-poll"]
    assert store.polls(datetime(2030, 1, 1, tzinfo=UTC)) == []
    assert store.poll("closed-poll").options[0].id == "a"


def test_survey_and_site_info(store):
    assert store.survey().id == "satisfaction"
    assert store.survey("satisfaction").questions[0].kind == "rating"
    assert store.site().call_centre == "80000070"


def test_the_bundled_demo_catalogue_imports_and_browses(tmp_path):
    demo = ROOT / "assets" / "demo"
    if not (demo / "catalogue.json").is_file():
        pytest.skip("the demo catalogue is not in this checkout yet")
    store = ContentStore(tmp_path / "content.db", BlobStore(tmp_path / "blobs"))
    store.import_catalogue_dir(demo)
    store.verify_active()
    assert store.product_count() > 0
    assert sum(c.product_count for c in store.categories()) == store.product_count()
    first = store.products(limit=1).items[0]
    assert store.product(first.id).product.id == first.id
    store.close()


def test_a_page_past_the_end_is_empty_but_still_tells_the_total(store):
    page = store.products(category="food", offset=10_000, limit=20)
    assert page.items == [] and page.total > 0
