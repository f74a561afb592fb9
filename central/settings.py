"""Django settings for central. Everything comes from central.config (so from $CENTRAL_HOME and
$CENTRAL_DB_URL): SQLite under $CENTRAL_HOME with no setup, PostgreSQL when a URL is given.

Central opens other databases than this default in the same process too (tests, the bench):
central.db registers each under its own alias."""

from __future__ import annotations

from central.config import database_settings, load_settings

_central = load_settings()

CENTRAL_DB_URL = _central.db_url
DATABASES = {"default": database_settings(_central.db_url)}

INSTALLED_APPS = ["central.apps.CentralConfig"]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING_CONFIG = None  # central's own logging (uvicorn's, the CLI's one line) stays as it is
