"""Sign language for screens in the CMS, through real HTTP: a publisher gives the kiosk's home
and search screens a clip from the library on the site info snippet (its "Sign language for
screens" rows: a screen and a clip each), a screen given two clips is held back with a
sentence saying so, the published site record carries each screen's clip and a real kiosk
syncs it with the clip's bytes; the preview of the site info and of a record with a clip shows
the clip in a <video> with its caption track, and its captions, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import protocol
from tests.conftest import CentralDB
from tests.sign_clip import make_clip
from tests.test_central_cms import form_fields, get, pk_in_listing, post, sign_in
from tests.test_central_cms_kinds import preview, publish, rows, synced_kiosk
from tests.test_central_sign_video import cms_central, upload

CAPTIONS_AR = "اختر أحد المربعات لتبدأ."
CAPTIONS_EN = "Choose a tile to start."


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with cms_central(tmp_path_factory.mktemp("screen_sign_home"), central_catalogue_dir,
                     module_central_db) as server:
        yield server


@pytest.fixture(scope="module")
def clip(central, tmp_path_factory) -> tuple[str, bytes]:
    """A clip in the CMS library: its id and bytes."""
    path = tmp_path_factory.mktemp("screen_clip") / "home.webm"
    data = make_clip(path, codec="webm")
    publisher = sign_in(central, "pat")
    r = upload(publisher, central, "home, signed", path, captions_ar=CAPTIONS_AR,
               captions_en=CAPTIONS_EN)
    assert r.status_code == 302, r.text[-3000:]
    return pk_in_listing(publisher, central, "/cms/snippets/cms/kiosksignvideo/",
                         "home, signed"), data


def site_url(s, central) -> str:
    listing = get(s, central, "/cms/snippets/cms/siteinfo/").text
    return re.search(r'href="(/cms/snippets/cms/siteinfo/edit/\d+/)"', listing).group(1)


def test_a_publisher_gives_screens_a_clip_and_kiosks_get_it(central, clip, tmp_path):
    clip_id, data = clip
    publisher = sign_in(central, "pat")
    url = site_url(publisher, central)
    base = form_fields(get(publisher, central, url).text)
    assert base["screen_sign_videos-TOTAL_FORMS"] == "0"  # optional, none by default
    before = get(publisher, central, url).text
    assert "Sign language for screens" in before and 'value="poll_results"' in before
    assert 'value="attract"' not in before  # only the screens that may carry one

    # The same screen twice: refused, with a sentence naming the screen; nothing is kept.
    twice = {**base, **rows("screen_sign_videos", [{"screen": "home", "clip": clip_id},
                                                   {"screen": "home", "clip": clip_id}]),
             "action-publish": "publish"}
    r = post(publisher, central, url, data=twice)
    assert r.status_code == 200 and "Missing before this can be published:" in r.text
    assert "“Home (What would you like to do?)” is given a clip twice; keep one" in r.text
    assert form_fields(get(publisher, central, url).text)["screen_sign_videos-TOTAL_FORMS"] \
        == "0"

    # Home and search, once each: published, and a kiosk syncs both with the clip.
    once = {**base, **rows("screen_sign_videos", [{"screen": "home", "clip": clip_id},
                                                  {"screen": "search", "clip": clip_id}]),
            "action-publish": "publish"}
    r = post(publisher, central, url, data=once)
    assert r.status_code == 200 and "published" in r.text, r.text[:1500]
    assert "Missing before this can be published:" not in r.text
    assert form_fields(get(publisher, central, url).text)["screen_sign_videos-TOTAL_FORMS"] \
        == "2"
    _page, version = publish(publisher, central)
    dev = synced_kiosk(central, tmp_path / "kiosk", version)
    try:
        site = dev.store.site()
        assert sorted(site.screen_sign_videos) == ["home", "search"]
        video = site.screen_sign_video("home")
        assert video.blob == protocol.sha256_hex(data) and video.media_type == "video/webm"
        assert (video.captions.ar, video.captions.en) == (CAPTIONS_AR, CAPTIONS_EN)
        assert site.screen_sign_video("feedback") is None
        assert dev.blobs.path(video.blob).read_bytes() == data
        blob = next(b for b in dev.store.active_manifest().blobs if b.sha256 == video.blob)
        assert blob.media_type == "video/webm" and blob.size == len(data)
    finally:
        dev.close()


def assert_clip_shown(s, central, side: str, lang: str) -> None:
    video = re.search(r"<video [^>]*>.*?</video>", side, re.S)
    assert video, side[-2000:]
    src = re.search(r'<source src="([^"]+)" type="video/webm">', video.group(0)).group(1)
    track = re.search(r'<track kind="captions" srclang="' + lang + r'"[^>]* src="([^"]+)"',
                      video.group(0)).group(1)
    assert "muted" in video.group(0)
    heading, captions = ("لغة الإشارة", CAPTIONS_AR) if lang == "ar" else \
        ("Sign language", CAPTIONS_EN)
    assert f"<h2>{heading}</h2>" in side and captions in side
    assert get(s, central, src).status_code == 200
    vtt = get(s, central, track)
    assert vtt.headers["Content-Type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT") and captions in vtt.text
    assert re.search(r"00:00:00\.000 --> 00:00:0[34]\.\d{3}", vtt.text), vtt.text


def test_the_preview_shows_a_records_clip_with_its_captions_in_both_languages(central, clip):
    clip_id, _data = clip
    publisher = sign_in(central, "pat")
    faq_id = pk_in_listing(publisher, central, "/cms/snippets/cms/faq/", "What is the mark?")
    fields = form_fields(get(publisher, central, f"/cms/snippets/cms/faq/edit/{faq_id}/").text)
    ar, en = preview(publisher, central, "faq", faq_id, fields)
    assert "<video" not in ar and "<video" not in en  # no clip chosen: nothing of the kind
    fields["sign_video"] = clip_id
    ar, en = preview(publisher, central, "faq", faq_id, fields)
    assert_clip_shown(publisher, central, ar, "ar")
    assert_clip_shown(publisher, central, en, "en")
    assert CAPTIONS_EN not in ar and CAPTIONS_AR not in en


def test_the_site_infos_preview_names_each_screens_clip(central, clip):
    clip_id, _data = clip
    publisher = sign_in(central, "pat")
    url = site_url(publisher, central)
    pk = url.rstrip("/").rsplit("/", 1)[1]
    fields = {**form_fields(get(publisher, central, url).text),
              **rows("screen_sign_videos", [{"screen": "contact", "clip": clip_id}])}
    ar, en = preview(publisher, central, "siteinfo", pk, fields)
    assert_clip_shown(publisher, central, ar, "ar")
    assert_clip_shown(publisher, central, en, "en")
    assert "اتصل بنا (مواعيد العمل)" in ar and "Contact us (opening hours)" in en
