"""The running visitor app carries out what central asks (issue 9, points 4 and 5): against a
real central on 127.0.0.1 and a real kiosk app under Xvfb (`kiosk run --windowed`, or
`kiosk walk --connected`, whose expectations wait for what comes from outside), with a one-second
heartbeat. Each command has its effect before central shows it done (restart_app: the process
starts again on the attract screen; speech_test: the speech sink has both voices;
clear_session: the visitor's session is reset on screen), a command the app can not carry out
ends failed with its reason, and a new idle time applies from the next visitor on, also after
a restart without central."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import KioskPaths
from kiosk.i18n import _
from screens import registry
from screens.speech import spoken
from tests.conftest import CentralDB, CentralServer, published_central
from tests.fleet_kiosk import command, device_row, provision, wait_for
from tests.helpers import KIOSK, ROOT, kiosk_env

APP_DEADLINE_S = 90.0  # a Kivy app starting on a busy machine, its voice with it
WALK_TIMEOUT_S = 300
FINISHED = ("done", "failed", "expired")


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("app_fleet_central"),
                           central_catalogue_dir, db=module_central_db) as server:
        yield server


def kiosk_home(central: CentralServer, home: Path) -> str:
    """A provisioned kiosk with central's content installed and a one-second heartbeat;
    returns its id."""
    dev = provision(central, home)
    dev_id = dev.require_credentials().device_id
    central.cli("config", "set", "heartbeat_interval_s=1", "--device", dev_id)
    try:
        dev.sync()
    finally:
        dev.close()
    return dev_id


def app_env(display: str, home: Path, audio: str = "sink") -> dict[str, str]:
    env = kiosk_env(display, home, KIOSK_AUDIO=audio)
    env.pop("KIOSK_AUDIO_SINK_DIR", None)  # the sink is $KIOSK_HOME/speech-sink
    return env


def kiosk_log(home: Path) -> list[str]:
    try:
        return (KioskPaths(home).log_dir / "kiosk.log").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def log_has(home: Path, text: str) -> int:
    return sum(text in line for line in kiosk_log(home))


def queue(central: CentralServer, dev_id: str, name: str) -> str:
    return central.cli("queue-command", dev_id, name).stdout.strip()


def finished(central: CentralServer, dev_id: str, cmd_id: str,
             watch: Any = None) -> dict:
    """Wait until central shows the command ended; ``watch(state)`` is called at each poll."""
    def ended() -> dict | None:
        c = command(central, dev_id, cmd_id)
        if watch is not None:
            watch(c["state"])
        return c if c["state"] in FINISHED else None
    wait_for(f"central to show command {cmd_id} ended", ended, APP_DEADLINE_S)
    # As staff see it.
    listed = {c["id"]: c for c in json.loads(central.cli("commands", dev_id, "--json").stdout)}
    return listed[cmd_id]


def sink_entries(home: Path) -> list[dict]:
    path = home / "speech-sink" / "speech-sink.log"
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        return []


def walk_log(out: Path) -> list[dict]:
    try:
        lines = (out / "walk.log").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def step_done(out: Path, n: int) -> bool:
    return any(e["step"] == n and e["ok"] for e in walk_log(out))


def start_walk(env: dict[str, str], tmp_path: Path, steps: list[dict], connected: bool = True,
               name: str = "walk") -> tuple[subprocess.Popen, Path]:
    script = tmp_path / f"{name}.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / f"{name}-out"
    output = (tmp_path / f"{name}.output").open("w")
    proc = subprocess.Popen([*KIOSK, "walk", str(script), "--out", str(out),
                             *(["--connected"] if connected else [])],
                            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    output.close()
    return proc, out


def walk_ended(proc: subprocess.Popen, tmp_path: Path, name: str = "walk") -> str:
    try:
        proc.wait(timeout=WALK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    output = (tmp_path / f"{name}.output").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, output[-3000:]
    return output


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


# -- restart_app, and commands the app can not carry out -----------------------------------------

def test_restart_app_starts_the_app_again_on_attract_before_central_shows_it_done(
        central, display, tmp_path):
    home = tmp_path / "home"
    dev_id = kiosk_home(central, home)
    output = (tmp_path / "run.output").open("w")
    # No sound at all: a speech test is something this kiosk can not do.
    proc = subprocess.Popen([*KIOSK, "run", "--windowed", "--size", "540x960"], cwd=ROOT,
                            env=app_env(display, home, audio="null"), stdout=output,
                            stderr=subprocess.STDOUT)
    output.close()
    try:
        wait_for("the app on the attract screen, reporting to central",
                 lambda: log_has(home, "on the attract screen") and
                 device_row(central, dev_id).config_state == "applied", APP_DEADLINE_S)
        assert log_has(home, "visitor app started") == 1

        c = finished(central, dev_id, queue(central, dev_id, "speech_test"))
        assert c["state"] == "failed"
        assert c["result"] == ("Arabic: not heard: no audio output works (KIOSK_AUDIO=null); "
                               "English: not heard: no audio output works (KIOSK_AUDIO=null)")

        c = finished(central, dev_id, queue(central, dev_id, "clear_session"))
        assert (c["state"], c["result"]) == (
            "done", "no visitor was using the kiosk; it shows the attract screen")

        seen: list[tuple[str, int]] = []
        c = finished(central, dev_id, queue(central, dev_id, "restart_app"),
                     watch=lambda state: seen.append(
                         (state, log_has(home, "visitor app started"))))
        assert c["state"] == "done", c
        assert c["result"] == ("the visitor app stopped cleanly and started again on the "
                               "attract screen")
        # Never shown done before the new start: the restarted app is the one that told.
        assert all(starts == 2 for state, starts in seen if state == "done"), seen
        lines = kiosk_log(home)
        second = max(i for i, line in enumerate(lines) if "visitor app started" in line)
        assert any("on the attract screen" in line for line in lines[second:])
        assert any("starting again:" in line for line in lines[:second])
        assert proc.poll() is None  # the same process, started again in place
        # A restart is not a crash.
        listed = json.loads(central.cli("devices", "--json").stdout)
        problems = next(d for d in listed if d["id"] == dev_id)["problems"]
        assert "app_crashed" not in {p["code"] for p in problems}

        # Stopped by its service manager: a clean exit, the crash mark removed.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not KioskPaths(home).app_running.exists()
    finally:
        stop(proc)


# -- speech_test and clear_session while a visitor is on a product --------------------------------

def test_speech_test_says_both_voices_and_clear_session_resets_the_visitor(
        central, display, tmp_path):
    home = tmp_path / "home"
    dev_id = kiosk_home(central, home)
    steps = [
        {"expect_screen": "attract"},
        {"tap": "lang.en"},
        {"expect_screen": "home"},
        {"tap": "home.categories"},
        {"tap": "category.dates"},
        {"tap": "product.khalas-dates"},
        {"expect_screen": "product"},
        {"tap": "nav.text_size"},  # step 8: the visitor has made the kiosk their own
        {"expect_screen": "attract", "within": 240},
        {"tap": "attract.start"},
        {"expect_screen": "home"},
        # The site's default language is back (the visitor had chosen English).
        {"expect_text": _(registry.title("home"), "ar")},
    ]
    proc, out = start_walk(app_env(display, home), tmp_path, steps)
    try:
        wait_for("the visitor on a product", lambda: step_done(out, 8), APP_DEADLINE_S)
        wait_for("the walk's first heartbeat",
                 lambda: device_row(central, dev_id).config_state == "applied", APP_DEADLINE_S)
        before = len(sink_entries(home))

        def test_sentences() -> set[tuple[str, str]]:
            return {(e["lang"], e["text"]) for e in sink_entries(home)[before:]
                    if not e["stopped"]}
        want = {("ar", spoken("speech_test", "ar")), ("en", spoken("speech_test", "en"))}
        heard_when_done: list[set] = []
        c = finished(central, dev_id, queue(central, dev_id, "speech_test"),
                     watch=lambda state: state == "done" and heard_when_done.append(
                         test_sentences()))
        assert c["state"] == "done", c
        assert heard_when_done and all(h == want for h in heard_when_done), heard_when_done
        assert c["result"].startswith("Arabic: spoken, ")
        assert "; English: spoken, " in c["result"] and "file-sink" in c["result"]
        assert not step_done(out, 9)  # a speech test leaves the visitor where they were

        ended_when_done: list[int] = []
        c = finished(central, dev_id, queue(central, dev_id, "clear_session"),
                     watch=lambda state: state == "done" and ended_when_done.append(
                         log_has(home, "visitor session ended (central's clear_session)")))
        assert c["state"] == "done", c
        assert c["result"].startswith("the visitor's session ended as if idle")
        assert ended_when_done and all(ended_when_done)
        walk_ended(proc, tmp_path)
    finally:
        stop(proc)
    log = walk_log(out)
    assert [e["screen"] for e in log if e["step"] == 9] == ["attract"]
    assert log[-1]["step"] == len(steps) and log[-1]["ok"]


# -- the device config in the running app ---------------------------------------------------------

def test_a_new_idle_time_applies_from_the_next_visitor_on_and_after_a_restart_offline(
        central, display, tmp_path):
    home = tmp_path / "home"
    dev_id = kiosk_home(central, home)
    warning = {lang: _("Are you still there?", lang) for lang in ("ar", "en")}
    welcome_en = _(registry.title("home"), "en")
    steps = [
        {"expect_screen": "attract"},
        {"tap": "lang.ar"},  # step 2: a visitor arrives; central's idle time is 90 s
        {"expect_config": {"idle_timeout_s": 30, "default_lang": "en"}, "within": 120},
        # Mid-visit the visitor keeps the idle time they started with ...
        {"wait": 31},
        {"expect_screen": "home"},
        {"wait": 60},
        {"expect_text": warning["ar"]},
        {"wait": 31},
        {"expect_screen": "attract"},
        # ... and the next visitor starts in the new language and is warned after 30 s.
        {"tap": "attract.start"},
        {"expect_text": welcome_en},
        {"wait": 25},
        {"expect_screen": "home"},
        {"wait": 6},
        {"expect_text": warning["en"]},
    ]
    proc, out = start_walk(app_env(display, home), tmp_path, steps)
    try:
        wait_for("the visitor's session to start", lambda: step_done(out, 2), APP_DEADLINE_S)
        central.cli("config", "set", "idle_timeout_s=30", "default_lang=en", "--device", dev_id)
        walk_ended(proc, tmp_path)
    finally:
        stop(proc)
    saved = json.loads(KioskPaths(home).device_config.read_text())["config"]
    assert (saved["idle_timeout_s"], saved["default_lang"]) == (30, "en")
    assert log_has(home, "device config applied for the next visitor")

    # Started again with no link to central: the saved config is the one the app uses.
    steps = [{"tap": "attract.start"}, {"expect_text": welcome_en}, {"wait": 25},
             {"expect_screen": "home"}, {"wait": 6}, {"expect_text": warning["en"]}]
    proc, _out = start_walk(app_env(display, home), tmp_path, steps, connected=False,
                            name="offline")
    try:
        walk_ended(proc, tmp_path, name="offline")
    finally:
        stop(proc)


def test_the_walks_config_expectation_is_checked_before_any_window_opens(tmp_path):
    from screens.walk import WalkScriptError, load_script

    def load(steps: list) -> list:
        path = tmp_path / "walk.json"
        path.write_text(json.dumps(steps), encoding="utf-8")
        return load_script(path)

    good = [{"expect_config": {"idle_timeout_s": 30}, "within": 60},
            {"expect_config": {"default_lang": "en", "speech_invitation": False}}]
    assert load(good) == good
    for bad, why in [
        ({"expect_config": "idle_timeout_s=30"}, "the settings to expect"),
        ({"expect_config": {}}, "the settings to expect"),
        ({"expect_config": {"idle_timeout_s": 30}, "within": 0}, "more than 0"),
        ({"expect_config": {"idle_timeout_s": 30}, "s": 5}, "unknown key(s) s"),
    ]:
        with pytest.raises(WalkScriptError, match=re.escape(why)):
            load([bad])
