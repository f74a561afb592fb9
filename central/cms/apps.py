from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "central.cms"
    label = "cms"
    verbose_name = _("Kiosk content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from central.cms import roles

        # After every migrate: the roles' permissions and the approval workflow (idempotent).
        post_migrate.connect(roles.sync_after_migrate, sender=self,
                             dispatch_uid="central.cms.roles")
        post_migrate.connect(_featured_references, sender=self,
                             dispatch_uid="central.cms.featured_references")
        # The search index follows each record's saves and deletes (central.cms.models:
        # KioskRecord.search_auto_update).
        from django.db.models.signals import post_delete, post_save
        from modelsearch.signal_handlers import post_delete_signal_handler

        from central.cms.models import KioskRecord, update_search_index_on_save

        for model in self.get_models():
            if not issubclass(model, KioskRecord):
                continue
            post_save.connect(update_search_index_on_save, sender=model,
                              dispatch_uid=f"central.cms.search.save.{model.__name__}")
            post_delete.connect(post_delete_signal_handler, sender=model,
                                dispatch_uid=f"central.cms.search.delete.{model.__name__}")
        # "Add to the FAQ" (staff admin) makes a CMS draft too (central.cms.importer).
        from central import hooks

        if _faq_draft not in hooks.faq_draft_listeners:
            hooks.faq_draft_listeners.append(_faq_draft)


def _faq_draft(central, record: dict, by: str) -> None:
    from central.cms.importer import faq_draft

    faq_draft(central, record, by)


def _featured_references(sender, using: str, plan=None, **kwargs) -> None:
    """The migration that gave featured rows their product or news item by foreign key
    (cms ..._featured_choosers) changes rows without Wagtail seeing it; its reference index
    learns of them here, so a featured snippet's delete page says it is used (and refuses)
    instead of failing on the database's refusal."""
    if not any(m.app_label == "cms" and m.name.endswith("_featured_choosers") and not back
               for m, back in plan or ()):
        return
    from wagtail.models import ReferenceIndex

    from central.cms.models import SiteInfo

    for site in SiteInfo.objects.using(using).all():
        ReferenceIndex.create_or_update_for_object(site)
