"""The setup wizard's services (screens/setup.py): what a technician sets and tests on the kiosk
itself, without a shell. The screen's size (px-per-mm from a bank card held against the glass)
and orientation and the keypad's key map are saved in the kiosk's own config
(local-config.json, applied over central's device config); enrolment, the first sync and the
test submission go through the same paths as `kiosk provision`, `kiosk sync` and
`kiosk outbox test-submission`. What each step found is kept in setup-report.json, for the
wizard's summary and `kiosk status`. No Kivy; the slow calls are made off the UI thread."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kiosk import events
from kiosk.config import write_private_json
from kiosk.vocabulary import DEFAULT_KEYS, KEY_ACTIONS, MAX_PX_PER_MM, MIN_PX_PER_MM

if TYPE_CHECKING:
    from kiosk.device import KioskDevice
    from kiosk.services.netcheck import Check
    from offline_cache.sync import SyncProgress

log = logging.getLogger(__name__)

# ISO/IEC 7810 ID-1: every bank card is this wide.
CARD_WIDTH_MM = 85.6
TEST_SUBMISSION_TEXT = "Technician's test submission"
MAX_CODES_PER_KEY = 8

# The English msgids of what the wizard says when a step could not be done.
MESSAGES = {
    "enrol_failed": "Enrolment failed: {reason}",
    "sync_failed": "The first sync failed: {reason}. The kiosk keeps the content it has.",
    "submission_failed": "The test submission is kept on the kiosk but was not sent yet: "
                         "{reason}",
    "not_provisioned": "Enrol the kiosk first: type central's address and a one-time code.",
}


class SetupFailed(Exception):
    """A step could not be done; ``message`` is a key of MESSAGES, ``params`` its values."""

    def __init__(self, message: str, **params: Any):
        super().__init__(MESSAGES[message].format(**params))
        self.message = message
        self.params = params


@dataclass(frozen=True)
class TestSubmission:
    id: str
    sent: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Setup:
    def __init__(self, device: KioskDevice):
        self._device = device

    # -- what was found and set --------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """Each step's findings (step name -> values, with ``at``), as saved."""
        try:
            data = json.loads(self._device.paths.setup_report.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def record(self, step: str, **values: Any) -> dict[str, Any]:
        report = self.report()
        entry = dict(report.get(step) or {})
        entry.update(values, at=_now())
        report[step] = entry
        write_private_json(self._device.paths.setup_report, report)
        return report

    # -- screen -----------------------------------------------------------------------------

    @staticmethod
    def px_per_mm_for_card(bar_px: float) -> float:
        """A bar ``bar_px`` pixels long that matches a bank card's width."""
        return min(MAX_PX_PER_MM, max(MIN_PX_PER_MM, bar_px / CARD_WIDTH_MM))

    def calibrate(self, px_per_mm: float) -> float:
        value = round(min(MAX_PX_PER_MM, max(MIN_PX_PER_MM, px_per_mm)), 3)
        self._device.set_local_config(px_per_mm=value)
        self.record("screen", px_per_mm=value)
        return value

    def set_orientation(self, orientation: str) -> None:
        self._device.set_local_config(orientation=orientation)
        self.record("screen", orientation=orientation)

    # -- keypad -----------------------------------------------------------------------------

    def key_map(self) -> dict[str, tuple[int, ...]]:
        return self._device.config.key_map()

    def remap(self, action: str, code: int) -> dict[str, tuple[int, ...]]:
        """From now on ``code`` does ``action`` (besides the codes it had); no other action
        keeps it. Saved in the kiosk's own config; returns the key map now in force."""
        if action not in KEY_ACTIONS:
            raise ValueError(f"unknown keypad action {action!r}")
        current = self.key_map()
        keys = {a: tuple(c for c in codes if c != code) for a, codes in current.items()}
        keys[action] = (code, *keys[action])[:MAX_CODES_PER_KEY]
        changed = {a: list(c) for a, c in keys.items()
                   if c != DEFAULT_KEYS.get(a) and c}
        self._device.set_local_config(keys=changed)
        remapped = dict(self.report().get("keypad", {}).get("remapped", {}))
        remapped[action] = code
        self.record("keypad", remapped=remapped)
        return self.key_map()

    # -- network ----------------------------------------------------------------------------

    def check_network(self, url: str, on_check: Callable[[Check], None] | None = None
                      ) -> list[Check]:
        from kiosk.services.netcheck import check_central

        checks = check_central(url, on_check=on_check)
        self.record("network", url=url.strip(), ok=all(c.ok for c in checks) and
                    checks[-1].name == "clock",
                    failed=next((c.name for c in checks if not c.ok), None))
        return checks

    # -- provisioning -----------------------------------------------------------------------

    def provisioned(self) -> bool:
        return self._device.credentials is not None

    def central_url(self) -> str:
        creds = self._device.credentials
        return creds.api if creds else str(self.report().get("network", {}).get("url", ""))

    def enrol(self, api: str, code: str) -> str:
        """`kiosk provision`'s path: a clean new identity from a one-time code. Returns the
        device id."""
        from kiosk.central_client import CentralError

        try:
            creds = self._device.provision(api.strip(), code.strip())
        except CentralError as e:
            raise SetupFailed("enrol_failed", reason=str(e)) from None
        self.record("provision", device_id=creds.device_id, api=creds.api)
        return creds.device_id

    def first_sync(self, counts: Callable[[SyncProgress], None] | None = None) -> int | None:
        """`kiosk sync`'s path, with the counts for a progress bar; the content version now
        active. New content is announced as the sync loop does."""
        from kiosk.errors import NotProvisioned

        try:
            before = self._device.store.active_version()
            result = self._device.sync(counts=counts)
        except NotProvisioned:
            raise SetupFailed("not_provisioned") from None
        if result.outcome == "failed":
            raise SetupFailed("sync_failed", reason=result.message)
        if result.version != before:
            self._device.events.emit(events.CONTENT_CHANGED, version=result.version)
        self.record("provision", content_version=result.version,
                    bytes=result.bytes_received)
        return result.version

    def test_submission(self, lang: str) -> TestSubmission:
        """`kiosk outbox test-submission`'s path, then sent at once: staff see it marked as a
        test in central's submissions."""
        sub_id = self._device.submit("feedback", {"kind": "comment",
                                                  "text": TEST_SUBMISSION_TEXT}, lang, test=True)
        report = self._device.flush_outbox(max_failures=1)
        sent = report.pending == 0 and report.rejected == 0
        self.record("provision", test_submission=sub_id, test_submission_sent=sent)
        if not sent:
            raise SetupFailed("submission_failed", reason=report.last_error or "not sent")
        return TestSubmission(sub_id, sent)

    # -- sound ------------------------------------------------------------------------------

    def heard(self, lang: str, answer: bool) -> None:
        heard = dict(self.report().get("sound", {}).get("heard", {}))
        heard[lang] = answer
        self.record("sound", heard=heard)

    # -- touch ------------------------------------------------------------------------------

    def touch_results(self, results: list[dict[str, Any]]) -> None:
        self.record("touch", targets=results,
                    missed=sum(1 for r in results if not r.get("hit")))


__all__ = ["Setup", "SetupFailed", "CARD_WIDTH_MM", "MESSAGES"]
