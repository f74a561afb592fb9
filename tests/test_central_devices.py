"""Enrolment, device tokens, heartbeats and remote commands, as a kiosk and staff see them."""

from __future__ import annotations

import json
from datetime import timedelta

from central.db import utcnow
from kiosk import protocol

HEARTBEAT = {
    "app_version": "0.1.0", "content_version": 1, "content_source": "central", "stale": False,
    "last_sync_at": "2026-11-28T10:00:00Z", "outbox_pending": 2, "outbox_dead": 0,
    "outbox_oldest_age_s": 30, "uptime_s": 3600, "problems": ["speaker quiet"],
}


def test_enrolment_gives_keys_and_config(central_server):
    code = central_server.cli("enrollment-code", "--location", "Muscat Grand Mall").stdout.strip()
    r = central_server.post("/api/v1/enroll", json={"code": code, "name": "hall kiosk"})
    assert r.status_code == 200, r.text
    resp = protocol.EnrollResponse.model_validate(r.json())
    assert resp.config == protocol.DEFAULT_DEVICE_CONFIG
    assert len(protocol.unb64(resp.content_public_key)) == 32
    assert len(protocol.unb64(resp.submission_public_key)) == 32
    listed = json.loads(central_server.cli("devices", "--json").stdout)
    mine = next(d for d in listed if d["id"] == resp.device_id)
    assert mine["location"] == "Muscat Grand Mall" and mine["name"] == "hall kiosk"


def test_an_enrolment_code_works_only_once(central_server):
    code = central_server.cli("enrollment-code").stdout.strip()
    assert central_server.post("/api/v1/enroll", json={"code": code}).status_code == 200
    again = central_server.post("/api/v1/enroll", json={"code": code})
    assert 400 <= again.status_code < 500
    assert "already been used" in again.json()["error"]


def test_a_batch_of_enrolment_codes_gives_each_kiosk_its_own(central_server):
    codes = central_server.cli("enrollment-code", "--count", "3", "--location",
                               "Mall of Oman").stdout.split()
    assert len(set(codes)) == 3
    ids = {central_server.post("/api/v1/enroll", json={"code": c}).json()["device_id"]
           for c in codes}
    assert len(ids) == 3
    again = central_server.post("/api/v1/enroll", json={"code": codes[1]})
    assert "already been used" in again.json()["error"]


def test_an_expired_enrolment_code_is_refused(central_server):
    svc = central_server.service()
    try:
        info = svc.create_enrollment_code("old desk", timedelta(hours=24),
                                          now=utcnow() - timedelta(hours=25))
    finally:
        svc.close()
    r = central_server.post("/api/v1/enroll", json={"code": info.code})
    assert 400 <= r.status_code < 500
    assert "expired" in r.json()["error"]


def test_an_unknown_or_malformed_code_is_refused(central_server):
    r = central_server.post("/api/v1/enroll", json={"code": "ABCD-EFGH-JKMN"})
    assert r.status_code == 403 and "not known" in r.json()["error"]
    r = central_server.post("/api/v1/enroll", json={"code": "../../x"})
    assert r.status_code == 422 and "error" in r.json()


def test_device_routes_refuse_missing_wrong_and_revoked_tokens(central_server, central_device):
    hb = central_server.post("/api/v1/heartbeat", json=HEARTBEAT)
    assert hb.status_code == 401 and "token" in hb.json()["error"]
    wrong = central_server.post("/api/v1/heartbeat", json=HEARTBEAT,
                                headers=central_server.auth("x" * 40))
    assert wrong.status_code == 401
    ok = central_server.post("/api/v1/heartbeat", json=HEARTBEAT,
                             headers=central_server.auth(central_device))
    assert ok.status_code == 200
    central_server.cli("revoke-device", central_device["device_id"])
    for method, path, body in (("post", "/api/v1/heartbeat", HEARTBEAT),
                               ("get", "/api/v1/manifest", None),
                               ("post", "/api/v1/submissions", {"items": [{}]})):
        r = getattr(central_server, method)(path, json=body,
                                            headers=central_server.auth(central_device))
        assert r.status_code == 401, path
        assert "revoked" in r.json()["error"]


def test_heartbeat_returns_config_and_queued_commands_until_acknowledged(central_server,
                                                                         central_device):
    h = central_server.auth(central_device)
    dev_id = central_device["device_id"]
    svc = central_server.service()
    try:
        svc.set_device_config(dev_id, {"idle_timeout_s": 120, "default_lang": "en"})
    finally:
        svc.close()
    cmd_id = central_server.cli("queue-command", dev_id, "sync_now").stdout.strip()
    r = central_server.post("/api/v1/heartbeat", json=HEARTBEAT, headers=h)
    assert r.status_code == 200, r.text
    reply = protocol.HeartbeatReply.model_validate(r.json())
    assert reply.config["idle_timeout_s"] == 120 and reply.config["default_lang"] == "en"
    assert reply.config["sync_interval_s"] == protocol.DEFAULT_DEVICE_CONFIG["sync_interval_s"]
    assert [(c.id, c.name) for c in reply.commands] == [(cmd_id, "sync_now")]
    # Not yet acknowledged: sent again, so a lost reply does not lose the command.
    again = protocol.HeartbeatReply.model_validate(
        central_server.post("/api/v1/heartbeat", json=HEARTBEAT, headers=h).json())
    assert [c.id for c in again.commands] == [cmd_id]
    done = central_server.post("/api/v1/heartbeat", json={**HEARTBEAT, "done_commands": [cmd_id]},
                               headers=h)
    assert done.json()["commands"] == []
    listed = json.loads(central_server.cli("devices", "--json").stdout)
    mine = next(d for d in listed if d["id"] == dev_id)
    assert mine["outbox_pending"] == 2 and mine["problems"] == ["speaker quiet"]
    assert mine["last_seen_at"] is not None and mine["pending_commands"] == []


def test_only_allow_listed_commands_can_be_queued(central_server, central_device):
    res = central_server.cli("queue-command", central_device["device_id"], "rm_rf", check=False)
    assert res.returncode != 0
    svc = central_server.service()
    try:
        try:
            svc.queue_command(central_device["device_id"], "format_disk")
        except Exception as e:  # noqa: BLE001
            assert "not a kiosk command" in str(e)
        else:
            raise AssertionError("a command outside the allow-list was queued")
    finally:
        svc.close()


def test_a_malformed_heartbeat_is_a_4xx_with_the_field_named(central_server, central_device):
    r = central_server.post("/api/v1/heartbeat", json={**HEARTBEAT, "outbox_pending": -1},
                            headers=central_server.auth(central_device))
    assert r.status_code == 422
    assert "outbox_pending" in r.json()["error"]
    r = central_server.post("/api/v1/heartbeat", data=b"{not json",
                            headers={**central_server.auth(central_device),
                                     "Content-Type": "application/json"})
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]


def test_create_staff_hashes_the_password_and_login_checks_it(central_server):
    central_server.cli("create-staff", "mariam", "--role", "editor",
                       input="correct horse battery\n")
    dup = central_server.cli("create-staff", "mariam", "--role", "admin", input="whatever12345\n",
                             check=False)
    assert dup.returncode != 0 and "already exists" in dup.stderr
    assert len(dup.stderr.strip().splitlines()) == 1
    signed_in = central_server.sign_in("mariam", "correct horse battery")
    assert signed_in.status_code == 200 and "Signed in as mariam (editor)" in signed_in.text
    assert central_server.sign_in("mariam", "wrong password").status_code == 401
    assert central_server.sign_in("nobody", "correct horse battery").status_code == 401
    svc = central_server.service()
    try:
        from django.contrib.auth.models import User

        stored = User.objects.using(svc.db).get(username="mariam").password
        assert stored.startswith("argon2$argon2id$") and "correct horse" not in stored
        assert [u["role"] for u in svc.list_staff() if u["username"] == "mariam"] == ["editor"]
    finally:
        svc.close()


def test_many_kiosks_at_once_get_no_server_errors(central_server):
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import requests

    devices = [central_server.enroll(name=f"busy {i}") for i in range(8)]

    def kiosk(device: dict) -> list[int]:
        codes = []
        with requests.Session() as http:
            h = central_server.auth(device)
            for _round in range(6):
                r = http.post(central_server.url + "/api/v1/heartbeat", json=HEARTBEAT,
                              headers=h, timeout=30)
                codes.append(r.status_code)
                item = {"id": str(uuid.uuid4()), "type": "poll_vote",
                        "created_at": "2026-11-28T09:00:00Z", "lang": "en",
                        "content_version": 1,
                        "payload": {"poll_id": "favourite", "option_id": "dates"}}
                r = http.post(central_server.url + "/api/v1/submissions",
                              json={"items": [item, item]}, headers=h, timeout=30)
                codes.append(r.status_code)
                assert [x["status"] for x in r.json()["results"]] == ["stored", "duplicate"]
                codes.append(http.get(central_server.url + "/api/v1/manifest", headers=h,
                                      timeout=30).status_code)
        return codes

    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        codes = [c for result in pool.map(kiosk, devices) for c in result]
    assert set(codes) == {200}
