"""How to reach the portal's team: the call centre, its office hours and whether it is open now
(kiosk/opening_hours.py, in the site's time zone), e-mail and address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # opening_hours (and its time zones) loads with the contact screen
    from kiosk.device import KioskDevice
    from kiosk.opening_hours import OpenNow


@dataclass(frozen=True)
class ContactDetails:
    """The contact screen's content, its sentences in one language."""

    call_centre: str
    open_now: OpenNow
    status: str  # "Open now, until 14:30." / "Closed now. Opens Sunday at 7:30."
    hours: str  # one line per span of office hours, then the holidays line
    email: str | None
    address: str


class Contact:
    def __init__(self, device: KioskDevice, now: Callable[[], datetime]):
        self._device = device
        self._now = now

    def details(self, lang: str) -> ContactDetails | None:
        """None while the content has no site record."""
        from kiosk import opening_hours

        site = self._device.store.site()
        if site is None:
            return None
        state = opening_hours.open_now(site, now=self._now)
        return ContactDetails(
            call_centre=site.call_centre, open_now=state,
            status=opening_hours.status_text(state, lang),
            hours=opening_hours.hours_text(site, lang), email=site.email or None,
            address=site.address.ar if lang == "ar" else site.address.en)
