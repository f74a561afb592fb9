"""Open data: every public dataset as JSON and CSV, with the content version and the licence
alongside, built from published releases only (never from drafts); every published version
kept at its own address; a data dictionary, a DCAT catalogue in JSON-LD, an Atom feed of the
news, and a public form to ask for a dataset that lands in the staff feedback list.

Two sorts of dataset:

- **Content** (products, manufacturers, categories, governorates, certifications, news, faq,
  guide): the records of one release. ``/open-data/<name>.json|csv`` is the newest release;
  ``/open-data/v/<version>/<name>.json|csv`` is that version's, for ever: central never
  deletes a release or the pieces it names (``central.content``), so the files of version V are
  rebuilt byte for byte from V's records whenever they are asked for.
- **Counts** (poll-results, survey-results, feedback-counts): what visitors sent, counted now
  (``as_of``), labelled from the newest release. They have no versioned copies: the counts of
  a past day are not kept, and a version's folder holds only what that version published.

Counts hold numbers only: never a comment, a feedback text, a contact or a kiosk, and never a
technician's test submission or an item staff hid; votes over a kiosk's rate limit are counted
only once staff release them (``Central.poll_results``, ``central.results``)."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from central.content import PublishedCatalogue
from central.csvsafe import csv_cell
from central.errors import CentralError, NotFound
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

MUSCAT = ZoneInfo("Asia/Muscat")

PRODUCT_FIELDS = (
    "id", "code", "category_id", "manufacturer_id", "governorate",
    "name_ar", "name_en", "description_ar", "description_en", "portal_url",
)


# ---------------------------------------------------------------------------------------------
# The datasets and their dictionary


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "string", "integer", "date" (YYYY-MM-DD), "array" (of strings)
    en: str
    ar: str

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type,
                               "description": {"ar": self.ar, "en": self.en}}
        if self.type == "array":
            out["csv"] = {"ar": "في CSV: عنصر في كل سطر من الخلية",
                          "en": "in CSV: one item per line of the cell"}
        return out


@dataclass(frozen=True)
class Dataset:
    name: str  # in the address: /open-data/<name>.json
    key: str  # the JSON body's list of rows
    title: dict[str, str]
    description: dict[str, str]
    fields: tuple[Field, ...]
    versioned: bool  # content of a release (kept per version) or counts as of now

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _bi(name: str, en: str, ar: str, type: str = "string") -> tuple[Field, Field]:
    """A text in both languages: ``name_ar`` and ``name_en``."""
    return (Field(f"{name}_ar", type, f"{en} in Arabic", f"{ar} بالعربية"),
            Field(f"{name}_en", type, f"{en} in English", f"{ar} بالإنجليزية"))


_ID = Field("id", "string", "The record's id: stable across versions",
            "معرّف السجل: ثابت بين الإصدارات")
_ORDER = Field("order", "integer", "Its place in the kiosk's list, smallest first",
               "ترتيبه في قائمة الكشك، الأصغر أولاً")

DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset("products", "products", {"en": "Products", "ar": "المنتجات"},
            {"en": "Every published Omani product, in Arabic and English.",
             "ar": "جميع المنتجات العمانية المنشورة، بالعربية والإنجليزية."},
            (_ID, Field("code", "string", "The product code", "رمز المنتج"),
             Field("category_id", "string", "Its category's id (the categories dataset)",
                   "معرّف فئته (مجموعة بيانات الفئات)"),
             Field("manufacturer_id", "string", "Its maker's id (the manufacturers dataset)",
                   "معرّف الجهة المصنّعة (مجموعة بيانات المصنّعين)"),
             Field("governorate", "string", "The governorate's id (the governorates dataset)",
                   "معرّف المحافظة (مجموعة بيانات المحافظات)"),
             *_bi("name", "The name", "الاسم"), *_bi("description", "The description", "الوصف"),
             Field("portal_url", "string", "The product's page on the portal",
                   "صفحة المنتج في البوابة")), True),
    Dataset("manufacturers", "manufacturers", {"en": "Manufacturers", "ar": "المصنّعون"},
            {"en": "The makers of the published products.",
             "ar": "الجهات المصنّعة للمنتجات المنشورة."},
            (_ID, *_bi("name", "The name", "الاسم"),
             Field("governorate", "string", "The governorate's id (the governorates dataset)",
                   "معرّف المحافظة (مجموعة بيانات المحافظات)"),
             *_bi("description", "The description", "الوصف"),
             Field("website", "string", "The maker's website, empty if none",
                   "الموقع الإلكتروني للمصنّع، فارغ إن لم يوجد"),
             Field("phone", "string", "The maker's public phone number, empty if none",
                   "رقم هاتف المصنّع المعلن، فارغ إن لم يوجد")), True),
    Dataset("categories", "categories", {"en": "Categories", "ar": "الفئات"},
            {"en": "The product categories kiosks list.",
             "ar": "فئات المنتجات التي تعرضها الأكشاك."},
            (_ID, *_bi("name", "The name", "الاسم"),
             *_bi("description", "The description", "الوصف"), _ORDER), True),
    Dataset("governorates", "governorates", {"en": "Governorates", "ar": "المحافظات"},
            {"en": "Oman's governorates, as products and makers name them.",
             "ar": "محافظات سلطنة عمان كما تشير إليها المنتجات والمصنّعون."},
            (_ID, *_bi("name", "The name", "الاسم"), _ORDER), True),
    Dataset("certifications", "certifications", {"en": "Certifications", "ar": "الشهادات"},
            {"en": "The certifications a product can hold.",
             "ar": "الشهادات التي قد يحملها المنتج."},
            (_ID, *_bi("name", "The name", "الاسم"),
             *_bi("description", "The description", "الوصف")), True),
    Dataset("news", "news", {"en": "News", "ar": "الأخبار"},
            {"en": "The news items kiosks show, newest first.",
             "ar": "الأخبار التي تعرضها الأكشاك، الأحدث أولاً."},
            (_ID, Field("published_on", "date", "The news item's date (YYYY-MM-DD)",
                        "تاريخ الخبر (سنة-شهر-يوم)"),
             *_bi("title", "The title", "العنوان"), *_bi("summary", "The summary", "الملخص"),
             *_bi("body", "The full text", "النص الكامل")), True),
    Dataset("faq", "faq", {"en": "Frequently asked questions", "ar": "الأسئلة الشائعة"},
            {"en": "Questions visitors ask, with their answers.",
             "ar": "أسئلة يطرحها الزوار مع إجاباتها."},
            (_ID, _ORDER, *_bi("question", "The question", "السؤال"),
             *_bi("answer", "The answer", "الإجابة")), True),
    Dataset("guide", "guide", {"en": "Service guide", "ar": "دليل الخدمات"},
            {"en": "The ministry's services: what to bring, the steps, how long, the fee.",
             "ar": "خدمات الوزارة: المستندات المطلوبة والخطوات والمدة والرسوم."},
            (_ID, _ORDER, *_bi("title", "The title", "العنوان"),
             *_bi("summary", "The summary", "الملخص"),
             *_bi("documents", "The documents to bring, in order", "المستندات المطلوبة بالترتيب",
                  "array"),
             *_bi("steps", "The steps, in order", "الخطوات بالترتيب", "array"),
             *_bi("duration", "How long it takes, in words", "المدة بالكلمات"),
             Field("duration_days", "integer", "How long it takes, in days",
                   "المدة بالأيام"),
             *_bi("fee", "The fee, in words", "الرسوم بالكلمات")), True),
    Dataset("poll-results", "poll_results", {"en": "Poll results", "ar": "نتائج الاستطلاعات"},
            {"en": "Votes counted per option of each published poll, as of now. Technicians' "
                   "test votes, votes staff hid and votes held over a kiosk's limit are not "
                   "counted.",
             "ar": "عدد الأصوات لكل خيار في كل استطلاع منشور حتى الآن، دون أصوات الاختبار "
                   "والأصوات المخفية والمحتجزة."},
            (Field("poll_id", "string", "The poll's id", "معرّف الاستطلاع"),
             *_bi("question", "The poll's question", "سؤال الاستطلاع"),
             Field("option_id", "string", "The option's id", "معرّف الخيار"),
             *_bi("label", "The option", "الخيار"),
             Field("votes", "integer", "Votes counted for the option", "عدد الأصوات للخيار")),
            False),
    Dataset("survey-results", "survey_results", {"en": "Survey results", "ar": "نتائج الاستبيان"},
            {"en": "Answers counted per question and choice of each published survey, as of "
                   "now. Never a comment; test and hidden answers are not counted.",
             "ar": "عدد الإجابات لكل سؤال وخيار في كل استبيان منشور حتى الآن، دون أي تعليق "
                   "ودون إجابات الاختبار والمخفية."},
            (Field("survey_id", "string", "The survey's id", "معرّف الاستبيان"),
             Field("question_id", "string", "The question's id", "معرّف السؤال"),
             *_bi("question", "The question", "السؤال"),
             Field("choice_id", "string", "The choice's id", "معرّف الخيار"),
             *_bi("label", "The choice", "الخيار"),
             Field("answers", "integer", "Answers counted for the choice",
                   "عدد الإجابات للخيار")), False),
    Dataset("feedback-counts", "feedback_counts", {"en": "Feedback counts", "ar": "أعداد الملاحظات"},
            {"en": "How many comments, suggestions, complaints and accessibility reports "
                   "arrived each month, as of now. Numbers only: never a text or a contact; "
                   "test submissions and items staff hid are not counted.",
             "ar": "عدد التعليقات والاقتراحات والشكاوى وبلاغات إمكانية الوصول في كل شهر حتى "
                   "الآن. أرقام فقط، دون أي نص أو بيانات تواصل، ودون رسائل الاختبار "
                   "والرسائل المخفية."},
            (Field("month", "string", "The month it arrived at central, YYYY-MM (Muscat time)",
                   "شهر الوصول إلى النظام المركزي، سنة-شهر (بتوقيت مسقط)"),
             Field("kind", "string", "comment, suggestion, complaint or accessibility",
                   "comment (تعليق) أو suggestion (اقتراح) أو complaint (شكوى) أو "
                   "accessibility (إمكانية الوصول)"),
             Field("count", "integer", "How many arrived", "العدد")), False),
)}
CONTENT_DATASETS = tuple(n for n, d in DATASETS.items() if d.versioned)
COUNT_DATASETS = tuple(n for n, d in DATASETS.items() if not d.versioned)
FORMATS = ("json", "csv")


def dataset(name: str, versioned: bool = False) -> Dataset:
    d = DATASETS.get(name)
    if d is None:
        raise NotFound(f"there is no dataset {name!r}; /open-data/dictionary.json lists them")
    if versioned and not d.versioned:
        raise NotFound(f"{name} is counted as of now, so it has no versioned copies; "
                       f"see /open-data/{name}.json")
    return d


# ---------------------------------------------------------------------------------------------
# Rows


def _recs(pub: PublishedCatalogue, kind: str) -> list[dict]:
    return list(pub.records.get(kind, {}).values())


def product_rows(pub: PublishedCatalogue) -> list[dict[str, Any]]:
    rows = []
    for p in _recs(pub, "product"):
        rows.append({
            "id": p["id"], "code": p["code"], "category_id": p["category_id"],
            "manufacturer_id": p["manufacturer_id"], "governorate": p["governorate"],
            "name_ar": p["name"]["ar"], "name_en": p["name"]["en"],
            "description_ar": p["description"]["ar"], "description_en": p["description"]["en"],
            "portal_url": p["portal_url"],
        })
    return rows


def _texts(rec: dict, *names: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in names:
        value = rec.get(n) or {}
        out[f"{n}_ar"], out[f"{n}_en"] = value.get("ar", ""), value.get("en", "")
    return out


def _lists(rec: dict, name: str) -> dict[str, list[str]]:
    items = rec.get(name) or []
    return {f"{name}_ar": [i["ar"] for i in items], f"{name}_en": [i["en"] for i in items]}


def _by_order(recs: list[dict]) -> list[dict]:
    return sorted(recs, key=lambda r: (r.get("order", 0), r["id"]))


def _content_rows(name: str, pub: PublishedCatalogue) -> list[dict[str, Any]]:
    if name == "products":
        return product_rows(pub)
    if name == "manufacturers":
        return [{"id": m["id"], **_texts(m, "name"), "governorate": m["governorate"],
                 **_texts(m, "description"), "website": m.get("website") or "",
                 "phone": m.get("phone") or ""} for m in _recs(pub, "manufacturer")]
    if name == "categories":
        return [{"id": c["id"], **_texts(c, "name", "description"), "order": c["order"]}
                for c in _by_order(_recs(pub, "category"))]
    if name == "governorates":
        return [{"id": g["id"], **_texts(g, "name"), "order": g["order"]}
                for g in _by_order(_recs(pub, "governorate"))]
    if name == "certifications":
        return [{"id": c["id"], **_texts(c, "name", "description")}
                for c in _recs(pub, "certification")]
    if name == "news":
        news = sorted(_recs(pub, "news"), key=lambda n: (n["published_on"], n["id"]),
                      reverse=True)
        return [{"id": n["id"], "published_on": n["published_on"],
                 **_texts(n, "title", "summary", "body")} for n in news]
    if name == "faq":
        return [{"id": f["id"], "order": f["order"], **_texts(f, "question", "answer")}
                for f in _by_order(_recs(pub, "faq"))]
    if name == "guide":
        return [{"id": g["id"], "order": g["order"], **_texts(g, "title", "summary"),
                 **_lists(g, "documents"), **_lists(g, "steps"), **_texts(g, "duration"),
                 "duration_days": g["duration_days"], **_texts(g, "fee")}
                for g in _by_order(_recs(pub, "guide"))]
    raise NotFound(f"{name} is not a content dataset")


def _poll_rows(central: Central, pub: PublishedCatalogue) -> list[dict[str, Any]]:
    rows = []
    for pid in sorted(pub.records.get("poll", {})):
        r = central.poll_results(pid, published_only=True)
        for o in r.options:
            rows.append({"poll_id": pid, "question_ar": r.question["ar"],
                         "question_en": r.question["en"], "option_id": o.id,
                         "label_ar": o.label["ar"], "label_en": o.label["en"],
                         "votes": o.votes})
    return rows


def _survey_rows(central: Central) -> list[dict[str, Any]]:
    from central import results

    rows = []
    for chart in results.charts(central, results.Period()):
        if chart.kind != "survey":
            continue
        survey_id, _, question_id = chart.id.partition("/")
        for bar in chart.bars:
            rows.append({"survey_id": survey_id, "question_id": question_id,
                         "question_ar": chart.heading.get("ar", ""),
                         "question_en": chart.heading.get("en", ""), "choice_id": bar.id,
                         "label_ar": bar.label.get("ar", ""), "label_en": bar.label.get("en", ""),
                         "answers": bar.count})
    return rows


FEEDBACK_KINDS = ("comment", "suggestion", "complaint", "accessibility")


def _feedback_rows(central: Central) -> list[dict[str, Any]]:
    from central.orm import Submission

    counts: dict[tuple[str, str], int] = {}
    q = (central.q(Submission).filter(type__in=("feedback", "accessibility"), test=False,
                                      hidden=False)
         .values_list("type", "payload", "received_at"))
    for type_, payload, received_at in q.iterator(chunk_size=2000):
        kind = "accessibility" if type_ == "accessibility" else (
            payload.get("kind") if isinstance(payload, dict) else None)
        if kind not in FEEDBACK_KINDS:
            continue
        month = received_at.astimezone(MUSCAT).strftime("%Y-%m")
        counts[(month, kind)] = counts.get((month, kind), 0) + 1
    return [{"month": m, "kind": k, "count": n} for (m, k), n in
            sorted(counts.items(), key=lambda i: (i[0][0], FEEDBACK_KINDS.index(i[0][1])))]


def rows_of(central: Central, name: str, pub: PublishedCatalogue) -> list[dict[str, Any]]:
    if name == "poll-results":
        return _poll_rows(central, pub)
    if name == "survey-results":
        return _survey_rows(central)
    if name == "feedback-counts":
        return _feedback_rows(central)
    return _content_rows(name, pub)


# ---------------------------------------------------------------------------------------------
# Files


def licence_of(pub: PublishedCatalogue) -> dict[str, str] | None:
    site = pub.records.get("site", {}).get("site")
    return dict(site["open_data_licence"]) if site else None


def about(pub: PublishedCatalogue) -> dict[str, Any]:
    site = pub.records.get("site", {}).get("site")
    files = {"products.json": "/open-data/products.json",
             "products.csv": "/open-data/products.csv"}
    for name in DATASETS:
        for fmt in FORMATS:
            files.setdefault(f"{name}.{fmt}", f"/open-data/{name}.{fmt}")
    return {
        "version": pub.version,
        "published_at": protocol.iso(pub.created_at),
        "licence": licence_of(pub),
        "publisher": site["portal_name"] if site else None,
        "portal_url": site["portal_url"] if site else None,
        "products": len(pub.records.get("product", {})),
        "files": files,
        "fields": list(PRODUCT_FIELDS),
        "versions": "/open-data/",
        "dictionary": "/open-data/dictionary.json",
        "catalog": "/open-data/catalog.jsonld",
        "news_feed": "/open-data/news.atom",
        "requests": "/open-data/requests",
    }


def dataset_json(central: Central, name: str, pub: PublishedCatalogue) -> bytes:
    """The body of ``<name>.json``; for content datasets a function of the release alone (the
    same bytes every time), for counts with the time they were counted."""
    d = DATASETS[name]
    body: dict[str, Any] = {"version": pub.version, "published_at": protocol.iso(pub.created_at),
                            "licence": licence_of(pub)}
    if not d.versioned:
        body["as_of"] = protocol.iso(datetime.now(UTC))
    body[d.key] = rows_of(central, name, pub)
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def dataset_csv(central: Central, name: str, pub: PublishedCatalogue) -> bytes:
    return to_csv(DATASETS[name].field_names, rows_of(central, name, pub)).encode("utf-8")


def products_json(pub: PublishedCatalogue) -> dict[str, Any]:
    return {"version": pub.version, "published_at": protocol.iso(pub.created_at),
            "licence": licence_of(pub), "products": product_rows(pub)}


def products_csv(pub: PublishedCatalogue) -> str:
    return to_csv(PRODUCT_FIELDS, product_rows(pub))


def to_csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    # QUOTE_MINIMAL with the csv module escapes commas, quotes and newlines in descriptions.
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: csv_cell("\n".join(v) if isinstance(v, list) else v)
                    for k, v in row.items()})
    return buf.getvalue()


def header_safe(text: str | None) -> str:
    """HTTP header values must be Latin-1; keep ASCII and drop the rest."""
    if not text:
        return ""
    return text.encode("ascii", "ignore").decode("ascii").replace("\r", " ").replace("\n", " ")


# ---------------------------------------------------------------------------------------------
# Versions


_versions_cache: OrderedDict[tuple[int, str], PublishedCatalogue] = OrderedDict()
_versions_lock = threading.Lock()
_VERSIONS_KEPT = 4  # releases held in memory at once (an old version's files are popular)


def release_at(central: Central, version: int) -> PublishedCatalogue:
    """Version ``version``'s records, from the release central keeps for ever."""
    from central import content
    from central.orm import Release

    rel = central.q(Release).filter(version=version).only("version", "index_sha256").first()
    if rel is None:
        raise NotFound(f"there is no published version {version}; /open-data/ lists them")
    key = (rel.version, rel.index_sha256)
    with _versions_lock:
        pub = _versions_cache.get(key)
        if pub is not None:
            _versions_cache.move_to_end(key)
            return pub
    pub = content.release_catalogue(central, version)
    with _versions_lock:
        _versions_cache[key] = pub
        while len(_versions_cache) > _VERSIONS_KEPT:
            _versions_cache.popitem(last=False)
    return pub


def _files(prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    return {f"{n}.{fmt}": f"{prefix}/{n}.{fmt}" for n in names for fmt in FORMATS}


def versions_index(central: Central) -> dict[str, Any]:
    """``/open-data/``: every published version, newest first, with its files' addresses."""
    from central.orm import Release

    pub = central.published_catalogue()
    rows = list(central.q(Release).order_by("-version").values_list("version", "created_at"))
    return {
        "newest": rows[0][0] if rows else None,
        "licence": licence_of(pub) if pub else None,
        "current": {"files": _files("/open-data", tuple(DATASETS)),
                    "note": {"en": "the newest version's content and the counts as of now",
                             "ar": "محتوى أحدث إصدار والأعداد حتى الآن"}},
        "dictionary": "/open-data/dictionary.json",
        "catalog": "/open-data/catalog.jsonld",
        "news_feed": {"ar": "/open-data/news.atom?lang=ar", "en": "/open-data/news.atom?lang=en"},
        "versions": [{"version": v, "published_at": protocol.iso(at),
                      "files": _files(f"/open-data/v/{v}", CONTENT_DATASETS)}
                     for v, at in rows],
    }


def dictionary() -> dict[str, Any]:
    return {"datasets": [{
        "name": d.name, "title": d.title, "description": d.description,
        "json_key": d.key, "versioned": d.versioned,
        "files": {fmt: f"/open-data/{d.name}.{fmt}" for fmt in FORMATS},
        "fields": [f.describe() for f in d.fields]} for d in DATASETS.values()],
        "types": {"string": "text (UTF-8)", "integer": "a whole number",
                  "date": "a date, YYYY-MM-DD", "array": "a list of texts (JSON); in CSV "
                  "one per line of the cell"},
        "csv": {"en": "UTF-8, comma-separated, a header row first; a cell that would start "
                      "with =, +, -, @, a tab or a carriage return starts with ' instead",
                "ar": "UTF-8 مفصولة بفواصل، وأول سطر هو العناوين؛ الخلية التي تبدأ بـ = أو + "
                      "أو - أو @ تبدأ بعلامة ' بدلاً من ذلك"}}


# ---------------------------------------------------------------------------------------------
# The DCAT catalogue


def _lang_values(text: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"@language": lang, "@value": text[lang]} for lang in ("ar", "en")
            if text and text.get(lang)]


def catalog(central: Central, base: str) -> dict[str, Any]:
    """A DCAT catalogue (JSON-LD): one dcat:Dataset per dataset, a dcat:Distribution per
    format. ``base`` is the address central was reached at."""
    from central.orm import Release

    pub = central.published_catalogue()
    if pub is None:
        raise NotFound("no content has been published yet, so there is no open data")
    first = central.q(Release).order_by("version").values_list("created_at", flat=True).first()
    site = pub.records.get("site", {}).get("site") or {}
    issued = protocol.iso(first or pub.created_at)
    modified = protocol.iso(pub.created_at)
    now = protocol.iso(datetime.now(UTC))
    licence = {"@id": f"{base}/open-data/about.json#licence", "@type": "dct:LicenseDocument",
               "rdfs:label": _lang_values(licence_of(pub))}
    publisher = {"@type": "foaf:Organization", "foaf:name": _lang_values(site.get("portal_name")),
                 "foaf:homepage": {"@id": site.get("portal_url", base)}}
    media = {"json": ("application/json", "JSON"), "csv": ("text/csv", "CSV")}
    datasets = []
    for d in DATASETS.values():
        datasets.append({
            "@id": f"{base}/open-data/{d.name}", "@type": "dcat:Dataset",
            "dct:identifier": d.name, "dct:title": _lang_values(d.title),
            "dct:description": _lang_values(d.description), "dct:license": licence,
            "dct:publisher": publisher, "dct:issued": issued,
            "dct:modified": modified if d.versioned else now,
            "dct:conformsTo": {"@id": f"{base}/open-data/dictionary.json#{d.name}"},
            "dcat:distribution": [{
                "@id": f"{base}/open-data/{d.name}.{fmt}", "@type": "dcat:Distribution",
                "dct:title": f"{d.title['en']} ({label})",
                "dcat:accessURL": {"@id": f"{base}/open-data/{d.name}.{fmt}"},
                "dcat:downloadURL": {"@id": f"{base}/open-data/{d.name}.{fmt}"},
                "dcat:mediaType": mt, "dct:format": label, "dct:license": licence,
            } for fmt, (mt, label) in media.items()],
        })
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                     "dct:issued": {"@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
                     "dct:modified": {"@type": "http://www.w3.org/2001/XMLSchema#dateTime"}},
        "@id": f"{base}/open-data/catalog.jsonld", "@type": "dcat:Catalog",
        "dct:title": _lang_values({"en": "Made in Oman open data",
                                   "ar": "البيانات المفتوحة لصنع في عمان"}),
        "dct:description": _lang_values({
            "en": "The Made in Oman kiosks' published content and visitors' counted answers.",
            "ar": "المحتوى المنشور في أكشاك صنع في عمان وأعداد إجابات الزوار."}),
        "dct:publisher": publisher, "dct:license": licence, "dct:issued": issued,
        "dct:modified": modified, "dcat:dataset": datasets,
    }


# ---------------------------------------------------------------------------------------------
# The news as Atom 1.0

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text or "")


def news_atom(pub: PublishedCatalogue, lang: str, base: str) -> bytes:
    """One feed per language (``?lang=ar``, ``?lang=en``), each entry one news item. Entry
    ids are stable across versions (a UUID made from the portal's address and the item's id).
    ElementTree escapes every text; characters XML can not hold are dropped."""
    site = pub.records.get("site", {}).get("site") or {}
    portal = site.get("portal_url") or base
    other = "en" if lang == "ar" else "ar"

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, tag, attrs)
        if text is not None:
            el.text = _clean(text)
        return el

    # Plain tag names under a default xmlns (ElementTree's register_namespace is global).
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: lang})
    sub(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{portal}#news-{lang}").urn)
    titles = {"ar": "أخبار صنع في عمان", "en": "Made in Oman news"}
    sub(feed, "title", titles[lang])
    sub(feed, "updated", protocol.iso(pub.created_at))
    author = sub(feed, "author")
    sub(author, "name", (site.get("portal_name") or {}).get(lang) or titles[lang])
    sub(feed, "link", href=f"{base}/open-data/news.atom?lang={lang}", rel="self",
        type="application/atom+xml")
    sub(feed, "link", href=f"{base}/open-data/news.atom?lang={other}", rel="alternate",
        type="application/atom+xml", hreflang=other)
    sub(feed, "link", href=portal, rel="alternate", type="text/html")
    licence = licence_of(pub)
    if licence:
        sub(feed, "rights", licence[lang])
    for n in _content_rows("news", pub):
        entry = sub(feed, "entry")
        sub(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL,
                                    f"{portal}#news/{n['id']}/{lang}").urn)
        sub(entry, "title", n[f"title_{lang}"])
        sub(entry, "updated", f"{n['published_on']}T00:00:00+04:00")
        sub(entry, "published", f"{n['published_on']}T00:00:00+04:00")
        sub(entry, "link", href=f"{base}/open-data/news.json#{n['id']}", rel="alternate",
            type="application/json")
        sub(entry, "summary", n[f"summary_{lang}"], type="text")
        sub(entry, "content", n[f"body_{lang}"], type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                      xml_declaration=False)


# ---------------------------------------------------------------------------------------------
# Asking for a dataset

REQUEST_TYPE = "data_request"  # a Submission's type: staff see it in the feedback list
REQUEST_DEVICE = "open-data"  # its device_id: the public web, not a kiosk
MAX_REQUEST_BYTES = 16 * 1024  # the body of POST /open-data/requests
MAX_WHAT, MAX_WHY, MAX_EMAIL = 300, 2000, 254
# (most requests, in seconds) per client address
REQUEST_LIMITS = ((3, 600.0), (10, 86400.0))
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _request_text(value: Any, what: str, limit: int, least: int) -> str:
    if not isinstance(value, str):
        raise CentralError(f"The {what} must be text.", status=422)
    text = _CONTROL.sub("", value).strip()
    if len(text) < least:
        raise CentralError(f"Write the {what} first: at least {least} characters.", status=422)
    if len(text) > limit:
        raise CentralError(f"The {what} is too long: at most {limit} characters (this one has "
                           f"{len(text)}).", status=422)
    return text


class TooManyRequests(CentralError):
    def __init__(self, retry_after: int):
        super().__init__("Too many data requests from here. Wait a while, then send it again.",
                         status=429, detail={"retry_after": retry_after})
        self.retry_after = retry_after


def request_limiter() -> Any:
    from central.followup import RateLimiter

    return RateLimiter(REQUEST_LIMITS)


def request_dataset(central: Central, dataset_text: Any, reason: Any, email: Any,
                    lang: str, address: str, limiter: Any) -> dict[str, Any]:
    """A visitor's request for data: stored as a submission of its own kind (its contact
    sealed to the site's key, as kiosks send them), so staff answer it in the feedback list
    and the visitor follows it up by its reference."""
    from django.db import IntegrityError
    from nacl.public import SealedBox

    from central import followup, reference
    from central.db import utcnow
    from central.orm import Submission

    what = _request_text(dataset_text, "description of the data you would like", MAX_WHAT, 3)
    why = _request_text(reason, "reason you would like it", MAX_WHY, 3)
    sealed = None
    if email not in (None, ""):
        if not isinstance(email, str) or len(email) > MAX_EMAIL or not _EMAIL.match(
                email.strip()):
            raise CentralError("The email address is not in the right form, like "
                               "name@example.om; leave it out if you want no answer by email.",
                               status=422)
        sealed = protocol.b64(SealedBox(central.keys.submission.public_key).encrypt(
            protocol.canonical_json({"email": email.strip()})))
    try:
        limiter.hit(address)
    except followup.TooMany as e:
        raise TooManyRequests(e.retry_after) from None
    now = utcnow()
    pub = central.published_catalogue()
    payload = {"dataset": what, "reason": why, "text": f"{what} — {why}"}
    body = protocol.canonical_json({"payload": payload, "at": protocol.iso(now)})
    for _attempt in range(3):
        ref = reference.new_reference()
        try:
            with central.write():
                central.q(Submission).create(
                    id=str(uuid.uuid4()), fingerprint=protocol.sha256_hex(body),
                    receipt=central._new_receipt(now), reference=ref, type=REQUEST_TYPE,
                    device_id=REQUEST_DEVICE, created_at=now, received_at=now,
                    lang=lang if lang in ("ar", "en") else "en",
                    content_version=pub.version if pub else 0, payload=payload,
                    sealed_contact=sealed, test=False)
            break
        except IntegrityError:  # a reference or receipt drawn twice: draw again
            continue
    else:
        raise CentralError("central could not store the request; send it again", status=503)
    shown = reference.shown(ref)
    return {"reference": shown, "status": "new", "follow_up": f"/follow-up/{ref}",
            "message": {"en": f"Thank you. Staff will look at your request; its reference is "
                              f"{shown}.",
                        "ar": f"شكراً لك. سينظر الموظفون في طلبك، ورقمه المرجعي {shown}."}}
