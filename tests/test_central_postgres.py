"""The production database: the main flows of central against a throwaway PostgreSQL cluster.
Skipped where PostgreSQL's server programs or the psycopg driver are not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from nacl.signing import VerifyKey

from kiosk import protocol
from tests.conftest import free_port, start_central

pytest.importorskip("psycopg")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server programs are not installed")
    root = tmp_path_factory.mktemp("pg")
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    # PostgreSQL refuses to run as root; CI and these machines run as root.
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL")
        if not runuser:
            pytest.skip("running as root without runuser")
        prefix = [runuser, "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
        for parent in root.parents:  # postgres must be able to reach its data directory
            if str(parent) in ("/", "/tmp"):
                break
            parent.chmod(parent.stat().st_mode | 0o055)
    port = free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", "postgres", "-A", "trust",
                    "--no-sync"], check=True, capture_output=True, timeout=120)
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(root / "pg.log"), "-w",
                    "-o", f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off",
                    "start"], check=True, capture_output=True, timeout=120)
    url = f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"
    try:
        yield url
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)


def test_central_runs_on_postgresql(tmp_path, postgres_url, central_catalogue_dir):
    server = start_central(tmp_path / "home", db_url=postgres_url)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        assert server.cli("publish").stdout.strip() == "1"
        device = server.enroll(location="Salalah")
        h = server.auth(device)
        r = server.get("/api/v1/manifest", headers=h)
        manifest = protocol.verify_manifest(
            r.content, VerifyKey(protocol.unb64(device["content_public_key"])))
        assert manifest.version == 1
        assert server.get("/api/v1/manifest",
                          headers={**h, "If-None-Match": r.headers["ETag"]}).status_code == 304
        idx = server.get(f"/api/v1/blobs/{manifest.index.sha256}", headers=h)
        index = protocol.parse_index(idx.content, manifest.index)
        got = server.post("/api/v1/records", headers=h,
                          json={"hashes": sorted(index.hashes())}).json()
        assert got["missing"] == []
        vote = {"id": str(uuid.uuid4()), "type": "poll_vote",
                "created_at": "2026-11-28T09:00:00Z", "lang": "ar", "content_version": 1,
                "payload": {"poll_id": "favourite", "option_id": "dates"}}
        other = {**vote, "payload": {"poll_id": "favourite", "option_id": "halwa"}}
        results = server.post("/api/v1/submissions", headers=h,
                              json={"items": [vote, vote, other]}).json()["results"]
        assert [x["status"] for x in results] == ["stored", "duplicate", "conflict"]
        assert results[0]["receipt"] == results[1]["receipt"]
        poll = server.get("/api/v1/polls/favourite/results").json()
        assert {o["id"]: o["votes"] for o in poll["options"]}["dates"] == 1
        cmd = server.cli("queue-command", device["device_id"], "speech_test").stdout.strip()
        hb = {"app_version": "1", "content_version": 1, "content_source": "central",
              "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5}
        reply = server.post("/api/v1/heartbeat", headers=h, json=hb).json()
        assert [c["id"] for c in reply["commands"]] == [cmd]
        products = server.get("/open-data/products.json").json()["products"]
        assert {p["id"] for p in products} == {"khalas-dates", "hojari", "date-syrup"}
        server.cli("revoke-device", device["device_id"])
        assert server.get("/api/v1/manifest", headers=h).status_code == 401
        started = time.monotonic()
        server.cli("seed", "--products", "2000")
        assert server.cli("publish").stdout.strip() == "2"
        assert time.monotonic() - started < 60
    finally:
        server.stop()
