"""Turns what a visitor types into a safe FTS5 query: words only (no operators a visitor could
trip over), the last word as a prefix because results follow the typing."""

from __future__ import annotations

from offline_cache.normalize import name_key, tokens, without_article

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8

# Column weights for bm25, in product_fts column order: a hit in a product's own name counts
# most, then its code, then its maker's name.
FTS_COLUMNS = ("name_ar", "name_en", "maker_ar", "maker_en", "code")
FTS_WEIGHTS = (10.0, 10.0, 3.0, 3.0, 6.0)


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for ``query``, or None when it holds no searchable word.

    Every word is quoted, so quotes, ``*``, ``-``, parentheses and words like NEAR/AND/OR are
    plain text and can never be read as syntax. A word with an Arabic article also matches the
    bare word, mirroring what the index stores.
    """
    words = tokens(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
    if not words:
        return None
    parts = []
    for i, word in enumerate(words):
        star = "*" if i == len(words) - 1 else ""
        forms = [word, *without_article(word)]
        terms = [f'"{w}"{star}' for w in forms]
        parts.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    # Explicit AND: FTS5 only joins bare phrases implicitly, not parenthesised groups.
    return " AND ".join(parts)


def ranking_key(query: str) -> str:
    """The query as a normalised name, to put exact and starts-with name matches first."""
    return " ".join(name_key(query[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS])
