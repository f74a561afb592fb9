"""UI strings: both catalogues compile, every string the screens use is translated into
Arabic, and `_()` answers per language."""

from __future__ import annotations

import ast

from kiosk.i18n import LOCALE_DIR, _, both, missing, translations
from tests.helpers import ROOT

KEYWORDS = {"_", "t", "both", "_step_text", "_t", "_text", "Answer",
            # the visitor services' sentences (kiosk/services), shown and spoken by screens
            "VisitorError", "InputRefused", "ContactRefused", "NotSaved"}
ATTRS = {"title", "summary", "DEFAULT_MESSAGE", "TEST_SENTENCE"}
DICTS = {"MESSAGES", "DAY_NAMES", "THEME_NAMES", "TITLES", "LINKS",
         # the setup wizard's (screens/setup.py, kiosk/services/netcheck.py)
         "STEP_TITLES", "STEP_SUMMARIES", "KEYPAD_NAMES", "ORIENTATIONS", "CHECK_NAMES",
         "TOUCH_NAMES"}


def used_msgids() -> set[str]:
    """Strings the UI passes to the translation helpers, or declares as screen titles."""
    found: set[str] = set()
    files = [*ROOT.joinpath("screens").rglob("*.py"),
             *ROOT.joinpath("kiosk", "services").rglob("*.py"), ROOT / "kiosk" / "opening_hours.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                arg = node.args[0]
                if name in KEYWORDS and isinstance(arg, ast.Constant) and \
                        isinstance(arg.value, str):
                    found.add(arg.value)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                target = node.targets[0].id
                if target in ATTRS and isinstance(node.value, ast.Constant) and node.value.value:
                    found.add(node.value.value)
                if target in DICTS and isinstance(node.value, ast.Dict | ast.Tuple):
                    values = node.value.values if isinstance(node.value, ast.Dict) \
                        else node.value.elts
                    found.update(v.value for v in values
                                 if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return found


def test_both_catalogues_compile_and_arabic_is_complete():
    for lang in ("ar", "en"):
        assert (LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po").exists()
        translations(lang)
    assert missing("ar") == []


def test_every_string_the_screens_use_is_in_the_arabic_catalogue():
    ar = translations("ar")
    untranslated = sorted(m for m in used_msgids() if ar.gettext(m) == m)
    assert untranslated == []


def test_translation_is_per_language():
    assert _("Home", "en") == "Home"
    assert _("Home", "ar") == "الرئيسية"
    assert both("Back") == {"ar": "رجوع", "en": "Back"}
    # Placeholders survive translation.
    assert "{seconds}" in _("The session ends in {seconds} seconds and everything you "
                            "entered will be cleared.", "ar")


def test_every_registered_screen_has_a_title_in_both_languages():
    # The home screen labels its tiles from registry.TITLES without importing the screens.
    from screens import registry

    assert set(registry.TITLES) == set(registry.SCREENS)
    for name in registry.home_tiles():
        ar, en = (translations(lang).gettext(registry.title(name)) for lang in ("ar", "en"))
        assert ar != en and en == registry.title(name), name
