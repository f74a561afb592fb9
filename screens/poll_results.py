"""Poll results: a flat bar per option drawn on the canvas, each labelled with the option, its
votes and its percentage as text (colour is never the only cue). The counts come from central's
public results when it answers (the polls service asks in a thread; the answer comes back here
through Clock) and otherwise from this kiosk's own votes not delivered yet, and the screen says
which."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.poll import VOTED
from screens.themes import rgba
from screens.widgets.layout import column
from screens.widgets.text import KText

if TYPE_CHECKING:
    from kiosk.services.polls import PollResults

SOURCE_CENTRAL = "Results from every kiosk and the portal."
SOURCE_LOCAL = "Results from this kiosk only; the portal's totals were not reachable."
SOURCE_LOADING = "Asking the portal for the latest totals. Meanwhile: this kiosk's votes."
SOURCES = {"central": SOURCE_CENTRAL, "local": SOURCE_LOCAL, "asking": SOURCE_LOADING}


class Bar(Widget):
    """One flat bar: an outlined track the full width, filled to ``fraction``."""

    def __init__(self, fraction: float, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", ui().units.mm(7))
        super().__init__(**kwargs)
        self.fraction = max(0.0, min(1.0, fraction))
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    def _draw(self, *_a) -> None:
        t = ui().theme
        edge = ui().units.mm(0.5)
        w = self.width * self.fraction
        # Bars grow from the reading start: the right edge in Arabic.
        x = self.right - w if ui().rtl else self.x
        self.canvas.clear()
        with self.canvas:
            Color(*rgba(t.text))
            Rectangle(pos=(x, self.y), size=(w, self.height))
            Color(*rgba(t.button_border))
            Line(rectangle=(self.x + edge / 2, self.y + edge / 2, self.width - edge,
                            self.height - edge), width=edge / 2)


def votes_text(votes: int, percent: int, lang: str) -> str:
    if votes == 1:
        return _("1 vote ({percent}%)", lang).format(percent=percent)
    return _("{votes} votes ({percent}%)", lang).format(votes=votes, percent=percent)


class PollResultsScreen(KioskScreen):
    screen_name = "poll_results"
    title = registry.TITLES["poll_results"]
    summary = "How visitors have voted so far."

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.results: PollResults | None = None
        self._asked = 0
        self._say = None

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        poll = services.polls.open_poll()
        return {"id": poll.id} if poll else {}

    @property
    def source(self) -> str:
        """Where the counts shown come from, as the sentence the screen shows."""
        return SOURCES[self.results.source] if self.results is not None else SOURCE_LOCAL

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        self._asked += 1
        asked = self._asked
        # Say the results once the screen is up (after its title), as they are shown.
        self._say = Clock.schedule_once(lambda _dt: self._speak_all(), 0)
        self.results = self.services.polls.results(
            self.params.get("id"),
            answer=lambda results: Clock.schedule_once(
                lambda _dt: self._answered(asked, results)))

    def on_deactivate(self) -> None:
        self._asked += 1  # an answer arriving after the visitor left is ignored
        if self._say is not None:
            self._say.cancel()

    def _speak_all(self) -> None:
        lang = self.app.session.lang
        self.app.speak(f"{self.title_text(lang)}. {self.spoken_results()}")

    def _answered(self, asked: int, results: PollResults) -> None:
        if asked != self._asked or self.app.sm.current != self.screen_name:
            return
        self.results = results
        self.refresh()
        self.app.speak(self.spoken_results())

    def spoken_results(self) -> str:
        results = self.results
        lang = self.app.session.lang
        if results is None:
            return ""
        parts = [_(self.source, lang)]
        for o in results.poll.options:
            parts.append(f"{o.label.ar if lang == 'ar' else o.label.en}: "
                         f"{votes_text(results.votes(o.id), results.percent(o.id), lang)}")
        return " ".join(parts)

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        u = ui().units
        results = self.results
        if results is None:
            return KText(logical=t("There is no poll open at the moment. Please come back "
                                   "another time."))
        poll = results.poll
        mine = self.app.session.entered.get(VOTED, {}).get(poll.id)
        parts: list[Widget] = [
            KText(logical=poll.question.ar if lang == "ar" else poll.question.en,
                  role="title", bold=True),
            KText(logical=t(self.source)),
        ]
        for o in poll.options:
            label = o.label.ar if lang == "ar" else o.label.en
            if o.id == mine:
                label = f"{label} ({t('your vote')})"
            parts.append(column(KText(logical=label, bold=True),
                                Bar(results.share(o.id)),
                                KText(logical=votes_text(results.votes(o.id),
                                                         results.percent(o.id), lang)),
                                spacing=u.mm(1.5)))
        total = results.total
        parts.append(KText(logical=(t("1 vote in total.") if total == 1 else
                                    t("{total} votes in total.").format(total=total)),
                           bold=True))
        return column(*parts, spacing=u.mm(5))
