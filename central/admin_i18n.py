"""The staff admin in Arabic and English: Django's i18n with the catalogue in
central/locale/<lang>/LC_MESSAGES/django.po, the language each staff member chose, and dates and
numbers written the way each language reads them.

The .po is compiled with Babel when central starts (as the kiosk does with its own catalogue,
kiosk/i18n.py), not committed as a .mo: a translator edits the .po, and no binary copy can drift
out of step with it. The compiled file is kept under $CENTRAL_HOME/cache/locale-<hash of the
.po>/ (0700 folders, 0600 file, like everything under $CENTRAL_HOME), which is what Django's
LOCALE_PATHS points at.

The language: a staff member picks it with the switch on every page (POST /admin/language); it
is kept in their session and in a cookie (so the sign-in page, before any session, and the next
sign-in in the same browser, are in it too). English when nothing was chosen."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SOURCE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "django"
LANGS = ("en", "ar")
RTL = frozenset({"ar"})
COOKIE = "mio_lang"
SESSION_KEY = "staff_lang"
NAMES = {"en": "English", "ar": "العربية"}


def compile_catalogues(home: Path) -> Path:
    """Compile every central/locale/*/LC_MESSAGES/django.po into a folder under ``home``/cache
    and return that folder (for LOCALE_PATHS). A second start with the same .po files reads
    what the first compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from central.errors import CentralError

    sources = sorted(SOURCE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    digest = hashlib.sha256()
    for po in sources:
        digest.update(po.parent.parent.name.encode() + b"\0" + po.read_bytes())
    cache = home / "cache"
    out = cache / f"locale-{digest.hexdigest()[:24]}"
    for po in sources:
        lang = po.parent.parent.name
        mo = out / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo.exists():
            continue
        try:
            catalog = read_po(io.BytesIO(po.read_bytes()), locale=lang, domain=DOMAIN)
        except Exception as e:
            raise CentralError(f"{po} can not be read ({e}); fix the file") from None
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        for folder in (cache, out, out / lang, mo.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        tmp.replace(mo)
    return out


def install(home: Path) -> None:
    """Point Django's translations at the compiled catalogues (central.web.install, before the
    admin answers its first request)."""
    from django.conf import settings
    from django.utils.translation import trans_real

    settings.LOCALE_PATHS = [str(compile_catalogues(home))]
    # Catalogues Django may have loaded before are dropped (it caches them per language).
    trans_real._translations = {}
    trans_real._default = None


def language_of(request: Any) -> str:
    session = getattr(request, "session", None)
    lang = session.get(SESSION_KEY) if session is not None else None
    if lang not in LANGS:
        lang = request.COOKIES.get(COOKIE)
    return lang if lang in LANGS else "en"


class StaffLanguageMiddleware:
    """Activates the staff member's language for pages under /admin (the CMS beside it keeps
    its own choice)."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.utils import translation

        if not request.path.startswith("/admin"):
            return self.get_response(request)
        lang = language_of(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", lang)
        return response


def current() -> str:
    from django.utils import translation

    lang = translation.get_language() or "en"
    return lang if lang in LANGS else "en"


def direction(lang: str | None = None) -> str:
    return "rtl" if (lang or current()) in RTL else "ltr"


# ---------------------------------------------------------------------------------------------
# Dates and numbers. Digits stay Latin in both languages (as the ministry's own pages write them,
# and as references and versions are typed); month names, order and the word for UTC follow the
# language.


def when(dt: datetime | None) -> str:
    from django.utils.translation import gettext

    if dt is None:
        return gettext("never")
    dt = dt.astimezone(UTC)
    if current() == "ar":
        from babel.dates import format_datetime

        return format_datetime(dt, "d MMMM y، HH:mm", tzinfo=UTC, locale="ar") + " UTC"
    return dt.strftime("%Y-%m-%d %H:%M UTC")


def day(d: date | datetime | None) -> str:
    """A day, as "2 December 2026" or "2 ديسمبر 2026"."""
    if d is None:
        return ""
    from babel.dates import format_date

    if isinstance(d, datetime):
        d = d.astimezone(UTC).date()
    return format_date(d, "d MMMM y", locale=current())


def number(value: Any) -> str:
    from babel.numbers import format_decimal

    if value is None:
        return ""
    return format_decimal(value, locale=current(), numbering_system="latn")


def ago(dt: datetime | None) -> str:
    from django.utils.translation import gettext, ngettext

    from central.db import utcnow

    if dt is None:
        return gettext("never")
    s = int((utcnow() - dt).total_seconds())
    if s < 90:
        return ngettext("%(n)s second ago", "%(n)s seconds ago", s) % {"n": s}
    if s < 5400:
        n = s // 60
        return ngettext("%(n)s minute ago", "%(n)s minutes ago", n) % {"n": n}
    if s < 172800:
        n = s // 3600
        return ngettext("%(n)s hour ago", "%(n)s hours ago", n) % {"n": n}
    n = s // 86400
    return ngettext("%(n)s day ago", "%(n)s days ago", n) % {"n": n}


def setup_environment(env: Any) -> None:
    """gettext, ngettext and the filters in the admin's Jinja2 environment."""
    from django.utils import translation

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext=translation.gettext, ngettext=translation.ngettext,
                                  newstyle=True)
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["ago"] = ago
    env.filters["num"] = number
    env.globals["lang"] = current
    env.globals["dir"] = direction
    env.globals["LANG_NAMES"] = NAMES
