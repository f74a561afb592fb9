"""Search normalisation: one pure function that makes Arabic and English text forgiving to type.
Used on both sides of the search index, so a record and a query meet in the same form."""

from __future__ import annotations

import re
import sys
import unicodedata

# Letters that visitors type one way and writers spell another. Hamza seats (أ إ آ ؤ ئ) need no
# entry: NFKD splits them into the bare letter plus a combining hamza/madda, which is dropped.
_LETTERS = {
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0629": "\u0647",  # taa marbuta -> haa
    "\u0649": "\u064a",  # alif maqsura -> yaa
    "\u06cc": "\u064a",  # Persian yeh (Persian/Urdu keyboards) -> Arabic yaa
    "\u06a9": "\u0643",  # Persian kaf -> Arabic kaf
    "\u0640": None,  # tatweel only stretches a word on screen
}
for _i in range(10):
    _LETTERS[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _LETTERS[chr(0x06F0 + _i)] = str(_i)  # Persian digits


def _build_table() -> dict[int, str | None]:
    # Every combining mark (harakat, shadda, sukun, superscript alef, Latin accents after NFKD)
    # and every invisible format character (RLM, ZWJ, ZWNJ pasted with Arabic text) goes.
    table: dict[int, str | None] = {}
    for cp in range(0x20000):
        if unicodedata.category(chr(cp)) in ("Mn", "Me", "Cf"):
            table[cp] = None
    table.update({ord(k): v for k, v in _LETTERS.items()})
    return table


_TABLE = _build_table()
_TOKEN = re.compile(r"[^\W_]+")
# The definite article and the particles glued to it. "لب" typed by a visitor must reach
# "اللبان", so the index also holds each word without its article.
_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")


def normalize(text: str) -> str:
    """Fold ``text`` to the form the search index compares: Arabic spelling variants unified,
    diacritics and tatweel removed, digits made ASCII, Latin case and accents dropped."""
    if not text:
        return ""
    # NFKD, casefold, NFKD again: compatibility forms can decompose to capitals (ℌ -> H) and
    # folding can produce combining marks (İ -> i + dot); the table then drops every mark.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return folded.translate(_TABLE)


def tokens(text: str) -> list[str]:
    """The words of ``text`` after normalising, in order; punctuation and symbols separate words."""
    return _TOKEN.findall(normalize(text))


def without_article(token: str) -> list[str]:
    """``token`` without a leading Arabic definite article (and the particle before it), or
    an empty list if it has none."""
    for art in _ARTICLES:
        if token.startswith(art) and len(token) - len(art) >= 2:
            forms = [token[len(art):]]
            if art == "لل":
                # لِـ + ال before a word that itself starts with lam drops a lam:
                # "للبان" is لِـ + "لبان", not لِـ + ال + "بان".
                forms.append(token[1:])
            return forms
    return []


def index_text(text: str) -> str:
    """What the full-text index stores for ``text``: its words, then the article-less forms."""
    words = tokens(text)
    extra = [form for t in words for form in without_article(t)]
    return " ".join(words + extra)


def name_key(text: str) -> str:
    """A normalised name for sorting and for exact/prefix ranking: words joined by one space."""
    return " ".join(tokens(text))


if __name__ == "__main__":  # pragma: no cover - a quick look from the shell
    for arg in sys.argv[1:]:
        print(index_text(arg))
