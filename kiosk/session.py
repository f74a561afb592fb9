"""The visitor session: the settings one visitor chose, what they entered, and the idle clock
that ends the session when they walk away. Plain Python; the UI drives it and tests inject a
clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from kiosk.vocabulary import (
    DEFAULT_RATE_STEP,
    DEFAULT_VOLUME_STEP,
    LANGS,
    RATE_STEP_COUNT,
    TEXT_SCALES,
    THEMES,
    VOLUME_STEP_COUNT,
)

if TYPE_CHECKING:
    from kiosk.protocol import DeviceConfig

Lang = Literal["ar", "en"]

DEFAULT_IDLE_S = 90.0
WARNING_S = 30.0  # at least 20 s to answer the warning (ACCESSIBILITY 22)
MORE_TIME_FACTOR = 10


@dataclass(frozen=True)
class SiteDefaults:
    """What every visitor starts with; set per site in the device config."""

    lang: Lang = "ar"
    text_scale: float = 1.0
    theme: str = "standard"
    speech: bool = False
    rate_step: int = DEFAULT_RATE_STEP
    volume_step: int = DEFAULT_VOLUME_STEP
    reach: bool = False
    idle_timeout_s: float = DEFAULT_IDLE_S
    speech_invitation: bool = True

    @classmethod
    def from_config(cls, config: DeviceConfig | Mapping[str, Any] | None) -> SiteDefaults:
        """The site's defaults from the device config. A plain mapping is read as the device
        config, each value out of range or of the wrong type ignored rather than failing: a
        kiosk with a typo in its config still has to serve visitors."""
        if not config:  # nothing configured: no need to load the wire format
            return cls()
        if isinstance(config, Mapping):
            from kiosk.protocol import DeviceConfig

            config = DeviceConfig.from_wire(config)
        return cls(
            lang=config.default_lang, text_scale=float(config.default_text_scale),
            theme=config.default_theme, speech=config.default_speech,
            rate_step=config.default_rate_step, volume_step=config.default_volume_step,
            reach=config.default_reach, idle_timeout_s=float(config.idle_timeout_s),
            speech_invitation=config.speech_invitation,
        )


class IdleTimer:
    """Idle -> warning -> end. ``touch()`` on any input; during the warning one action
    (``touch`` or ``keep_going``) continues, as often as the visitor needs; ``more_time()``
    multiplies the idle time by ten for the rest of the session."""

    def __init__(self, idle_s: float = DEFAULT_IDLE_S, warning_s: float = WARNING_S,
                 clock: Callable[[], float] = time.monotonic):
        self.base_idle_s = float(idle_s)
        self.idle_s = float(idle_s)
        self.warning_s = float(warning_s)
        self.clock = clock
        self.last_input = clock()
        self.continued = 0
        self.extended = False

    def restart(self, idle_s: float | None = None) -> None:
        """A new visitor: base idle time, no extension."""
        if idle_s is not None:
            self.base_idle_s = float(idle_s)
        self.idle_s = self.base_idle_s
        self.extended = False
        self.continued = 0
        self.last_input = self.clock()

    def touch(self) -> None:
        if self.state() == "warning":
            self.continued += 1
        self.last_input = self.clock()

    def keep_going(self) -> None:
        self.touch()

    def more_time(self) -> None:
        self.idle_s = self.base_idle_s * MORE_TIME_FACTOR
        self.extended = True
        self.touch()

    def idle_for(self) -> float:
        return max(0.0, self.clock() - self.last_input)

    def state(self) -> Literal["active", "warning", "ended"]:
        idle = self.idle_for()
        if idle < self.idle_s:
            return "active"
        if idle < self.idle_s + self.warning_s:
            return "warning"
        return "ended"

    def seconds_left(self) -> int:
        """Whole seconds until the session ends, for the warning's countdown."""
        left = self.idle_s + self.warning_s - self.idle_for()
        return max(0, int(left + 0.999))


@dataclass
class VisitorSession:
    """One visitor's choices and entries. Screens keep anything a visitor typed or chose in
    ``entered`` so that ``reset()`` can wipe it all in one place."""

    defaults: SiteDefaults = field(default_factory=SiteDefaults)
    clock: Callable[[], float] = time.monotonic
    lang: Lang = "ar"
    text_scale: float = 1.0
    theme: str = "standard"
    speech: bool = False
    rate_step: int = DEFAULT_RATE_STEP
    volume_step: int = DEFAULT_VOLUME_STEP
    reach: bool = False
    # Easy Read: short sentences with pictograms wherever content has them. Not a site
    # default: each visitor turns it on, and it is off again for the next one.
    easy_read: bool = False
    started: bool = False
    entered: dict[str, Any] = field(default_factory=dict)
    idle: IdleTimer = field(init=False)

    def __post_init__(self) -> None:
        self.idle = IdleTimer(self.defaults.idle_timeout_s, clock=self.clock)
        self.reset()

    def reset(self) -> None:
        """The visitor left: wipe what they entered and restore every setting to the site's
        default (ACCESSIBILITY 23)."""
        d = self.defaults
        self.lang = d.lang
        self.text_scale = d.text_scale
        self.theme = d.theme
        self.speech = d.speech
        self.rate_step = d.rate_step
        self.volume_step = d.volume_step
        self.reach = d.reach
        self.easy_read = False
        self.started = False
        self.entered.clear()
        self.entered = {}
        self.idle.restart(d.idle_timeout_s)

    def start(self, lang: Lang | None = None) -> None:
        if lang is not None:
            self.set_lang(lang)
        self.started = True
        self.idle.restart()

    # -- settings, each returning the new value so the UI can announce it ------------------

    def set_lang(self, lang: str) -> Lang:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
        self.lang = lang  # type: ignore[assignment]
        return self.lang

    def toggle_lang(self) -> Lang:
        return self.set_lang("en" if self.lang == "ar" else "ar")

    def set_text_scale(self, scale: float) -> float:
        if scale not in TEXT_SCALES:
            raise ValueError(f"text scale must be one of {TEXT_SCALES}")
        self.text_scale = float(scale)
        return self.text_scale

    def next_text_scale(self) -> float:
        i = TEXT_SCALES.index(self.text_scale) if self.text_scale in TEXT_SCALES else 0
        return self.set_text_scale(TEXT_SCALES[(i + 1) % len(TEXT_SCALES)])

    def set_theme(self, theme: str) -> str:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}")
        self.theme = theme
        return theme

    def next_theme(self) -> str:
        return self.set_theme(THEMES[(THEMES.index(self.theme) + 1) % len(THEMES)])

    def set_speech(self, on: bool) -> bool:
        self.speech = bool(on)
        return self.speech

    def set_rate_step(self, step: int) -> int:
        self.rate_step = max(0, min(RATE_STEP_COUNT - 1, int(step)))
        return self.rate_step

    def set_volume_step(self, step: int) -> int:
        self.volume_step = max(0, min(VOLUME_STEP_COUNT - 1, int(step)))
        return self.volume_step

    def set_reach(self, on: bool) -> bool:
        self.reach = bool(on)
        return self.reach

    def set_easy_read(self, on: bool) -> bool:
        self.easy_read = bool(on)
        return self.easy_read
