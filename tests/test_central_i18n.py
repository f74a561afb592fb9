"""The staff admin's Arabic catalogue: it compiles, and every string the admin's templates and
views pass to gettext has an Arabic translation (with the same %(name)s placeholders), so no
page falls back to English in the middle of Arabic."""

from __future__ import annotations

import re

from tests.helpers import ROOT

PO = ROOT / "central" / "locale" / "ar" / "LC_MESSAGES" / "django.po"
PYTHON_SOURCES = ("central/staff.py", "central/results.py", "central/admin_i18n.py")
KEYWORDS = ("_", "gettext", "ngettext", "gettext_noop")


def used_msgids() -> set[str | tuple[str, str]]:
    from babel.messages.extract import extract_python
    from jinja2.ext import babel_extract

    found: set[str | tuple[str, str]] = set()
    options = {"trim_blocks": "true", "lstrip_blocks": "true", "extensions": "jinja2.ext.i18n"}
    for path in sorted((ROOT / "central" / "templates").glob("*.html")):
        with path.open("rb") as f:
            for _line, _func, msg, _c in babel_extract(f, KEYWORDS, [], options):
                found.add(_msgid(msg))
    for name in PYTHON_SOURCES:
        with (ROOT / name).open("rb") as f:
            for _line, _func, msg, _c in extract_python(f, KEYWORDS, [], {}):
                found.add(_msgid(msg))
    # Values the pages translate where they show them (gettext of a variable).
    from central.feedback import STATE_LABELS
    from central.staff import ROLES
    from central.usage import LABELS_SHOWN
    from kiosk.protocol import GOVERNORATES

    found.update(LABELS_SHOWN)
    found.update(ROLES, STATE_LABELS.values(), (g.replace("_", " ") for g in GOVERNORATES))
    return {m for m in found if m}


def _msgid(msg):
    """A constant string, a (singular, plural) pair, or None for gettext(variable) (a value
    translated where it is shown: a state's label, an error's text)."""
    if msg is None or isinstance(msg, str):
        return msg
    parts = tuple(m for m in msg if m)
    return parts if len(parts) == 2 else (parts[0] if parts else None)


def catalogue():
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        return read_po(f, locale="ar", domain="django")


def test_the_arabic_catalogue_compiles(tmp_path):
    from django.utils.translation import override

    from central import admin_i18n

    out = admin_i18n.compile_catalogues(tmp_path)
    mo = out / "ar" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_size > 1000
    assert mo.stat().st_mode & 0o777 == 0o600 and out.stat().st_mode & 0o777 == 0o700
    # The same .po again: nothing compiled anew, the same folder.
    assert admin_i18n.compile_catalogues(tmp_path) == out
    import central.orm  # noqa: F401 - Django set up

    admin_i18n.install(tmp_path)
    from django.utils.translation import gettext, ngettext

    with override("ar"):
        assert gettext("Sign in") == "تسجيل الدخول"
        assert ngettext("%(num)s vote", "%(num)s votes", 11) % {"num": 11} == "11 صوتًا"
        assert ngettext("%(num)s vote", "%(num)s votes", 2) % {"num": 2} == "صوتان"


def test_every_string_the_admin_uses_is_translated_into_arabic():
    cat = catalogue()
    untranslated = []
    for msgid in sorted(used_msgids(), key=str):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        m = cat.get(key)
        if m is None or not (all(m.string) if isinstance(m.string, tuple) else m.string):
            untranslated.append(msgid)
    assert untranslated == []


def test_translations_keep_their_placeholders():
    wrong = []
    for m in catalogue():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = set(re.findall(r"%\(\w+\)s", ids[0]))
        for s in strings:
            # A plural form may leave the number out ("صوتان": two votes) but no other name.
            got = set(re.findall(r"%\(\w+\)s", s))
            if got - want or (want - got) - {"%(num)s", "%(n)s"}:
                wrong.append((ids[0], s))
    assert wrong == []
