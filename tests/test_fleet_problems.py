"""Problems reach the fleet view: the kiosk finds its current problems (code, sentence, since
when), its heartbeat carries them, central shows them in `kiosk-central devices --json` and the
admin, and each clears once its cause is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk import events
from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import REPO, CentralDB, CentralServer, published_central, start_central
from tests.fleet_kiosk import TimedProxy, device_row, provision, running, wait_for
from tests.test_kiosk_sync import _signed

HEARTBEAT = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
             "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5}


@pytest.fixture
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    # Its own server, which these tests stop and start again.
    with published_central(tmp_path_factory.mktemp("problems_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        server.cli("config", "set", "heartbeat_interval_s=1")
        yield server


def fleet_problems(central: CentralServer, device_id: str) -> list[dict]:
    listed = json.loads(central.cli("devices", "--json").stdout)
    return next(d for d in listed if d["id"] == device_id)["problems"]


def problems_now(central: CentralServer, device_id: str) -> list[dict]:
    """What central holds for the device, read in this process: quick enough to catch a
    problem that one heartbeat (1 s here) reports and the next clears (the CLI takes longer
    than that to start)."""
    return device_row(central, device_id).problems


def codes(problems: list[dict]) -> set[str]:
    return {p["code"] for p in problems}


def test_central_out_of_reach_shows_after_recovery_then_clears(central, tmp_path):
    with TimedProxy(central.url) as proxy:
        dev = provision(central, tmp_path, api=proxy.url)
        dev_id = dev.require_credentials().device_id
        changes: list[list[dict]] = []
        dev.events.subscribe(events.PROBLEMS_CHANGED, lambda problems: changes.append(problems))
        with running(dev):
            wait_for("a first heartbeat", lambda: proxy.beats())
            central.stop()
            wait_for("the kiosk to notice", lambda: "central_unreachable" in codes(
                dev.problems()))
            since = next(p["since"] for p in dev.problems() if p["code"] == "central_unreachable")
            assert "central_unreachable" in codes(changes[-1])

            again = start_central(central.home, db=central.db)
            try:
                proxy.port = int(again.url.rsplit(":", 1)[1])
                shown = wait_for("central to show the problem", lambda: next(
                    (p for p in problems_now(again, dev_id)
                     if p["code"] == "central_unreachable"), None))
                assert shown["since"] == since
                assert "could not be reached" in shown["message"]
                wait_for("the problem to clear", lambda: "central_unreachable" not in codes(
                    fleet_problems(again, dev_id)))
                assert "central_unreachable" not in codes(dev.problems())
                assert "central_unreachable" not in codes(changes[-1])
            finally:
                again.stop()


def test_a_forged_manifest_shows_as_content_refused_until_a_good_one_is_served(central,
                                                                               tmp_path):
    from tests.faulty_proxy import Fault

    forged = _signed(central, version=50, _key=SigningKey.generate())
    with TimedProxy(central.url) as proxy:
        proxy.add(Fault("replace", path="/api/v1/manifest", body=forged))
        dev = provision(central, tmp_path, api=proxy.url)
        dev_id = dev.require_credentials().device_id
        with running(dev):
            shown = wait_for("central to show the refusal", lambda: next(
                (p for p in fleet_problems(central, dev_id) if p["code"] == "content_refused"),
                None))
            assert "not signed by the pinned key" in shown["message"]
            proxy.clear()
            central.cli("queue-command", dev_id, "sync_now")
            wait_for("the problem to clear", lambda: "content_refused" not in codes(
                fleet_problems(central, dev_id)))
            assert dev.store.active_source() == "central"
    res = subprocess.run([sys.executable, "-m", "kiosk.cli", "status", "--json"], cwd=REPO,
                         env={**os.environ, "KIOSK_HOME": str(tmp_path)}, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "content_refused" not in codes(json.loads(res.stdout)["problems"])


def test_a_crash_an_old_outbox_and_a_silent_voice_are_problems_with_a_since_that_lasts(
        tmp_path):
    from kiosk import problems

    def found_codes(dev: KioskDevice) -> set[str]:
        # The test machine's own disk may be nearly full; that is not under test here.
        return codes(dev.problems()) - {"disk_nearly_full"}

    dev = KioskDevice(KioskPaths(tmp_path))
    try:
        dev.ensure_content()
        assert found_codes(dev) == set()
        dev.app_started()
        dev.app_stopped_cleanly()
        dev.app_started()
        assert found_codes(dev) == set()  # a clean stop is no crash
        dev.app_started()  # the app died without stopping cleanly, and started again
        (tmp_path / "speech-status.json").write_text(json.dumps(
            {"ok": False, "message": "no audio output device was found"}))
        dev.submit("feedback", {"kind": "comment", "text": "hello"}, "en")
        found = {p["code"]: p for p in dev.problems()}
        assert set(found) - {"disk_nearly_full"} == {"app_crashed", "speech_not_working"}
        assert "no audio output device was found" in found["speech_not_working"]["message"]
    finally:
        dev.close()
    # Restarted: the problems that last keep their since; the voice fixed, its problem clears.
    again = KioskDevice(KioskPaths(tmp_path))
    try:
        first = {p["code"]: p["since"] for p in again.problems()}
        assert first["app_crashed"] == found["app_crashed"]["since"]
        assert first["speech_not_working"] == found["speech_not_working"]["since"]
        (tmp_path / "speech-status.json").write_text(json.dumps({"ok": True, "message": "ok"}))
        assert found_codes(again) == {"app_crashed"}
        old = {"pending": 1, "oldest_age_s": problems.OUTBOX_OLD_S + 60, "dead": 2}
        assert set(problems.outbox_problems(old)) == {"outbox_old", "outbox_dead"}
    finally:
        again.close()


def test_central_takes_problems_and_plain_sentences_from_older_kiosks(tmp_path,
                                                                      central_server):
    device = central_server.enroll()
    problem = {"code": "disk_nearly_full", "message": "The disk is nearly full.",
               "since": "2026-11-28T10:00:00Z"}
    r = central_server.post("/api/v1/heartbeat", headers=central_server.auth(device),
                            json={**HEARTBEAT, "problems": [problem, "speaker quiet"]})
    assert r.status_code == 200, r.text
    assert fleet_problems(central_server, device["device_id"]) == [problem, "speaker quiet"]
    central_server.cli("create-staff", "problem-admin", "--role", "admin",
                       input="correct horse battery\n")
    import requests

    s = requests.Session()
    central_server.sign_in("problem-admin", "correct horse battery", s)
    fleet = s.get(central_server.url + "/admin/devices", timeout=10).text
    assert "The disk is nearly full." in fleet and "(disk_nearly_full, since" in fleet
    assert "speaker quiet" in fleet
    bad = central_server.post("/api/v1/heartbeat", headers=central_server.auth(device),
                              json={**HEARTBEAT, "problems": [{**problem, "code": "Bad Code"}]})
    assert bad.status_code == 422
