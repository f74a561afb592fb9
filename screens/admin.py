"""The technician panel (screen ``admin``), behind the PIN (screens/technician.py): the kiosk's
state (identity, location, versions, sync, online or offline, outbox, problems, disk, uptime,
config) and its actions (sync now, flush the outbox, roll back, a test submission, a speech
test, restart the app, the setup wizard's steps when it is there, the last 200 log lines, a
diagnostics bundle). Every action answers in words, shown and spoken. It asks only
``app.services.technician`` (kiosk/services/technician.py) and the app's own parts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from kiosk.services.technician import Answer, in_thread
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column, grid
from screens.widgets.text import KText

log = logging.getLogger("screens.admin")

LOG_CHUNK = 10  # log lines per text block
# The setup wizard's steps the panel opens (screens/technician.py: open_setup).
SETUP_STEPS = (("admin.setup", "Set up again", "start"),
               ("admin.recalibrate", "Recalibrate the screen", "screen"),
               ("admin.keypad_test", "Keypad test", "keypad"),
               ("admin.touch_test", "Touch test", "touch"))
LINKS = {"online": "Online", "offline": "Offline: central can not be reached",
         "not_provisioned": "Not connected: this kiosk is not provisioned",
         "not_known": "Not known yet: no heartbeat has reached central"}


class AdminScreen(KioskScreen):
    screen_name = "admin"
    title = "Technician panel"
    summary = ("The kiosk's state and the technician's tools. It closes after 2 minutes "
               "without input.")

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self._answer: Answer | None = None
        self._busy = False

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        # `kiosk screenshot admin` and the audit, from the technician's shell.
        return {"shell": True}

    def help_text(self, lang: str) -> str:
        return _("The technician panel: the kiosk's state, then its tools. Each tool says "
                 "what came of it at the top of the panel. Leave closes the panel.", lang)

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        if params.get("view") != "logs":
            self._answer = None

    def on_session_end(self) -> None:
        super().on_session_end()
        self._answer = None

    def _allowed(self) -> bool:
        return self.app.technician.active or bool(self.params.get("shell"))

    def _svc(self) -> Any:
        return self.app.technician.services

    # -- building ----------------------------------------------------------------------------

    def build_content(self) -> Widget:
        t = ui().t
        u = ui().units
        if not self._allowed():
            return column(KText(logical=t("The technician mode is closed. Open it with the "
                                          "technician PIN.")))
        if self.params.get("view") == "logs":
            return self._logs()
        parts: list[Widget] = []
        if self._answer is not None:
            parts.append(column(KText(logical=self._answer.text(ui().lang), bold=True,
                                      fg="banner_text"), fill="banner_bg", padding=u.mm(2)))
        parts.append(self._state())
        parts.append(KText(logical=t("Tools"), role="title", bold=True))
        tools = grid(2, spacing=u.gap)
        for button in self._tools():
            tools.add_widget(button)
        parts.append(tools)
        parts.append(KButton(kiosk_id="admin.leave", label=both("Leave technician mode"),
                             action=lambda: self.app.technician.leave("left by the technician")))
        return column(*parts, spacing=u.mm(4))

    def _state(self) -> Widget:
        lang = ui().lang
        t = ui().t
        try:
            st = self._svc().overview()
        except Exception:  # noqa: BLE001 - a broken store: the panel still opens
            log.exception("reading the kiosk's state failed")
            return KText(logical=t("The kiosk's state can not be read; see the log."))
        never = t("never")
        ob = st["outbox"]
        rows = [
            (t("Kiosk"), st["device_id"] or t("not provisioned")),
            (t("Name"), st["name"] or "-"),
            (t("Location"), st["location"] or "-"),
            (t("App version"), st["app_version"]),
            (t("Content version"), _("{version} from {source}", lang).format(
                version=st["content_version"], source=st["content_source"])),
            (t("Content out of date"), t("Yes") if st["stale"] else t("No")),
            (t("Connection"), t(LINKS[st["link"]])),
            (t("Last sync"), st["last_sync_at"] or never),
            (t("Next sync"), self._next_sync(st)),
            (t("Outbox"), _("{pending} waiting, {dead} refused", lang).format(
                pending=ob["pending"], dead=ob["dead"])
             + ("" if ob["oldest_age_s"] is None else ", " + _(
                 "oldest {seconds} s", lang).format(seconds=ob["oldest_age_s"]))),
            (t("Disk"), self._disk(st)),
            (t("Running for"), _("{hours} h {minutes} min", lang).format(
                hours=st["uptime_s"] // 3600, minutes=st["uptime_s"] % 3600 // 60)),
            (t("Config version"), _("{version} from {source}", lang).format(
                version=st["config"]["version"], source=st["config"]["source"])),
        ]
        problems = st["problems"]
        rows.append((t("Problems"), "; ".join(p["message"] for p in problems)
                     if problems else t("None")))
        return column(*[KText(logical=f"{label}: {value}") for label, value in rows],
                      spacing=ui().units.mm(1.5))

    @staticmethod
    def _next_sync(st: dict[str, Any]) -> str:
        lang = ui().lang
        if st["device_id"] is None:
            return ui().t("never")
        left = st["next_sync_in_s"]
        if left is None:
            return _("every {seconds} s while the kiosk runs", lang).format(
                seconds=st["sync_interval_s"])
        if left < 1:
            return ui().t("now")
        return _("in {seconds} s", lang).format(seconds=int(left))

    @staticmethod
    def _disk(st: dict[str, Any]) -> str:
        if st["disk_free"] is None:
            return ui().t("unknown")
        gb = 1024 ** 3
        return _("{free} GB free of {total} GB", ui().lang).format(
            free=f"{st['disk_free'] / gb:.1f}", total=f"{st['disk_total'] / gb:.1f}")

    def _tools(self) -> list[KButton]:
        tech = self.app.technician
        buttons = [
            self._tool("admin.sync", both("Sync now"), lambda answer: self._svc().sync_now(answer)),
            self._tool("admin.flush", both("Send the outbox now"),
                       lambda answer: self._svc().flush_outbox(answer)),
            self._tool("admin.rollback", both("Roll back one content version"),
                       lambda answer: in_thread(self._svc().rollback, answer)),
            self._tool("admin.test_submission", both("Send a test submission"),
                       lambda answer: in_thread(self._svc().test_submission, answer)),
            self._tool("admin.speech_test", both("Speech test"), self._speech_test),
            self._tool("admin.restart", both("Restart the app"), self._restart),
            KButton(kiosk_id="admin.logs", label=both("Log"),
                    action=lambda: self.update_params(view="logs")),
            self._tool("admin.diagnostics", both("Write a diagnostics bundle"),
                       lambda answer: in_thread(self._svc().diagnostics, answer)),
        ]
        if tech.setup_available():
            # The setup wizard's steps; without the wizard there is no button at all.
            for kiosk_id, label, step in SETUP_STEPS:
                buttons.append(KButton(kiosk_id=kiosk_id, label=both(label),
                                       action=lambda step=step: tech.open_setup(step)))
        return buttons

    def _tool(self, kiosk_id: str, label: dict[str, str],
              work: Callable[[Callable[[Answer], None]], None]) -> KButton:
        def start() -> None:
            if self._busy:
                self.app.speak(ui().t("Still working on the last tool. Please wait."))
                return
            self._busy = True
            self._answer = Answer("Working...")
            self.refresh()
            self.app.speak(self._answer.text(ui().lang))
            work(lambda answer: Clock.schedule_once(lambda _dt: self._show(answer)))
        return KButton(kiosk_id=kiosk_id, label=label, action=start)

    def _show(self, answer: Answer) -> None:
        self._busy = False
        self._answer = answer
        log.info("technician panel: %s", answer.text("en"))
        if self.app.sm.current == self.screen_name and self.params.get("view") != "logs":
            self.refresh()
            if self.scroll is not None:
                self.scroll.view.scroll_y = 1.0
        self.app.speak(answer.text(ui().lang))

    def _speech_test(self, answer: Callable[[Answer], None]) -> None:
        # The same test central's speech_test command runs (screens/fleet.py).
        self.app.fleet.speech_test(lambda ok, result: answer(
            Answer("Speech test: {detail}", ok=ok, detail=result)))

    def _restart(self, answer: Callable[[Answer], None]) -> None:
        def done(ok: bool, result: str) -> None:
            if not ok:
                answer(Answer("The app could not restart: {detail}", ok=False, detail=result))
        self.app.technician.closed("restart of the app", end_session=False)
        self.app.restart(done)

    def _logs(self) -> Widget:
        t = ui().t
        u = ui().units
        lines = self._svc().log_lines()[::-1]  # what just happened at the top
        back = KButton(kiosk_id="admin.panel", label=both("Back to the panel"),
                       action=lambda: self.update_params(view=None))
        parts: list[Widget] = [back, KText(logical=_(
            "The last {count} lines of the kiosk's log, newest first.", ui().lang).format(
                count=len(lines)), bold=True)]
        if not lines:
            parts.append(KText(logical=t("The log is empty.")))
        for i in range(0, len(lines), LOG_CHUNK):
            parts.append(KText(logical="\n".join(lines[i:i + LOG_CHUNK]), lang="en",
                               align="start"))
        return column(*parts, spacing=u.mm(2))
