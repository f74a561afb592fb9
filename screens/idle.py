"""A visitor's session from its start to its end: the idle warning and its countdown, the end
of a session (everything wiped, the site's defaults back, ACCESSIBILITY 23), and the idle
screen's spoken invitation (ACCESSIBILITY 20)."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.i18n import _, both
from screens.context import ui
from screens.speech import spoken
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.text import KText

log = logging.getLogger("screens.idle")

TICK_S = 0.5
# The idle screen's spoken invitation: calm, a few seconds long, once a minute, and only when
# the site enables it (device config "speech_invitation").
INVITATION_EVERY_S = 60.0
INVITATION_FIRST_S = 10.0


class Idle:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.invited_at: float | None = None
        self._countdown_text: KText | None = None

    def start_session(self, lang: str | None = None) -> None:
        app = self.app
        app.session.start(lang)
        app.services.usage.visit_started(app.session.lang)
        app.prefs.sync_speech()
        app.apply_context()
        app.nav.history = []
        app.go("home")

    def end_session(self, why: str = "idle") -> None:
        """The visitor left (or staff ended the session): wipe and restore the site's
        defaults, a config central sent meanwhile among them, back to the attract screen."""
        app = self.app
        log.info("visitor session ended (%s)", why)
        app.fleet.before_next_visitor()
        app.services.usage.visit_ended()
        app.session.reset()
        if app.speech is not None:
            app.speech.reset_for_new_visitor()
        app.speech_control.reset()
        app.oriented = False
        app.pending_intro = False
        self.invited_at = None
        app.captions.text = ""
        for screen in app.screens.values():
            screen.on_session_end()
        app.nav.history = []
        app.apply_context()
        app.overlays.close()
        app.go("attract")

    def input(self) -> None:
        """The visitor did something: the session starts, or its idle time starts again."""
        self.app.technician.input()
        active = self.app.nav.active
        if active is not None and hasattr(active, "stop_loop"):
            active.stop_loop()  # the idle screen's loop stops at a touch or a key (WCAG 2.2.2)
        if self.app.overlays.is_open("idle"):
            return  # the warning's own buttons decide
        idle = self.app.session.idle
        if not self.app.session.started:
            self.app.session.started = True
            idle.restart()
        idle.touch()

    def tick(self, _dt: float) -> None:
        app = self.app
        app.memory.tick()
        if app.technician.tick():
            return  # the technician mode has its own 2 minutes (screens/technician.py)
        if not app.session.started:
            self.maybe_invite()
            return
        state = app.session.idle.state()
        if state == "ended":
            self.end_session()
        elif state == "warning":
            if not app.overlays.is_open("idle"):
                self.show_warning()
            elif self._countdown_text is not None:
                self._countdown_text.logical = self.countdown()
        elif app.overlays.is_open("idle"):
            app.overlays.close()

    def arrived_at_attract(self) -> None:
        """The spoken invitation counts from the idle screen's first moment."""
        log.info("on the attract screen, waiting for a visitor")
        self.invited_at = self.app.session.clock() - INVITATION_EVERY_S + INVITATION_FIRST_S

    def maybe_invite(self) -> None:
        """On the idle screen, a calm spoken invitation once a minute, in the site's language
        and then the other, when the site enables it."""
        app = self.app
        if (not app.defaults.speech_invitation or app.sm.current != "attract"
                or app.overlays.open is not None):
            return
        now = app.session.clock()
        if self.invited_at is None:
            self.arrived_at_attract()
        if app.speech is None or now - self.invited_at < INVITATION_EVERY_S:
            return
        self.invited_at = now
        first = app.session.lang
        for n, lang in enumerate((first, "en" if first == "ar" else "ar")):
            text = spoken("invitation", lang)
            app.captions.record(text, lang)
            app.speech.say(text, lang, interrupt=n == 0)

    def countdown(self) -> str:
        return _("The session ends in {seconds} seconds and everything you entered will be "
                 "cleared.", self.app.session.lang).format(
                     seconds=self.app.session.idle.seconds_left())

    def show_warning(self) -> None:
        app = self.app
        t = ui().t
        self._countdown_text = KText(logical=self.countdown(), fg="panel_text")

        def keep_going() -> None:
            app.session.idle.keep_going()
            app.overlays.close()

        def more_time() -> None:
            app.session.idle.more_time()
            app.overlays.close()

        panel = column(
            KText(logical=t("Are you still there?"), role="title", bold=True, fg="panel_text"),
            self._countdown_text,
            row(KButton(kiosk_id="idle.continue", label=both("Continue"), action=keep_going),
                KButton(kiosk_id="idle.more_time", label=both("More time"),
                        action=more_time)),
        )
        app.overlays.show("idle", panel)
        app.speak(f"{t('Are you still there?')} {self.countdown()}")
