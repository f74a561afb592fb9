"""The device config staff set: fleet defaults, per-location values and per-kiosk overrides, the
most specific winning, each value checked against protocol.DeviceConfig before it is stored.
Every kiosk has a config version that grows by one whenever its effective config changes; its
heartbeat says which version it applied, so staff see "applied" or "waiting"."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from central.changes import bump_stamp
from central.db import utcnow
from central.errors import CentralError, NotFound
from central.orm import ConfigSetting, Device
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

# From the widest to the narrowest: a narrower value wins.
SCOPES = ("fleet", "location", "device")
SOURCES = ("default", *SCOPES)
MAX_LOCATION = 200


@dataclass(frozen=True)
class EffectiveConfig:
    """A kiosk's config as it is sent: each value, and where it comes from (``SOURCES``)."""

    values: dict[str, Any]
    sources: dict[str, str]

    def wire(self) -> dict[str, Any]:
        return protocol.DeviceConfig.model_validate(self.values).to_wire()

    def fingerprint(self) -> str:
        text = json.dumps(self.wire(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _default_values() -> dict[str, Any]:
    return protocol.DeviceConfig().model_dump(mode="json")


def _defaults() -> dict[str, Any]:
    """The config's defaults, a fresh dict (built once: every heartbeat layers on them; the
    layers replace values, never change them in place)."""
    return dict(_default_values())


def _scope(device_id: str | None, location: str | None) -> tuple[str, str]:
    if device_id is not None and location is not None:
        raise CentralError("give either a kiosk (--device) or a location (--location), not both")
    if device_id is not None:
        return "device", device_id
    if location is not None:
        location = location.strip()
        if not location or len(location) > MAX_LOCATION:
            raise CentralError(f"a location is 1 to {MAX_LOCATION} characters; check it")
        return "location", location
    return "fleet", ""


def _stored(db: str, scope: str, target: str) -> dict[str, Any]:
    rows = ConfigSetting.objects.using(db).filter(scope=scope, target=target)
    # A key an older central stored but the config no longer has is left out.
    return {r.key: r.value for r in rows if r.key in protocol.CONFIG_KEYS}


def effective(db: str, device_id: str | None = None,
              location: str | None = None) -> EffectiveConfig:
    layers = _layers(device_id, location)
    match = Q()
    for scope, target in layers:
        match |= Q(scope=scope, target=target)
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for scope, target, key, value in ConfigSetting.objects.using(db).filter(match).values_list(
            "scope", "target", "key", "value"):
        stored.setdefault((scope, target), {})[key] = value
    return _layered(stored, layers)


def all_stored(db: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every stored setting by (scope, target): what central.cache.Snapshot keeps for the
    heartbeats (a fleet has a handful of settings per location and kiosk)."""
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for scope, target, key, value in ConfigSetting.objects.using(db).values_list(
            "scope", "target", "key", "value"):
        stored.setdefault((scope, target), {})[key] = value
    return stored


def from_stored(stored: Mapping[tuple[str, str], Mapping[str, Any]],
                d: Device) -> EffectiveConfig:
    """``d``'s effective config from a copy of the stored settings (``all_stored``)."""
    return _layered(stored, _layers(d.id, d.location))


def _layers(device_id: str | None, location: str | None) -> list[tuple[str, str]]:
    layers = [("fleet", "")]
    if location:
        layers.append(("location", location))
    if device_id:
        layers.append(("device", device_id))
    return layers


def _layered(stored: Mapping[tuple[str, str], Mapping[str, Any]],
             layers: list[tuple[str, str]]) -> EffectiveConfig:
    values, sources = _defaults(), dict.fromkeys(protocol.CONFIG_KEYS, "default")
    for layer in layers:  # the narrowest last, so it wins
        for key, value in stored.get(layer, {}).items():
            # A key an older central stored but the config no longer has is left out.
            if key in protocol.CONFIG_KEYS:
                values[key], sources[key] = value, layer[0]
    return EffectiveConfig(values, sources)


def for_device(db: str, d: Device) -> EffectiveConfig:
    return effective(db, d.id, d.location)


def refresh_version(db: str, d: Device,
                    stored: Mapping[tuple[str, str], Mapping[str, Any]] | None = None
                    ) -> EffectiveConfig:
    """The kiosk's effective config; its version grows if that changed since it was numbered
    (on ``d``: the caller saves it). With ``stored``, a copy of the settings that may be up to
    a second old (all_stored): used where it gives the config ``d`` was last numbered for,
    else the database decides, so a stale copy never numbers a version."""
    if stored is not None:
        eff = from_stored(stored, d)
        if d.config_version is not None and d.config_fingerprint == eff.fingerprint():
            return eff
    eff = for_device(db, d)
    fp = eff.fingerprint()
    if d.config_fingerprint != fp or d.config_version is None:
        d.config_version = (d.config_version or 0) + 1
        d.config_fingerprint = fp
    return eff


def config_state(d: Device) -> str:
    applied = d.config_applied_version is not None and d.config_applied_version == d.config_version
    return "applied" if applied else "waiting"


def _renumber_affected(db: str, scope: str, target: str) -> None:
    """Give every kiosk whose effective config a change at this scope may move a new config
    version (locked on PostgreSQL: a heartbeat must not number it at the same time)."""
    q = Device.objects.using(db).select_for_update().filter(revoked_at__isnull=True)
    if scope == "location":
        q = q.filter(location=target)
    elif scope == "device":
        q = q.filter(id=target)
    for d in q.order_by("id"):
        before = (d.config_version, d.config_fingerprint)
        refresh_version(db, d)
        if (d.config_version, d.config_fingerprint) != before:
            d.save(update_fields=["config_version", "config_fingerprint"])


def set_values(central: Central, values: Mapping[str, Any], *, device_id: str | None = None,
               location: str | None = None, by: str | None = None) -> dict[str, Any]:
    """Store settings at one scope. All are checked first: one bad value and nothing is
    stored (CentralError with protocol's sentence)."""
    if not values:
        raise CentralError("give at least one setting as KEY=VALUE")
    scope, target = _scope(device_id, location)
    try:
        checked = protocol.check_config_values(values)
    except protocol.ConfigValueError as e:
        raise CentralError(str(e), status=422) from None
    now = utcnow()
    settings = central.q(ConfigSetting)
    with central.write():
        if scope == "device" and not central.q(Device).filter(id=target).exists():
            raise NotFound(f"there is no kiosk {target!r}; 'kiosk-central devices' lists them")
        for key, value in checked.items():
            here = settings.filter(scope=scope, target=target, key=key)
            if not here.update(value=value, updated_at=now, updated_by=by):
                settings.create(scope=scope, target=target, key=key, value=value,
                                updated_at=now, updated_by=by)
        _renumber_affected(central.db, scope, target)
    bump_stamp(central.settings)  # this host's servers read the settings again at once
    return checked


def unset_values(central: Central, keys: Iterable[str], *, device_id: str | None = None,
                 location: str | None = None) -> list[str]:
    """Remove settings from one scope (the wider scope's value, or the default, applies
    again). Returns the keys that were set there."""
    keys = list(keys)
    if not keys:
        raise CentralError("name at least one setting to unset")
    for key in keys:
        if key not in protocol.CONFIG_KEYS:
            raise CentralError(f"{key!r} is not a kiosk setting; the settings are "
                               f"{', '.join(protocol.CONFIG_KEYS)}. Nothing was removed.",
                               status=422)
    scope, target = _scope(device_id, location)
    with central.write():
        if scope == "device" and not central.q(Device).filter(id=target).exists():
            raise NotFound(f"there is no kiosk {target!r}; 'kiosk-central devices' lists them")
        present = sorted(set(keys) & set(_stored(central.db, scope, target)))
        central.q(ConfigSetting).filter(scope=scope, target=target, key__in=keys).delete()
        _renumber_affected(central.db, scope, target)
    bump_stamp(central.settings)
    return present


def show(central: Central, device_id: str | None = None) -> dict[str, Any]:
    """For one kiosk: its effective config, each value with its source, its version and
    whether the kiosk applied it. Without one: the fleet's values and every location's."""
    db = central.db
    if device_id is not None:
        d = central.q(Device).filter(id=device_id).first()
        if d is None:
            raise NotFound(f"there is no kiosk {device_id!r}; 'kiosk-central devices' "
                           "lists them")
        eff = for_device(db, d)
        return {"device_id": d.id, "location": d.location, "version": d.config_version,
                "applied_version": d.config_applied_version, "state": config_state(d),
                "values": {k: {"value": eff.values[k], "source": eff.sources[k]}
                           for k in protocol.CONFIG_KEYS}}
    fleet = effective(db)
    locations: dict[str, dict[str, Any]] = {}
    for r in central.q(ConfigSetting).filter(scope="location").order_by("target", "key"):
        if r.key in protocol.CONFIG_KEYS:
            locations.setdefault(r.target, {})[r.key] = r.value
    return {"values": {k: {"value": fleet.values[k], "source": fleet.sources[k]}
                       for k in protocol.CONFIG_KEYS},
            "locations": locations}


def parse_assignment(text: str) -> tuple[str, Any]:
    """KEY=VALUE as staff type it: the value is JSON where it reads as JSON (30, true, null,
    [1, 2], {"help": [283]}), else the text itself (en, high_contrast)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CentralError(f"{text!r} is not KEY=VALUE; e.g. idle_timeout_s=120")
    return key, parse_value(raw)


def parse_value(raw: str) -> Any:
    raw = raw.strip()
    try:
        return json.loads(raw)
    except ValueError:
        return raw
