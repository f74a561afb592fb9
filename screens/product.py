"""The product screen: name, maker, governorate, description (its Easy Read version when the
visitor turned Easy Read on and the product has one), pictures with their text
alternatives written under them, certifications, where to buy, and a QR code to continue on a
phone."""

from __future__ import annotations

from typing import Any

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.reading import easy
from screens.widgets.easyread import easy_read_block
from screens.widgets.layout import column
from screens.widgets.lists import bilingual, count_text, record_button
from screens.widgets.pictures import Picture, QRCode
from screens.widgets.text import KText


class ProductScreen(KioskScreen):
    screen_name = "product"
    title = registry.TITLES["product"]
    summary = "Details of the product."

    def _detail(self):
        return self.services.browse.product(self.params.get("id"))

    def title_text(self, lang: str) -> str:
        d = self._detail()
        return bilingual(d.product.name)[lang] if d else _("This product is no longer "
                                                            "available.", lang)

    def summary_text(self, lang: str) -> str:
        d = self._detail()
        if d is None:
            return _("Go back to choose another product.", lang)
        parts = []
        if d.manufacturer is not None:
            parts.append(_("Made by {maker}", lang).format(maker=bilingual(d.manufacturer.name)
                                                           [lang]))
        if d.governorate is not None:
            parts.append(_("in {place}", lang).format(place=bilingual(d.governorate.name)[lang]))
        return " ".join(parts) + "." if parts else ""

    @classmethod
    def sample_params(cls, services: Any) -> dict[str, Any]:
        pid = services.browse.first_product_id()
        return {"id": pid} if pid else {}

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        u = ui().units
        d = self._detail()
        if d is None:
            return KText(logical=t("Go back to choose another product."))
        p = d.product
        parts: list[Widget] = []
        for i, img in enumerate(p.images):
            path = self.services.browse.picture(img.blob)
            pic = Picture(path=str(path))
            if pic.loaded:
                parts.append(pic)
            # The text alternative is always shown, so every visitor gets it (ACCESSIBILITY 6).
            label = t("Picture {number}: {alt}").format(number=i + 1,
                                                        alt=bilingual(img.alt)[lang])
            parts.append(KText(logical=label, role="small"))
        sentences = easy(p, lang)
        parts.append(easy_read_block(sentences) if sentences else
                     KText(logical=bilingual(p.description)[lang]))
        parts.append(KText(logical=t("Product code: {code}").format(code=p.code)))
        if d.manufacturer is not None:
            parts.append(KText(logical=t("Manufacturer"), bold=True))
            parts.append(record_button(
                "product.maker", d.manufacturer.name,
                {lang_: _("See all its products", lang_) for lang_ in ("ar", "en")},
                lambda: self.app.go("products", manufacturer=p.manufacturer_id)))
        if d.category is not None:
            n = self.services.browse.product_count(category=p.category_id)
            parts.append(KText(logical=t("Category"), bold=True))
            parts.append(record_button(
                "product.category", d.category.name, count_text(n),
                lambda: self.app.go("products", category=p.category_id)))
        if d.certifications:
            parts.append(KText(logical=t("Certifications"), bold=True))
            for c in d.certifications:
                parts.append(KText(logical=f"{bilingual(c.name)[lang]}: "
                                           f"{bilingual(c.description)[lang]}"))
        if p.where_to_buy:
            parts.append(KText(logical=t("Where to buy"), bold=True))
            for o in p.where_to_buy:
                lines = [bilingual(o.name)[lang], bilingual(o.address)[lang]]
                if o.phone:
                    lines.append(t("Telephone: {phone}").format(phone=o.phone))
                parts.append(KText(logical="\n".join(lines)))
        parts.append(KText(logical=t("Continue on your phone"), bold=True))
        parts.append(KText(logical=t("Point your phone's camera at the square code to open "
                                     "this product on the portal.")))
        qr = QRCode(data=str(p.portal_url))
        holder = AnchorLayout(anchor_x="right" if ui().rtl else "left", size_hint_y=None,
                              height=qr.height)
        holder.add_widget(qr)
        parts.append(holder)
        parts.append(KText(logical=str(p.portal_url), lang="en", role="small",
                           align="end" if ui().rtl else "start"))
        return column(*parts, spacing=u.mm(3))
