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
        # "Add to the FAQ" (staff admin) makes a CMS draft too (central.cms.importer).
        from central import hooks

        if _faq_draft not in hooks.faq_draft_listeners:
            hooks.faq_draft_listeners.append(_faq_draft)


def _faq_draft(central, record: dict, by: str) -> None:
    from central.cms.importer import faq_draft

    faq_draft(central, record, by)
