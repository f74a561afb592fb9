"""Lists of records as large buttons: the record's picture at the start side, then one line of
name and one line of detail (how many products, the maker), in reading order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.i18n import _
from screens.context import ui
from screens.widgets.button import KButton
from screens.widgets.layout import column


def bilingual(text: Any) -> dict[str, str]:
    """{ar, en} from a content text (protocol Name/ShortText or the store's Bilingual)."""
    return {"ar": text.ar, "en": text.en}


def count_text(n: int) -> dict[str, str]:
    return {lang: _("Products: {count}", lang).format(count=n) for lang in ("ar", "en")}


def list_picture(browse: Any, blob: str | None) -> Any:
    """The thumbnail for a list item (its frame shows at once, the picture when made), or None
    when the record has no picture. The side grows with the text, more slowly."""
    if not blob:
        return None
    from screens.widgets.pictures import Thumbnail

    side = ui().units.mm(20) * min(1.5, ui().scale ** 0.5)
    return Thumbnail(browse=browse, blob=blob, side=side)


def loop_picture(browse: Any, blob: str) -> Any:
    """The idle screen loop's picture: large (62 mm; the same at every text size, which the
    name below it follows), made like a list's thumbnail (once per picture and size, off the
    UI thread)."""
    from screens.widgets.pictures import Thumbnail

    side = ui().units.mm(62)
    return Thumbnail(browse=browse, blob=blob, side=side)


def record_button(kiosk_id: str, name: Any, detail: dict[str, str] | None,
                  action: Callable[[], None], picture: Any = None) -> KButton:
    return KButton(kiosk_id=kiosk_id, label=bilingual(name), state_text=detail or {},
                   align="start", action=action, picture=picture)


def record_list(buttons: list[KButton]) -> Any:
    return column(*buttons, spacing=ui().units.mm(3))
