"""The device config this kiosk applies: what central sent last (saved with its version, 0600,
atomically, so a kiosk restarted offline keeps it), else what enrolment gave, else the
defaults."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import protocol
from kiosk.config import write_private_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedConfig:
    config: protocol.DeviceConfig
    # Central's version of it; 0 for what enrolment gave or the defaults (central numbers
    # from 1, so the first heartbeat brings a numbered one).
    version: int
    applied_at: str | None  # when it was saved; None for enrolment's or the defaults
    source: str  # "central", "enrolment" or "default"

    def status(self) -> dict[str, Any]:
        return {"version": self.version, "applied_at": self.applied_at, "source": self.source}


def load(path: Path, enrolment: dict[str, Any] | None) -> AppliedConfig:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data["version"]
        if not isinstance(version, int) or version < 0 or not isinstance(data["config"], dict):
            raise ValueError("no version or config")
        return AppliedConfig(protocol.DeviceConfig.from_wire(data["config"]), version,
                             data.get("applied_at"), "central")
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as e:
        # The next heartbeat brings the config again; until then enrolment's serves.
        log.warning("%s is damaged (%s); using the config from enrolment until central sends "
                    "it again", path, e)
    if enrolment:
        return AppliedConfig(protocol.DeviceConfig.from_wire(enrolment), 0, None, "enrolment")
    return AppliedConfig(protocol.DeviceConfig(), 0, None, "default")


def save(path: Path, wire: dict[str, Any], version: int) -> AppliedConfig:
    config = protocol.DeviceConfig.from_wire(wire)
    applied_at = protocol.iso(datetime.now(UTC))
    write_private_json(path, {"version": version, "applied_at": applied_at,
                              "config": config.to_wire()})
    return AppliedConfig(config, version, applied_at, "central")
