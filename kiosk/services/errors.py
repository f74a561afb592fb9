"""What the visitor services answer when they can not do what was asked: one sentence for the
visitor (in English, the msgid the screens translate) saying what to do next."""

from __future__ import annotations

from kiosk.errors import UserError


class VisitorError(UserError):
    """``message`` is shown and spoken to the visitor; ``field`` names the input it is about
    (``text``, ``kind``, ``contact``, ``option``, a survey question's id), when there is one, so
    a screen can take the visitor back to it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InputRefused(VisitorError):
    """What the visitor entered can not be sent as it is; fix it and send again."""


class ContactRefused(VisitorError):
    """This kiosk can not take contact details (it has no key to seal them with yet); the
    message can still go without them."""


class NotSaved(VisitorError):
    """The kiosk could not keep the submission on its disk; nothing was kept, try again."""
