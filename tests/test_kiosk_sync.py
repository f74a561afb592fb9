"""The kiosk against a real central on 127.0.0.1: provisioning, sync, status, and every kind of
bad input between them (through a fault-injecting proxy). Whatever goes wrong, the last good
content stays active and verified, and nothing queued is lost."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk import protocol
from kiosk.central_client import CentralClient
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import REPO, CentralDB, CentralServer, published_central
from tests.faulty_proxy import Fault, FaultyProxy


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("sync_central"),
                           central_catalogue_dir, db=module_central_db) as server:
        yield server


def kiosk_cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_HOME": str(home)}
    res = subprocess.run([sys.executable, "-m", "kiosk.cli", *args], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    if check and res.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} failed: {res.stderr.strip()}")
    return res


def provisioned(central: CentralServer, home: Path, api: str | None = None) -> KioskDevice:
    code = central.cli("enrollment-code").stdout.strip()
    dev = KioskDevice(KioskPaths(home))
    dev.provision(api or central.url, code, name="test kiosk")
    return dev


def newest_version(central: CentralServer) -> int:
    return max(r.version for r in central.service().list_releases())


def quick(dev: KioskDevice, timeout: float = 2.0) -> None:
    """Short timeouts, so a stalled proxy fails the test fast instead of after 30 s."""
    creds = dev.require_credentials()
    orig = dev.client
    dev.client = lambda: CentralClient(creds.api, creds.device_token,  # type: ignore[method-assign]
                                       timeout=(timeout, timeout))
    del orig


def test_provision_sync_and_status_from_the_command_line(central, tmp_path):
    home = tmp_path / "kiosk"
    before = json.loads(kiosk_cli(home, "status", "--json").stdout)
    assert before["provisioned"] is False and before["content_source"] == "demo"
    code = central.cli("enrollment-code", "--location", "Hall A").stdout.strip()
    out = kiosk_cli(home, "provision", "--api", central.url, "--code", code, "--name", "k1")
    assert "Provisioned as" in out.stdout
    creds = home / "credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert json.loads(creds.read_text())["content_public_key"]
    kiosk_cli(home, "sync")
    st = json.loads(kiosk_cli(home, "status", "--json").stdout)
    assert st["provisioned"] is True
    assert st["content_source"] == "central"
    assert st["content_version"] == newest_version(central)
    assert st["stale"] is False and st["last_sync_at"]
    assert st["outbox"] == {"pending": 0, "oldest_age_s": None, "dead": 0}
    assert set(st) >= {"device_id", "provisioned", "content_version", "content_source",
                       "last_sync_at", "stale", "outbox", "app_version"}
    # The code was single use.
    again = kiosk_cli(home, "provision", "--api", central.url, "--code", code, check=False)
    assert again.returncode != 0
    assert "provisioning failed" in again.stderr and "Traceback" not in again.stderr


def test_provision_with_a_pin_keeps_only_its_hash_and_a_bad_pin_enrols_nothing(central,
                                                                              tmp_path):
    home = tmp_path / "kiosk"
    code = central.cli("enrollment-code").stdout.strip()
    bad = kiosk_cli(home, "provision", "--api", central.url, "--code", code, "--pin", "12ab",
                    check=False)
    assert bad.returncode == 1 and "6 to 12 digits" in bad.stderr
    assert not (home / "credentials.json").exists()  # and the code is still unused:
    kiosk_cli(home, "provision", "--api", central.url, "--code", code, "--pin", "4815162342")
    text = (home / "credentials.json").read_text()
    assert "4815162342" not in text
    assert json.loads(text)["technician_pin_hash"].startswith("$argon2id$")
    dev = KioskDevice(KioskPaths(home))
    try:
        assert dev.technician_pin_matches("4815162342")
        assert not dev.technician_pin_matches("4815162343")
    finally:
        dev.close()


def test_an_unchanged_catalogue_costs_one_request_answered_304(central, tmp_path):
    dev = provisioned(central, tmp_path)
    assert dev.sync().outcome == "updated"
    with FaultyProxy(central.url) as proxy:
        dev.require_credentials().api = proxy.url
        r = dev.sync()
    assert r.outcome == "unchanged" and r.requests == 1
    assert proxy.log == [("GET", "/api/v1/manifest", 304)]


def test_a_new_version_is_synced_and_images_no_version_uses_are_collected(central, tmp_path):
    dev = provisioned(central, tmp_path)
    dev.sync()
    svc = central.service()
    product = svc.get_record("product", "hojari")
    old_image = product["images"][0]["blob"]
    assert dev.blobs.has(old_image)
    from central.content import make_png

    new_image = svc.save_media(make_png(40, 30, (10, 200, 90), stripe=5), "image/png")
    product["images"] = [{"blob": new_image, "alt": {"en": "Resin, new photo",
                                                     "ar": "لبان، صورة جديدة"}}]
    svc.save_record("product", product)
    version = svc.publish().version
    r = dev.sync()
    assert r.outcome == "updated" and dev.store.active_version() == version
    assert dev.store.product("hojari").product.images[0].blob == new_image
    assert dev.blobs.has(new_image)
    # The previous snapshot still uses the old image (one-step rollback); one more version
    # and it is collected.
    svc.save_record("product", {**product, "name": {"en": "Hojari, new", "ar": "حوجري"}})
    svc.publish()
    dev.sync()
    assert not dev.blobs.has(old_image)
    dev.store.verify_active()


def _signed(central: CentralServer, **changes) -> bytes:
    """A manifest signed with central's real key, altered as a test needs."""
    svc = central.service()
    key = changes.pop("_key", None) or svc.keys.signing
    current = protocol.verify_manifest(svc.current_manifest().body,
                                       svc.keys.signing.verify_key)
    data = current.to_json()
    data.update({k: (protocol.iso(v) if isinstance(v, datetime) else v)
                 for k, v in changes.items()})
    return protocol.sign_manifest(protocol.Manifest.model_validate(data), key)


def test_a_rolled_back_manifest_is_refused_and_the_content_kept(central, tmp_path):
    dev = provisioned(central, tmp_path)
    dev.sync()
    active = dev.store.active_version()
    old = _signed(central, version=active - 1 if active > 1 else 1)
    if active == 1:
        pytest.skip("needs two published versions")
    with FaultyProxy(central.url) as proxy:
        proxy.add(Fault("replace", path="/api/v1/manifest", body=old))
        dev.require_credentials().api = proxy.url
        r = dev.sync()
    assert r.outcome == "failed" and "rollback" in r.message
    assert dev.store.active_version() == active
    dev.store.verify_active()
    assert "rollback" in dev.status()["last_sync_error"]


def test_an_expired_manifest_keeps_the_content_and_marks_it_stale(central, tmp_path):
    dev = provisioned(central, tmp_path)
    dev.sync()
    active = dev.store.active_version()
    now = datetime.now(UTC)
    expired = _signed(central, version=active + 1, created_at=now - timedelta(days=9),
                      expires_at=now - timedelta(days=2))
    with FaultyProxy(central.url) as proxy:
        proxy.add(Fault("replace", path="/api/v1/manifest", body=expired))
        dev.require_credentials().api = proxy.url
        r = dev.sync()
    assert r.outcome == "failed" and "expired" in r.message
    assert dev.store.active_version() == active
    dev.store.verify_active()


def test_a_manifest_signed_by_another_key_is_refused(central, tmp_path):
    dev = provisioned(central, tmp_path)
    dev.sync()
    active = dev.store.active_version()
    forged = _signed(central, version=active + 5, _key=SigningKey.generate())
    with FaultyProxy(central.url) as proxy:
        proxy.add(Fault("replace", path="/api/v1/manifest", body=forged))
        dev.require_credentials().api = proxy.url
        r = dev.sync()
    assert r.outcome == "failed" and "not signed by the pinned key" in r.message
    assert dev.store.active_version() == active


@pytest.mark.parametrize("fault, words", [
    (Fault("drop", path="/api/v1/manifest"), "could not be reached"),
    (Fault("503", path="/api/v1/manifest", retry_after=120), "503"),
    (Fault("delay", path="/api/v1/manifest", delay_s=3), "did not answer in time"),
    (Fault("truncate", path="/api/v1/manifest"), "central"),
    (Fault("flip", path="/api/v1/manifest"), "refused"),
    (Fault("flip", path="/api/v1/records"), "refused"),
    (Fault("flip", path="/api/v1/blobs/(?!.*index)"), "hash"),
    (Fault("truncate", path="/api/v1/blobs/"), "cut off"),
    (Fault("503", path="/api/v1/records"), "503"),
])
def test_bad_input_from_the_network_keeps_the_last_good_content(central, tmp_path, fault, words):
    dev = provisioned(central, tmp_path)
    dev.ensure_content()
    demo_version = dev.store.active_version()
    quick(dev)
    with FaultyProxy(central.url) as proxy:
        dev.require_credentials().api = proxy.url
        proxy.add(fault)
        r = dev.sync()
        assert r.outcome == "failed", r.message
        assert words in r.message
        if fault.retry_after:
            assert r.retry_after == fault.retry_after
        # What visitors see is still the complete, verified old content.
        assert dev.store.active_source() == "demo"
        assert dev.store.active_version() == demo_version
        dev.store.verify_active()
        assert dev.status()["last_sync_error"]
        # The network heals: the next cycle finishes the job.
        proxy.clear()
        r = dev.sync()
    assert r.outcome == "updated", r.message
    assert dev.store.active_source() == "central"
    dev.store.verify_active()
    assert dev.status()["last_sync_error"] is None


def test_a_cut_image_download_resumes_where_it_stopped(central, tmp_path):
    # A large photo, so the cut comes after some of it has been written.
    import io

    from PIL import Image

    svc = central.service()
    buf = io.BytesIO()
    Image.frombytes("RGB", (300, 300), random.Random(3).randbytes(300 * 300 * 3)).save(
        buf, "PNG")
    big = svc.save_media(buf.getvalue(), "image/png")
    product = svc.get_record("product", "date-syrup")
    product["images"] = [{"blob": big, "alt": {"en": "A jar of syrup", "ar": "برطمان دبس"}}]
    svc.save_record("product", product)
    svc.publish()
    dev = provisioned(central, tmp_path)
    quick(dev)
    with FaultyProxy(central.url) as proxy:
        dev.require_credentials().api = proxy.url
        proxy.add(Fault("truncate", path=f"/api/v1/blobs/{big}", times=1))
        assert dev.sync().outcome == "failed"
        r = dev.sync()
    assert r.outcome == "updated"
    assert [p for p, _ in proxy.ranges] == [f"/api/v1/blobs/{big}"]
    start = int(proxy.ranges[0][1].removeprefix("bytes=").rstrip("-"))
    assert 0 < start < len(buf.getvalue())
    assert dev.blobs.verify(protocol.BlobRef(sha256=big, size=len(buf.getvalue()),
                                             media_type="image/png"))
    dev.store.verify_active()


def test_a_revoked_kiosk_is_told_to_provision_again(central, tmp_path):
    dev = provisioned(central, tmp_path)
    central.service().revoke_device(dev.require_credentials().device_id)
    r = dev.sync()
    assert r.outcome == "failed" and "provision it again" in r.message


_SYNC_AND_REPORT = """
import sys
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
dev = KioskDevice(KioskPaths.default())
print("started", flush=True)
dev.sync()
print("done", flush=True)
"""


def test_kill_9_during_sync_always_leaves_a_complete_verified_snapshot(central, tmp_path):
    # A bigger version (the demo catalogue, 95 images) so a sync takes long enough to be cut.
    central.cli("import-demo")
    central.cli("publish")
    template = tmp_path / "template"
    dev = provisioned(central, template)
    dev.ensure_content()
    demo_version = dev.store.active_version()
    dev.close()
    t0 = time.monotonic()
    timing = tmp_path / "timing"
    subprocess.run(["cp", "-a", str(template), str(timing)], check=True)
    env = {**os.environ, "KIOSK_HOME": str(timing)}
    subprocess.run([sys.executable, "-c", _SYNC_AND_REPORT], env=env, cwd=REPO, check=True,
                   capture_output=True, timeout=120)
    full = time.monotonic() - t0
    rng = random.Random(20261128)
    outcomes = {"old": 0, "new": 0}
    for trial in range(20):
        home = tmp_path / f"trial{trial}"
        subprocess.run(["cp", "-a", str(template), str(home)], check=True)
        env = {**os.environ, "KIOSK_HOME": str(home)}
        proc = subprocess.Popen([sys.executable, "-c", _SYNC_AND_REPORT], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "started"
        try:
            proc.wait(timeout=rng.uniform(0, full))
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL: no cleanup, no finally blocks
        proc.wait()
        proc.stdout.close()
        after = KioskDevice(KioskPaths(home))
        after.store.verify_active()
        v = after.store.active_version()
        if after.store.active_source() == "demo":
            assert v == demo_version
            outcomes["old"] += 1
        else:
            assert v == newest_version(central)
            outcomes["new"] += 1
        # And the next sync completes from wherever the last one stopped.
        # "refreshed": killed after the switch but before the ETag was saved.
        assert after.sync().outcome in ("updated", "unchanged", "refreshed")
        after.store.verify_active()
        after.close()
    assert sum(outcomes.values()) == 20


_ENQUEUE_AND_FLUSH = """
import sys
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
dev = KioskDevice(KioskPaths.default())
dev.outbox.release_sending()
for i in range(int(sys.argv[1])):
    sid = dev.submit("feedback", {"kind": "comment", "text": f"visitor comment {i}"}, "en")
    print(sid, flush=True)  # the visitor is thanked only after this line
    if i % 4 == 3:
        dev.flush_outbox(max_failures=1)
"""


def test_kill_9_during_enqueue_and_flush_loses_nothing_and_sends_nothing_twice(central,
                                                                               tmp_path):
    home = tmp_path / "kiosk"
    dev = provisioned(central, home)
    dev.ensure_content()
    device_id = dev.require_credentials().device_id
    dev.close()
    env = {**os.environ, "KIOSK_HOME": str(home)}
    acknowledged: list[str] = []
    rng = random.Random(7)
    for _trial in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _ENQUEUE_AND_FLUSH, "40"], env=env,
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
        stop_after = rng.randint(1, 30)
        for _ in range(stop_after):
            line = proc.stdout.readline().strip()
            if not line:
                break
            acknowledged.append(line)
        proc.kill()
        proc.wait()
        # Whatever it printed before dying was acknowledged to a visitor.
        acknowledged += [x.strip() for x in proc.stdout.read().splitlines() if x.strip()]
        proc.stdout.close()
    dev = KioskDevice(KioskPaths(home))
    dev.outbox.release_sending()
    report = dev.flush_outbox(max_failures=3)
    assert report.pending == 0
    dev.close()
    received = [s["id"] for s in central.service().list_submissions()
                if s["device_id"] == device_id]
    assert len(received) == len(set(received))  # exactly once
    assert set(acknowledged) <= set(received)
    assert len(acknowledged) >= 6


def test_a_kiosk_one_version_behind_downloads_the_changes_not_the_whole_index(central,
                                                                              tmp_path):
    dev = provisioned(central, tmp_path)
    dev.sync()
    svc = central.service()
    product = svc.get_record("product", "khalas-dates")
    svc.save_record("product", {**product, "description": {"en": "Soft dates, this year's.",
                                                           "ar": "تمر طري من محصول هذا العام."}})
    version = svc.publish().version
    manifest = protocol.verify_manifest(svc.current_manifest().body,
                                        svc.keys.signing.verify_key)
    assert any(d.from_version == dev.store.active_version() for d in manifest.deltas)
    with FaultyProxy(central.url) as proxy:
        dev.require_credentials().api = proxy.url
        r = dev.sync()
    assert r.outcome == "updated" and dev.store.active_version() == version
    fetched = [path for _, path, _ in proxy.log]
    assert f"/api/v1/blobs/{manifest.index.sha256}" not in fetched
    assert dev.store.product("khalas-dates").product.description.en == "Soft dates, this year's."
    dev.store.verify_active()


_SYNC_WITH_A_FULL_DISK = """
import resource, signal, sys
from kiosk.cli import main
from kiosk.device import KioskDevice

def disk_full():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes then fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

if sys.argv[1] == "before-start":
    disk_full()
    sys.exit(main(["sync"]))
dev = KioskDevice()  # the disk fills up while the kiosk is running
disk_full()
r = dev.sync()
print(r.outcome, r.message)
sys.exit(0 if r.outcome == "failed" else 3)
"""


@pytest.mark.parametrize("when", ["before-start", "while-running"])
def test_a_full_disk_fails_the_sync_clearly_and_keeps_the_content(central, tmp_path, when):
    home = tmp_path / "kiosk"
    dev = provisioned(central, home)
    dev.ensure_content()
    demo_version = dev.store.active_version()
    dev.close()
    # Not one more byte may be written to any file: the disk is full.
    env = {**os.environ, "KIOSK_HOME": str(home)}
    res = subprocess.run([sys.executable, "-c", _SYNC_WITH_A_FULL_DISK, when],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    out = res.stdout + res.stderr
    assert res.returncode == (1 if when == "before-start" else 0), out
    assert "free disk space" in out and "Traceback" not in out
    dev = KioskDevice(KioskPaths(home))
    dev.store.verify_active()
    assert (dev.store.active_source(), dev.store.active_version()) == ("demo", demo_version)
    assert dev.sync().outcome == "updated"  # space freed: the next cycle completes
    dev.close()


def test_a_technician_rolls_back_one_version_and_it_is_not_reinstalled(central, tmp_path):
    home = tmp_path / "kiosk"
    dev = provisioned(central, home)
    dev.sync()
    before = dev.store.active_version()
    svc = central.service()
    product = svc.get_record("product", "hojari")
    svc.save_record("product", {**product, "name": {"en": "Hojari, a bad edit", "ar": "خطأ"}})
    bad = svc.publish().version
    assert dev.sync().outcome == "updated" and dev.store.active_version() == bad
    dev.close()
    out = kiosk_cli(home, "rollback")
    assert f"Content version {before} is active again" in out.stdout
    dev = KioskDevice(KioskPaths(home))
    assert dev.store.active_version() == before
    assert dev.store.product("hojari").product.name.en != "Hojari, a bad edit"
    r = dev.sync()
    assert r.outcome == "unchanged" and "rolled back by a technician" in r.message
    assert dev.store.active_version() == before
    svc.save_record("product", {**product, "name": {"en": "Hojari, fixed", "ar": "حوجري"}})
    fixed = svc.publish().version
    assert dev.sync().outcome == "updated" and dev.store.active_version() == fixed
    # Only one step back is kept.
    dev.close()
    kiosk_cli(home, "rollback")
    again = kiosk_cli(home, "rollback", check=False)
    assert again.returncode == 1 and "no previous content version" in again.stderr
