"""KioskScreen, the base of every screen: title and one-line summary in both languages, the
stale-content banner, the content area (scrolling, with page buttons), the navigation bar,
reach mode, and focus order in reading order (mirrored for Arabic). A screen only says what its
content is; see screens/README.md."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.vocabulary import SIGN_VIDEO_SCREENS
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import SCROLL_BAR_MM, KScroll, column, settle_widths
from screens.widgets.navbar import NavBar
from screens.widgets.text import KText

if TYPE_CHECKING:
    from kiosk.services import VisitorServices

log = logging.getLogger("screens")

# Reach mode keeps every control below this fraction of the screen's height, measured from the
# bottom: on a 1080x1920 screen mounted with its lower edge about 700 mm above the floor, the
# lower half ends near 940 mm, well inside ADA 308's 380-1220 mm.
REACH_TOP_FRACTION = 0.5

class ScreenHost(FloatLayout):
    """Shows one screen at a time, by name (``current``). Kivy's ScreenManager, even with
    NoTransition, keeps the screen left behind in the tree until the next frame: every change
    of screen drew both screens and then one more frame, which under a software renderer is
    most of a tap's wait. Here the old screen leaves in the same step the new one arrives."""

    current = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._screens: dict[str, Screen] = {}

    def register(self, screen: Screen) -> None:
        screen.pos_hint = {"x": 0, "y": 0}  # the host's own place (a caption strip moves it)
        self._screens[screen.name] = screen
        if not self.current:
            self.current = screen.name

    def on_current(self, _host, name: str) -> None:
        screen = self._screens[name]
        if screen.parent is self:
            return
        self.clear_widgets()
        self.add_widget(screen)


class KioskScreen(Screen):
    """Subclasses set ``screen_name``, ``title`` and ``summary`` (English msgids in
    assets/locale), and implement ``build_content``."""

    screen_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    # Content taller than its space scrolls; a screen that lays itself out to fit (attract)
    # sets this False.
    scrolls: ClassVar[bool] = True
    show_bar: ClassVar[bool] = True
    # The attract and home screens show no content from the store: the app starts on them
    # before the store is open.
    reads_content: ClassVar[bool] = True

    def __init__(self, app: Any, **kwargs):
        super().__init__(name=self.screen_name, **kwargs)
        self.app = app
        self.params: dict[str, Any] = {}
        self.scroll: KScroll | None = None
        self.content: Widget | None = None
        self.bar: NavBar | None = None
        self.header: BoxLayout | None = None
        self._site_wait: Any = None  # waiting for the store to open (see sign_video)

    @property
    def settling(self) -> bool:
        """Still to change by itself before it is what a visitor sees (walks and screenshots
        wait): shown before the store opened, it has yet to learn whether the site gives it
        a sign-language clip."""
        return self._site_wait is not None

    @property
    def services(self) -> VisitorServices:
        """What this screen asks for content and where it sends what the visitor said."""
        return self.app.services

    # -- what subclasses provide -----------------------------------------------------------

    def build_content(self) -> Widget:
        raise NotImplementedError(f"{type(self).__name__} must build its content")

    def title_text(self, lang: str) -> str:
        """The screen's title; screens showing a record override this with the record's name."""
        return _(self.title, lang)

    def summary_text(self, lang: str) -> str:
        return _(self.summary, lang)

    def help_text(self, lang: str) -> str:
        """Layered help, first layer: what this screen is for, then how to use any screen."""
        return (f"{self.summary_text(lang)}\n\n"
                + _("Tap a button to choose it. Use Scroll up and Scroll down to see more. "
                    "Back returns to the previous screen and Home to the start.", lang))

    def sign_video(self) -> Any:
        """The sign-language clip (kiosk.protocol SignVideo) of what the screen shows now, or
        None. For the screens in SIGN_VIDEO_SCREENS, the clip the site gives the screen
        (its control is placed first in the content by ``refresh``); a screen whose records
        may have one overrides this and places ``sign_control()`` in its content."""
        if self.screen_name not in SIGN_VIDEO_SCREENS:
            return None
        if not self.reads_content and not self.app.content_ready:
            self._wait_for_site()
            return None
        try:
            return self.services.browse.screen_sign_video(self.screen_name)
        except Exception:  # noqa: BLE001 - a damaged store: the screen without its clip
            log.exception("reading the %s screen's sign-language clip failed",
                          self.screen_name)
            return None

    def _wait_for_site(self) -> None:
        """Home is shown before the store opens: its clip, if the site gives it one, joins
        once the store has opened."""
        if self._site_wait is not None:
            return

        def check(_dt: float) -> bool:
            if not self.app.content_ready:
                return True
            self._site_wait = None
            if self.app.nav.active is self and self.sign_video() is not None:
                self.refresh()
            return False
        self._site_wait = Clock.schedule_interval(check, 0.25)

    @classmethod
    def sample_params(cls, services: VisitorServices) -> dict[str, Any]:
        """Parameters for opening this screen without a visitor's path to it (screenshots,
        audits): the product screen picks a product, for example."""
        return {}

    @classmethod
    def page_params_for(cls, services: VisitorServices, page: str,
                        params: dict[str, Any]) -> dict[str, Any] | None:
        """An audit page's parameters (registry.AUDIT_PAGES over ``sample_params``) on this
        kiosk's content, or None where the content has nothing that page shows (the audit
        then lists it as skipped)."""
        return params

    def on_activate(self, **params: Any) -> None:
        """Called before the screen is shown, with the parameters it was opened with."""
        self.params = dict(params)

    def on_deactivate(self) -> None:
        """Called when the visitor leaves the screen (home stops waiting for the store)."""
        if self._site_wait is not None:
            self._site_wait.cancel()
            self._site_wait = None

    def on_session_end(self) -> None:
        """The visitor left: forget everything this screen kept about them. Screens that keep
        more than ``params`` (a typed text, a half-filled form) override this and call
        ``super()``."""
        self.params = {}

    def update_params(self, **changes: Any) -> None:
        """Change this screen's state (the page, an open item) and redraw. The history entry
        changes too, so Back from a screen opened from here returns to the same state."""
        self.params.update(changes)
        if self.app.history and self.app.history[-1][0] == self.screen_name:
            self.app.history[-1] = (self.screen_name, dict(self.params))
        self.refresh()
        if self.scroll is not None:
            self.scroll.view.scroll_y = 1.0

    # -- building ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild everything for the current language, theme, text scale and reach mode."""
        ctx = ui()
        u = ctx.units
        was_signing = self._sign_state()
        self.clear_widgets()
        # No fill of its own: the window is cleared to the theme's background every frame,
        # and one more full-screen fill would cost a software renderer a whole pass.
        root = BoxLayout(orientation="vertical", spacing=0)
        if self.app.stale:
            banner = column(KText(logical=ctx.t(
                "Some information may be out of date. The kiosk updates it as soon as it is "
                "back online."), fg="banner_text", role="small"),
                fill="banner_bg", padding=u.mm(2))
            root.add_widget(banner)
        self.header = column(
            KText(logical=self.title_text(ctx.lang), role="title", bold=True, fg="bar_text"),
            KText(logical=self.summary_text(ctx.lang), fg="bar_text"),
            fill="bar_bg", padding=u.mm(4), spacing=u.mm(1.5))
        # With large text a fixed title band would leave little room for the content: it
        # scrolls away with the content instead (reach mode keeps it on top, where nothing
        # can be touched anyway).
        header_scrolls = self.scrolls and ctx.scale > 1.0 and not ctx.reach
        if not header_scrolls:
            root.add_widget(self.header)
        try:
            self.content = self.build_content()
        except Exception:
            # A damaged record or a store error must not take the kiosk down: the visitor gets
            # a sentence and the bar, technicians get the traceback in the log.
            log.exception("building the %s screen failed", self.screen_name)
            self.content = KText(logical=ctx.t(
                "This screen can not be shown right now. Go back, or choose Home."))
        if self.scrolls and self.screen_name in SIGN_VIDEO_SCREENS:
            # The site's clip for this screen: its control first, where a signer looks.
            sign = self.sign_control()
            if sign is not None:
                self.content = column(sign, self.content, spacing=u.mm(3))
        if self.scrolls:
            # Room for the scroll bar, which sits on the side where lines end, so it never
            # covers a control's edge or the start of a line.
            bar = u.mm(SCROLL_BAR_MM + 1)
            body = column(self.content, padding=[u.mm(4) + (bar if ctx.rtl else 0), u.mm(4),
                                                 u.mm(4) + (0 if ctx.rtl else bar), u.mm(4)])
            if header_scrolls:
                body = column(self.header, body, spacing=0)
            self.scroll = KScroll(body)
            area: Widget = self.scroll
        else:
            self.scroll = None
            area = self.content
        self.bar = NavBar(self.app, self.app.window_width()) if self.show_bar else None
        if ctx.reach:
            # Everything the visitor can touch sits in the lower part; the top shows only the
            # title and summary, with calm empty space below them.
            root.add_widget(Widget(size_hint_y=1))
            region = BoxLayout(orientation="vertical", size_hint_y=None)
            region.add_widget(area)
            root.add_widget(region)

            def fit_region(*_a):
                bar_h = self.bar.height if self.bar else 0
                region.height = max(u.target * 2, self.app.window_height() * REACH_TOP_FRACTION
                                    - bar_h)
            if self.bar:
                self.bar.bind(height=fit_region)
            fit_region()
        else:
            root.add_widget(area)
        if self.bar:
            root.add_widget(self.bar)
        self.add_widget(root)
        host = getattr(self.app, "sm", None)
        if host is not None and tuple(self.size_hint) == (1, 1):
            # The size the host gives it (ScreenHost.register), which it may not have been
            # given yet: a screen is built before it is shown.
            self.size = host.size
        settle_widths(self)
        self._reopen_sign(was_signing)
        note = getattr(self.app, "note_change", None)
        if note is not None:
            note()

    def _sign_state(self) -> tuple[float, bool] | None:
        """Where the open sign-language panel's clip is and whether it plays, or None."""
        overlays = getattr(self.app, "overlays", None)
        if overlays is None or not overlays.is_open("sign_video") or \
                self.app.current is not self:
            return None
        panel = overlays.open.children[0] if overlays.open.children else None
        view = getattr(panel, "view", None)
        if view is None:
            return None
        return float(view.position), view.state == "playing"

    # -- sign language (screens/widgets/sign_video.py) ---------------------------------------

    def sign_control(self) -> KButton | None:
        """The 'Sign language' control (``sign.open``) where what the screen shows has a
        clip; None (nothing shown, nothing said) where it has none."""
        if self.sign_video() is None:
            return None
        from screens.widgets.sign_video import sign_button

        return sign_button(self.open_sign)

    def open_sign(self, at_s: float = 0.0, playing: bool = True) -> None:
        """Play the clip in the sign-language panel above the screen."""
        from screens.widgets.sign_video import describe_open, open_panel

        video = self.sign_video()
        if video is None:
            return
        path = str(self.services.browse.media(video.blob))
        panel = open_panel(self.app, video, path, on_close=self._sign_closed, at_s=at_s,
                           playing=playing)
        self._keep_params(sign=True)
        self.app.speak(describe_open(panel, self.app.session.lang))

    def _sign_closed(self) -> None:
        self._keep_params(sign=False)

        def say(_dt: float) -> None:
            # Closed by the visitor (Close, Back), not by a rebuild that opened it again or by
            # leaving the screen.
            if self.app.overlays.open is None and self.app.current is self:
                self.app.speak(ui().t("Sign language closed."))
        Clock.schedule_once(say, 0)

    def _keep_params(self, **changes: Any) -> None:
        """Keep a panel's state in the parameters and the history entry, without rebuilding."""
        self.params.update(changes)
        if self.app.history and self.app.history[-1][0] == self.screen_name:
            self.app.history[-1] = (self.screen_name, dict(self.params))

    def _reopen_sign(self, was: Any) -> None:
        """After a rebuild: the panel open again if it was, where the clip was, as it was."""
        if not self.params.get("sign") or self.sign_video() is None:
            return
        if was is None:
            self.open_sign()
            return
        at_s, playing = was
        from screens.widgets.sign_video import open_panel

        open_panel(self.app, self.sign_video(), str(self.services.browse.media(
            self.sign_video().blob)), on_close=self._sign_closed, at_s=at_s, playing=playing)
        self._keep_params(sign=True)

    def release(self) -> None:
        """The visitor left this screen: let its widgets go (they are built again, cheaply,
        when it is shown next), so memory holds one screen, not every screen ever opened."""
        self.clear_widgets()
        self.content = self.scroll = self.header = self.bar = None

    # -- focus -------------------------------------------------------------------------------

    def focus_order(self) -> list[KButton]:
        """Interactive widgets in reading order: the content top to bottom, each line right to
        left in Arabic and left to right in English; then the navigation bar. Disabled ones
        too: a visitor who can not see them hears that they are there and unavailable."""
        def ordered(container: Widget | None) -> list[KButton]:
            if container is None:
                return []
            found = [w for w in container.walk(restrict=True)
                     if isinstance(w, KButton) and w.parent is not None]
            band = ui().units.mm(4)
            rtl = ui().rtl

            def key(w: KButton):
                x, top = w.to_window(w.x, w.top)
                right, _y = w.to_window(w.right, w.y)
                return (-round(top / band), -right if rtl else x)
            return sorted(found, key=key)

        content_buttons = ordered(self.scroll if self.scroll is not None else self.content)
        return content_buttons + ordered(self.bar)

    def find(self, kiosk_id: str) -> KButton | None:
        for w in self.walk(restrict=True):
            if isinstance(w, KButton) and w.kiosk_id == kiosk_id:
                return w
        return None

    def visible_texts(self) -> list[str]:
        """Every logical text on the screen, for walks' expect_text and for tests."""
        return [w.logical for w in self.walk(restrict=True)
                if isinstance(w, KText) and w.logical]
