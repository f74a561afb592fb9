"""The CMS's kinds as Wagtail snippets (menu groups "Kiosk catalogue", "Kiosk information",
"Polls and survey"), the "Publish to kiosks" page and its menu item (publishers and admins only)."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from central.cms import views
from central.cms.models import (
    Category,
    Certification,
    Faq,
    Governorate,
    GuideEntry,
    Manufacturer,
    News,
    Policy,
    Poll,
    Product,
    SiteInfo,
    Survey,
)
from central.cms.videos import KioskSignVideo


class ReadyColumn(Column):
    """"Ready" or what is missing, on each row of a list."""

    def get_value(self, instance):
        problems = instance.problems()
        if not problems:
            return _("Ready")
        return _("%(n)d missing: %(first)s") % {"n": len(problems), "first": problems[0]}


def _columns(*names: str) -> list:
    return [*names, ReadyColumn("ready", label=_("Before publishing")), UpdatedAtColumn(),
            LiveStatusTagColumn()]


class KindViewSet(SnippetViewSet):
    """A kind's list fetches what each row's "Before publishing" column reads (the record as
    kiosks would get it) in a few queries for the whole page, not several per row: with 10,000
    products a page of 50 took over 500 queries."""

    list_related: tuple[str, ...] = ()  # select_related
    list_prefetch: tuple[str, ...] = ()  # prefetch_related

    def get_queryset(self, request):
        # Each row's status tag reads its newest revision.
        qs = self.model._default_manager.all().select_related("latest_revision")
        if self.list_related:
            qs = qs.select_related(*self.list_related)
        if self.list_prefetch:
            qs = qs.prefetch_related(*self.list_prefetch)
        return qs


class CategoryViewSet(KindViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = _columns("name_en", "name_ar", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class CertificationViewSet(KindViewSet):
    model = Certification
    icon = "tick-inverse"
    list_display = _columns("name_en", "name_ar")
    list_filter = ["live"]


class ManufacturerViewSet(KindViewSet):
    model = Manufacturer
    icon = "group"
    list_display = _columns("name_en", "name_ar", "governorate")
    list_filter = ["live", "governorate"]


class ProductViewSet(KindViewSet):
    model = Product
    icon = "tag"
    list_display = _columns("name_en", "name_ar", "code", "category")
    list_filter = ["live", "category", "governorate"]
    list_per_page = 50
    list_related = ("category", "manufacturer", "sign_video")
    list_prefetch = ("images__image", "certifications__certification", "outlets")


class GovernorateViewSet(KindViewSet):
    model = Governorate
    icon = "site"
    list_display = _columns("name_en", "name_ar", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class CatalogueGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, CertificationViewSet, ManufacturerViewSet, ProductViewSet,
             GovernorateViewSet)
    menu_label = _("Kiosk catalogue")
    menu_icon = "folder-inverse"
    menu_order = 100


register_snippet(CatalogueGroup)


class NewsViewSet(KindViewSet):
    model = News
    icon = "date"
    list_display = _columns("title_en", "title_ar", "published_on")
    list_filter = ["live"]
    ordering = ["-published_on", "record_id"]


class FaqViewSet(KindViewSet):
    model = Faq
    icon = "help"
    list_display = _columns("question_en", "question_ar", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class GuideViewSet(KindViewSet):
    model = GuideEntry
    icon = "list-ol"
    list_display = _columns("title_en", "title_ar", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class PolicyViewSet(KindViewSet):
    model = Policy
    icon = "doc-full"
    list_display = _columns("title_en", "title_ar", "record_id", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class SiteInfoViewSet(SnippetViewSet):
    model = SiteInfo
    icon = "site"
    list_display = _columns("portal_name_en", "call_centre")


class SignVideoViewSet(SnippetViewSet):
    """The sign-language clips records choose from (central/cms/videos.py)."""

    model = KioskSignVideo
    icon = "media"
    list_display = ["title", "media_type", "duration_ms", "width", "height"]
    ordering = ["title"]


class InformationGroup(SnippetViewSetGroup):
    items = (NewsViewSet, FaqViewSet, GuideViewSet, PolicyViewSet, SiteInfoViewSet,
             SignVideoViewSet)
    menu_label = _("Kiosk information")
    menu_icon = "doc-full-inverse"
    menu_order = 110


register_snippet(InformationGroup)


class PollViewSet(SnippetViewSet):
    model = Poll
    icon = "pick"
    list_display = _columns("question_en", "question_ar", "opens_at", "closes_at")
    list_filter = ["live"]
    ordering = ["-opens_at", "record_id"]


class SurveyViewSet(SnippetViewSet):
    model = Survey
    icon = "form"
    list_display = _columns("title_en", "title_ar")
    list_filter = ["live"]


class ParticipationGroup(SnippetViewSetGroup):
    items = (PollViewSet, SurveyViewSet)
    menu_label = _("Polls and survey")
    menu_icon = "pick"
    menu_order = 120


register_snippet(ParticipationGroup)


@hooks.register("register_admin_urls")
def _urls():
    return [path("kiosks/publish/", views.publish_to_kiosks, name="cms_publish"),
            path("kiosks/schedule/", views.schedule_publish, name="cms_schedule"),
            path("kiosks/schedule/<int:schedule_id>/cancel/", views.cancel_schedule,
                 name="cms_schedule_cancel"),
            path("kiosks/rollback/", views.rollback, name="cms_rollback"),
            path("kiosks/import/", views.product_import, name="cms_import"),
            path("kiosks/export.<str:fmt>", views.product_export, name="cms_export"),
            path("kiosks/audit/", views.audit_log, name="cms_audit")]


class _PublishMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_publish(request.user)


@hooks.register("register_admin_menu_item")
def _publish_menu_item():
    return _PublishMenuItem(_("Publish to kiosks"), reverse("cms_publish"), icon_name="upload",
                            order=200)


@hooks.register("register_admin_menu_item")
def _rollback_menu_item():
    return _PublishMenuItem(_("Roll back kiosks"), reverse("cms_rollback"), icon_name="history",
                            order=201)


@hooks.register("register_admin_menu_item")
def _import_menu_item():
    return _PublishMenuItem(_("Import and export products"), reverse("cms_import"),
                            icon_name="doc-full", order=202)


@hooks.register("register_admin_menu_item")
def _audit_menu_item():
    return _PublishMenuItem(_("Content audit log"), reverse("cms_audit"), icon_name="list-ul",
                            order=203)


@hooks.register("register_admin_menu_item")
def _staff_admin_menu_item():
    return MenuItem(_("Staff admin (fleet, feedback)"), "/admin/", icon_name="cogs", order=900)
