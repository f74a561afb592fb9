"""The visitor's settings as the bar and the settings screen change them (language, text size,
contrast, speech, reach, rate and volume): the session changes, the speech service follows,
and the screen is redrawn in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.i18n import _
from kiosk.session import VisitorSession


class Preferences:
    def __init__(self, app: Any) -> None:
        self.app = app

    def toggle_lang(self) -> None:
        self.set_lang("en" if self.app.session.lang == "ar" else "ar")

    def set_lang(self, lang: str) -> None:
        self.app.session.set_lang(lang)
        self.app.nav.refresh()
        self.app.speak(_("English", lang) if lang == "en" else _("Arabic", lang))

    def next_text_scale(self) -> None:
        self.app.session.next_text_scale()
        self.app.nav.refresh()

    def next_theme(self) -> None:
        self.app.session.next_theme()
        self.app.nav.refresh()

    def toggle_speech(self) -> None:
        app = self.app
        on = app.session.set_speech(not app.session.speech)
        app.nav.refresh()
        if on:
            lang = app.session.lang
            app.speak(f"{_('Speech is on.', lang)} {app.nav.arrival_text(lang)}")
        else:
            app.speech_control.cut()

    def toggle_easy_read(self) -> None:
        """Easy Read on or off (settings.easy_read, home.easy_read), its new state said."""
        app = self.app
        on = app.session.set_easy_read(not app.session.easy_read)
        app.nav.refresh()
        lang = app.session.lang
        app.speak(_("Easy Read is on.", lang) if on else _("Easy Read is off.", lang))

    def apply(self, change: Callable[[VisitorSession], Any]) -> None:
        """Change a session setting and redraw: ``app.prefs.apply(lambda s: s.set_reach(True))``."""
        change(self.app.session)
        self.sync_speech()
        self.app.nav.refresh()

    def sync_speech(self) -> None:
        """Hand the visitor's speech rate and volume to the speech service."""
        speech = self.app.speech
        if speech is not None:
            speech.set_rate(self.app.session.rate_step)
            speech.set_volume(self.app.session.volume_step)
