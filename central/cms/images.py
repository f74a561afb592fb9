"""The CMS's picture library: Wagtail's images with alt text in Arabic and English, checked so
that whatever is uploaded can be shown on a kiosk (kiosk.protocol: PNG, JPEG or WebP, at most
MAX_BLOB_BYTES), and large enough not to look blurred on its screen."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from kiosk import protocol

RTL = {"dir": "rtl", "lang": "ar"}
LTR = {"dir": "ltr", "lang": "en"}


class KioskImage(AbstractImage):
    alt_ar = models.CharField(_("Alt text (Arabic)"), max_length=protocol.MAX_SHORT,
                              help_text=_("What the picture shows, for visitors who can not "
                                          "see it (read aloud by the kiosk)."))
    alt_en = models.CharField(_("Alt text (English)"), max_length=protocol.MAX_SHORT,
                              help_text=_("What the picture shows, for visitors who can not "
                                          "see it (read aloud by the kiosk)."))
    # The kiosk names media by SHA-256 (Wagtail's own file_hash is SHA-1).
    sha256 = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    admin_form_fields = (*Image.admin_form_fields, "alt_ar", "alt_en")

    class Meta(AbstractImage.Meta):
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")

    def _set_file_hash(self) -> None:
        super()._set_file_hash()
        with self.open_file() as f:
            self.sha256 = hashlib.file_digest(f, "sha256").hexdigest()

    @property
    def media_type(self) -> str | None:
        return protocol.MEDIA_EXTENSIONS.get(PurePath(self.file.name).suffix.lower())

    def kiosk_sha256(self) -> str:
        if not self.sha256:
            self._set_file_hash()
            type(self).objects.filter(pk=self.pk).update(sha256=self.sha256,
                                                         file_hash=self.file_hash)
        return self.sha256

    def read_bytes(self) -> bytes:
        with self.open_file() as f:
            return f.read()

    def problems(self) -> list[str]:
        """What keeps this picture off a kiosk, in words."""
        out = []
        if not self.alt_ar.strip():
            out.append(_("picture “%(title)s” has no Arabic alt text") % {"title": self.title})
        if not self.alt_en.strip():
            out.append(_("picture “%(title)s” has no English alt text") % {"title": self.title})
        if self.media_type not in protocol.MEDIA_TYPES:
            out.append(_("picture “%(title)s” is not a PNG, JPEG or WebP file")
                       % {"title": self.title})
        if self.file_size and self.file_size > protocol.MAX_BLOB_BYTES:
            out.append(_("picture “%(title)s” is over 5 MB") % {"title": self.title})
        return out

    def to_record(self) -> dict:
        return {"blob": self.kiosk_sha256(),
                "alt": {"ar": self.alt_ar.strip(), "en": self.alt_en.strip()}}


class KioskRendition(AbstractRendition):
    image = models.ForeignKey(KioskImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
