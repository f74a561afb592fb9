"""Where the visitor is: the screens by name (built on first use), the history Back walks,
going to a screen and arriving there (what is said on arrival), and redrawing the screen on
show in place when a setting or the content changes."""

from __future__ import annotations

import itertools
from typing import Any

from kivy.clock import Clock

from kiosk.vocabulary import SIGN_VIDEO_SCREENS
from screens import registry
from screens.base import KioskScreen
from screens.speech import spoken
from screens.widgets.button import KButton
from screens.widgets.text import KText

# Screens of one record that read out in full, in reading order, on arrival.
READ_ON_ARRIVAL = ("product",)


class Screens(dict):
    """The registered screens by name, each built the first time it is asked for: start-up
    builds only the screen it opens on. ``name in screens`` asks whether a screen is
    registered; ``values()`` gives the ones built so far (the only ones holding anything)."""

    def __init__(self, app: Any):
        super().__init__()
        self.app = app

    def __missing__(self, name: str) -> KioskScreen:
        if name not in registry.SCREENS:
            raise KeyError(f"no screen named {name!r}")
        screen = registry.screen_class(name)(self.app)
        self[name] = screen
        self.app.sm.register(screen)
        return screen

    def __contains__(self, name: object) -> bool:
        return name in registry.SCREENS


class Navigation:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.history: list[tuple[str, dict[str, Any]]] = []
        self.active: KioskScreen | None = None
        # Bumped (from any thread) when new content becomes active; the screen on show
        # remembers the one it was built with, and is rebuilt in place if it is older.
        self._generations = itertools.count(1)  # next() on it is atomic: any thread may bump
        self.content_generation = 0
        self.shown_generation = 0

    def go(self, name: str, _replace: bool = False, **params: Any) -> None:
        """Open a screen with its parameters; Back returns to the one before."""
        if name not in self.app.screens:
            raise KeyError(f"no screen named {name!r}")
        if _replace and self.history:
            self.history[-1] = (name, params)
        else:
            self.history.append((name, params))
        self.show(name, params)

    def back(self) -> None:
        if len(self.history) > 1:
            self.history.pop()
            name, params = self.history[-1]
            self.show(name, params)

    def home(self) -> None:
        self.app.session.started = True
        self.history = []
        self.app.go("home")  # through the app: a test driver may be watching its go

    def show(self, name: str, params: dict[str, Any]) -> None:
        app = self.app
        if registry.screen_class(name).reads_content:
            app.wait_for_content()
        screen = app.screens[name]
        app.overlays.close()
        app.overlays.explain_next = False
        left = self.active
        if left is not None:
            left.on_deactivate()
        self.active = screen
        if left is not None and left is not screen:
            # The list pictures' textures go with the screen that showed them.
            from screens.widgets.pictures import THUMBNAILS

            THUMBNAILS.release()
        screen.on_activate(**params)
        if app.session.started:
            app.services.usage.screen_opened(name)
            app.services.usage.settings_seen(app.session, app.session.defaults)
        screen.refresh()
        app.sm.current = name
        if left is not None and left is not screen:
            left.release()
        if name == "attract" and left is not screen:
            app.idle.arrived_at_attract()
        app.focus.id = None
        app.speak(self.arrival_text(app.session.lang))

    def arrival_text(self, lang: str) -> str:
        """What is said on arriving at a screen: its title, a one-line summary, how many
        items there are and, the first time in a session, how to move."""
        app = self.app
        screen = app.current if self.active is None else self.active
        title = screen.title_text(lang).strip()
        parts = [title if title[-1:] in ".?!؟" else f"{title}.", screen.summary_text(lang)]
        if app.session.speech and screen.screen_name in READ_ON_ARRIVAL:
            parts.extend(self.reading_order(screen, lang))
        if app.session.speech:
            items = [w for w in screen.focus_order() if not w.kiosk_id.startswith("nav.")]
            if items:
                parts.append(spoken("focus_summary", lang, count=len(items)))
            if not app.oriented:
                app.oriented = True
                parts.append(spoken("how_to_move", lang))
        return " ".join(p for p in parts if p)

    @staticmethod
    def reading_order(screen: KioskScreen, lang: str) -> list[str]:
        """Everything a record's screen shows, top to bottom: its texts (pictures' text
        alternatives among them) and its controls as they are described."""
        out: list[str] = []
        if screen.content is None:
            return out
        for w in screen.content.walk(restrict=True):
            if isinstance(w, KButton):
                out.append(w.describe(lang) + ".")
            elif isinstance(w, KText) and w.logical and not isinstance(w.parent, KButton):
                text = w.logical.strip()
                out.append(text if text[-1:] in ".?!؟:" else f"{text}.")
        return out

    def refresh(self) -> None:
        """Rebuild the visible screen (a setting changed), the open overlay with it."""
        app = self.app
        app.apply_context()
        app.services.usage.settings_seen(app.session, app.session.defaults)
        focused_id = app.focus.id
        overlay = app.overlays.open
        app.current.refresh()
        # A screen that keeps its own overlay open in its state (the product's full-screen
        # picture) opened it again as it was rebuilt; the others are built again here.
        if overlay is not None and app.overlays.open is overlay:
            app.overlays.close()
            app.overlays.show_help() if overlay.kind == "help" else app.idle.show_warning()
        if focused_id:
            # The new widgets are laid out on the next frame; draw the ring there.
            Clock.schedule_once(lambda _dt: app.focus.by_id(focused_id, announce=False), 0.05)

    def screen_built(self) -> None:
        self.shown_generation = self.content_generation

    def content_changed(self) -> None:
        """New content is active; called in whichever thread installed it."""
        self.content_generation = next(self._generations)
        Clock.schedule_once(lambda _dt: self.show_new_content())

    def show_new_content(self) -> None:
        """Rebuild the screen on show if it was built from older content, in place: the same
        screen and parameters, history, overlay, keypad focus, scroll position and session
        (what was typed lives in it); nothing is said, the visitor did not move."""
        app = self.app
        screen = self.active
        # Home shows nothing from the store but the site's sign-language clip for it.
        if (screen is None
                or not (screen.reads_content or screen.screen_name in SIGN_VIDEO_SCREENS)
                or self.shown_generation >= self.content_generation):
            return
        focused_id = app.focus.id
        scroll = screen.scroll
        from_top = None
        if scroll is not None and scroll.overflows:
            # Kept as the distance scrolled from the top: the content may grow or shrink.
            from_top = (1.0 - scroll.view.scroll_y) * (scroll.content.height
                                                       - scroll.view.height)
        screen.refresh()

        def restore(_dt: float) -> None:
            if screen is not self.active:
                return
            new = screen.scroll
            if from_top is not None and new is not None:
                room = new.content.height - new.view.height
                new.view.scroll_y = 1.0 - min(1.0, from_top / room) if room > 0 else 1.0
            if focused_id:
                app.focus.by_id(focused_id, announce=False)
        # The new widgets are laid out on the next frame: scroll and draw the ring there.
        Clock.schedule_once(restore, 0.05)
