"""Whether the call centre is open now, in Asia/Muscat time, with holidays; clock injected."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.opening_hours import hours_text, open_now, status_text
from kiosk.protocol import SiteInfo


def site() -> SiteInfo:
    return SiteInfo.model_validate({
        "id": "site", "portal_name": {"ar": "صنع في عمان", "en": "Made in Oman"},
        "call_centre": "80000070", "portal_url": "https://madeinoman.om/",
        "timezone": "Asia/Muscat",
        "office_hours": [{"days": ["sun", "mon", "tue", "wed", "thu"], "opens": "07:30",
                          "closes": "14:30"}],
        "holidays": [{"date": "2026-11-18", "name": {"ar": "العيد الوطني",
                                                     "en": "National Day"}}],
        "address": {"ar": "مسقط", "en": "Muscat"},
        "open_data_licence": {"ar": "ترخيص", "en": "Licence"},
    })


def at(utc: str):
    return lambda: datetime.fromisoformat(utc).replace(tzinfo=UTC)


def test_open_on_a_sunday_morning_in_muscat():
    # 2026-11-22 is a Sunday; 05:00 UTC is 09:00 in Muscat (UTC+4).
    state = open_now(site(), at("2026-11-22T05:00:00"))
    assert state.open
    assert status_text(state, "en") == "Open now, until 14:30."


def test_closed_before_7_30_local_even_though_utc_says_otherwise():
    # 03:20 UTC = 07:20 Muscat: not yet.
    state = open_now(site(), at("2026-11-22T03:20:00"))
    assert not state.open
    assert state.next_open.strftime("%H:%M") == "07:30"
    assert state.next_open.date().isoformat() == "2026-11-22"


def test_closes_at_14_30_local():
    assert open_now(site(), at("2026-11-22T10:29:00")).open  # 14:29
    assert not open_now(site(), at("2026-11-22T10:30:00")).open  # 14:30


def test_friday_is_closed_and_opens_again_on_sunday():
    state = open_now(site(), at("2026-11-27T06:00:00"))  # Friday 10:00
    assert not state.open
    assert status_text(state, "en") == "Closed now. Opens Sunday at 7:30."
    assert "الأحد" in status_text(state, "ar")


def test_holiday_is_closed_and_named():
    state = open_now(site(), at("2026-11-18T06:00:00"))  # a Wednesday, National Day
    assert not state.open
    assert state.holiday == "National Day"
    assert status_text(state, "en").startswith("Closed today for National Day.")
    assert "العيد الوطني" in status_text(state, "ar")
    assert state.next_open.date().isoformat() == "2026-11-19"


def test_hours_are_written_as_a_day_span():
    assert hours_text(site(), "en").splitlines() == [
        "Sunday to Thursday, 7:30 to 14:30", "Closed on public holidays."]
    assert hours_text(site(), "ar").splitlines()[0] == "من الأحد إلى الخميس، من 7:30 إلى 14:30"
