"""The picture library's add and edit form (settings.WAGTAILIMAGES_IMAGE_FORM_BASE): alt text
required in both languages, each typed in its direction, and a size check."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.images.forms import BaseImageForm

from central.cms.images import LTR, RTL

# The smallest picture a kiosk tile shows without blurring (the demo's pictures are 320 x 240).
MIN_WIDTH, MIN_HEIGHT = 240, 180


class KioskImageForm(BaseImageForm):
    """settings.WAGTAILIMAGES_IMAGE_FORM_BASE: alt text in both languages is required, the
    Arabic typed right to left, and small pictures are refused with their size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, attrs in (("alt_ar", RTL), ("alt_en", LTR)):
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].widget.attrs.update(attrs)

    def clean_file(self):
        f = self.cleaned_data.get("file")
        image = getattr(f, "image", None)  # WagtailImageField leaves the opened Willow image
        if image is not None:
            width, height = image.get_size()
            if width < MIN_WIDTH or height < MIN_HEIGHT:
                raise ValidationError(
                    _("This picture is %(w)d × %(h)d pixels; kiosks need at least "
                      "%(mw)d × %(mh)d so it is not blurred. Upload a larger one.")
                    % {"w": width, "h": height, "mw": MIN_WIDTH, "mh": MIN_HEIGHT})
        return f

    class Meta(BaseImageForm.Meta):
        widgets = {**BaseImageForm.Meta.widgets, "alt_ar": forms.TextInput(attrs=RTL),
                   "alt_en": forms.TextInput(attrs=LTR)}
