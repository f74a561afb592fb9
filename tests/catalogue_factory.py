"""Test catalogues made in code: N bilingual products with categories, makers, images and every
other record kind, plus hand-written products whose names exercise the search's forgiveness
(diacritics, hamza, taa marbuta, alif maqsura, Arabic-Indic digits, Latin accents)."""

from __future__ import annotations

import json
import random
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.protocol import (
    GOVERNORATES,
    Catalogue,
    Snapshot,
    build_snapshot,
    sha256_hex,
)

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)

# Products every catalogue starts with: (id, code, ar, en, category, maker index).
SPELLING_PRODUCTS = [
    ("frankincense-dhofari", "FR-DHF-01", "اللُّبان الظفاري", "Dhofari Frankincense", "crafts", 0),
    ("frankincense-oil", "FR-OIL-02", "زيت اللبان", "Frankincense Oil", "cosmetics", 0),
    ("halwa-omani", "HL-001", "حلوى عُمانية", "Omani Halwa", "food", 1),
    ("coffee-arabic", "CF-001", "قهوة عربية", "Arabic Coffee", "food", 1),
    ("honey-asil", "HN-001", "عسل أصيل", "Asil Honey", "food", 2),
    ("dates-2025", "DT-2025", "تمور موسم 2025", "Dates Season 2025", "food", 2),
    ("date-cream", "DC-001", "كريمة التمر", "Crème de Dattes", "food", 1),
    ("rose-water", "RW-001", "مـاء الورد الجبلي", "Mountain Rose Water", "cosmetics", 2),
]

_CATEGORIES = [
    ("food", "أغذية", "Food"),
    ("crafts", "حرف يدوية", "Handicrafts"),
    ("cosmetics", "مستحضرات تجميل", "Cosmetics"),
    ("building", "مواد بناء", "Building materials"),
    ("textiles", "منسوجات", "Textiles"),
    ("industry", "صناعات", "Industry"),
]
_MAKERS = [
    ("مصنع ظفار للّبان", "Dhofar Frankincense Works"),
    ("مصنع الأصالة", "Al Asala Factory"),
    ("شركة إبراهيم", "Ibrahim Company"),
    ("مصنع النور", "Al Noor Factory"),
    ("شركة الوادي", "Al Wadi Company"),
    ("مؤسسة الجبل", "Al Jabal Establishment"),
    ("مصنع البحر", "Al Bahr Factory"),
    ("شركة السلام", "Al Salam Company"),
]
# Generated names use words the spelling products do not, so search tests can count hits.
_NOUNS = [
    ("صابون", "Soap"), ("عطر", "Perfume"), ("بخور", "Incense"), ("فخار", "Pottery"),
    ("سجاد", "Carpet"), ("خنجر", "Khanjar"), ("سمن", "Ghee"), ("ملح", "Salt"),
    ("رمان", "Pomegranate"), ("اسمنت", "Cement"), ("حديد", "Steel"), ("اثاث", "Furniture"),
    ("ورق", "Paper"), ("دهان", "Paint"), ("عصير", "Juice"), ("حليب", "Milk"),
    ("خبز", "Bread"), ("بسكويت", "Biscuits"), ("مكسرات", "Nuts"), ("بهارات", "Spices"),
    ("زعتر", "Thyme"), ("نسيج", "Fabric"), ("جلود", "Leather"), ("ليمون", "Lime"),
]
_ADJECTIVES = [
    ("ممتاز", "Premium"), ("طبيعي", "Natural"), ("تقليدي", "Traditional"), ("فاخر", "Luxury"),
    ("عضوي", "Organic"), ("صحي", "Healthy"), ("جديد", "New"), ("كلاسيكي", "Classic"),
    ("عائلي", "Family"), ("مميز", "Special"),
]
_GOV_NAMES = {
    "muscat": ("مسقط", "Muscat"), "dhofar": ("ظفار", "Dhofar"), "musandam": ("مسندم", "Musandam"),
    "al_buraimi": ("البريمي", "Al Buraimi"), "ad_dakhiliyah": ("الداخلية", "Ad Dakhiliyah"),
    "al_batinah_north": ("شمال الباطنة", "North Al Batinah"),
    "al_batinah_south": ("جنوب الباطنة", "South Al Batinah"),
    "ash_sharqiyah_north": ("شمال الشرقية", "North Ash Sharqiyah"),
    "ash_sharqiyah_south": ("جنوب الشرقية", "South Ash Sharqiyah"),
    "ad_dhahirah": ("الظاهرة", "Ad Dhahirah"), "al_wusta": ("الوسطى", "Al Wusta"),
}


def tiny_png(seed: int, size: tuple[int, int] = (1, 1)) -> bytes:
    """A valid PNG whose colour (and so hash) depends on ``seed``: 1x1 by default; larger, a
    picture-sized one (the demo's are 320x240) with a band of a second colour across it, so a
    thumbnail of it has real pixels to scale."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    rgb = (seed * 2654435761 & 0xFFFFFF).to_bytes(3, "big")
    w, h = size
    band = bytes(255 - b for b in rgb)
    rows = b"".join(b"\x00" + (band if h // 3 <= y < 2 * h // 3 else rgb) * w
                    for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _t(ar: str, en: str) -> dict[str, str]:
    return {"ar": ar, "en": en}


def catalogue_data(products: int = 24, manufacturers: int = 6, categories: int = 4,
                   image_pool: int = 8, seed: int = 0, picture_size: tuple[int, int] = (1, 1),
                   ) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A catalogue as JSON data (``{kind: [record, ...]}``) and its images ``{sha: bytes}``.
    Edit the data and pass it to ``Catalogue.from_json`` to make another version."""
    rng = random.Random(seed)
    categories = max(3, min(categories, len(_CATEGORIES)))
    manufacturers = max(3, manufacturers)
    images: dict[str, bytes] = {}
    pool = []
    for i in range(max(1, image_pool)):
        png = tiny_png(seed * 100_003 + i, picture_size)
        h = sha256_hex(png)
        images[h] = png
        pool.append(h)

    def image(i: int, what: str) -> dict[str, Any]:
        return {"blob": pool[i % len(pool)], "alt": _t(f"صورة {what}", f"Photo of {what}")}

    cats = [{"id": cid, "name": _t(ar, en), "description": _t(f"منتجات {ar}", f"{en} products"),
             "order": i, "image": image(i, en)}
            for i, (cid, ar, en) in enumerate(_CATEGORIES[:categories])]
    cat_ids = [c["id"] for c in cats]
    makers = []
    for i in range(manufacturers):
        ar, en = _MAKERS[i % len(_MAKERS)]
        if i >= len(_MAKERS):
            ar, en = f"{ar} {i}", f"{en} {i}"
        makers.append({
            "id": f"maker-{i:04d}", "name": _t(ar, en),
            "governorate": GOVERNORATES[i % len(GOVERNORATES)],
            "description": _t(f"مصنع عماني رقم {i}", f"Omani maker number {i}"),
            "phone": "+968 2400 0000",
        })
    prods = []
    for pid, code, ar, en, cat, mk in SPELLING_PRODUCTS[:products]:
        cat = cat if cat in cat_ids else cat_ids[0]
        prods.append((pid, code, ar, en, cat, mk % manufacturers))
    for i in range(len(prods), products):
        nar, nen = _NOUNS[rng.randrange(len(_NOUNS))]
        aar, aen = _ADJECTIVES[rng.randrange(len(_ADJECTIVES))]
        prods.append((f"p{i:05d}", f"P{i:05d}", f"{nar} {aar} {i}", f"{aen} {nen} {i}",
                      cat_ids[rng.randrange(len(cat_ids))], rng.randrange(manufacturers)))
    product_records = []
    for n, (pid, code, ar, en, cat, mk) in enumerate(prods):
        product_records.append({
            "id": pid, "code": code, "name": _t(ar, en),
            "description": _t(f"{ar}: منتج عماني.", f"{en}: made in Oman."),
            "category_id": cat, "manufacturer_id": makers[mk]["id"],
            "governorate": makers[mk]["governorate"],
            "images": [image(n, en)],
            "certifications": ["made-in-oman"] if n % 2 == 0 else [],
            "where_to_buy": [{"name": _t("متجر المصنع", "Factory shop"),
                              "address": _t("مسقط", "Muscat")}],
            "portal_url": f"https://madeinoman.om/products/{pid}",
        })
    data: dict[str, Any] = {
        "schema": 1,
        "category": cats,
        "governorate": [{"id": g, "name": _t(*_GOV_NAMES[g]), "order": i}
                        for i, g in enumerate(GOVERNORATES)],
        "certification": [{"id": "made-in-oman", "name": _t("علامة صنع في عمان",
                                                             "Made in Oman mark"),
                           "description": _t("منتج معتمد", "A certified product")}],
        "manufacturer": makers,
        "product": product_records,
        "news": [{"id": f"news-{i}", "title": _t(f"خبر {i}", f"News {i}"),
                  "summary": _t("ملخص", "Summary"), "body": _t("نص", "Body"),
                  "published_on": (date(2026, 1, 1) + timedelta(days=30 * i)).isoformat()}
                 for i in (2, 0, 1)],
        "faq": [{"id": f"faq-{i}", "question": _t(f"سؤال {i}", f"Question {i}"),
                 "answer": _t("جواب", "Answer"), "order": i} for i in (3, 1, 2)],
        "guide": [{"id": "mark", "title": _t("طلب العلامة", "Applying for the mark"),
                   "summary": _t("خطوات", "Steps"),
                   "documents": [_t("سجل تجاري", "Commercial register")],
                   "steps": [_t("قدّم الطلب", "Apply online")],
                   "duration": _t("عشرة أيام", "Ten days"), "duration_days": 10,
                   "fee": _t("مجاناً", "Free"), "order": 0}],
        "policy": [{"id": pid, "title": _t(f"سياسة {pid}", f"Policy {pid}"),
                    "summary": _t("ملخص", "Summary"), "body": _t("نص", "Body"), "order": i}
                   for i, pid in enumerate(("privacy", "terms", "accessibility",
                                            "participation", "open_data"))],
        "poll": [
            {"id": "open-poll", "question": _t("ما رأيك؟", "What do you think?"),
             "options": [{"id": "yes", "label": _t("نعم", "Yes")},
                         {"id": "no", "label": _t("لا", "No")}],
             "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-31T00:00:00Z"},
            {"id": "closed-poll", "question": _t("سؤال قديم", "Old question"),
             "options": [{"id": "a", "label": _t("أ", "A")}, {"id": "b", "label": _t("ب", "B")}],
             "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2026-02-01T00:00:00Z"},
        ],
        "survey": [{"id": "satisfaction", "title": _t("استبيان", "Survey"),
                    "intro": _t("رأيك يهمنا", "Your view matters"),
                    "questions": [{"id": "overall", "text": _t("التقييم", "Overall"),
                                   "kind": "rating",
                                   "choices": [{"id": str(k), "label": _t(str(k), str(k))}
                                               for k in range(1, 6)],
                                   "required": True}]}],
        "site": [{"id": "site", "portal_name": _t("صنع في عمان", "Made in Oman"),
                  "call_centre": "80000070", "portal_url": "https://madeinoman.om",
                  "timezone": "Asia/Muscat",
                  "office_hours": [{"days": ["sun", "mon", "tue", "wed", "thu"],
                                    "opens": "07:30", "closes": "14:30"}],
                  "address": _t("مسقط", "Muscat"),
                  "open_data_licence": _t("ترخيص البيانات المفتوحة", "Open data licence")}],
    }
    used = {img["blob"] for c in cats for img in [c["image"]]}
    used |= {img["blob"] for p in product_records for img in p["images"]}
    return data, {h: b for h, b in images.items() if h in used}


def make_catalogue(products: int = 24, **kw: Any) -> tuple[Catalogue, dict[str, bytes]]:
    data, images = catalogue_data(products, **kw)
    return Catalogue.from_json(data), images


def media_of(images: dict[str, bytes]) -> dict[str, tuple[int, str]]:
    return {h: (len(b), "image/png") for h, b in images.items()}


def make_snapshot(catalogue: Catalogue, images: dict[str, bytes], version: int,
                  created_at: datetime = NOW) -> Snapshot:
    return build_snapshot(catalogue, media_of(images), version, created_at,
                          created_at + timedelta(days=30))


def write_catalogue_dir(root: Path, data: dict[str, Any], images: dict[str, bytes]) -> Path:
    """A catalogue directory like assets/demo: catalogue.json plus media/<sha>.png."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalogue.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (root / "media").mkdir(exist_ok=True)
    for h, b in images.items():
        (root / "media" / f"{h}.png").write_bytes(b)
    return root


def install(store: Any, snapshot: Snapshot, images: dict[str, bytes],
            source: str = "central") -> None:
    """Stage and activate ``snapshot`` through the store's public API, the way a sync does."""
    store.begin_snapshot(snapshot.manifest, snapshot.index, source)
    kinds = {h: kind for kind, ids in snapshot.index.records.items() for h in ids.values()}
    missing = store.missing_records(snapshot.index)
    store.put_records((kinds[h], h, snapshot.record_bytes[h]) for h in sorted(missing))
    if store.blobs is not None:
        for ref in snapshot.manifest.blobs:
            store.blobs.put_bytes(ref, images[ref.sha256])
    store.activate(snapshot.manifest.version)
