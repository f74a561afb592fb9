"""The technician mode (issue 11, points 1 and 3): the way in (a 5-second hold on the attract
screen's version spot, or Help and Back held 3 s on the keypad), the PIN pad (digits masked and
never spoken; wrong PINs refused, then locked for a growing time, persisted), the mode leaving by
itself after 2 minutes, and the panel's tools against a real central on 127.0.0.1: sync now, a
test submission staff see marked as a test, the outbox sent, a diagnostics bundle without
secrets; central's device page shows the mode's events. Walked with `kiosk walk` in Arabic and
English on the real app under Xvfb."""

from __future__ import annotations

import json
import re
import stat
import tarfile
from pathlib import Path

import pytest
import requests

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from kiosk.i18n import _
from kiosk.technician import TechnicianDoor
from tests.conftest import CentralDB, CentralServer, published_central
from tests.fleet_kiosk import device_row, wait_for
from tests.helpers import kiosk_env, last, shows, walk, walk_ok

PIN = "246810"
WRONG = "135799"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("technician_central"),
                           central_catalogue_dir, db=module_central_db) as server:
        yield server


def provisioned(central: CentralServer, home: Path, pin: str | None = PIN) -> str:
    code = central.cli("enrollment-code", "--location", "Muscat Grand Mall").stdout.strip()
    dev = KioskDevice(KioskPaths(home))
    try:
        dev.provision(central.url, code, name="technician test kiosk",
                      location="Muscat Grand Mall", pin=pin)
        dev_id = dev.require_credentials().device_id
        central.cli("config", "set", "heartbeat_interval_s=1", "--device", dev_id)
        dev.sync()
    finally:
        dev.close()
    return dev_id


def typed(pin: str) -> list[dict]:
    return [{"tap": f"key.{d}"} for d in pin] + [{"tap": "key.done"}]


def visitor_settings(lang: str, speech: bool = False) -> list[dict]:
    """A provisioned kiosk starts each visitor with the site's defaults (Arabic, speech off):
    the technician chooses on the bar, as anyone would."""
    return ([{"tap": "nav.lang"}] if lang == "en" else []) + \
        ([{"tap": "nav.speak"}] if speech else [])


def spoken_lines(out: Path) -> list[str]:
    path = out / "speech.log"
    if not path.exists():
        return []
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


# -- the door, without a screen -------------------------------------------------------------------

def test_wrong_pins_lock_for_a_growing_time_that_a_restart_does_not_reset(tmp_path):
    clock = [1_000_000.0]
    path = tmp_path / "technician.json"
    door = TechnicianDoor(path, now=lambda: clock[0])
    assert [door.wrong(), door.wrong()] == [0, 0]
    assert door.wrong() == 30
    assert door.locked_for() == 30
    # A reboot: a new process reads the same file.
    again = TechnicianDoor(path, now=lambda: clock[0])
    assert again.locked_for() == 30
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    clock[0] += 30
    assert again.locked_for() == 0
    assert [again.wrong(), again.wrong(), again.wrong()] == [0, 0, 60]  # doubled
    clock[0] += 60
    again.right()
    assert again.active()
    assert [again.wrong(), again.wrong(), again.wrong()] == [0, 0, 30]  # the right PIN resets
    kinds = [e["event"] for e in again.unreported()]
    assert kinds[:4] == ["wrong_pin", "wrong_pin", "wrong_pin", "locked"]
    assert "entered" in kinds
    assert all(PIN not in json.dumps(e) for e in again.unreported())


# -- the way in, walked ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pin_pad_refuses_a_wrong_pin_locks_then_opens_and_the_mode_leaves_by_itself(
        central, display, tmp_path, lang):
    home = tmp_path / "home"
    provisioned(central, home)
    steps = [
        {"expect_screen": "attract"},
        *visitor_settings(lang, speech=True),
        {"hold": "attract.technician", "s": 5},
        {"expect_screen": "technician_pin"},
        *typed(WRONG),
        {"expect_text": _("Wrong PIN. Try again.", lang)},
        *typed(WRONG), *typed(WRONG),
        {"expect_text": _("Too many wrong PINs. Try again in {seconds} seconds.",
                          lang).format(seconds=30)},
        # The right PIN while locked opens nothing.
        *typed(PIN),
        {"expect_screen": "technician_pin"},
        {"wait": 31},
        *typed(PIN),
        {"expect_screen": "admin"},
        {"expect_text": _("Technician panel", lang)},
        {"report": True},
        {"wait": 60},
        {"expect_screen": "admin"},  # input resets nothing here: 60 s is within 2 minutes
        {"wait": 65},
        {"expect_screen": "attract"},
    ]
    result = walk(display, home, tmp_path, None, steps)
    assert result["errors"] == [], result["errors"][0]
    panel = result["reports"][0]
    assert shows(panel, "Muscat Grand Mall")
    # Digits were shown and spoken only as asterisks.
    said = spoken_lines(result["out"])
    assert any(_("asterisk", lang) in s for s in said)
    assert not any(WRONG in s or PIN in s or "1 3 5" in s for s in said), said
    assert not any(PIN in t["logical"] or WRONG in t["logical"] for t in panel["texts"])
    log = (KioskPaths(home).log_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "technician mode: wrong PIN; entry locked for 30 s" in log
    assert "technician mode entered" in log
    assert "technician mode left (2 minutes without input)" in log
    assert PIN not in log and WRONG not in log
    kinds = [e["event"] for e in TechnicianDoor(KioskPaths(home).technician).unreported()]
    assert kinds == ["wrong_pin", "wrong_pin", "wrong_pin", "locked", "entered", "left"]


def test_keypad_chord_opens_the_pin_pad_and_a_short_tap_does_not(central, display, tmp_path):
    home = tmp_path / "home"
    provisioned(central, home)
    result = walk_ok(display, home, tmp_path, steps=[
        {"tap": "attract.technician"},
        {"expect_screen": "attract"},
        {"chord": ["help", "back"], "s": 1},  # too short: Help's own help shows
        {"key": "back"},
        {"expect_screen": "attract"},
        {"chord": ["help", "back"], "s": 3.5},
        {"expect_screen": "technician_pin"},
        *typed(PIN),
        {"expect_screen": "admin"},
        {"tap": "admin.leave"},
        {"expect_screen": "attract"},
    ])
    assert result["errors"] == []
    log = (KioskPaths(home).log_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "technician door opened (Help and Back held on the keypad)" in log
    assert "technician mode left (left by the technician)" in log


def test_with_no_pin_set_the_pad_says_so_and_stays_closed(central, display, tmp_path):
    home = tmp_path / "home"
    provisioned(central, home, pin=None)
    result = walk_ok(display, home, tmp_path, steps=[
        *visitor_settings("en"),
        {"hold": "attract.technician", "s": 5},
        {"expect_screen": "technician_pin"},
        {"expect_text": "No technician PIN is set on this kiosk"},
    ])
    assert not any(b["id"].startswith("key.") for b in last(result)["buttons"])
    kinds = [e["event"] for e in TechnicianDoor(KioskPaths(home).technician).unreported()]
    assert "entered" not in kinds


# -- the panel's tools against central ------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ar"])
def test_panel_syncs_sends_a_test_submission_and_writes_diagnostics_without_secrets(
        central, display, tmp_path, lang):
    home = tmp_path / "home"
    dev_id = provisioned(central, home)
    central.cli("seed", "--products", "1")
    newest = int(central.cli("publish").stdout.splitlines()[0])
    steps = [
        *visitor_settings(lang),
        {"hold": "attract.technician", "s": 5},
        *typed(PIN),
        {"expect_screen": "admin"},
        {"tap": "admin.sync"},
        {"expect_text": _("Sync done: content version {version} is active.", lang).format(
            version=newest), "within": 120},
        {"tap": "admin.test_submission"},
        {"expect_text": _("Test submission {id} queued; staff see it marked as a test.",
                          lang).split("{id}")[0], "within": 60},
        {"tap": "admin.flush"},
        {"expect_text": _("Outbox sent: nothing is waiting.", lang), "within": 120},
        {"tap": "admin.diagnostics"},
        {"expect_text": str(KioskPaths(home).diagnostics), "within": 60},
        {"tap": "admin.logs"},
        {"expect_text": "technician panel: Diagnostics written to"},
        {"report": True},
        {"tap": "admin.panel"},
        {"expect_screen": "admin"},
    ]
    result = walk(display, home, tmp_path, None, steps, connected=True,
                  env=kiosk_env(display, home))
    assert result["errors"] == [], result["errors"][0]

    # Staff see the test submission, marked as a test.
    subs = json.loads(central.cli("export-submissions", "--json").stdout)
    mine = [s for s in subs if s["device_id"] == dev_id]
    assert any(s["test"] for s in mine), mine

    # The bundle: 0600, status, config and logs, no token and no PIN hash.
    creds = KioskDevice(KioskPaths(home), open_now=False).require_credentials()
    bundles = sorted(KioskPaths(home).diagnostics.glob("diag-*.tar.gz"))
    assert len(bundles) == 1
    assert stat.S_IMODE(bundles[0].stat().st_mode) == 0o600
    with tarfile.open(bundles[0]) as tar:
        names = [m.name.split("/", 1)[1] for m in tar.getmembers()]
        blob = b"".join(tar.extractfile(m).read() for m in tar.getmembers())
    assert {"status.json", "config.json", "identity.json", "logs/kiosk.log"} <= set(names)
    assert creds.device_token.encode() not in blob
    assert creds.technician_pin_hash.encode() not in blob
    assert b"technician mode entered" in blob

    # The log view: the last lines, at most 200.
    logs = result["reports"][0]
    assert shows(logs, "technician mode entered")

    # Central's device page has the mode's events.
    row = wait_for("central to have the technician events",
                   lambda: (r := device_row(central, dev_id)).technician_events and r)
    assert "entered" in [e["event"] for e in row.technician_events]
    staff = f"tech{lang}"
    central.cli("create-staff", staff, "--role", "admin", input="correct horse battery\n")
    web = requests.Session()
    r = central.sign_in(staff, "correct horse battery", web)
    assert r.status_code == 200, r.text[:300]
    page = web.get(f"{central.url}/admin/devices/{dev_id}", timeout=10).text
    # As a person reads it: the page isolates each event's words (<bdi>) for Arabic.
    shown = re.sub(r"</?bdi>", "", page)
    assert "Technician mode" in shown and "entered (technician mode entered)" in shown
