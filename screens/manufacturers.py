"""The manufacturers screen: makers in name order (in the visitor's language), each with its
governorate and product count, leading to its products."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.widgets.lists import list_picture, record_button, record_list


class ManufacturersScreen(KioskScreen):
    screen_name = "manufacturers"
    title = registry.TITLES["manufacturers"]
    summary = "Choose a manufacturer to see its products."

    def build_content(self) -> Widget:
        browse = self.services.browse
        places = {g.id: g.name for g in browse.governorates()}
        # A maker has no picture of its own: the list shows one of its products'.
        pictures = browse.maker_pictures()

        def detail(m) -> dict[str, str]:
            place = places.get(m.governorate)
            out = {}
            for lang in ("ar", "en"):
                where = place.get(lang) if place else ""
                out[lang] = _("{place}. Products: {count}", lang).format(
                    place=where, count=m.product_count) if where else \
                    _("Products: {count}", lang).format(count=m.product_count)
            return out

        return record_list([
            record_button(f"manufacturer.{m.id}", m.name, detail(m),
                          lambda m=m: self.app.go("products", manufacturer=m.id),
                          picture=list_picture(browse, pictures.get(m.id, (None,))[0]))
            for m in browse.manufacturers(ui().lang)])
