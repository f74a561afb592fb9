"""The manifest poll answered from memory (central.cache, api.ManifestFastPath): same answers as
the database would give, and changes made by other processes seen at once on this machine or
within the cache's bound from elsewhere."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from central import content, device_config, service
from central.cache import MAX_AGE_S
from central.config import load_settings
from central.service import Central
from tests.conftest import CentralDB, start_central

# A check of the database is due MAX_AGE_S after the last one; the rest is for a busy machine.
SEEN_WITHIN_S = MAX_AGE_S + 2.0


def wait_for(condition, deadline_s: float = 15.0, what: str = "condition"):
    end = time.monotonic() + deadline_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} not reached within {deadline_s} s")
        time.sleep(0.02)


def manifest(server, device, etag: str | None = None):
    headers = {**server.auth(device), **({"If-None-Match": etag} if etag else {})}
    return server.get("/api/v1/manifest", headers=headers)


def without_date(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if k.lower() != "date"}


def test_the_poll_from_memory_answers_like_the_route(central_server):
    device = central_server.enroll()
    # The token is new, so the first request takes the route and the second the memory path.
    slow = manifest(central_server, device)
    fast = manifest(central_server, device)
    assert slow.status_code == fast.status_code == 200
    assert fast.content == slow.content
    assert without_date(fast.headers) == without_date(slow.headers)
    etag = fast.headers["ETag"]
    unchanged = manifest(central_server, device, etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag
    assert unchanged.headers["X-Content-Version"] == fast.headers["X-Content-Version"]
    assert manifest(central_server, device, '"something else"').status_code == 200


def test_a_bad_token_is_refused_even_when_the_manifest_is_in_memory(central_server):
    device = central_server.enroll()
    assert manifest(central_server, device).status_code == 200
    for headers in ({}, {"Authorization": "Bearer " + "x" * 43},
                    {"Authorization": "Basic " + device["device_token"]},
                    {"Authorization": "Bearer " + device["device_token"] + "x"}):
        r = central_server.get("/api/v1/manifest", headers=headers)
        assert r.status_code == 401 and r.json()["error"]


def test_a_publish_from_the_cli_is_served_at_once(central_server):
    device = central_server.enroll()
    before = manifest(central_server, device)
    manifest(central_server, device, before.headers["ETag"])  # now in memory
    version = central_server.cli("publish").stdout.strip()
    after = manifest(central_server, device, before.headers["ETag"])
    assert after.status_code == 200 and after.headers["X-Content-Version"] == version


def test_a_kiosk_revoked_from_the_cli_is_refused_at_once(central_server):
    device = central_server.enroll()
    etag = manifest(central_server, device).headers["ETag"]
    assert manifest(central_server, device, etag).status_code == 304  # token in memory
    central_server.cli("revoke-device", device["device_id"])
    r = manifest(central_server, device, etag)
    assert r.status_code == 401 and "revoked" in r.json()["error"]


@pytest.fixture
def elsewhere(central_server, monkeypatch):
    """An in-process Central that, like one on another host sharing the database, does not
    touch this host's change stamp: the server only learns from its periodic check."""
    monkeypatch.setattr(content, "bump_stamp", lambda settings: None)
    monkeypatch.setattr(service, "bump_stamp", lambda settings: None)
    monkeypatch.setattr(device_config, "bump_stamp", lambda settings: None)
    svc = central_server.service()
    yield svc
    svc.close()


def test_a_publish_elsewhere_is_served_within_the_bound(central_server, elsewhere):
    device = central_server.enroll()
    etag = manifest(central_server, device).headers["ETag"]
    assert manifest(central_server, device, etag).status_code == 304
    version = str(elsewhere.publish().version)
    published = time.monotonic()
    wait_for(lambda: manifest(central_server, device, etag).headers.get("X-Content-Version")
             == version, what="the new version served")
    assert time.monotonic() - published < SEEN_WITHIN_S


def test_a_kiosk_revoked_elsewhere_is_refused_within_the_bound(central_server, elsewhere):
    device = central_server.enroll()
    etag = manifest(central_server, device).headers["ETag"]
    assert manifest(central_server, device, etag).status_code == 304
    elsewhere.revoke_device(device["device_id"])
    revoked = time.monotonic()
    wait_for(lambda: manifest(central_server, device, etag).status_code == 401,
             what="the revoked token refused")
    assert time.monotonic() - revoked < SEEN_WITHIN_S
    r = central_server.post("/api/v1/submissions", json={"items": [{}]},
                            headers=central_server.auth(device))
    assert r.status_code == 401 and "revoked" in r.json()["error"]


def test_a_cached_manifest_is_still_re_signed_past_half_its_lifetime(
        tmp_path: Path, central_catalogue_dir, central_db: CentralDB):
    server = start_central(tmp_path / "home", db=central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish", "--ttl-seconds", "4")
        device = server.enroll()
        first = manifest(server, device)
        etag = first.headers["ETag"]
        assert manifest(server, device, etag).status_code == 304  # served from memory
        # Two seconds in, less than half the lifetime is left: the next poll gets a new
        # signature with the same version.
        renewed = wait_for(lambda: (r := manifest(server, device, etag)).status_code == 200
                           and r, deadline_s=15, what="a re-signed manifest")
        assert renewed.headers["X-Content-Version"] == first.headers["X-Content-Version"]
        assert renewed.headers["ETag"] != etag
    finally:
        server.stop()


def test_a_token_lookup_that_raced_a_revocation_is_not_kept(tmp_path: Path):
    svc = Central(load_settings(home=tmp_path / "home"))
    try:
        cache = svc.cache
        generation = cache.generation  # a lookup starts reading the database ...
        cache.forget_device("kiosk-1")  # ... the kiosk is revoked meanwhile ...
        cache.remember("token-hash", "kiosk-1", generation)  # ... and its answer comes back
        assert cache.device_for("token-hash") is None
        cache.remember("token-hash", "kiosk-1", cache.generation)
        assert cache.device_for("token-hash") == "kiosk-1"
    finally:
        svc.close()


def test_with_two_workers_a_publish_and_a_revoke_reach_both_at_once(
        tmp_path: Path, central_catalogue_dir, central_db: CentralDB):
    import os
    import subprocess
    import sys

    import requests

    from tests.conftest import REPO, CentralServer, free_port

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    env.pop("CENTRAL_DB_URL", None)
    if central_db.url:
        env["CENTRAL_DB_URL"] = central_db.url
    port = free_port()
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "central.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "warning", "--workers", "2"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = CentralServer(f"http://127.0.0.1:{port}", home, env, proc, log_path, central_db)
    try:
        def up() -> bool:
            assert proc.poll() is None, log_path.read_text()[-2000:]
            try:
                return requests.get(server.url + "/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, deadline_s=60, what="two workers answering")
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish")
        device = server.enroll()

        def polls(n: int = 16) -> list[requests.Response]:
            # A new connection each time, so both workers answer some of them.
            return [requests.get(server.url + "/api/v1/manifest", headers=server.auth(device),
                                 timeout=10) for _ in range(n)]

        assert {r.headers["X-Content-Version"] for r in polls()} == {"1"}
        assert server.cli("publish").stdout.strip() == "2"
        assert {r.headers["X-Content-Version"] for r in polls()} == {"2"}
        server.cli("revoke-device", device["device_id"])
        assert {r.status_code for r in polls()} == {401}
    finally:
        server.stop()


# -- what every heartbeat reads: the kiosks' settings and which kiosks have commands waiting --

STATUS = {"app_version": "test", "content_version": 1, "content_source": "central",
          "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 60,
          "config_version": 0}


def beat(server, device, **extra) -> dict:
    r = server.post("/api/v1/heartbeat", json={**STATUS, **extra}, headers=server.auth(device))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_command_queued_from_the_cli_goes_out_with_the_very_next_heartbeat(central_server):
    device = central_server.enroll()
    assert beat(central_server, device).get("commands", []) == []  # the copy is read now
    cmd = central_server.cli("queue-command", device["device_id"], "speech_test").stdout.strip()
    assert [c["id"] for c in beat(central_server, device)["commands"]] == [cmd]


def test_a_command_queued_elsewhere_goes_out_within_the_bound(central_server, elsewhere):
    device = central_server.enroll()
    assert beat(central_server, device).get("commands", []) == []
    cmd = elsewhere.queue_command(device["device_id"], "speech_test")
    queued = time.monotonic()
    wait_for(lambda: [c["id"] for c in beat(central_server, device).get("commands", [])]
             == [cmd], what="the command in a heartbeat's reply")
    assert time.monotonic() - queued < SEEN_WITHIN_S


def test_a_setting_changed_elsewhere_is_one_new_config_version_at_the_next_heartbeat(
        central_server, elsewhere):
    """The server's copy of the settings is stale (nothing told it), yet the kiosk's row says
    its config changed: the heartbeat asks the database, and numbers exactly one version."""
    device = central_server.enroll(location="Copy lane")
    first = beat(central_server, device)
    assert beat(central_server, device)["config_version"] == first["config_version"]
    device_config.set_values(elsewhere, {"idle_timeout_s": 97}, location="Copy lane")
    after = beat(central_server, device, config_version=first["config_version"])
    assert after["config"]["idle_timeout_s"] == 97
    assert after["config_version"] == first["config_version"] + 1
    time.sleep(MAX_AGE_S)  # the copy is read again: still the same version
    again = beat(central_server, device, config_version=after["config_version"])
    assert (again["config_version"], again["config"]) == (after["config_version"],
                                                          after["config"])


def test_a_heartbeat_that_only_reports_status_does_not_wait_for_the_disk(
        tmp_path: Path, central_db: CentralDB):
    """A status-only heartbeat commits without a flush (the next one repeats it); one that ends
    a command is durable; and the connection is durable again afterwards, for submissions."""
    from django.db import connections

    from kiosk import protocol
    from tests.conftest import central_settings

    svc = Central(central_settings(tmp_path / "home", central_db))
    try:
        code = svc.create_enrollment_code().code
        device_id = svc.enroll(protocol.EnrollRequest(code=code, name="k")).device_id
        cmd = svc.queue_command(device_id, "speech_test")
        sql: list[str] = []

        def note(execute, statement, params, many, context):
            sql.append(statement)
            return execute(statement, params, many, context)

        relaxed = ("PRAGMA synchronous=NORMAL" if central_db.kind == "sqlite"
                   else "SET LOCAL synchronous_commit TO OFF")
        conn = connections[svc.db]
        setting = "PRAGMA synchronous" if central_db.kind == "sqlite" else "SHOW synchronous_commit"

        def durability() -> object:
            with conn.cursor() as cur:
                cur.execute(setting)
                return cur.fetchone()[0]

        before = durability()
        with conn.execute_wrapper(note):
            status = svc.heartbeat(device_id, protocol.Heartbeat(**STATUS))
            assert [c.id for c in status.commands] == [cmd]
            assert relaxed in sql
            sql.clear()
            svc.heartbeat(device_id, protocol.Heartbeat(
                **STATUS, command_results=[{"id": cmd, "ok": True, "result": "spoken"}]))
            assert relaxed not in sql
        # SQLite's FULL (2) again; PostgreSQL's SET LOCAL ended with its transaction (the test
        # cluster itself runs without synchronous commits, so compare with before).
        assert durability() == before
        if central_db.kind == "sqlite":
            assert before == 2
        assert next(c for c in svc.list_commands(device_id) if c["id"] == cmd)["state"] == "done"
    finally:
        svc.close()
