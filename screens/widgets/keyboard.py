"""The kiosk's own on-screen keyboard (ACCESSIBILITY 25): Arabic, English and digits layouts of
large keys that edit a LOGICAL string (append at the end, Delete removes the last letter with its
harakat) and show it shaped through KText above the keys. Never a TextInput, which edits
right-to-left text wrongly. Every key says what it is in both languages for speech.

Keys: key.<character> (key.ب, key.a, key.A while capitals are on, key.1, key.@), key.space,
key.backspace, key.layout (Arabic <-> English letters; from numbers, back to letters),
key.digits (numbers and symbols, with Arabic-Indic digits), key.shift (English: one capital
letter; on by itself at a sentence start where the screen asks for it), key.done."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens.context import ui
from screens.textlayout import has_arabic
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.text import KText, measure_display

# Rows as on a phone or a desk keyboard, left to right whatever the screen's language: that is
# how Arabic and English keyboards are printed. Rows longer than the screen allows at the
# visitor's text scale wrap onto the next line instead of shrinking the keys.
# The letter layouts start with a row of digits, as desk keyboards do: product codes, sizes and
# phone numbers need them without a layout switch.
LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "ar": (
        tuple("1234567890"),
        tuple("ضصثقفغعهخحجد"),
        tuple("شسيبلاتنمكط"),
        ("ئ", "ء", "ؤ", "ر", "لا", "ى", "ة", "و", "ز", "ظ", "ذ"),
        tuple("أإآ"),
    ),
    "en": (
        tuple("1234567890"),
        tuple("qwertyuiop"),
        tuple("asdfghjkl"),
        tuple("zxcvbnm"),
    ),
    "digits": (
        tuple("1234567890"),
        tuple("١٢٣٤٥٦٧٨٩٠"),
        tuple("@.-_+,'?!:/"),
    ),
}
LAYOUT_NAMES = {"ar": "Arabic letters", "en": "English letters", "digits": "Numbers and symbols"}

# Spoken names of the symbol keys (English msgids, translated in assets/locale).
SYMBOL_NAMES = {
    "@": "at sign", ".": "dot", "-": "dash", "_": "underscore", "+": "plus", ",": "comma",
    "'": "apostrophe", "?": "question mark", "!": "exclamation mark", ":": "colon",
    "/": "slash",
}
MASK = "•"


def remove_last(text: str) -> str:
    """The text without its last logical character: a letter together with any harakat (or
    other combining marks) typed after it, so one Delete never leaves a stray mark."""
    end = len(text)
    while end > 0 and unicodedata.category(text[end - 1]) in ("Mn", "Me"):
        end -= 1
    return text[:max(0, end - 1)] if end > 0 else ""


def sentence_start(text: str) -> bool:
    """Whether the next letter begins a sentence: nothing typed yet, or after . ! ? and a
    space or a new line."""
    stripped = text.rstrip(" ")
    return not stripped or (stripped != text and stripped[-1] in ".!?؟") or \
        text.endswith("\n")


def key_words(char: str, lang: str) -> str:
    """What speech says for a character key: "letter ب", "digit 3", "at sign"."""
    if char in SYMBOL_NAMES:
        return _(SYMBOL_NAMES[char], lang)
    if char.isdigit():
        return _("digit {char}", lang).format(char=char)
    return _("letter {char}", lang).format(char=char)


def spoken_text(text: str, lang: str, masked: bool = False, private: bool = False) -> str:
    """The typed text as speech reads it: each character as "asterisk" when masked, "hidden"
    for private details (ACCESSIBILITY 11 and 15), "empty" when nothing is typed."""
    if not text:
        return _("empty", lang)
    if private:
        return _("hidden", lang)
    if masked:
        return " ".join([_("asterisk", lang)] * len(text))
    return text


class Key(KButton):
    """A key: shows its character, says what it is ("letter ب"). ``spoken_fn(lang)`` gives a
    description that changes as the visitor types (the Done key reads the text back)."""

    def __init__(self, spoken: dict[str, str] | None = None,
                 spoken_fn: Callable[[str], str] | None = None, **kwargs):
        self.spoken = spoken or {}
        self.spoken_fn = spoken_fn
        super().__init__(**kwargs)

    def describe(self, lang: str | None = None) -> str:
        lang = lang or ui().lang
        if self.spoken_fn is not None:
            return self.spoken_fn(lang)
        return self.spoken.get(lang) or super().describe(lang)


class Keyboard(BoxLayout):
    """The field showing the current text, then the keys.

    ``text`` is the starting logical text; ``on_change(text)`` runs after every key,
    ``on_done(text)`` on Done, ``on_layout(name)`` when the visitor switches layout (the screen
    keeps it so a rebuild shows the same keys). ``masked`` shows and speaks every character as
    an asterisk; ``private`` shows the text but speaks it as "hidden" (unless ``headset``)."""

    def __init__(self, *, width: float, text: str = "", layout: str | None = None,
                 label: str = "", on_change: Callable[[str], Any] | None = None,
                 on_done: Callable[[str], Any] | None = None,
                 on_layout: Callable[[str], Any] | None = None,
                 speak: Callable[[str], Any] | None = None, masked: bool = False,
                 private: bool = False, headset: bool = False, done_label: str = "Done",
                 max_length: int = 2000, auto_capital: bool = False, **kwargs):
        u = ui().units
        super().__init__(orientation="vertical", size_hint_y=None, spacing=u.gap, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.text = text
        self.layout_name = layout if layout in LAYOUTS else ui().lang
        # One capital letter next (English), like a phone's shift; with ``auto_capital`` it
        # comes on by itself at the start of a sentence, so nobody has to find the key.
        self.auto_capital = auto_capital
        self.upper = auto_capital and sentence_start(text)
        self.letters = self.layout_name if self.layout_name != "digits" else ui().lang
        self.avail = width
        self.on_change = on_change
        self.on_done = on_done
        self.on_layout = on_layout
        self.speak = speak or (lambda _t: None)
        self.masked = masked
        self.private = private and not headset
        self.done_label = done_label
        self.max_length = max_length
        self.field_label = label
        self.field = KText(logical="", role="title")
        self.field_box = column(*([KText(logical=label, bold=True, fg="panel_text")]
                                  if label else []),
                                self.field, fill="panel_bg", padding=u.mm(3),
                                spacing=u.mm(1))
        self.field.fg = "panel_text"
        self.add_widget(self.field_box)
        self.keys_box = column()
        self.add_widget(self.keys_box)
        self._show_text()
        self._build_keys()

    # -- what the keys do -----------------------------------------------------------------

    def type(self, chars: str) -> None:
        if len(self.text) + len(chars) > self.max_length:
            self.speak(_("The text is at its longest.", ui().lang))
            return
        self.text += chars
        self._recapitalise()
        self._changed()
        lang = ui().lang
        if self.private:
            self.speak(_("hidden", lang))
        elif self.masked:
            self.speak(_("asterisk", lang))
        else:
            self.speak(_("space", lang) if chars == " " else chars)

    def backspace(self) -> None:
        if not self.text:
            self.speak(_("Nothing to delete.", ui().lang))
            return
        removed = self.text[len(remove_last(self.text)):]
        self.text = remove_last(self.text)
        self._recapitalise()
        self._changed()
        lang = ui().lang
        what = (_("hidden", lang) if self.private else _("asterisk", lang) if self.masked
                else _("space", lang) if removed == " " else removed)
        self.speak(_("Deleted {what}", lang).format(what=what))

    def set_text(self, text: str) -> None:
        self.text = text
        self._show_text()

    def switch_layout(self, name: str) -> None:
        """Arabic letters, English letters or numbers and symbols."""
        self.layout_name = name
        if name != "digits":
            self.letters = name
        self._build_keys()
        if self.on_layout:
            self.on_layout(name)
        self.speak(_(LAYOUT_NAMES[name], ui().lang))

    def _recapitalise(self) -> None:
        upper = self.auto_capital and sentence_start(self.text)
        if upper != self.upper:
            self.upper = upper
            if self.layout_name == "en":
                self._build_keys()

    def shift(self) -> None:
        self.upper = not self.upper
        self._build_keys()
        lang = ui().lang
        self.speak(_("Capital letter", lang) + ", " + (_("On", lang) if self.upper
                                                       else _("Off", lang)))

    def done(self) -> None:
        if self.on_done:
            self.on_done(self.text)

    def _changed(self) -> None:
        self._show_text()
        if self.on_change:
            self.on_change(self.text)

    # -- drawing --------------------------------------------------------------------------

    def _show_text(self) -> None:
        text = self.text
        shown = MASK * len(text) if self.masked else text
        # Typed Arabic reads right to left even on the English screen, and the other way round.
        self.field.lang = "ar" if has_arabic(shown) or (not shown and ui().rtl) else "en"
        if shown:
            self.field.role = "title"
            self.field.logical = shown
        else:
            self.field.role = "body"
            self.field.lang = ui().lang
            self.field.logical = ui().t("Nothing typed yet.")

    def spoken_field(self, lang: str) -> str:
        return spoken_text(self.text, lang, self.masked, self.private)

    def key_width(self, labels: list[str]) -> float:
        """Wide enough for the widest label at the visitor's text scale, never under 16 mm."""
        u = ui().units
        size = int(round(ui().font("body")))
        widest = max((measure_display(lbl, size, True) for lbl in labels), default=0)
        return max(u.target, widest + 2 * u.mm(3) + u.mm(2))

    def _build_keys(self) -> None:
        u = ui().units
        self.keys_box.clear_widgets()
        rows = LAYOUTS[self.layout_name]
        if self.layout_name == "en" and self.upper:
            rows = tuple(tuple(c.upper() for c in r) for r in rows)
        labels = [c for r in rows for c in r]
        key_w = self.key_width(labels)
        cols = max(1, int((self.avail + u.gap) // (key_w + u.gap)))
        for r in rows:
            # A row too long for the screen wraps into even parts (10 keys: 5 and 5, not 8
            # and 2), so no key is left alone on a line.
            parts = -(-len(r) // cols)
            size = -(-len(r) // parts)
            for start in range(0, len(r), size):
                line = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=u.gap)
                chunk = r[start:start + size]
                keys = []
                for c in chunk:
                    k = Key(kiosk_id=f"key.{c}", label={"ar": c, "en": c},
                            spoken={lang: key_words(c, lang) for lang in ("ar", "en")},
                            size_hint_x=None, width=key_w,
                            lang="ar" if has_arabic(c) else "en",
                            action=lambda c=c: self.type(c))
                    keys.append(k)
                # Keys keep their printed order; the row is centred.
                line.add_widget(Widget())
                for k in keys:
                    line.add_widget(k)
                line.add_widget(Widget())
                tallest = max(k.natural_height for k in keys)
                for k in keys:
                    k.min_height = tallest
                line.height = tallest
                self.keys_box.add_widget(line)
        if self.layout_name == "digits":
            target = self.letters  # back to the letters the visitor was typing
        else:
            target = "en" if self.layout_name == "ar" else "ar"
        switch_label = both(LAYOUT_NAMES[target])
        controls_top = [
            Key(kiosk_id="key.layout", label=switch_label,
                spoken={lang: _("Switch to {layout}", lang).format(layout=switch_label[lang])
                        for lang in ("ar", "en")},
                action=lambda: self.switch_layout(target)),
        ]
        if self.layout_name != "digits":
            controls_top.append(Key(
                kiosk_id="key.digits", label=both("Numbers and symbols"),
                spoken={lang: _("Switch to {layout}", lang).format(
                    layout=_("Numbers and symbols", lang)) for lang in ("ar", "en")},
                action=lambda: self.switch_layout("digits")))
        if self.layout_name == "en":
            controls_top.insert(0, Key(
                kiosk_id="key.shift", label=both("Capital letter"), selected=self.upper,
                state_text=both("On") if self.upper else both("Off"),
                action=self.shift))
        controls_top.append(Key(kiosk_id="key.backspace", label=both("Delete"),
                                spoken=both("Delete the last letter"), action=self.backspace))
        controls_bottom = [
            Key(kiosk_id="key.space", label=both("Space"), spoken=both("space"),
                action=lambda: self.type(" ")),
            Key(kiosk_id="key.done", label=both(self.done_label), action=self.done,
                spoken_fn=lambda lang: _("{label}. Typed so far: {text}", lang).format(
                    label=_(self.done_label, lang), text=self.spoken_field(lang))),
        ]
        for group in (controls_top, controls_bottom):
            cols = self.control_columns(group)
            for start in range(0, len(group), cols):
                self.keys_box.add_widget(row(*group[start:start + cols]))

    def control_columns(self, keys: list[KButton]) -> int:
        """How many control keys fit side by side without breaking a word of their labels
        (at text scale 2 "Numbers and symbols" needs a wider key than at 1)."""
        u = ui().units
        size = int(round(ui().font("body")))
        widest = max(measure_display(word, size, True)
                     for k in keys for lang in ("ar", "en")
                     for word in (k.label.get(lang, "") + " " +
                                  k.state_text.get(lang, "")).split())
        need = widest + 2 * u.mm(3) + u.mm(3)
        return max(1, min(len(keys), int((self.avail + u.gap) // (need + u.gap))))
