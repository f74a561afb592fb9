"""Media files named by hash: only verified bytes get their final name, downloads resume, and
files no kept snapshot uses are removed."""

from __future__ import annotations

import os

import pytest

from kiosk.protocol import BlobRef, ProtocolError, sha256_hex
from offline_cache.blobs import BlobStore, IncompleteBlob
from tests.catalogue_factory import tiny_png


def ref_for(data: bytes) -> BlobRef:
    return BlobRef(sha256=sha256_hex(data), size=len(data), media_type="image/png")


@pytest.fixture
def blobs(tmp_path):
    return BlobStore(tmp_path / "blobs")


def parts(blobs: BlobStore) -> list[str]:
    return [p.name for p in blobs.root.rglob("*.part")]


def test_a_blob_is_stored_under_its_hash_in_fan_out_folders(blobs):
    data = tiny_png(1)
    ref = ref_for(data)
    path = blobs.put_bytes(ref, data)
    assert path == blobs.root / ref.sha256[:2] / ref.sha256[2:4] / ref.sha256
    assert path.read_bytes() == data
    assert blobs.has(ref.sha256) and blobs.verify(ref)
    assert parts(blobs) == []


def test_a_stream_in_chunks_is_stored(blobs):
    data = os.urandom(100_000)
    ref = BlobRef(sha256=sha256_hex(data), size=len(data), media_type="image/jpeg")
    blobs.put_stream(ref, (data[i:i + 4096] for i in range(0, len(data), 4096)))
    assert blobs.path(ref.sha256).read_bytes() == data


def test_bytes_that_do_not_match_the_hash_never_get_the_name(blobs):
    data = tiny_png(2)
    ref = ref_for(data)
    with pytest.raises(ProtocolError, match="does not match"):
        blobs.put_stream(ref, [data[:-1] + b"X"])
    assert not blobs.has(ref.sha256)
    assert parts(blobs) == []


def test_more_bytes_than_the_manifest_says_aborts_and_deletes_the_part(blobs):
    data = tiny_png(3)
    ref = ref_for(data)

    def endless():
        while True:
            yield data

    with pytest.raises(ProtocolError, match="longer than"):
        blobs.put_stream(ref, endless())
    assert not blobs.has(ref.sha256)
    assert parts(blobs) == []
    assert blobs.partial_size(ref.sha256) == 0


def test_a_dropped_download_resumes_from_where_it_stopped(blobs):
    data = os.urandom(50_000)
    ref = ref_for(data)

    def dropped():
        yield data[:20_000]
        raise ConnectionError("network went away")

    with pytest.raises(ConnectionError):
        blobs.put_stream(ref, dropped())
    assert blobs.partial_size(ref.sha256) == 20_000
    assert not blobs.has(ref.sha256)
    # The downloader asks for Range: bytes=20000- and appends.
    blobs.append(ref, [data[blobs.partial_size(ref.sha256):]])
    assert blobs.path(ref.sha256).read_bytes() == data
    assert parts(blobs) == []


def test_a_short_stream_keeps_its_part_for_later(blobs):
    data = os.urandom(1000)
    ref = ref_for(data)
    with pytest.raises(IncompleteBlob):
        blobs.put_stream(ref, [data[:600]])
    assert blobs.partial_size(ref.sha256) == 600
    blobs.append(ref, [data[600:]])
    assert blobs.verify(ref)


def test_a_resumed_download_that_turns_out_wrong_starts_again(blobs):
    data = os.urandom(1000)
    ref = ref_for(data)
    with pytest.raises(IncompleteBlob):
        blobs.put_stream(ref, [b"\0" * 600])  # wrong bytes, not yet known to be wrong
    with pytest.raises(ProtocolError, match="does not match"):
        blobs.append(ref, [data[600:]])
    assert blobs.partial_size(ref.sha256) == 0
    blobs.put_stream(ref, [data])
    assert blobs.verify(ref)


def test_a_path_or_url_is_never_used_as_a_name(blobs):
    for bad in ("../../etc/passwd", "a" * 63, "A" * 64, "https://x/y"):
        with pytest.raises(ProtocolError):
            blobs.path(bad)


def test_gc_keeps_only_what_kept_snapshots_use(blobs):
    keep, drop = tiny_png(10), tiny_png(11)
    blobs.put_bytes(ref_for(keep), keep)
    blobs.put_bytes(ref_for(drop), drop)
    half = tiny_png(12)
    with pytest.raises(IncompleteBlob):
        blobs.put_stream(ref_for(half), [half[:5]])
    removed = blobs.gc({sha256_hex(keep)})
    assert removed == 2
    assert blobs.stored() == {sha256_hex(keep)}
    assert parts(blobs) == []


def test_a_part_that_was_complete_when_the_power_went_is_finished_not_re_requested(tmp_path):
    data = tiny_png(20)
    ref = ref_for(data)
    blobs = BlobStore(tmp_path / "blobs")
    blobs.path(ref.sha256).parent.mkdir(parents=True)
    blobs._part(ref.sha256).write_bytes(data)  # written and synced, not yet renamed
    assert blobs.partial_size(ref.sha256) == 0  # no Range past the end of the file
    assert blobs.has(ref.sha256) and parts(blobs) == []

    other = tiny_png(21)
    blobs._part(sha256_hex(other)).parent.mkdir(parents=True, exist_ok=True)
    blobs._part(sha256_hex(other)).write_bytes(other)
    assert BlobStore(tmp_path / "blobs").has(sha256_hex(other))  # finished on opening


def test_a_part_of_full_length_but_wrong_is_thrown_away_when_the_size_is_known(blobs):
    data = tiny_png(22)
    ref = ref_for(data)
    blobs.path(ref.sha256).parent.mkdir(parents=True)
    blobs._part(ref.sha256).write_bytes(b"\0" * len(data))
    assert blobs.partial_size(ref.sha256) == len(data)
    assert blobs.partial_size(ref.sha256, ref.size) == 0
    assert parts(blobs) == []
