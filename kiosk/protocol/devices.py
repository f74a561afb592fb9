"""Kiosks and central: enrolment, the heartbeat, the device config and commands."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

from kiosk.protocol.base import ProtocolError, UtcDateTime, _Inbound, _Strict
from kiosk.vocabulary import (
    DEFAULT_PX_PER_MM,
    DEFAULT_RATE_STEP,
    DEFAULT_VOLUME_STEP,
    KEY_ACTIONS,
    LANGS,
    MAX_PX_PER_MM,
    MIN_PX_PER_MM,
    RATE_STEP_COUNT,
    TEXT_SCALES,
    THEMES,
    VOLUME_STEP_COUNT,
)


class EnrollRequest(_Inbound):
    code: Annotated[str, Field(min_length=6, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    location: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    app_version: Annotated[str, Field(max_length=40)] | None = None


class EnrollResponse(_Strict):
    device_id: str
    device_token: str
    content_public_key: str  # base64 Ed25519 verify key
    content_key_id: str
    submission_public_key: str  # base64 Curve25519 key for sealed boxes
    config: dict[str, Any]


class CommandResult(_Inbound):
    """How a command from central ended on the kiosk: carried out (ok) or not, and in words
    what came of it ("content version 7 is active") or why it failed."""

    id: Annotated[str, Field(min_length=1, max_length=64)]
    ok: bool
    result: Annotated[str, Field(max_length=500)] = ""


# What can be wrong with a kiosk, as staff see it in the fleet view (kiosk/problems.py finds
# them). Newer kiosks may report codes not listed here; central shows them as they come.
PROBLEM_CODES = ("central_unreachable", "dns_failure", "tls_failure", "content_refused",
                 "content_stale", "disk_nearly_full", "speech_not_working", "outbox_dead",
                 "outbox_old", "app_crashed", "mirror_refused")


class Problem(_Inbound):
    """One current problem: a code, a sentence saying what is wrong and what to do, and since
    when it has been so."""

    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    message: Annotated[str, Field(min_length=1, max_length=300)]
    since: UtcDateTime


TECHNICIAN_EVENTS = ("entered", "left", "wrong_pin", "locked", "refused")


class TechnicianEvent(_Inbound):
    """Something that happened at the technician mode's door on the kiosk: entered, left,
    a wrong PIN, the entry locked, or refused (no PIN set); when, and in words."""

    event: Literal[TECHNICIAN_EVENTS]  # type: ignore[valid-type]
    at: UtcDateTime
    detail: Annotated[str, Field(max_length=200)] = ""


USAGE_KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}$"


class UsageDay(_Inbound):
    """One day's anonymous use counts at a kiosk (kiosk/usage.py): the day (the kiosk's local
    day, Asia/Muscat) and its totals so far by name (``visits``, ``lang.ar``,
    ``screen.product``, ``search.empty``, ``setting.text_scale.1_5`` ...). Sent again, a day
    replaces what central had for it."""

    day: date
    counts: Annotated[dict[Annotated[str, Field(min_length=1, max_length=60,
                                                 pattern=USAGE_KEY_PATTERN)],
                           Annotated[int, Field(ge=0, le=10**7)]],
                      Field(max_length=300)]


class Heartbeat(_Inbound):
    app_version: Annotated[str, Field(max_length=40)]
    content_version: int = Field(ge=0, le=2**53)
    content_source: Literal["demo", "central"]
    stale: bool
    last_sync_at: UtcDateTime | None = None
    outbox_pending: int = Field(ge=0, le=10**9)
    outbox_dead: int = Field(ge=0, le=10**9)
    outbox_oldest_age_s: int | None = Field(default=None, ge=0, le=10**10)
    uptime_s: int = Field(ge=0, le=10**10)
    # Problems; kiosks from before Problem sent plain sentences, still accepted.
    problems: Annotated[tuple[Problem | Annotated[str, Field(max_length=300)], ...],
                        Field(max_length=20)] = ()
    # Kiosks from before command results only said which commands they took; still accepted.
    done_commands: Annotated[tuple[Annotated[str, Field(max_length=64)], ...],
                             Field(max_length=50)] = ()
    command_results: Annotated[tuple[CommandResult, ...], Field(max_length=50)] = ()
    # The device config version the kiosk has saved and applies (0: only what enrolment gave);
    # absent from kiosks older than config versions.
    config_version: int | None = Field(default=None, ge=0, le=2**53)
    # The technician mode: what happened at its door since the last heartbeat, and whether it
    # is open now; absent from kiosks older than the technician mode.
    technician: Annotated[tuple[TechnicianEvent, ...], Field(max_length=20)] = ()
    technician_active: bool | None = None
    # Anonymous use counts, each kept day's totals; absent from kiosks older than use counts.
    usage: Annotated[tuple[UsageDay, ...], Field(max_length=8)] = ()


DEVICE_COMMANDS = ("sync_now", "flush_outbox", "restart_app", "speech_test", "clear_session")
# What becomes of a command staff queued: queued until a heartbeat takes it (delivered), then
# done or failed as the kiosk reports; expired if no heartbeat took it in time.
COMMAND_STATES = ("queued", "delivered", "done", "failed", "expired")


class DeviceCommand(_Strict):
    id: str
    name: Literal[DEVICE_COMMANDS]  # type: ignore[valid-type]


class HeartbeatReply(BaseModel):
    """Central's answer. Fields a newer central adds are ignored, so kiosks keep working."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    config: dict[str, Any]  # DeviceConfig.to_wire(); read with DeviceConfig.from_wire
    config_version: int | None = Field(default=None, ge=0, le=2**53)
    commands: tuple[DeviceCommand, ...] = ()


# ---------------------------------------------------------------------------------------------
# The device config: every setting a kiosk reads, with its type, range and default.

_Int = Annotated[int, Strict()]
_Bool = Annotated[bool, Strict()]
KeyCode = Annotated[int, Strict(), Field(ge=0, le=2**31 - 1)]
MAX_MIRROR_URL = 500
_ARGON2 = r"^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$"


class ConfigValueError(ProtocolError):
    """A device config value central must not store or send; the text names the key, what it
    allows, and says nothing was stored."""


class DeviceConfig(BaseModel):
    """What central tells a kiosk to do, one field per setting. Central keeps values per fleet,
    location and kiosk and refuses any outside these types and ranges (``check_config_values``),
    so a kiosk never receives one; a kiosk reads what it got with ``from_wire``, which keeps the
    default for anything it does not understand (a newer central's key, a damaged file)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    # How often the kiosk asks central for new content, and reports its health (seconds).
    sync_interval_s: Annotated[_Int, Field(ge=10, le=86_400)] = 300
    heartbeat_interval_s: Annotated[_Int, Field(ge=1, le=3_600)] = 60
    # A visitor who touches nothing this long is warned, then the session ends (seconds).
    idle_timeout_s: Annotated[_Int, Field(ge=30, le=3_600)] = 90
    # What every visitor starts with.
    default_lang: Literal[LANGS] = "ar"  # type: ignore[valid-type]
    default_theme: Literal[THEMES] = "standard"  # type: ignore[valid-type]
    default_text_scale: float = 1.0
    default_reach: _Bool = False  # controls within reach of a wheelchair user
    default_speech: _Bool = False
    default_rate_step: Annotated[_Int, Field(ge=0, le=RATE_STEP_COUNT - 1)] = DEFAULT_RATE_STEP
    default_volume_step: Annotated[_Int, Field(ge=0, le=VOLUME_STEP_COUNT - 1)] = \
        DEFAULT_VOLUME_STEP
    # The idle screen's spoken invitation, once a minute.
    speech_invitation: _Bool = True
    # Key codes for keypad actions that differ from the standard map (vocabulary.DEFAULT_KEYS);
    # actions not named keep their standard codes.
    keys: dict[Literal[KEY_ACTIONS],  # type: ignore[valid-type]
               Annotated[tuple[KeyCode, ...], Field(min_length=1, max_length=8)]] = {}
    # The screen's pixels per millimetre, for physical sizes (kiosk/units.py).
    px_per_mm: Annotated[float, Field(ge=MIN_PX_PER_MM, le=MAX_PX_PER_MM)] = DEFAULT_PX_PER_MM
    # How the screen is mounted; the app turns its picture when the window is the other way.
    orientation: Literal["portrait", "landscape"] = "portrait"
    # Contact details are spoken aloud only when the audio goes to a headset.
    headset_output: _Bool = False
    # The technician PIN as an argon2 hash (never the PIN itself); none: no PIN set centrally.
    technician_pin_hash: Annotated[str, Strict(), Field(max_length=200, pattern=_ARGON2)] | None \
        = None
    # Where the kiosk fetches content (the signed manifest, index, records, images) before
    # central: the base address of a static copy of the releases (kiosk-central export-release,
    # served by any web server or CDN). The pinned signature makes an untrusted mirror safe;
    # whatever it serves wrong is refused and central serves instead. None: central only.
    content_mirror: Annotated[str, Strict(), Field(max_length=MAX_MIRROR_URL)] | None = None

    @field_validator("default_text_scale", mode="before")
    @classmethod
    def _one_of_the_text_scales(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float) or float(v) not in TEXT_SCALES:
            raise ValueError(f"must be one of {', '.join(_num(x) for x in TEXT_SCALES)}")
        return float(v)

    @field_validator("content_mirror")
    @classmethod
    def _a_web_address(cls, v: str | None) -> str | None:
        return None if v is None else check_mirror_url(v)

    @field_validator("keys", mode="before")
    @classmethod
    def _codes_as_lists(cls, v: Any) -> Any:
        # JSON has lists, not tuples; a bare number is one code.
        if isinstance(v, Mapping):
            return {k: (c,) if isinstance(c, int) else c for k, c in v.items()}
        return v

    def key_map(self) -> dict[str, tuple[int, ...]]:
        """Every keypad action with its codes: the standard map with this config's changes."""
        from kiosk.vocabulary import DEFAULT_KEYS

        return {**DEFAULT_KEYS, **{k: tuple(v) for k, v in self.keys.items()}}

    def to_wire(self) -> dict[str, Any]:
        """As JSON travels and is saved; a setting that is not set (no PIN) is left out."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any] | None) -> DeviceConfig:
        """Read a config received or saved earlier, keeping the default for each value that
        is unknown, of the wrong type or out of range."""
        data = dict(data or {})
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            bad = {str(err["loc"][0]) for err in e.errors() if err["loc"]}
            return cls.model_validate({k: v for k, v in data.items() if k not in bad})


def check_mirror_url(url: str) -> str:
    """A content mirror's base address: http or https, a host, no user name or password (the
    device config is not a place for secrets), no query or fragment (files are found by
    appending their names). Returned without a trailing slash."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise ValueError("not a web address") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("not an http:// or https:// address")
    if parts.username is not None or parts.password is not None:
        raise ValueError("a mirror address must not hold a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("a mirror address has no ?query or #fragment")
    return url.strip().rstrip("/")


def _num(x: float) -> str:
    return f"{x:g}"


CONFIG_KEYS: tuple[str, ...] = tuple(DeviceConfig.model_fields)
# Settings whose "not set" is null (no PIN, no mirror) rather than a value.
NULLABLE_CONFIG_KEYS: tuple[str, ...] = ("technician_pin_hash", "content_mirror")


def config_allowed(key: str) -> str:
    """What a setting accepts, in words for the staff member who typed a wrong value."""
    field = DeviceConfig.model_fields[key]
    ann = field.annotation
    if key == "default_text_scale":
        return f"one of {', '.join(_num(x) for x in TEXT_SCALES)}"
    if key == "keys":
        return ("a map from keypad action (" + ", ".join(KEY_ACTIONS) + ") to a list of 1 to 8 "
                'key codes, e.g. {"help": [283]}')
    if key == "technician_pin_hash":
        return "an argon2 hash of the PIN ($argon2id$...), or null for none"
    if key == "content_mirror":
        return ("the http:// or https:// base address of a release mirror without user name, "
                "password or query (e.g. https://cdn.example.om/made-in-oman), or null for "
                "none")
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(ann))
    lo = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
    hi = next((m.le for m in field.metadata if isinstance(m, Le)), None)
    if ann is bool:
        return "true or false"
    kind = "a whole number" if ann is int else "a number"
    unit = " (seconds)" if key.endswith("_s") else ""
    return f"{kind} from {_num(lo)} to {_num(hi)}{unit}" if lo is not None else kind


def check_config_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check settings staff want to store: every key known, every value of its type and in its
    range. Returns them as they travel (normalised); raises ConfigValueError naming the first
    bad one, so that nothing is stored."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in DeviceConfig.model_fields:
            raise ConfigValueError(
                f"{key!r} is not a kiosk setting; the settings are {', '.join(CONFIG_KEYS)}. "
                "Nothing was stored.")
        if value is None and key not in NULLABLE_CONFIG_KEYS:
            raise ConfigValueError(
                f"{key} can not be empty; it must be {config_allowed(key)}. To go back to the "
                "value from a wider scope, unset it. Nothing was stored.")
        try:
            checked = DeviceConfig.model_validate({key: value})
        except ValidationError:
            raise ConfigValueError(
                f"{key} must be {config_allowed(key)}; {_shown(value)} is not. Nothing was "
                "stored.") from None
        out[key] = checked.model_dump(mode="json", include={key})[key]
    return out


def _shown(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# What a technician sets on the kiosk itself (the setup wizard: the screen's size and mounting,
# the keypad's codes), kept in $KIOSK_HOME/local-config.json and applied over what central sends:
# these belong to the hardware in front of the technician, not to the fleet.
LOCAL_CONFIG_KEYS: tuple[str, ...] = ("px_per_mm", "orientation", "keys")

DEFAULT_DEVICE_CONFIG: dict[str, Any] = DeviceConfig().to_wire()
"""The config of a kiosk nobody configured, as it travels."""
