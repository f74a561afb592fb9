"""The feedback screen: choose what kind of message (comment, suggestion, complaint or an
accessibility problem), type it on the kiosk's keyboard, optionally leave contact details behind
a plain consent line, and send. The message is in the outbox (contact sealed to central's key)
before the visitor is thanked. Contact details are shown but never spoken unless a headset is
the output (ACCESSIBILITY 15).

Controls: feedback.kind.comment|suggestion|complaint|accessibility, then the keyboard (key.*,
key.done is Next), feedback.change_kind, feedback.edit_message, feedback.consent,
feedback.contact.name|phone|email (each opens the keyboard), feedback.submit,
feedback.submit_without_contact (after the kiosk refused contact details), feedback.cancel,
feedback.follow_up (to the Follow up screen, from the first step)."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.services import ContactRefused, InputRefused, VisitorError
from kiosk.services.feedback import CONTACT_FIELDS, KINDS, MAX_CONTACT_CHARS
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.textlayout import has_arabic
from screens.widgets.button import KButton
from screens.widgets.keyboard import Keyboard, spoken_text
from screens.widgets.layout import column, row
from screens.widgets.text import KText

KIND_LABELS = {
    "comment": "A comment",
    "suggestion": "A suggestion",
    "complaint": "A complaint",
    "accessibility": "A problem with accessibility",
}
KIND_HINTS = {
    "comment": "Tell us what you think of the portal or this kiosk.",
    "suggestion": "Tell us what we could add or do better.",
    "complaint": "Tell us what went wrong, so the team can put it right.",
    "accessibility": "Tell us what was hard to see, hear, reach or use.",
}
CONTACT_LABELS = {"name": "Your name", "phone": "Your phone number", "email": "Your e-mail"}
PREFIX = "feedback."


class PrivateButton(KButton):
    """A button that shows contact details but speaks them as "hidden" unless a headset is
    the output (ACCESSIBILITY 15)."""

    def __init__(self, private_value: str = "", headset: bool = False, **kwargs):
        self.private_value = private_value
        self.headset = headset
        super().__init__(**kwargs)

    def describe(self, lang: str | None = None) -> str:
        lang = lang or ui().lang
        said = self.private_value if self.headset else spoken_text(self.private_value, lang,
                                                                   private=True)
        return f"{self.label.get(lang, '')}, {said}"


class FeedbackScreen(KioskScreen):
    screen_name = "feedback"
    title = registry.TITLES["feedback"]
    summary = ("A comment, a suggestion, a complaint or an accessibility problem. Your name is "
               "not needed.")

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.keyboard: Keyboard | None = None

    # -- state kept in the session (wiped when the visitor leaves) ----------------------

    @property
    def entered(self) -> dict[str, Any]:
        return self.app.session.entered

    def _get(self, key: str, default: Any = "") -> Any:
        return self.entered.get(PREFIX + key, default)

    def _set(self, key: str, value: Any) -> None:
        self.entered[PREFIX + key] = value

    def _clear(self) -> None:
        for key in [k for k in self.entered if k.startswith(PREFIX)]:
            del self.entered[key]

    @property
    def headset(self) -> bool:
        return bool(getattr(self.app.speech, "headset", False))

    def step(self) -> str:
        return self.params.get("step") or ("message" if self._get("kind") else "kind")

    def go_step(self, step: str, **extra: Any) -> None:
        for key in ("error", "edit", "layout", "contact_refused"):
            self.params.pop(key, None)
        self.update_params(step=step, **extra)

    def fail(self, message: str) -> None:
        """Show and say what to do; the message names the field."""
        self.update_params(error=message)
        self.app.speak(_(message, self.app.session.lang))

    def help_text(self, lang: str) -> str:
        return (_("First choose what kind of message it is. Then type it with the keys and "
                  "tap Next. Contact details are optional: tick the consent line only if you "
                  "want a reply. Send delivers the message.", lang) + "\n\n"
                + super().help_text(lang))

    # -- building -----------------------------------------------------------------------

    def build_content(self) -> Widget:
        step = self.step()
        parts: list[Widget] = []
        error = self.params.get("error")
        if error:
            u = ui().units
            parts.append(column(KText(logical=ui().t(error), bold=True, fg="banner_text"),
                                fill="banner_bg", padding=u.mm(3)))
        if step == "kind":
            parts += self._kind_step()
        elif step == "message":
            parts += self._message_step()
        else:
            parts += self._review_step()
        return column(*parts, spacing=ui().units.mm(4))

    def _actions(self, *buttons: KButton) -> Widget:
        return row(*buttons)

    def _cancel_button(self) -> KButton:
        return KButton(kiosk_id="feedback.cancel", label=both("Cancel"), action=self.cancel)

    def _kind_step(self) -> list[Widget]:
        t = ui().t
        chosen = self._get("kind")
        items: list[Widget] = [KText(logical=t("What would you like to send?"), bold=True)]
        for kind in KINDS:
            items.append(KButton(
                kiosk_id=f"feedback.kind.{kind}", align="start",
                label={lang: f"{_(KIND_LABELS[kind], lang)}\n{_(KIND_HINTS[kind], lang)}"
                       for lang in ("ar", "en")},
                selected=chosen == kind,
                state_text=both("Selected") if chosen == kind else {},
                action=lambda k=kind: self.choose_kind(k)))
        items.append(KButton(kiosk_id="feedback.follow_up", align="start",
                             label=both("Follow up a message you sent before"),
                             pictogram="follow_up", action=lambda: self.app.go("follow_up")))
        items.append(self._cancel_button())
        return items

    def _message_step(self) -> list[Widget]:
        t = ui().t
        u = ui().units
        kind = self._get("kind")
        self.keyboard = Keyboard(
            width=self.app.window_width() - u.mm(8), text=self._get("text"),
            layout=self.params.get("layout"), label=t("Your message"),
            on_change=lambda text: self._set("text", text), on_done=lambda _t: self.next(),
            on_layout=lambda name: self.params.__setitem__("layout", name),
            speak=self.app.speak, done_label="Next", auto_capital=True)
        return [
            KButton(kiosk_id="feedback.change_kind", align="start",
                    label={lang: _(KIND_LABELS[kind], lang) for lang in ("ar", "en")},
                    state_text=both("Tap to change"),
                    action=lambda: self.go_step("kind")),
            KText(logical=t(KIND_HINTS[kind])),
            self.keyboard,
            self._cancel_button(),
        ]

    def _review_step(self) -> list[Widget]:
        t = ui().t
        u = ui().units
        edit = self.params.get("edit")
        if edit in CONTACT_FIELDS:
            self.keyboard = Keyboard(
                width=self.app.window_width() - u.mm(8), text=self._get(edit),
                layout=self.params.get("layout") or ("digits" if edit == "phone" else
                                                     "en" if edit == "email" else None),
                label=t(CONTACT_LABELS[edit]), private=True, headset=self.headset,
                auto_capital=edit == "name", max_length=MAX_CONTACT_CHARS,
                on_change=lambda text: self._set(edit, text),
                on_done=lambda _t: self.go_step("review"),
                on_layout=lambda name: self.params.__setitem__("layout", name),
                speak=self.app.speak, done_label="Done")
            return [KText(logical=t("Contact details are private: the kiosk shows them to you "
                                    "but does not read them aloud.")),
                    self.keyboard]
        kind = self._get("kind")
        consent = bool(self._get("consent", False))
        items: list[Widget] = [
            KText(logical=t(KIND_LABELS[kind]), bold=True),
            KText(logical=self._get("text"), lang="ar" if has_arabic(self._get("text"))
                  else "en"),
            KButton(kiosk_id="feedback.edit_message", label=both("Change the message"),
                    action=lambda: self.go_step("message")),
            KText(logical=t("Would you like a reply? Contact details are optional."),
                  bold=True),
            KButton(kiosk_id="feedback.consent", align="start",
                    label=both("I agree that the portal team may use the contact details I "
                               "give here only to reply to this message."),
                    selected=consent,
                    state_text=both("Ticked") if consent else both("Not ticked"),
                    action=self.toggle_consent),
        ]
        if consent:
            for name in CONTACT_FIELDS:
                value = self._get(name)
                items.append(PrivateButton(
                    kiosk_id=f"feedback.contact.{name}", align="start",
                    label=both(CONTACT_LABELS[name]), private_value=value,
                    headset=self.headset,
                    state_text=({"ar": value, "en": value} if value else
                                both("Tap to type")),
                    action=lambda n=name: self.go_step("review", edit=n)))
        if self.params.get("contact_refused"):
            items.append(KButton(kiosk_id="feedback.submit_without_contact",
                                 label=both("Send without contact details"),
                                 action=lambda: self.submit(with_contact=False)))
        items.append(self._actions(
            self._cancel_button(),
            KButton(kiosk_id="feedback.submit", label=both("Send"), action=self.submit)))
        return items

    # -- actions ------------------------------------------------------------------------

    def choose_kind(self, kind: str) -> None:
        self._set("kind", kind)
        self.go_step("message")

    def next(self) -> None:
        if not self._get("text").strip():
            self.fail("Please type your message first.")
            return
        self.go_step("review")

    def toggle_consent(self) -> None:
        on = not self._get("consent", False)
        self._set("consent", on)
        if not on:
            for name in CONTACT_FIELDS:
                self.entered.pop(PREFIX + name, None)
        self.params.pop("contact_refused", None)
        self.update_params(error=None)
        lang = self.app.session.lang
        self.app.speak(_("Ticked", lang) if on else _("Not ticked", lang))

    def cancel(self) -> None:
        self._clear()
        self.params = {}
        self.app.back() if len(self.app.history) > 1 else self.app.home()

    def contact(self) -> dict[str, str]:
        if not self._get("consent", False):
            return {}
        return {name: self._get(name).strip() for name in CONTACT_FIELDS
                if self._get(name).strip()}

    def submit(self, with_contact: bool = True) -> None:
        kind = self._get("kind")
        try:
            sent = self.services.feedback.send(kind, self._get("text"), self.app.session.lang,
                                        screen=self._came_from(),
                                        contact=self.contact() if with_contact else None)
        except InputRefused as e:
            if e.field == "kind":
                self.go_step("kind")
                return
            if e.field == "text":
                self.params["step"] = "message"
            self.fail(e.message)
            return
        except ContactRefused as e:
            self.params["contact_refused"] = True
            self.fail(e.message)
            return
        except VisitorError as e:
            self.fail(e.message)
            return
        # Saved on disk: now it is safe to thank the visitor.
        self._clear()
        self.params = {}
        self.app.go("thanks", what="report" if kind == "accessibility" else "feedback",
                    reference=sent.reference)

    def _came_from(self) -> str | None:
        names = [name for name, _p in self.app.history if name != self.screen_name]
        if names and names[-1] not in ("home", "attract"):
            return names[-1]
        return None
