"""Django settings for central. Everything comes from central.config (so from $CENTRAL_HOME,
$CENTRAL_DB_URL and $CENTRAL_TRUSTED_PROXIES): SQLite under $CENTRAL_HOME with no setup,
PostgreSQL when a URL is given.

Central opens other databases than this default in the same process too (tests, the bench):
central.db registers each under its own alias. The staff admin (central.staff) uses the
default one: `serve` makes it the site's database."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from central.config import database_settings, load_settings
from kiosk.protocol.base import MAX_BLOB_BYTES

_central = load_settings()

CENTRAL_DB_URL = _central.db_url
DATABASES = {"default": database_settings(_central.db_url)}
# Set by central.web.install from $CENTRAL_HOME/keys/web-secret.key (made on first start, 0600)
# before the staff admin answers; nothing else needs it.
SECRET_KEY = ""

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",  # Wagtail's admin says "saved", "submitted" with them
    "django.contrib.staticfiles",  # Wagtail's admin CSS and JS, served under /cms/static/
    "axes",
    "central.apps.CentralConfig",
    # The CMS under /cms/ (central/cms): Wagtail's admin with central's content as snippets.
    "central.cms.apps.CmsConfig",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.images",
    "wagtail.documents",  # Wagtail's admin needs it; no role may upload documents
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
]
MIDDLEWARE = [
    "central.web.TrustedProxyMiddleware",  # first: drops forwarded headers nobody vouches for
    "central.web.SecureCookiesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "central.web.CsrfFieldMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "central.admin_i18n.StaffLanguageMiddleware",  # the staff member's Arabic or English
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # the CMS's preview: same origin
    # No AxesMiddleware: central.staff.login answers a lockout itself (429), and only from the
    # attempt after the last allowed wrong password, which still hears "not right".
]
ROOT_URLCONF = "central.urls"  # the staff admin's pages (central.staff) and the CMS's
TEMPLATES = [{
    "BACKEND": "django.template.backends.jinja2.Jinja2",
    "DIRS": [str(Path(__file__).resolve().parent / "templates")],
    "APP_DIRS": False,
    "OPTIONS": {"environment": "central.staff.environment", "autoescape": True},
}, {
    # Wagtail's admin and central/cms/templates: Django templates (the Jinja2 backend above
    # finds only the staff admin's admin_*.html, so every other name falls through to here).
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
# Central answers on whatever name its kiosks and proxy use; it builds no absolute URL from
# the Host header.
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
# The staff admin in Arabic and English (central.admin_i18n): the catalogue is
# central/locale/ar/LC_MESSAGES/django.po, compiled at start into $CENTRAL_HOME/cache, which
# central.web.install puts in LOCALE_PATHS. Wagtail's admin speaks Arabic (right to left) or
# English as each staff member chooses in the CMS's account settings
# (WAGTAILADMIN_PERMITTED_LANGUAGES below).
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS: list[str] = []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING_CONFIG = None  # central's own logging (uvicorn's, the CLI's one line) stays as it is
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024  # the ASGI layer already refuses over 6 MiB

# Staff accounts: Django's users, a role as a group (central.staff.ROLES), argon2 hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before any hashing
    "django.contrib.auth.backends.ModelBackend",
]
# Sessions live in the database and end there at sign-out; the cookie only names one.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "mio_staff"
SESSION_COOKIE_PATH = "/"  # one sign-in for /admin and /cms (the device API ignores cookies)
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = False  # Secure whenever the request came over TLS (central.web)
CSRF_COOKIE_NAME = "mio_csrf"
CSRF_COOKIE_PATH = "/"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "central.staff.csrf_failure"
# TLS is ended by a proxy in front of central; its word is taken only from
# $CENTRAL_TRUSTED_PROXIES (central.web.TrustedProxyMiddleware removes the header otherwise).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 3600  # sent only on requests that came over TLS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# django-axes: five wrong passwords for one user name from one client address lock that pair
# for five minutes (someone else, elsewhere, can still sign in to the account).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "central.web.client_ip"
AXES_LOCKOUT_CALLABLE = "central.staff.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# ---------------------------------------------------------------------------------------------
# The CMS (central/cms, Wagtail 8) under /cms/. Content is edited there as typed snippets with
# Arabic and English side by side; Wagtail's own content translation (WAGTAIL_I18N_ENABLED,
# one copy of a record per locale) is off on purpose: a kiosk record carries both languages.
WAGTAIL_SITE_NAME = "Made in Oman kiosks"
WAGTAILADMIN_BASE_URL = os.environ.get("CENTRAL_PUBLIC_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ar", "العربية"), ("en", "English")]
WAGTAILADMIN_LOGIN_URL = "/admin/login"  # one sign-in door, with the lockout (central.staff)
WAGTAIL_PASSWORD_RESET_ENABLED = False  # no mail from central; admins set passwords
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False  # central calls nobody
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_IMAGE_MODEL = "cms.KioskImage"
WAGTAILDOCS_EXTENSIONS = ["pdf"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "central.cms.image_forms.KioskImageForm"
# What a kiosk can show (kiosk.protocol.MEDIA_TYPES, MAX_BLOB_BYTES): refused at upload with
# Wagtail's sentence, so a picture never fails at publish time.
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = MAX_BLOB_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
STATIC_URL = "/cms/static/"
MEDIA_URL = "/cms/media/"  # served to signed-in CMS staff only (central.cms.views.media)
MEDIA_ROOT = str(_central.home / "cms-media")
FILE_UPLOAD_PERMISSIONS = 0o600  # like everything under $CENTRAL_HOME
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
X_FRAME_OPTIONS = "SAMEORIGIN"
