"""The visitor UI's own strings (content comes bilingual from the store): gettext catalogues in
assets/locale/<lang>/LC_MESSAGES/kiosk.po, compiled with Babel when first needed.

The .po files are compiled in memory on first use instead of committing .mo files: a translator
edits the .po and the kiosk shows the change on its next start, and no binary copy can drift out
of step with its source. The compiled catalogue is kept in $KIOSK_HOME/cache under the .po's
hash, so a start after the first reads it instead of parsing the .po again (start-up time is
part of the product, and `make bench` measures it)."""

from __future__ import annotations

import gettext
import hashlib
import io
import os
import threading
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"
DOMAIN = "kiosk"
LANGS = ("ar", "en")

_lock = threading.Lock()


class CatalogueError(RuntimeError):
    """A translation catalogue is missing or damaged; the text names the file to fix."""


def _cache_dir() -> Path:
    from kiosk.config import kiosk_home

    return kiosk_home() / "cache"


@cache
def _compiled(lang: str) -> gettext.NullTranslations:
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        source = po_path.read_bytes()
    except FileNotFoundError:
        raise CatalogueError(f"{po_path} is missing; restore it from the repository") from None
    except OSError as e:
        raise CatalogueError(f"{po_path} can not be read ({e}); fix the file") from None
    kept = _cache_dir() / f"{DOMAIN}-{lang}-{hashlib.sha256(source).hexdigest()[:24]}.mo"
    try:
        return gettext.GNUTranslations(io.BytesIO(kept.read_bytes()))
    except Exception:  # noqa: BLE001 - not compiled yet, or damaged: compile it again
        pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    try:
        catalog = read_po(io.BytesIO(source), locale=lang, domain=DOMAIN)
    except Exception as e:
        raise CatalogueError(f"{po_path} can not be read ({e}); fix the file") from None
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    compiled = buf.getvalue()
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(compiled)
        tmp.replace(kept)
    except OSError:
        pass  # a read-only home only costs the compile on the next start
    return gettext.GNUTranslations(io.BytesIO(compiled))


def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
    with _lock:
        return _compiled(lang)


def _(message: str, lang: str) -> str:
    """``message`` (the English msgid) in ``lang``."""
    return translations(lang).gettext(message)


def both(message: str) -> dict[str, str]:
    """``message`` in both languages, as widgets' bilingual labels want it."""
    return {lang: _(message, lang) for lang in LANGS}


def missing(lang: str) -> list[str]:
    """Msgids without a translation in ``lang`` (the English catalogue may leave msgstr empty
    because the msgid is already English)."""
    from babel.messages.pofile import read_po

    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    return [m.id for m in catalog if m.id and not m.string]
