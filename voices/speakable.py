"""Turn the kiosk's logical text into what espeak-ng should say, per language, and cut it into
sentences so that stopping is instant and "repeat" repeats just the current sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGS = ("ar", "en")

# Both Arabic-Indic digit sets appear in content typed on Arabic keyboards (the Persian set too).
_DIGITS = {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
_DIGITS.update({"\u066b": ".", "\u066c": ",", "\u066a": "%"})  # Arabic decimal, thousands, percent
_DIGIT_TABLE = str.maketrans(_DIGITS)

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    # Oman uses the Gregorian month names as borrowed words, not the Levantine names.
    "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
           "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
}

# Single letters are mis-read by espeak-ng ("A" becomes the article), so spell them by name.
# Arabic speakers name Latin letters this way, and the Arabic voice says these words well.
LETTER_NAMES = {
    "en": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [
        "ay", "bee", "see", "dee", "ee", "ef", "jee", "aitch", "eye", "jay", "kay", "el", "em",
        "en", "oh", "pee", "cue", "ar", "ess", "tee", "you", "vee", "double you", "ex", "why",
        "zed"], strict=True)),
    "ar": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [
        "إيه", "بي", "سي", "دي", "إي", "إف", "جي", "إتش", "آي", "جيه", "كيه", "إل", "إم",
        "إن", "أو", "بي", "كيو", "آر", "إس", "تي", "يو", "في", "دبليو", "إكس", "واي", "زد"], strict=True)),
}

_WORDS = {
    "en": {"rial": "Omani rial", "rials": "Omani rials", "baisa": "baisa", "and": "and",
           "percent": "percent", "point": "point", "am": "AM", "pm": "PM", "oh": "oh"},
    "ar": {"rial": "ريال عماني", "rials": "ريال عماني", "baisa": "بيسة", "and": "و",
           "percent": "بالمئة", "point": "فاصلة", "am": "صباحاً", "pm": "مساءً", "oh": ""},
}

MAX_SENTENCE_CHARS = 220

_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)(?:\s*([AaPp])\.?\s?[Mm]\.?)?(?!\d)")
_CURRENCY = r"(?:OMR|R\.O\.|RO|ر\.ع\.?|ريال(?:\s+عماني)?|بيسة)"
_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,3}))?"
_PRICE_AFTER = re.compile(rf"{_AMOUNT}\s*{_CURRENCY}(?!\w)")
_PRICE_BEFORE = re.compile(rf"(?<!\w){_CURRENCY}\s*{_AMOUNT}")
# A phone-like number: an optional +, then 7 or more digits, optionally grouped by single spaces
# or hyphens. Quantities are written with thousands separators, so they never match.
_PHONE = re.compile(r"(?<![\d,.])\+?\d(?:[ -]?\d){6,}(?![\d,]|\.\d)")
# "2010-2015" is a span of years, not a phone number, though both are 8 digits with a hyphen.
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_THOUSANDS = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_PERCENT = re.compile(r"(\d)\s*%")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Sentence:
    """One piece of speech: `text` is what the screen shows, `spoken` what the voice reads."""

    text: str
    spoken: str


def normalize_digits(text: str) -> str:
    """Arabic-Indic (and Persian) digits and separators become ASCII, so one set of rules applies."""
    return text.translate(_DIGIT_TABLE)


def spell_digits(digits: str) -> str:
    """Digit by digit, as a person reads a phone number: '80000070' -> '8 0 0 0 0 0 7 0'."""
    return " ".join(ch for ch in digits if ch.isdigit())


def spell_code(code: str, lang: str) -> str:
    """'MIO-DT-0001' -> letters by name and digits one by one, a pause between the parts."""
    names = LETTER_NAMES[_lang(lang)]
    parts = [" ".join(names.get(ch, ch) for ch in part) for part in code.split("-")]
    return ("، " if lang == "ar" else ", ").join(parts)


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def _price(rials: str, baisa: str | None, lang: str) -> str:
    w = _WORDS[lang]
    r = int(rials.replace(",", ""))
    b = int((baisa or "0").ljust(3, "0"))
    rial_words = f"{r} {w['rial'] if r == 1 else w['rials']}"
    if b == 0:
        return rial_words
    if r == 0:
        return f"{b} {w['baisa']}"
    return f"{rial_words} {w['and']} {b} {w['baisa']}"


def _price_sub(lang: str):
    def sub(m: re.Match[str]) -> str:
        unit = m.group(0)
        if "بيسة" in unit and m.group(2) is None:
            return f"{int(m.group(1).replace(',', ''))} {_WORDS[lang]['baisa']}"
        return f" {_price(m.group(1), m.group(2), lang)} "
    return sub


def _date(day: int, month: int, year: int, lang: str) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{day} {MONTHS[lang][month - 1]} {year}"


def _time(m: re.Match[str], lang: str) -> str:
    hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
    if half:
        pm = half == "p"
        hour = hour % 12
    else:
        pm = hour >= 12
    h12 = hour % 12 or 12
    w = _WORDS[lang]
    suffix = w["pm"] if pm else w["am"]
    if lang == "ar":
        if minute == 0:
            return f"الساعة {h12} {suffix}"
        return f"الساعة {h12} و {minute} دقيقة {suffix}"
    if minute == 0:
        return f"{h12} {suffix}"
    mins = f"{w['oh']} {minute}" if minute < 10 else str(minute)
    return f"{h12} {mins} {suffix}"


def speakable(text: str, lang: str) -> str:
    """What the voice should read for `text` in `lang` ('ar' or 'en'); keeps Latin names
    inside Arabic as they are (espeak-ng switches to its English rules for them)."""
    lang = _lang(lang)
    s = normalize_digits(text)
    s = _CODE.sub(lambda m: f" {spell_code(m.group(0), lang)} ", s)
    s = _ISO_DATE.sub(lambda m: _date(int(m[3]), int(m[2]), int(m[1]), lang) or m[0], s)
    s = _DMY_DATE.sub(lambda m: _date(int(m[1]), int(m[2]), int(m[3]), lang) or m[0], s)
    s = _TIME.sub(lambda m: _time(m, lang), s)
    s = re.sub(r"الساعة\s+الساعة", "الساعة", s)  # the source often says "at the hour" already
    s = _PRICE_AFTER.sub(_price_sub(lang), s)
    s = _PRICE_BEFORE.sub(_price_sub(lang), s)
    to = "to" if lang == "en" else "إلى"
    s = _YEAR_RANGE.sub(lambda m: f"{m[1]} {to} {m[2]}" if m[1] < m[2] else m[0], s)
    s = _PHONE.sub(lambda m: f" {spell_digits(m.group(0))} ", s)
    s = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), s)
    s = _PERCENT.sub(lambda m: f"{m.group(1)} {_WORDS[lang]['percent']}", s)
    if lang == "ar":
        # The Arabic voice reads "12.5" as two numbers; say the decimal point.
        s = _DECIMAL.sub(lambda m: f"{m[1]} {_WORDS['ar']['point']} {m[2]}", s)
    s = _SPACES.sub(" ", s)
    s = re.sub(r" ([,.،؟?!;؛])", r"\1", s)
    return s.strip()


# Sentence ends: . ! ? ؟ followed by a space or the end (so "12.500" and "ر.ع." stay whole),
# the Arabic comma and either semicolon anywhere, and line breaks.
_SENTENCE_END = re.compile(r"(?<=[.!?؟])[\"'»”)\]]*(?=\s|$)|(?<=[،;؛])|\n+")
_NO_BREAK_AFTER = ("ر.ع.", "R.O.", "e.g.", "i.e.", "Mr.", "Mrs.", "Dr.", "St.", "No.", "etc.")


def split_sentences(text: str) -> list[str]:
    """Cut logical text into sentences on Arabic and Latin punctuation and line breaks; very
    long runs without punctuation are cut between words so no piece takes long to say."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        piece = text[start:end]
        at_line_break = "\n" in m.group(0)
        if not at_line_break and piece.rstrip().endswith(_NO_BREAK_AFTER) and end < len(text):
            continue
        pieces.append(piece)
        start = end
    pieces.append(text[start:])
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if piece:
            out.extend(_cut_long(piece))
    return out


def _cut_long(piece: str) -> list[str]:
    out = []
    while len(piece) > MAX_SENTENCE_CHARS:
        window = piece[:MAX_SENTENCE_CHARS]
        cut = max(window.rfind(", "), window.rfind(" "))
        if cut <= MAX_SENTENCE_CHARS // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        out.append(piece[:cut + 1].strip())
        piece = piece[cut + 1:].strip()
    if piece:
        out.append(piece)
    return out


def prepare(text: str, lang: str) -> list[Sentence]:
    """Sentences of `text` with their speakable form, dropping pieces with nothing to say."""
    out = []
    for sentence in split_sentences(text):
        spoken = speakable(sentence, lang)
        if any(ch.isalnum() for ch in spoken):
            out.append(Sentence(sentence, spoken))
    return out
