"""Sign-language clips in the CMS: a library of clips (``KioskSignVideo``, a snippet under
*Kiosk information*), each with its captions in Arabic and English (both required: what is
signed, for visitors who read), which products, news, FAQ, guide entries and policies choose
from. Every upload is checked before it is saved, so whatever is in the library plays on a
kiosk (kiosk.protocol: MP4 with H.264 or WebM with VP8/VP9, at most MAX_VIDEO_BYTES and
MAX_VIDEO_MS, MIN_VIDEO_SIDE to MAX_VIDEO_SIDE pixels): the container and codec are read from
the file's own headers, then the kiosk's own decoder (ffpyplayer, the FFmpeg binding Kivy's
video provider uses) opens it and decodes a frame, and gives its length and size. A refusal is
a sentence in the staff member's language saying what to change."""

from __future__ import annotations

import hashlib
import math
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from central.cms.images import LTR, RTL
from kiosk import protocol

PROBE_TIMEOUT_S = 15.0  # opening a clip and decoding its first frame
MB = 1024 * 1024
# Sample entry codes of an MP4's video tracks, and WebM's CodecIDs, as the codec names of
# kiosk.protocol.VIDEO_CODECS.
MP4_VIDEO = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc",
             b"mp4v": "mpeg4", b"av01": "av1", b"vp09": "vp9", b"vp08": "vp8",
             b"mjpa": "mjpeg", b"jpeg": "mjpeg", b"s263": "h263"}
WEBM_VIDEO = {b"V_VP8": "vp8", b"V_VP9": "vp9", b"V_AV1": "av1"}


class ClipRefused(ValueError):
    """An upload no kiosk could play; the message says why and what to do, in the language
    active when it was made."""


@dataclass(frozen=True)
class ClipInfo:
    media_type: str
    codec: str
    duration_ms: int
    width: int
    height: int
    size: int
    sha256: str


# -- reading the container ------------------------------------------------------------------


def _mp4_boxes(data: bytes, start: int, end: int):
    """(type, body start, body end) of each box in data[start:end]."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        head = 8
        if size == 1 and at + 16 <= end:
            size = struct.unpack(">Q", data[at + 8:at + 16])[0]
            head = 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def _mp4_codecs(data: bytes) -> list[str]:
    """The codec of each video track of an MP4 (moov/trak/mdia/minf/stbl/stsd)."""
    found: list[str] = []

    def walk(start: int, end: int, path: tuple[bytes, ...]) -> None:
        for kind, body, stop in _mp4_boxes(data, start, end):
            if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                walk(body, stop, (*path, kind))
            elif kind == b"stsd" and stop - body >= 16:
                entry = data[body + 12:body + 16]  # version/flags, count, then entry size
                if entry in MP4_VIDEO:
                    found.append(MP4_VIDEO[entry])
    walk(0, len(data), ())
    return found


def _webm_codecs(data: bytes) -> list[str]:
    """The video CodecIDs of a WebM (EBML element 0x86, a short string)."""
    out = []
    for m in re.finditer(rb"\x86([\x81-\x9f])(V_[A-Z0-9/_.]+)", data[:4 * MB]):
        codec_id = m.group(2)[:m.group(1)[0] & 0x7F]
        out.append(WEBM_VIDEO.get(codec_id, codec_id.decode("ascii", "replace").lower()))
    return out


def container(data: bytes) -> tuple[str | None, list[str]]:
    """The file's media type by its first bytes (None: neither MP4 nor WebM) and its video
    tracks' codecs."""
    if data[4:8] == b"ftyp":
        return "video/mp4", _mp4_codecs(data)
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]:
        return "video/webm", _webm_codecs(data)
    return None, []


def _decode(path: Path) -> tuple[float, int, int]:
    """Open the clip with the kiosk's decoder, decode one frame; (seconds, width, height)."""
    from ffpyplayer.player import MediaPlayer

    player = MediaPlayer(str(path), ff_opts={"an": True, "sn": True, "paused": False,
                                             "sync": "video"}, loglevel="quiet")
    try:
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        frame = None
        while time.monotonic() < deadline:
            frame, value = player.get_frame()
            if frame is not None or value == "eof":
                break
            time.sleep(0.01)
        meta = player.get_metadata()
        size = meta.get("src_vid_size") or (0, 0)
        if frame is None:
            raise ClipRefused(gettext(
                "This clip could not be played: no picture could be read from it. Export it "
                "again as MP4 (H.264) or WebM (VP9) and upload that file."))
        return float(meta.get("duration") or 0), int(size[0]), int(size[1])
    finally:
        player.close_player()


def check_clip(path: Path) -> ClipInfo:
    """What a kiosk needs to know of the clip at ``path``; ClipRefused says why not."""
    size = path.stat().st_size
    if size > protocol.MAX_VIDEO_BYTES:
        raise ClipRefused(gettext(
            "This clip is %(size).1f MB; a kiosk takes at most %(limit)d MB. Shorten it or "
            "export it at a lower quality.") % {"size": math.ceil(size * 10 / MB) / 10,
                                                 "limit": protocol.MAX_VIDEO_BYTES // MB})
    if size == 0:
        raise ClipRefused(gettext("The file is empty."))
    data = path.read_bytes()
    media_type, codecs = container(data)
    allowed = gettext("Kiosks play MP4 clips with H.264 video and WebM clips with VP8 or VP9 "
                      "video.")
    if media_type is None:
        raise ClipRefused(gettext("This file is not an MP4 or WebM video.") + " " + allowed)
    if not codecs:
        raise ClipRefused(gettext("This file has no video in it.") + " " + allowed)
    codec = codecs[0]
    if len(codecs) > 1 or codec not in protocol.VIDEO_CODECS[media_type]:
        raise ClipRefused(gettext("This clip's video is %(codec)s.") % {
            "codec": ", ".join(c.upper() for c in codecs)} + " " + allowed)
    try:
        seconds, width, height = _decode(path)
    except ClipRefused:
        raise
    except Exception:  # noqa: BLE001 - whatever the decoder says, the answer is the same
        raise ClipRefused(gettext(
            "This clip could not be played: no picture could be read from it. Export it "
            "again as MP4 (H.264) or WebM (VP9) and upload that file.")) from None
    ms = round(seconds * 1000)
    if ms > protocol.MAX_VIDEO_MS:
        raise ClipRefused(gettext(
            "This clip is %(length)s long; a sign-language clip may be at most %(limit)d "
            "minutes. Split it, or shorten it.") % {
                "length": f"{int(seconds) // 60}:{int(seconds) % 60:02d}",
                "limit": protocol.MAX_VIDEO_MS // 60000})
    if ms < 1:
        raise ClipRefused(gettext("This clip has no length. Export it again and upload that "
                                  "file."))
    if max(width, height) > protocol.MAX_VIDEO_SIDE or \
            min(width, height) < protocol.MIN_VIDEO_SIDE:
        raise ClipRefused(gettext(
            "This clip is %(width)d × %(height)d pixels; kiosks need from %(least)d pixels on "
            "its shorter side to %(most)d on its longer side (720p or 1080p serve well).") % {
                "width": width, "height": height, "least": protocol.MIN_VIDEO_SIDE,
                "most": protocol.MAX_VIDEO_SIDE})
    return ClipInfo(media_type, codec, ms, width, height, size,
                    hashlib.sha256(data).hexdigest())


# -- the library ------------------------------------------------------------------------------


class SignVideoForm(WagtailAdminModelForm):
    """Checks the uploaded clip before anything is saved; the refusal sits under the file
    field, in the staff member's language."""

    def clean_file(self) -> Any:
        from django.core.files.uploadedfile import UploadedFile

        f = self.cleaned_data.get("file")
        if not isinstance(f, UploadedFile):
            return f  # no new upload: the clip already checked and saved
        path = getattr(f, "temporary_file_path", None)
        if path is not None:
            info = self._check(Path(path()))
        else:
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".clip") as tmp:
                for chunk in f.chunks():
                    tmp.write(chunk)
                tmp.flush()
                info = self._check(Path(tmp.name))
            f.seek(0)
        self.clip_info = info
        return f

    def _check(self, path: Path) -> ClipInfo:
        try:
            return check_clip(path)
        except ClipRefused as e:
            raise ValidationError(str(e)) from None

    def save(self, commit: bool = True) -> Any:
        obj = super().save(commit=False)
        info = getattr(self, "clip_info", None)
        if info is not None:
            obj.apply(info)
        if commit:
            obj.save()
        return obj


def _vtt_time(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02d}:{m:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _clip_path(instance: KioskSignVideo, filename: str) -> str:
    suffix = ".webm" if filename.lower().endswith(".webm") else ".mp4"
    return f"sign-videos/{Path(filename).stem[:60]}{suffix}"


class KioskSignVideo(index.Indexed, models.Model):
    """One clip and its captions; records point at it (``sign_video``)."""

    title = models.CharField(_("Title"), max_length=255,
                             help_text=_("For staff: what the clip signs, to find it again."))
    file = models.FileField(
        _("Clip"), upload_to=_clip_path,
        help_text=_("MP4 (H.264) or WebM (VP8 or VP9), at most 20 MB and 3 minutes, "
                    "240 to 1920 pixels. Kiosks play it without sound."))
    captions_ar = models.TextField(_("Captions (Arabic)"), max_length=protocol.MAX_LONG,
                                   help_text=_("What is signed, written out: shown under the "
                                               "clip on the kiosk."))
    captions_en = models.TextField(_("Captions (English)"), max_length=protocol.MAX_LONG,
                                   help_text=_("What is signed, written out: shown under the "
                                               "clip on the kiosk."))
    # What the upload check found (check_clip): sent to kiosks with the clip.
    media_type = models.CharField(max_length=20, editable=False, default="")
    codec = models.CharField(max_length=10, editable=False, default="")
    duration_ms = models.PositiveIntegerField(editable=False, default=0)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    file_size = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False, default="", db_index=True)

    base_form_class = SignVideoForm
    panels = [FieldPanel("title"), FieldPanel("file"),
              FieldRowPanel([FieldPanel("captions_ar", widget=forms.Textarea(
                                 attrs={**RTL, "rows": 5})),
                             FieldPanel("captions_en", widget=forms.Textarea(
                                 attrs={**LTR, "rows": 5}))],
                            heading=_("Captions"))]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("sign-language clip")
        verbose_name_plural = _("sign-language clips")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def apply(self, info: ClipInfo) -> None:
        self.media_type, self.codec = info.media_type, info.codec
        self.duration_ms, self.width, self.height = info.duration_ms, info.width, info.height
        self.file_size, self.sha256 = info.size, info.sha256

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as f:
            return f.read()

    def problems(self) -> list[str]:
        """What keeps this clip off a kiosk, in words."""
        out = []
        if not self.captions_ar.strip():
            out.append(gettext("sign-language clip “%(title)s” has no Arabic captions")
                       % {"title": self.title})
        if not self.captions_en.strip():
            out.append(gettext("sign-language clip “%(title)s” has no English captions")
                       % {"title": self.title})
        if not self.sha256 or self.media_type not in protocol.VIDEO_TYPES:
            out.append(gettext("sign-language clip “%(title)s” was not checked; upload it "
                               "again") % {"title": self.title})
        return out

    def webvtt(self, lang: str) -> str:
        """The captions in ``lang`` as one WebVTT cue over the whole clip: the preview's
        caption track (the kiosk writes them under the clip)."""
        text = self.captions_ar if lang == "ar" else self.captions_en
        # A cue's text may not hold "-->" or a blank line; & and < are WebVTT's markup.
        text = re.sub(r"\n\s*\n", "\n", text.strip()).replace("-->", "→")
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        return f"WEBVTT\n\n00:00:00.000 --> {_vtt_time(max(1, self.duration_ms))}\n{text}\n"

    def preview(self, lang: str) -> dict[str, str]:
        """What the CMS preview shows of the clip in ``lang``: the file, its type, its
        captions and their track."""
        return {"url": self.file.url if self.file else "", "media_type": self.media_type,
                "captions": self.captions_ar if lang == "ar" else self.captions_en,
                "track": f"/cms/sign-captions/{self.pk}/{lang}.vtt" if self.pk else ""}

    def to_record(self) -> dict:
        return {"blob": self.sha256, "media_type": self.media_type,
                "duration_ms": self.duration_ms, "width": self.width, "height": self.height,
                "captions": {"ar": self.captions_ar.strip(), "en": self.captions_en.strip()}}


def sign_video_field() -> models.ForeignKey:
    """A record's optional clip, chosen from the library."""
    return models.ForeignKey(
        KioskSignVideo, verbose_name=_("Sign-language clip"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Optional. Where there is one, the kiosk offers “Sign language”, which "
                    "plays it with its captions."))


# The screens a site may give a clip of their own (kiosk.protocol SIGN_VIDEO_SCREENS), named
# as the kiosk titles them, for the site info's "Sign language for screens" rows.
SCREEN_NAMES = {
    "home": _("Home (What would you like to do?)"),
    "categories": _("Products by category"), "governorates": _("Products by governorate"),
    "manufacturers": _("Products by manufacturer"), "products": _("All products"),
    "search": _("Search"), "feedback": _("Send us a message"),
    "follow_up": _("Follow up a message"), "survey": _("Survey"), "poll": _("Poll"),
    "poll_results": _("Poll results"), "contact": _("Contact us (opening hours)"),
    "settings": _("Settings"), "thanks": _("Thank you"),
}
assert tuple(SCREEN_NAMES) == protocol.SIGN_VIDEO_SCREENS, "one name per screen, in order"
SCREEN_CHOICES = list(SCREEN_NAMES.items())


def with_sign_video(out: dict, clip: KioskSignVideo | None) -> dict:
    if clip is not None:
        out["sign_video"] = clip.to_record()
    return out
