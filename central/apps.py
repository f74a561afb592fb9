"""Central as a Django app: its models (central.models) and migrations (central/migrations)."""

from django.apps import AppConfig


class CentralConfig(AppConfig):
    name = "central"
    label = "central"
    verbose_name = "Made in Oman kiosk central"
    default_auto_field = "django.db.models.BigAutoField"
