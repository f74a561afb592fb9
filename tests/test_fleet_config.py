"""Remote configuration as staff and kiosks see it: one typed DeviceConfig, values per fleet,
location and kiosk (the most specific wins), refused when out of range, versioned per kiosk so
staff see whether a kiosk applied it; and the kiosk saves, applies and keeps what it got."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from kiosk import protocol
from kiosk.session import SiteDefaults
from tests.conftest import CentralDB, CentralServer, published_central

PASSWORD = "correct horse battery"
HEARTBEAT = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
             "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    # Its own server: fleet-wide values set here must not reach other modules' kiosks.
    with published_central(tmp_path_factory.mktemp("config_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        for user, role in (("ali", "analyst"), ("fatma", "admin")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


def show(central: CentralServer, device_id: str | None = None, cli: bool = False) -> dict:
    """What `kiosk-central config show --json` prints; in this process unless ``cli``."""
    if not cli:
        svc = central.service()
        try:
            return svc.show_config(device_id)
        finally:
            svc.close()
    args = ["config", "show", "--json"] + (["--device", device_id] if device_id else [])
    return json.loads(central.cli(*args).stdout)


def beat(central: CentralServer, device: dict, **extra) -> dict:
    r = central.post("/api/v1/heartbeat", json={**HEARTBEAT, **extra},
                     headers=central.auth(device))
    assert r.status_code == 200, r.text
    return r.json()


# -- the model ------------------------------------------------------------------------------


def test_every_setting_has_a_type_a_range_and_a_default():
    d = protocol.DeviceConfig()
    assert (d.idle_timeout_s, d.default_lang, d.default_theme, d.default_text_scale) == (
        90, "ar", "standard", 1.0)
    assert d.key_map()["help"] == (283,) and d.technician_pin_hash is None
    for key in protocol.CONFIG_KEYS:
        assert protocol.config_allowed(key), key
    assert protocol.config_allowed("idle_timeout_s") == "a whole number from 30 to 3600 (seconds)"
    with pytest.raises(protocol.ConfigValueError, match="idle_timeout_s must be a whole number "
                                                        "from 30 to 3600"):
        protocol.check_config_values({"idle_timeout_s": 29})
    with pytest.raises(protocol.ConfigValueError, match="'volume' is not a kiosk setting"):
        protocol.check_config_values({"volume": 3})
    assert protocol.check_config_values({"keys": {"help": [284, 285]}, "px_per_mm": 5}) == {
        "keys": {"help": [284, 285]}, "px_per_mm": 5.0}


def test_the_themes_in_the_config_are_the_themes_the_ui_draws():
    import ast

    # screens/themes.py names its themes; read them without importing Kivy.
    source = (Path(__file__).resolve().parent.parent / "screens" / "themes.py").read_text()
    names = {n.value for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.keyword) and n.arg == "name"
             and isinstance(n.value, ast.Constant) for n in [n.value]}
    assert names == set(protocol.DeviceConfig.model_fields["default_theme"].annotation.__args__)


def test_the_kiosk_reads_its_defaults_from_the_typed_config():
    config = protocol.DeviceConfig.from_wire({"default_lang": "en", "idle_timeout_s": 45,
                                              "default_theme": "inverted", "default_speech": True,
                                              "default_volume_step": 6, "px_per_mm": 7.5,
                                              "idle_timeout": "typo", "default_reach": "yes"})
    d = SiteDefaults.from_config(config)
    assert (d.lang, d.idle_timeout_s, d.theme, d.speech, d.volume_step, d.reach) == (
        "en", 45, "inverted", True, 6, False)
    from kiosk.units import configured_px_per_mm

    assert configured_px_per_mm(config) == 7.5


# -- central: scopes and precedence ---------------------------------------------------------


def test_a_kiosk_value_beats_its_location_which_beats_the_fleet_which_beats_the_default(central):
    mall = central.enroll(name="mall", location="Grand Mall")
    souq = central.enroll(name="souq", location="Old Souq")
    m, o = mall["device_id"], souq["device_id"]
    central.cli("config", "set", "idle_timeout_s=100", "default_lang=en")
    central.cli("config", "set", "idle_timeout_s=200", "default_theme=inverted",
                "--location", "Grand Mall")
    central.cli("config", "set", "idle_timeout_s=300", "--device", m)
    try:
        values = show(central, m, cli=True)["values"]
        assert values["idle_timeout_s"] == {"value": 300, "source": "device"}
        assert values["default_theme"] == {"value": "inverted", "source": "location"}
        assert values["default_lang"] == {"value": "en", "source": "fleet"}
        assert values["sync_interval_s"] == {"value": 300, "source": "default"}
        other = show(central, o)["values"]
        assert other["idle_timeout_s"] == {"value": 100, "source": "fleet"}
        assert other["default_theme"]["source"] == "default"
        # What the kiosk receives is the same.
        assert beat(central, mall)["config"]["idle_timeout_s"] == 300
        assert beat(central, souq)["config"]["idle_timeout_s"] == 100

        central.cli("config", "unset", "idle_timeout_s", "--device", m)
        assert show(central, m)["values"]["idle_timeout_s"] == {"value": 200,
                                                                "source": "location"}
        central.cli("config", "unset", "idle_timeout_s", "--location", "Grand Mall")
        assert show(central, m)["values"]["idle_timeout_s"] == {"value": 100, "source": "fleet"}
        fleet = show(central, cli=True)
        assert fleet["locations"] == {"Grand Mall": {"default_theme": "inverted"}}
        assert fleet["values"]["idle_timeout_s"] == {"value": 100, "source": "fleet"}
    finally:
        central.cli("config", "unset", "idle_timeout_s", "default_lang")
        central.cli("config", "unset", "default_theme", "--location", "Grand Mall")
    assert show(central, m)["values"]["idle_timeout_s"] == {"value": 90, "source": "default"}


def test_a_kiosk_enrolled_at_a_location_starts_with_that_locations_values(central):
    central.cli("config", "set", "default_lang=en", "--location", "Airport")
    try:
        code = central.cli("enrollment-code", "--location", "Airport").stdout.strip()
        resp = central.post("/api/v1/enroll", json={"code": code}).json()
        assert resp["config"]["default_lang"] == "en"
    finally:
        central.cli("config", "unset", "default_lang", "--location", "Airport")


REFUSED = [
    ("idle_timeout_s=5", "idle_timeout_s must be a whole number from 30 to 3600 (seconds); 5 "
                         "is not. Nothing was stored."),
    ("heartbeat_interval_s=0", "heartbeat_interval_s must be a whole number from 1 to 3600"),
    ("default_lang=fr", 'default_lang must be one of ar, en; "fr" is not'),
    ("default_text_scale=3", "default_text_scale must be one of 1, 1.5, 2"),
    ("keys={\"jump\": [1]}", "keys must be a map from keypad action"),
    ("technician_pin_hash=1234", "technician_pin_hash must be an argon2 hash"),
    ("brightness=80", "'brightness' is not a kiosk setting; the settings are sync_interval_s"),
]


def test_out_of_range_and_unknown_values_are_refused_and_nothing_is_stored(central):
    device = central.enroll()
    before = show(central, device["device_id"])
    for assignment, words in REFUSED:
        # A good value beside the bad one is not stored either.
        res = central.cli("config", "set", "default_speech=true", assignment, "--device",
                          device["device_id"], check=False)
        assert res.returncode == 1, assignment
        assert words in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert show(central, device["device_id"]) == before
    assert beat(central, device)["config"] == protocol.DEFAULT_DEVICE_CONFIG


def test_the_config_version_grows_and_central_shows_applied_or_waiting(central):
    device = central.enroll()
    dev_id = device["device_id"]
    first = beat(central, device, config_version=0)
    v1 = first["config_version"]
    assert v1 >= 1 and show(central, dev_id)["state"] == "waiting"
    beat(central, device, config_version=v1)
    assert show(central, dev_id)["state"] == "applied"
    listed = next(d for d in json.loads(central.cli("devices", "--json").stdout)
                  if d["id"] == dev_id)
    assert (listed["config_version"], listed["config_state"]) == (v1, "applied")
    text = central.cli("config", "show", "--device", dev_id).stdout
    assert f"config version {v1}, applied" in text and "idle_timeout_s = 90  (default)" in text

    central.cli("config", "set", "default_speech=true", "--device", dev_id)
    shown = show(central, dev_id)
    assert shown["version"] == v1 + 1 and shown["state"] == "waiting"
    reply = beat(central, device, config_version=v1)
    assert reply["config_version"] == v1 + 1 and reply["config"]["default_speech"] is True
    # Setting the same value again changes nothing the kiosk receives: same version.
    central.cli("config", "set", "default_speech=true", "--device", dev_id)
    assert show(central, dev_id)["version"] == v1 + 1
    beat(central, device, config_version=v1 + 1)
    assert show(central, dev_id)["state"] == "applied"


def test_an_older_kiosk_gets_a_reply_without_the_fields_it_does_not_know(central):
    device = central.enroll()
    reply = beat(central, device)  # no config_version: a kiosk from before config versions
    assert set(reply) == {"config", "commands"}


# -- the staff admin --------------------------------------------------------------------------


def login(central: CentralServer, user: str) -> requests.Session:
    s = requests.Session()
    r = central.sign_in(user, PASSWORD, s)
    assert r.status_code == 200 and f"Signed in as {user}" in r.text
    return s


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9A-Za-z]+)"', html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def test_an_admin_sets_and_removes_a_kiosks_value_on_its_page(central):
    device = central.enroll(name="hall kiosk", location="Hall")
    dev_id = device["device_id"]
    s = login(central, "fatma")
    page = s.get(f"{central.url}/admin/devices/{dev_id}", timeout=10)
    assert page.status_code == 200 and "Settings this kiosk receives" in page.text
    r = s.post(f"{central.url}/admin/devices/{dev_id}/config", timeout=10,
               data={"csrf": csrf(page.text), "action": "set", "key": "idle_timeout_s",
                     "value": "120"})
    assert r.status_code == 200 and "idle_timeout_s set for kiosk" in r.text
    row = re.search(r'id="setting-idle_timeout_s">(.*?)</tr>', r.text, re.S).group(1)
    assert "<code>120</code>" in row and "<td>device</td>" in row
    assert show(central, dev_id)["values"]["idle_timeout_s"] == {"value": 120,
                                                                 "source": "device"}

    bad = s.post(f"{central.url}/admin/devices/{dev_id}/config", timeout=10,
                 data={"csrf": csrf(r.text), "action": "set", "key": "idle_timeout_s",
                       "value": "4000"})
    assert bad.status_code == 422
    assert ("idle_timeout_s must be a whole number from 30 to 3600 (seconds); 4000 is not. "
            "Nothing was stored.") in bad.text
    assert show(central, dev_id)["values"]["idle_timeout_s"]["value"] == 120

    r = s.post(f"{central.url}/admin/devices/{dev_id}/config", timeout=10,
               data={"csrf": csrf(bad.text), "action": "unset", "key": "idle_timeout_s"})
    assert "idle_timeout_s removed for kiosk" in r.text
    assert show(central, dev_id)["values"]["idle_timeout_s"]["source"] == "default"


def test_an_admin_sets_fleet_and_location_values_on_the_settings_page(central):
    s = login(central, "fatma")
    page = s.get(central.url + "/admin/config", timeout=10)
    assert page.status_code == 200 and "Fleet settings" in page.text
    r = s.post(central.url + "/admin/config", timeout=10,
               data={"csrf": csrf(page.text), "action": "set", "scope": "location",
                     "location": "Library", "key": "default_text_scale", "value": "1.5"})
    assert "default_text_scale set for location Library" in r.text
    assert "Location Library" in r.text
    assert show(central)["locations"]["Library"] == {"default_text_scale": 1.5}
    bad = s.post(central.url + "/admin/config", timeout=10,
                 data={"csrf": csrf(r.text), "action": "set", "scope": "fleet",
                       "key": "shiny", "value": "1"})
    assert bad.status_code == 422 and "&#39;shiny&#39; is not a kiosk setting" in bad.text
    r = s.post(central.url + "/admin/config", timeout=10,
               data={"csrf": csrf(bad.text), "action": "unset", "scope": "location",
                     "location": "Library", "key": "default_text_scale"})
    assert "default_text_scale removed for location Library" in r.text
    assert "Library" not in show(central)["locations"]


def test_only_an_admin_with_the_forms_token_changes_settings(central):
    device = central.enroll()
    dev_id = device["device_id"]
    analyst = login(central, "ali")
    assert analyst.get(central.url + "/admin/config", timeout=10).status_code == 403
    page = analyst.get(f"{central.url}/admin/devices/{dev_id}", timeout=10)
    assert page.status_code == 403 and "Settings this kiosk receives" not in page.text
    r = analyst.post(f"{central.url}/admin/devices/{dev_id}/config", timeout=10,
                     data={"csrf": "0" * 64, "action": "set", "key": "default_lang",
                           "value": "en"})
    assert r.status_code == 403 and "can not do this" in r.text
    admin = login(central, "fatma")
    r = admin.post(f"{central.url}/admin/devices/{dev_id}/config", timeout=10,
                   data={"csrf": "0" * 64, "action": "set", "key": "default_lang",
                         "value": "en"})
    assert r.status_code == 403 and "Form expired" in r.text
    assert show(central, dev_id)["values"]["default_lang"]["source"] == "default"


# -- the kiosk ------------------------------------------------------------------------------


def test_the_kiosk_saves_applies_and_reports_its_config_and_keeps_it_offline(central, tmp_path):
    import os
    import stat
    import subprocess
    import sys

    from kiosk import events
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice
    from tests.conftest import REPO
    from tests.fleet_kiosk import TimedProxy, device_row, provision, running, wait_for

    central.cli("config", "set", "heartbeat_interval_s=1", "--location", "Fast lane")
    with TimedProxy(central.url) as proxy:
        dev = provision(central, tmp_path, api=proxy.url, location="Fast lane")
        dev_id = dev.require_credentials().device_id
        assert dev.config.heartbeat_interval_s == 1 and dev.applied_config.version == 0
        changes: list[protocol.DeviceConfig] = []
        dev.events.subscribe(events.CONFIG_CHANGED, lambda config: changes.append(config))

        def applied() -> bool:
            d = device_row(central, dev_id)
            return d.config_state == "applied" and d.config_version
        with running(dev):
            wait_for("the kiosk to report its first config version", applied)
            saved = KioskPaths(tmp_path).device_config
            assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
            assert json.loads(saved.read_text())["version"] == device_row(
                central, dev_id).config_version

            central.cli("config", "set", "idle_timeout_s=45", "default_lang=en",
                        "--device", dev_id)
            wait_for("the new idle time to be applied", applied)
            assert (dev.config.idle_timeout_s, dev.config.default_lang) == (45, "en")
            assert changes[-1].idle_timeout_s == 45
            assert SiteDefaults.from_config(dev.config).idle_timeout_s == 45
            status = dev.status()["config"]
            assert status["version"] == device_row(central, dev_id).config_version
            assert status["applied_at"]

            # A longer heartbeat interval holds from the next cycle on.
            central.cli("config", "set", "heartbeat_interval_s=3", "--device", dev_id)
            wait_for("the new interval to be applied", applied)
            switched = len(proxy.beats())
            wait_for("two more heartbeats", lambda: len(proxy.beats()) >= switched + 2,
                     deadline_s=30)
            beats = proxy.beats()[switched - 1:]
            gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
            assert min(gaps) >= 3 * 0.8 - 0.1, gaps  # the interval's -20 % jitter

    # Restarted with central out of reach, the kiosk keeps what it applied.
    version = device_row(central, dev_id).config_version
    again = KioskDevice(KioskPaths(tmp_path))
    try:
        assert (again.config.idle_timeout_s, again.config.default_lang) == (45, "en")
        assert again.config.heartbeat_interval_s == 3
        assert again.applied_config.version == version
    finally:
        again.close()
    res = subprocess.run([sys.executable, "-m", "kiosk.cli", "status", "--json"], cwd=REPO,
                         env={**os.environ, "KIOSK_HOME": str(tmp_path)}, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["config"]["version"] == version
    central.cli("config", "unset", "heartbeat_interval_s", "--location", "Fast lane")
