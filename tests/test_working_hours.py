"""central.working_hours: an item's age in the office's working hours (Sunday to Thursday,
7:30-14:30 Asia/Muscat, holidays from the site info)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from central.working_hours import (
    MUSCAT,
    Office,
    is_overdue,
    office_from_site,
    working_hours_between,
)


def muscat(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=MUSCAT)


# 2026-11-29 is a Sunday; 2026-12-03 a Thursday; 2026-12-04/05 Friday and Saturday.
SUN, THU, FRI, SAT = (2026, 11, 29), (2026, 12, 3), (2026, 12, 4), (2026, 12, 5)


def test_a_whole_working_day_is_seven_hours():
    assert working_hours_between(muscat(*SUN, 7, 30), muscat(*SUN, 14, 30)) == 7
    assert working_hours_between(muscat(*SUN, 0), muscat(2026, 11, 30, 0)) == 7


def test_time_before_opening_and_after_closing_does_not_count():
    assert working_hours_between(muscat(*SUN, 5), muscat(*SUN, 7, 30)) == 0
    assert working_hours_between(muscat(*SUN, 14, 30), muscat(*SUN, 23, 59)) == 0
    # Sent at 6:00, looked at 9:00: one and a half working hours.
    assert working_hours_between(muscat(*SUN, 6), muscat(*SUN, 9)) == 1.5
    # Sent at 14:00, looked at 8:00 the next morning: 30 minutes + 30 minutes.
    assert working_hours_between(muscat(*SUN, 14), muscat(2026, 11, 30, 8)) == 1


def test_the_weekend_does_not_count():
    assert working_hours_between(muscat(*FRI, 8), muscat(*SAT, 14)) == 0
    # Thursday 14:00 to Sunday 8:00: half an hour on Thursday, half an hour on Sunday.
    assert working_hours_between(muscat(*THU, 14), muscat(2026, 12, 6, 8)) == 1


def test_a_week_is_five_working_days():
    start = muscat(*SUN, 7, 30)
    assert working_hours_between(start, start + timedelta(days=7)) == 35


def test_a_holiday_from_the_site_info_does_not_count():
    site = {"holidays": [{"date": "2026-11-30", "name": {"en": "National Day", "ar": "x"}}]}
    office = office_from_site(site)
    assert office.holidays == frozenset({date(2026, 11, 30)})
    assert working_hours_between(muscat(*SUN, 7, 30), muscat(2026, 12, 1, 14, 30), office) == 14
    assert working_hours_between(muscat(*SUN, 7, 30), muscat(2026, 12, 1, 14, 30)) == 21
    assert office_from_site(None) == Office()


def test_muscat_is_utc_plus_four_all_year_and_utc_inputs_work():
    # 03:30 UTC is 7:30 in Muscat, in January and in July alike (no daylight saving).
    for month in (1, 7):
        d = datetime(2026, month, 4, 3, 30, tzinfo=UTC)
        local = d.astimezone(MUSCAT)
        assert (local.hour, local.minute) == (7, 30)
    jan = datetime(2026, 1, 4, 3, 30, tzinfo=UTC)  # Sunday 4 January 2026
    assert working_hours_between(jan, jan + timedelta(hours=7)) == 7
    jul = datetime(2026, 7, 5, 3, 30, tzinfo=UTC)  # Sunday 5 July 2026
    assert working_hours_between(jul, jul + timedelta(hours=7)) == 7


def test_overdue_after_the_target():
    received = muscat(*SUN, 7, 30)
    assert not is_overdue(received, received + timedelta(days=7), 35)
    assert is_overdue(received, received + timedelta(days=7, minutes=1), 35)
    assert not is_overdue(received, received - timedelta(hours=1), 35)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        working_hours_between(datetime(2026, 1, 1), datetime(2026, 1, 2))
