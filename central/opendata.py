"""Open data: the published catalogue's products as JSON and CSV, with the content version and
the licence alongside. Built from the newest release only, never from drafts."""

from __future__ import annotations

import csv
import io
from typing import Any

from central.content import PublishedCatalogue
from kiosk import protocol

PRODUCT_FIELDS = (
    "id", "code", "category_id", "manufacturer_id", "governorate",
    "name_ar", "name_en", "description_ar", "description_en", "portal_url",
)


def product_rows(pub: PublishedCatalogue) -> list[dict[str, Any]]:
    rows = []
    for p in pub.records.get("product", {}).values():
        rows.append({
            "id": p["id"], "code": p["code"], "category_id": p["category_id"],
            "manufacturer_id": p["manufacturer_id"], "governorate": p["governorate"],
            "name_ar": p["name"]["ar"], "name_en": p["name"]["en"],
            "description_ar": p["description"]["ar"], "description_en": p["description"]["en"],
            "portal_url": p["portal_url"],
        })
    return rows


def about(pub: PublishedCatalogue) -> dict[str, Any]:
    site = pub.records.get("site", {}).get("site")
    licence = site["open_data_licence"] if site else None
    return {
        "version": pub.version,
        "published_at": protocol.iso(pub.created_at),
        "licence": licence,
        "publisher": site["portal_name"] if site else None,
        "portal_url": site["portal_url"] if site else None,
        "products": len(pub.records.get("product", {})),
        "files": {
            "products.json": "/open-data/products.json",
            "products.csv": "/open-data/products.csv",
        },
        "fields": list(PRODUCT_FIELDS),
    }


def products_json(pub: PublishedCatalogue) -> dict[str, Any]:
    info = about(pub)
    return {"version": info["version"], "published_at": info["published_at"],
            "licence": info["licence"], "products": product_rows(pub)}


def products_csv(pub: PublishedCatalogue) -> str:
    buf = io.StringIO()
    # QUOTE_MINIMAL with the csv module escapes commas, quotes and newlines in descriptions.
    w = csv.DictWriter(buf, fieldnames=PRODUCT_FIELDS, lineterminator="\r\n")
    w.writeheader()
    for row in product_rows(pub):
        w.writerow({k: csv_cell(v) for k, v in row.items()})
    return buf.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula (=HYPERLINK(...), +cmd, @SUM, a tab or CR
    first) starts with a single quote instead, so it is shown as text (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def header_safe(text: str | None) -> str:
    """HTTP header values must be Latin-1; keep ASCII and drop the rest."""
    if not text:
        return ""
    return text.encode("ascii", "ignore").decode("ascii").replace("\r", " ").replace("\n", " ")
