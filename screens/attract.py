"""The attract screen: a calm loop of featured products and news, one at a time with its
picture, name and maker, a large "Touch to start" in both languages, the language choice that
also starts the session, and a visible hint for visitors who can not see the screen.

The loop changes item every ``LOOP_EVERY_S`` seconds with one gentle fade (out, then in) and
nothing else moving: one change in several seconds, far below three a second (WCAG 2.3.1), and
it stops as soon as the screen is touched or a key pressed (WCAG 2.2.2), resuming only after
``RESUME_AFTER_S`` seconds with nobody there. ``loop_opacity`` is the whole timeline; the
audit samples it (screens/audit_checks.py, ``check_motion``)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column, row
from screens.widgets.text import KText

LOOP_EVERY_S = 8.0  # each item stays this long, its fades included
FADE_S = 0.6  # the fade out at the end of an item's time, and the fade in of the next
RESUME_AFTER_S = 60.0  # stopped by a touch or a key, the loop waits this long to go on
FADE_STEP_S = 1 / 30  # how often the opacity is set while a fade runs


def loop_opacity(t: float) -> float:
    """The loop item's opacity ``t`` seconds after it appeared: fading in over FADE_S, full,
    then fading out over the last FADE_S of its LOOP_EVERY_S. Monotone within each fade, so a
    whole cycle has one change of direction each way."""
    t = t % LOOP_EVERY_S
    if t < FADE_S:
        return t / FADE_S
    if t > LOOP_EVERY_S - FADE_S:
        return max(0.0, (LOOP_EVERY_S - t) / FADE_S)
    return 1.0


def loop_changes_per_second(duration_s: float = 3 * LOOP_EVERY_S,
                            frame_s: float = 1 / 60) -> float:
    """The most changes of direction of the loop's brightness in any one second, sampled
    frame by frame over ``duration_s`` (a flash is a change and its return: WCAG 2.3.1 allows
    at most three a second)."""
    frames = int(duration_s / frame_s)
    values = [loop_opacity(i * frame_s) for i in range(frames + 1)]
    turns: list[float] = []
    direction = 0
    for i in range(1, len(values)):
        d = values[i] - values[i - 1]
        step = (d > 1e-9) - (d < -1e-9)
        if step and step != direction:
            if direction:
                turns.append(i * frame_s)
            direction = step
    most = 0
    for n, start in enumerate(turns):
        most = max(most, sum(1 for t in turns[n:] if t - start < 1.0))
    return float(most)


class AttractScreen(KioskScreen):
    screen_name = "attract"
    reads_content = False
    title = registry.TITLES["attract"]
    summary = "Discover products made in Oman, in Arabic or English."

    def __init__(self, app: Any, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.items: list[Any] = []  # kiosk.services.catalogue.LoopItem
        self.index = 0
        self.shown_at = 0.0
        self.paused_at: float | None = None  # when a touch or key stopped the loop
        self._generation = -1  # the content generation the items came from
        self._panel: BoxLayout | None = None
        self._buttons: list[KButton] = []
        self._cards: list[BoxLayout] = []
        self._event: Any = None
        self._waiting_for_content: Any = None

    # -- the loop --------------------------------------------------------------------------

    @property
    def item_button(self) -> KButton | None:
        """The loop item on screen now (``attract.item``), or None."""
        if self._panel is None or not self._panel.children:
            return None
        return self._buttons[self._cards.index(self._panel.children[0])]

    def changes_per_second(self) -> float:
        """The most changes of direction of brightness the screen makes by itself in one
        second (the audit's motion check): the loop's, when it has items to show."""
        return loop_changes_per_second() if len(self.items) > 1 else 0.0

    @property
    def settling(self) -> bool:
        """Still to change by itself before it is what a visitor sees (walks and screenshots
        wait): the store is opening, so the loop has yet to join."""
        return self._waiting_for_content is not None

    @property
    def running(self) -> bool:
        return bool(self.items) and self.paused_at is None

    def _now(self) -> float:
        return self.app.session.clock()

    def _load_items(self) -> None:
        generation = self.app.nav.content_generation
        if generation == self._generation:
            return
        try:
            self.items = self.services.browse.loop_items()
        except Exception:  # noqa: BLE001 - a damaged store leaves the invitation, no loop
            self.items = []
        self._generation = generation
        self.index = self.index % len(self.items) if self.items else 0

    def on_activate(self, **params: Any) -> None:
        super().on_activate(**params)
        self.paused_at = None
        self.shown_at = self._now() - FADE_S  # the first item is there at once, at full

    def on_deactivate(self) -> None:
        self._cancel()
        if self._waiting_for_content is not None:
            self._waiting_for_content.cancel()
            self._waiting_for_content = None

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _schedule(self) -> None:
        """Wake at the next moment anything moves: the next fade step while fading, else the
        start of the fade out (or the end of a pause)."""
        self._cancel()
        if not self.items or self.app.sm.current != "attract":
            return
        now = self._now()
        if self.paused_at is not None:
            wait = self.paused_at + RESUME_AFTER_S - now
        else:
            t = now - self.shown_at
            fading = t < FADE_S or t > LOOP_EVERY_S - FADE_S
            wait = FADE_STEP_S if fading else LOOP_EVERY_S - FADE_S - t
        self._event = Clock.schedule_once(self._step, max(FADE_STEP_S, wait))

    def _step(self, _dt: float) -> None:
        self._event = None
        if self.app.nav.active is not self:
            return
        now = self._now()
        if self.paused_at is not None:
            if now - self.paused_at < RESUME_AFTER_S:
                self._schedule()
                return
            self.paused_at = None
            self.shown_at = now - FADE_S  # goes on at full opacity where it stopped
        if now - self.shown_at >= LOOP_EVERY_S:
            self.advance(now)
        self._set_opacity(loop_opacity(now - self.shown_at) if self.paused_at is None else 1)
        self._schedule()

    def advance(self, now: float | None = None) -> None:
        """The next item (new content is picked up here, never in the middle of one)."""
        now = self._now() if now is None else now
        before = self.items[self.index] if self.items else None
        self._load_items()
        if not self.items:
            return
        if before is not None and before in self.items:
            self.index = (self.items.index(before) + 1) % len(self.items)
        else:
            self.index = 0
        self.shown_at = now
        if len(self._buttons) != len(self.items):
            self.refresh()
            return
        self._show(self.index)

    def _show(self, index: int) -> None:
        if self._panel is None or not self._cards:
            return
        self._panel.clear_widgets()
        self._panel.add_widget(self._cards[index])

    def _set_opacity(self, value: float) -> None:
        if self._panel is not None:
            self._panel.opacity = value

    def stop_loop(self) -> None:
        """A touch or a key on this screen: the item stays, at full strength, until nobody has
        been here for RESUME_AFTER_S."""
        self.paused_at = self._now()
        self._set_opacity(1.0)
        self._schedule()

    # -- building ----------------------------------------------------------------------------

    def build_content(self) -> Widget:
        u = ui().units
        other = "en" if ui().lang == "ar" else "ar"
        # The invitation is written in both languages: the visitor has not chosen yet.
        invite = KText(logical=ui().t("Touch to start."), role="title", bold=True,
                       align="center")
        invite_other = KText(logical=_("Touch to start.", other), lang=other, role="title",
                             bold=True, align="center")
        ar = KButton(kiosk_id="lang.ar", label={"ar": "العربية", "en": "العربية"}, lang="ar",
                     role="title", action=lambda: self.app.start_session("ar"))
        en = KButton(kiosk_id="lang.en", label={"ar": "English", "en": "English"}, lang="en",
                     role="title", action=lambda: self.app.start_session("en"))
        start = KButton(kiosk_id="attract.start", label=both("Start"), role="title",
                        action=lambda: self.app.start_session())
        # For visitors who can not see the screen: said by the spoken invitation too.
        hint = KText(logical=ui().t("To hear this kiosk, press any key on the keypad."),
                     role="small", align="center")
        hint_other = KText(logical=_("To hear this kiosk, press any key on the keypad.",
                                     other), lang=other, role="small", align="center")
        # The loop comes after the controls: on a first boot it joins once the store has
        # opened, and nothing a visitor may be reaching for moves when it does.
        parts: list[Widget] = [invite, invite_other, row(ar, en), start, hint, hint_other]
        loop = self._build_loop()
        if loop is not None:
            parts.append(loop)
        parts += [Widget(size_hint_y=None, height=u.mm(4)), self.technician_spot()]
        self._schedule()
        return column(*parts, spacing=u.mm(4))

    def _build_loop(self) -> Widget | None:
        """The loop's place: every item's card made at once (a large picture above the item's
        control, its name and maker), all as tall as the tallest, so the screen never moves
        when the item changes."""
        self._panel = None
        self._buttons = []
        self._cards: list[BoxLayout] = []
        if not self.app.content_ready:
            self._wait_for_content()
            return None
        self._load_items()
        if not self.items:
            return None
        from kivy.uix.anchorlayout import AnchorLayout

        from screens.widgets.lists import bilingual, loop_picture

        u = ui().units
        for item in self.items:
            button = KButton(
                kiosk_id="attract.item", label={"ar": item.name.ar, "en": item.name.en},
                state_text=self._detail(item), role="title",
                action=lambda item=item: self.open(item))
            picture = loop_picture(self.services.browse, item.image_blob)
            holder = AnchorLayout(anchor_x="center", anchor_y="center", size_hint_y=None,
                                  height=picture.height)
            holder.add_widget(picture)
            # The picture's text alternative, always shown (ACCESSIBILITY 6).
            alt = KText(logical=bilingual(item.image_alt)[ui().lang], role="small",
                        align="center")
            card = BoxLayout(orientation="vertical", size_hint_y=None, spacing=u.mm(2))
            card.add_widget(holder)
            card.add_widget(alt)
            card.add_widget(button)
            card.picture = picture
            card.alt = alt
            self._buttons.append(button)
            self._cards.append(card)
        self._panel = BoxLayout(orientation="vertical", size_hint_y=None)
        self.index = min(self.index, len(self.items) - 1)
        self._show(self.index)
        panel = self._panel

        def fit(*_a: Any) -> None:
            for b in self._buttons:
                b.min_height = 0
                b.width = panel.width
            tallest = max(b.natural_height for b in self._buttons)
            for b in self._buttons:
                b.min_height = tallest
            for card in self._cards:
                card.alt.width = panel.width
                card.height = card.picture.height + card.alt.height + u.mm(4) + tallest
            # Each card at the top of the tallest card's place: the screen never moves.
            panel.height = max(card.height for card in self._cards)

        panel.bind(width=fit)
        fit()
        if self.paused_at is None:
            self._set_opacity(loop_opacity(self._now() - self.shown_at))
        return panel

    def _detail(self, item: Any) -> dict[str, str]:
        from screens.reading import date_text

        if item.kind == "news":
            return {lang: _("News, {date}", lang).format(date=date_text(item.detail, lang))
                    for lang in ("ar", "en")}
        if item.detail is None:
            return {}
        return {lang: _("Made by {maker}", lang).format(maker=getattr(item.detail, lang))
                for lang in ("ar", "en")}

    def _wait_for_content(self) -> None:
        """The first frame comes before the store opens: the loop joins once it has."""
        if self._waiting_for_content is not None:
            return

        def check(_dt: float) -> bool:
            if not self.app.content_ready:
                return True
            self._waiting_for_content = None
            if self.app.nav.active is self:
                self.refresh()
            return False
        self._waiting_for_content = Clock.schedule_interval(check, 0.25)

    def open(self, item: Any) -> None:
        """The visitor chose the item on show: the session starts there."""
        self.app.start_session()
        self.app.go("product" if item.kind == "product" else "news",
                    **({"id": item.id} if item.kind == "product" else {"open": item.id}))

    def technician_spot(self) -> KButton:
        """The kiosk's version, discreet at the bottom: a tap says it; held for 5 seconds it
        opens the technician mode's PIN pad (screens/technician.py)."""
        from kiosk import __version__

        label = {lang: _("Kiosk version {version}", lang).format(version=__version__)
                 for lang in ("ar", "en")}
        spot = KButton(kiosk_id="attract.technician", label=label, role="small",
                       size_hint_x=None, width=ui().units.mm(40))

        def touched() -> None:
            if not self.app.technician.held(spot.held_s):
                self.app.speak(label[ui().lang])
        spot.action = touched
        return spot
