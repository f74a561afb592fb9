"""The satisfaction survey: one question per screen with large choices (the chosen one says
"Selected", not just a colour), progress written out, Next and Back, required questions that can
not be skipped, an optional comment at the end on the kiosk's keyboard, then Send.

Controls: survey.<question id>.<choice id>, survey.next, survey.back, and on the last step
the keyboard (key.*) and survey.submit."""

from __future__ import annotations

from typing import Any

from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.services import InputRefused, VisitorError
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.keyboard import Keyboard
from screens.widgets.layout import column, row
from screens.widgets.text import KText

ANSWERS = "survey.answers"
COMMENT = "survey.comment"


class SurveyScreen(KioskScreen):
    screen_name = "survey"
    title = registry.TITLES["survey"]
    summary = "A few short questions about your visit. We do not ask who you are."

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.keyboard: Keyboard | None = None

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        return {"q": 0}

    def survey(self):
        return self.services.survey.survey(self.params.get("id"))

    def answers(self) -> dict[str, str]:
        return self.app.session.entered.setdefault(ANSWERS, {})

    def help_text(self, lang: str) -> str:
        return (_("Choose one answer, then tap Next. Back returns to the question before. "
                  "At the end you can add a comment, then tap Send.", lang) + "\n\n"
                + super().help_text(lang))

    # -- building -----------------------------------------------------------------------

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        u = ui().units
        survey = self.survey()
        if survey is None:
            return KText(logical=t("There is no survey at the moment. Thank you for wanting "
                                   "to help."))
        parts: list[Widget] = []
        error = self.params.get("error")
        if error:
            parts.append(column(KText(logical=t(error), bold=True, fg="banner_text"),
                                fill="banner_bg", padding=u.mm(3)))
        count = len(survey.questions)
        index = int(self.params.get("q", 0))
        if index == 0:
            parts += [KText(logical=survey.title.ar if lang == "ar" else survey.title.en,
                            role="title", bold=True),
                      KText(logical=survey.intro.ar if lang == "ar" else survey.intro.en)]
        if index >= count:
            parts += self._comment_step(count)
        else:
            parts += self._question_step(survey.questions[index], index, count)
        return column(*parts, spacing=u.mm(4))

    def _question_step(self, q, index: int, count: int) -> list[Widget]:
        t = ui().t
        lang = ui().lang
        chosen = self.answers().get(q.id)
        parts: list[Widget] = [
            KText(logical=t("Question {number} of {count}").format(number=index + 1,
                                                                    count=count), bold=True),
            KText(logical=q.text.ar if lang == "ar" else q.text.en, role="title", bold=True),
            KText(logical=t("An answer is required.") if q.required
                  else t("You may skip this question.")),
        ]
        for c in q.choices:
            picked = chosen == c.id
            parts.append(KButton(
                kiosk_id=f"survey.{q.id}.{c.id}", align="start",
                label={"ar": c.label.ar, "en": c.label.en}, selected=picked,
                state_text=both("Selected") if picked else {},
                action=lambda qid=q.id, cid=c.id: self.choose(qid, cid)))
        buttons = []
        if index > 0:
            buttons.append(KButton(kiosk_id="survey.back", label=both("Previous question"),
                                   action=self.back))
        buttons.append(KButton(kiosk_id="survey.next", label=both("Next"), action=self.next))
        parts.append(row(*buttons))
        return parts

    def _comment_step(self, count: int) -> list[Widget]:
        t = ui().t
        u = ui().units
        comment = self.app.session.entered.get(COMMENT, "")
        self.keyboard = Keyboard(
            width=self.app.window_width() - u.mm(8), text=comment,
            layout=self.params.get("layout"), label=t("Your comment (optional)"),
            on_change=lambda text: self.app.session.entered.__setitem__(COMMENT, text),
            on_done=lambda _t: self.app.speak(
                _("When you are ready, tap Send answers.", self.app.session.lang)),
            on_layout=lambda name: self.params.__setitem__("layout", name),
            speak=self.app.speak, done_label="Done", auto_capital=True)
        answered = len(self.answers())
        return [
            KText(logical=t("Last step: a comment, if you like"), bold=True),
            KText(logical=t("You answered {answered} of {count} questions. Type anything else "
                            "you would like to tell us, or just tap Send.").format(
                answered=answered, count=count)),
            self.keyboard,
            row(KButton(kiosk_id="survey.back", label=both("Previous question"),
                        action=self.back),
                KButton(kiosk_id="survey.submit", label=both("Send answers"),
                        action=self.submit)),
        ]

    # -- actions ------------------------------------------------------------------------

    def _go(self, index: int, error: str | None = None) -> None:
        self.params.pop("layout", None)
        self.update_params(q=index, error=error)
        if error:
            self.app.speak(_(error, self.app.session.lang))
        else:
            self._announce()

    def _announce(self) -> None:
        """Say the question (or the comment step) the visitor arrived at."""
        survey = self.survey()
        lang = self.app.session.lang
        index = int(self.params.get("q", 0))
        if survey is None:
            return
        if index < len(survey.questions):
            q = survey.questions[index]
            self.app.speak(" ".join([
                _("Question {number} of {count}", lang).format(number=index + 1,
                                                               count=len(survey.questions)),
                q.text.ar if lang == "ar" else q.text.en]))
        else:
            self.app.speak(_("Last step: a comment, if you like", lang))

    def choose(self, qid: str, cid: str) -> None:
        self.answers()[qid] = cid
        self.params.pop("error", None)
        self.update_params()
        self.app.speak(_("Selected", self.app.session.lang))

    def next(self) -> None:
        survey = self.survey()
        index = int(self.params.get("q", 0))
        if survey is None:
            return
        q = survey.questions[index]
        if q.required and q.id not in self.answers():
            self._go(index, "This question needs an answer. Please choose one of the answers "
                            "before going on.")
            return
        self._go(index + 1)

    def back(self) -> None:
        self._go(max(0, int(self.params.get("q", 0)) - 1))

    def submit(self) -> None:
        survey = self.survey()
        if survey is None:
            return
        try:
            self.services.survey.answer(survey.id, self.answers(),
                                        self.app.session.entered.get(COMMENT), self.app.session.lang)
        except VisitorError as e:
            ids = [q.id for q in survey.questions]
            if e.field in ids:  # a required question left unanswered
                step = ids.index(e.field)
            elif isinstance(e, InputRefused) and e.field is None:  # nothing answered at all
                step = 0
            else:  # the comment, or the answers could not be kept: stay on the last step
                step = len(ids)
            self._go(step, e.message)
            return
        self.app.session.entered.pop(ANSWERS, None)
        self.app.session.entered.pop(COMMENT, None)
        self.params = {}
        self.app.go("thanks", what="survey")

