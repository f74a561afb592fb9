"""Answering the satisfaction survey: the survey to show, and the visitor's answers (one choice
per question, an optional comment) checked against it and kept in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kiosk.services.errors import InputRefused, NotSaved
from kiosk.services.sending import keep

if TYPE_CHECKING:
    from kiosk.device import KioskDevice
    from kiosk.protocol import Survey


class Surveys:
    def __init__(self, device: KioskDevice):
        self._device = device

    def survey(self, survey_id: str | None = None) -> Survey | None:
        """The survey with ``survey_id``, or the first one; None when there is none."""
        return self._device.store.survey(survey_id)

    def answer(self, survey_id: str | None, answers: Mapping[str, str], comment: str | None,
               lang: str) -> str:
        """Keep the visitor's answers ({question id: choice id}) and comment; the submission
        id. Answers to questions or choices the survey does not have (the content changed
        meanwhile) are left out. Raises InputRefused (``field`` is the question to go back
        to, None for the first) or NotSaved with the sentence to show."""
        from kiosk.protocol import MAX_SUBMISSION_TEXT, SurveyPayload

        survey = self.survey(survey_id)
        if survey is None:
            raise InputRefused("There is no survey at the moment. Thank you for wanting to "
                               "help.")
        kept: dict[str, str] = {}
        for q in survey.questions:
            choice = answers.get(q.id)
            if choice is not None and any(c.id == choice for c in q.choices):
                kept[q.id] = choice
        for q in survey.questions:
            if q.required and q.id not in kept:
                raise InputRefused("This question needs an answer. Please choose one of the "
                                   "answers before going on.", field=q.id)
        if not kept:
            raise InputRefused("Please answer at least one question before sending.")
        comment = (comment or "").strip() or None
        if comment is not None and len(comment) > MAX_SUBMISSION_TEXT:
            raise InputRefused("Your comment is too long. Please shorten it, then send your "
                               "answers again.", field="comment")
        payload = SurveyPayload(survey_id=survey.id, answers=kept, comment=comment)
        submission_id = keep(self._device, payload, lang)
        if submission_id is None:
            raise NotSaved("Your answers could not be saved on this kiosk. Please try again in "
                           "a moment.")
        return submission_id
