"""`kiosk audit [--json]`: the accessibility audit. Opens every registered screen (with its
sample parameters) in every language, theme and text scale 1, 1.5 and 2, plus a reach-mode pass
at scale 1, a speech-on pass at scale 2 and, for the reading screens, Easy Read on in every
theme at scales 1 and 2, all in one app process (the screens are rebuilt,
never the app), and measures what was actually built and drawn (screens/audit_checks.py, one
function per check). docs/ACCESSIBILITY.md says what each check covers. Exit status 1 when
anything fails."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.errors import CommandError

LANGS = ("ar", "en")
THEMES = ("standard", "high_contrast", "inverted")
SCALES = (1.0, 1.5, 2.0)  # ACCESSIBILITY 4: text scale 1, 1.5 and 2
# The product's page, not its full-screen picture (registry.AUDIT_PAGES).
EASY_READ_SCREENS = ("product:page", "news", "faq", "guide", "policies")


def audit_entries(screens: list[str]) -> list[str]:
    """The screens to audit, a screen with pages (registry.AUDIT_PAGES: the setup wizard's
    steps and their states, the PIN pad's, the technician panel's) once per page, as
    "name:page"."""
    from screens import registry

    out: list[str] = []
    for name in screens:
        if ":" in name:  # one page asked for
            out.append(name)
            continue
        pages = registry.AUDIT_PAGES.get(name)
        out += [f"{name}:{page}" for page in pages] if pages else [name]
    return out


def combinations(screens: list[str]) -> list[Any]:
    from screens.audit_checks import Combo

    combos = []
    for name in audit_entries(screens):
        for lang in LANGS:
            for theme in THEMES:
                for scale in SCALES:
                    combos.append(Combo(name, lang, theme, scale))
        for lang in LANGS:
            combos.append(Combo(name, lang, "standard", 1.0, reach=True))
        # Speech on adds the caption strip: the tightest layout is at text scale 2.
        for lang in LANGS:
            combos.append(Combo(name, lang, "standard", 2.0, speech=True))
        # Easy Read on: the screens that show content's Easy Read version, in every theme
        # (the pictograms' contrast) at the smallest and the largest text.
        if name in EASY_READ_SCREENS:
            for lang in LANGS:
                for theme in THEMES:
                    for scale in (1.0, 2.0):
                        combos.append(Combo(name, lang, theme, scale, easy_read=True))
    return combos


class _ErrorsLogged(logging.Handler):
    """Errors the screens log while one combination is open: a screen that catches its own
    failure and shows a fallback sentence still failed to build."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        out = []
        for r in self.records:
            why = r.getMessage()
            if r.exc_info and r.exc_info[1] is not None:
                why += f": {type(r.exc_info[1]).__name__}: {r.exc_info[1]}"
            out.append(why)
        self.records = []
        return out


class AuditRun:
    """Walks the combinations inside the app's event loop: open, wait until the layout has
    settled, measure, next."""

    def __init__(self, app, combos: list[Any], params: dict[str, dict[str, Any]],
                 param_errors: dict[str, str]):
        from screens.audit_checks import Findings

        self.app = app
        self.combos = combos
        self.params = params
        self.param_errors = param_errors
        self.findings = Findings()
        self.index = 0
        self.errors = _ErrorsLogged()
        logging.getLogger("screens").addHandler(self.errors)

    def start(self) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self.open_next(), 0)

    def _fail_build(self, combo, message: str) -> None:
        from screens.audit_checks import Failure

        self.findings.checked("build")
        self.findings.failures.append(Failure(combo.screen, combo.lang, combo.theme,
                                              combo.scale, combo.reach, "", "build", message,
                                              speech=combo.speech,
                                              easy_read=combo.easy_read))

    def open_next(self) -> None:
        from kivy.clock import Clock

        from screens.walk import when_settled

        if self.index >= len(self.combos):
            logging.getLogger("screens").removeHandler(self.errors)
            self.app.stop()
            return
        combo = self.combos[self.index]
        self.index += 1
        screen_name = combo.screen.partition(":")[0]
        if screen_name in self.param_errors:
            self._fail_build(combo, self.param_errors[screen_name])
            Clock.schedule_once(lambda _dt: self.open_next(), 0)
            return
        app = self.app
        s = app.session
        self.errors.take()
        try:
            s.set_lang(combo.lang)
            s.set_theme(combo.theme)
            s.set_text_scale(combo.scale)
            s.set_reach(combo.reach)
            s.set_speech(combo.speech)
            s.set_easy_read(combo.easy_read)
            s.started = combo.screen != "attract"
            app.overlays.close()
            app.nav.history = []
            app.apply_context()
            app.go(screen_name, **self.params.get(combo.screen, {}))
        except Exception as e:  # a screen that does not build is a finding, not the end
            self._fail_build(combo, f"could not open the screen: {type(e).__name__}: {e}")
            Clock.schedule_once(lambda _dt: self.open_next(), 0)
            return
        when_settled(app, lambda: self.measure(combo))

    def measure(self, combo) -> None:
        from kivy.clock import Clock

        from screens.audit_checks import audit_screen
        from screens.base import REACH_TOP_FRACTION

        app = self.app
        try:
            # The whole window: the screen and whatever the app adds around it (captions); an
            # overlay the page opens (the product's full-screen picture) alone, as it covers
            # all that and takes every touch.
            screen = app.overlays.open or getattr(app, "root_layer", None) or app.current
            self.findings.checked("build")
            for why in self.errors.take():
                self._fail_build(combo, f"the screen logged an error while opening: {why}")
            _clear_focus(app)
            audit_screen(screen, combo, app.units.px_per_mm, self.findings,
                         focus_order=app.focus.order(),
                         reach_top=app.window_height() * REACH_TOP_FRACTION,
                         move_focus=app.focus.move,
                         focus_on=lambda b: app.focus.by_id(b.kiosk_id, announce=False))
            _clear_focus(app)
        except Exception as e:
            self._fail_build(combo, f"could not measure the screen: {type(e).__name__}: {e}")
        Clock.schedule_once(lambda _dt: self.open_next(), 0)


def _clear_focus(app) -> None:
    """No keypad focus: the next screen opens as a visitor would find it."""
    app.focus.id = None


def run_audit(screens: list[str], size: tuple[int, int], quiet: bool = True) -> dict[str, Any]:
    """Audit ``screens`` in one app; returns the report as a dict (see ``report_dict``)."""
    from screens.runtime import configure_kivy

    configure_kivy(size, fullscreen=False, quiet=quiet)
    from kivy.config import Config

    Config.set("graphics", "maxfps", "0")  # measuring, not showing: no frame pacing
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.device import KioskDevice
    from kiosk.services import VisitorServices
    from screens import registry
    from screens.app import KioskApp

    started = time.monotonic()
    device = KioskDevice()
    device.ensure_content()
    services = VisitorServices(device)
    params: dict[str, dict[str, Any]] = {}
    param_errors: dict[str, str] = {}
    skipped: list[str] = []
    for entry in screens:
        name, _, one_page = entry.partition(":")
        try:
            params[name] = registry.screen_class(name).sample_params(services) or {}
        except Exception as e:
            param_errors[name] = f"sample_params failed: {type(e).__name__}: {e}"
        for page in [one_page] if one_page else registry.AUDIT_PAGES.get(name, {}):
            # The page's own parameters over the screen's sample ones (the product's id).
            merged = {**params.get(name, {}), **registry.page_params(name, page)}
            if name in param_errors:
                params[f"{name}:{page}"] = merged
                continue
            found = registry.screen_class(name).page_params_for(services, page, merged)
            if found is None:  # nothing in this content for that page (no clip)
                skipped.append(f"{name}:{page}")
            else:
                params[f"{name}:{page}"] = found
    # A frozen visitor clock: the idle warning must not cover a screen mid-audit.
    app = KioskApp(device=device, start="attract", clock=lambda: 0.0)
    # The kiosk as it is set up (the setup wizard's px-per-mm and orientation, central's
    # config): applied before the first screen is built, not after its first frame.
    config = app.fleet.saved()
    if config is not None:
        app.fleet.received = config
        app.configure(config)
    combos = [c for c in combinations(screens) if c.screen not in skipped]
    run = AuditRun(app, combos, params, param_errors)

    def begin(_dt: float) -> None:
        if tuple(Window.system_size) != tuple(size):
            Window.system_size = size
            if config is not None:
                app.orient(config.orientation)
        # Nothing is measured from pixels: skip drawing and swapping frames (a handler that
        # returns True stops the window's own). Glyphs are measured on their own textures.
        Window.bind(on_draw=lambda *_a: True, on_flip=lambda *_a: True)
        run.start()

    Clock.schedule_once(begin, 0)
    app.run()
    # The window as the screens were laid out in: turned a quarter round when the kiosk is
    # mounted the other way than its display output runs.
    window = (round(app.window_width()), round(app.window_height()))
    report = report_dict(run, screens, app.units.px_per_mm, window, time.monotonic() - started)
    report["pages"] = [p for p in report["pages"] if p not in skipped]
    report["skipped_pages"] = skipped
    return report


def report_dict(run: AuditRun, screens: list[str], px_per_mm: float, size: tuple[int, int],
                seconds: float) -> dict[str, Any]:
    from screens.audit_checks import CHECKS

    f = run.findings
    failed: dict[str, int] = {}
    for x in f.failures:
        failed[x.check] = failed.get(x.check, 0) + 1
    checks = {name: {"item": item, "requires": what, "checked": f.counts.get(name, 0),
                     "failed": failed.get(name, 0)} for name, (item, what) in CHECKS.items()}
    return {
        "ok": not f.failures,
        "checks": checks,
        "failures": [x.as_dict() for x in f.failures],
        "counts": {"screens": len(screens), "combinations": len(run.combos),
                   "combinations_done": run.index, "widgets": f.widgets,
                   "checks": sum(f.counts.values()), "failures": len(f.failures)},
        "screens": screens,
        "pages": audit_entries(screens),
        "langs": list(LANGS), "themes": list(THEMES), "text_scales": list(SCALES),
        "px_per_mm": px_per_mm, "window": list(size), "seconds": round(seconds, 1),
    }


def _and(items) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def human_report(report: dict[str, Any]) -> str:
    from screens.audit_checks import Failure

    lines = []
    for d in report["failures"]:
        d = {k: v for k, v in d.items() if k != "item"}
        lines.append(Failure(**d).line())
    c = report["counts"]
    by_check = ", ".join(f"{name} {v['failed']}" for name, v in report["checks"].items()
                         if v["failed"])
    where = (f"{c['screens']} screens x {len(report['langs'])} languages x "
             f"{len(report['themes'])} themes x text scale "
             f"{_and(f'{s:g}' for s in report['text_scales'])}, plus reach mode, "
             f"speech on and Easy Read "
             f"({c['combinations']} combinations, {c['widgets']} widgets) at "
             f"{report['px_per_mm']:g} px/mm, {report['window'][0]}x{report['window'][1]}, "
             f"in {report['seconds']:g} s")
    if report["ok"]:
        lines.append(f"audit passed: {c['checks']} checks on {where}")
    else:
        screens_failing = len({d["screen"] for d in report["failures"]})
        lines.append(f"audit FAILED: {c['failures']} failures on {screens_failing} screen(s) "
                     f"({by_check}); {c['checks']} checks on {where}")
    return "\n".join(lines)


def cmd_audit(args: argparse.Namespace) -> int:
    from screens import registry
    from screens.runtime import DEFAULT_SIZE, size_arg
    from screens.xvfb import XvfbUnavailable, display_for

    screens = list(registry.SCREENS)
    if args.screen:
        # A screen, or one page of a screen with pages ("setup:network-failed").
        for entry in args.screen:
            name, _, page = entry.partition(":")
            if name not in registry.SCREENS:
                raise CommandError(f"unknown screen {entry!r}; choose from "
                                   f"{', '.join(sorted(registry.SCREENS))}")
            if page:
                try:
                    registry.page_params(name, page)
                except KeyError as e:
                    raise CommandError(e.args[0]) from None
        pages = [s for s in args.screen if ":" in s]
        screens = [s for s in screens if s in args.screen] + [
            p for p in dict.fromkeys(pages) if p.partition(":")[0] not in args.screen]
    size = size_arg(args.size) or DEFAULT_SIZE
    try:
        with display_for(size):
            report = run_audit(screens, size, quiet=not args.debug)
    except XvfbUnavailable as e:
        raise CommandError(str(e)) from None
    finally:
        sys.stderr = sys.__stderr__  # Kivy took it over for its log
    if report["counts"]["combinations_done"] < report["counts"]["combinations"]:
        raise CommandError(f"the audit stopped after {report['counts']['combinations_done']} "
                           f"of {report['counts']['combinations']} combinations (the app "
                           "closed); run with --debug")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(human_report(report))
    if args.out:
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    if not report["ok"]:
        print(f"kiosk: the accessibility audit found {report['counts']['failures']} "
              "failure(s); each is listed above", file=sys.stderr)
        return 1
    return 0


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="accessibility audit of every screen x language x theme "
                                     "x text scale (starts Xvfb if there is no display)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    p.add_argument("--screen", action="append",
                   help="only this screen, or this page of one, e.g. setup:network-failed "
                        "(repeatable)")
    p.add_argument("--size", help="window size WxH, default 1080x1920")
    p.add_argument("--out", help="also write the JSON report to this file")
    p.set_defaults(func=cmd_audit)
