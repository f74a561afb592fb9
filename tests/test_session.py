"""The visitor session and its idle clock, with an injected clock: defaults, reset, warning,
continuing, more time, session end."""

from __future__ import annotations

import pytest

from kiosk.session import (
    DEFAULT_RATE_STEP,
    DEFAULT_VOLUME_STEP,
    MORE_TIME_FACTOR,
    RATE_STEP_COUNT,
    VOLUME_STEP_COUNT,
    IdleTimer,
    SiteDefaults,
    VisitorSession,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_warns_after_90_s_and_gives_at_least_20_s():
    clock = FakeClock()
    idle = IdleTimer(clock=clock)
    clock.now += 89.9
    assert idle.state() == "active"
    clock.now += 0.2
    assert idle.state() == "warning"
    assert idle.seconds_left() >= 20
    clock.now += 19.9
    assert idle.state() == "warning"


def test_one_action_continues_at_least_ten_times():
    clock = FakeClock()
    idle = IdleTimer(clock=clock)
    for _ in range(12):
        clock.now += 95
        assert idle.state() == "warning"
        idle.keep_going()
        assert idle.state() == "active"
    assert idle.continued == 12


def test_more_time_multiplies_the_idle_time_by_ten():
    clock = FakeClock()
    idle = IdleTimer(90, clock=clock)
    clock.now += 95
    idle.more_time()
    assert idle.idle_s == 90 * MORE_TIME_FACTOR
    clock.now += 899
    assert idle.state() == "active"
    clock.now += 2
    assert idle.state() == "warning"


def test_ignored_warning_ends_the_session():
    clock = FakeClock()
    idle = IdleTimer(clock=clock)
    clock.now += 90 + idle.warning_s + 0.1
    assert idle.state() == "ended"
    assert idle.seconds_left() == 0


def test_reset_wipes_entries_and_restores_every_setting():
    clock = FakeClock()
    defaults = SiteDefaults(lang="en", theme="inverted", idle_timeout_s=120)
    s = VisitorSession(defaults=defaults, clock=clock)
    s.start("ar")
    s.set_text_scale(2.0)
    s.next_theme()
    s.set_speech(True)
    s.set_rate_step(4)
    s.set_volume_step(0)
    s.set_reach(True)
    s.entered["feedback.text"] = "رسالة خاصة"
    s.idle.more_time()
    s.reset()
    assert (s.lang, s.text_scale, s.theme, s.speech, s.reach) == ("en", 1.0, "inverted",
                                                                  False, False)
    assert (s.rate_step, s.volume_step) == (DEFAULT_RATE_STEP, DEFAULT_VOLUME_STEP)
    assert s.entered == {}
    assert not s.started
    assert s.idle.idle_s == 120


def test_settings_cycle_and_reject_nonsense():
    s = VisitorSession()
    assert [s.next_text_scale() for _ in range(3)] == [1.5, 2.0, 1.0]
    assert [s.next_theme() for _ in range(3)] == ["high_contrast", "inverted", "standard"]
    assert s.toggle_lang() == "en"
    with pytest.raises(ValueError):
        s.set_text_scale(3.0)
    with pytest.raises(ValueError):
        s.set_theme("pink")
    assert s.set_volume_step(99) == VOLUME_STEP_COUNT - 1
    assert s.set_rate_step(-5) == 0


def test_site_defaults_come_from_the_device_config_and_ignore_typos():
    d = SiteDefaults.from_config({"default_lang": "en", "idle_timeout_s": 120,
                                  "default_theme": "high_contrast", "default_text_scale": 1.5})
    assert (d.lang, d.idle_timeout_s, d.theme, d.text_scale) == ("en", 120, "high_contrast", 1.5)
    bad = SiteDefaults.from_config({"default_lang": "fr", "idle_timeout_s": 5,
                                    "default_theme": "neon", "default_text_scale": 7})
    assert bad == SiteDefaults()


def test_rate_and_volume_steps_match_the_speech_service():
    from voices.engine import DEFAULT_RATE_STEP as V_RATE
    from voices.engine import RATE_STEPS
    from voices.service import DEFAULT_VOLUME_STEP as V_VOL
    from voices.service import VOLUME_GAINS

    assert (RATE_STEP_COUNT, DEFAULT_RATE_STEP) == (len(RATE_STEPS), V_RATE)
    assert (VOLUME_STEP_COUNT, DEFAULT_VOLUME_STEP) == (len(VOLUME_GAINS), V_VOL)
