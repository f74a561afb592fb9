"""Django settings for central. Everything comes from central.config (so from $CENTRAL_HOME,
$CENTRAL_DB_URL and $CENTRAL_TRUSTED_PROXIES): SQLite under $CENTRAL_HOME with no setup,
PostgreSQL when a URL is given.

Central opens other databases than this default in the same process too (tests, the bench):
central.db registers each under its own alias. The staff admin (central.staff) uses the
default one: `serve` makes it the site's database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from central.config import database_settings, load_settings

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
    "axes",
    "central.apps.CentralConfig",
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
    # No AxesMiddleware: central.staff.login answers a lockout itself (429), and only from the
    # attempt after the last allowed wrong password, which still hears "not right".
]
ROOT_URLCONF = "central.staff"
TEMPLATES = [{
    "BACKEND": "django.template.backends.jinja2.Jinja2",
    "DIRS": [str(Path(__file__).resolve().parent / "templates")],
    "APP_DIRS": False,
    "OPTIONS": {"environment": "central.staff.environment", "autoescape": True},
}]
# Central answers on whatever name its kiosks and proxy use; it builds no absolute URL from
# the Host header.
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
# The staff admin in Arabic and English (central.admin_i18n): the catalogue is
# central/locale/ar/LC_MESSAGES/django.po, compiled at start into $CENTRAL_HOME/cache, which
# central.web.install puts in LOCALE_PATHS.
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
SESSION_COOKIE_PATH = "/admin"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = False  # Secure whenever the request came over TLS (central.web)
CSRF_COOKIE_NAME = "mio_csrf"
CSRF_COOKIE_PATH = "/admin"
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
