"""Easy Read in the CMS: a record's Easy Read version edited as rows of a pictogram and a short
sentence, Arabic and English side by side, with the readability check
(kiosk.protocol.readability) shown under the rows in the staff member's language.

The version is kept as the wire format has it (kiosk.protocol.EasyRead JSON) in one field, so
the import, the spreadsheet and the publish read it unchanged: ``EasyReadJSONField`` only gives
it this form field. Empty rows are ignored; no sentence in either language means no Easy Read
version (the kiosk shows the normal text). A sentence without its pictogram, or the other way
round, is refused at save with the row named; a version in one language only is a draft that
the list of what is missing stops at submit and publish."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel

from kiosk import protocol

EASY_READ_ICONS = protocol.EASY_READ_ICONS  # the wire format accepts only these names

LANGS = ("ar", "en")
ROWS = protocol.MAX_EASY_SENTENCES

# What editors pick each sentence's pictogram by, in their language.
ICON_NAMES = {
    "box": _("Box"), "calendar": _("Calendar"), "certificate": _("Certificate"),
    "check": _("Tick"), "clock": _("Clock"), "computer": _("Computer"),
    "document": _("Document"), "drink": _("Drink"), "ear": _("Ear"), "eye": _("Eye"),
    "factory": _("Factory"), "fish": _("Fish"), "food": _("Food"), "gift": _("Gift"),
    "hand": _("Hand"), "heart": _("Heart"), "home": _("Home"), "info": _("Information"),
    "leaf": _("Leaf"), "list": _("List"), "lock": _("Lock"), "mail": _("Mail"),
    "map": _("Map"), "message": _("Message"), "money": _("Money"), "news": _("News"),
    "people": _("People"), "person": _("Person"), "phone": _("Phone"),
    "question": _("Question"), "shirt": _("Shirt"), "shop": _("Shop"),
    "sparkle": _("Sparkle"), "star": _("Star"), "tools": _("Tools"), "warning": _("Warning"),
    "water": _("Water"), "weight": _("Weight"), "wheelchair": _("Wheelchair"),
    "world": _("World"),
}
assert set(ICON_NAMES) == set(EASY_READ_ICONS), "every pictogram needs its name here"
LANG_NAMES = {"ar": _("Arabic"), "en": _("English")}

# Where the wire format's problems with the version are shown (KioskRecord.labels).
LABELS = {
    "easy_read.ar": _("Easy Read (Arabic)"), "easy_read.en": _("Easy Read (English)"),
    "easy_read.ar.*.text": _("Easy Read sentence (Arabic)"),
    "easy_read.en.*.text": _("Easy Read sentence (English)"),
    "easy_read.ar.*.icon": _("Easy Read pictogram (Arabic)"),
    "easy_read.en.*.icon": _("Easy Read pictogram (English)"),
}


def _choices() -> list[tuple[str, Any]]:
    return [("", _("(pictogram)"))] + [(name, ICON_NAMES[name]) for name in EASY_READ_ICONS]


class EasyReadWidget(forms.MultiWidget):
    """ROWS rows of (pictogram, sentence) per language, Arabic first, each typed in its own
    direction."""

    template_name = "cms/widgets/easy_read.html"

    def __init__(self, attrs: dict | None = None):
        widgets: list[forms.Widget] = []
        for lang in LANGS:
            for _row in range(ROWS):
                widgets.append(forms.Select(choices=_choices()))
                widgets.append(forms.TextInput(attrs={
                    "dir": "rtl" if lang == "ar" else "ltr", "lang": lang,
                    "maxlength": str(protocol.MAX_EASY_SENTENCE)}))
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        out: list[str] = []
        value = value if isinstance(value, dict) else {}
        for lang in LANGS:
            sentences = [s for s in value.get(lang) or () if isinstance(s, dict)][:ROWS]
            for row in range(ROWS):
                s = sentences[row] if row < len(sentences) else {}
                out += [str(s.get("icon") or ""), str(s.get("text") or "")]
        return out

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        ctx = super().get_context(name, value, attrs)
        subs = ctx["widget"]["subwidgets"]
        ctx["langs"] = []
        for i, lang in enumerate(LANGS):
            own = subs[i * ROWS * 2:(i + 1) * ROWS * 2]
            ctx["langs"].append({
                "lang": lang, "dir": "rtl" if lang == "ar" else "ltr",
                "name": LANG_NAMES[lang],
                "rows": [(n + 1, own[2 * n], own[2 * n + 1]) for n in range(ROWS)]})
        return ctx


class EasyReadFormField(forms.MultiValueField):
    widget = EasyReadWidget

    def __init__(self, **kwargs: Any):
        for drop in ("encoder", "decoder", "max_length"):
            kwargs.pop(drop, None)
        fields: list[forms.Field] = []
        for _lang in LANGS:
            for _row in range(ROWS):
                fields.append(forms.ChoiceField(choices=_choices(), required=False))
                fields.append(forms.CharField(required=False,
                                              max_length=protocol.MAX_EASY_SENTENCE))
        kwargs["required"] = False
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> dict | None:
        if not data_list:
            return None
        out: dict[str, list[dict[str, str]]] = {}
        errors: list[str] = []
        for i, lang in enumerate(LANGS):
            rows = data_list[i * ROWS * 2:(i + 1) * ROWS * 2]
            sentences = []
            for n in range(ROWS):
                icon, text = (rows[2 * n] or "").strip(), " ".join((rows[2 * n + 1] or "").split())
                if text and not icon:
                    errors.append(gettext("Easy Read, %(lang)s, sentence %(n)s: choose its "
                                          "pictogram.") % {"lang": LANG_NAMES[lang], "n": n + 1})
                elif icon and not text:
                    errors.append(gettext("Easy Read, %(lang)s, row %(n)s: write the sentence "
                                          "or leave the pictogram empty.")
                                  % {"lang": LANG_NAMES[lang], "n": n + 1})
                elif text:
                    sentences.append({"text": text, "icon": icon})
            out[lang] = sentences
        if errors:
            raise ValidationError(errors)
        if not any(out.values()):
            return None
        return out


class EasyReadJSONField(models.JSONField):
    """A record's Easy Read version (kiosk.protocol.EasyRead JSON, or null), edited with
    EasyReadFormField."""

    def formfield(self, **kwargs: Any) -> forms.Field:
        return EasyReadFormField(label=self.verbose_name, help_text=self.help_text)


def easy_read_field() -> EasyReadJSONField:
    return EasyReadJSONField(
        _("Easy Read"), null=True, blank=True,
        help_text=_("The text again in short sentences, one idea each, with a pictogram beside "
                    "each, in both languages. Kiosks show it to visitors who turn Easy Read on; "
                    "leave it empty and they see the normal text."))


def problem_text(problem: Any) -> str:
    """A readability problem (kiosk.protocol.readability.Problem) in the page's language."""
    v = problem.values
    if problem.code == "no_words":
        return gettext("The sentence has no words.")
    if problem.code == "too_many_words":
        return gettext("%(words)s words: make it %(most)s or fewer, or split it into two "
                       "sentences.") % v
    if problem.code == "long_word":
        return gettext("'%(word)s' has %(letters)s letters: use a shorter, more common word "
                       "(at most %(most)s).") % v
    return gettext("Reads at school grade %(grade)s: aim for %(most)s or lower with shorter "
                   "words and sentences.") % {"grade": f"{v['grade']:g}",
                                              "most": f"{v['most']:g}"}


def readability(easy_read: Any) -> list[dict] | None:
    """Each language's check of a saved version, for the panel; None when there is none."""
    from kiosk.protocol import readability as check

    if not isinstance(easy_read, dict) or not any(easy_read.get(lang) for lang in LANGS):
        return None
    out = []
    for lang in LANGS:
        texts = [str(s.get("text") or "") for s in easy_read.get(lang) or ()
                 if isinstance(s, dict)]
        report = check.check(texts, lang) if texts else None
        out.append({
            "lang": lang, "name": LANG_NAMES[lang], "dir": "rtl" if lang == "ar" else "ltr",
            "report": report, "most_words": check.MAX_WORDS[lang],
            "most_letters": check.MAX_WORD_LETTERS[lang],
            "problems": [{"sentence": p.sentence, "text": problem_text(p)}
                         for p in (report.problems if report else ())]})
    return out


class ReadabilityPanel(Panel):
    """Under the Easy Read rows: how easy the saved version reads, per language (sentence and
    word length; a school grade for English), with what to change. Advice, not a block: what
    stops a publish is in the list at the top."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/readability_panel.html"

        def get_context_data(self, parent_context: Any = None) -> dict:
            ctx = super().get_context_data(parent_context)
            inst = self.instance
            ctx["checks"] = readability(getattr(inst, "easy_read", None)) if inst else None
            return ctx


def easy_read_panel() -> MultiFieldPanel:
    """The Easy Read rows and, under them, how easy the saved version reads."""
    return MultiFieldPanel([FieldPanel("easy_read"), ReadabilityPanel()],
                           heading=_("Easy Read"))
