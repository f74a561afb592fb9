"""The poll open now, a visitor's vote, and the results: central's totals when it answers
(asked off the caller's thread) plus this kiosk's votes it has not delivered yet."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kiosk.services.errors import InputRefused, NotSaved
from kiosk.services.sending import keep

if TYPE_CHECKING:
    from kiosk.device import KioskDevice
    from kiosk.protocol import Poll

log = logging.getLogger(__name__)

# Where the counts come from: central's totals with this kiosk's undelivered votes added, this
# kiosk's votes only (central did not answer, or can not be asked), or this kiosk's votes while
# central is being asked.
Source = Literal["central", "local", "asking"]


@dataclass(frozen=True)
class PollResults:
    poll: Poll
    counts: Mapping[str, int]  # votes per option id, every option of the poll
    source: Source

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def votes(self, option_id: str) -> int:
        return self.counts.get(option_id, 0)

    def percent(self, option_id: str) -> int:
        """Whole percent of all votes (0 when nobody voted)."""
        total = self.total
        return round(100 * self.votes(option_id) / total) if total else 0

    def share(self, option_id: str) -> float:
        total = self.total
        return self.votes(option_id) / total if total else 0.0


def _results(poll: Poll, counts: Mapping[str, int], source: Source) -> PollResults:
    return PollResults(poll, {o.id: int(counts.get(o.id, 0)) for o in poll.options}, source)


class Polls:
    def __init__(self, device: KioskDevice):
        self._device = device

    def open_poll(self, poll_id: str | None = None) -> Poll | None:
        """The poll ``poll_id``, or the poll open now that closes soonest; None if none."""
        store = self._device.store
        if poll_id:
            return store.poll(poll_id)
        polls = store.polls()
        return polls[0] if polls else None

    def vote(self, poll_id: str, option_id: str | None, lang: str) -> str:
        """Keep the visitor's vote; its submission id. Raises InputRefused or NotSaved with
        the sentence to show."""
        from kiosk.protocol import PollVotePayload

        poll = self.open_poll(poll_id) if poll_id else None
        if poll is None:
            raise InputRefused("There is no poll open at the moment. Please come back another "
                               "time.")
        if not any(o.id == option_id for o in poll.options):
            raise InputRefused("Please choose an answer first, then tap Vote.", field="option")
        submission_id = keep(self._device, PollVotePayload(poll_id=poll.id, option_id=option_id),
                             lang)
        if submission_id is None:
            raise NotSaved("Your vote could not be saved on this kiosk. Please try again in a "
                           "moment.")
        return submission_id

    def results(self, poll_id: str | None = None,
                answer: Callable[[PollResults], None] | None = None) -> PollResults | None:
        """The results to show now (None when there is no such poll): this kiosk's votes not
        delivered yet. With ``answer``, and a kiosk that knows central, central is asked in a
        thread of its own and the returned results say ``asking``; ``answer`` is then called
        once, from that thread, with central's totals plus those votes (``central``) or, if
        central did not answer, the same votes again (``local``). Callers move the answer to
        their own thread (the UI's)."""
        poll = self.open_poll(poll_id)
        if poll is None:
            return None
        # Read here, on the caller's thread: the asking thread touches only the network.
        local = self._device.outbox.pending_votes(poll.id)
        if answer is None or self._device.credentials is None:
            return _results(poll, local, "local")
        device = self._device

        def ask() -> None:
            try:
                central = device.client().poll_results(poll.id)["counts"]
            except Exception as e:  # noqa: BLE001 - unreachable or an odd answer: ours only
                log.info("poll results from central not available: %s", e)
                answer(_results(poll, local, "local"))
                return
            answer(_results(poll, {o.id: central.get(o.id, 0) + local.get(o.id, 0)
                                   for o in poll.options}, "central"))

        threading.Thread(target=ask, name="poll-results", daemon=True).start()
        return _results(poll, local, "asking")
