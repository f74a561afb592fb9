"""Whether the portal's call centre is open now: office hours and holidays from the site record,
in the site's time zone (Asia/Muscat), with an injectable clock for tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # annotations only: the screens import this before the wire format loads
    from kiosk.protocol import SiteInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order


@dataclass(frozen=True)
class OpenNow:
    open: bool
    holiday: str | None  # the holiday's English name when closed for one
    holiday_ar: str | None
    next_open: datetime | None  # local time when it next opens (None if no hours at all)
    closes_at: datetime | None  # local time when it closes, if open


def _clock_time(value: str) -> time:
    h, m = value.split(":")[:2]
    return time(int(h), int(m))


def _now_utc() -> datetime:
    return datetime.now(UTC)


def open_now(site: SiteInfo, now: Callable[[], datetime] = _now_utc) -> OpenNow:
    tz = ZoneInfo(site.timezone)
    local = now().astimezone(tz)
    holidays = {h.date: h.name for h in site.holidays}

    def hours_on(day: date) -> list[tuple[datetime, datetime]]:
        if day in holidays:
            return []
        wd = WEEKDAYS[day.weekday()]
        spans = []
        for oh in site.office_hours:
            if wd in oh.days:
                opens = datetime.combine(day, _clock_time(str(oh.opens)), tz)
                closes = datetime.combine(day, _clock_time(str(oh.closes)), tz)
                spans.append((opens, closes))
        return sorted(spans)

    today = local.date()
    for opens, closes in hours_on(today):
        if opens <= local < closes:
            return OpenNow(True, None, None, None, closes)
    next_open = None
    for i in range(0, 400):
        day = today + timedelta(days=i)
        later = [o for o, _c in hours_on(day) if o > local]
        if later:
            next_open = later[0]
            break
    hol = holidays.get(today)
    return OpenNow(False, hol.en if hol else None, hol.ar if hol else None, next_open, None)


DAY_NAMES = {"sun": "Sunday", "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday",
             "thu": "Thursday", "fri": "Friday", "sat": "Saturday"}
WEEK_FROM_SUNDAY = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day_span(days: tuple[str, ...], lang: str) -> str:
    from kiosk.i18n import _

    ordered = [d for d in WEEK_FROM_SUNDAY if d in days]
    idx = [WEEK_FROM_SUNDAY.index(d) for d in ordered]
    if len(ordered) > 2 and idx == list(range(idx[0], idx[0] + len(idx))):
        return _("{first} to {last}", lang).format(first=_(DAY_NAMES[ordered[0]], lang),
                                                  last=_(DAY_NAMES[ordered[-1]], lang))
    return _(", ", lang).join(_(DAY_NAMES[d], lang) for d in ordered)


def hours_text(site: SiteInfo, lang: str) -> str:
    """'Sunday to Thursday, 7:30 to 14:30' for each span of office hours, one per line."""
    from kiosk.i18n import _

    lines = []
    for oh in site.office_hours:
        lines.append(_("{days}, {opens} to {closes}", lang).format(
            days=_day_span(tuple(oh.days), lang), opens=_short_time(str(oh.opens)),
            closes=_short_time(str(oh.closes))))
    lines.append(_("Closed on public holidays.", lang))
    return "\n".join(lines)


def _short_time(value: str) -> str:
    h, m = value.split(":")[:2]
    return f"{int(h)}:{m}"


def status_text(state: OpenNow, lang: str) -> str:
    """One sentence a visitor reads: open until when, or closed and when it opens again."""
    from kiosk.i18n import _

    if state.open and state.closes_at is not None:
        return _("Open now, until {time}.", lang).format(
            time=_short_time(state.closes_at.strftime("%H:%M")))
    parts = []
    if state.holiday:
        parts.append(_("Closed today for {holiday}.", lang).format(
            holiday=state.holiday_ar if lang == "ar" else state.holiday))
    else:
        parts.append(_("Closed now.", lang))
    if state.next_open is not None:
        day = WEEKDAYS[state.next_open.weekday()]
        parts.append(_("Opens {day} at {time}.", lang).format(
            day=_(DAY_NAMES[day], lang),
            time=_short_time(state.next_open.strftime("%H:%M"))))
    return " ".join(parts)
