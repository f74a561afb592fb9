"""Physical sizes for the visitor UI: millimetres turned into pixels through the px-per-mm that a
technician configures for the screen (the accessibility requirements give every size in
millimetres: docs/ACCESSIBILITY.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.vocabulary import DEFAULT_PX_PER_MM, MAX_PX_PER_MM, MIN_PX_PER_MM
from kiosk.vocabulary import TEXT_SCALES as TEXT_SCALES  # where the UI has always found it


class _PxPerMmConfig(Protocol):
    """The device config (kiosk.protocol.DeviceConfig), as far as sizes go: units stays on the
    ground and does not import the wire format."""

    @property
    def px_per_mm(self) -> float: ...


TARGET_MM = 16.0  # smallest touch target side (ACCESSIBILITY 8)
GAP_MM = 2.5  # smallest space between targets (ACCESSIBILITY 8)
FOCUS_RING_MM = 2.0  # thick enough to see from 700 mm (ACCESSIBILITY 7)
MIN_CAP_HEIGHT_MM = 4.8  # body text at scale 1 (ACCESSIBILITY 3)

# Noto Sans: capital height 714 units of a 1000-unit em (OS/2 sCapHeight), so a font size of
# f mm draws capitals 0.714 f mm tall. 4.8 mm / 0.714 = 6.72 mm; 7.0 mm leaves a margin and
# gives 5.0 mm capitals.
CAP_HEIGHT_RATIO = 0.714
BODY_FONT_MM = 7.0
TITLE_FONT_MM = 9.5
SMALL_FONT_MM = 7.0  # "small" text still meets the body minimum: nothing a visitor reads is smaller


@dataclass(frozen=True)
class Units:
    px_per_mm: float = DEFAULT_PX_PER_MM

    def mm(self, value: float) -> float:
        return value * self.px_per_mm

    @property
    def target(self) -> float:
        return self.mm(TARGET_MM)

    @property
    def gap(self) -> float:
        return self.mm(GAP_MM)

    @property
    def focus_ring(self) -> float:
        return self.mm(FOCUS_RING_MM)

    def font(self, role: str = "body", scale: float = 1.0) -> float:
        """Font size in px for a text role at the visitor's text scale."""
        size_mm = {"body": BODY_FONT_MM, "title": TITLE_FONT_MM, "small": SMALL_FONT_MM}[role]
        return self.mm(size_mm) * scale

    def cap_height_mm(self, role: str = "body", scale: float = 1.0) -> float:
        return self.font(role, scale) * CAP_HEIGHT_RATIO / self.px_per_mm


def configured_px_per_mm(config: _PxPerMmConfig | Mapping[str, Any] | None = None) -> float:
    """The screen's px-per-mm: KIOSK_PX_PER_MM wins (technicians trying a screen), then the
    device config (``px_per_mm``, a DeviceConfig or its wire form), which defaults to the
    reference screen. A value out of range is a typo, not a screen, and is ignored."""
    raw_config = config.get("px_per_mm") if isinstance(config, Mapping) else (
        config.px_per_mm if config is not None else None)
    for raw in (os.environ.get("KIOSK_PX_PER_MM"), raw_config):
        if raw in (None, "") or isinstance(raw, bool):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if MIN_PX_PER_MM <= value <= MAX_PX_PER_MM:
            return value
    return DEFAULT_PX_PER_MM
