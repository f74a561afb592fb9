"""How central's commands ended on this kiosk, kept on disk (0600, atomically) until a
heartbeat has told central: a crash, or the restart a restart_app command asks for, loses none,
and a command central sends again is not carried out twice."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.config import write_private_json

MAX_RESULT = 500
# Reported results are remembered a while longer, so a reply that crossed the report (central
# sending the command once more) does not run it again.
KEEP_REPORTED = 200


class CommandResults:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                return {"unreported": list(data.get("unreported") or []),
                        "reported": list(data.get("reported") or [])}
        except (OSError, ValueError):
            pass
        return {"unreported": [], "reported": []}

    def record(self, command_id: str, name: str, ok: bool, result: str) -> None:
        with self._lock:
            data = self._read()
            if self._known(data, command_id):
                return
            data["unreported"].append({
                "id": command_id, "name": name, "ok": bool(ok), "result": result[:MAX_RESULT],
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds")})
            write_private_json(self.path, data)

    def unreported(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._read()["unreported"][:50]  # the heartbeat's limit; the rest next time

    def reported(self, ids: list[str]) -> None:
        if not ids:
            return
        with self._lock:
            data = self._read()
            data["unreported"] = [r for r in data["unreported"] if r["id"] not in ids]
            data["reported"] = (data["reported"] + list(ids))[-KEEP_REPORTED:]
            write_private_json(self.path, data)

    def known(self, command_id: str) -> bool:
        with self._lock:
            return self._known(self._read(), command_id)

    @staticmethod
    def _known(data: dict[str, Any], command_id: str) -> bool:
        return (command_id in data["reported"]
                or any(r["id"] == command_id for r in data["unreported"]))
