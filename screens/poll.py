"""The poll screen: the poll open now, its options as large radio-like buttons (the chosen one
says "Selected"), and Vote, unavailable until an answer is chosen. A visitor votes once per
session; coming back shows the results.

Controls: poll.option.<option id>, poll.submit."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.services import VisitorError
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column
from screens.widgets.text import KText

VOTED = "poll.voted"  # {poll id: option id} for this visitor; wiped with the session
CHOICE = "poll.choice"
NO_CHOICE = "Please choose an answer first, then tap Vote."  # the polls service's sentence


class PollScreen(KioskScreen):
    screen_name = "poll"
    title = registry.TITLES["poll"]
    summary = "Choose one answer and tap Vote. Then you see what others chose."

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self._redirect = None

    def help_text(self, lang: str) -> str:
        return (_("Tap the answer you choose; it then says Selected. Tap Vote to send it. "
                  "You can vote once.", lang) + "\n\n" + super().help_text(lang))

    def poll(self):
        return self.services.polls.open_poll(self.params.get("id"))

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        poll = self.poll()
        voted = self.app.session.entered.get(VOTED, {})
        if poll is not None and poll.id in voted:
            # One vote per visitor: the second visit goes straight to the results.
            self._redirect = Clock.schedule_once(
                lambda _dt: self.app.go("poll_results", _replace=True, id=poll.id))

    def on_deactivate(self) -> None:
        if self._redirect is not None:
            self._redirect.cancel()
            self._redirect = None

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        u = ui().units
        poll = self.poll()
        if poll is None:
            return KText(logical=t("There is no poll open at the moment. Please come back "
                                   "another time."))
        chosen = self.app.session.entered.get(CHOICE, {}).get(poll.id)
        parts: list[Widget] = []
        error = self.params.get("error")
        if error:
            parts.append(column(KText(logical=t(error), bold=True, fg="banner_text"),
                                fill="banner_bg", padding=u.mm(3)))
        parts += [KText(logical=poll.question.ar if lang == "ar" else poll.question.en,
                        role="title", bold=True),
                  KText(logical=t("Choose one answer."))]
        for o in poll.options:
            picked = chosen == o.id
            parts.append(KButton(
                kiosk_id=f"poll.option.{o.id}", align="start",
                label={"ar": o.label.ar, "en": o.label.en}, selected=picked,
                state_text=both("Selected") if picked else both("Not selected"),
                action=lambda oid=o.id: self.choose(poll.id, oid)))
        # Vote waits for an answer; chosen too early it says why and shows it.
        parts.append(KButton(kiosk_id="poll.submit", label=both("Vote"), action=self.submit,
                             disabled=chosen is None, unavailable_reason=both(NO_CHOICE),
                             when_unavailable=lambda: self._show_error(NO_CHOICE)))
        return column(*parts, spacing=u.mm(4))

    def choose(self, poll_id: str, option_id: str) -> None:
        self.app.session.entered.setdefault(CHOICE, {})[poll_id] = option_id
        self.params.pop("error", None)
        self.update_params()
        self.app.speak(_("Selected", self.app.session.lang))

    def _fail(self, message: str) -> None:
        self._show_error(message)
        self.app.speak(_(message, self.app.session.lang))

    def _show_error(self, message: str) -> None:
        self.update_params(error=message)

    def submit(self) -> None:
        poll = self.poll()
        if poll is None:
            return
        option = self.app.session.entered.get(CHOICE, {}).get(poll.id)
        voted = self.app.session.entered.setdefault(VOTED, {})
        if poll.id not in voted:
            try:
                self.services.polls.vote(poll.id, option, self.app.session.lang)
            except VisitorError as e:
                self._fail(e.message)
                return
            voted[poll.id] = option
        self.params.pop("error", None)
        self.app.go("poll_results", _replace=True, id=poll.id)
