"""Central behind nginx as deployed: deploy/nginx/made-in-oman-central.conf passes `nginx -t`
with a certificate, and a real nginx (not a daemon, in a temporary prefix, on free ports) in
front of a real central on 127.0.0.1 redirects HTTP to HTTPS, serves /healthz and the signed
manifest over TLS, caches open data and not blobs, and leaves central's own size refusals
intact."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from nacl.signing import VerifyKey

from kiosk import protocol
from tests.conftest import CentralDB, CentralServer, free_port, published_central
from tests.helpers import ROOT
from tests.nginx import (
    MISSING,
    NGINX,
    nginx_conf,
    on_localhost,
    programs_missing,
    replace_once,
    self_signed,
    wait_for_port,
)

SITE = ROOT / "deploy" / "nginx" / "made-in-oman-central.conf"


def _need_programs() -> None:
    if programs_missing():
        pytest.fail(MISSING, pytrace=False)


@dataclass
class Prefix:
    root: Path
    conf: Path
    cert: Path
    http_port: int
    https_port: int


def nginx_prefix(where: Path, upstream_port: int) -> Prefix:
    """The site file as an admin installs it, with its placeholders filled for this test: the
    certificate, ports on 127.0.0.1, central's port; wrapped in a minimal nginx.conf."""
    root = where / "nginx"
    for d in ("conf", "logs", "tmp", "cache"):
        (root / d).mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(root / "conf")
    http_port, https_port = free_port(), free_port()
    site = on_localhost(SITE.read_text(), http_port, https_port, cert, key)
    site = replace_once(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    site = replace_once(site, "/var/cache/nginx/made-in-oman-open-data",
                         str(root / "cache" / "open-data"))
    (root / "conf" / "site.conf").write_text(site)
    (root / "conf" / "nginx.conf").write_text(nginx_conf(root))
    return Prefix(root, root / "conf" / "nginx.conf", cert, http_port, https_port)


def nginx_test(prefix: Prefix) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-p", str(prefix.root), "-c", str(prefix.conf)],
                          capture_output=True, text=True, timeout=60)


def test_the_site_file_passes_nginx_t_with_a_certificate(tmp_path):
    _need_programs()
    prefix = nginx_prefix(tmp_path, free_port())
    res = nginx_test(prefix)
    assert res.returncode == 0 and "syntax is ok" in res.stderr, res.stderr
    # Without the certificate it must fail: the check is real.
    prefix.cert.unlink()
    assert nginx_test(prefix).returncode != 0


def test_the_site_file_sets_what_central_trusts_and_its_limits():
    site = SITE.read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "return 301 https://$host$request_uri;" in site
    unit = (ROOT / "deploy/systemd/made-in-oman-central.service").read_text()
    assert "Environment=CENTRAL_TRUSTED_PROXIES=127.0.0.1" in unit
    assert "--host 127.0.0.1 --port 8000 --workers" in unit


@pytest.fixture
def behind_nginx(tmp_path: Path, central_catalogue_dir: Path, central_db: CentralDB
                 ) -> Iterator[tuple[CentralServer, Prefix]]:
    _need_programs()
    with published_central(tmp_path / "home", central_catalogue_dir, db=central_db) as central:
        prefix = nginx_prefix(tmp_path, int(central.url.rsplit(":", 1)[1]))
        errlog = prefix.root / "logs" / "error.log"
        proc = subprocess.Popen([NGINX, "-p", str(prefix.root), "-c", str(prefix.conf),
                                 "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                stderr=open(errlog, "ab"))  # noqa: SIM115
        try:
            wait_for_port(prefix.https_port, proc, errlog)
            wait_for_port(prefix.http_port, proc, errlog)
            yield central, prefix
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_central_behind_nginx_serves_health_and_the_manifest_over_tls(behind_nginx):
    central, prefix = behind_nginx
    base = f"https://127.0.0.1:{prefix.https_port}"
    http = requests.Session()
    http.verify = str(prefix.cert)
    http.trust_env = False  # REQUESTS_CA_BUNDLE would win over the test's certificate

    plain = requests.get(f"http://127.0.0.1:{prefix.http_port}/healthz?x=1",
                         allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/healthz?x=1"

    health = http.get(base + "/healthz", timeout=10)
    assert health.status_code == 200 and health.json()
    assert health.headers["Strict-Transport-Security"].startswith("max-age=")

    code = central.cli("enrollment-code").stdout.strip()
    device = http.post(base + "/api/v1/enroll", json={"code": code, "name": "via nginx"},
                       timeout=10).json()
    auth = {"Authorization": f"Bearer {device['device_token']}"}
    r = http.get(base + "/api/v1/manifest", headers=auth, timeout=10)
    assert r.status_code == 200, r.text
    manifest = protocol.verify_manifest(
        r.content, VerifyKey(protocol.unb64(device["content_public_key"])))
    assert manifest.version == 1
    again = http.get(base + "/api/v1/manifest", timeout=10,
                     headers={**auth, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304

    blob = http.get(base + f"/api/v1/blobs/{manifest.index.sha256}", headers=auth, timeout=10)
    assert blob.status_code == 200 and protocol.sha256_hex(blob.content) == manifest.index.sha256
    # Blobs are for enrolled kiosks only, even after one has fetched them through nginx.
    assert http.get(base + f"/api/v1/blobs/{manifest.index.sha256}",
                    timeout=10).status_code == 401

    first = http.get(base + "/open-data/products.json", timeout=10)
    second = http.get(base + "/open-data/products.json", timeout=10)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.json() == first.json()

    # A body over central's limit is refused by nginx, in JSON with a sentence like
    # central's; one just under it reaches central.
    auth_json = {**auth, "Content-Type": "application/json"}
    big = http.post(base + "/api/v1/records", headers=auth_json,
                    data=b" " * (1024 * 1024 + 1), timeout=30)
    assert big.status_code == 413 and "send less at once" in big.json()["error"]
    under = http.post(base + "/api/v1/records", headers=auth_json,
                      data=b'{"hashes": []}' + b" " * (1024 * 1024 - 100), timeout=30)
    assert under.status_code == 422, under.text  # central's own answer: no hashes asked for
    batch = http.post(base + "/api/v1/submissions", headers=auth_json,
                      data=b'{"items": []}' + b" " * (3 * 1024 * 1024), timeout=30)
    assert batch.status_code == 422, batch.text  # submissions may be up to 4 MiB
