"""Central's main flows end to end on each database (the PostgreSQL run is on the session's
throwaway cluster, tests/pg.py), and proof that the PostgreSQL run really uses PostgreSQL."""

from __future__ import annotations

import time
import uuid

import pytest
from nacl.signing import VerifyKey

from kiosk import protocol
from tests.conftest import CentralDB, start_central


def test_central_runs_its_main_flows(tmp_path, central_db: CentralDB, central_catalogue_dir):
    server = start_central(tmp_path / "home", db=central_db)
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
        assert list(got["records"]) == sorted(index.hashes())  # in hash order, on each database
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


@pytest.mark.central_db_only("postgresql")
def test_the_postgresql_run_stores_central_in_postgresql(tmp_path, central_db: CentralDB,
                                                         central_catalogue_dir):
    import psycopg

    assert central_db.url and central_db.url.startswith("postgresql+psycopg://")
    server = start_central(tmp_path / "home", db=central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        assert server.cli("publish").stdout.strip() == "1"
    finally:
        server.stop()
    assert not list((tmp_path / "home").glob("central.sqlite3*"))
    with psycopg.connect(central_db.url.replace("postgresql+psycopg", "postgresql")) as conn:
        [(products,)] = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert products > 5  # central's schema is there
