"""A gallery: one content picture at a time, large, with its text alternative always written
under it ("Picture 2 of 3: ..."), Previous picture / Next picture when there is more than one,
and Full screen (or Close, in the full-screen overlay). The product screen shows one on its
page and one filling the screen (screens/product.py).

Previous and Next stop at the ends, they do not wrap round: on the first picture Previous is
unavailable (drawn as an outline, "Unavailable" written on it, and choosing it says "This is
the first picture."), and so is Next on the last one, so a visitor who can not see the screen
knows when there are no more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import _, both
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import row
from screens.widgets.pictures import Picture
from screens.widgets.text import KText


@dataclass(frozen=True)
class GalleryPicture:
    """One picture: its file (which may be missing) and its text alternative in both
    languages."""

    path: str
    alt: dict[str, str]


def caption(pictures: list[GalleryPicture], index: int, lang: str) -> str:
    """The text alternative as written under the picture and spoken when it is shown."""
    alt = pictures[index].alt.get(lang, "")
    if len(pictures) == 1:
        return _("Picture {number}: {alt}", lang).format(number=1, alt=alt)
    return _("Picture {number} of {count}: {alt}", lang).format(
        number=index + 1, count=len(pictures), alt=alt)


class Gallery(BoxLayout):
    """The pictures, one shown (``index``, from 0); ``ids`` is the start of its controls' ids
    (``<ids>.backward``, ``<ids>.forward``, ``<ids>.full`` or ``<ids>.close``: never a name
    ending in ``.next``, which the Next page key would take for a list's next page).

    ``full``: what Full screen does (None: no such button); ``close``: what Close does (None:
    no such button); ``changed(index)``: called when the visitor moved to another picture.
    ``fill``: the picture takes all the height the gallery is given (the full-screen overlay);
    otherwise it is as wide as the gallery and as tall as its proportions make it, at most
    ``max_height``."""

    index = NumericProperty(0)

    def __init__(self, pictures: list[GalleryPicture], ids: str, index: int = 0,
                 full: Callable[[], None] | None = None,
                 close: Callable[[], None] | None = None,
                 changed: Callable[[int], None] | None = None, fg: str = "text",
                 fill: bool = False, max_height: float = 0, **kwargs):
        if not pictures:
            raise ValueError("a gallery needs at least one picture")
        u = ui().units
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", u.gap)
        if not fill:
            kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        if not fill:
            self.bind(minimum_height=self.setter("height"))
        self.pictures = list(pictures)
        self.ids_prefix = ids
        self.changed = changed
        self.index = max(0, min(int(index), len(self.pictures) - 1))
        first = self.pictures[self.index]
        self.picture = Picture(path=first.path, fg=fg, size_hint_y=1 if fill else None,
                               fit_width=not fill, max_height=max_height)
        self.add_widget(self.picture)
        self.caption = KText(logical=caption(self.pictures, self.index, ui().lang), fg=fg)
        # The text alternative comes right after the picture: the audit's picture_alt, and
        # the reading order, find it there.
        self.add_widget(self.caption)
        self.backward = self.forward = self.full_button = None
        if len(self.pictures) > 1:
            self.backward = KButton(
                kiosk_id=f"{ids}.backward", label=both("Previous picture"),
                pictogram="previous_page", mirror=True,
                unavailable_reason=both("This is the first picture."),
                action=lambda: self.show(self.index - 1))
            self.forward = KButton(
                kiosk_id=f"{ids}.forward", label=both("Next picture"),
                pictogram="next_page", mirror=True,
                unavailable_reason=both("This is the last picture."),
                action=lambda: self.show(self.index + 1))
            self.add_widget(row(self.backward, self.forward))
        if full is not None:
            self.full_button = KButton(
                kiosk_id=f"{ids}.full", label=both("Full screen"), pictogram="full_screen",
                unavailable_reason=both("This picture can not be shown; its description is "
                                        "written above."),
                action=full)
            self.add_widget(self.full_button)
        if close is not None:
            self.add_widget(KButton(kiosk_id=f"{ids}.close", label=both("Close"),
                                    pictogram="close", action=close))
        self._update()

    @property
    def text(self) -> str:
        """The caption as shown now (logical)."""
        return self.caption.logical

    def show(self, index: int) -> None:
        """Show picture ``index`` (from 0) if there is one."""
        if 0 <= index < len(self.pictures):
            self.index = index

    def on_index(self, _gallery, _index) -> None:
        if not hasattr(self, "picture"):
            return  # set before the widgets exist
        self._update()
        if self.changed is not None:
            self.changed(int(self.index))

    def _update(self) -> None:
        shown = self.pictures[int(self.index)]
        self.picture.path = shown.path
        self.picture.opacity = 1 if self.picture.loaded else 0
        self.caption.logical = caption(self.pictures, int(self.index), ui().lang)
        if self.backward is not None:
            self.backward.disabled = self.index <= 0
            self.forward.disabled = self.index >= len(self.pictures) - 1
        if self.full_button is not None:
            self.full_button.disabled = not self.picture.loaded
