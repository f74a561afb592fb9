"""The kiosk core: config, settings, i18n, session, provisioning, admin, CLI. No Kivy."""

__version__ = "0.1.0"
