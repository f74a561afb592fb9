"""Kivy's process-wide settings, applied before Kivy opens its window: no argument parsing,
Escape does not quit (it is the keypad's Back), no red multitouch dots, the window size."""

from __future__ import annotations

import os
from typing import Any

from kiosk.config import kiosk_home
from kiosk.errors import CommandError

DEFAULT_SIZE = (1080, 1920)  # the kiosk's portrait screen


def parse_size(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise ValueError(f"size {value!r} should look like 1080x1920") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise ValueError(f"size {value!r} is out of range; use e.g. 1080x1920 or 1920x1080")
    return w, h


def size_arg(value: str | None) -> tuple[int, int] | None:
    """parse_size for the commands' --size: a wrong size is the technician's to correct."""
    try:
        return parse_size(value)
    except ValueError as e:
        raise CommandError(str(e)) from None


def configure_kivy(size: tuple[int, int] | None = None, fullscreen: bool = False,
                   quiet: bool = False) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Sign-language clips play through Kivy's ffpyplayer video provider (a maintained FFmpeg
    # binding, a wheel on every platform), never a GStreamer the kiosk may not have.
    os.environ.setdefault("KIVY_VIDEO", "ffpyplayer")
    home = kiosk_home() / "kivy"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(home))
    if quiet:
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning" if quiet else "info")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "multisamples", "0")
    # A kiosk's screen never blanks by itself: Kivy's default lets the display's screensaver
    # start (SDL_EnableScreenSaver), which would leave a dark screen in front of visitors.
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    if size:
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")


def make_kiosk_app(start: str = "attract", **options: Any) -> Any:
    """The visitor app as `kiosk run` starts it (the UI bench starts it the same way), after
    configure_kivy. Python's cyclic garbage collector is paused while the kiosk imports its
    modules and builds its first screen: it would walk the growing heap dozens of times for
    nothing, since start-up makes almost no garbage. The app freezes what start-up made and from
    then on runs the collector itself, on the UI thread (screens/memory.py)."""
    import gc

    gc.disable()
    from kiosk.device import KioskDevice
    from screens.app import KioskApp

    device = KioskDevice(open_now=False)  # the store opens just after the first frame
    device.count_use = True  # the visitor app: anonymous use counts (kiosk/usage.py)
    # voice=True: the app builds its SpeechService (screens/speech.py) with the prompt cache
    # under $KIOSK_HOME/speech-cache and shuts it down when it stops.
    return KioskApp(device=device, start=start, background=device.credentials is not None,
                    voice=True, **options)


def app_on_screen(screen: str, lang: str | None = None, theme: str | None = None,
                  text_scale: float | None = None, reach: bool = False,
                  speech: bool | None = None, easy_read: bool = False,
                  **options: Any) -> Any:
    """The app opened straight on one screen (with the screen's sample parameters: a product
    for the product screen) and these visitor settings, as a visitor would find it there:
    for `kiosk screenshot` and walks started elsewhere than the attract screen (`kiosk walk
    --screen`). After configure_kivy."""
    from kiosk.device import KioskDevice
    from kiosk.services import VisitorServices
    from screens import registry
    from screens.app import KioskApp

    device = KioskDevice()
    device.ensure_content()
    # "setup:keypad": a screen with pages (registry.AUDIT_PAGES) opened on one of them.
    screen, _, page = screen.partition(":")
    params = registry.screen_class(screen).sample_params(VisitorServices(device))
    if page:  # the page's own parameters over the screen's sample ones (a product's id)
        params = {**params, **registry.page_params(screen, page)}
    app = KioskApp(device=device, start=screen, start_params=params, **options)
    s = app.session
    if lang:
        s.set_lang(lang)
    if theme:
        s.set_theme(theme)
    if text_scale:
        s.set_text_scale(text_scale)
    s.set_reach(reach)
    s.set_easy_read(easy_read)
    if speech is not None:
        s.set_speech(speech)
    s.started = screen != "attract"
    return app
