"""Commands staff send to kiosks: queued, delivered, then done or failed with what came of it
as the kiosk reports, or expired when no heartbeat took them in time; and on the kiosk, each
carried out before it is called done."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import CentralServer, published_central

PASSWORD = "correct horse battery"
HEARTBEAT = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
             "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5,
             "config_version": 0}
DEADLINE_S = 60.0


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path):
    with published_central(tmp_path_factory.mktemp("commands_home"),
                           central_catalogue_dir) as server:
        server.cli("create-staff", "fatma", "--role", "admin", input=PASSWORD + "\n")
        yield server


def beat(central: CentralServer, device: dict, **extra) -> dict:
    r = central.post("/api/v1/heartbeat", json={**HEARTBEAT, **extra},
                     headers=central.auth(device))
    assert r.status_code == 200, r.text
    return r.json()


def commands(central: CentralServer, device_id: str) -> dict[str, dict]:
    svc = central.service()
    try:
        return {c["id"]: c for c in svc.list_commands(device_id)}
    finally:
        svc.close()


def test_a_command_is_queued_delivered_then_done_or_failed_with_its_result(central):
    device = central.enroll()
    dev_id = device["device_id"]
    sync = central.cli("queue-command", dev_id, "sync_now").stdout.strip()
    speech = central.cli("queue-command", dev_id, "speech_test").stdout.strip()
    assert {c["state"] for c in commands(central, dev_id).values()} == {"queued"}

    reply = beat(central, device)
    assert [c["id"] for c in reply["commands"]] == [sync, speech]
    assert {c["state"] for c in commands(central, dev_id).values()} == {"delivered"}
    # Still running on the kiosk: sent again until it says how they ended.
    assert [c["id"] for c in beat(central, device)["commands"]] == [sync, speech]

    reply = beat(central, device, command_results=[
        {"id": sync, "ok": True, "result": "content version 1 is active"},
        {"id": speech, "ok": False, "result": "this command needs the kiosk's visitor app, "
                                              "which is not running"}])
    assert reply["commands"] == []
    listed = json.loads(central.cli("commands", dev_id, "--json").stdout)
    by_id = {c["id"]: c for c in listed}
    assert by_id[sync]["state"] == "done"
    assert by_id[sync]["result"] == "content version 1 is active"
    assert by_id[speech]["state"] == "failed" and "not running" in by_id[speech]["result"]
    for c in listed:
        assert c["queued_at"] <= c["delivered_at"] <= c["finished_at"]
        assert c["queued_by"] == "cli" and c["expires_at"] > c["queued_at"]
    text = central.cli("commands", dev_id).stdout
    assert re.search(r"sync_now\s+done\s+\S+ \S+\s+content version 1 is active", text)
    # A result reported twice (a lost reply) changes nothing.
    beat(central, device, command_results=[{"id": sync, "ok": False, "result": "again"}])
    assert commands(central, dev_id)[sync]["result"] == "content version 1 is active"


def test_an_older_kiosks_done_commands_still_mark_them_done(central):
    device = central.enroll()
    cmd = central.cli("queue-command", device["device_id"], "flush_outbox").stdout.strip()
    old = {k: v for k, v in HEARTBEAT.items() if k != "config_version"}
    r = central.post("/api/v1/heartbeat", json=old, headers=central.auth(device)).json()
    assert [c["id"] for c in r["commands"]] == [cmd]
    r = central.post("/api/v1/heartbeat", json={**old, "done_commands": [cmd]},
                     headers=central.auth(device)).json()
    assert r["commands"] == []
    assert commands(central, device["device_id"])[cmd]["state"] == "done"


def test_a_command_no_heartbeat_took_in_time_expires_and_is_never_sent(central):
    device = central.enroll()
    dev_id = device["device_id"]
    cmd = central.cli("queue-command", dev_id, "restart_app", "--ttl-minutes", "0.02"
                      ).stdout.strip()  # 1.2 s
    deadline = time.monotonic() + DEADLINE_S
    while commands(central, dev_id)[cmd]["state"] != "expired":
        assert time.monotonic() < deadline, "the command did not expire"
        time.sleep(0.2)  # polling for the expiry time to pass
    assert beat(central, device)["commands"] == []
    shown = commands(central, dev_id)[cmd]
    assert shown["state"] == "expired" and "not delivered in time" in shown["result"]
    assert shown["delivered_at"] is None
    bad = central.cli("queue-command", dev_id, "sync_now", "--ttl-minutes", "0", check=False)
    assert bad.returncode == 1 and "more than 0 minutes" in bad.stderr


def test_the_kiosk_page_shows_each_command_with_its_state_and_result(central):
    device = central.enroll(name="desk kiosk")
    dev_id = device["device_id"]
    s = requests.Session()
    s.post(central.url + "/admin/login", timeout=10,
           data={"username": "fatma", "password": PASSWORD, "next": "/admin/"})
    page = s.get(f"{central.url}/admin/devices/{dev_id}", timeout=10)
    assert "No command has been sent to this kiosk." in page.text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    r = s.post(f"{central.url}/admin/devices/{dev_id}/command", timeout=10,
               data={"csrf": token, "name": "clear_session", "back": "device"})
    assert r.url.startswith(f"{central.url}/admin/devices/{dev_id}")
    assert "Command clear_session queued" in r.text
    cmd = next(iter(commands(central, dev_id)))
    assert re.search(rf'id="command-{cmd}">.*?>queued<', r.text, re.S)
    beat(central, device)
    beat(central, device, command_results=[{"id": cmd, "ok": True,
                                            "result": "the visitor's session was ended"}])
    page = s.get(f"{central.url}/admin/devices/{dev_id}", timeout=10).text
    row = re.search(rf'id="command-{cmd}">(.*?)</tr>', page, re.S).group(1)
    assert ">done<" in row and "the visitor&#39;s session was ended" in row
