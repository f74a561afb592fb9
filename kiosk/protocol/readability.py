"""A readability check for Easy Read text, for the CMS to show beside the field and for the
team's own demo text (tests/test_demo_catalogue.py): sentence length in words and word length
in letters for Arabic and English, and for English a school grade (Flesch-Kincaid, computed by
textstat). Pure: no Kivy, no network; textstat loads with the first English grade, so
importing kiosk.protocol never loads it (this module is not re-exported there).

The limits follow plain-language and Easy Read guidance (one idea per sentence, about 15 words
at most, common short words). Arabic words carry their prepositions, articles and pronouns
attached (وبمنتجاتنا is one word), so an Arabic sentence has fewer, longer words than its
English one: its limits are lower in words and higher in letters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_WORDS = {"en": 15, "ar": 12}
MAX_WORD_LETTERS = {"en": 13, "ar": 11}
MAX_ENGLISH_GRADE = 6.0  # Flesch-Kincaid school grade of one record's Easy Read text

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def words(sentence: str) -> list[str]:
    """The words of a sentence: runs of letters (numbers, such as a phone number, are not
    words to read letter by letter). Arabic diacritics (tashkeel) belong to their word."""
    text = "".join(c for c in unicodedata.normalize("NFC", sentence)
                   if unicodedata.category(c) != "Mn")
    return _WORD.findall(text)


def letters(word: str) -> int:
    return sum(1 for c in word if c.isalpha())


@dataclass(frozen=True)
class Problem:
    """One thing to make easier, in words an editor can act on. ``code`` and ``values`` let a
    page in another language say it in its own words (the CMS does, in Arabic); ``message``
    says it in English."""

    sentence: int  # from 1; 0: the whole text
    code: str  # "no_words", "too_many_words", "long_word", "grade"
    values: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        v = self.values
        if self.code == "no_words":
            return "the sentence has no words"
        if self.code == "too_many_words":
            return (f"{v['words']} words: make it {v['most']} or fewer, or split it into two "
                    f"sentences")
        if self.code == "long_word":
            return (f"'{v['word']}' has {v['letters']} letters: use a shorter, more common "
                    f"word (at most {v['most']})")
        return (f"reads at school grade {v['grade']:g}: aim for {v['most']:g} or lower with "
                f"shorter words and sentences")


@dataclass(frozen=True)
class Report:
    lang: str
    sentences: int
    longest_sentence_words: int
    longest_word: str
    grade: float | None  # English only
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def english_grade(sentences: Iterable[str]) -> float:
    """The Flesch-Kincaid grade of the sentences read as one text."""
    import textstat  # a few MB of dictionary: loaded only when a grade is asked

    text = " ".join(s if s.rstrip()[-1:] in ".?!" else f"{s}." for s in sentences)
    return float(textstat.flesch_kincaid_grade(text))


def check(sentences: Iterable[str], lang: str) -> Report:
    """Check one record's Easy Read sentences in ``lang`` ("ar" or "en")."""
    if lang not in MAX_WORDS:
        raise ValueError(f"lang must be 'ar' or 'en', not {lang!r}")
    items = [s.strip() for s in sentences]
    problems: list[Problem] = []
    longest_n, longest_word = 0, ""
    for i, s in enumerate(items, 1):
        ws = words(s)
        if not ws:
            problems.append(Problem(i, "no_words"))
            continue
        longest_n = max(longest_n, len(ws))
        if len(ws) > MAX_WORDS[lang]:
            problems.append(Problem(i, "too_many_words",
                                    {"words": len(ws), "most": MAX_WORDS[lang]}))
        for w in ws:
            if letters(w) > letters(longest_word):
                longest_word = w
            if letters(w) > MAX_WORD_LETTERS[lang]:
                problems.append(Problem(i, "long_word", {"word": w, "letters": letters(w),
                                                         "most": MAX_WORD_LETTERS[lang]}))
    grade = None
    if lang == "en" and items:
        grade = round(english_grade(items), 1)
        if grade > MAX_ENGLISH_GRADE:
            problems.append(Problem(0, "grade", {"grade": grade, "most": MAX_ENGLISH_GRADE}))
    return Report(lang=lang, sentences=len(items), longest_sentence_words=longest_n,
                  longest_word=longest_word, grade=grade, problems=problems)


def check_easy_read(easy_read: object) -> dict[str, Report]:
    """Both languages of a record's ``EasyRead`` (kiosk.protocol.EasyRead)."""
    return {lang: check([s.text for s in getattr(easy_read, lang)], lang)
            for lang in ("ar", "en")}
