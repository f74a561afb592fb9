"""Bidirectional text layout for the one text widget, without Kivy: wrap the logical text into
lines first, then shape (arabic_reshaper) and reorder (bidi) each line on its own, so multi-line
Arabic reads top to bottom in the right order (ACCESSIBILITY 24). Also splits each display line
into runs by script so Arabic and Latin each get a font that has their glyphs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import arabic_reshaper
from bidi import get_display

_ARABIC = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False,
                                                          "support_ligatures": True})


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_LEVEL = re.compile(r"Level\(\s*(\d+)")


def _levels(text: str, rtl: bool) -> list[int] | None:
    """Resolved bidi embedding level of each character (UAX #9 up to I2), from python-bidi's
    Rust implementation, which has bracket pairs (N0) but does not mirror; None if its debug
    format ever changes (we then fall back to its display string, unmirrored)."""
    try:
        from bidi.bidi import get_display_inner

        info = get_display_inner(text, "R" if rtl else "L", True)
        block = info[info.index("levels: ["):info.index("paragraphs:")]
        per_byte = [int(n) for n in _LEVEL.findall(block)]
    except Exception:
        return None
    if len(per_byte) != len(text.encode("utf-8")):
        return None
    out, offset = [], 0
    for ch in text:
        out.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    return out


def _reorder(text: str, levels: list[int]) -> str:
    """Rules L2 (reverse runs from the highest level down to the lowest odd one) and L4
    (mirror brackets at odd levels)."""
    chars = [(_MIRROR.get(ch, ch) if lv % 2 else ch) for ch, lv in zip(text, levels,
                                                                       strict=True)]
    lv = list(levels)
    odd = [x for x in lv if x % 2]
    if not odd:
        return "".join(chars)
    for level in range(max(lv), min(odd) - 1, -1):
        i, n = 0, len(chars)
        while i < n:
            if lv[i] < level:
                i += 1
                continue
            j = i
            while j < n and lv[j] >= level:
                j += 1
            chars[i:j] = chars[i:j][::-1]
            lv[i:j] = lv[i:j][::-1]
            i = j
    return "".join(chars)


# Three or more groups of digits joined by hyphens: a reference (4821-0937-5526) or a phone
# number. After Arabic letters the bidi algorithm takes the digits for Arabic numbers, between
# which a hyphen is right-to-left, so the groups came out in reverse order (5526-0937-4821);
# their hyphens are given the digits' level, which keeps the whole left to right. Two groups
# are left alone: "2010-2015" after Arabic reads right to left as a span of years.
_DIGIT_GROUPS = re.compile(r"(?<![\d-])\d+(?:-\d+){2,}(?![\d-])")


def _keep_digit_groups(text: str, levels: list[int]) -> list[int]:
    for m in _DIGIT_GROUPS.finditer(text):
        level = levels[m.start()]
        for i in range(m.start(), m.end()):
            levels[i] = level
    return levels


@lru_cache(maxsize=20000)
def shape_line(line: str, rtl: bool) -> str:
    """One logical line in display order: Arabic letters joined, runs reordered, brackets in
    right-to-left runs mirrored. Numbers, codes and Latin names inside Arabic keep their own
    left-to-right order (the bidi algorithm)."""
    if not line or (not rtl and max(line) < "\u0590"):
        return line  # no right-to-left letter in a left-to-right line: nothing to shape or move
    shaped = _reshaper.reshape(line)
    levels = _levels(shaped, rtl)
    if levels is None:
        return get_display(shaped, base_dir="R" if rtl else "L")
    return _reorder(shaped, _keep_digit_groups(shaped, levels))


def wrap_logical(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap of the logical text at ``width``. ``measure`` gives the drawn width of a
    logical fragment (shaped as it will be drawn). Hard newlines are kept; a word wider than the
    whole line is broken between characters rather than clipped."""
    lines: list[str] = []
    space_w = measure(" ") or 1.0
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current: list[str] = []
        current_w = 0.0
        for word in words:
            w = measure(word)
            if w > width:
                if current:
                    lines.append(" ".join(current))
                    current, current_w = [], 0.0
                pieces = _break_word(word, width, measure)
                lines.extend(pieces[:-1])
                word = pieces[-1]
                w = measure(word)
            extra = w if not current else space_w + w
            # Words measured one by one can add up to a pixel less than the line drawn whole
            # (kerning, rounding per run): the joined line is measured before it is kept.
            if current and (current_w + extra > width
                            or measure(" ".join((*current, word))) > width):
                lines.append(" ".join(current))
                current, current_w = [word], w
            else:
                current.append(word)
                current_w += extra
        if current:
            lines.append(" ".join(current))
    return lines


def _break_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    pieces, start = [], 0
    while start < len(word):
        end = start + 1
        while end < len(word) and measure(word[start:end + 1]) <= width:
            end += 1
        pieces.append(word[start:end])
        start = end
    return pieces


@dataclass(frozen=True)
class Run:
    text: str
    arabic: bool


def script_runs(display_line: str) -> list[Run]:
    """Split a display-order line into runs of Arabic and non-Arabic characters. Spaces stay
    with the run they sit in; any other non-Arabic character (digits, dashes, quotes) goes to the
    Latin font, which has it, while the Arabic font may not (it lacks the em dash)."""
    runs: list[Run] = []
    buf: list[str] = []
    current: bool | None = None
    for ch in display_line:
        is_ar = bool(_ARABIC.match(ch))
        neutral = ch.isspace()
        if current is None:
            current = is_ar
        if neutral or is_ar == current:
            buf.append(ch)
            continue
        runs.append(Run("".join(buf), current))
        buf, current = [ch], is_ar
    if buf:
        runs.append(Run("".join(buf), bool(current)))
    return runs
