"""What the kiosk says: speakable text, the speech engine process, the prompt cache and the
audio output, behind one SpeechService (see voices/README.md). No Kivy here."""

from __future__ import annotations

from typing import Any

__all__ = ["SpeechService", "Utterance"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `kiosk` commands that never speak do not pay for importing the service.
    if name in __all__:
        from voices import service

        return getattr(service, name)
    raise AttributeError(name)
