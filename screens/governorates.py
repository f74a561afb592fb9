"""The governorates screen: Oman's governorates, each leading to the products made there."""

from __future__ import annotations

from kivy.uix.widget import Widget

from screens import registry
from screens.base import KioskScreen
from screens.widgets.lists import count_text, record_button, record_list


class GovernoratesScreen(KioskScreen):
    screen_name = "governorates"
    title = registry.TITLES["governorates"]
    summary = "Choose a governorate to see the products made there."

    def build_content(self) -> Widget:
        return record_list([
            record_button(f"governorate.{g.id}", g.name, count_text(g.product_count),
                          lambda g=g: self.app.go("products", governorate=g.id))
            for g in self.services.browse.governorates()])
