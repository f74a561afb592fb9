"""Easy Read below the screens: the wire format's optional fields (additive, validated), the
pictograms every name has, the readability check, the store and the services handing the
fields to screens, central passing them through publishing (not into open data), and the
visitor session forgetting the setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.config import DEMO_DIR
from kiosk import protocol
from kiosk.protocol import ProtocolError, canonical_json, parse_record, record_to_json
from kiosk.protocol.readability import MAX_ENGLISH_GRADE, check, check_easy_read, words
from kiosk.session import VisitorSession
from kiosk.vocabulary import EASY_READ_ICONS
from tests.conftest import published_central
from tests.helpers import ROOT

ICONS = ROOT / "assets" / "easy_read"


def demo_record(kind: str, rid: str) -> dict:
    data = json.loads((DEMO_DIR / "catalogue.json").read_text(encoding="utf-8"))
    return next(r for r in data[kind] if r["id"] == rid)


def easy(en: list[tuple[str, str]], ar: list[tuple[str, str]]) -> dict:
    return {"en": [{"icon": i, "text": t} for i, t in en],
            "ar": [{"icon": i, "text": t} for i, t in ar]}


# -- the wire format -----------------------------------------------------------------------------

def test_a_record_without_easy_read_is_unchanged_on_the_wire():
    """Old bundles keep working, and a record nobody gave Easy Read keeps its hash."""
    plain = demo_record("product", "fard-dates")
    assert "easy_read" not in plain
    rec = parse_record("product", plain)
    assert rec.easy_read is None
    assert "easy_read" not in record_to_json(rec)
    assert canonical_json(record_to_json(rec)) == canonical_json(plain)


@pytest.mark.parametrize("kind,rid", [("product", "khalas-dates-1kg"), ("faq", "call-centre"),
                                      ("guide", "apply-made-in-oman-mark"),
                                      ("policy", "privacy"), ("news", "kiosks-read-aloud")])
def test_easy_read_round_trips_on_every_kind_a_visitor_reads(kind, rid):
    data = demo_record(kind, rid)
    rec = parse_record(kind, data)
    assert rec.easy_read is not None
    assert record_to_json(rec)["easy_read"] == data["easy_read"]
    assert [s.icon for s in rec.easy_read.en] == [s["icon"] for s in data["easy_read"]["en"]]


def test_an_unknown_pictogram_is_refused_naming_the_field():
    data = dict(demo_record("product", "fard-dates"),
                easy_read=easy([("dates-picture", "These are dates.")], [("food", "هذا تمر.")]))
    with pytest.raises(ProtocolError) as e:
        parse_record("product", data)
    assert "easy_read.en.0.icon" in str(e.value) and "'food'" in str(e.value)


@pytest.mark.parametrize("easy_read,why", [
    (easy([("food", "x" * 161)], [("food", "تمر.")]), "easy_read.en.0.text: too long"),
    (easy([("food", "One.\nTwo.")], [("food", "تمر.")]), "easy_read.en.0.text"),
    (easy([("food", "   ")], [("food", "تمر.")]), "easy_read.en.0.text"),
    (easy([("food", "Dates.")] * 13, [("food", "تمر.")]), "easy_read.en"),
    ({"en": [{"icon": "food", "text": "Dates."}]}, "easy_read.ar: missing translation"),
    (easy([("food", "Dates.")], []), "easy_read.ar"),
])
def test_easy_read_sentences_are_size_limited_and_in_both_languages(easy_read, why):
    data = dict(demo_record("product", "fard-dates"), easy_read=easy_read)
    with pytest.raises(ProtocolError) as e:
        parse_record("product", data)
    assert why in str(e.value)


def test_every_pictogram_name_has_its_picture_and_every_picture_a_name():
    pngs = {p.stem for p in ICONS.glob("*.png")}
    assert pngs == set(EASY_READ_ICONS)
    assert (ICONS / "LICENSE").read_text().startswith("MIT License")
    assert "Tabler Icons" in (ICONS / "README.md").read_text()
    from PIL import Image

    for name in EASY_READ_ICONS:
        with Image.open(ICONS / f"{name}.png") as img:
            rgba = img.convert("RGBA")
            # White on transparent, so the kiosk tints it exactly with the theme's colour.
            colours = {px[:3] for _n, px in rgba.getcolors(1 << 20) if px[3] > 200}
            assert colours == {(255, 255, 255)}, name


# -- the readability check -------------------------------------------------------------------

def test_plain_short_sentences_pass_in_both_languages():
    en = check(["Call 80000070.", "We answer from Sunday to Thursday."], "en")
    assert en.ok and en.grade is not None and en.grade <= MAX_ENGLISH_GRADE
    assert en.longest_sentence_words == 6
    ar = check(["اتصل بالرقم 80000070.", "نرد من الأحد إلى الخميس."], "ar")
    assert ar.ok and ar.grade is None


def test_a_long_sentence_is_flagged_with_what_to_do():
    long = ("The portal team carefully checks every document that the company sends together "
            "with the application before it decides")
    r = check([long], "en")
    assert not r.ok
    assert any("words: make it 15 or fewer" in p.message for p in r.problems)
    ar = check(["يفحص فريق البوابة كل وثيقة ترسلها الشركة مع الطلب بعناية كبيرة قبل أن يقرر ما "
                "يفعل بها"], "ar")
    assert any("make it 12 or fewer" in p.message for p in ar.problems)


def test_a_long_word_is_flagged_in_both_languages():
    r = check(["Read the internationalisation rules."], "en")
    assert [p.sentence for p in r.problems if "internationalisation" in p.message] == [1]
    ar = check(["اقرأ والمستخدمينالجدد القواعد."], "ar")
    assert any("letters" in p.message for p in ar.problems)
    # Diacritics are not letters to count, and numbers are not words.
    assert words("كَتَبَ 80000070 رسالة") == ["كتب", "رسالة"]


def test_hard_english_gets_a_grade_above_the_limit():
    hard = ["Manufacturers' applications necessitate comprehensive documentation.",
            "Certification eligibility considerations involve administrative verification."]
    r = check(hard, "en")
    assert r.grade is not None and r.grade > MAX_ENGLISH_GRADE
    assert any("school grade" in p.message for p in r.problems)


def test_check_easy_read_checks_a_records_both_languages():
    rec = parse_record("faq", demo_record("faq", "call-centre"))
    reports = check_easy_read(rec.easy_read)
    assert set(reports) == {"ar", "en"} and all(r.ok for r in reports.values())
    with pytest.raises(ValueError):
        check(["Hello."], "fr")


# -- the store, the services, the session --------------------------------------------------

@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice
    from kiosk.services import VisitorServices

    device = KioskDevice(KioskPaths(tmp_path_factory.mktemp("kiosk")))
    device.ensure_content()
    yield VisitorServices(device)
    device.close()


def test_the_store_keeps_easy_read_and_the_services_hand_it_to_screens(services):
    detail = services.browse.product("khalas-dates-1kg")
    assert detail.product.easy_read.en[0].text == "These are Khalas dates."
    assert detail.product.easy_read.ar[0].text == "هذا تمر خلاص."
    assert services.browse.product("fard-dates").product.easy_read is None
    reading = services.reading
    assert reading.faq_entry("call-centre").easy_read.en[0].icon == "phone"
    assert reading.guide_entry("apply-made-in-oman-mark").easy_read.ar
    assert reading.policy("privacy").easy_read.en
    assert reading.news_item("kiosks-read-aloud").easy_read.en
    assert all(p.easy_read is not None for p in reading.policies())


def test_easy_read_is_off_for_each_new_visitor():
    s = VisitorSession()
    assert s.easy_read is False
    assert s.set_easy_read(True) is True
    s.reset()
    assert s.easy_read is False


# -- central -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_central(tmp_path_factory, module_central_db):
    with published_central(tmp_path_factory.mktemp("central"), Path(DEMO_DIR),
                           db=module_central_db) as server:
        yield server


def test_central_publishes_easy_read_and_leaves_it_out_of_open_data(demo_central):
    device = demo_central.enroll()
    h = demo_central.auth(device)
    r = demo_central.get("/api/v1/manifest", headers=h)
    manifest = protocol.verify_manifest(r.content, _key(device))
    index = protocol.parse_index(
        demo_central.get(f"/api/v1/blobs/{manifest.index.sha256}", headers=h).content,
        manifest.index)
    sha = index.records["product"]["khalas-dates-1kg"]
    got = demo_central.post("/api/v1/records", headers=h, json={"hashes": [sha]}).json()
    record = got["records"][sha]
    assert record["easy_read"] == demo_record("product", "khalas-dates-1kg")["easy_read"]
    products = demo_central.get("/open-data/products.json").json()
    rows = products["products"] if isinstance(products, dict) else products
    assert rows and not any("easy_read" in row for row in rows)


def _key(device: dict):
    from nacl.signing import VerifyKey

    return VerifyKey(protocol.unb64(device["content_public_key"]))
