"""The product page's picture gallery, in the real app in both languages: one picture at a time
with "Picture 2 of 3: <alt>" under it, Previous / Next picture (they stop at the ends and say
so), Full screen (an overlay with the picture larger, its alt text, Previous / Next and Close;
Back closes it too), each change said aloud; by touch and by the keypad alone. The demo's first
product (the sample one) has three pictures; the one after it by Arabic name has one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.helpers import KIOSK, ROOT, button, kiosk_env, walk_ok

DEMO = ROOT / "assets" / "demo"
CATALOGUE = json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))
PRODUCTS = {p["id"]: p for p in CATALOGUE["product"]}
GALLERY = PRODUCTS["portland-cement"]  # the first by Arabic name: the screen's sample product
SINGLE = PRODUCTS["sulphate-resistant-cement"]
FORMAT = {"en": "Picture {n} of {count}: {alt}", "ar": "الصورة {n} من {count}: {alt}"}


def label(lang: str, n: int, product: dict = GALLERY) -> str:
    images = product["images"]
    return FORMAT[lang].format(n=n, count=len(images), alt=images[n - 1]["alt"][lang])


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


def shown_picture(report: dict, in_overlay: bool = False) -> dict:
    found = [p for p in report["pictures"] if p["in_overlay"] == in_overlay
             and p["loaded"] and p["opacity"] > 0]
    assert len(found) == 1, report["pictures"]
    return found[0]


def difference(shot: Path, drawn: list[float], blob: str) -> float:
    """How far the screenshot's pixels where the picture is drawn are from the picture file
    ``blob`` (mean difference per channel, 0-255), both scaled to one small size."""
    im = Image.open(shot).convert("RGB")
    x, y, w, h = drawn
    top = im.height - (y + h)
    crop = im.crop((int(x) + 3, int(top) + 3, int(x + w) - 3, int(top + h) - 3))
    source = Image.open(DEMO / "media" / f"{blob}.png").convert("RGB")
    size = (64, 48)
    diff = ImageChops.difference(crop.resize(size), source.resize(size))
    return sum(ImageStat.Stat(diff).mean) / 3


def test_the_first_product_of_the_demo_has_three_pictures_with_their_own_alt_texts():
    images = GALLERY["images"]
    assert len(images) >= 3 and len(SINGLE["images"]) == 1
    assert len({i["blob"] for i in images}) == len(images)
    for lang in ("ar", "en"):
        assert len({i["alt"][lang] for i in images}) == len(images)
    assert all((DEMO / "media" / f"{i['blob']}.png").exists() for i in images)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_gallery_pages_through_the_pictures_and_opens_one_full_screen(
        display, kiosk_home, tmp_path, lang):
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, speech=True, steps=[
        {"report": True}, {"shot": "first"},
        {"tap": "product.picture.forward"}, {"report": True}, {"shot": "second"},
        {"tap": "product.picture.full"}, {"report": True}, {"shot": "full"},
        {"key": "back"}, {"report": True}])
    first, second, full, back = r["reports"][:4]
    out = Path(r["out"])
    blobs = [i["blob"] for i in GALLERY["images"]]
    assert GALLERY["name"][lang] in texts(first)  # the sample product is the gallery's
    # Picture 1 of 3, its alt text under it; Previous is there but says it can not go back.
    assert label(lang, 1) in texts(first) and label(lang, 2) not in texts(first)
    page1 = shown_picture(first)
    assert page1["file"] == blobs[0]
    prev, nxt = button(first, "product.picture.backward"), button(first, "product.picture.forward")
    assert prev["disabled"] and ("غير متاح" if lang == "ar" else "Unavailable") in prev["text"]
    assert not nxt["disabled"] and nxt["pictogram"] == "next_page"
    assert prev["pictogram"] == "previous_page"
    assert button(first, "product.picture.full")["pictogram"] == "full_screen"
    # In reading order: Previous before Next, at the start side (right in Arabic).
    if lang == "ar":
        assert prev["rect"][0] > nxt["rect"][0]
    else:
        assert prev["rect"][0] < nxt["rect"][0]
    # As large as the content's width allows.
    assert page1["drawn"][2] > 0.85 * first["scroll"]["rect"][2]
    # Next: picture 2, written, said, and drawn: the pixels are the second file's.
    assert label(lang, 2) in texts(second) and label(lang, 1) not in texts(second)
    assert label(lang, 2) in second["spoken"]
    page2 = shown_picture(second)
    assert page2["file"] == blobs[1]
    assert not button(second, "product.picture.backward")["disabled"]
    assert difference(out / "first.png", page1["drawn"], blobs[0]) < 25
    assert difference(out / "second.png", page2["drawn"], blobs[1]) < 25
    assert difference(out / "second.png", page2["drawn"], blobs[0]) > \
        2 * difference(out / "second.png", page2["drawn"], blobs[1])
    # Full screen: an overlay with the same picture, larger, its alt text and its controls.
    assert full["overlay"] == "gallery"
    big = shown_picture(full, in_overlay=True)
    assert big["file"] == blobs[1]
    assert big["drawn"][2] * big["drawn"][3] > page2["drawn"][2] * page2["drawn"][3]
    assert big["drawn"][2] >= 0.95 * full["window"][0]
    assert label(lang, 2) in texts(full)
    assert full["focus_order"] == ["picture.backward", "picture.forward", "picture.close"]
    assert difference(out / "full.png", big["drawn"], blobs[1]) < 25
    # Back closes it: the product page, on the same picture.
    assert back["overlay"] is None and back["screen"] == "product"
    assert shown_picture(back)["file"] == blobs[1] and label(lang, 2) in texts(back)
    assert back["history"] == ["product"]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_keypad_alone_reaches_every_gallery_control_and_back_closes_full_screen(
        display, kiosk_home, tmp_path, lang):
    unavailable = {"en": "Next picture, unavailable: This is the last picture.",
                   "ar": "الصورة التالية، غير متاح: هذه هي الصورة الأخيرة."}[lang]
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, speech=True, steps=[
        {"report": True},
        {"keys_to": "product.picture.forward"}, {"key": "action"},
        {"keys_to": "product.picture.full"}, {"key": "action"}, {"report": True},
        {"keys_to": "picture.forward"}, {"key": "action"}, {"report": True},
        {"key": "action"}, {"expect_spoken": unavailable}, {"report": True},
        {"key": "back"}, {"report": True}])
    page, full, third, still, back = r["reports"][:5]
    order = page["focus_order"]
    for kiosk_id in ("product.picture.backward", "product.picture.forward",
                     "product.picture.full"):
        assert kiosk_id in order
    assert order.index("product.picture.backward") < order.index("product.picture.forward") \
        < order.index("product.picture.full") < order.index("product.maker")
    assert full["overlay"] == "gallery" and label(lang, 2) in texts(full)
    assert label(lang, 3) in texts(third) and label(lang, 3) in third["spoken"]
    assert button(third, "picture.forward")["disabled"]
    # On the last picture, Next stops there and says why; the picture stays.
    assert label(lang, 3) in texts(still) and still["overlay"] == "gallery"
    assert back["overlay"] is None and back["screen"] == "product"
    assert shown_picture(back)["file"] == GALLERY["images"][2]["blob"]
    assert label(lang, 3) in texts(back) and label(lang, 3) in back["spoken"][-1]
    assert button(back, "product.picture.forward")["disabled"]


def test_close_returns_to_the_page_and_a_language_change_keeps_the_picture_full_screen(
        display, kiosk_home, tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang="en", steps=[
        {"tap": "product.picture.forward"}, {"tap": "product.picture.forward"},
        {"tap": "product.picture.full"}, {"tap": "picture.backward"},
        {"key": "lang"}, {"report": True},
        {"tap": "picture.close"}, {"report": True}])
    switched, closed = r["reports"][:2]
    # The language key rebuilt the screen: the overlay is open again, in Arabic, on picture 2.
    assert switched["session"]["lang"] == "ar" and switched["overlay"] == "gallery"
    assert label("ar", 2) in texts(switched)
    assert shown_picture(switched, in_overlay=True)["file"] == GALLERY["images"][1]["blob"]
    assert closed["overlay"] is None and label("ar", 2) in texts(closed)
    assert shown_picture(closed)["file"] == GALLERY["images"][1]["blob"]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_product_with_one_picture_has_no_previous_or_next(display, kiosk_home, tmp_path,
                                                            lang):
    r = walk_ok(display, kiosk_home, tmp_path, "product", lang=lang, steps=[
        {"tap": "product.category"}, {"tap": f"product.{SINGLE['id']}"}, {"report": True}])
    rep = r["reports"][0]
    assert SINGLE["name"][lang] in texts(rep)
    ids = {b["id"] for b in rep["buttons"]}
    assert not {"product.picture.backward", "product.picture.forward"} & ids
    assert "product.picture.full" in ids
    alt = SINGLE["images"][0]["alt"][lang]
    single = {"en": f"Picture 1: {alt}", "ar": f"الصورة 1: {alt}"}[lang]
    assert single in texts(rep)
    assert shown_picture(rep)["file"] == SINGLE["images"][0]["blob"]


def test_the_audit_measures_the_full_screen_picture_overlay_on_its_own(display, kiosk_home,
                                                                       tmp_path):
    out = tmp_path / "audit.json"
    proc = subprocess.run([*KIOSK, "audit", "--screen", "product:gallery", "--out", str(out)],
                          cwd=ROOT, env=kiosk_env(display, kiosk_home), capture_output=True,
                          text=True, timeout=900)
    report = json.loads(out.read_text(encoding="utf-8"))
    failures = "\n".join(f"{f['lang']}/{f['theme']}/x{f['scale']} {f['widget']} {f['check']}: "
                         f"{f['message']}" for f in report["failures"][:30])
    assert proc.returncode == 0 and report["ok"], failures
    assert report["pages"] == ["product:gallery"]
    n = report["counts"]["combinations"]
    # The overlay alone: its one picture (not the page's picture and QR code behind it), its
    # Close control in place of the bar, and its frame measured against the panel.
    assert report["checks"]["picture_alt"]["checked"] == n
    assert report["checks"]["nav_bar"]["checked"] == n
    assert report["checks"]["pictogram_contrast"]["checked"] >= 4 * n  # 3 pictograms, frame
    assert report["checks"]["focus_trap"]["checked"] == n
