"""The settings screen: language, text size, contrast, speech, speech rate, volume, reach
mode and Easy Read, each a button that writes out its current state. Changes last until the visitor leaves."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.session import RATE_STEP_COUNT, VOLUME_STEP_COUNT
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column
from screens.widgets.navbar import THEME_NAMES


def _step_text(msgid: str, step: int, count: int) -> dict[str, str]:
    return {lang: _(msgid, lang).format(step=step + 1, count=count) for lang in ("ar", "en")}


class SettingsScreen(KioskScreen):
    screen_name = "settings"
    title = registry.TITLES["settings"]
    summary = "Change how the kiosk looks and speaks. Everything returns to normal when you leave."

    def build_content(self) -> Widget:
        s = self.app.session
        app = self.app
        on_off = both("On"), both("Off")

        def cycle(setter, values, current):
            return lambda: app.prefs.apply(
                lambda _s: setter(values[(values.index(current) + 1) % len(values)]))

        speech = s.speech
        buttons = [
            KButton(kiosk_id="settings.language", label=both("Language"),
                    state_text=dict.fromkeys(("ar", "en"),
                                             "العربية" if s.lang == "ar" else "English"),
                    action=app.prefs.toggle_lang),
            KButton(kiosk_id="settings.text_size", label=both("Text size"),
                    state_text={"ar": f"{s.text_scale:g}×", "en": f"{s.text_scale:g}×"},
                    action=app.prefs.next_text_scale),
            KButton(kiosk_id="settings.theme", label=both("Contrast"),
                    state_text=both(THEME_NAMES[s.theme]), action=app.prefs.next_theme),
            KButton(kiosk_id="settings.speech", label=both("Speech"),
                    state_text=on_off[0] if speech else on_off[1], selected=speech,
                    action=app.prefs.toggle_speech),
            KButton(kiosk_id="settings.rate", label=both("Speech speed"),
                    state_text=_step_text("Step {step} of {count}", s.rate_step,
                                          RATE_STEP_COUNT),
                    action=cycle(s.set_rate_step, list(range(RATE_STEP_COUNT)),
                                      s.rate_step)),
            KButton(kiosk_id="settings.volume", label=both("Volume"),
                    state_text=_step_text("Step {step} of {count}", s.volume_step,
                                          VOLUME_STEP_COUNT),
                    action=cycle(s.set_volume_step, list(range(VOLUME_STEP_COUNT)),
                                      s.volume_step)),
            KButton(kiosk_id="settings.reach", label=both("Controls within reach"),
                    state_text=on_off[0] if s.reach else on_off[1], selected=s.reach,
                    action=lambda: app.prefs.apply(lambda _s: _s.set_reach(not _s.reach))),
            KButton(kiosk_id="settings.easy_read", label=both("Easy Read"),
                    state_text=on_off[0] if s.easy_read else on_off[1], selected=s.easy_read,
                    action=app.prefs.toggle_easy_read),
        ]
        for b in buttons:
            b.align = "start"
        return column(*buttons, spacing=ui().units.mm(4))
