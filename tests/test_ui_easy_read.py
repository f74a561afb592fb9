"""Easy Read in the real app, one walk per process under Xvfb, in both languages: the visitor
turns it on from the home tile, a product then shows its Easy Read sentences with their
pictograms and speech reads them; a product without an Easy Read version shows its normal text
(and nothing says one is missing); turning it off in the settings brings the normal text back,
and the end of the session turns it off for the next visitor. The FAQ and the service guide
open an item to its Easy Read sentences and speak them."""

from __future__ import annotations

import pytest

from kiosk.i18n import _
from tests.helpers import button, last, walk_ok

WITH = "portland-cement"  # has an Easy Read version in the demo catalogue
WITHOUT = "hollow-blocks-20cm"  # has none
CATEGORY = "building_materials"


@pytest.fixture(scope="module")
def store(kiosk_home):
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    device = KioskDevice(KioskPaths(kiosk_home))
    device.ensure_content()
    yield device.store
    device.close()


def to_product(pid: str) -> list[dict]:
    return [{"tap": "home.categories"}, {"tap": f"category.{CATEGORY}"},
            {"tap": f"product.{pid}"}, {"expect_screen": "product"}]


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_easy_read_on_shows_and_speaks_a_products_easy_read_and_normal_text_where_none(
        display, kiosk_home, tmp_path, store, lang):
    easy = store.product(WITH).product
    sentences = [s.text for s in getattr(easy.easy_read, lang)]
    plain = store.product(WITHOUT).product
    assert plain.easy_read is None
    r = walk_ok(display, kiosk_home, tmp_path, steps=[
        {"tap": f"lang.{lang}"}, {"expect_screen": "home"},
        {"tap": "nav.speak"}, {"expect_spoken": _("Speech is on.", lang)},
        {"tap": "home.easy_read"}, {"expect_spoken": _("Easy Read is on.", lang)},
        {"report": True},
        *to_product(WITH)[:-1],
        # With speech on, arriving reads the product, its Easy Read sentences among it.
        {"expect_spoken": sentences[1]}, {"expect_screen": "product"},
        # The first in view (the gallery's picture above may push the last below the fold;
        # the report below has every sentence on the screen).
        {"expect_text": sentences[0]},
        {"report": True},
        {"tap": "nav.back"}, {"tap": f"product.{WITHOUT}"}, {"expect_screen": "product"},
        {"expect_text": getattr(plain.description, lang)},
        {"report": True},
    ])
    home, product, other = r["reports"][:3]
    tile = button(home, "home.easy_read")
    assert tile["text"] == f"{_('Easy Read', lang)}\n{_('On', lang)}"
    assert home["session"]["easy_read"] is True
    shown = texts(product)
    assert all(s in shown for s in sentences)
    # The Easy Read version stands in for the description, not beside it.
    assert getattr(easy.description, lang) not in shown
    # Each sentence has its pictogram on the reading side of its line.
    spoken = " ".join(product["spoken"])
    assert sentences[0] in spoken and sentences[-1] in spoken
    for s in sentences:
        t = next(x for x in product["texts"] if x["logical"] == s)
        assert t["rtl"] is (lang == "ar")
    assert getattr(plain.description, lang) in texts(other)
    assert not any("Easy Read" in t or _("Easy Read", lang) in t for t in texts(other))


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_turning_easy_read_off_and_the_session_end_bring_the_normal_text_back(
        display, kiosk_home, tmp_path, store, lang):
    p = store.product(WITH).product
    first = getattr(p.easy_read, lang)[0].text
    description = getattr(p.description, lang)
    r = walk_ok(display, kiosk_home, tmp_path, steps=[
        {"tap": f"lang.{lang}"}, {"tap": "nav.speak"},
        {"tap": "home.settings"}, {"expect_screen": "settings"},
        {"tap": "settings.easy_read"}, {"expect_spoken": _("Easy Read is on.", lang)},
        {"report": True},
        {"tap": "nav.home"}, *to_product(WITH), {"expect_text": first},
        {"tap": "nav.home"}, {"tap": "home.settings"},
        {"tap": "settings.easy_read"}, {"expect_spoken": _("Easy Read is off.", lang)},
        {"report": True},
        {"tap": "nav.home"}, *to_product(WITH), {"expect_text": description},
        {"report": True},
        # On again, then the visitor walks away: the next one starts with it off.
        {"tap": "nav.home"}, {"tap": "home.easy_read"},
        {"expect_spoken": _("Easy Read is on.", lang)},
        {"call": "end_session"}, {"expect_screen": "attract"},
        {"tap": f"lang.{lang}"}, {"expect_screen": "home"},
        {"report": True},
        {"tap": "nav.speak"}, *to_product(WITH), {"expect_text": description},
    ])
    on, off, normal, next_visitor = r["reports"][:4]
    assert button(on, "settings.easy_read")["text"] == \
        f"{_('Easy Read', lang)}\n{_('On', lang)}"
    assert button(off, "settings.easy_read")["text"] == \
        f"{_('Easy Read', lang)}\n{_('Off', lang)}"
    assert off["session"]["easy_read"] is False
    assert first not in texts(normal)
    assert next_visitor["session"]["easy_read"] is False
    assert button(next_visitor, "home.easy_read")["text"] == \
        f"{_('Easy Read', lang)}\n{_('Off', lang)}"
    assert first not in texts(last(r))


@pytest.mark.parametrize("lang,screen,kind,rid", [("ar", "faq", "faq", "call-centre"),
                                                 ("en", "guide", "guide", "renew-made-in-oman-mark")])
def test_a_reading_screen_opens_an_items_easy_read_and_speaks_it(
        display, kiosk_home, tmp_path, store, lang, screen, kind, rid):
    record = next(r for r in getattr(store, "faq" if kind == "faq" else "guide")()
                  if r.id == rid)
    sentences = [s.text for s in getattr(record.easy_read, lang)]
    r = walk_ok(display, kiosk_home, tmp_path, screen, lang=lang, speech=True, easy_read=True,
                steps=[{"tap": f"{kind}.{rid}"}, {"expect_spoken": sentences[-1]},
                       {"expect_text": sentences[0]}, {"report": True}])
    shown = texts(r["reports"][0])
    assert all(s in shown for s in sentences)
    normal = record.answer if kind == "faq" else record.summary
    assert getattr(normal, lang) not in shown
