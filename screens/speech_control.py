"""Speech the visitor controls (ACCESSIBILITY 13): cutting it when they act, and pausing and
resuming it from the keypad's Pause key or the bar's Pause / Resume control (``speech.pause``,
beside Speak while speech is on). Pausing holds the sentence being said; Resume says it again
from its beginning. New speech (a screen arriving, a key's answer) replaces a paused sentence,
and the pause ends with the session."""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty

from kiosk.i18n import LANGS, _, both
from screens.widgets.button import KButton

PAUSE_ID = "speech.pause"


class SpeechControl(EventDispatcher):
    """``paused`` is what the Pause control and the caption show; the speech service holds
    the paused sentence itself."""

    paused = BooleanProperty(False)

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app

    @property
    def available(self) -> bool:
        """A voice to pause: running, or still starting (what is said meanwhile is said once
        it is ready)."""
        app = self.app
        return app.speech is not None or bool(getattr(app, "_voice_pending", False))

    # -- what the visitor does ---------------------------------------------------------------

    def cut(self) -> None:
        """The visitor did something else: silence now; whatever it does may speak anew."""
        if self.app.speech is not None:
            self.app.speech.stop()
        self.paused = False

    def toggle_pause(self) -> None:
        """The Pause key or control: pause what is being said, or resume it."""
        app = self.app
        if not app.session.speech:
            return
        if not self.available:
            app.speak(self.button_for_pause().unavailable_text(app.session.lang))
            return
        if self.paused:
            self.paused = False
            if app.speech is not None:
                app.speech.resume()
            # The resumed sentence narrows the caption to itself as it starts again.
            app.captions.show(app.captions.text)
        else:
            if app.speech is not None:
                app.speech.pause()
            self.paused = True

    def replaced(self) -> None:
        """New speech started: it replaced whatever was paused (the service unpauses it)."""
        self.paused = False

    def reset(self) -> None:
        """The visitor left, or turned speech off."""
        self.paused = False

    # -- what shows ----------------------------------------------------------------------------

    def on_paused(self, _control: Any, paused: bool) -> None:
        app = self.app
        lang = app.session.lang
        if paused:
            app.captions.notice(_("Speech paused. Press Pause again, or touch Resume, to "
                                  "continue.", lang))
        else:
            app.captions.notice("")
        button = self.shown_button()
        if button is not None:
            self.dress(button)

    def shown_button(self) -> KButton | None:
        bar = getattr(self.app.current, "bar", None) if hasattr(self.app, "sm") else None
        return next((b for b in bar.buttons if b.kiosk_id == PAUSE_ID), None) \
            if bar is not None else None

    def make_button(self) -> KButton:
        """The bar's Pause / Resume control, beside Speak while speech is on."""
        return self.dress(KButton(kiosk_id=PAUSE_ID, pictogram="pause",
                                  action=self.toggle_pause))

    def button_for_pause(self) -> KButton:
        """The bar's control, or one like it (for what the Pause key says without a bar)."""
        return self.shown_button() or self.make_button()

    def dress(self, button: KButton) -> KButton:
        """Label and state for now: Pause while speaking, Resume (state Paused) when paused;
        unavailable without a voice."""
        paused = self.paused
        button.label = both("Resume") if paused else both("Pause")
        button.state_text = both("Paused") if paused else {}
        button.selected = paused
        if button.pictogram:
            button.pictogram = "resume" if paused else "pause"
        button.unavailable_reason = both("This kiosk can not speak at the moment. Everything "
                                         "it would say is shown on the screen.")
        button.disabled = not self.available
        # Both of its states while it can speak, so the bar is laid out for either and does
        # not move when the visitor pauses.
        button.also_shows = [] if button.disabled else [
            both("Pause"), {lang: f"{_('Resume', lang)}\n{_('Paused', lang)}" for lang in LANGS}]
        return button

    def voice_changed(self) -> None:
        """The voice finished starting (or could not start): the control on show follows."""
        button = self.shown_button()
        if button is not None:
            self.dress(button)
