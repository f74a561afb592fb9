"""Named events from the kiosk's services to whoever shows them (the visitor app, the CLI).

Services never import the UI: they emit an event by name, and the app subscribes a handler per
name (it moves the call onto its UI thread itself). Names are defined once, below."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# New content became active (a first install of the demo, a sync, a rollback): screens showing
# content refresh in place. Data: version (int).
CONTENT_CHANGED = "content_changed"
# Central sent a command the running app carries out (restart_app, speech_test, clear_session).
# Data: command (the wire model), done (callable(ok: bool, result: str) to acknowledge it once,
# after it finished).
COMMAND = "command"
# A new device config was saved; the app applies it at the next visitor. Data: config.
CONFIG_CHANGED = "config_changed"
# The kiosk's list of current problems changed. Data: problems (list).
PROBLEMS_CHANGED = "problems_changed"

EVENTS = (CONTENT_CHANGED, COMMAND, CONFIG_CHANGED, PROBLEMS_CHANGED)

Handler = Callable[..., Any]


class EventBus:
    """Subscribers per event name; ``emit`` calls each in the emitting thread and returns how
    many handled it (a command nobody handles can then be answered as failed)."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()

    def subscribe(self, name: str, handler: Handler) -> Callable[[], None]:
        if name not in EVENTS:
            raise ValueError(f"{name!r} is not a kiosk event; known: {', '.join(EVENTS)}")
        with self._lock:
            self._handlers.setdefault(name, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(name, [])
                if handler in handlers:
                    handlers.remove(handler)
        return unsubscribe

    def emit(self, name: str, **data: Any) -> int:
        with self._lock:
            handlers = list(self._handlers.get(name, ()))
        for handler in handlers:
            try:
                handler(**data)
            except Exception:  # one broken subscriber must not stop the services
                log.exception("a handler of %s failed", name)
        return len(handlers)
