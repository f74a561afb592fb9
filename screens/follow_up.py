"""The Follow up screen: a visitor types the reference the thanks screen gave them on a large
digit keypad, and sees and hears the state of their message and the portal team's reply, asked
of central in a thread (kiosk/services/follow_up.py) when it can be reached. Nothing but the
state and the reply is ever shown: never the message or contact details. A typing mistake
(the check digit), a reference nobody was given, a message still on this kiosk, a portal out
of reach and too many look-ups each get their own sentence, written and spoken.

Controls: key.0 ... key.9, key.backspace, key.done (Find), then follow_up.again and
follow_up.home on the answer."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.textlayout import has_arabic
from screens.widgets.button import KButton
from screens.widgets.keyboard import Key, key_words
from screens.widgets.layout import column, grid
from screens.widgets.text import KText

DIGITS = 12
TYPED = "follow_up.digits"  # in session.entered: wiped when the visitor leaves

STATUS = {
    "new": "Received. The portal team has not started on it yet.",
    "in_progress": "The portal team is working on it.",
    "answered": "Answered.",
    "closed": "Closed.",
}
# What each outcome that is not an answer says (kiosk/services/follow_up.py's outcomes).
PROBLEMS = {
    "malformed": "A reference has 12 digits. Please type all of them.",
    "mistyped": "This reference has a typing mistake. Please check each digit and type it "
                "again.",
    "not_found": "No message has this reference. Please check each digit and type it again.",
    "waiting": "This message is still on this kiosk and has not reached the portal team yet. "
               "Please look again later.",
    "unreachable": "The portal can not be reached at the moment, so the kiosk can not look up "
                   "your message. Please try again later, or call 80000070.",
    "busy": "Too many look-ups from this kiosk. Please wait a few minutes, then try again.",
    "asking": "Asking the portal about your message.",
}
NO_REPLY = "There is no reply yet."
REPLY = "The portal team's reply"
SAY_ANSWER = "Reference {reference}. {status}"


def grouped(digits: str) -> str:
    """``48210937`` -> ``4821-0937`` (as the thanks screen shows references)."""
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


class FollowUpScreen(KioskScreen):
    screen_name = "follow_up"
    title = registry.TITLES["follow_up"]
    summary = ("Type the reference you were given when you sent a message, to see its state "
               "and the reply.")

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self._asked = 0
        self._field: KText | None = None

    def help_text(self, lang: str) -> str:
        return (_("Type the 12 digits of your reference with the number keys, then tap Find. "
                  "Delete removes the last digit. The kiosk shows and says the state of your "
                  "message and the portal team's reply.", lang) + "\n\n"
                + super().help_text(lang))

    # -- state ------------------------------------------------------------------------------

    @property
    def digits(self) -> str:
        return str(self.app.session.entered.get(TYPED, ""))

    def _set_digits(self, digits: str) -> None:
        self.app.session.entered[TYPED] = digits

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        self._asked += 1

    def on_deactivate(self) -> None:
        self._asked += 1  # an answer arriving after the visitor left is ignored

    def on_session_end(self) -> None:
        super().on_session_end()
        self._asked += 1

    # -- building ---------------------------------------------------------------------------

    def build_content(self) -> Widget:
        if self.params.get("outcome") == "found":
            return self._answer()
        return self._keypad()

    def _banner(self, text: str) -> Widget:
        u = ui().units
        return column(KText(logical=text, bold=True, fg="banner_text"), fill="banner_bg",
                      padding=u.mm(3))

    def _shown_digits(self, lang: str) -> str:
        if not self.digits:
            return _("Nothing typed yet.", lang)
        return grouped(self.digits)

    def _keypad(self) -> Widget:
        t = ui().t
        u = ui().units
        lang = ui().lang
        parts: list[Widget] = []
        outcome = self.params.get("outcome")
        if outcome in PROBLEMS:
            parts.append(self._banner(t(PROBLEMS[outcome])))
        parts.append(KText(logical=t("Type the 12 digits of your reference, then tap Find.")))
        self._field = KText(logical=self._shown_digits(lang), role="title", fg="panel_text",
                            lang="en" if self.digits else lang,
                            align="end" if ui().rtl else "start")
        parts.append(column(KText(logical=t("Reference"), bold=True, fg="panel_text"),
                            self._field, fill="panel_bg", padding=u.mm(3), spacing=u.mm(1)))
        pad = grid(3, spacing=u.mm(3))
        for ch in "123456789":
            pad.add_widget(self._digit(ch))
        pad.add_widget(Key(kiosk_id="key.backspace", label=both("Delete"), role="title",
                           spoken=both("Delete the last digit"), action=self._backspace))
        pad.add_widget(self._digit("0"))
        pad.add_widget(Key(kiosk_id="key.done", label=both("Find"), role="title",
                           spoken_fn=lambda lang: _("Find. Typed so far: {text}", lang).format(
                               text=self.digits or _("empty", lang)),
                           action=self.find))
        parts.append(pad)
        return column(*parts, spacing=u.mm(4))

    def _digit(self, ch: str) -> Key:
        return Key(kiosk_id=f"key.{ch}", label={"ar": ch, "en": ch}, role="title",
                   min_height=ui().units.mm(20),
                   spoken={lang: key_words(ch, lang) for lang in ("ar", "en")},
                   action=lambda: self._type(ch))

    def _answer(self) -> Widget:
        t = ui().t
        u = ui().units
        p = self.params
        reply = str(p.get("reply") or "")
        parts: list[Widget] = [
            column(KText(logical=t("Reference"), bold=True, fg="panel_text"),
                   KText(logical=str(p.get("reference", "")), lang="en", role="title",
                         fg="panel_text", align="end" if ui().rtl else "start"),
                   fill="panel_bg", padding=u.mm(3), spacing=u.mm(1)),
            KText(logical=t("State"), bold=True),
            KText(logical=t(STATUS.get(str(p.get("status")), STATUS["in_progress"]))),
            KText(logical=t(REPLY), bold=True),
        ]
        if reply:
            parts.append(KText(logical=reply, lang="ar" if has_arabic(reply) else "en"))
        else:
            parts.append(KText(logical=t(NO_REPLY)))
        parts.append(KButton(kiosk_id="follow_up.again", label=both("Follow up another message"),
                             action=self.again))
        parts.append(KButton(kiosk_id="follow_up.home", label=both("Back to the start"),
                             action=self.app.home))
        return column(*parts, spacing=u.mm(4))

    def spoken_answer(self, lang: str) -> str:
        p = self.params
        status = _(STATUS.get(str(p.get("status")), STATUS["in_progress"]), lang)
        said = _(SAY_ANSWER, lang).format(reference=p.get("reference", ""), status=status)
        reply = str(p.get("reply") or "")
        if reply:
            return f"{said} {_(REPLY, lang)}: {reply}"
        return f"{said} {_(NO_REPLY, lang)}"

    # -- what the keys do -------------------------------------------------------------------

    def _show(self) -> None:
        if self._field is not None:
            lang = ui().lang
            self._field.lang = "en" if self.digits else lang
            self._field.logical = self._shown_digits(lang)

    def _type(self, ch: str) -> None:
        lang = ui().lang
        if len(self.digits) >= DIGITS:
            self.app.speak(_("A reference has 12 digits. Tap Find, or Delete to change it.",
                             lang))
            return
        self._set_digits(self.digits + ch)
        self._show()
        self.app.speak(ch)

    def _backspace(self) -> None:
        lang = ui().lang
        if not self.digits:
            self.app.speak(_("Nothing to delete.", lang))
            return
        removed = self.digits[-1]
        self._set_digits(self.digits[:-1])
        self._show()
        self.app.speak(_("Deleted {what}", lang).format(what=removed))

    def again(self) -> None:
        self._set_digits("")
        self.params = {}
        self.update_params()

    def find(self) -> None:
        self._asked += 1
        asked = self._asked
        result = self.services.follow_up.ask(
            self.digits, answer=lambda r: Clock.schedule_once(
                lambda _dt: self._answered(asked, r)))
        self._show_result(result)

    def _answered(self, asked: int, result: Any) -> None:
        if asked != self._asked or self.app.sm.current != self.screen_name:
            return
        self._show_result(result)

    def _show_result(self, result: Any) -> None:
        lang = self.app.session.lang
        if result.outcome == "found":
            self._set_digits("")
            self.update_params(outcome="found", reference=result.reference,
                               status=result.status, reply=result.reply or "")
            self.app.speak(self.spoken_answer(lang))
            return
        self.update_params(outcome=result.outcome)
        self.app.speak(_(PROBLEMS[result.outcome], lang))
