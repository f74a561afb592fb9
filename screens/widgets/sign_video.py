"""Sign language: the control a screen shows where what it shows has a sign-language clip
(kiosk.protocol SignVideo), and the panel that plays it above the screen: the clip large enough
for a signer's face and hands to be read (at least SIGN_VIDEO_HEIGHT of the window's height, or
the window's whole width), without sound, its captions written under it in the visitor's
language, and Play / Pause, Replay and Close as large labelled controls with pictograms (Back
closes it too). Decoding runs in the threads of Kivy's ffpyplayer video provider; the UI
thread only uploads each frame into a texture.

A screen opts in with two calls (screens/base.py does the rest): ``sign_video()`` returns the
clip of what it shows now, and ``sign_control()`` (KioskScreen) gives the button to place in
its content. Whether the panel is open is the screen's ``sign`` parameter, kept in its history
entry, so a change of language or text size opens it again, at the same place in the clip."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.properties import NumericProperty, OptionProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _, both
from screens.context import ui
from screens.themes import rgba
from screens.widgets.button import KButton
from screens.widgets.layout import KScroll, column, row
from screens.widgets.text import KText

log = logging.getLogger("screens.sign_video")

# The clip's box takes at least this share of the window's height (or all its width, for a
# clip wider than that box): at the reference 1080 x 1920 display a signer is then about
# 28 cm tall, read from 50-70 cm.
SIGN_VIDEO_HEIGHT = 0.6
OVERLAY_KIND = "sign_video"


def _silent_provider() -> type:
    """Kivy's ffpyplayer video provider, with the clip's sound never decoded nor played (no
    audio device opened at all): ffpyplayer's ``an`` option, which the provider does not pass
    itself. Volume 0 is set as well."""
    from kivy.core.video import video_ffpyplayer as provider

    class SilentVideo(provider.VideoFFPy):
        def play(self) -> None:
            real = provider.MediaPlayer

            def silent(filename: str, ff_opts: dict | None = None, **kwargs: Any):
                return real(filename, ff_opts={**(ff_opts or {}), "an": True}, **kwargs)

            provider.MediaPlayer = silent  # only for this call, on the UI thread
            try:
                super().play()
            finally:
                provider.MediaPlayer = real

    return SilentVideo


_PROVIDER: list[type] = []


def video_provider() -> type:
    if not _PROVIDER:
        _PROVIDER.append(_silent_provider())
    return _PROVIDER[0]


class VideoView(Widget):
    """The clip's frames fitted in the box, keeping their proportions, centred, with a frame
    in ``fg`` round them (its edge shows whatever the clip's own edges are). ``state``:
    ``stopped`` (not started, or unloaded), ``playing``, ``paused`` or ``ended``;
    ``position`` in seconds, updated while it plays."""

    state = OptionProperty("stopped", options=["stopped", "playing", "paused", "ended"])
    position = NumericProperty(0.0)

    def __init__(self, path: str, size_px: tuple[int, int], duration_s: float,
                 fg: str = "panel_text", **kwargs):
        super().__init__(**kwargs)
        self.path = path
        self.source_size = size_px  # from the record: the box is laid out before a frame
        self.duration_s = duration_s
        self.fg = fg
        self.frames = 0  # frames shown, for tests
        self._edge = max(2.0, ui().units.mm(0.5))
        self._core: Any = None
        with self.canvas:
            self._frame_colour = Color(*rgba(ui().theme.colours()[fg]))
            self._frame = Line(width=max(1.0, self._edge / 2))
            Color(1, 1, 1, 1)
            self._rect = Rectangle(size=(0, 0))
        self.bind(pos=self._draw, size=self._draw)
        self._ticker = Clock.schedule_interval(self._tick, 0.25)

    @property
    def drawn(self) -> tuple[float, float, float, float]:
        """Where the clip is drawn (x, y, width, height, in this widget's coordinates)."""
        x, y = self._rect.pos
        w, h = self._rect.size
        return x, y, w, h

    @property
    def loaded(self) -> bool:
        return self._rect.texture is not None

    @property
    def volume(self) -> float:
        return 0.0 if self._core is None else float(self._core.volume)

    def _ensure_core(self) -> Any:
        if self._core is None:
            if not Path(self.path).is_file():
                raise FileNotFoundError(self.path)
            core = video_provider()(filename=self.path, eos="pause")
            core.volume = 0.0
            core.bind(on_frame=self._on_frame, on_eos=self._on_eos)
            self._core = core
        return self._core

    def play(self, from_s: float | None = None) -> None:
        """Play from where it is (from the start once it ended), or from ``from_s``."""
        try:
            core = self._ensure_core()
        except (OSError, Exception):  # a missing or damaged clip must not end the visit
            log.warning("could not play sign-language clip %s", Path(self.path).name,
                        exc_info=True)
            return
        if self.state == "ended" and from_s is None:
            from_s = 0.0
        core.play()
        core.volume = 0.0
        if from_s is not None:
            self.seek(from_s)
        self.state = "playing"

    def pause(self) -> None:
        if self._core is not None and self.state == "playing":
            self._core.pause()
            self.position = float(self._core.position or self.position)
            self.state = "paused"

    def seek(self, seconds: float) -> None:
        if self._core is None:
            return
        duration = self._core.duration or self.duration_s
        if duration > 0:
            self._core.seek(max(0.0, min(1.0, seconds / duration)), precise=True)
        self.position = seconds

    def unload(self) -> None:
        """Stop and let the decoder's threads go (the panel closed)."""
        self._ticker.cancel()
        core, self._core = self._core, None
        if core is not None:
            core.unbind(on_frame=self._on_frame, on_eos=self._on_eos)
            core.unload()
        self.state = "stopped"

    def _tick(self, _dt: float) -> None:
        if self._core is not None and self.state == "playing":
            self.position = float(self._core.position or 0.0)

    def _on_frame(self, *_a) -> None:
        core = self._core
        if core is None or core.texture is None:
            return
        self.frames += 1
        if self._rect.texture is not core.texture:
            self._rect.texture = core.texture
            self._draw()
        self.canvas.ask_update()

    def _on_eos(self, *_a) -> None:
        if self._core is not None:
            self.position = float(self._core.duration or self.duration_s)
        self.state = "ended"

    def _draw(self, *_a) -> None:
        e = self._edge
        tex = self._rect.texture
        sw, sh = (tex.width, tex.height) if tex is not None else self.source_size
        if not sw or not sh or self.width <= 2 * e or self.height <= 2 * e:
            self._rect.size = (0, 0)
            self._frame.rectangle = (self.x, self.y, 0, 0)
            return
        scale = min((self.width - 2 * e) / sw, (self.height - 2 * e) / sh)
        w, h = sw * scale, sh * scale
        x, y = self.x + (self.width - w) / 2, self.y + (self.height - h) / 2
        # Until the first frame is decoded only the frame shows where the clip will be (an
        # untextured rectangle would be a white flash).
        self._rect.size = (w, h) if tex is not None else (0, 0)
        self._rect.pos = (x, y)
        self._frame.rectangle = (x - e / 2, y - e / 2, w + e, h + e)


def state_words(state: str) -> dict[str, str]:
    """The panel's state written out and spoken ("Playing"), so nothing depends on seeing the
    clip move."""
    if state == "playing":
        return both("Playing")
    if state == "ended":
        return both("Finished")
    return both("Paused")


class SignVideoPanel(BoxLayout):
    """The overlay's content: a title, the clip, its captions (scrolling when long) and its
    controls (``sign.play``: Play or Pause, written with the state; ``sign.replay``;
    ``sign.close``). ``say(text)`` is the app's speech hook; ``close()`` closes the overlay."""

    def __init__(self, video: Any, path: str, window_height: float,
                 say: Callable[[str], None], close: Callable[[], None],
                 keep_alive: Callable[[], None] | None = None, **kwargs):
        u = ui().units
        super().__init__(orientation="vertical", spacing=u.gap,
                         padding=[u.gap, u.gap, u.gap, u.mm(4)], **kwargs)
        t = ui().t
        lang = ui().lang
        self.video_record = video
        self._tallest = window_height * SIGN_VIDEO_HEIGHT
        self.say = say
        self.keep_alive = keep_alive
        self.add_widget(KText(logical=t("Sign language"), role="title", bold=True,
                              fg="panel_text"))
        # SIGN_VIDEO_HEIGHT of the window, or less for a wide clip that fills the width
        # first: then the box is the clip's own height, and no empty band parts it from its
        # controls.
        self.view = VideoView(path, (video.width, video.height), video.duration_ms / 1000,
                              size_hint_y=None, height=window_height * SIGN_VIDEO_HEIGHT)
        self.view.bind(width=self._fit)
        self.add_widget(self.view)
        self.play_button = KButton(kiosk_id="sign.play", label=both("Play"),
                                   pictogram="resume", state_text=state_words("stopped"),
                                   action=self.toggle)
        self.replay_button = KButton(kiosk_id="sign.replay", label=both("Replay"),
                                     pictogram="replay", action=self.replay)
        self.close_button = KButton(kiosk_id="sign.close", label=both("Close"),
                                    pictogram="close", action=close)
        captions = video.captions.ar if lang == "ar" else video.captions.en
        self.captions = KText(logical=captions, fg="panel_text")
        self.add_widget(KScroll(column(self.captions)))
        # The controls at the bottom, in reach of a seated visitor (reach mode's lower half
        # whatever the clip's size), the captions between them and the clip.
        self.add_widget(row(self.play_button, self.replay_button, self.close_button))
        self.view.bind(state=self._state_changed)
        self._alive = Clock.schedule_interval(self._keep_alive, 5.0)

    @property
    def state(self) -> str:
        return self.view.state

    def _fit(self, view: VideoView, width: float) -> None:
        w, h = self.video_record.width, self.video_record.height
        edge = 2 * max(2.0, ui().units.mm(0.5))
        tallest = self._tallest
        view.height = min(tallest, (width - edge) * h / w + edge) if width > edge else tallest

    def start(self, at_s: float = 0.0, playing: bool = True) -> None:
        """Begin playing (or show paused at ``at_s``: a rebuild of a paused panel)."""
        self.view.play(from_s=at_s if at_s > 0 else None)
        if not playing:
            self.view.pause()

    def toggle(self) -> None:
        if self.view.state == "playing":
            self.view.pause()
        else:
            self.view.play()
        self.say(self.play_button.describe())

    def replay(self) -> None:
        self.view.play(from_s=0.0)
        self.say(ui().t("Playing from the start."))

    def stop(self) -> None:
        self._alive.cancel()
        self.view.unload()

    def _state_changed(self, _view, state: str) -> None:
        playing = state == "playing"
        self.play_button.label = both("Pause") if playing else both("Play")
        self.play_button.pictogram = "pause" if playing else "resume"
        self.play_button.state_text = state_words(state)
        if state == "ended":
            self.say(ui().t("The sign language video has finished."))

    def _keep_alive(self, _dt: float) -> None:
        # Watching is not being idle: the session's idle time starts again while it plays.
        if self.view.state == "playing" and self.keep_alive is not None:
            self.keep_alive()


def sign_button(action: Callable[[], None]) -> KButton:
    """The 'Sign language' control (``sign.open``: record ids have no dots, so it never
    clashes with a list's ``<kind>.<record id>``), shown only where there is a clip; a
    screen shows one record's at a time."""
    return KButton(kiosk_id="sign.open", label=both("Sign language"),
                   state_text=both("Video with captions"), pictogram="sign_language",
                   align="start", action=action)


def open_panel(app: Any, video: Any, path: str, on_close: Callable[[], None],
               at_s: float = 0.0, playing: bool = True) -> SignVideoPanel:
    """Open the panel above the screen and start the clip; ``on_close`` after it closed
    (however that happened: Close, Back, a rebuild, leaving the screen)."""
    panel: SignVideoPanel | None = None

    def closed() -> None:
        if panel is not None:
            panel.stop()
        on_close()

    panel = SignVideoPanel(video, path, app.window_height(), say=app.speak,
                           close=app.overlays.close, keep_alive=app.idle.input)
    app.overlays.show(OVERLAY_KIND, panel, fill=True, padding=0, on_close=closed)
    panel.start(at_s, playing)
    return panel


def describe_open(panel: SignVideoPanel, lang: str) -> str:
    """What is said when the panel opens: what it is, its state, and the captions."""
    words = _("Sign language", lang)
    state = state_words(panel.state)[lang]
    captions = panel.video_record.captions.ar if lang == "ar" else \
        panel.video_record.captions.en
    return f"{words}. {state}. {_('Without sound.', lang)} {captions}"
