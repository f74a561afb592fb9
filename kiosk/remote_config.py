"""The device config this kiosk applies: what central sent last (saved with its version, 0600,
atomically, so a kiosk restarted offline keeps it), else what enrolment gave, else the
defaults; with what a technician set on the kiosk itself (local-config.json: the screen's
px-per-mm and orientation, the keypad's codes) over it."""

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


def load_local(path: Path | None) -> dict[str, Any]:
    """The technician's own settings (only protocol.LOCAL_CONFIG_KEYS), checked value by value:
    a damaged or hand-edited file loses only its bad values."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        log.warning("%s is damaged (%s); the kiosk's own settings are ignored until the setup "
                    "wizard saves them again", path, e)
        return {}
    out: dict[str, Any] = {}
    for key, value in (data.items() if isinstance(data, dict) else ()):
        if key not in protocol.LOCAL_CONFIG_KEYS:
            continue
        try:
            out.update(protocol.check_config_values({key: value}))
        except protocol.ConfigValueError as e:
            log.warning("%s: %s", path, e)
    return out


def save_local(path: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Set some of the technician's own settings (the others kept); raises ConfigValueError
    for a value out of range, saving nothing. Returns all of them."""
    checked = protocol.check_config_values(
        {k: v for k, v in values.items() if k in protocol.LOCAL_CONFIG_KEYS})
    merged = {**load_local(path), **checked}
    write_private_json(path, merged)
    return merged


def _with_local(config: protocol.DeviceConfig, local: dict[str, Any]) -> protocol.DeviceConfig:
    if not local:
        return config
    return protocol.DeviceConfig.from_wire({**config.to_wire(), **local})


def load(path: Path, enrolment: dict[str, Any] | None,
         local_path: Path | None = None) -> AppliedConfig:
    applied = _load(path, enrolment)
    local = load_local(local_path)
    if not local:
        return applied
    return AppliedConfig(_with_local(applied.config, local), applied.version,
                         applied.applied_at, applied.source)


def _load(path: Path, enrolment: dict[str, Any] | None) -> AppliedConfig:
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


def save(path: Path, wire: dict[str, Any], version: int,
         local_path: Path | None = None) -> AppliedConfig:
    config = protocol.DeviceConfig.from_wire(wire)
    applied_at = protocol.iso(datetime.now(UTC))
    write_private_json(path, {"version": version, "applied_at": applied_at,
                              "config": config.to_wire()})
    return AppliedConfig(_with_local(config, load_local(local_path)), version, applied_at,
                         "central")
