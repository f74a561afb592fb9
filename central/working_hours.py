"""An item's age in working hours: the office's hours (Sunday to Thursday, 7:30 to 14:30,
Asia/Muscat) counted between two instants, public holidays left out. Pure: no database, no
Django; the holidays come from the published site info (``SiteInfo.holidays``).

Asia/Muscat is UTC+4 all year (no daylight saving), but the zone comes from zoneinfo so the
calendar is the real one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MUSCAT = ZoneInfo("Asia/Muscat")
# datetime.weekday(): Monday is 0 ... Sunday is 6.
SUNDAY_TO_THURSDAY = frozenset({6, 0, 1, 2, 3})


@dataclass(frozen=True)
class Office:
    """When the office works. ``holidays``: dates (local) on which it does not."""

    opens: time = time(7, 30)
    closes: time = time(14, 30)
    days: frozenset[int] = SUNDAY_TO_THURSDAY
    holidays: frozenset[date] = field(default_factory=frozenset)
    zone: ZoneInfo = MUSCAT

    @property
    def hours_per_day(self) -> float:
        return (datetime.combine(date.min, self.closes)
                - datetime.combine(date.min, self.opens)).total_seconds() / 3600

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays


def office_from_site(site: dict | None) -> Office:
    """The office of the published site info record (its holidays); the standard hours
    when there is none."""
    holidays: set[date] = set()
    for h in (site or {}).get("holidays", ()) or ():
        raw = h.get("date") if isinstance(h, dict) else getattr(h, "date", None)
        if isinstance(raw, date):
            holidays.add(raw)
        elif isinstance(raw, str):
            try:
                holidays.add(date.fromisoformat(raw))
            except ValueError:
                continue
    return Office(holidays=frozenset(holidays))


def working_hours_between(start: datetime, end: datetime, office: Office | None = None) -> float:
    """Working hours from ``start`` to ``end`` (aware datetimes); 0 when end is not later."""
    office = office or Office()
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("working_hours_between needs timezone-aware datetimes")
    if end <= start:
        return 0.0
    a, b = start.astimezone(office.zone), end.astimezone(office.zone)
    seconds = 0.0
    day = a.date()
    while day <= b.date():
        if office.is_working_day(day):
            opens = datetime.combine(day, office.opens, tzinfo=office.zone)
            closes = datetime.combine(day, office.closes, tzinfo=office.zone)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                seconds += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return seconds / 3600


def is_overdue(received_at: datetime, now: datetime, target_hours: float,
               office: Office | None = None) -> bool:
    """Older than ``target_hours`` working hours (e.g. 5 working days = 35 hours)."""
    return working_hours_between(received_at, now, office) > target_hours
