"""Booted with central unreachable and no network, a provisioned kiosk shows its last good
content at once (home, a category, a product, in Arabic and English) and tells visitors nothing
about being offline; only the technician's views (`kiosk status`, the fleet) say so. The app
runs as `kiosk walk --connected` (the sync and heartbeat loops running, as in `kiosk run`) in
a network namespace of its own with no interface up (where unshare can make one), against the
port of a central that has been stopped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import CentralDB, published_central, write_test_catalogue
from tests.fleet_kiosk import provision, wait_for
from tests.helpers import KIOSK, ROOT, kiosk_env

# What a visitor must not be told: the kiosk being offline or unable to reach the portal.
OFFLINE_WORDS = ("offline", "online", "unreachable", "not connected", "no network",
                 "connection", "الاتصال", "غير متصل", "متصل")


def no_network_prefix() -> list[str]:
    """`unshare --net` (a namespace with no interface up: no DNS, no route, not even
    loopback), when this user may make one; else nothing (central's port is closed anyway)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, timeout=30)
    return [unshare, "--net"] if probe.returncode == 0 else []


@pytest.fixture(scope="module")
def offline_home(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
                 module_central_db: CentralDB) -> tuple[Path, str]:
    """A kiosk provisioned and synced from a real central, which is then stopped: returns
    the kiosk's home and the id of its device."""
    home = tmp_path_factory.mktemp("offline_kiosk")
    with published_central(tmp_path_factory.mktemp("offline_central"), central_catalogue_dir,
                           db=module_central_db) as central:
        dev = provision(central, home)
        try:
            dev.sync()
            device_id = dev.require_credentials().device_id
        finally:
            dev.close()
    # Central is gone: its port is closed. The kiosk's own loops find out, as after a reboot.
    dev = KioskDevice(KioskPaths(home))
    dev.start_background()
    try:
        wait_for("the kiosk to notice central is unreachable",
                 lambda: any(p["code"] == "central_unreachable" for p in dev.problems()), 60)
    finally:
        dev.close()
    return home, device_id


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_offline_boot_shows_the_last_content_and_no_offline_word(display, tmp_path,
                                                                  offline_home, lang):
    home, _device_id = offline_home
    cat = write_test_catalogue(tmp_path / "catalogue")  # what central published
    product = next(p for p in cat["product"] if p["id"] == "khalas-dates")
    category = next(c for c in cat["category"] if c["id"] == product["category_id"])
    report = tmp_path / "report.json"
    steps = [
        {"expect_screen": "attract"},
        {"tap": f"lang.{lang}"},
        {"expect_screen": "home"},
        {"report": True},
        {"tap": "home.categories"},
        {"expect_text": category["name"][lang]},
        {"tap": f"category.{category['id']}"},
        {"expect_text": product["name"][lang]},
        {"tap": f"product.{product['id']}"},
        {"expect_screen": "product"},
        {"expect_text": product["description"][lang].split(",")[0].split("،")[0]},
        {"report": True},
    ]
    script = tmp_path / "walk.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    env = kiosk_env(display, home)
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(proxy, None)
    cmd = [*no_network_prefix(), *KIOSK, "walk", str(script), "--out", str(tmp_path / "out"),
           "--report", str(report), "--connected", "--silent"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-1000:]
    assert f"{len(steps)} steps passed" in proc.stdout, proc.stdout
    shown = json.loads(report.read_text(encoding="utf-8"))["reports"]
    assert [r["screen"] for r in shown[:2]] == ["home", "product"]
    for r in shown:
        texts = [t["logical"] for t in r["texts"]] + [b["text"] for b in r["buttons"]]
        said = [w for w in OFFLINE_WORDS for t in texts if w in t.lower()]
        assert not said, (r["screen"], said, texts)
    # The content shown is central's, not the bundled demo's.
    assert any(product["name"][lang] in t["logical"] for t in shown[1]["texts"])

    # The technician's view says it: the kiosk knows it cannot reach central.
    status = subprocess.run([*KIOSK, "status", "--json"], cwd=ROOT,
                            env=kiosk_env(None, home), capture_output=True, text=True,
                            timeout=60)
    assert status.returncode == 0, status.stderr
    codes = [p["code"] for p in json.loads(status.stdout)["problems"]]
    assert "central_unreachable" in codes, status.stdout
