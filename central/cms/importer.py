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
from functools import cache
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone

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
    KioskRecord,
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
    search_index_deferred,
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
    from wagtail.signal_handlers import disable_reference_index_auto_update

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
    run = _Import(central)
    with transaction.atomic():
        # Each save would update the reference index ("used by" on delete pages) and the
        # search index again, three saves a record: they are brought up to date once, at the
        # end, for everything saved.
        with disable_reference_index_auto_update(), search_index_deferred():
            for kind in KINDS:
                if kinds is not None and kind not in kinds:
                    continue
                n = 0
                for data in by_kind.get(kind, {}).values():
                    _IMPORTERS[kind](protocol.record_to_json(protocol.parse_record(kind, data)),
                                     run)
                    n += 1
                report.counts[kind] = n
        run.update_indexes()
    report.pictures = run.made
    return report


class _Import:
    """One import's look-ups, each read from the database once: the picture and clip
    libraries, and each kind's snippets by record id; and what it saved."""

    def __init__(self, central: Any):
        self.central = central
        self.made = 0
        self._images: dict[tuple[str, str, str], KioskImage] | None = None
        self._clips: dict[tuple[str, str, str], KioskSignVideo] | None = None
        self._snippets: dict[type, dict[str, Any]] = {}
        self._in_workflow: dict[type, set[str]] = {}  # snippets' pks in an approval
        self.saved: dict[type, list[Any]] = {}

    def snippet(self, model: type, record_id: str) -> Any:
        """The snippet with this record id, or None."""
        if model not in self._snippets:
            from django.contrib.contenttypes.models import ContentType
            from wagtail.models import WorkflowState

            self._snippets[model] = {o.record_id: o for o in model.objects.all()}
            self._in_workflow[model] = set(WorkflowState.objects.active().filter(
                base_content_type=ContentType.objects.get_for_model(model),
            ).values_list("object_id", flat=True))
        return self._snippets[model].get(record_id)

    def upsert(self, model: type, record_id: str, fields: dict,
               children: dict | None = None) -> Any:
        obj = self.snippet(model, record_id) or model(record_id=record_id)
        for k, v in fields.items():
            setattr(obj, k, v)
        existed = obj.pk is not None
        _save(obj, children or {})
        if existed and (str(obj.pk) in self._in_workflow[model] or (
                obj.go_live_at is not None and obj.go_live_at > timezone.now())):
            # Wagtail's publish cancels the approval under way, or schedules the revision
            # for the snippet's go-live time.
            revision = obj.save_revision(log_action=False)
            revision.publish(skip_permission_checks=True, log_action=False)
        else:
            _publish_now(obj, existed)
        self._snippets.setdefault(model, {})[record_id] = obj
        self.saved.setdefault(model, []).append(obj.pk)
        return obj

    def get(self, ref: dict) -> KioskImage:
        sha, alt = ref["blob"], ref["alt"]
        if self._images is None:
            self._images = {}
            for img in _first_first(KioskImage.objects.all()):
                self._images.setdefault((img.sha256, img.alt_ar, img.alt_en), img)
        found = self._images.get((sha, alt["ar"], alt["en"]))
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
        self._images[(sha, alt["ar"], alt["en"])] = img
        self.saved.setdefault(KioskImage, []).append(img.pk)
        self.made += 1
        return img

    def clip(self, ref: dict | None) -> KioskSignVideo | None:
        """The library's clip for a record's ``sign_video`` (made from central's blob, with
        what the record says of it, when the library has none with these captions)."""
        if not ref:
            return None
        sha, captions = ref["blob"], ref["captions"]
        if self._clips is None:
            self._clips = {}
            for c in _first_first(KioskSignVideo.objects.all()):
                self._clips.setdefault((c.sha256, c.captions_ar, c.captions_en), c)
        found = self._clips.get((sha, captions["ar"], captions["en"]))
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
        self._clips[(sha, captions["ar"], captions["en"])] = clip
        self.saved.setdefault(KioskSignVideo, []).append(clip.pk)
        self.made += 1
        return clip

    def update_indexes(self) -> None:
        """The reference index and the search index for everything saved, as the saves'
        own signal handlers would have left them (read back from the database, as they do)."""
        from wagtail.models import ReferenceIndex
        from wagtail.search.backends import get_search_backends

        backends = list(get_search_backends(with_auto_update=True))
        for model, pks in self.saved.items():
            children = list(_child_relations(model))
            for start in range(0, len(pks), 500):
                chunk = pks[start:start + 500]
                if ReferenceIndex.is_indexed(model):
                    for obj in model.objects.filter(pk__in=chunk).prefetch_related(*children):
                        ReferenceIndex.create_or_update_for_object(obj)
                if issubclass(model, KioskRecord):  # pictures and clips were indexed as saved
                    indexed = list(model.get_indexed_objects().filter(pk__in=chunk))
                    for backend in backends:
                        backend.add_bulk(model, indexed)


def _save(obj: Any, children: dict[str, list]) -> None:
    """``obj.save()`` with these child rows in place of the ones it has. Rows without children
    of their own are written one relation at a time (a DELETE of the old ones, one INSERT),
    where modelcluster reads, deletes and saves them row by row; they stay on ``obj`` as
    saved, so its revision serializes them without reading them back."""
    from modelcluster.models import ClusterableModel

    if any(isinstance(c, ClusterableModel) for rows in children.values() for c in rows):
        for name, rows in children.items():
            setattr(obj, name, rows)
        obj.save()
        return
    existed = obj.pk is not None
    obj.save()
    for name, rows in children.items():
        relation = _child_relations(type(obj))[name]
        parent = relation.field.name
        if existed:
            relation.related_model.objects.filter(**{parent: obj}).delete()
        for row in rows:
            setattr(row, parent, obj)
        relation.related_model.objects.bulk_create(rows)
        setattr(obj, name, rows)


@cache
def _child_relations(model: type) -> dict[str, Any]:
    from modelcluster.models import get_all_child_relations

    return {r.get_accessor_name(): r for r in get_all_child_relations(model)}


@cache
def _foreign_keys(model: type) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def _publish_now(obj: Any, existed: bool) -> None:
    """What ``obj.save_revision()`` and ``revision.publish()`` leave for a snippet just saved
    that has no go-live time ahead and no approval under way: a revision of it, live and
    latest, its live fields written by one UPDATE (Wagtail's publish would read the revision
    back into a new object, check its foreign keys, and save it and its child rows again)."""
    from wagtail.models import Revision
    from wagtail.signals import published

    # Wagtail's save_revision cleans the snippet first; its foreign keys are left out here,
    # as each names a row this import has just read or written.
    obj.full_clean(exclude=_foreign_keys(type(obj)))
    revision = Revision.objects.create(
        content_object=obj, base_content_type=obj.get_base_content_type(), user=None,
        approved_go_live_at=None, content=obj.serializable_data(), object_str=str(obj))
    if existed:  # publishing now clears every revision's schedule
        obj.revisions.exclude(approved_go_live_at=None).update(approved_go_live_at=None)
    now = timezone.now()
    live = {"latest_revision": revision, "live_revision": revision, "live": True,
            "has_unpublished_changes": False, "expired": False, "last_published_at": now,
            "first_published_at": obj.first_published_at or now}
    for k, v in live.items():
        setattr(obj, k, v)
    # An UPDATE rather than a save: a save's only handlers are the indexes', done at the end.
    type(obj).objects.filter(pk=obj.pk).update(**live)
    published.send(sender=type(obj), instance=obj, revision=revision)


def _first_first(qs: Any) -> Any:
    """``qs`` in the order ``.first()`` takes (so the same one wins among equals)."""
    return qs if qs.ordered else qs.order_by("pk")


def _governorate(d: dict, run: _Import) -> None:
    run.upsert(Governorate, d["id"], {"name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
                                      "order": d["order"]})


def _category(d: dict, run: _Import) -> None:
    run.upsert(Category, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "order": d["order"], "image": run.get(d["image"]) if d.get("image") else None})


def _certification(d: dict, run: _Import) -> None:
    run.upsert(Certification, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"]})


def _manufacturer(d: dict, run: _Import) -> None:
    run.upsert(Manufacturer, d["id"], {
        "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "governorate": d["governorate"], "website": d.get("website", ""),
        "phone": d.get("phone", "")})


def _product(d: dict, run: _Import) -> None:
    category = run.snippet(Category, d["category_id"])
    maker = run.snippet(Manufacturer, d["manufacturer_id"])
    if category is None or maker is None:
        raise CentralError(f"product {d['id']}: its category or manufacturer is not in the "
                           "records being imported")
    certs = {c: cert for c in d.get("certifications", ())
             if (cert := run.snippet(Certification, c)) is not None}
    run.upsert(Product, d["id"], {
        "code": d["code"], "name_ar": d["name"]["ar"], "name_en": d["name"]["en"],
        "description_ar": d["description"]["ar"], "description_en": d["description"]["en"],
        "category": category, "manufacturer": maker, "governorate": d["governorate"],
        "portal_url": d["portal_url"], "easy_read": d.get("easy_read"),
        "sign_video": run.clip(d.get("sign_video")),
    }, children={
        "images": [ProductImage(image=run.get(ref), sort_order=i)
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


def _news(d: dict, run: _Import) -> None:
    run.upsert(News, d["id"], {
        **_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "body"),
        "published_on": date.fromisoformat(d["published_on"]),
        "image": run.get(d["image"]) if d.get("image") else None,
        "easy_read": d.get("easy_read"), "sign_video": run.clip(d.get("sign_video"))})


def _faq(d: dict, run: _Import) -> None:
    run.upsert(Faq, d["id"], {**_bi(d, "question"), **_bi(d, "answer"), "order": d["order"],
                              "easy_read": d.get("easy_read"),
                              "sign_video": run.clip(d.get("sign_video"))})


def _guide(d: dict, run: _Import) -> None:
    run.upsert(GuideEntry, d["id"], {
        **_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "duration"), **_bi(d, "fee"),
        "duration_days": d["duration_days"], "order": d["order"],
        "easy_read": d.get("easy_read"), "sign_video": run.clip(d.get("sign_video")),
    }, children={
        "documents": [GuideDocument(text_ar=t["ar"], text_en=t["en"], sort_order=i)
                      for i, t in enumerate(d["documents"])],
        "steps": [GuideStep(text_ar=t["ar"], text_en=t["en"], sort_order=i)
                  for i, t in enumerate(d["steps"])]})


def _policy(d: dict, run: _Import) -> None:
    run.upsert(Policy, d["id"], {**_bi(d, "title"), **_bi(d, "summary"), **_bi(d, "body"),
                                 "order": d["order"], "easy_read": d.get("easy_read"),
                                 "sign_video": run.clip(d.get("sign_video"))})


def _poll(d: dict, run: _Import) -> None:
    run.upsert(Poll, d["id"], {
        **_bi(d, "question"), "opens_at": _when(d["opens_at"]), "closes_at": _when(d["closes_at"]),
    }, children={"options": [PollOption(option_id=o["id"], label_ar=o["label"]["ar"],
                                        label_en=o["label"]["en"], sort_order=i)
                             for i, o in enumerate(d["options"])]})


def _survey(d: dict, run: _Import) -> None:
    questions = []
    for i, q in enumerate(d["questions"]):
        question = SurveyQuestion(question_id=q["id"], text_ar=q["text"]["ar"],
                                  text_en=q["text"]["en"], question_kind=q["kind"],
                                  required=q.get("required", False), sort_order=i)
        question.choices = [SurveyChoice(choice_id=c["id"], label_ar=c["label"]["ar"],
                                         label_en=c["label"]["en"], sort_order=j)
                            for j, c in enumerate(q["choices"])]
        questions.append(question)
    run.upsert(Survey, d["id"], {**_bi(d, "title"), **_bi(d, "intro")},
               children={"questions": questions})


def _site(d: dict, run: _Import) -> None:
    featured = d.get("featured")
    run.upsert(SiteInfo, d["id"], {
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
        "featured": _featured(featured or (), run),
        "screen_sign_videos": [
            SiteScreenSignVideo(screen=screen, clip=run.clip(ref), sort_order=i)
            for i, (screen, ref) in enumerate((d.get("screen_sign_videos") or {}).items())]})


def _featured(refs: Any, run: _Import) -> list[SiteFeatured]:
    """The site's featured items as rows naming their snippets (products and news are imported
    before the site). One the CMS does not have is left out: kiosks skip it too, as their
    content lacks it."""
    rows = []
    for ref in refs:
        model = Product if ref["kind"] == "product" else News
        item = run.snippet(model, ref["id"])
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
