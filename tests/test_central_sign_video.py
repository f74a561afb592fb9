"""Sign-language clips in the CMS (central/cms/videos.py), with clips made at test time
(tests/sign_clip.py, never anyone's signing): the upload check takes MP4/H.264 and WebM/VP8/VP9
within the limits and refuses any other codec, a file that is not a video, a clip over 20 MB,
over 3 minutes or under 240 pixels, each with a sentence in the staff member's language (the
Arabic catalogue too); through real HTTP, a publisher's upload is refused with that sentence
on the form, a good one joins the library, is chosen on an FAQ entry and published, and a real
kiosk syncs the entry with its clip, byte for byte."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kiosk import protocol
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import CentralDB, published_central
from tests.sign_clip import make_clip
from tests.test_central_cms import PASSWORD, form_fields, get, pk_in_listing, post, sign_in


@pytest.fixture(scope="module")
def django_ready(tmp_path_factory):
    os.environ.setdefault("CENTRAL_HOME", str(tmp_path_factory.mktemp("sign_central_home")))
    import central.orm  # noqa: F401 - Django set up, with the CMS's catalogue


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("clips")
    made = {"h264.mp4": dict(codec="mp4"), "vp8.webm": dict(codec="webm"),
            "vp9.webm": dict(codec="vp9"), "mpeg4.mp4": dict(codec="mpeg4"),
            "tiny.mp4": dict(codec="mp4", size=(160, 120)),
            "long.mp4": dict(codec="mp4", seconds=181, fps=1, size=(240, 240))}
    for name, kw in made.items():
        make_clip(root / name, **kw)
    (root / "huge.mp4").write_bytes(b"\0\0\0\x18ftypisom" + b"\0" * protocol.MAX_VIDEO_BYTES)
    (root / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    return {p.name: p for p in root.iterdir()}


def test_the_upload_check_takes_what_kiosks_play(django_ready, clips):
    from central.cms.videos import check_clip

    for name, media_type, codec in (("h264.mp4", "video/mp4", "h264"),
                                    ("vp8.webm", "video/webm", "vp8"),
                                    ("vp9.webm", "video/webm", "vp9")):
        info = check_clip(clips[name])
        assert (info.media_type, info.codec) == (media_type, codec)
        assert (info.width, info.height) == (320, 240)
        assert 3900 <= info.duration_ms <= 4100
        assert info.sha256 == protocol.sha256_hex(clips[name].read_bytes())


@pytest.mark.parametrize("name, english, arabic", [
    ("mpeg4.mp4", "This clip's video is MPEG4. Kiosks play MP4 clips with H.264 video",
     "فيديو هذا المقطع بترميز MPEG4"),
    ("picture.png", "This file is not an MP4 or WebM video.", "هذا الملف ليس فيديو MP4 أو WebM."),
    ("huge.mp4", "This clip is 20.1 MB; a kiosk takes at most 20 MB.",
     "حجم هذا المقطع 20.1 ميغابايت"),
    ("long.mp4", "This clip is 3:01 long; a sign-language clip may be at most 3 minutes.",
     "مدة هذا المقطع 3:01"),
    ("tiny.mp4", "This clip is 160 × 120 pixels; kiosks need from 240 pixels",
     "أبعاد هذا المقطع 160 × 120 بكسل"),
])
def test_the_upload_check_refuses_others_saying_why_in_the_staff_members_language(
        django_ready, clips, name, english, arabic):
    from django.utils.translation import override

    from central.cms.videos import ClipRefused, check_clip

    with override("en"), pytest.raises(ClipRefused) as refused:
        check_clip(clips[name])
    assert english in str(refused.value)
    with override("ar"), pytest.raises(ClipRefused) as refused:
        check_clip(clips[name])
    assert arabic in str(refused.value)


def test_the_wire_format_refuses_a_clip_over_its_limits():
    good = {"blob": "a" * 64, "media_type": "video/mp4", "duration_ms": 4000, "width": 320,
            "height": 240, "captions": {"ar": "نص", "en": "Text"}}
    protocol.SignVideo.model_validate(good)
    for change in ({"duration_ms": protocol.MAX_VIDEO_MS + 1}, {"width": 100},
                   {"height": protocol.MAX_VIDEO_SIDE + 1}, {"media_type": "video/quicktime"},
                   {"captions": {"ar": "", "en": "Text"}}):
        with pytest.raises(ValueError):
            protocol.SignVideo.model_validate({**good, **change})
    big = {"sha256": "b" * 64, "size": protocol.MAX_VIDEO_BYTES + 1, "media_type": "video/mp4"}
    with pytest.raises(ValueError):
        protocol.BlobRef.model_validate(big)
    # A picture keeps its own, smaller limit.
    with pytest.raises(ValueError):
        protocol.BlobRef.model_validate({**big, "size": protocol.MAX_BLOB_BYTES + 1,
                                         "media_type": "image/png"})
    protocol.BlobRef.model_validate({**big, "size": protocol.MAX_VIDEO_BYTES})


# -- through the CMS ---------------------------------------------------------------------------


@contextmanager
def cms_central(home: Path, catalogue: Path, db: CentralDB) -> Iterator[Any]:
    """A published central with its catalogue in the CMS and a publisher, pat."""
    with published_central(home, catalogue, db=db) as server:
        server.cli("create-staff", "pat", "--role", "publisher", input=PASSWORD + "\n")
        server.cli("cms-import")
        yield server


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with cms_central(tmp_path_factory.mktemp("sign_cms_home"), central_catalogue_dir,
                     module_central_db) as server:
        yield server


ADD = "/cms/snippets/cms/kiosksignvideo/add/"


def upload(s, central, title: str, path: Path, captions_ar: str = "يصنع الإسمنت في عُمان.",
           captions_en: str = "The cement is made in Oman."):
    page = get(s, central, ADD)
    fields = form_fields(page.text)
    fields.update(title=title, captions_ar=captions_ar, captions_en=captions_en)
    kind = "video/webm" if path.suffix == ".webm" else "video/mp4"
    return post(s, central, ADD, data=fields, files={"file": (path.name, path.read_bytes(), kind)},
                allow_redirects=False)


def test_a_clip_uploaded_in_the_cms_reaches_a_kiosk_with_its_faq_entry(central, clips,
                                                                       tmp_path):
    publisher = sign_in(central, "pat")
    # Refused, with the sentence on the form; nothing is saved.
    r = upload(publisher, central, "wrong codec", clips["mpeg4.mp4"])
    assert r.status_code == 200 and "This clip&#x27;s video is MPEG4" in r.text, r.text[-3000:]
    r = upload(publisher, central, "too long", clips["long.mp4"])
    assert r.status_code == 200 and "at most 3 minutes" in r.text
    r = upload(publisher, central, "no captions", clips["h264.mp4"], captions_ar="")
    assert r.status_code == 200 and "This field is required" in r.text
    listing = get(publisher, central, "/cms/snippets/cms/kiosksignvideo/").text
    assert "wrong codec" not in listing and "too long" not in listing
    # A good one joins the library.
    r = upload(publisher, central, "the mark, signed", clips["h264.mp4"])
    assert r.status_code == 302, r.text[-3000:]
    clip_id = pk_in_listing(publisher, central, "/cms/snippets/cms/kiosksignvideo/",
                            "the mark, signed")
    # Chosen on the FAQ entry, published, and published to kiosks.
    faq_id = pk_in_listing(publisher, central, "/cms/snippets/cms/faq/", "What is the mark?")
    url = f"/cms/snippets/cms/faq/edit/{faq_id}/"
    fields = form_fields(get(publisher, central, url).text)
    fields.update(sign_video=clip_id, **{"action-publish": "publish"})
    r = post(publisher, central, url, data=fields)
    assert r.status_code == 200 and "published" in r.text, r.text[:1500]
    page = get(publisher, central, "/cms/kiosks/publish/")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    token = form_fields(page.text, None)["csrfmiddlewaretoken"]
    r = post(publisher, central, "/cms/kiosks/publish/",
             data={"csrfmiddlewaretoken": token, "fingerprint": fingerprint})
    version = int(re.search(r"Version (\d+) is published", r.text).group(1))
    # A kiosk syncs the entry with its clip.
    data = clips["h264.mp4"].read_bytes()
    kiosk = KioskDevice(KioskPaths(tmp_path / "kiosk"))
    try:
        kiosk.provision(central.url, central.cli("enrollment-code").stdout.strip(),
                        name="sign kiosk")
        result = kiosk.sync()
        assert result.outcome == "updated" and kiosk.store.active_version() == version
        faq = kiosk.store.record("faq", "what-is-mark")
        video = faq.sign_video
        assert video is not None and video.blob == protocol.sha256_hex(data)
        assert (video.media_type, video.width, video.height) == ("video/mp4", 320, 240)
        assert video.captions.en == "The cement is made in Oman."
        assert video.captions.ar == "يصنع الإسمنت في عُمان."
        assert kiosk.blobs.path(video.blob).read_bytes() == data
        blob = next(b for b in kiosk.store.active_manifest().blobs if b.sha256 == video.blob)
        assert blob.media_type == "video/mp4" and blob.size == len(data)
    finally:
        kiosk.close()
