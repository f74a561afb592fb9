"""The kiosk's current problems as staff see them in the fleet view: each a code (see
protocol.PROBLEM_CODES), a sentence saying what is wrong and what to do, and since when. The
device finds them afresh at every heartbeat and status; a problem whose cause is gone is no
longer found and clears. ``since`` is kept on disk (problems.json, 0600), so it survives a
restart while the problem lasts, with what only events tell: the link to central failing, the
app having crashed."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import read_json_object, write_private_json

# A crashed and restarted app is shown this long after the restart.
CRASH_SHOWN = timedelta(hours=1)
# A disk with less free than this is nearly full: a content version or a day's feedback
# may not fit.
DISK_LOW_BYTES = 200 * 1024 * 1024
DISK_LOW_SHARE = 0.05
# A submission waiting longer than this means the path to central is broken.
OUTBOX_OLD_S = 3600

LINK_PROBLEMS = {"dns": "dns_failure", "tls": "tls_failure", "unreachable": "central_unreachable",
                 "timeout": "central_unreachable"}


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ProblemBook:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        return read_json_object(self.path)

    def _change(self, **values: Any) -> None:
        with self._lock:
            data = self._read()
            if all(data.get(k) == v for k, v in values.items()):
                return
            data.update(values)
            write_private_json(self.path, data)

    # -- what only events tell -------------------------------------------------------------

    def link_failed(self, kind: str | None, message: str) -> None:
        """A call to central failed on the network (``kind`` from CentralError.link)."""
        code = LINK_PROBLEMS.get(kind or "", "central_unreachable")
        self._change(link={"code": code, "message": message})

    def link_ok(self) -> None:
        self._change(link=None)

    def link_known(self) -> bool:
        """Whether a call to central has succeeded or failed on the network since the kiosk
        was provisioned (before that, online or offline is not known)."""
        return "link" in self._read()

    def app_crashed(self) -> None:
        self._change(crashed_at=_iso(_now()))

    def remembered(self) -> dict[str, str]:
        """Problems known from events: the link, a recent crash."""
        data = self._read()
        found: dict[str, str] = {}
        link = data.get("link")
        if isinstance(link, dict) and link.get("code"):
            found[link["code"]] = sentence(link.get("message") or "central could not be "
                                             "reached")
        crashed = data.get("crashed_at")
        if crashed:
            at = datetime.fromisoformat(crashed.replace("Z", "+00:00"))
            if _now() - at < CRASH_SHOWN:
                found["app_crashed"] = (f"The visitor app stopped unexpectedly and was started "
                                        f"again at {crashed}; see the kiosk's log.")
        return found

    # -- the current list ------------------------------------------------------------------

    def update(self, found: dict[str, str]) -> list[dict[str, str]]:
        """The problems found now, each with the time it was first found in a row of
        findings; codes no longer found are forgotten."""
        now = _iso(_now())
        with self._lock:
            data = self._read()
            old = data.get("since") if isinstance(data.get("since"), dict) else {}
            since = {code: old.get(code) or now for code in found}
            if since != old:
                data["since"] = since
                write_private_json(self.path, data)
        return [{"code": code, "message": found[code][:300], "since": since[code]}
                for code in sorted(found)]


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def disk_problem(home: Path) -> str | None:
    import shutil

    try:
        usage = shutil.disk_usage(home)
    except OSError:
        return None
    if usage.free < DISK_LOW_BYTES or usage.free < usage.total * DISK_LOW_SHARE:
        return (f"The kiosk's disk is nearly full ({usage.free // (1024 * 1024)} MB free); "
                "free space so new content and visitors' feedback can be stored.")
    return None


def speech_problem(status_path: Path) -> str | None:
    try:
        d = json.loads(status_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not reported yet: the app has not started on this kiosk
    if isinstance(d, dict) and d.get("ok") is False:
        said = str(d.get("message") or "the voice did not start")
        return sentence(f"Speech is not working: {said}")[:300]
    return None


def outbox_problems(stats: dict[str, Any]) -> dict[str, str]:
    found = {}
    if stats.get("dead"):
        found["outbox_dead"] = (f"{stats['dead']} visitors' submissions were refused by central "
                                "and will not be sent; see the kiosk's log for why.")
    oldest = stats.get("oldest_age_s")
    if oldest is not None and oldest > OUTBOX_OLD_S and stats.get("pending"):
        found["outbox_old"] = (f"{stats['pending']} visitors' submissions are waiting, the "
                               f"oldest for {oldest // 60} minutes; check the link to central.")
    return found
