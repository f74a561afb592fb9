"""Releases as static files (central/release_files.py) served by a real nginx with
deploy/nginx/made-in-oman-release-mirror.conf: a kiosk told to use the mirror gets its content
from nginx and only enrolment and heartbeats from central; a changed byte, an old or expired
manifest and a missing file on the mirror are each refused, the last good content stays, and
the same sync gets the content from central; export-release writes any kept version."""

from __future__ import annotations

import json
import shutil
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk import protocol
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import CentralDB, CentralServer, free_port, published_central
from tests.faulty_proxy import FaultyProxy
from tests.fleet_kiosk import running, wait_for
from tests.nginx import Mirror, release_mirror
from tests.test_nginx_central import _need_programs

HALL = "Mirror hall"  # the location whose kiosks are told to use the mirror
LAYOUT = {"manifest.json", "versions", "index", "deltas", "records", "blobs"}


# Files and HTTP: what the database does here (reading a release's pieces) is what every
# kiosk's sync already reads on both databases, so one database keeps this module quick.
pytestmark = pytest.mark.central_db_only("sqlite")


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB) -> Iterator[CentralServer]:
    releases = tmp_path_factory.mktemp("published_releases")
    patch = pytest.MonkeyPatch()
    # The test's own publishes (through ``svc``, quicker than the command line) write there too.
    patch.setenv("CENTRAL_RELEASES_DIR", str(releases))
    try:
        with published_central(tmp_path_factory.mktemp("mirror_central"),
                               central_catalogue_dir, {"CENTRAL_RELEASES_DIR": str(releases)},
                               db=module_central_db) as server:
            yield server
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def svc(central: CentralServer) -> Iterator[Any]:
    """Central's service layer in this process, on the server's home and database."""
    service = central.service()
    try:
        yield service
    finally:
        service.close()


def releases(central: CentralServer) -> Path:
    return Path(central.env["CENTRAL_RELEASES_DIR"])


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory, central: CentralServer, svc: Any
           ) -> Iterator[Mirror]:
    """nginx with the mirror site file as an admin installs it (placeholders filled: ports on
    127.0.0.1, a certificate the kiosk is told to trust, the directory), in front of a copy
    of what central publishes; and the kiosks of HALL told to use it."""
    _need_programs()
    patch = pytest.MonkeyPatch()
    with release_mirror(tmp_path_factory.mktemp("mirror_nginx"), free_port(), free_port()) as m:
        # The kiosk verifies TLS as in the field; here it trusts the test's certificate.
        patch.setenv("REQUESTS_CA_BUNDLE", str(m.cert))
        try:
            m.serve(releases(central))
            svc.set_config({"content_mirror": f"{m.base}/"}, location=HALL)
            yield m
        finally:
            patch.undo()


def newest(central: CentralServer) -> protocol.Manifest:
    doc = json.loads((releases(central) / "manifest.json").read_bytes())
    return protocol.Manifest.model_validate(doc["manifest"])


def enrolled(central: CentralServer, svc: Any, home: Path, proxy: FaultyProxy,
             location: str | None = None) -> KioskDevice:
    """A kiosk enrolled with central whose calls to central go through ``proxy``, which
    records them."""
    dev = KioskDevice(KioskPaths(home))
    dev.provision(central.url, svc.create_enrollment_code(location=location).code,
                  name="mirror test kiosk")
    dev.require_credentials().api = proxy.url
    return dev


def mirrored_kiosk(central: CentralServer, svc: Any, mirror: Mirror, home: Path,
                   proxy: FaultyProxy) -> KioskDevice:
    """A kiosk of HALL: enrolment tells it to use the mirror."""
    dev = enrolled(central, svc, home, proxy, location=HALL)
    assert dev.config.content_mirror == mirror.base  # as set, without its trailing slash
    return dev


_products = iter(range(1, 100))


def publish_new_product(svc: Any) -> tuple[int, str, str]:
    """A new product with a new picture, published (which writes the release files).
    Returns (version, product id, the picture's sha256)."""
    from central.content import make_png

    n = next(_products)
    png = make_png(18, 12, ((n * 67) % 256, (n * 29) % 256, 140), stripe=1 + n % 4)
    sha = svc.save_media(png, "image/png")
    rec = svc.get_record("product", "khalas-dates")
    pid = f"mirror-dates-{n}"
    rec.update(id=pid, code=f"MIR-{n:03d}",
               name={"en": f"Mirror dates {n}", "ar": f"تمر المرآة {n}"},
               images=[{"blob": sha, "alt": {"en": "Dates", "ar": "تمر"}}])
    svc.save_record("product", rec)
    return svc.publish(published_by="test").version, pid, sha


def content_calls(proxy: FaultyProxy) -> list[str]:
    return [p for _m, p, _s in proxy.log
            if p.startswith(("/api/v1/manifest", "/api/v1/blobs", "/api/v1/records"))]


def mirror_problem(dev: KioskDevice) -> str | None:
    return next((p["message"] for p in dev.problems() if p["code"] == "mirror_refused"), None)


# ---------------------------------------------------------------------------------------------


def test_the_mirror_serves_the_manifest_briefly_and_content_for_ever(central, mirror):
    m = newest(central)
    http = requests.Session()
    manifest = http.get(f"{mirror.base}/manifest.json", timeout=10)
    assert manifest.status_code == 200
    assert manifest.headers["Cache-Control"] == "no-cache" and manifest.headers["ETag"]
    assert manifest.content == (releases(central) / "manifest.json").read_bytes()
    again = http.get(f"{mirror.base}/manifest.json", timeout=10,
                     headers={"If-None-Match": manifest.headers["ETag"]})
    assert again.status_code == 304
    blob = http.get(f"{mirror.base}/blobs/{m.blobs[0].sha256}", timeout=10)
    assert blob.status_code == 200 and protocol.sha256_hex(blob.content) == m.blobs[0].sha256
    assert blob.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    index = http.get(f"{mirror.base}/index/{m.index.sha256}", timeout=10)
    assert index.headers["Cache-Control"].endswith("immutable")
    assert index.headers["Content-Type"] == "application/json"
    # A listing, a half-written file or a missing blob is a 404 nobody may cache.
    (mirror.root / "blobs" / ".x.1.tmp").write_bytes(b"half")
    for path in ("/", "/blobs/", "/blobs/.x.1.tmp", "/blobs/" + "0" * 64):
        r = http.get(mirror.base + path, timeout=10)
        assert r.status_code == 404, path
        assert "immutable" not in r.headers.get("Cache-Control", ""), path
    # What central publishes is public content only, world-readable, in the documented layout.
    out = releases(central)
    assert {p.name for p in out.iterdir()} == LAYOUT
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in out.rglob("*") if p.is_file())


def test_a_kiosk_gets_its_content_from_the_mirror_and_only_small_calls_from_central(
        central, svc, mirror, tmp_path):
    m = newest(central)
    mark = mirror.mark()
    with FaultyProxy(central.url) as proxy:
        dev = mirrored_kiosk(central, svc, mirror, tmp_path / "kiosk", proxy)
        with running(dev):  # the running kiosk's sync loop reads the mirror from its config
            wait_for("the kiosk to install the newest version",
                     lambda: dev.store.active_source() == "central"
                     and dev.store.active_version() == m.version)
            wait_for("a heartbeat", lambda: any(p == "/api/v1/heartbeat"
                                                for _m, p, _s in proxy.log))
            assert dev.store.product("khalas-dates").product.name.en == "Khalas dates"
            index = dev.store.active_index()
            assert dev.store.product_count() == len(index.records["product"]) >= 3
            assert all(dev.blobs.verify(ref) for ref in m.blobs)
            assert mirror_problem(dev) is None
        assert content_calls(proxy) == []
    served = dict(mirror.requests_since(mark))
    assert served["/manifest.json"] == 200
    assert served[f"/index/{m.index.sha256}"] == 200
    assert all(served.get(f"/records/{sha}") == 200 for sha in index.hashes())
    assert all(served.get(f"/blobs/{ref.sha256}") == 200 for ref in m.blobs)


def test_a_changed_byte_on_the_mirror_is_refused_and_central_serves_it(central, svc, mirror,
                                                                         tmp_path):
    with FaultyProxy(central.url) as proxy:
        # Told to use the mirror by a per-kiosk setting, through the heartbeat.
        dev = enrolled(central, svc, tmp_path / "kiosk", proxy)
        assert dev.config.content_mirror is None
        svc.set_config({"content_mirror": mirror.base},
                       device_id=dev.require_credentials().device_id)
        reply = dev.heartbeat()
        assert dev.apply_config(reply.config, reply.config_version)
        assert dev.config.content_mirror == mirror.base
        first = dev.sync()
        assert (first.outcome, first.source) == ("updated", "mirror"), first.message
        old = first.version
        version, pid, sha = publish_new_product(svc)
        mirror.serve(releases(central))
        blob = mirror.root / "blobs" / sha
        data = bytearray(blob.read_bytes())
        data[len(data) // 2] ^= 0x01
        blob.write_bytes(bytes(data))
        seen_at_refusal = []

        def watch(msg: str) -> None:
            if "was refused" in msg:
                seen_at_refusal.append((dev.store.active_version(), dev.store.product(pid)))

        proxy.log.clear()
        r = dev.sync(progress=watch)
    assert seen_at_refusal == [(old, None)]  # the last good content stayed until central's came
    assert (r.outcome, r.version, r.source) == ("updated", version, "central"), r.message
    assert dev.store.product(pid).product.name.en.startswith("Mirror dates")
    assert protocol.sha256_hex(dev.blobs.path(sha).read_bytes()) == sha
    # From central only the manifest, the small index delta and the refused picture; the
    # records stayed those nginx served.
    calls = content_calls(proxy)
    assert calls[0] == "/api/v1/manifest" and calls[-1] == f"/api/v1/blobs/{sha}"
    assert len(calls) == 3 and not any(c.startswith("/api/v1/records") for c in calls)
    problem = mirror_problem(dev)
    assert problem and mirror.base in problem and "does not match" in problem
    assert "from central instead" in problem
    # The mirror repaired: the next sync uses it again and the problem clears.
    mirror.serve(releases(central))
    assert dev.sync().source == "mirror"
    assert mirror_problem(dev) is None


def test_an_older_manifest_on_the_mirror_is_refused_and_central_serves_the_newest(
        central, svc, mirror, tmp_path):
    old_copy = tmp_path / "v1"
    central.cli("export-release", "--out", str(old_copy), "--version", "1")
    with FaultyProxy(central.url) as proxy:
        dev = mirrored_kiosk(central, svc, mirror, tmp_path / "kiosk", proxy)
        mirror.serve(releases(central))
        if newest(central).version == 1:
            publish_new_product(svc)
            mirror.serve(releases(central))
        before = dev.sync()
        assert before.source == "mirror" and before.version > 1
        version, pid, _sha = publish_new_product(svc)
        mirror.serve(old_copy)  # a mirror replaying version 1
        r = dev.sync()
    assert (r.outcome, r.version, r.source) == ("updated", version, "central"), r.message
    assert dev.store.product(pid) is not None
    problem = mirror_problem(dev)
    assert problem and "version 1, older than version" in problem and "old manifest" in problem
    assert len(r.problems) == 1 and "old manifest" in r.problems[0]


def test_an_expired_manifest_on_the_mirror_is_refused_and_central_re_signs(
        central, svc, mirror, tmp_path):
    with FaultyProxy(central.url) as proxy:
        dev = mirrored_kiosk(central, svc, mirror, tmp_path / "kiosk", proxy)
        svc.publish(ttl=timedelta(seconds=600), backdate=timedelta(seconds=1200))
        expired = newest(central)
        assert expired.is_expired()
        mirror.serve(releases(central))
        r = dev.sync()
    assert (r.outcome, r.version, r.source) == ("updated", expired.version, "central")
    assert not dev.store.active_manifest().is_expired()
    assert "expired" in mirror_problem(dev)
    # Central re-signed it for the kiosk, and its static copy followed.
    assert not newest(central).is_expired()
    assert newest(central).version == expired.version


def test_a_missing_file_on_the_mirror_is_refused_and_central_serves_it(central, svc, mirror,
                                                                        tmp_path):
    with FaultyProxy(central.url) as proxy:
        dev = mirrored_kiosk(central, svc, mirror, tmp_path / "kiosk", proxy)
        mirror.serve(releases(central))
        before = tmp_path / "before"
        shutil.copytree(releases(central), before)  # as copied, with the same times
        assert dev.sync().source == "mirror"
        version, pid, sha = publish_new_product(svc)
        mirror.serve(releases(central))
        (mirror.root / "blobs" / sha).unlink()
        mark = mirror.mark()
        r = dev.sync()
        assert (r.outcome, r.version, r.source) == ("updated", version, "central"), r.message
        assert dev.store.product(pid) is not None and dev.blobs.has(sha)
        assert (f"/blobs/{sha}", 404) in mirror.requests_since(mark)
        problem = mirror_problem(dev)
        assert problem and "missing file" in problem and "copy the whole release" in problem
        # The mirror back at the copy the kiosk had from it (the same ETag): after central
        # served, its manifest is read whole again and refused as older, not taken as a 304.
        mirror.serve(before)
        again = dev.sync()
    assert again.source == "central" and again.version == version
    assert "old manifest" in mirror_problem(dev)


def test_export_release_writes_an_older_kept_version_as_it_was(central, svc, tmp_path):
    from central import release_files
    from central.orm import Release

    if newest(central).version == 1:
        publish_new_product(svc)
    out = tmp_path / "export"
    res = central.cli("export-release", "--out", str(out), "--version", "1")
    assert res.stdout.strip() == "1"
    kept = bytes(svc.q(Release).get(version=1).manifest)
    assert (out / "manifest.json").read_bytes() == kept
    assert (out / "versions" / "1.json").read_bytes() == kept
    m = protocol.Manifest.model_validate(json.loads(kept)["manifest"])
    assert m.version == 1 and m.version < newest(central).version
    index_bytes = (out / "index" / m.index.sha256).read_bytes()
    index = protocol.parse_index(index_bytes, m.index)
    for sha in index.hashes():
        assert protocol.sha256_hex((out / "records" / sha).read_bytes()) == sha
    for ref in m.blobs:
        protocol.check_blob((out / "blobs" / ref.sha256).read_bytes(), ref)
    assert {p.name for p in out.iterdir()} == LAYOUT
    assert {p.name for p in (out / "blobs").iterdir()} == {b.sha256 for b in m.blobs}
    # Again: nothing to write; and the newest into the same directory moves manifest.json on.
    assert f"exported version 1 to {out}" in res.stderr
    assert release_files.export_release(svc, out, 1).written == 0
    # A damaged copy (same size, a changed byte) is found and rewritten by the command.
    damaged = out / "records" / sorted(index.hashes())[0]
    good = damaged.read_bytes()
    damaged.write_bytes(good[:-2] + bytes([good[-2] ^ 1]) + good[-1:])
    assert release_files.export_release(svc, out, 1).written == 1
    assert damaged.read_bytes() == good
    # Outside $CENTRAL_HOME the files are for a web server to read; inside it, private.
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644)
               for p in out.rglob("*"))
    inside = central.home / "releases-copy"
    release_files.export_release(svc, inside, 1)
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600)
               for p in [inside, *inside.rglob("*")])
    shutil.rmtree(inside)
    release_files.export_release(svc, out)
    assert (out / "manifest.json").read_bytes() == (releases(central) / "manifest.json"
                                                    ).read_bytes()


def test_export_release_of_an_unknown_version_says_which_are_kept(central, tmp_path):
    out = tmp_path / "nothing"
    res = central.cli("export-release", "--out", str(out), "--version", "999", check=False)
    assert res.returncode == 1
    assert "there is no version 999 to export; the kept versions are 1 to" in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


def test_central_refuses_a_mirror_address_a_kiosk_could_not_use(central, svc):
    from central.errors import CentralError

    res = central.cli("config", "set", "content_mirror=ftp://mirror.example.om", check=False)
    assert res.returncode == 1
    assert "content_mirror must be the http:// or https:// base address" in res.stderr
    assert "Nothing was stored" in res.stderr
    for bad in ("https://user:secret@mirror.example.om", "mirror.example.om",
                "https://mirror.example.om/?key=1"):
        with pytest.raises(CentralError, match="Nothing was stored"):
            svc.set_config({"content_mirror": bad})
    assert svc.show_config()["values"]["content_mirror"]["value"] is None
