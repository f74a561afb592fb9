"""The categories screen: every product category with how many products it holds."""

from __future__ import annotations

from kivy.uix.widget import Widget

from screens import registry
from screens.base import KioskScreen
from screens.widgets.lists import count_text, list_picture, record_button, record_list


class CategoriesScreen(KioskScreen):
    screen_name = "categories"
    title = registry.TITLES["categories"]
    summary = "Choose a category to see its products."

    def build_content(self) -> Widget:
        browse = self.services.browse
        return record_list([
            record_button(f"category.{c.id}", c.name, count_text(c.product_count),
                          lambda c=c: self.app.go("products", category=c.id),
                          picture=list_picture(browse, c.category.image.blob
                                               if c.category.image else None))
            for c in browse.categories()])
