"""CSV cells a spreadsheet would run as a formula, neutralised: one definition for every CSV
central writes (open data, poll and survey results, the CMS's product export)."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula (=HYPERLINK(...), +cmd, @SUM, a tab or CR
    first) starts with a single quote instead, so it is shown as text (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
