"""Kiosks' anonymous use counts (kiosk/usage.py): stored from heartbeats, shown to staff as bars
per period and kiosk location, and as CSV.

A heartbeat carries each of the kiosk's kept days with its totals so far; each day's rows are
replaced by what it says, so a heartbeat sent twice counts once. Days far from central's own
date (a kiosk whose clock is wrong) are not stored: the counts are for the ministry's days."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from central.orm import Device, UsageCount

MUSCAT = ZoneInfo("Asia/Muscat")
PAST_DAYS_TAKEN = 40  # a kiosk keeps 8 days; older ones are from a wrong clock
MAX_SCREEN_BARS = 40

# How staff read the names (English; the page translates them through gettext).
SCREEN_LABELS = {
    "home": "Home", "categories": "Categories", "products": "Products list",
    "product": "A product", "manufacturers": "Makers", "governorates": "Governorates",
    "search": "Search", "news": "News", "faq": "Questions (FAQ)", "guide": "Service guide",
    "policies": "Policies", "feedback": "Feedback", "thanks": "Thanks after sending",
    "poll": "Poll", "poll_results": "Poll results", "survey": "Survey",
    "contact": "Contact and opening hours", "settings": "Settings",
    "follow_up": "Follow up a reference", "attract": "Welcome (idle) screen",
}
SETTING_LABELS = {
    "text_scale": "Text size", "theme": "Contrast", "speech": "Speech",
    "reach": "Reach mode", "easy_read": "Easy Read",
}
LANG_LABELS = {"ar": "Arabic", "en": "English"}
VALUE_LABELS = {"on": "on", "off": "off", "standard": "standard colours",
                "high_contrast": "high contrast", "inverted": "light on dark"}
CHART_TEXTS = ("Visits per day", "Languages used (visits)", "Screens opened",
               "Settings visitors used (visits)",
               "A visit that used a setting counts once for each value.",
               "Searches that found nothing")
# Every English text the page shows through gettext (tests/test_central_i18n.py checks each
# has its Arabic).
LABELS_SHOWN = (*SCREEN_LABELS.values(), *SETTING_LABELS.values(), *LANG_LABELS.values(),
                *VALUE_LABELS.values(), *CHART_TEXTS)


def store(device: Device, days: Any, now: datetime) -> int:
    """The heartbeat's days, each replacing what central had for it; inside the heartbeat's
    transaction. Returns how many days were taken."""
    today = now.astimezone(MUSCAT).date()
    taken = 0
    for d in days:
        if not (today - timedelta(days=PAST_DAYS_TAKEN) <= d.day <= today + timedelta(days=1)):
            continue
        existing = {r.key: r for r in UsageCount.objects.using(device._state.db)
                    .filter(device=device, day=d.day)}
        fresh, changed = [], []
        for key, count in d.counts.items():
            row = existing.pop(key, None)
            if row is None:
                fresh.append(UsageCount(device=device, day=d.day, key=key, count=count))
            elif row.count != count:
                row.count = count
                changed.append(row)
        db = device._state.db
        if existing:
            UsageCount.objects.using(db).filter(pk__in=[r.pk for r in existing.values()]).delete()
        if changed:
            UsageCount.objects.using(db).bulk_update(changed, ["count"])
        if fresh:
            UsageCount.objects.using(db).bulk_create(fresh)
        taken += 1
    return taken


@dataclass
class UsageBar:
    key: str
    label: str  # English; translated by the page
    count: int
    value: str = ""  # a setting's value: English, translated; or a number as it is
    percent: int = 0


@dataclass
class UsageChart:
    id: str
    title: str  # English; translated by the page
    bars: list[UsageBar]
    note: str = ""
    top: int = field(init=False)

    def __post_init__(self) -> None:
        self.top = max((b.count for b in self.bars), default=0)
        for b in self.bars:
            b.percent = round(100 * b.count / self.top) if self.top else 0


def _rows(q: Any, start: date | None, end: date | None, location: str | None,
          no_location: str) -> Any:
    rows = q(UsageCount)
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    if location:
        devices = q(Device)
        devices = (devices.filter(location__isnull=True) | devices.filter(location="")
                   if location == no_location else devices.filter(location=location))
        rows = rows.filter(device_id__in=list(devices.values_list("id", flat=True)))
    return rows


def charts(q: Any, start: date | None, end: date | None, location: str | None,
           no_location: str) -> list[UsageChart]:
    """Visits per day, languages, screens opened, settings used, searches that found
    nothing: summed over the kiosks and days asked for."""
    from django.db.models import Sum

    rows = _rows(q, start, end, location, no_location)
    totals = {r["key"]: r["n"] for r in rows.values("key").annotate(n=Sum("count"))}
    per_day = {r["day"]: r["n"] for r in rows.filter(key="visits").values("day")
               .annotate(n=Sum("count"))}
    out = [UsageChart("visits", "Visits per day",
                      [UsageBar(d.isoformat(), d.isoformat(), n)
                       for d, n in sorted(per_day.items())])]
    out.append(UsageChart("languages", "Languages used (visits)",
                          [UsageBar(f"lang.{k}", v, totals.get(f"lang.{k}", 0))
                           for k, v in LANG_LABELS.items()]))
    screens = sorted(((k.split(".", 1)[1], n) for k, n in totals.items()
                      if k.startswith("screen.")), key=lambda kv: (-kv[1], kv[0]))
    out.append(UsageChart("screens", "Screens opened",
                          [UsageBar(f"screen.{name}", SCREEN_LABELS.get(name, name), n)
                           for name, n in screens[:MAX_SCREEN_BARS]]))
    settings = sorted((k, n) for k, n in totals.items() if k.startswith("setting."))
    out.append(UsageChart("settings", "Settings visitors used (visits)",
                          [_setting_bar(k, n) for k, n in settings],
                          note="A visit that used a setting counts once for each value."))
    out.append(UsageChart("searches", "Searches that found nothing",
                          [UsageBar("search.empty", "Searches that found nothing",
                                    totals.get("search.empty", 0))]))
    return out


def _setting_bar(key: str, count: int) -> UsageBar:
    _, name, value = (key.split(".", 2) + ["", ""])[:3]
    shown = value.replace("_", ".") if name == "text_scale" else VALUE_LABELS.get(value, value)
    return UsageBar(key, SETTING_LABELS.get(name, name), count, value=shown)


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(q: Any, start: date | None, end: date | None, location: str | None,
           no_location: str) -> str:
    """One row per kiosk location, day and count name: the counts as kept, summed over the
    kiosks at one location (never a single visitor: there is none to show)."""
    from django.db.models import Sum

    rows = _rows(q, start, end, location, no_location)
    where = dict(q(Device).values_list("id", "location"))
    summed: dict[tuple[str, str, str], int] = {}
    for r in rows.values("device_id", "day", "key").annotate(n=Sum("count")):
        k = (where.get(r["device_id"]) or no_location, r["day"].isoformat(), r["key"])
        summed[k] = summed.get(k, 0) + r["n"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["location", "day", "name", "count"])
    for (loc, day, key), n in sorted(summed.items()):
        w.writerow([_cell(loc), day, key, n])
    return buf.getvalue()
