"""Kiosks and central: enrolment, the heartbeat, the device config and commands."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from kiosk.protocol.base import UtcDateTime, _Strict


class EnrollRequest(_Strict):
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


class Heartbeat(_Strict):
    app_version: Annotated[str, Field(max_length=40)]
    content_version: int = Field(ge=0, le=2**53)
    content_source: Literal["demo", "central"]
    stale: bool
    last_sync_at: UtcDateTime | None = None
    outbox_pending: int = Field(ge=0, le=10**9)
    outbox_dead: int = Field(ge=0, le=10**9)
    outbox_oldest_age_s: int | None = Field(default=None, ge=0, le=10**10)
    uptime_s: int = Field(ge=0, le=10**10)
    problems: Annotated[tuple[Annotated[str, Field(max_length=300)], ...], Field(max_length=20)] = ()
    done_commands: Annotated[tuple[Annotated[str, Field(max_length=64)], ...],
                             Field(max_length=50)] = ()


DEVICE_COMMANDS = ("sync_now", "flush_outbox", "restart_app", "speech_test", "clear_session")


class DeviceCommand(_Strict):
    id: str
    name: Literal["sync_now", "flush_outbox", "restart_app", "speech_test", "clear_session"]


class HeartbeatReply(_Strict):
    config: dict[str, Any]
    commands: tuple[DeviceCommand, ...] = ()


DEFAULT_DEVICE_CONFIG: dict[str, Any] = {
    "sync_interval_s": 300,
    "heartbeat_interval_s": 60,
    "idle_timeout_s": 90,
    "default_lang": "ar",
    "speech_invitation": True,
}
