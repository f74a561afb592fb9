"""Central's content side over real HTTP: publish, the signed manifest, blobs, records, open
data, as a kiosk or a member of the public would get them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nacl.signing import SigningKey, VerifyKey

from central.config import DEMO_DIR
from kiosk import protocol
from offline_cache.catalogue_dir import load_catalogue_dir
from tests.conftest import REPO, CentralDB, CentralServer, central_settings, start_central


def pinned_key(device: dict) -> VerifyKey:
    return VerifyKey(protocol.unb64(device["content_public_key"]))


def fetch_manifest(server: CentralServer, device: dict) -> tuple[bytes, protocol.Manifest]:
    r = server.get("/api/v1/manifest", headers=server.auth(device))
    assert r.status_code == 200, r.text
    return r.content, protocol.verify_manifest(r.content, pinned_key(device))


def test_publish_prints_the_next_version(central_server, central_device):
    _, before = fetch_manifest(central_server, central_device)
    out = central_server.cli("publish").stdout.strip()
    assert out == str(before.version + 1)
    _, after = fetch_manifest(central_server, central_device)
    assert after.version == before.version + 1
    assert not after.is_expired()


def test_manifest_answers_304_to_its_own_etag(central_server, central_device):
    h = central_server.auth(central_device)
    first = central_server.get("/api/v1/manifest", headers=h)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag == f'"{protocol.sha256_hex(first.content)}"'
    again = central_server.get("/api/v1/manifest", headers={**h, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = central_server.get("/api/v1/manifest", headers={**h, "If-None-Match": '"abc"'})
    assert other.status_code == 200


def test_manifest_signature_verifies_and_tampering_fails(central_server, central_device):
    body, manifest = fetch_manifest(central_server, central_device)
    assert manifest.index.records > 10
    assert central_device["content_key_id"] == protocol.key_id(pinned_key(central_device))
    tampered = body.replace(b'"version":', b'"version":1', 1)
    with pytest.raises(protocol.ProtocolError):
        protocol.verify_manifest(tampered, pinned_key(central_device))
    flipped = bytearray(body)
    flipped[len(body) // 2] ^= 0x01
    with pytest.raises(protocol.ProtocolError):
        protocol.verify_manifest(bytes(flipped), pinned_key(central_device))
    with pytest.raises(protocol.ProtocolError):
        protocol.verify_manifest(body, SigningKey.generate().verify_key)


def test_signing_key_files_are_private(central_server):
    keys = central_server.home / "keys"
    assert keys.stat().st_mode & 0o777 == 0o700
    for name in ("signing.key", "submission.key"):
        assert (keys / name).stat().st_mode & 0o777 == 0o600


def test_a_kiosk_can_rebuild_the_whole_catalogue_from_index_records_and_blobs(
        central_server, central_device, central_catalogue_dir):
    h = central_server.auth(central_device)
    _, manifest = fetch_manifest(central_server, central_device)
    r = central_server.get(f"/api/v1/blobs/{manifest.index.sha256}", headers=h)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    index = protocol.parse_index(r.content, manifest.index)
    hashes = sorted(index.hashes())
    r = central_server.post("/api/v1/records", headers=h, json={"hashes": hashes})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["missing"] == []
    assert set(got["records"]) == set(hashes)
    for kind, ids in index.records.items():
        for rid, sha in ids.items():
            body = protocol.canonical_json(got["records"][sha])
            assert protocol.parse_record_bytes(kind, body, sha).id == rid
    assert set(index.records["product"]) >= {"khalas-dates", "hojari", "date-syrup"}
    for ref in manifest.blobs:
        b = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers=h)
        assert b.status_code == 200
        assert b.headers["content-type"] == ref.media_type
        assert "immutable" in b.headers["cache-control"]
        protocol.check_blob(b.content, ref)


def test_records_batch_lists_unknown_hashes_as_missing(central_server, central_device):
    unknown = "0" * 64
    r = central_server.post("/api/v1/records", headers=central_server.auth(central_device),
                            json={"hashes": [unknown]})
    assert r.status_code == 200
    assert r.json() == {"records": {}, "missing": [unknown]}


def test_records_batch_over_the_limit_is_refused(central_server, central_device):
    too_many = [f"{i:064x}" for i in range(protocol.MAX_HASHES_PER_REQUEST + 1)]
    r = central_server.post("/api/v1/records", headers=central_server.auth(central_device),
                            json={"hashes": too_many})
    assert r.status_code in (413, 422)
    assert "error" in r.json()


def test_blob_ranges_resume_a_download(central_server, central_device):
    h = central_server.auth(central_device)
    _, manifest = fetch_manifest(central_server, central_device)
    ref = manifest.blobs[0]
    whole = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers=h).content
    assert whole[:8] == b"\x89PNG\r\n\x1a\n"
    part = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers={**h, "Range": "bytes=10-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-{ref.size - 1}/{ref.size}"
    assert whole[:10] + part.content == whole
    head = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers={**h, "Range": "bytes=0-3"})
    assert head.status_code == 206 and head.content == whole[:4]
    tail = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers={**h, "Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == whole[-5:]
    beyond = central_server.get(f"/api/v1/blobs/{ref.sha256}",
                                headers={**h, "Range": f"bytes={ref.size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{ref.size}"
    assert "error" in beyond.json()


def test_blob_with_a_bad_hash_or_unknown_hash_is_a_clear_4xx(central_server, central_device):
    h = central_server.auth(central_device)
    for bad in ("not-a-hash", "A" * 64, "..%2F..%2Fetc%2Fpasswd", "0" * 63):
        r = central_server.get(f"/api/v1/blobs/{bad}", headers=h)
        assert 400 <= r.status_code < 500, (bad, r.status_code)
        assert "error" in r.json()
    r = central_server.get(f"/api/v1/blobs/{'e' * 64}", headers=h)
    assert r.status_code == 404
    assert "error" in r.json()


def test_content_routes_need_a_device_token(central_server):
    _, manifest_r = None, central_server.get("/api/v1/manifest")
    assert manifest_r.status_code == 401
    assert "token" in manifest_r.json()["error"]
    r = central_server.get(f"/api/v1/blobs/{'0' * 64}",
                           headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    r = central_server.post("/api/v1/records", json={"hashes": ["0" * 64]})
    assert r.status_code == 401


def test_open_data_json_lists_every_published_product_in_both_languages(central_server,
                                                                        central_catalogue_dir):
    r = central_server.get("/open-data/products.json")
    assert r.status_code == 200
    data = r.json()
    products = {p["id"]: p for p in data["products"]}
    expected = json.loads((central_catalogue_dir / "catalogue.json").read_text("utf-8"))
    assert set(products) == {p["id"] for p in expected["product"]}
    khalas = products["khalas-dates"]
    assert khalas["name_en"] == "Khalas dates" and khalas["name_ar"] == "تمر خلاص"
    assert khalas["description_ar"] == "تمر طري من نزوى، مقطوف باليد."
    assert khalas["category_id"] == "dates" and khalas["manufacturer_id"] == "nakheel"
    assert khalas["governorate"] == "ad_dakhiliyah"
    assert data["licence"]["en"].startswith("Open data")
    assert data["version"] == int(r.headers["X-Content-Version"])
    about = central_server.get("/open-data/about.json").json()
    assert about["version"] == data["version"]
    assert about["licence"]["ar"]
    assert about["products"] == len(products)


def test_open_data_csv_has_a_header_and_escapes_descriptions(central_server):
    r = central_server.get("/open-data/products.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert not r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8")
    assert text.splitlines()[0].startswith("id,")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"khalas-dates", "hojari", "date-syrup"}
    assert rows["khalas-dates"]["description_en"] == (
        'Soft dates, "premium", from Nizwa,\nhand picked.')
    assert rows["hojari"]["name_ar"] == "لبان حوجري"
    assert r.headers["X-Licence"].startswith("Open data")


def test_open_data_shows_published_content_not_drafts(central_server):
    svc = central_server.service()
    try:
        draft = dict(svc.get_record("product", "date-syrup"))
        draft["name"] = {"en": "Unpublished name", "ar": "اسم غير منشور"}
        svc.save_record("product", draft)
        names = [p["name_en"] for p in central_server.get("/open-data/products.json")
                 .json()["products"]]
        assert "Unpublished name" not in names
        central_server.cli("publish")
        names = [p["name_en"] for p in central_server.get("/open-data/products.json")
                 .json()["products"]]
        assert "Unpublished name" in names
    finally:
        svc.close()


def test_publishing_an_invalid_catalogue_fails_with_a_readable_line(tmp_path):
    env_home = tmp_path / "home"
    import os
    import subprocess
    import sys

    env = {**os.environ, "CENTRAL_HOME": str(env_home)}
    res = subprocess.run([sys.executable, "-m", "central.cli", "publish"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
    assert "nothing to publish" in res.stderr
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_seed_makes_ten_thousand_products_quickly(tmp_path, central_db: CentralDB):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CENTRAL_HOME": str(tmp_path / "home"),
           **({"CENTRAL_DB_URL": central_db.url} if central_db.url else {})}
    started = time.monotonic()
    for args in (["seed", "--products", "10000"], ["publish"]):
        res = subprocess.run([sys.executable, "-m", "central.cli", *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
    assert time.monotonic() - started < 60
    from central.service import Central

    svc = Central(central_settings(tmp_path / "home", central_db))
    try:
        pub = svc.published_catalogue()
        assert len(pub.records["product"]) == 10000
        p = pub.records["product"]["seed-product-00042"]
        assert p["name"]["ar"] and p["name"]["en"] and p["images"]
    finally:
        svc.close()


@pytest.mark.skipif(not (DEMO_DIR / "catalogue.json").is_file(),
                    reason="the demo catalogue has not landed in assets/demo yet")
def test_import_demo_loads_the_bundled_demo_catalogue(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CENTRAL_HOME": str(tmp_path / "home")}
    for args in (["import-demo"], ["publish"]):
        res = subprocess.run([sys.executable, "-m", "central.cli", *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
    catalogue, _media = load_catalogue_dir(DEMO_DIR)
    assert res.stdout.strip() == "1"
    from central.config import load_settings
    from central.service import Central

    svc = Central(load_settings(home=tmp_path / "home"))
    try:
        pub = svc.published_catalogue()
        assert set(pub.records.get("product", {})) == set(catalogue.of("product"))
    finally:
        svc.close()


def test_an_expired_manifest_is_detectable_by_the_kiosk(tmp_path: Path, central_catalogue_dir,
                                                        central_db: CentralDB):
    # Refresh off: this server serves exactly what was published, expired or not.
    server = start_central(tmp_path / "home", {"CENTRAL_MANIFEST_REFRESH": "0"}, db=central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish", "--ttl-seconds", "3600", "--backdate-seconds", "7200")
        device = server.enroll()
        _, manifest = fetch_manifest(server, device)
        assert manifest.is_expired()
    finally:
        server.stop()


def test_an_idle_site_refreshes_its_manifest_expiry_with_the_same_version(
        tmp_path: Path, central_catalogue_dir, central_db: CentralDB):
    server = start_central(tmp_path / "home", db=central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish", "--ttl-seconds", "3600", "--backdate-seconds", "7200")
        device = server.enroll()
        body, manifest = fetch_manifest(server, device)
        assert manifest.version == 1
        assert not manifest.is_expired()
        assert (manifest.expires_at - manifest.created_at).total_seconds() > 3600
        again, _ = fetch_manifest(server, device)
        assert again == body  # refreshed once, then stable: ETags keep working
    finally:
        server.stop()


def test_manifest_before_any_publish_is_a_json_404(tmp_path: Path, central_db: CentralDB):
    server = start_central(tmp_path / "home", db=central_db)
    try:
        device = server.enroll()
        r = server.get("/api/v1/manifest", headers=server.auth(device))
        assert r.status_code == 404
        assert "published" in r.json()["error"]
        assert server.get("/open-data/products.json").status_code == 404
    finally:
        server.stop()


def test_any_range_header_gets_the_right_bytes_or_a_clear_answer(central_server, central_device):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    h = central_server.auth(central_device)
    _, manifest = fetch_manifest(central_server, central_device)
    ref = manifest.blobs[0]
    whole = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers=h).content
    n = st.integers(min_value=0, max_value=ref.size * 2)
    ranges = st.one_of(
        st.builds(lambda a, b: f"bytes={a}-{b}", n, n),
        st.builds(lambda a: f"bytes={a}-", n),
        st.builds(lambda b: f"bytes=-{b}", n),
        # Anything else a client might send (requests refuses control characters and leading
        # spaces in header values, so those never reach a server through it).
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
        .map(str.lstrip),
    )

    @given(rng=ranges)
    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(rng: str) -> None:
        r = central_server.get(f"/api/v1/blobs/{ref.sha256}", headers={**h, "Range": rng})
        assert r.status_code in (200, 206, 416), (rng, r.status_code)
        if r.status_code == 200:
            assert r.content == whole
        elif r.status_code == 206:
            first, last = map(int, r.headers["Content-Range"].split()[1].split("/")[0].split("-"))
            assert r.content == whole[first:last + 1] and r.content
        else:
            assert r.headers["Content-Range"] == f"bytes */{ref.size}"

    check()


def test_seeding_twice_publishes_the_same_content(tmp_path, central_db_kind: str, request):
    from tests.conftest import fresh_db

    # Each central in a process of its own, as kiosk-central runs: Wagtail's migrations assume
    # the process's default database is the one being migrated.
    code = ("import json, sys\n"
            "from central.config import load_settings\n"
            "from central.service import Central\n"
            "svc = Central(load_settings())\n"
            "svc.seed(120); svc.seed(120); svc.publish()\n"
            "print(json.loads(svc.current_manifest().body)['manifest']['index'])\n"
            "svc.close()\n")
    hashes = []
    for name in ("a", "b"):
        with fresh_db(request, central_db_kind) as db:
            env = {**os.environ, "CENTRAL_HOME": str(tmp_path / name)}
            env.pop("CENTRAL_DB_URL", None)
            if db.url:
                env["CENTRAL_DB_URL"] = db.url
            r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr[-2000:]
            hashes.append(r.stdout.strip().splitlines()[-1])
    assert hashes[0] == hashes[1] and "'sha256': '" in hashes[0]


def test_two_publishes_at_once_never_share_a_version(central_server):
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: central_server.cli("publish", check=False), range(3)))
    versions = [r.stdout.strip() for r in results if r.returncode == 0]
    assert versions and len(set(versions)) == len(versions)
    for r in results:
        if r.returncode != 0:
            assert "publish again" in r.stderr and "Traceback" not in r.stderr


def test_a_rebuilt_database_keeps_counting_versions_up(tmp_path, central_catalogue_dir,
                                                       central_db_kind: str, request):
    # Kiosks refuse lower versions; losing the database must not restart publishing at 1.
    import os
    import subprocess
    import sys

    from tests.conftest import fresh_db

    def run(db: CentralDB, *args: str) -> str:
        env = {**os.environ, "CENTRAL_HOME": str(tmp_path / "home"),
               **({"CENTRAL_DB_URL": db.url} if db.url else {})}
        res = subprocess.run([sys.executable, "-m", "central.cli", *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        return res.stdout.strip()

    with fresh_db(request, central_db_kind) as db:
        run(db, "import-demo", "--dir", str(central_catalogue_dir))
        assert [run(db, "publish") for _ in range(3)] == ["1", "2", "3"]
    # The database is lost (SQLite: its files; PostgreSQL: the dropped database) and rebuilt.
    for f in (tmp_path / "home").glob("central.sqlite3*"):
        f.unlink()
    with fresh_db(request, central_db_kind) as db:
        run(db, "import-demo", "--dir", str(central_catalogue_dir))
        assert run(db, "publish") == "4"
