"""The wire format: what kiosk and central accept and reject, and the messages they give."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from nacl.signing import SigningKey

from kiosk import protocol as p

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
IMG = "a" * 64


def bi(en: str, ar: str = "نص") -> dict:
    return {"ar": ar, "en": en}


def small_catalogue() -> p.Catalogue:
    return p.Catalogue.from_json(
        {
            "schema": 1,
            "category": [{"id": "dates", "name": bi("Dates", "تمور"),
                          "description": bi("Dates and food"), "order": 1}],
            "certification": [{"id": "made_in_oman", "name": bi("Made in Oman", "صنع في عُمان"),
                               "description": bi("The national mark")}],
            "manufacturer": [{"id": "nakhla", "name": bi("Nakhla Farms", "مزارع النخلة"),
                              "governorate": "al_batinah_north", "description": bi("A farm")}],
            "product": [{
                "id": "khalas-dates", "code": "MIO-DT-0001", "name": bi("Khalas dates", "تمر خلاص"),
                "description": bi("Soft dates."), "category_id": "dates",
                "manufacturer_id": "nakhla", "governorate": "al_batinah_north",
                "images": [{"blob": IMG, "alt": bi("A bowl of dates", "صحن تمر")}],
                "certifications": ["made_in_oman"],
                "portal_url": "https://madeinoman.om/products/khalas-dates",
            }],
        }
    )


def snapshot(version: int = 3, created: datetime = NOW, ttl: timedelta = timedelta(days=7)):
    return p.build_snapshot(small_catalogue(), {IMG: (1234, "image/png")}, version, created,
                            created + ttl)


def test_signed_manifest_verifies_with_the_pinned_key():
    key = SigningKey.generate()
    snap = snapshot()
    doc = p.sign_manifest(snap.manifest, key)
    m = p.verify_manifest(doc, key.verify_key)
    assert m.version == 3
    assert m.index.sha256 == p.sha256_hex(snap.index_bytes)
    assert [b.sha256 for b in m.blobs] == [IMG]


def test_a_changed_byte_fails_verification():
    key = SigningKey.generate()
    doc = p.sign_manifest(snapshot().manifest, key)
    tampered = doc.replace(b'"version":3', b'"version":4')
    assert tampered != doc
    with pytest.raises(p.ProtocolError, match="does not verify"):
        p.verify_manifest(tampered, key.verify_key)


def test_every_single_byte_flip_is_refused():
    key = SigningKey.generate()
    doc = p.sign_manifest(snapshot().manifest, key)
    for i in range(0, len(doc), max(1, len(doc) // 60)):
        flipped = doc[:i] + bytes([doc[i] ^ 0x01]) + doc[i + 1:]
        with pytest.raises(p.ProtocolError):
            p.verify_manifest(flipped, key.verify_key)


def test_another_key_fails_verification():
    doc = p.sign_manifest(snapshot().manifest, SigningKey.generate())
    with pytest.raises(p.ProtocolError, match="not signed by the pinned key"):
        p.verify_manifest(doc, SigningKey.generate().verify_key)


def test_truncated_manifest_is_refused_with_a_clear_message():
    key = SigningKey.generate()
    doc = p.sign_manifest(snapshot().manifest, key)
    with pytest.raises(p.ProtocolError, match="truncated or corrupted"):
        p.verify_manifest(doc[: len(doc) // 2], key.verify_key)


def test_an_expired_manifest_is_detectable():
    key = SigningKey.generate()
    old = snapshot(created=NOW - timedelta(days=10))
    m = p.verify_manifest(p.sign_manifest(old.manifest, key), key.verify_key)
    assert m.is_expired(NOW)
    fresh = p.verify_manifest(p.sign_manifest(snapshot().manifest, key), key.verify_key)
    assert not fresh.is_expired(NOW + timedelta(days=6))
    assert fresh.is_expired(NOW + timedelta(days=7))


def test_index_and_records_check_against_their_hashes():
    snap = snapshot()
    idx = p.parse_index(snap.index_bytes, snap.manifest.index)
    sha = idx.records["product"]["khalas-dates"]
    rec = p.parse_record_bytes("product", snap.record_bytes[sha], sha)
    assert rec.name.ar == "تمر خلاص"
    with pytest.raises(p.ProtocolError, match="does not match its hash"):
        p.parse_record_bytes("product", snap.record_bytes[sha].replace(b"Soft", b"Hard"), sha)
    with pytest.raises(p.ProtocolError, match="does not match its hash"):
        p.parse_index(snap.index_bytes.replace(b"dates", b"datez"), snap.manifest.index)


def test_unchanged_records_keep_their_hashes_across_versions():
    a, b = snapshot(version=3), snapshot(version=4, created=NOW + timedelta(hours=1))
    assert a.index_bytes == b.index_bytes
    assert a.manifest.index == b.manifest.index


def test_canonical_json_is_a_fixpoint():
    snap = snapshot()
    for body in snap.record_bytes.values():
        assert p.canonical_json(json.loads(body)) == body


def test_unknown_field_is_named():
    data = small_catalogue().to_json()
    data["product"][0]["colour"] = "brown"
    with pytest.raises(p.ProtocolError, match=r"product khalas-dates\.colour: unknown field"):
        p.Catalogue.from_json(data)


def test_missing_translation_is_named():
    data = small_catalogue().to_json()
    del data["product"][0]["description"]["ar"]
    with pytest.raises(p.ProtocolError,
                       match=r"product khalas-dates\.description\.ar: missing translation"):
        p.Catalogue.from_json(data)


def test_missing_field_is_named():
    data = small_catalogue().to_json()
    del data["product"][0]["portal_url"]
    with pytest.raises(p.ProtocolError, match=r"portal_url: missing field"):
        p.Catalogue.from_json(data)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "media/abc.png",
                                 "https://example.com/a.png"])
def test_a_path_or_url_where_a_hash_belongs_is_refused(bad):
    data = small_catalogue().to_json()
    data["product"][0]["images"][0]["blob"] = bad
    with pytest.raises(p.ProtocolError, match="got a path or URL"):
        p.Catalogue.from_json(data)


def test_a_bad_hash_is_refused():
    data = small_catalogue().to_json()
    data["product"][0]["images"][0]["blob"] = "ABC123"
    with pytest.raises(p.ProtocolError, match="expected a SHA-256 hash"):
        p.Catalogue.from_json(data)


def test_a_path_like_id_is_refused():
    data = small_catalogue().to_json()
    data["product"][0]["id"] = "../secrets"
    with pytest.raises(p.ProtocolError, match="may not look like a path"):
        p.Catalogue.from_json(data)


def test_a_text_over_its_limit_is_refused():
    data = small_catalogue().to_json()
    data["product"][0]["name"]["en"] = "x" * (p.MAX_NAME + 1)
    with pytest.raises(p.ProtocolError, match="name.en: too long"):
        p.Catalogue.from_json(data)


def test_a_blob_over_its_size_limit_is_refused_in_the_manifest():
    snap = snapshot()
    data = snap.manifest.to_json()
    data["blobs"][0]["size"] = p.MAX_BLOB_BYTES + 1
    with pytest.raises(ValueError, match="less than or equal"):
        p.Manifest.model_validate(data)


def test_dangling_references_are_refused():
    data = small_catalogue().to_json()
    data["product"][0]["category_id"] = "perfume"
    with pytest.raises(p.ProtocolError, match="category 'perfume' does not exist"):
        p.Catalogue.from_json(data)


def test_images_must_be_uploaded_before_a_snapshot_is_built():
    with pytest.raises(p.ProtocolError, match="referenced but not uploaded"):
        p.build_snapshot(small_catalogue(), {}, 1, NOW, NOW + timedelta(days=1))


def test_blob_check_names_size_and_hash_problems():
    ref = p.BlobRef(sha256=p.sha256_hex(b"hello"), size=5, media_type="image/png")
    p.check_blob(b"hello", ref)
    with pytest.raises(p.ProtocolError, match="bytes, expected 5"):
        p.check_blob(b"hello!", ref)
    with pytest.raises(p.ProtocolError, match="does not match its hash"):
        p.check_blob(b"jello", ref)


def sub(**over) -> dict:
    base = {"id": "0b6f3c1e-8a2d-4c39-9d4e-3f1a2b3c4d5e", "type": "feedback",
            "created_at": "2026-11-28T10:00:00Z", "lang": "ar", "content_version": 3,
            "payload": {"kind": "comment", "text": "شكراً"}}
    base.update(over)
    return base


def test_submission_payload_is_checked_by_its_type():
    assert p.parse_submission(sub()).payload["text"] == "شكراً"
    with pytest.raises(p.ProtocolError, match="submission 0b6f3c1e"):
        p.parse_submission(sub(payload={"kind": "praise", "text": "x"}))
    with pytest.raises(p.ProtocolError):
        p.parse_submission(sub(type="poll_vote"))


def test_submission_fingerprint_changes_with_the_body():
    a = p.parse_submission(sub())
    b = p.parse_submission(sub(payload={"kind": "comment", "text": "شكرا"}))
    assert p.submission_fingerprint(a) == p.submission_fingerprint(p.parse_submission(sub()))
    assert p.submission_fingerprint(a) != p.submission_fingerprint(b)


def test_sealed_contact_opens_only_with_centrals_private_key():
    central = PrivateKey.generate()
    sealed = p.seal_contact({"phone": "99112233"}, p.b64(bytes(central.public_key)))
    assert b"99112233" not in p.unb64(sealed)
    s = p.parse_submission(sub(sealed_contact=sealed))
    opened = SealedBox(central).decrypt(p.unb64(s.sealed_contact))
    assert json.loads(opened) == {"phone": "99112233"}
    with pytest.raises(CryptoError):
        SealedBox(PrivateKey.generate()).decrypt(p.unb64(sealed))


def _two_indexes():
    a = snapshot(version=3)
    data = small_catalogue().to_json()
    data["product"][0]["name"]["en"] = "Khalas dates, new harvest"
    data["category"].append({"id": "perfume", "name": bi("Perfume", "عطور"),
                             "description": bi("Scents"), "order": 2})
    b = p.build_snapshot(p.Catalogue.from_json(data), {IMG: (1234, "image/png")}, 4, NOW,
                         NOW + timedelta(days=7))
    return a, b


def test_an_index_delta_rebuilds_exactly_the_signed_index():
    a, b = _two_indexes()
    delta = p.make_delta(a.index, b.index)
    assert len(delta) < len(b.index_bytes)
    ref = p.DeltaRef(from_version=3, sha256=p.sha256_hex(delta), size=len(delta))
    rebuilt, body = p.apply_delta(a.index, delta, ref, b.manifest.index)
    assert body == b.index_bytes
    assert rebuilt.records["category"]["perfume"] == b.index.records["category"]["perfume"]
    # Removals travel too.
    back = p.make_delta(b.index, a.index)
    ref2 = p.DeltaRef(from_version=4, sha256=p.sha256_hex(back), size=len(back))
    assert p.apply_delta(b.index, back, ref2, a.manifest.index)[1] == a.index_bytes


def test_a_delta_for_another_base_or_tampered_is_refused():
    a, b = _two_indexes()
    delta = p.make_delta(a.index, b.index)
    ref = p.DeltaRef(from_version=3, sha256=p.sha256_hex(delta), size=len(delta))
    with pytest.raises(p.ProtocolError, match="made for another version"):
        p.apply_delta(b.index, delta, ref, b.manifest.index)
    evil = delta[:-10] + (b"0" if delta[-10:-9] != b"0" else b"1") + delta[-9:]
    assert evil != delta
    with pytest.raises(p.ProtocolError, match="does not match its hash"):
        p.apply_delta(a.index, evil, ref, b.manifest.index)
    # A delta that hashes right but rebuilds something else than the signed index.
    other = p.make_delta(a.index, a.index)
    ref3 = p.DeltaRef(from_version=3, sha256=p.sha256_hex(other), size=len(other))
    with pytest.raises(p.ProtocolError, match="the manifest says"):
        p.apply_delta(a.index, other, ref3, b.manifest.index)


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "x\ud800", "\udfffy"])
def test_every_inbound_message_refuses_nul_and_lone_surrogates(bad):
    from pydantic import ValidationError

    sub = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "type": "feedback",
           "created_at": "2026-11-28T09:00:00Z", "lang": "ar", "content_version": 1,
           "payload": {"kind": "comment", "text": bad}}
    with pytest.raises(p.ProtocolError, match="remove it and send the text again"):
        p.parse_submission(sub)
    with pytest.raises(p.ProtocolError, match="a key in"):
        p.parse_submission({**sub, "payload": {"kind": "comment", "text": "ok", bad: "x"}})
    for model, body in ((p.EnrollRequest, {"code": "ABCD-EFGH", "name": bad}),
                        (p.CommandResult, {"id": "c1", "ok": True, "result": bad}),
                        (p.Heartbeat, {"app_version": bad, "content_version": 1,
                                       "content_source": "central", "stale": False,
                                       "outbox_pending": 0, "outbox_dead": 0,
                                       "uptime_s": 1})):
        with pytest.raises(ValidationError, match="remove it"):
            model.model_validate(body)
    # Ordinary text, Arabic and emoji included, passes.
    p.parse_submission({**sub, "payload": {"kind": "comment", "text": "شكراً 👍 thanks"}})


def test_a_time_with_no_utc_equivalent_is_a_validation_error_not_a_crash():
    # Found by the fuzzer: year 1 at +00:01 is before the first UTC instant Python can hold.
    from pydantic import ValidationError

    from kiosk.protocol.devices import Problem

    with pytest.raises(ValidationError, match="out of range"):
        Problem.model_validate({"code": "disk_nearly_full", "message": "The disk is full",
                                "since": "0001-01-01T00:00:00+00:01"})


CLIP = "c" * 64
SITE = {
    "id": "site", "portal_name": bi("Made in Oman", "صنع في عُمان"), "call_centre": "80001234",
    "portal_url": "https://madeinoman.om", "timezone": "Asia/Muscat",
    "office_hours": [{"days": ["sun", "mon"], "opens": "07:30", "closes": "14:30"}],
    "address": bi("Muscat"), "open_data_licence": bi("CC BY 4.0"),
}


def screen_clip(captions_en: str = "How to use this screen") -> dict:
    return {"blob": CLIP, "media_type": "video/webm", "duration_ms": 4000, "width": 320,
            "height": 240, "captions": bi(captions_en, "كيف تستخدم هذه الشاشة")}


def test_a_site_without_screen_clips_keeps_its_json_and_hash():
    site = p.parse_record("site", SITE)
    assert site.screen_sign_videos is None and site.screen_sign_video("home") is None
    # No new key: the same canonical JSON as before the field existed, so the same hash.
    assert p.record_to_json(site) == {**SITE, "holidays": []}


def test_a_screens_clip_is_in_the_manifest_like_a_records_clip():
    data = small_catalogue().to_json()
    data["site"] = [{**SITE, "screen_sign_videos": {"home": screen_clip(),
                                                    "search": screen_clip("Search")}}]
    cat = p.Catalogue.from_json(data)
    site = cat.of("site")["site"]
    assert site.screen_sign_video("search").captions.en == "Search"
    assert site.screen_sign_video("feedback") is None
    assert cat.video_refs() == {CLIP: "video/webm"}
    assert CLIP in cat.blob_refs()
    snap = p.build_snapshot(cat, {IMG: (1234, "image/png"), CLIP: (5000, "video/webm")}, 3,
                            NOW, NOW + timedelta(days=7))
    assert {(b.sha256, b.media_type) for b in snap.manifest.blobs} == \
        {(IMG, "image/png"), (CLIP, "video/webm")}
    with pytest.raises(p.ProtocolError, match="not uploaded"):
        p.build_snapshot(cat, {IMG: (1234, "image/png")}, 3, NOW, NOW + timedelta(days=7))


@pytest.mark.parametrize("screen", ["attract", "admin", "product", "../home", "Home"])
def test_a_clip_for_a_screen_that_can_not_carry_one_is_refused(screen):
    with pytest.raises(p.ProtocolError, match=f"screen_sign_videos.*{screen[:2]}"):
        p.parse_record("site", {**SITE, "screen_sign_videos": {screen: screen_clip()}})


def test_the_screens_that_may_carry_a_clip_are_real_screens_without_records_of_their_own():
    from screens.registry import SCREENS

    assert set(p.SIGN_VIDEO_SCREENS) <= set(SCREENS)
    assert not set(p.SIGN_VIDEO_SCREENS) & {"attract", "setup", "admin", "technician_pin",
                                            "product", "news", "faq", "guide", "policies"}
