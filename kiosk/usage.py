"""Anonymous use counts: per day, how many visits began, in which languages, which screens were
opened, how many searches found nothing, and which settings visitors used (text size, contrast,
speech, reach, Easy Read). Counts only: nothing about one visitor is kept. What was already
counted in the current visit (so a setting turned on twice counts once) is held in memory and
forgotten when the visit ends.

Days are the kiosk's local days (Asia/Muscat, as the ministry counts). The counts are kept in
``$KIOSK_HOME/usage.json`` (0600, written atomically when a heartbeat takes them and when the
app stops) and sent with the heartbeat as each day's totals so far: sending a day again
replaces it at central, so a lost reply never counts anything twice. A day that had ended when
central took it is dropped; at most ``KEEP_DAYS`` days are kept while central is unreachable.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import read_json_object, write_private_json

log = logging.getLogger("kiosk.usage")

MUSCAT = ZoneInfo("Asia/Muscat")
KEEP_DAYS = 8  # a kiosk offline for a week still reports every day once it is back
MAX_KEYS_PER_DAY = 300  # the wire format's limit (kiosk/protocol/devices.py UsageDay)
MAX_COUNT = 10**7
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}$")

# The settings counted when a visitor uses them: session attribute -> how its value is named.
SETTINGS = ("text_scale", "theme", "speech", "reach", "easy_read")


def _value_name(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}".replace(".", "_")
    return re.sub(r"[^a-z0-9_]", "_", str(value).lower())[:30]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UsageBook:
    """The day's counts, thread-safe: the UI thread counts, the heartbeat thread reports."""

    def __init__(self, path: Path, now: Callable[[], datetime] = _utcnow,
                 counting: bool = True) -> None:
        self.path = path
        # Off in everything but the visitor app itself (kiosk run, walks from the attract
        # screen): an audit or a screenshot is not a visit. Still reports what was counted.
        self.counting = counting
        self._now = now
        self._lock = threading.Lock()
        self._days: dict[str, dict[str, int]] = {}
        self._load()
        self._visit: set[str] = set()  # what this visit has counted already (memory only)
        self._search_empty = False  # the visit's last search found nothing

    def _load(self) -> None:
        days = read_json_object(self.path).get("days")
        if not isinstance(days, dict):
            return
        for day, counts in days.items():
            try:
                date.fromisoformat(day)
            except (TypeError, ValueError):
                continue
            if isinstance(counts, dict):
                self._days[day] = {k: min(MAX_COUNT, v) for k, v in counts.items()
                                   if isinstance(k, str) and KEY.match(k)
                                   and isinstance(v, int) and not isinstance(v, bool) and v > 0}
        self._trim()

    def today(self) -> str:
        return self._now().astimezone(MUSCAT).date().isoformat()

    # -- counting ---------------------------------------------------------------------------

    def count(self, key: str, n: int = 1) -> None:
        if not KEY.match(key):
            raise ValueError(f"a use count's name is lower-case words joined by dots, not "
                             f"{key!r}")
        if not self.counting:
            return
        with self._lock:
            day = self._days.setdefault(self.today(), {})
            if key not in day and len(day) >= MAX_KEYS_PER_DAY:
                return  # bounded: a day never outgrows what central takes
            day[key] = min(MAX_COUNT, day.get(key, 0) + n)
            self._trim()

    def _once(self, key: str) -> None:
        if key not in self._visit:
            self._visit.add(key)
            self.count(key)

    def visit_started(self, lang: str) -> None:
        self._visit = set()
        self._search_empty = False
        self.count("visits")
        self._once(f"lang.{_value_name(lang)}")

    def visit_ended(self) -> None:
        self._visit = set()
        self._search_empty = False

    def screen_opened(self, name: str) -> None:
        self.count(f"screen.{_value_name(name)}")

    def settings_seen(self, session: Any, defaults: Any) -> None:
        """Count each setting a visitor moved away from the site's default, once a visit
        per value; and each language the visit used."""
        if not getattr(session, "started", False):
            return
        self._once(f"lang.{_value_name(session.lang)}")
        for name in SETTINGS:
            value = getattr(session, name)
            if value != getattr(defaults, name, False if name == "easy_read" else None):
                self._once(f"setting.{name}.{_value_name(value)}")

    def search_result(self, query: str, found: int) -> None:
        """Searches that found nothing: each time a visit's typing goes from finding something
        (or nothing typed) to finding nothing, once per run of fruitless letters."""
        empty = bool(query.strip()) and found == 0
        if empty and not self._search_empty:
            self.count("search.empty")
        self._search_empty = empty

    # -- reporting --------------------------------------------------------------------------

    def days(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {d: dict(c) for d, c in self._days.items()}

    def unreported(self) -> list[tuple[str, dict[str, int]]]:
        """Each kept day's totals, oldest first: what the next heartbeat carries."""
        with self._lock:
            return [(d, dict(c)) for d, c in sorted(self._days.items()) if c]

    def reported(self, sent: list[tuple[str, dict[str, int]]]) -> None:
        """Central took ``sent``: the days that had already ended then are final and go."""
        today = self.today()
        with self._lock:
            for day, counts in sent:
                if day < today and self._days.get(day) == counts:
                    del self._days[day]
        self.save()

    def save(self) -> None:
        with self._lock:
            data = {"days": {d: dict(c) for d, c in self._days.items() if c}}
        try:
            write_private_json(self.path, data)
        except OSError as e:  # counts are worth less than the visit: never crash for them
            log.warning("could not keep the use counts: %s", e)

    def _trim(self) -> None:
        for day in sorted(self._days)[:-KEEP_DAYS]:
            del self._days[day]
