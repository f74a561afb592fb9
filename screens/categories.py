"""The categories screen: every product category with how many products it holds."""

from __future__ import annotations

from kivy.uix.widget import Widget

from screens import registry
from screens.base import KioskScreen
from screens.widgets.lists import count_text, record_button, record_list


class CategoriesScreen(KioskScreen):
    screen_name = "categories"
    title = registry.TITLES["categories"]
    summary = "Choose a category to see its products."

    def build_content(self) -> Widget:
        return record_list([
            record_button(f"category.{c.id}", c.name, count_text(c.product_count),
                          lambda c=c: self.app.go("products", category=c.id))
            for c in self.services.browse.categories()])
