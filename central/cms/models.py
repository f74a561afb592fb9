"""The kinds of record the CMS edits, one typed model each, registered as Wagtail snippets in
central/cms/wagtail_hooks.py. Every text a visitor reads has an Arabic and an English field,
edited side by side. ``build()`` gives the record as the wire format has it (possibly
incomplete, for a draft), ``problems()`` says in words what is missing before it may be
published, and ``to_record()`` gives the validated JSON (kiosk.protocol) or raises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from asgiref.local import Local
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from pydantic import ValidationError as PydanticError
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    Panel,
    PublishingPanel,
)
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from central.cms.easy_read import LABELS as EASY_READ_LABELS
from central.cms.easy_read import easy_read_field, easy_read_panel
from central.cms.images import LTR, RTL, KioskImage
from central.cms.videos import (
    SCREEN_CHOICES,
    SCREEN_NAMES,
    KioskSignVideo,
    sign_video_field,
    with_sign_video,
)
from kiosk import protocol

GOVERNORATE_NAMES = {
    "muscat": _("Muscat"), "dhofar": _("Dhofar"), "musandam": _("Musandam"),
    "al_buraimi": _("Al Buraimi"), "ad_dakhiliyah": _("Ad Dakhiliyah"),
    "al_batinah_north": _("North Al Batinah"), "al_batinah_south": _("South Al Batinah"),
    "ash_sharqiyah_north": _("North Ash Sharqiyah"),
    "ash_sharqiyah_south": _("South Ash Sharqiyah"), "ad_dhahirah": _("Ad Dhahirah"),
    "al_wusta": _("Al Wusta"),
}
GOVERNORATE_CHOICES = [(g, GOVERNORATE_NAMES[g]) for g in protocol.GOVERNORATES]

# Set while this thread (central.cms.importer) saves many records: their saves leave the search
# index alone, and the import indexes each record once at its end.
_search_index_deferred = Local()


@contextmanager
def search_index_deferred() -> Iterator[None]:
    _search_index_deferred.value = True
    try:
        yield
    finally:
        del _search_index_deferred.value


def update_search_index_on_save(instance: Any, **kwargs: Any) -> None:
    """The search index's save handler (modelsearch's), unless search_index_deferred."""
    from modelsearch.signal_handlers import post_save_signal_handler

    if not getattr(_search_index_deferred, "value", False):
        post_save_signal_handler(instance, **kwargs)


record_id_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,63}$",
    _("Use 1-64 lowercase letters, digits, '-' and '_', starting with a letter or digit."))


def side_by_side(base: str, heading: Any = None, long: bool = False) -> FieldRowPanel:
    """The Arabic and English fields of one text in two columns, Arabic first, each typed in
    its own direction."""

    def widget(attrs: dict) -> forms.Widget:
        return (forms.Textarea(attrs={**attrs, "rows": 5}) if long
                else forms.TextInput(attrs=attrs))

    return FieldRowPanel([FieldPanel(f"{base}_ar", widget=widget(RTL)),
                          FieldPanel(f"{base}_en", widget=widget(LTR))], heading=heading)


def bilingual(label_ar: Any, label_en: Any, max_length: int,
              long: bool = False) -> tuple[models.Field, models.Field]:
    """An Arabic and an English field (blank allowed in a draft; problems() asks for both)."""
    if long:
        return (models.TextField(label_ar, blank=True, validators=[MaxLengthValidator(max_length)]),
                models.TextField(label_en, blank=True, validators=[MaxLengthValidator(max_length)]))
    return (models.CharField(label_ar, max_length=max_length, blank=True),
            models.CharField(label_en, max_length=max_length, blank=True))


class MissingPanel(Panel):
    """At the top of every editing page: what is missing before this record may be published
    (the same list that stops a submit or publish)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/missing_panel.html"

        def get_context_data(self, parent_context=None):
            ctx = super().get_context_data(parent_context)
            inst = self.instance
            ctx["problems"] = inst.problems() if inst is not None and inst.pk else None
            ctx["notes"] = inst.notes() if inst is not None and inst.pk else []
            return ctx


def page_language() -> str:
    """"ar" or "en": the language of the page being made (the staff member's choice)."""
    from django.utils.translation import get_language

    return "ar" if (get_language() or "en").startswith("ar") else "en"


def _in_language(obj: Any, field: str) -> str:
    """A bilingual field in the language of the page (Arabic for a staff member who chose it),
    else the other: what lists, headings and the workflow name a record by."""
    first = page_language()
    for lang in (first, "en" if first == "ar" else "ar"):
        value = getattr(obj, f"{field}_{lang}", "")
        if value:
            return str(value)
    return ""


class KioskRecordForm(WagtailAdminModelForm):
    """Drafts may be incomplete; a submit for approval or a publish is refused with the list of
    what is missing (Wagtail validates fully only then)."""

    def is_valid(self) -> bool:
        ok = super().is_valid()
        if not ok or getattr(self, "is_deferred_validation", False):
            return ok
        instance = self.save(commit=False)
        problems = instance.problems()
        if problems:
            self.add_error(None, ValidationError(
                [gettext("Missing before this can be published:")] + problems))
            return False
        return True


class KioskRecord(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin,
                  PreviewableMixin, index.Indexed, ClusterableModel):
    """A record a kiosk shows. Editors save drafts and submit them; the "Publisher approves"
    workflow (central.cms.roles) publishes the approved revision, which makes the snippet
    live; "Publish to kiosks" sends the live ones."""

    kind: ClassVar[str] = ""
    # Where a wire-format field's problem is shown: its dotted path (list positions as *) ->
    # the label staff see.
    labels: ClassVar[dict[str, Any]] = {}
    hints: ClassVar[dict[str, Any]] = {}

    record_id = models.CharField(
        _("Record id"), max_length=64, unique=True, validators=[record_id_validator],
        help_text=_("Kiosks and links know the record by this; it can not change once "
                    "published. Lowercase letters, digits, '-' and '_'."))

    base_form_class = KioskRecordForm
    # The search index's own save handler is not connected: central.cms.apps connects one
    # that calls it unless search_index_deferred.
    search_auto_update = False

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every kind's edit page offers Wagtail's "Set schedule": a go-live and an expiry time
        # for the record in the CMS (central.cms.publishing.run_due_records carries them out).
        if "panels" in cls.__dict__:
            cls.panels = [*cls.panels, PublishingPanel()]

    def __str__(self) -> str:
        return _in_language(self, "name") or _in_language(self, "title") or self.record_id \
            or gettext("(new)")

    # -- the wire format ----------------------------------------------------------------------

    def build(self) -> dict:
        raise NotImplementedError

    def extra_problems(self) -> list[str]:
        return []

    def notes(self) -> list[str]:
        """What staff should know before publishing that does not stop a publish."""
        return []

    def clip(self) -> KioskSignVideo | None:
        """The record's sign-language clip (the kinds that have one: SIGN_VIDEO_KINDS)."""
        return self.sign_video if getattr(self, "sign_video_id", None) else None

    def clips(self) -> list[KioskSignVideo]:
        """Every clip the record sends to kiosks (the site info: one per screen)."""
        clip = self.clip()
        return [clip] if clip is not None else []

    def wire(self) -> dict:
        """``build()`` with the sign-language clip, where the record has one."""
        return with_sign_video(self.build(), self.clip())

    def problems(self) -> list[str]:
        """Everything that keeps this record off the kiosks, as sentences staff understand."""
        out = list(self.extra_problems())
        for clip in self.clips():
            out.extend(clip.problems())
        try:
            protocol.RECORD_MODELS[self.kind].model_validate(self.wire())
        except PydanticError as e:
            out.extend(self._explain(err) for err in e.errors())
        except ValueError as e:  # a model validator's own sentence
            out.append(str(e))
        seen: set[str] = set()
        return [p for p in out if not (p in seen or seen.add(p))]

    def to_record(self) -> dict:
        """The wire-format JSON, validated by kiosk.protocol (ProtocolError otherwise)."""
        return protocol.record_to_json(protocol.parse_record(self.kind, self.wire()))

    def _explain(self, err: dict) -> str:
        loc = [str(p) for p in err.get("loc", ())]
        key = ".".join("*" if p.isdigit() else p for p in loc)
        numbers = [int(p) + 1 for p in loc if p.isdigit()]
        label = self.labels.get(key)
        if label is None:
            label = key or gettext("This record")
        label = str(label)
        if numbers:
            label = f"{label} ({', '.join(str(n) for n in numbers)})"
        kind = err.get("type", "")
        ctx = err.get("ctx") or {}
        value = err.get("input")
        if kind in ("missing", "string_too_short") or (
                kind in ("literal_error", "too_short") and (value == "" or value is None)) or (
                kind == "too_short" and isinstance(value, str)):
            return gettext("%(field)s is missing") % {"field": label}
        if kind in ("string_too_long", "too_long"):
            return gettext("%(field)s is too long (at most %(n)s)") % {
                "field": label, "n": ctx.get("max_length", "?")}
        if kind == "too_short":
            return gettext("%(field)s: add at least %(n)s") % {
                "field": label, "n": ctx.get("min_length", 1)}
        if kind == "string_pattern_mismatch":
            hint = self.hints.get(key, "")
            return gettext("%(field)s is not in the right form. %(hint)s") % {
                "field": label, "hint": hint}
        msg = re.sub(r"^Value error, ", "", str(err.get("msg", "")))
        return f"{label}: {msg}"

    # -- preview (Wagtail's preview panel): the record as a kiosk shows it ---------------------

    def get_preview_template(self, request: Any, mode_name: str) -> str:
        return "cms/preview/record.html"

    def get_preview_context(self, request: Any, mode_name: str) -> dict:
        ctx = super().get_preview_context(request, mode_name)
        record = self.build()
        sides = [preview_side(record, "ar"), preview_side(record, "en")]
        for side in sides:
            side["clips"] = self.preview_clips(side["lang"])
        ctx.update(record=record, problems=self.problems(), kind=self.kind, sides=sides)
        return ctx

    def preview_clips(self, lang: str) -> list[dict[str, str]]:
        """The record's sign-language clip as the preview shows it in ``lang`` (the site
        info: each screen's, named)."""
        clip = self.clip()
        return [clip.preview(lang)] if clip is not None else []


_HEADINGS = ("name", "title", "question", "portal_name")
_PARAGRAPHS = ("summary", "description", "intro", "answer", "body", "address")
# Ordered lists a record holds: its key, and where each item's text is.
_LISTS = (("documents", None), ("steps", None), ("options", "label"), ("questions", "text"),
          ("where_to_buy", "name"), ("holidays", "name"))


def preview_side(record: dict, lang: str) -> dict:
    """One language's side of the preview: the record's heading, paragraphs and lists, each
    text as typed (missing ones are simply absent)."""

    def text(value: Any) -> str:
        return value.get(lang, "") if isinstance(value, dict) else ""

    heading = next((text(record[k]) for k in _HEADINGS if text(record.get(k))), "")
    paragraphs = [text(record[k]) for k in _PARAGRAPHS if text(record.get(k))]
    lists = []
    for key, inner in _LISTS:
        items = [text(item.get(inner) if inner else item) for item in record.get(key) or ()
                 if isinstance(item, dict)]
        if any(items):
            lists.append(items)
    from central.cms.easy_read import ICON_NAMES

    easy = [{"icon": ICON_NAMES.get(str(s.get("icon")), ""), "text": str(s.get("text") or "")}
            for s in ((record.get("easy_read") or {}).get(lang) or ()) if isinstance(s, dict)]
    return {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr", "heading": heading,
            "paragraphs": paragraphs, "lists": lists, "easy": easy}


# ---------------------------------------------------------------------------------------------
# Categories, certifications, makers, products


class Category(KioskRecord):
    kind = "category"
    labels = {"id": _("Record id"), "name.ar": _("Name (Arabic)"), "name.en": _("Name (English)"),
              "description.ar": _("Description (Arabic)"),
              "description.en": _("Description (English)"), "order": _("Order"),
              "image.alt.ar": _("Picture's alt text (Arabic)"),
              "image.alt.en": _("Picture's alt text (English)")}

    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    description_ar, description_en = bilingual(_("Description (Arabic)"),
                                                _("Description (English)"), protocol.MAX_SHORT)
    order = models.PositiveIntegerField(
        _("Order"), default=100, validators=[MaxValueValidator(10_000)],
        help_text=_("Kiosks list categories from the smallest number up."))
    image = models.ForeignKey(KioskImage, verbose_name=_("Picture"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    panels = [MissingPanel(), FieldPanel("record_id"), side_by_side("name", _("Name")),
              side_by_side("description", _("Description")), FieldPanel("order"),
              FieldPanel("image")]
    search_fields = [index.SearchField("name_en"), index.SearchField("name_ar"),
                     index.AutocompleteField("name_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "record_id"]

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id, "order": self.order,
            "name": {"ar": self.name_ar, "en": self.name_en},
            "description": {"ar": self.description_ar, "en": self.description_en}}
        if self.image_id:
            out["image"] = self.image.to_record()
        return out

    def extra_problems(self) -> list[str]:
        return self.image.problems() if self.image_id else []


class Governorate(KioskRecord):
    """One of Oman's eleven governorates as kiosks name and order them on the governorate
    screen (the ids are fixed: products and makers name them)."""

    kind = "governorate"
    labels = {"id": _("Governorate"), "name.ar": _("Name (Arabic)"),
              "name.en": _("Name (English)"), "order": _("Order")}

    record_id = models.CharField(
        _("Governorate"), max_length=64, unique=True, choices=GOVERNORATE_CHOICES,
        help_text=_("Products and manufacturers name their governorate by this."))
    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    order = models.PositiveIntegerField(
        _("Order"), default=1, validators=[MaxValueValidator(100)],
        help_text=_("Kiosks list governorates from the smallest number up (0-100)."))

    panels = [MissingPanel(), FieldRowPanel([FieldPanel("record_id"), FieldPanel("order")]),
              side_by_side("name", _("Name"))]
    search_fields = [index.SearchField("name_en"), index.SearchField("name_ar"),
                     index.AutocompleteField("name_en")]

    class Meta:
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")
        ordering = ["order", "record_id"]

    def build(self) -> dict:
        return {"id": self.record_id, "order": self.order,
                "name": {"ar": self.name_ar, "en": self.name_en}}


class Certification(KioskRecord):
    kind = "certification"
    labels = {"id": _("Record id"), "name.ar": _("Name (Arabic)"), "name.en": _("Name (English)"),
              "description.ar": _("Description (Arabic)"),
              "description.en": _("Description (English)")}

    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    description_ar, description_en = bilingual(_("Description (Arabic)"),
                                                _("Description (English)"), protocol.MAX_SHORT)

    panels = [MissingPanel(), FieldPanel("record_id"), side_by_side("name", _("Name")),
              side_by_side("description", _("Description"))]
    search_fields = [index.SearchField("name_en"), index.SearchField("name_ar"),
                     index.AutocompleteField("name_en")]

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["record_id"]

    def build(self) -> dict:
        return {"id": self.record_id, "name": {"ar": self.name_ar, "en": self.name_en},
                "description": {"ar": self.description_ar, "en": self.description_en}}


PHONE_HINT = _("Digits and spaces, an optional + first, e.g. +968 2400 0001.")
HTTPS_HINT = _("An https:// address.")


class Manufacturer(KioskRecord):
    kind = "manufacturer"
    labels = {"id": _("Record id"), "name.ar": _("Name (Arabic)"), "name.en": _("Name (English)"),
              "description.ar": _("Description (Arabic)"),
              "description.en": _("Description (English)"), "governorate": _("Governorate"),
              "website": _("Website"), "phone": _("Phone")}
    hints = {"phone": PHONE_HINT}

    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    description_ar, description_en = bilingual(_("Description (Arabic)"),
                                                _("Description (English)"), protocol.MAX_LONG,
                                                long=True)
    governorate = models.CharField(_("Governorate"), max_length=32, blank=True,
                                   choices=GOVERNORATE_CHOICES)
    website = models.CharField(_("Website"), max_length=500, blank=True, help_text=HTTPS_HINT)
    phone = models.CharField(_("Phone"), max_length=20, blank=True, help_text=PHONE_HINT)

    panels = [MissingPanel(), FieldPanel("record_id"), side_by_side("name", _("Name")),
              side_by_side("description", _("Description"), long=True), FieldPanel("governorate"),
              FieldRowPanel([FieldPanel("website"), FieldPanel("phone")])]
    search_fields = [index.SearchField("name_en"), index.SearchField("name_ar"),
                     index.AutocompleteField("name_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")
        ordering = ["name_en"]

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id, "name": {"ar": self.name_ar, "en": self.name_en},
            "governorate": self.governorate,
            "description": {"ar": self.description_ar, "en": self.description_en}}
        if self.website.strip():
            out["website"] = self.website.strip()
        if self.phone.strip():
            out["phone"] = self.phone.strip()
        return out


CODE_HINT = _("Capital letters, digits and '-', 2-32 characters, e.g. MIO-DT-0001.")


class Product(KioskRecord):
    kind = "product"
    labels = {"id": _("Record id"), "code": _("Product code"),
              "name.ar": _("Name (Arabic)"), "name.en": _("Name (English)"),
              "description.ar": _("Description (Arabic)"),
              "description.en": _("Description (English)"),
              "category_id": _("Category"), "manufacturer_id": _("Manufacturer"),
              "governorate": _("Governorate"), "portal_url": _("Portal address"),
              "images": _("Pictures"), "images.*.alt.ar": _("Picture's alt text (Arabic)"),
              "images.*.alt.en": _("Picture's alt text (English)"),
              "where_to_buy.*.name.ar": _("Where to buy: name (Arabic)"),
              "where_to_buy.*.name.en": _("Where to buy: name (English)"),
              "where_to_buy.*.address.ar": _("Where to buy: address (Arabic)"),
              "where_to_buy.*.address.en": _("Where to buy: address (English)"),
              "where_to_buy.*.phone": _("Where to buy: phone"),
              "where_to_buy.*.url": _("Where to buy: web address"), **EASY_READ_LABELS}
    hints = {"code": CODE_HINT, "where_to_buy.*.phone": PHONE_HINT}

    code = models.CharField(_("Product code"), max_length=32, blank=True, help_text=CODE_HINT)
    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    description_ar, description_en = bilingual(_("Description (Arabic)"),
                                                _("Description (English)"), protocol.MAX_LONG,
                                                long=True)
    category = models.ForeignKey(Category, verbose_name=_("Category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products")
    manufacturer = models.ForeignKey(Manufacturer, verbose_name=_("Manufacturer"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="products")
    governorate = models.CharField(_("Governorate"), max_length=32, blank=True,
                                   choices=GOVERNORATE_CHOICES)
    portal_url = models.CharField(_("Portal address"), max_length=500, blank=True,
                                  help_text=_("The product's page on the Made in Oman portal "
                                              "(https://...)."))
    easy_read = easy_read_field()
    sign_video = sign_video_field()

    panels = [
        MissingPanel(),
        FieldRowPanel([FieldPanel("record_id"), FieldPanel("code")]),
        side_by_side("name", _("Name")),
        side_by_side("description", _("Description"), long=True),
        FieldRowPanel([FieldPanel("category"), FieldPanel("manufacturer"),
                       FieldPanel("governorate")]),
        InlinePanel("images", heading=_("Pictures"), label=_("Picture"), max_num=protocol.MAX_LIST),
        InlinePanel("certifications", heading=_("Certifications"), label=_("Certification"),
                    max_num=protocol.MAX_LIST),
        InlinePanel("outlets", heading=_("Where to buy"), label=_("Shop"),
                    max_num=protocol.MAX_LIST),
        FieldPanel("portal_url"),
        FieldPanel("sign_video"),
        easy_read_panel(),
    ]
    search_fields = [index.SearchField("name_en"), index.SearchField("name_ar"),
                     index.AutocompleteField("name_en"), index.SearchField("code"),
                     index.SearchField("record_id")]

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name_en"]

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id, "code": self.code,
            "name": {"ar": self.name_ar, "en": self.name_en},
            "description": {"ar": self.description_ar, "en": self.description_en},
            "category_id": self.category.record_id if self.category_id else "",
            "manufacturer_id": self.manufacturer.record_id if self.manufacturer_id else "",
            "governorate": self.governorate,
            "images": [p.image.to_record() for p in self.images.all() if p.image_id],
            "certifications": [c.certification.record_id for c in self.certifications.all()
                               if c.certification_id],
            "where_to_buy": [o.build() for o in self.outlets.all()],
            "portal_url": self.portal_url.strip(),
        }
        if self.easy_read:
            out["easy_read"] = self.easy_read
        return out

    def extra_problems(self) -> list[str]:
        out: list[str] = []
        for p in self.images.all():
            if p.image_id:
                out.extend(p.image.problems())
        return out


class ProductImage(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(KioskImage, verbose_name=_("Picture"), on_delete=models.CASCADE,
                              related_name="+")

    panels = [FieldPanel("image")]


class ProductCertification(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="certifications")
    certification = models.ForeignKey(Certification, verbose_name=_("Certification"),
                                      on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("certification")]


class ProductOutlet(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="outlets")
    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_NAME)
    address_ar, address_en = bilingual(_("Address (Arabic)"), _("Address (English)"),
                                       protocol.MAX_SHORT)
    phone = models.CharField(_("Phone"), max_length=20, blank=True, help_text=PHONE_HINT)
    url = models.CharField(_("Web address"), max_length=500, blank=True, help_text=HTTPS_HINT)

    panels = [side_by_side("name", _("Name")), side_by_side("address", _("Address")),
              FieldRowPanel([FieldPanel("phone"), FieldPanel("url")])]

    def build(self) -> dict:
        out: dict[str, Any] = {"name": {"ar": self.name_ar, "en": self.name_en},
                               "address": {"ar": self.address_ar, "en": self.address_en}}
        if self.phone.strip():
            out["phone"] = self.phone.strip()
        if self.url.strip():
            out["url"] = self.url.strip()
        return out


# ---------------------------------------------------------------------------------------------
# News, FAQ, the service guide, policies: texts a visitor reads, each with its optional Easy Read
# version as products have (central.cms.easy_read).

ORDER_HELP = _("Kiosks list these from the smallest number up.")


def order_field(most: int = 10_000) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(_("Order"), default=100,
                                       validators=[MaxValueValidator(most)], help_text=ORDER_HELP)


def _with_easy_read(out: dict, easy_read: Any) -> dict:
    if easy_read:
        out["easy_read"] = easy_read
    return out


class News(KioskRecord):
    kind = "news"
    labels = {"id": _("Record id"), "title.ar": _("Title (Arabic)"),
              "title.en": _("Title (English)"), "summary.ar": _("Summary (Arabic)"),
              "summary.en": _("Summary (English)"), "body.ar": _("Text (Arabic)"),
              "body.en": _("Text (English)"), "published_on": _("Date of the news"),
              "image.alt.ar": _("Picture's alt text (Arabic)"),
              "image.alt.en": _("Picture's alt text (English)"), **EASY_READ_LABELS}

    title_ar, title_en = bilingual(_("Title (Arabic)"), _("Title (English)"), protocol.MAX_SHORT)
    summary_ar, summary_en = bilingual(_("Summary (Arabic)"), _("Summary (English)"),
                                       protocol.MAX_SHORT)
    body_ar, body_en = bilingual(_("Text (Arabic)"), _("Text (English)"), protocol.MAX_LONG,
                                 long=True)
    published_on = models.DateField(_("Date of the news"), null=True, blank=True,
                                    help_text=_("Kiosks list news from the newest date."))
    image = models.ForeignKey(KioskImage, verbose_name=_("Picture"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    easy_read = easy_read_field()
    sign_video = sign_video_field()

    panels = [MissingPanel(), FieldRowPanel([FieldPanel("record_id"), FieldPanel("published_on")]),
              side_by_side("title", _("Title")), side_by_side("summary", _("Summary")),
              side_by_side("body", _("Text"), long=True), FieldPanel("image"),
              FieldPanel("sign_video"), easy_read_panel()]
    search_fields = [index.SearchField("title_en"), index.SearchField("title_ar"),
                     index.AutocompleteField("title_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_on", "record_id"]

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id, "title": {"ar": self.title_ar, "en": self.title_en},
            "summary": {"ar": self.summary_ar, "en": self.summary_en},
            "body": {"ar": self.body_ar, "en": self.body_en}}
        if self.published_on:
            out["published_on"] = self.published_on.isoformat()
        if self.image_id:
            out["image"] = self.image.to_record()
        return _with_easy_read(out, self.easy_read)

    def extra_problems(self) -> list[str]:
        return self.image.problems() if self.image_id else []


class Faq(KioskRecord):
    kind = "faq"
    labels = {"id": _("Record id"), "question.ar": _("Question (Arabic)"),
              "question.en": _("Question (English)"), "answer.ar": _("Answer (Arabic)"),
              "answer.en": _("Answer (English)"), "order": _("Order"), **EASY_READ_LABELS}

    question_ar, question_en = bilingual(_("Question (Arabic)"), _("Question (English)"),
                                         protocol.MAX_SHORT)
    answer_ar, answer_en = bilingual(_("Answer (Arabic)"), _("Answer (English)"),
                                     protocol.MAX_LONG, long=True)
    order = order_field()
    easy_read = easy_read_field()
    sign_video = sign_video_field()

    panels = [MissingPanel(), FieldRowPanel([FieldPanel("record_id"), FieldPanel("order")]),
              side_by_side("question", _("Question")),
              side_by_side("answer", _("Answer"), long=True), FieldPanel("sign_video"),
              easy_read_panel()]
    search_fields = [index.SearchField("question_en"), index.SearchField("question_ar"),
                     index.AutocompleteField("question_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")
        ordering = ["order", "record_id"]

    def __str__(self) -> str:
        return _in_language(self, "question") or self.record_id or gettext("(new)")

    def build(self) -> dict:
        return _with_easy_read({
            "id": self.record_id, "order": self.order,
            "question": {"ar": self.question_ar, "en": self.question_en},
            "answer": {"ar": self.answer_ar, "en": self.answer_en}}, self.easy_read)


class GuideEntry(KioskRecord):
    kind = "guide"
    labels = {"id": _("Record id"), "title.ar": _("Title (Arabic)"),
              "title.en": _("Title (English)"), "summary.ar": _("Summary (Arabic)"),
              "summary.en": _("Summary (English)"), "documents": _("Documents to bring"),
              "documents.*.ar": _("Document (Arabic)"), "documents.*.en": _("Document (English)"),
              "steps": _("Steps"), "steps.*.ar": _("Step (Arabic)"),
              "steps.*.en": _("Step (English)"), "duration.ar": _("How long it takes (Arabic)"),
              "duration.en": _("How long it takes (English)"),
              "duration_days": _("Working days"), "fee.ar": _("Fee (Arabic)"),
              "fee.en": _("Fee (English)"), "order": _("Order"), **EASY_READ_LABELS}

    title_ar, title_en = bilingual(_("Title (Arabic)"), _("Title (English)"), protocol.MAX_SHORT)
    summary_ar, summary_en = bilingual(_("Summary (Arabic)"), _("Summary (English)"),
                                       protocol.MAX_LONG, long=True)
    duration_ar, duration_en = bilingual(_("How long it takes (Arabic)"),
                                         _("How long it takes (English)"), protocol.MAX_SHORT)
    duration_days = models.PositiveIntegerField(
        _("Working days"), default=0, validators=[MaxValueValidator(365)],
        help_text=_("The usual time in working days (0-365), for sorting and reading aloud."))
    fee_ar, fee_en = bilingual(_("Fee (Arabic)"), _("Fee (English)"), protocol.MAX_SHORT)
    order = order_field()
    easy_read = easy_read_field()
    sign_video = sign_video_field()

    panels = [MissingPanel(), FieldRowPanel([FieldPanel("record_id"), FieldPanel("order")]),
              side_by_side("title", _("Title")),
              side_by_side("summary", _("Summary"), long=True),
              InlinePanel("documents", heading=_("Documents to bring"), label=_("Document"),
                          max_num=protocol.MAX_LIST),
              InlinePanel("steps", heading=_("Steps"), label=_("Step"),
                          max_num=protocol.MAX_LIST),
              side_by_side("duration", _("How long it takes")), FieldPanel("duration_days"),
              side_by_side("fee", _("Fee")), FieldPanel("sign_video"), easy_read_panel()]
    search_fields = [index.SearchField("title_en"), index.SearchField("title_ar"),
                     index.AutocompleteField("title_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("service guide entry")
        verbose_name_plural = _("service guide")
        ordering = ["order", "record_id"]

    def build(self) -> dict:
        return _with_easy_read({
            "id": self.record_id, "order": self.order,
            "title": {"ar": self.title_ar, "en": self.title_en},
            "summary": {"ar": self.summary_ar, "en": self.summary_en},
            "documents": [d.build() for d in self.documents.all()],
            "steps": [d.build() for d in self.steps.all()],
            "duration": {"ar": self.duration_ar, "en": self.duration_en},
            "duration_days": self.duration_days,
            "fee": {"ar": self.fee_ar, "en": self.fee_en}}, self.easy_read)


class _BilingualLine(Orderable):
    """One line of an ordered bilingual list (a document to bring, a step)."""

    text_ar, text_en = bilingual(_("Arabic"), _("English"), protocol.MAX_SHORT)
    panels = [side_by_side("text")]

    class Meta(Orderable.Meta):
        abstract = True

    def build(self) -> dict:
        return {"ar": self.text_ar, "en": self.text_en}


class GuideDocument(_BilingualLine):
    entry = ParentalKey(GuideEntry, on_delete=models.CASCADE, related_name="documents")


class GuideStep(_BilingualLine):
    entry = ParentalKey(GuideEntry, on_delete=models.CASCADE, related_name="steps")


POLICY_NAMES = {"privacy": _("Privacy"), "terms": _("Terms of use"),
                "accessibility": _("Accessibility"), "participation": _("Taking part"),
                "open_data": _("Open data")}
POLICY_CHOICES = [(p, POLICY_NAMES[p]) for p in protocol.POLICY_IDS]


class Policy(KioskRecord):
    kind = "policy"
    labels = {"id": _("Which policy"), "title.ar": _("Title (Arabic)"),
              "title.en": _("Title (English)"), "summary.ar": _("Summary (Arabic)"),
              "summary.en": _("Summary (English)"), "body.ar": _("Text (Arabic)"),
              "body.en": _("Text (English)"), "order": _("Order"), **EASY_READ_LABELS}

    record_id = models.CharField(
        _("Which policy"), max_length=64, unique=True, choices=POLICY_CHOICES,
        help_text=_("Kiosks have one page for each of these policies."))
    title_ar, title_en = bilingual(_("Title (Arabic)"), _("Title (English)"), protocol.MAX_SHORT)
    summary_ar, summary_en = bilingual(_("Summary (Arabic)"), _("Summary (English)"),
                                       protocol.MAX_SHORT)
    body_ar, body_en = bilingual(_("Text (Arabic)"), _("Text (English)"), protocol.MAX_LONG,
                                 long=True)
    order = order_field(100)
    easy_read = easy_read_field()
    sign_video = sign_video_field()

    panels = [MissingPanel(), FieldRowPanel([FieldPanel("record_id"), FieldPanel("order")]),
              side_by_side("title", _("Title")), side_by_side("summary", _("Summary")),
              side_by_side("body", _("Text"), long=True), FieldPanel("sign_video"),
              easy_read_panel()]
    search_fields = [index.SearchField("title_en"), index.SearchField("title_ar"),
                     index.AutocompleteField("title_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["order", "record_id"]

    def build(self) -> dict:
        return _with_easy_read({
            "id": self.record_id, "order": self.order,
            "title": {"ar": self.title_ar, "en": self.title_en},
            "summary": {"ar": self.summary_ar, "en": self.summary_en},
            "body": {"ar": self.body_ar, "en": self.body_en}}, self.easy_read)


# ---------------------------------------------------------------------------------------------
# Polls and the survey

TIME_HELP = _("Date and time in your account's time zone (Account settings; UTC unless "
              "chosen). Kiosks receive it in UTC.")


def _utc_z(value: Any) -> str:
    from datetime import UTC

    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Poll(KioskRecord):
    kind = "poll"
    labels = {"id": _("Record id"), "question.ar": _("Question (Arabic)"),
              "question.en": _("Question (English)"), "options": _("Options"),
              "options.*.id": _("Option id"), "options.*.label.ar": _("Option (Arabic)"),
              "options.*.label.en": _("Option (English)"), "opens_at": _("Opens at"),
              "closes_at": _("Closes at")}

    question_ar, question_en = bilingual(_("Question (Arabic)"), _("Question (English)"),
                                         protocol.MAX_SHORT)
    opens_at = models.DateTimeField(_("Opens at"), null=True, blank=True, help_text=TIME_HELP)
    closes_at = models.DateTimeField(_("Closes at"), null=True, blank=True, help_text=TIME_HELP)

    panels = [MissingPanel(), FieldPanel("record_id"), side_by_side("question", _("Question")),
              FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
              InlinePanel("options", heading=_("Options"), label=_("Option"), min_num=0,
                          max_num=12)]
    search_fields = [index.SearchField("question_en"), index.SearchField("question_ar"),
                     index.AutocompleteField("question_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_at", "record_id"]

    def __str__(self) -> str:
        return _in_language(self, "question") or self.record_id or gettext("(new)")

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id, "question": {"ar": self.question_ar, "en": self.question_en},
            "options": [o.build() for o in self.options.all()]}
        if self.opens_at:
            out["opens_at"] = _utc_z(self.opens_at)
        if self.closes_at:
            out["closes_at"] = _utc_z(self.closes_at)
        return out


class PollOption(Orderable):
    poll = ParentalKey(Poll, on_delete=models.CASCADE, related_name="options")
    option_id = models.CharField(
        _("Option id"), max_length=64, blank=True, validators=[record_id_validator],
        help_text=_("Votes are counted by this; do not change it once the poll is open."))
    label_ar, label_en = bilingual(_("Option (Arabic)"), _("Option (English)"),
                                   protocol.MAX_SHORT)

    panels = [FieldPanel("option_id"), side_by_side("label", _("Option"))]

    def build(self) -> dict:
        return {"id": self.option_id, "label": {"ar": self.label_ar, "en": self.label_en}}


class Survey(KioskRecord):
    kind = "survey"
    labels = {"id": _("Record id"), "title.ar": _("Title (Arabic)"),
              "title.en": _("Title (English)"), "intro.ar": _("Introduction (Arabic)"),
              "intro.en": _("Introduction (English)"), "questions": _("Questions"),
              "questions.*.id": _("Question id"), "questions.*.text.ar": _("Question (Arabic)"),
              "questions.*.text.en": _("Question (English)"),
              "questions.*.kind": _("Kind of question"),
              "questions.*.choices": _("Answers to choose from"),
              "questions.*.choices.*.id": _("Answer id"),
              "questions.*.choices.*.label.ar": _("Answer (Arabic)"),
              "questions.*.choices.*.label.en": _("Answer (English)")}

    title_ar, title_en = bilingual(_("Title (Arabic)"), _("Title (English)"), protocol.MAX_SHORT)
    intro_ar, intro_en = bilingual(_("Introduction (Arabic)"), _("Introduction (English)"),
                                   protocol.MAX_SHORT)

    panels = [MissingPanel(), FieldPanel("record_id"), side_by_side("title", _("Title")),
              side_by_side("intro", _("Introduction")),
              InlinePanel("questions", heading=_("Questions"), label=_("Question"),
                          max_num=protocol.MAX_LIST)]
    search_fields = [index.SearchField("title_en"), index.SearchField("title_ar"),
                     index.AutocompleteField("title_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["record_id"]

    def build(self) -> dict:
        return {"id": self.record_id, "title": {"ar": self.title_ar, "en": self.title_en},
                "intro": {"ar": self.intro_ar, "en": self.intro_en},
                "questions": [q.build() for q in self.questions.all()]}


QUESTION_KINDS = [("rating", _("A scale (e.g. very dissatisfied to very satisfied)")),
                  ("choice", _("A choice among answers"))]


class SurveyQuestion(ClusterableModel, Orderable):
    """One question and its answers (a rating's scale, in order, or the choices)."""

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    question_id = models.CharField(
        _("Question id"), max_length=64, blank=True, validators=[record_id_validator],
        help_text=_("Answers are counted by this; do not change it once the survey is used."))
    text_ar, text_en = bilingual(_("Question (Arabic)"), _("Question (English)"),
                                 protocol.MAX_SHORT)
    question_kind = models.CharField(_("Kind of question"), max_length=8,
                                     choices=QUESTION_KINDS, default="rating")
    required = models.BooleanField(_("An answer is required"), default=False)

    panels = [FieldRowPanel([FieldPanel("question_id"), FieldPanel("question_kind"),
                             FieldPanel("required")]),
              side_by_side("text", _("Question")),
              InlinePanel("choices", heading=_("Answers to choose from (a scale from the "
                                               "lowest up)"),
                          label=_("Answer"), max_num=12)]

    class Meta(Orderable.Meta):
        pass

    def build(self) -> dict:
        return {"id": self.question_id, "text": {"ar": self.text_ar, "en": self.text_en},
                "kind": self.question_kind, "required": self.required,
                "choices": [c.build() for c in self.choices.all()]}


class SurveyChoice(Orderable):
    question = ParentalKey(SurveyQuestion, on_delete=models.CASCADE, related_name="choices")
    choice_id = models.CharField(_("Answer id"), max_length=64, blank=True,
                                 validators=[record_id_validator])
    label_ar, label_en = bilingual(_("Answer (Arabic)"), _("Answer (English)"),
                                   protocol.MAX_SHORT)

    panels = [FieldPanel("choice_id"), side_by_side("label", _("Answer"))]

    def build(self) -> dict:
        return {"id": self.choice_id, "label": {"ar": self.label_ar, "en": self.label_en}}


# ---------------------------------------------------------------------------------------------
# Site info: one record (id "site") with the call centre, hours, holidays and what the idle
# screen's loop features.

WEEKDAY_NAMES = {"sun": _("Sunday"), "mon": _("Monday"), "tue": _("Tuesday"),
                 "wed": _("Wednesday"), "thu": _("Thursday"), "fri": _("Friday"),
                 "sat": _("Saturday")}
CLOCK_HINT = _("24-hour time as HH:MM, e.g. 07:30.")


class SiteInfo(KioskRecord):
    kind = "site"
    labels = {"id": _("Record id"), "portal_name.ar": _("Portal name (Arabic)"),
              "portal_name.en": _("Portal name (English)"), "call_centre": _("Call centre"),
              "email": _("Email"), "portal_url": _("Portal address"),
              "office_hours": _("Office hours"), "office_hours.*.days": _("Office hours: days"),
              "office_hours.*.opens": _("Office hours: opens"),
              "office_hours.*.closes": _("Office hours: closes"),
              "holidays.*.date": _("Holiday: date"),
              "holidays.*.name.ar": _("Holiday: name (Arabic)"),
              "holidays.*.name.en": _("Holiday: name (English)"),
              "address.ar": _("Address (Arabic)"), "address.en": _("Address (English)"),
              "open_data_licence.ar": _("Open data licence (Arabic)"),
              "open_data_licence.en": _("Open data licence (English)"),
              "featured": _("Featured on the idle screen"),
              "featured.*.id": _("Featured item"),
              "screen_sign_videos": _("Sign language for screens")}
    hints = {"call_centre": _("Digits only, 4-15 of them, e.g. 80000070."),
             "email": _("An address such as info@madeinoman.om."),
             "office_hours.*.opens": CLOCK_HINT, "office_hours.*.closes": CLOCK_HINT}

    record_id = models.CharField(
        _("Record id"), max_length=64, unique=True, choices=[("site", "site")], default="site",
        help_text=_("There is one site info record."))
    portal_name_ar, portal_name_en = bilingual(_("Portal name (Arabic)"),
                                               _("Portal name (English)"), protocol.MAX_NAME)
    call_centre = models.CharField(_("Call centre"), max_length=15, blank=True,
                                   help_text=_("Digits only, 4-15 of them, e.g. 80000070."))
    email = models.CharField(_("Email"), max_length=255, blank=True)
    portal_url = models.CharField(_("Portal address"), max_length=500, blank=True,
                                  help_text=HTTPS_HINT)
    address_ar, address_en = bilingual(_("Address (Arabic)"), _("Address (English)"),
                                       protocol.MAX_SHORT)
    open_data_licence_ar, open_data_licence_en = bilingual(
        _("Open data licence (Arabic)"), _("Open data licence (English)"), protocol.MAX_SHORT)
    use_featured = models.BooleanField(
        _("Choose what the idle screen features"), default=False,
        help_text=_("Off: the idle screen shows the newest products and news with pictures. "
                    "On: the items below, in this order."))

    panels = [MissingPanel(), FieldPanel("record_id"),
              side_by_side("portal_name", _("Portal name")),
              FieldRowPanel([FieldPanel("call_centre"), FieldPanel("email"),
                             FieldPanel("portal_url")]),
              side_by_side("address", _("Address")),
              InlinePanel("office_hours", heading=_("Office hours (Asia/Muscat)"),
                          label=_("Opening times"), max_num=7),
              InlinePanel("holidays", heading=_("Holidays"), label=_("Holiday"), max_num=100),
              side_by_side("open_data_licence", _("Open data licence")),
              FieldPanel("use_featured"),
              InlinePanel("featured", heading=_("Featured on the idle screen"),
                          label=_("Featured item"), max_num=protocol.MAX_FEATURED),
              InlinePanel("screen_sign_videos", heading=_("Sign language for screens"),
                          label=_("Screen with a sign-language clip"),
                          max_num=len(protocol.SIGN_VIDEO_SCREENS),
                          help_text=_("Optional. A screen given a clip here offers “Sign "
                                      "language” on the kiosk, which plays the clip with its "
                                      "captions. Records (products, news, questions, guide "
                                      "entries, policies) choose their own clips."))]
    search_fields = [index.SearchField("portal_name_en"), index.SearchField("record_id")]

    class Meta:
        verbose_name = _("site info")
        verbose_name_plural = _("site info")
        ordering = ["record_id"]

    def __str__(self) -> str:
        return _in_language(self, "portal_name") or gettext("Site info")

    def build(self) -> dict:
        out: dict[str, Any] = {
            "id": self.record_id,
            "portal_name": {"ar": self.portal_name_ar, "en": self.portal_name_en},
            "call_centre": self.call_centre.strip(), "portal_url": self.portal_url.strip(),
            "timezone": "Asia/Muscat",
            "office_hours": [h.build() for h in self.office_hours.all()],
            "holidays": [h.build() for h in self.holidays.all()],
            "address": {"ar": self.address_ar, "en": self.address_en},
            "open_data_licence": {"ar": self.open_data_licence_ar,
                                  "en": self.open_data_licence_en}}
        if self.email.strip():
            out["email"] = self.email.strip()
        if self.use_featured:
            out["featured"] = [f.build() for f in self.featured.all() if f.item is not None]
        screens = {row.screen: row.clip.to_record() for row in self._screen_rows()}
        if screens:  # none: no key at all, so the record's JSON and hash are as before
            out["screen_sign_videos"] = screens
        return out

    def _screen_rows(self) -> list[SiteScreenSignVideo]:
        """The screen clip rows that name a screen and a clip."""
        return [row for row in self.screen_sign_videos.all() if row.screen and row.clip_id]

    def clips(self) -> list[KioskSignVideo]:
        return [row.clip for row in self._screen_rows()]

    def preview_clips(self, lang: str) -> list[dict[str, str]]:
        with translation.override(lang):
            return [{**row.clip.preview(lang), "screen": str(SCREEN_NAMES[row.screen])}
                    for row in self._screen_rows()]

    def extra_problems(self) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for n, row in enumerate(self.screen_sign_videos.all(), 1):
            if not row.clip_id:
                out.append(gettext("Sign language for screens (%(n)s): choose a clip")
                           % {"n": n})
            if not row.screen:
                out.append(gettext("Sign language for screens (%(n)s): choose a screen")
                           % {"n": n})
            elif row.screen in seen:
                out.append(gettext("Sign language for screens: “%(screen)s” is given a clip "
                                   "twice; keep one") % {"screen": SCREEN_NAMES[row.screen]})
            seen.add(row.screen)
        size = len(protocol.canonical_json(self.wire()))
        if size > protocol.MAX_RECORD_BYTES:
            out.append(gettext("The site info is too long for kiosks (%(kb)s KB, at most "
                               "%(max)s KB): shorten the screens' clips' captions")
                       % {"kb": size // 1024, "max": protocol.MAX_RECORD_BYTES // 1024})
        if self.use_featured:
            out += [gettext("Featured item (%(n)s): %(what)s") % {
                        "n": n, "what": gettext(FEATURED_NOTHING_CHOSEN)}
                    for n, f in enumerate(self.featured.all(), 1) if f.item is None]
        return out

    def notes(self) -> list[str]:
        # Not problems: kiosks skip a featured item their content lacks (kiosk.services.
        # catalogue.Browse.loop_items), and a news item's scheduled expiry must not stop the
        # scheduled publish that follows it.
        if not self.use_featured:
            return []
        out = []
        for n, f in enumerate(self.featured.all(), 1):
            item = f.item
            if item is not None and not item.live:
                out.append(gettext(
                    "Featured item (%(n)s): the %(kind)s “%(name)s” is not live (retired, or "
                    "waiting for approval), so kiosks skip it until it is published.") % {
                        "n": n, "kind": item._meta.verbose_name, "name": item})
        return out


class SiteHours(Orderable):
    site = ParentalKey(SiteInfo, on_delete=models.CASCADE, related_name="office_hours")
    sun = models.BooleanField(WEEKDAY_NAMES["sun"], default=False)
    mon = models.BooleanField(WEEKDAY_NAMES["mon"], default=False)
    tue = models.BooleanField(WEEKDAY_NAMES["tue"], default=False)
    wed = models.BooleanField(WEEKDAY_NAMES["wed"], default=False)
    thu = models.BooleanField(WEEKDAY_NAMES["thu"], default=False)
    fri = models.BooleanField(WEEKDAY_NAMES["fri"], default=False)
    sat = models.BooleanField(WEEKDAY_NAMES["sat"], default=False)
    opens = models.CharField(_("Opens"), max_length=5, blank=True, help_text=CLOCK_HINT)
    closes = models.CharField(_("Closes"), max_length=5, blank=True, help_text=CLOCK_HINT)

    panels = [FieldRowPanel([FieldPanel(d) for d in protocol.WEEKDAYS]),
              FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")])]

    def build(self) -> dict:
        return {"days": [d for d in protocol.WEEKDAYS if getattr(self, d)],
                "opens": self.opens.strip(), "closes": self.closes.strip()}


class SiteHoliday(Orderable):
    site = ParentalKey(SiteInfo, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("Date"), null=True, blank=True)
    name_ar, name_en = bilingual(_("Name (Arabic)"), _("Name (English)"), protocol.MAX_SHORT)

    panels = [FieldPanel("date"), side_by_side("name", _("Name"))]

    class Meta(Orderable.Meta):
        ordering = ["date", "sort_order"]

    def build(self) -> dict:
        out: dict[str, Any] = {"name": {"ar": self.name_ar, "en": self.name_en}}
        if self.date:
            out["date"] = self.date.isoformat()
        return out


# Where a row names nothing (a form refuses it; a draft restored from before the chooser could).
FEATURED_NOTHING_CHOSEN = _("Choose the product or the news item this row features, or "
                            "delete the row.")


class SiteScreenSignVideo(Orderable):
    """A screen's own sign-language clip (kiosk.protocol SiteInfo.screen_sign_videos)."""

    site = ParentalKey(SiteInfo, on_delete=models.CASCADE, related_name="screen_sign_videos")
    screen = models.CharField(_("Screen"), max_length=20, choices=SCREEN_CHOICES, blank=True)
    clip = models.ForeignKey(
        KioskSignVideo, verbose_name=_("Sign-language clip"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("From the library of sign-language clips, with its captions."))

    panels = [FieldRowPanel([FieldPanel("screen"), FieldPanel("clip")])]


class SiteFeatured(Orderable):
    """One item of the idle screen's loop: a product or a news item, picked with the CMS's
    chooser (kiosks get its kind and record id, kiosk.protocol.Featured)."""

    site = ParentalKey(SiteInfo, on_delete=models.CASCADE, related_name="featured")
    # PROTECT, as a product's category: a featured item is retired (unpublished), not deleted
    # from under the site info, whose live rows would otherwise change without an approval.
    product = models.ForeignKey(Product, verbose_name=_("Product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    news = models.ForeignKey(News, verbose_name=_("News item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")

    panels = [FieldRowPanel([FieldPanel("product"), FieldPanel("news")],
                            help_text=_("Choose a product or a news item, one per row."))]

    def clean(self) -> None:
        super().clean()
        if self.product_id and self.news_id:
            raise ValidationError(gettext(
                "Choose a product or a news item for this row, not both: each row features "
                "one item. Add another row for the other."))
        if not (self.product_id or self.news_id):
            raise ValidationError(FEATURED_NOTHING_CHOSEN)

    @property
    def item(self) -> Product | News | None:
        return self.product if self.product_id else self.news if self.news_id else None

    def build(self) -> dict:
        """The row on the wire (SiteInfo.build leaves out a row that names nothing)."""
        item = self.item
        return {"kind": item.kind, "id": item.record_id} if item is not None else {}


# The kinds the CMS manages, in the order they are listed and published.
KINDS: dict[str, type[KioskRecord]] = {
    "governorate": Governorate,
    "category": Category,
    "certification": Certification,
    "manufacturer": Manufacturer,
    "product": Product,
    "news": News,
    "faq": Faq,
    "guide": GuideEntry,
    "policy": Policy,
    "poll": Poll,
    "survey": Survey,
    "site": SiteInfo,
}

__all__ = ["KINDS", "Category", "Certification", "Faq", "Governorate", "GuideDocument",
           "GuideEntry",
           "GuideStep", "KioskImage", "KioskRecord", "Manufacturer", "News", "Policy", "Poll",
           "PollOption", "Product", "ProductCertification", "ProductImage", "ProductOutlet",
           "SiteFeatured", "SiteHoliday", "SiteHours", "SiteInfo", "Survey", "SurveyChoice",
           "SurveyQuestion"]
