"""`kiosk-central cms-import`: what kiosks have now, into the CMS, so staff start from it.

Reads the newest release (or, with ``from_drafts``, the ``record`` table's drafts) and makes or
updates one snippet per record of each kind the CMS edits, its pictures into the picture
library (one per picture and alt text, named by its SHA-256), each one published at once (a
record already on kiosks needs no new approval). Running it again updates the same snippets
(matched by record id); snippets for records that are not there are left alone."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction

from central import content
from central.cms.images import KioskImage
from central.cms.models import (
    KINDS,
    Category,
    Certification,
    Faq,
    Governorate,
    GuideDocument,
    GuideEntry,
    GuideStep,
    Manufacturer,
    News,
    Policy,
    Poll,
    PollOption,
    Product,
    ProductCertification,
    ProductImage,
    ProductOutlet,
    SiteFeatured,
    SiteHoliday,
    SiteHours,
    SiteInfo,
    SiteScreenSignVideo,
    Survey,
    SurveyChoice,
    SurveyQuestion,
)
from central.cms.videos import ClipInfo, KioskSignVideo
from central.errors import CentralError
from kiosk import protocol

_EXT = {v: k for k, v in protocol.MEDIA_EXTENSIONS.items() if k != ".jpeg"}


@dataclass
class CmsImportReport:
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    pictures: int = 0


def import_into_cms(central: Any, from_drafts: bool = False,
                    kinds: list[str] | None = None) -> CmsImportReport:
    """``kinds``: only these (default every kind the CMS edits)."""
    _check_default_database(central)
    if from_drafts:
        source = "drafts"
        by_kind: dict[str, dict[str, dict]] = {}
        for row in central.list_records():
            by_kind.setdefault(row["kind"], {})[row["id"]] = row["data"]
    else:
        pub = content.published_catalogue(central)
        if pub is None:
            raise CentralError("nothing is published yet; use --from-drafts to import the "
                               "drafts instead")
        source, by_kind = f"version {pub.version}", pub.records
    report = CmsImportReport(source)
    pictures = _Pictures(central)
    with transaction.atomic():
        for kind in KINDS:
            if kinds is not None and kind not in kinds:
                continue
            n = 0
            for data in by_kind.get(kind, {}).values():
                _IMPORTERS[kind](protocol.record_to_json(protocol.parse_record(kind, data)),
                                 pictures)
                n += 1
            report.counts[kind] = n
    report.pictures = pictures.made
    return report


class _Pictures:
    def __init__(self, central: Any):
        self.central = central
        self.made = 0

    def get(self, ref: dict) -> KioskImage:
        sha, alt = ref["blob"], ref["alt"]
        found = KioskImage.objects.filter(sha256=sha, alt_ar=alt["ar"], alt_en=alt["en"]).first()
        if found is not None:
            return found
        blob = self.central.find_blob(sha)
        if blob is None or blob.path is None:
            raise CentralError(f"picture {sha} is named by a record but central has no file "
                               "for it")
        data = blob.path.read_bytes()
        name = f"{sha[:16]}{_EXT.get(blob.media_type, '.png')}"
        img = KioskImage(title=alt["en"][:255], alt_ar=alt["ar"], alt_en=alt["en"],
                         file=ImageFile(io.BytesIO(data), name=name))
        img._set_image_file_metadata()
        img.save()
        self.made += 1
        return img


    def clip(self, ref: dict | None) -> KioskSignVideo | None:
        """The library's clip for a record's ``sign_video`` (made from central's blob, with
        what the record says of it, when the library has none with these captions)."""
        if not ref:
            return None
        sha, captions = ref["blob"], ref["captions"]
        found = KioskSignVideo.objects.filter(sha256=sha, captions_ar=captions["ar"],
                                              captions_en=captions["en"]).first()
        if found is not None:
            return found
        blob = self.central.find_blob(sha)
        if blob is None or blob.path is None:
            raise CentralError(f"sign-language clip {sha} is named by a record but central "
                               "has no file for it")
        data = blob.path.read_bytes()
        suffix = ".webm" if ref["media_type"] == "video/webm" else ".mp4"
        clip = KioskSignVideo(title=captions["en"][:80], captions_ar=captions["ar"],
                              captions_en=captions["en"])
        clip.apply(ClipInfo(ref["media_type"], "", ref["duration_ms"], ref["width"],
                            ref["height"], len(data), sha))
        clip.file.save(f"{sha[:16]}{suffix}", ContentFile(data), save=False)
        clip.save()
        self.made += 1
        return clip


def _upsert(model: type, record_id: str, fields: dict, children: dict | None = None) -> Any:
    obj = model.objects.filter(record_id=record_id).first() or model(record_id=record_id)
    for k, v in fields.items():
        setattr(obj, k, v)
    for k, v in (children or {}).items():
        setattr(obj, k, v)
    obj.save()
    revision = obj.save_revision(log_action=False)
    revision.publish(skip_permission_checks=True, log_action=False)
    return obj


def _governorate(d: dict, pictures: _Pictures) -> None:
    _upsert(Governorate, d["id"], {"name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
                                   "order": d["order"]})


def _category(d: dict, pictures: _Pictures) -> None:
    _upsert(Category, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "order": d["order"], "image": pictures.get(d["image"]) if d.get("image") else None})


def _certification(d: dict, pictures: _Pictures) -> None:
    _upsert(Certification, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"]})


def _manufacturer(d: dict, pictures: _Pictures) -> None:
    _upsert(Manufacturer, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "governorate": d["governorate"], "website": d.get("website", ""),
        "phone": d.get("phone", "")})


def _product(d: dict, pictures: _Pictures) -> None:
    category = Category.objects.filter(record_id=d["category_id"]).first()
    maker = Manufacturer.objects.filter(record_id=d["manufacturer_id"]).first()
    if category is None or maker is None:
        raise CentralError(f"product {d['id']}: its category or manufacturer is not in the "
                           "records being imported")
    certs = {c.record_id: c for c in
             Certification.objects.filter(record_id__in=d.get("certifications", ()))}
    _upsert(Product, d["id"], {
        "code": d["code"], "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "category": category, "manufacturer": maker, "governorate": d["governorate"],
        "portal_url": d["portal_url"], "easy_read": d.get("easy_read"),
        "sign_video": pictures.clip(d.get("sign_video")),
    }, children={
        "images": [ProductImage(image=pictures.get(ref), sort_order=i)
                   for i, ref in enumerate(d.get("images", ()))],
        "outlets": [ProductOutlet(name_ar=o["name"]["ar"], name_en=o["name"]["en"],
                                  address_ar=o["address"]["ar"], address_en=o["address"]["en"],
                                  phone=o.get("phone", ""), url=o.get("url", ""), sort_order=i)
                    for i, o in enumerate(d.get("where_to_buy", ()))],
        "certifications": [ProductCertification(certification=certs[c], sort_order=i)
                           for i, c in enumerate(d.get("certifications", ())) if c in certs],
    })


def _bi(d: dict, key: str, prefix: str | None = None) -> dict:
    """``{"title": {"ar": A, "en": E}}`` as the model's fields ``title_ar``/``title_en``."""
    prefix = prefix or key
    return {f"{prefix}_ar": d[key]["ar"], f"{prefix}_en": d[key]["en"]}


def _news(d: dict, pictures: _Pictures) -> None:
    _upsert(News, d["id"], {
        **_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "body"),
        "published_on": date.fromisoformat(d["published_on"]),
        "image": pictures.get(d["image"]) if d.get("image") else None,
        "easy_read": d.get("easy_read"), "sign_video": pictures.clip(d.get("sign_video"))})


def _faq(d: dict, pictures: _Pictures) -> None:
    _upsert(Faq, d["id"], {**_bi(d, "question"), **_bi(d, "answer"), "order": d["order"],
                           "easy_read": d.get("easy_read"),
                           "sign_video": pictures.clip(d.get("sign_video"))})


def _guide(d: dict, pictures: _Pictures) -> None:
    _upsert(GuideEntry, d["id"], {
        **_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "duration"), **_bi(d, "fee"),
        "duration_days": d["duration_days"], "order": d["order"],
        "easy_read": d.get("easy_read"), "sign_video": pictures.clip(d.get("sign_video")),
    }, children={
        "documents": [GuideDocument(text_ar=t["ar"], text_en=t["en"], sort_order=i)
                      for i, t in enumerate(d["documents"])],
        "steps": [GuideStep(text_ar=t["ar"], text_en=t["en"], sort_order=i)
                  for i, t in enumerate(d["steps"])]})


def _policy(d: dict, pictures: _Pictures) -> None:
    _upsert(Policy, d["id"], {**_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "body"),
                              "order": d["order"], "easy_read": d.get("easy_read"),
                              "sign_video": pictures.clip(d.get("sign_video"))})


def _poll(d: dict, pictures: _Pictures) -> None:
    _upsert(Poll, d["id"], {
        **_bi(d, "question"), "opens_at": _when(d["opens_at"]), "closes_at": _when(d["closes_at"]),
    }, children={"options": [PollOption(option_id=o["id"], label_ar=o["label"]["ar"],
                                        label_en=o["label"]["en"], sort_order=i)
                             for i, o in enumerate(d["options"])]})


def _survey(d: dict, pictures: _Pictures) -> None:
    questions = []
    for i, q in enumerate(d["questions"]):
        question = SurveyQuestion(question_id=q["id"], text_ar=q["text"]["ar"],
                                  text_en=q["text"]["en"], question_kind=q["kind"],
                                  required=q.get("required", False), sort_order=i)
        question.choices = [SurveyChoice(choice_id=c["id"], label_ar=c["label"]["ar"],
                                         label_en=c["label"]["en"], sort_order=j)
                            for j, c in enumerate(q["choices"])]
        questions.append(question)
    _upsert(Survey, d["id"], {**_bi(d, "title"), **_bi(d, "intro")},
            children={"questions": questions})


def _site(d: dict, pictures: _Pictures) -> None:
    featured = d.get("featured")
    _upsert(SiteInfo, d["id"], {
        **_bi(d, "portal_name"), **_bi(d, "address"), **_bi(d, "open_data_licence"),
        "call_centre": d["call_centre"], "email": d.get("email", ""),
        "portal_url": d["portal_url"], "use_featured": featured is not None,
    }, children={
        "office_hours": [SiteHours(opens=h["opens"], closes=h["closes"], sort_order=i,
                                   **{day: day in h["days"] for day in protocol.WEEKDAYS})
                         for i, h in enumerate(d["office_hours"])],
        "holidays": [SiteHoliday(date=date.fromisoformat(h["date"]), name_ar=h["name"]["ar"],
                                 name_en=h["name"]["en"], sort_order=i)
                     for i, h in enumerate(d.get("holidays", ()))],
        "featured": _featured(featured or ()),
        "screen_sign_videos": [
            SiteScreenSignVideo(screen=screen, clip=pictures.clip(ref), sort_order=i)
            for i, (screen, ref) in enumerate((d.get("screen_sign_videos") or {}).items())]})


def _featured(refs: Any) -> list[SiteFeatured]:
    """The site's featured items as rows naming their snippets (products and news are imported
    before the site). One the CMS does not have is left out: kiosks skip it too, as their
    content lacks it."""
    rows = []
    for ref in refs:
        model = Product if ref["kind"] == "product" else News
        item = model.objects.filter(record_id=ref["id"]).first()
        if item is not None:
            rows.append(SiteFeatured(**{ref["kind"]: item}, sort_order=len(rows)))
    return rows


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_IMPORTERS = {"governorate": _governorate, "category": _category, "certification": _certification,
              "manufacturer": _manufacturer, "product": _product, "news": _news, "faq": _faq,
              "guide": _guide, "policy": _policy, "poll": _poll, "survey": _survey,
              "site": _site}


def faq_draft(central: Any, record: dict, by: str) -> None:
    """An FAQ entry made from feedback (central.feedback.add_to_faq) as a CMS draft: a new
    snippet not live yet, or a new revision of the one with that id (its live version
    untouched), waiting for a publisher's approval like any editor's draft."""
    if central.db != "default":  # the CMS lives in the server's own database only
        return
    from django.contrib.auth import get_user_model

    fields = {"question_ar": record["question"]["ar"], "question_en": record["question"]["en"],
              "answer_ar": record["answer"]["ar"], "answer_en": record["answer"]["en"]}
    user = get_user_model().objects.filter(username=by).first()
    obj = Faq.objects.filter(record_id=record["id"]).first()
    if obj is None:
        obj = Faq(record_id=record["id"], order=record["order"], live=False, **fields)
        obj.save()
    else:
        for k, v in fields.items():
            setattr(obj, k, v)
    obj.save_revision(user=user)


def _check_default_database(central: Any) -> None:
    if central.db != "default":
        raise CentralError("the CMS works on the server's own database (CENTRAL_DB_URL or "
                           "--db): open central with that one")
