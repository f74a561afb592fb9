"""The product screen: name, maker, governorate, its pictures as a gallery (one at a time, large,
its text alternative written under it, Previous / Next picture, and Full screen, which opens
an overlay with the picture filling the screen), Sign language where the product has a clip
(screens/widgets/sign_video.py), description (its Easy Read version when the
visitor turned Easy Read on and the product has one), certifications, where to buy, and a QR
code to continue on a phone.

The picture shown (``picture``, from 0) and whether it is full screen (``full``) are the
screen's parameters, kept in its history entry: a change of language or text size, or Back
from the maker's products, comes back to the same picture, full screen if it was."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens import registry
from screens.base import KioskScreen
from screens.context import ui
from screens.reading import easy
from screens.widgets.easyread import easy_read_block
from screens.widgets.gallery import Gallery, GalleryPicture
from screens.widgets.layout import column
from screens.widgets.lists import bilingual, count_text, record_button
from screens.widgets.pictures import QRCode
from screens.widgets.text import KText


class ProductScreen(KioskScreen):
    screen_name = "product"
    title = registry.TITLES["product"]
    summary = "Details of the product."
    # On the page, the picture is at most this share of the window's height, so its text
    # alternative and its buttons are in view with it.
    PICTURE_MAX_HEIGHT = 0.4

    def __init__(self, app: Any, **kwargs):
        super().__init__(app, **kwargs)
        self.gallery: Gallery | None = None
        self.pictures: list[GalleryPicture] = []

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

    @classmethod
    def page_params_for(cls, services: Any, page: str,
                        params: dict[str, Any]) -> dict[str, Any] | None:
        if page != "sign":
            return params
        pid = services.browse.first_with_sign_video()
        return {**params, "id": pid} if pid else None

    def sign_video(self) -> Any:
        d = self._detail()
        return d.product.sign_video if d is not None else None

    def build_content(self) -> Widget:
        t = ui().t
        lang = ui().lang
        u = ui().units
        d = self._detail()
        if d is None:
            return KText(logical=t("Go back to choose another product."))
        p = d.product
        parts: list[Widget] = []
        # First on the page, where a signing visitor looks for it; only where there is a clip.
        sign = self.sign_control()
        if sign is not None:
            parts.append(sign)
        self.pictures = [GalleryPicture(str(self.services.browse.picture(img.blob)),
                                        bilingual(img.alt)) for img in p.images]
        self.gallery = None
        if self.pictures:
            # The text alternative is always shown, so every visitor gets it (ACCESSIBILITY 6).
            self.gallery = Gallery(self.pictures, ids="product.picture",
                                   index=self.params.get("picture", 0), full=self.open_full,
                                   changed=self._picture_changed,
                                   max_height=self.app.window_height() * self.PICTURE_MAX_HEIGHT)
            parts.append(self.gallery)
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

    # -- the gallery ---------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        if self.params.get("full") and self.gallery is not None and \
                self.gallery.picture.loaded:
            self.open_full()

    def release(self) -> None:
        super().release()
        self.gallery = None

    def _remember(self, **changes: Any) -> None:
        """Keep the gallery's state in the parameters and the history entry, without
        rebuilding the screen."""
        self.params.update(changes)
        if self.app.history and self.app.history[-1][0] == self.screen_name:
            self.app.history[-1] = (self.screen_name, dict(self.params))

    def _picture_changed(self, index: int) -> None:
        self._remember(picture=index)
        if self.gallery is not None:
            self.app.speak(self.gallery.text)  # the new picture's label, also in the captions

    def open_full(self) -> None:
        """The picture shown, filling the screen, with its text alternative, Previous and
        Next, and Close (Back closes it too)."""
        page = self.gallery
        if page is None:
            return
        u = ui().units

        def changed(index: int) -> None:
            if self.gallery is not None:
                self.gallery.index = index  # the page follows, and says the new label

        big = Gallery(self.pictures, ids="picture", index=int(page.index),
                      close=self.app.overlays.close, changed=changed, fg="panel_text",
                      fill=True, padding=[u.gap, u.gap, u.gap, u.mm(4)])
        self.app.overlays.show("gallery", big, fill=True, padding=0,
                               on_close=self._full_closed)
        self._remember(full=True)
        self.app.speak(f"{ui().t('Full screen')}. {big.text}")

    def _full_closed(self) -> None:
        self._remember(full=False)

        def say(_dt: float) -> None:
            # Closed by the visitor (Back, Close), not by another overlay taking its place
            # or by leaving the screen: say which picture the page shows.
            if self.app.overlays.open is None and self.app.current is self and \
                    self.gallery is not None:
                self.app.speak(self.gallery.text)
        Clock.schedule_once(say, 0)

