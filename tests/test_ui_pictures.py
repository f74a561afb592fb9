"""Pictures in the lists, in the real app in both languages: each product, category and maker
shows its picture beside its name (on the widget tree and in the screenshot's pixels), at the
start side of the line; thumbnails are made once per picture and size under $KIOSK_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import walk_ok


def pictured(report: dict, prefix: str) -> list[dict]:
    return [b for b in report["buttons"] if b["id"].startswith(prefix) and b["picture"]]


def colours_in(png: Path, rect: list[float], size: tuple[int, int]) -> int:
    """How many distinct colours the screenshot has inside ``rect`` (x, y, width, height in
    window coordinates, y up)."""
    im = Image.open(png).convert("RGB")
    x1, y1, w, hh = rect
    x2, y2 = x1 + w, y1 + hh
    h = im.height
    box = (int(x1) + 4, int(h - y2) + 4, int(x2) - 4, int(h - y1) - 4)
    return len(set(im.crop(box).getdata()))


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_lists_show_each_items_picture_beside_its_name(display, kiosk_home, tmp_path, lang):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang=lang, steps=[
        {"tap": "home.categories"}, {"report": True},
        {"tap": "category.dates_food"}, {"report": True}, {"shot": "products"},
        {"tap": "nav.home"}, {"tap": "home.manufacturers"}, {"report": True}])
    cats, products, makers = r["reports"][:3]
    for report, prefix in ((cats, "category."), (products, "product."),
                           (makers, "manufacturer.")):
        items = [b for b in report["buttons"] if b["id"].startswith(prefix)]
        with_pic = pictured(report, prefix)
        assert items and len(with_pic) == len(items), prefix
        assert all(b["picture"]["loaded"] for b in with_pic), prefix
        for b in with_pic:  # at the start side: right in Arabic, left in English
            bx1, _, bx2, _ = b["rect"]
            px1, _, px2, _ = b["picture"]["rect"]
            if lang == "ar":
                assert px1 > (bx1 + bx2) / 2
            else:
                assert px2 < (bx1 + bx2) / 2
    # In the pixels: a picture has its own colours, not the button's flat fill.
    shot = Path(r["out"]) / "products.png"
    first = pictured(products, "product.")[0]
    assert colours_in(shot, first["picture"]["rect"], (1080, 1920)) > 8
    # Made once per picture and size, on disk under the kiosk's home.
    thumbs = list((kiosk_home / "cache" / "thumbnails").glob("*-*.png"))
    assert thumbs and all(len(t.stem.split("-")[0]) == 64 for t in thumbs)


def test_paging_buttons_and_tiles_carry_a_pictogram_with_their_label(display, kiosk_home,
                                                                     tmp_path):
    r = walk_ok(display, kiosk_home, tmp_path, "home", lang="en", steps=[
        {"report": True}, {"tap": "home.governorates"}, {"tap": "governorate.muscat"},
        {"report": True}])
    home, products = r["reports"][:2]
    tiles = [b for b in home["buttons"] if b["id"].startswith("home.")]
    assert tiles and all(b["pictogram"] == b["id"][5:] and b["text"] for b in tiles)
    nxt = next(b for b in products["buttons"] if b["id"] == "products.next")
    assert nxt["pictogram"] == "next_page" and nxt["text"] == "Next page"
