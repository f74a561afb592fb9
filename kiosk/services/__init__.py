"""The kiosk's services for the visitor screens, in the visitor's words: browse, search, read,
send feedback, follow it up, answer the survey, vote and see the results, contact. Screens ask these and
never the content store, the outbox, the blobs or the network; nothing here imports Kivy.

A visitor's tap travels widget -> screen -> one of these services -> store or outbox, and the
answer (plain typed data, or a VisitorError carrying the sentence to show) comes back once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from kiosk.services.errors import ContactRefused, InputRefused, NotSaved, VisitorError

if TYPE_CHECKING:
    from kiosk.device import KioskDevice
    from kiosk.services.catalogue import Browse, Search
    from kiosk.services.contact import Contact
    from kiosk.services.feedback import Feedback
    from kiosk.services.follow_up import FollowUp
    from kiosk.services.polls import Polls
    from kiosk.services.reading import Reading
    from kiosk.services.survey import Surveys
    from kiosk.services.technician import Technician
    from kiosk.usage import UsageBook

# Each service's module loads when a screen first asks it: the app makes this object before
# its first frame, which shows no content.


def _now_utc() -> datetime:
    return datetime.now(UTC)


class VisitorServices:
    """Everything a visitor can ask of this kiosk, built from its KioskDevice. Cheap to make:
    the store and the outbox open when a service first needs them. ``now``: the clock the
    contact details tell open or closed by."""

    def __init__(self, device: KioskDevice, now: Callable[[], datetime] = _now_utc):
        self._device = device
        self._now = now

    @cached_property
    def browse(self) -> Browse:
        from kiosk.services.catalogue import Browse

        return Browse(self._device)

    @cached_property
    def search(self) -> Search:
        from kiosk.services.catalogue import Search

        return Search(self._device)

    @cached_property
    def reading(self) -> Reading:
        from kiosk.services.reading import Reading

        return Reading(self._device)

    @cached_property
    def feedback(self) -> Feedback:
        from kiosk.services.feedback import Feedback

        return Feedback(self._device)

    @cached_property
    def follow_up(self) -> FollowUp:
        from kiosk.services.follow_up import FollowUp

        return FollowUp(self._device)

    @cached_property
    def survey(self) -> Surveys:
        from kiosk.services.survey import Surveys

        return Surveys(self._device)

    @cached_property
    def polls(self) -> Polls:
        from kiosk.services.polls import Polls

        return Polls(self._device)

    @cached_property
    def contact(self) -> Contact:
        from kiosk.services.contact import Contact

        return Contact(self._device, now=self._now)

    @cached_property
    def technician(self) -> Technician:
        """The technician mode (PIN, lock, the panel's state and actions), not a visitor's."""
        from kiosk.services.technician import Technician

        return Technician(self._device)

    @property
    def usage(self) -> UsageBook:
        """Anonymous use counts (kiosk/usage.py): visits, languages, screens, searches that
        found nothing, settings used; counts only, nothing about one visitor."""
        return self._device.usage

    def content_version(self) -> int | None:
        """The content version on show (what a screen's cached page was built from)."""
        return self._device.store.active_version()


__all__ = ["VisitorServices", "VisitorError", "InputRefused", "ContactRefused", "NotSaved"]
