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

from tests.conftest import CentralDB, CentralServer, published_central

PASSWORD = "correct horse battery"
HEARTBEAT = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
             "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5,
             "config_version": 0}
DEADLINE_S = 60.0


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("commands_home"),
                           central_catalogue_dir, db=module_central_db) as server:
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
    central.sign_in("fatma", PASSWORD, s)
    page = s.get(f"{central.url}/admin/devices/{dev_id}", timeout=10)
    assert "No command has been sent to this kiosk." in page.text
    token = re.search(r'name="csrf" value="([0-9A-Za-z]+)"', page.text).group(1)
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


# -- on the kiosk ---------------------------------------------------------------------------


@pytest.fixture
def fast(central: CentralServer):
    """Kiosks enrolled at this location beat every second."""
    central.cli("config", "set", "heartbeat_interval_s=1", "--location", "Fast lane")
    yield "Fast lane"
    central.cli("config", "unset", "heartbeat_interval_s", "--location", "Fast lane")


def test_sync_now_is_done_only_once_the_new_content_is_active(central, fast, tmp_path):
    from tests.faulty_proxy import Fault
    from tests.fleet_kiosk import TimedProxy, command, provision, running, wait_for

    with TimedProxy(central.url) as proxy:
        dev = provision(central, tmp_path, api=proxy.url, location=fast)
        dev_id = dev.require_credentials().device_id
        with running(dev):
            first = wait_for("the first sync", lambda: dev.store.active_source() == "central"
                             and dev.store.active_version())
            central.cli("publish")
            newest = first + 1
            # A slow manifest: the sync takes a while, and must finish before "done".
            proxy.add(Fault("delay", path="/api/v1/manifest", delay_s=2.0, times=1))
            cmd = central.cli("queue-command", dev_id, "sync_now").stdout.strip()
            seen: list[str] = []

            def finished() -> bool:
                c = command(central, dev_id, cmd)
                seen.append(c["state"])
                if c["state"] in ("done", "failed"):
                    # Reported done: the new content was already active.
                    assert dev.store.active_version() == newest
                    return True
                return False
            wait_for("sync_now to be done", finished)
            shown = command(central, dev_id, cmd)
    assert shown["state"] == "done", shown
    assert shown["result"] == f"content version {newest} is active (was {first})"
    assert "delivered" in seen


def test_flush_outbox_is_done_with_what_was_sent(central, fast, tmp_path):
    from tests.fleet_kiosk import command, provision, running, wait_for

    dev = provision(central, tmp_path, location=fast)
    dev_id = dev.require_credentials().device_id
    with running(dev):
        wait_for("the first heartbeat", lambda: command_count(central, dev_id) is not None)
        for i in range(3):
            dev.submit("feedback", {"kind": "comment", "text": f"test {i}"}, "en", test=True)
        cmd = central.cli("queue-command", dev_id, "flush_outbox").stdout.strip()
        wait_for("flush_outbox to finish",
                 lambda: command(central, dev_id, cmd)["state"] in ("done", "failed"))
        assert dev.outbox.stats()["pending"] == 0
    shown = command(central, dev_id, cmd)
    assert (shown["state"], shown["result"]) == ("done", "3 sent, 0 left")


def command_count(central: CentralServer, device_id: str) -> int | None:
    from tests.fleet_kiosk import device_row

    return 1 if device_row(central, device_id).last_seen_at else None


def test_an_app_command_with_no_app_running_fails_with_the_reason(central, fast, tmp_path):
    from tests.fleet_kiosk import command, provision, running, wait_for

    dev = provision(central, tmp_path, location=fast)
    dev_id = dev.require_credentials().device_id
    cmd = central.cli("queue-command", dev_id, "speech_test").stdout.strip()
    with running(dev):
        wait_for("speech_test to end",
                 lambda: command(central, dev_id, cmd)["state"] in ("done", "failed"))
    shown = command(central, dev_id, cmd)
    assert shown["state"] == "failed"
    assert shown["result"] == ("this command needs the kiosk's visitor app, which is not "
                               "running")


def test_an_app_command_finished_before_a_restart_is_reported_by_the_next_process(
        central, fast, tmp_path):
    from kiosk import events
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice
    from tests.fleet_kiosk import command, provision, running, wait_for

    dev = provision(central, tmp_path, location=fast)
    dev_id = dev.require_credentials().device_id
    taken: list = []
    dev.events.subscribe(events.COMMAND, lambda command, done: taken.append((command, done)))
    cmd = central.cli("queue-command", dev_id, "restart_app").stdout.strip()
    with running(dev):
        wait_for("the app to be given restart_app", lambda: taken)
    # The app acknowledges, then the process ends before any heartbeat told central.
    (given, done), = taken
    assert given.name == "restart_app"
    done(True, "the visitor app started again on the attract screen")
    done(False, "a second call is ignored")
    assert command(central, dev_id, cmd)["state"] == "delivered"

    after = KioskDevice(KioskPaths(tmp_path))
    again: list = []
    after.events.subscribe(events.COMMAND, lambda command, done: again.append(command))
    with running(after):
        wait_for("the restarted kiosk to report it",
                 lambda: command(central, dev_id, cmd)["state"] == "done")
    shown = command(central, dev_id, cmd)
    assert shown["result"] == "the visitor app started again on the attract screen"
    assert again == []  # not carried out twice
