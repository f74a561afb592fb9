"""`kiosk run` and `kiosk screenshot`: the visitor UI from the command line. Kivy is imported
only inside the commands, after its settings are applied (screens/runtime.py)."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from kiosk.errors import CommandError
from screens.runtime import DEFAULT_SIZE, size_arg
from screens.xvfb import XvfbUnavailable, display_for

THEMES = ("standard", "high_contrast", "inverted")


def cmd_run(args: argparse.Namespace) -> int:
    size = size_arg(args.size)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise CommandError("no display: run the kiosk on its screen (DISPLAY is not set), or "
                           "use 'kiosk screenshot SCREEN --out FILE.png' to render a screen "
                           "without one")
    from screens.runtime import configure_kivy, make_kiosk_app

    configure_kivy(size or (None if not args.windowed else DEFAULT_SIZE),
                   fullscreen=not args.windowed)
    app = make_kiosk_app()
    stop_on_terminate(app)
    app.run()
    return 0


def stop_on_terminate(app) -> None:
    """SIGTERM (a service manager stopping the kiosk) stops the app as closing it does: speech
    and the background loops stop, and the next start does not take it for a crash."""
    import signal

    from kivy.clock import Clock

    def terminate(_signum, _frame) -> None:
        Clock.schedule_once(lambda _dt: app.stop())
    signal.signal(signal.SIGTERM, terminate)


def cmd_screenshot(args: argparse.Namespace) -> int:
    from screens import registry

    name, _, page = args.screen.partition(":")
    pages = list(registry.AUDIT_PAGES.get(name, {}))
    if page and page not in pages:
        raise CommandError(f"the {name} screen has no page {page!r}; its pages are "
                           f"{', '.join(pages) or 'none'}")
    if name not in registry.SCREENS:
        raise CommandError(f"unknown screen {args.screen!r}; choose one of "
                           f"{', '.join(sorted(registry.SCREENS))}")
    if args.text_scale not in (1.0, 1.5, 2.0):
        raise CommandError("--text-scale must be 1, 1.5 or 2")
    size = size_arg(args.size) or DEFAULT_SIZE
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise CommandError(f"{out} should end in .png")
    if not out.parent.exists():
        raise CommandError(f"folder {out.parent} does not exist; create it first")
    try:
        with display_for(size):
            return _render(args, size, out)
    except XvfbUnavailable as e:
        raise CommandError(str(e)) from None


def _render(args: argparse.Namespace, size: tuple[int, int], out: Path) -> int:
    from screens.runtime import app_on_screen, configure_kivy
    from screens.walk import when_settled

    configure_kivy(size, fullscreen=False, quiet=not args.debug)
    from kivy.clock import Clock
    from kivy.core.window import Window

    app = app_on_screen(args.screen, lang=args.lang, theme=args.theme,
                        text_scale=args.text_scale, reach=args.reach,
                        easy_read=args.easy_read)
    result: dict[str, str] = {}

    def shoot() -> None:
        try:
            tmp = Path(tempfile.mkdtemp(prefix="kiosk-shot-"))
            # Window.screenshot numbers its files (x0001.png): write to a private folder and
            # move the one file it made to exactly the requested name.
            # glReadPixels reads the back buffer, which after a swap may hold an older frame:
            # draw the scene into it now, then read it.
            Window.dispatch("on_draw")
            made = Window.screenshot(name=str(tmp / "shot.png"))
            shutil.move(made, out)
            shutil.rmtree(tmp, ignore_errors=True)
        except Exception as e:
            result["error"] = f"could not write {out}: {e}"
        app.stop()

    def settle(_dt: float) -> None:
        if Window.size != size:
            Window.size = size
        app.nav.refresh()
        when_settled(app, shoot)

    Clock.schedule_once(settle, 0)
    app.run()
    if "error" in result:
        raise CommandError(result["error"])
    print(out)
    return 0


def add_ui_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="start the visitor UI (full screen)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", help="window size WxH, e.g. 1080x1920 or 1920x1080")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("screenshot", help="render one screen into a PNG (starts Xvfb if "
                                          "there is no display)")
    p.add_argument("screen", help="screen name, e.g. home; setup:keypad for one page of a "
                                  "screen with pages (the setup wizard's steps)")
    p.add_argument("--out", required=True, help="the PNG file to write")
    p.add_argument("--lang", choices=("ar", "en"), default="ar")
    p.add_argument("--theme", choices=THEMES, default="standard")
    p.add_argument("--text-scale", type=float, default=1.0, help="1, 1.5 or 2")
    p.add_argument("--size", help="WxH, default 1080x1920")
    p.add_argument("--reach", action="store_true", help="controls within reach (reach mode)")
    p.add_argument("--easy-read", action="store_true",
                   help="Easy Read on (content's short sentences with pictograms)")
    p.set_defaults(func=cmd_screenshot)

    # Technicians' and QA's commands; their modules import Kivy only when they run.
    from screens.audit import add_audit_parser
    from screens.walk import add_walk_parser

    add_walk_parser(sub)
    add_audit_parser(sub)
