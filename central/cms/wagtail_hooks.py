"""The CMS's kinds as Wagtail snippets (one menu group, "Kiosk catalogue"), the "Publish to
kiosks" page and its menu item (publishers and admins only)."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from central.cms import views
from central.cms.models import Category, Certification, Manufacturer, Product


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


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = _columns("name_en", "name_ar", "order")
    list_filter = ["live"]
    ordering = ["order", "record_id"]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "tick-inverse"
    list_display = _columns("name_en", "name_ar")
    list_filter = ["live"]


class ManufacturerViewSet(SnippetViewSet):
    model = Manufacturer
    icon = "group"
    list_display = _columns("name_en", "name_ar", "governorate")
    list_filter = ["live", "governorate"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    list_display = _columns("name_en", "name_ar", "code", "category")
    list_filter = ["live", "category", "governorate"]
    list_per_page = 50


class CatalogueGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, CertificationViewSet, ManufacturerViewSet, ProductViewSet)
    menu_label = _("Kiosk catalogue")
    menu_icon = "folder-inverse"
    menu_order = 100


register_snippet(CatalogueGroup)


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
