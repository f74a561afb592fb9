"""The kinds of record the CMS edits, one typed model each, registered as Wagtail snippets in
central/cms/wagtail_hooks.py. Every text a visitor reads has an Arabic and an English field,
edited side by side. ``build()`` gives the record as the wire format has it (possibly
incomplete, for a draft), ``problems()`` says in words what is missing before it may be
published, and ``to_record()`` gives the validated JSON (kiosk.protocol) or raises."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
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

from central.cms.images import LTR, RTL, KioskImage
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
            return ctx


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

    class Meta:
        abstract = True

    def __str__(self) -> str:
        name = getattr(self, "name_en", "") or getattr(self, "title_en", "")
        return name or self.record_id or gettext("(new)")

    # -- the wire format ----------------------------------------------------------------------

    def build(self) -> dict:
        raise NotImplementedError

    def extra_problems(self) -> list[str]:
        return []

    def problems(self) -> list[str]:
        """Everything that keeps this record off the kiosks, as sentences staff understand."""
        out = list(self.extra_problems())
        try:
            protocol.RECORD_MODELS[self.kind].model_validate(self.build())
        except PydanticError as e:
            out.extend(self._explain(err) for err in e.errors())
        except ValueError as e:  # a model validator's own sentence
            out.append(str(e))
        seen: set[str] = set()
        return [p for p in out if not (p in seen or seen.add(p))]

    def to_record(self) -> dict:
        """The wire-format JSON, validated by kiosk.protocol (ProtocolError otherwise)."""
        return protocol.record_to_json(protocol.parse_record(self.kind, self.build()))

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
        ctx.update(record=self.build(), problems=self.problems(), kind=self.kind)
        return ctx


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
              "where_to_buy.*.url": _("Where to buy: web address")}
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
    # The Easy Read version as imported (kiosk.protocol.EasyRead); kept as it is, not edited
    # here yet.
    easy_read = models.JSONField(null=True, blank=True, editable=False)

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


# The kinds the CMS manages, in the order they are listed and published.
KINDS: dict[str, type[KioskRecord]] = {
    "category": Category,
    "certification": Certification,
    "manufacturer": Manufacturer,
    "product": Product,
}

__all__ = ["KINDS", "Category", "Certification", "KioskImage", "KioskRecord", "Manufacturer",
           "Product", "ProductCertification", "ProductImage", "ProductOutlet"]
