"""Content snapshots: staging stays invisible, activation is one atomic step that survives
crashes, one previous version is kept for rollback, and what no snapshot uses is removed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading

import pytest

from kiosk.protocol import BlobRef, Catalogue, ProtocolError, canonical_json, sha256_hex
from offline_cache.blobs import BlobStore
from offline_cache.store import ContentStore, StoreError, schema
from tests.catalogue_factory import (
    catalogue_data,
    install,
    make_catalogue,
    make_snapshot,
    write_catalogue_dir,
)
from tests.helpers import ROOT


@pytest.fixture
def store(tmp_path):
    s = ContentStore(tmp_path / "content.db", BlobStore(tmp_path / "blobs"))
    yield s
    s.close()


def renamed(data: dict, product_id: str, en: str) -> Catalogue:
    """The catalogue ``data`` with one product's English name changed."""
    data = json.loads(json.dumps(data))
    for p in data["product"]:
        if p["id"] == product_id:
            p["name"]["en"] = en
    return Catalogue.from_json(data)


def stage(store, snap, images, put=True):
    store.begin_snapshot(snap.manifest, snap.index, "central")
    kinds = {h: k for k, ids in snap.index.records.items() for h in ids.values()}
    if put:
        store.put_records((kinds[h], h, snap.record_bytes[h])
                          for h in store.missing_records(snap.index))
    for ref in snap.manifest.blobs:
        store.blobs.put_bytes(ref, images[ref.sha256])


def test_empty_store_has_no_content(store):
    assert store.active_version() is None
    assert store.active_manifest() is None
    assert store.categories() == []
    assert store.products().total == 0
    assert store.search("عسل").total == 0


def test_demo_catalogue_dir_is_imported_through_the_sync_path(store, tmp_path):
    data, images = catalogue_data(30)
    folder = write_catalogue_dir(tmp_path / "demo", data, images)
    version = store.import_catalogue_dir(folder)
    assert store.active_version() == version
    assert store.active_source() == "demo"
    assert store.product_count() == 30
    assert all(store.blobs.has(h) for h in images)
    store.verify_active()


def test_importing_the_same_demo_again_changes_nothing(store, tmp_path):
    data, images = catalogue_data(10)
    folder = write_catalogue_dir(tmp_path / "demo", data, images)
    first = store.import_catalogue_dir(folder)
    assert store.import_catalogue_dir(folder) == first
    assert [s.version for s in store.snapshots()] == [first]


def test_a_reader_sees_the_old_version_while_the_new_one_is_staged(store, tmp_path):
    data, images = catalogue_data(20)
    install(store, make_snapshot(Catalogue.from_json(data), images, 1), images)
    v2 = make_snapshot(renamed(data, "halwa-omani", "Sultan's Halwa"), images, 2)
    stage(store, v2, images)

    reader = ContentStore(tmp_path / "content.db")
    assert reader.active_version() == 1
    assert reader.product("halwa-omani").product.name.en == "Omani Halwa"
    assert reader.search("sultan").total == 0

    store.activate(2)
    assert reader.active_version() == 2
    assert reader.product("halwa-omani").product.name.en == "Sultan's Halwa"
    assert reader.search("sultan").product_ids == ["halwa-omani"]
    reader.close()


def test_readers_in_another_thread_never_see_a_half_switched_catalogue(store, tmp_path):
    small, images = catalogue_data(40, seed=1)
    big, big_images = catalogue_data(120, seed=2)
    install(store, make_snapshot(Catalogue.from_json(small), images, 1), images)
    seen: set[int] = set()
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        reader = ContentStore(tmp_path / "content.db")
        while not done.is_set():
            with reader._read():  # one read transaction: list and count must agree
                total = reader.products(limit=500).total
                per_category = sum(c.product_count for c in reader.categories())
            seen.add(total)
            if total != per_category:
                errors.append(f"{total} products but categories count {per_category}")
        reader.close()

    t = threading.Thread(target=read)
    t.start()
    try:
        for v in range(2, 6):
            data, imgs = (big, big_images) if v % 2 == 0 else (small, images)
            install(store, make_snapshot(Catalogue.from_json(data), imgs, v), imgs)
    finally:
        done.set()
        t.join()
    assert not errors
    assert seen <= {40, 120}


def test_a_bad_record_refuses_the_batch_and_leaves_the_old_version(store):
    data, images = catalogue_data(10)
    install(store, make_snapshot(Catalogue.from_json(data), images, 1), images)
    v2 = make_snapshot(renamed(data, "halwa-omani", "Changed"), images, 2)
    store.begin_snapshot(v2.manifest, v2.index, "central")
    h = v2.index.records["product"]["halwa-omani"]
    with pytest.raises(ProtocolError, match="does not match its hash"):
        store.put_records([("product", h, v2.record_bytes[h].replace(b"Changed", b"Chenged"))])
    with pytest.raises(ProtocolError, match="incomplete"):
        store.activate(2)
    assert store.active_version() == 1
    assert store.product("halwa-omani").product.name.en == "Omani Halwa"


def test_a_record_of_the_wrong_kind_is_refused(store):
    data, images = catalogue_data(5)
    snap = make_snapshot(Catalogue.from_json(data), images, 1)
    h = snap.index.records["faq"]["faq-1"]
    with pytest.raises(ProtocolError):
        store.put_records([("product", h, snap.record_bytes[h])])


def test_activation_refuses_a_snapshot_with_missing_images(store):
    data, images = catalogue_data(5)
    snap = make_snapshot(Catalogue.from_json(data), images, 1)
    store.begin_snapshot(snap.manifest, snap.index, "central")
    kinds = {h: k for k, ids in snap.index.records.items() for h in ids.values()}
    store.put_records((kinds[h], h, b) for h, b in snap.record_bytes.items())
    with pytest.raises(ProtocolError, match="missing .* images"):
        store.activate(1)
    assert store.active_version() is None


def test_an_error_inside_activation_leaves_the_old_version_whole(store, monkeypatch):
    data, images = catalogue_data(12)
    install(store, make_snapshot(Catalogue.from_json(data), images, 1), images)
    v2 = make_snapshot(renamed(data, "halwa-omani", "Changed"), images, 2)
    stage(store, v2, images)
    real = schema.rebuild_views

    def half_then_crash(c, snap_id):
        real(c, snap_id)  # the new tables are fully written inside the transaction...
        raise OSError("disk unplugged")  # ...and then everything must be undone

    monkeypatch.setattr(schema, "rebuild_views", half_then_crash)
    with pytest.raises(OSError):
        store.activate(2)
    monkeypatch.undo()
    assert store.active_version() == 1
    assert store.product("halwa-omani").product.name.en == "Omani Halwa"
    assert store.search("changed").total == 0
    store.verify_active()
    store.activate(2)  # still staged, so a retry works
    assert store.product("halwa-omani").product.name.en == "Changed"


_STAGER = r"""
import sys
from kiosk.protocol import Catalogue
from offline_cache.blobs import BlobStore
from offline_cache.store import ContentStore
from tests.catalogue_factory import catalogue_data, make_snapshot

db, blobs = sys.argv[1], sys.argv[2]
store = ContentStore(db, BlobStore(blobs))
v = (store.active_version() or 0) + 1
while True:
    data, images = catalogue_data(150, seed=v)
    snap = make_snapshot(Catalogue.from_json(data), images, v)
    store.begin_snapshot(snap.manifest, snap.index, "central")
    print("begin", v, flush=True)
    kinds = {h: k for k, ids in snap.index.records.items() for h in ids.values()}
    missing = sorted(store.missing_records(snap.index))
    for i in range(0, len(missing), 40):
        store.put_records((kinds[h], h, snap.record_bytes[h]) for h in missing[i:i + 40])
        print("put", v, flush=True)
    for ref in snap.manifest.blobs:
        store.blobs.put_bytes(ref, images[ref.sha256])
    print("activating", v, flush=True)
    store.activate(v)
    print("active", v, flush=True)
    v += 1
"""


def test_kill_9_while_staging_or_activating_leaves_a_complete_verified_snapshot(tmp_path):
    db, blobs = tmp_path / "content.db", tmp_path / "blobs"
    rng = random.Random(7)
    for trial in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _STAGER, str(db), str(blobs)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        activated: list[int] = []
        # Wait for a chosen event (a line), then kill at once: landing before, inside and
        # after activation across trials. Every other trial aims at "activating".
        stop_after = rng.randrange(1, 14)
        lines = 0
        for line in proc.stdout:
            lines += 1
            word, v = line.split()
            if word == "active":
                activated.append(int(v))
            if (trial % 2 and word == "activating" and lines > 6) or lines >= stop_after + 6:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()

        store = ContentStore(db, BlobStore(blobs))
        version = store.active_version()
        assert version is not None
        if activated:
            assert version in (activated[-1], activated[-1] + 1)
        store.verify_active()
        assert store.product_count() == 150
        assert sum(c.product_count for c in store.categories()) == 150
        assert store._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.close()


def test_the_previous_version_is_kept_and_rollback_returns_to_it(store):
    data, images = catalogue_data(10)
    install(store, make_snapshot(Catalogue.from_json(data), images, 1), images)
    install(store, make_snapshot(renamed(data, "halwa-omani", "Version Two"), images, 2), images)
    states = {s.version: s.state for s in store.snapshots()}
    assert states == {2: "active", 1: "previous"}
    assert store.rollback() == 1
    assert store.active_version() == 1
    assert store.product("halwa-omani").product.name.en == "Omani Halwa"
    assert store.search("version two").total == 0
    store.verify_active()
    with pytest.raises(StoreError, match="no previous"):
        store.rollback()


def test_only_active_and_previous_survive_a_third_version(store):
    data, images = catalogue_data(10)
    for v in (1, 2, 3):
        install(store, make_snapshot(renamed(data, "halwa-omani", f"Halwa {v}"), images, v),
                images)
    assert {s.version: s.state for s in store.snapshots()} == {3: "active", 2: "previous"}


def test_records_are_shared_so_a_new_version_only_adds_what_changed(store):
    data, images = catalogue_data(40)
    v1 = make_snapshot(Catalogue.from_json(data), images, 1)
    install(store, v1, images)
    v2 = make_snapshot(renamed(data, "halwa-omani", "New Halwa"), images, 2)
    assert store.missing_records(v2.index) == {v2.index.records["product"]["halwa-omani"]}
    install(store, v2, images)
    stored = store._conn().execute("SELECT count(*) FROM record").fetchone()[0]
    assert stored == len(v1.index.hashes() | v2.index.hashes()) == len(v1.index.hashes()) + 1


def test_records_and_images_no_kept_version_uses_are_removed(store):
    data, images = catalogue_data(10, image_pool=4, seed=1)
    v1 = make_snapshot(Catalogue.from_json(data), images, 1)
    install(store, v1, images)
    old_record = v1.index.records["product"]["halwa-omani"]
    old_blob = data["product"][0]["images"][0]["blob"]

    # v2 and v3 drop the old name and point every image at a new file.
    png = b"\x89PNG\r\n\x1a\n" + b"new picture"
    new_blob = sha256_hex(png)
    later = json.loads(json.dumps(data))
    for p in later["product"]:
        p["images"] = [{"blob": new_blob, "alt": {"ar": "صورة", "en": "Photo"}}]
    for c in later["category"]:
        c.pop("image", None)
    for v in (2, 3):
        later["product"][2]["name"]["en"] = f"Halwa {v}"
        install(store, make_snapshot(Catalogue.from_json(later), {new_blob: png}, v),
                {new_blob: png})
    assert old_record not in {r[0] for r in store._conn().execute("SELECT sha FROM record")}
    assert not store.blobs.has(old_blob)
    assert store.blobs.has(new_blob)
    assert store.blobs.stored() == {new_blob}


def test_an_older_central_version_is_never_installed_over_a_newer_one(store):
    data, images = catalogue_data(5)
    install(store, make_snapshot(Catalogue.from_json(data), images, 5), images)
    old = make_snapshot(renamed(data, "halwa-omani", "Old"), images, 4)
    with pytest.raises(ProtocolError, match="not newer"):
        store.begin_snapshot(old.manifest, old.index, "central")


def test_an_index_that_is_not_the_manifests_is_refused(store):
    data, images = catalogue_data(5)
    a = make_snapshot(Catalogue.from_json(data), images, 1)
    b = make_snapshot(renamed(data, "halwa-omani", "Other"), images, 1)
    with pytest.raises(ProtocolError, match="does not match"):
        store.begin_snapshot(a.manifest, b.index, "central")


def test_activating_a_version_that_was_never_staged_says_so(store):
    with pytest.raises(StoreError, match="not staged"):
        store.activate(9)


def test_staging_again_after_an_interruption_resumes_with_what_is_stored(store):
    data, images = catalogue_data(30)
    snap = make_snapshot(Catalogue.from_json(data), images, 1)
    store.begin_snapshot(snap.manifest, snap.index, "central")
    kinds = {h: k for k, ids in snap.index.records.items() for h in ids.values()}
    half = sorted(snap.record_bytes)[: len(snap.record_bytes) // 2]
    store.put_records((kinds[h], h, snap.record_bytes[h]) for h in half)
    store.begin_snapshot(snap.manifest, snap.index, "central")  # the sync starts over
    missing = store.missing_records(snap.index)
    assert missing == set(snap.record_bytes) - set(half)
    store.put_records((kinds[h], h, snap.record_bytes[h]) for h in missing)
    for ref in snap.manifest.blobs:
        store.blobs.put_bytes(ref, images[ref.sha256])
    store.activate(1)
    store.verify_active()


def test_stale_flag_is_kept_and_cleared_by_a_new_version(store):
    data, images = catalogue_data(5)
    install(store, make_snapshot(Catalogue.from_json(data), images, 1), images)
    assert not store.is_stale()
    store.mark_stale(True)
    assert store.is_stale() and store.active().stale
    install(store, make_snapshot(renamed(data, "halwa-omani", "X"), images, 2), images)
    assert not store.is_stale()


def test_a_damaged_record_on_disk_is_caught_by_verification(store):
    cat, images = make_catalogue(5)
    install(store, make_snapshot(cat, images, 1), images)
    store._conn().execute("UPDATE record SET body = ? WHERE kind = 'faq'",
                          (canonical_json({"x": 1}),))
    with pytest.raises(ProtocolError, match="damaged"):
        store.verify_active()


def test_blob_refs_are_checked_by_size_before_activation(store, tmp_path):
    data, images = catalogue_data(5)
    snap = make_snapshot(Catalogue.from_json(data), images, 1)
    stage(store, snap, images)
    ref: BlobRef = snap.manifest.blobs[0]
    store.blobs.path(ref.sha256).write_bytes(b"truncated")
    with pytest.raises(ProtocolError, match="images"):
        store.activate(1)
