"""The kiosk under a service manager (kiosk/service_manager.py, screens/watchdog.py): the
sd_notify protocol over a real unix datagram socket, then the real app (`kiosk run` under Xvfb)
with $NOTIFY_SOCKET pointing at a socket the test listens on and a one-second watchdog: READY=1
once the first frame is on the screen, WATCHDOG=1 while the UI thread runs, no pings while the
UI thread is frozen (the watchdog drill) though the process lives on, STOPPING=1 at a clean
stop."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import KioskPaths
from kiosk.service_manager import ServiceManager, socket_address, watchdog_interval_s
from tests.helpers import KIOSK, ROOT, kiosk_env

APP_DEADLINE_S = 90.0  # a Kivy app starting on a busy machine
WATCHDOG_USEC = 1_000_000
WATCHDOG_S = WATCHDOG_USEC / 1e6
DRILL_S = 5.0  # how long the drill freezes the UI thread
SIZE = (540, 960)


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket in the abstract namespace, as systemd's own is, and its $NOTIFY_SOCKET
    spelling."""
    name = f"made-in-oman-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    try:
        yield sock, "@" + name
    finally:
        sock.close()


def receive(sock: socket.socket, timeout: float) -> str | None:
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode()
    except TimeoutError:
        return None


# -- the protocol ------------------------------------------------------------------------------

def test_notify_socket_spellings():
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("@abstract/name") == b"\0abstract/name"
    for nothing in (None, "", "@", "relative/path", "vsock:2:1234"):
        assert socket_address(nothing) is None


def test_watchdog_only_when_systemd_watches_this_process():
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}, pid=42) == 15
    assert watchdog_interval_s({"WATCHDOG_USEC": "1000000"}, pid=42) == 0.5
    # A child that inherited its parent's environment does not ping for it.
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"}, pid=42) is None
    for env in ({}, {"WATCHDOG_USEC": "0"}, {"WATCHDOG_USEC": "-5"}, {"WATCHDOG_USEC": "soon"},
                {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "me"}):
        assert watchdog_interval_s(env, pid=42) is None


def test_messages_reach_a_socket_in_the_abstract_namespace(listener):
    sock, address = listener
    manager = ServiceManager.from_environ({"NOTIFY_SOCKET": address})
    assert manager.ready("on the attract screen")
    assert receive(sock, 5) == "READY=1\nSTATUS=on the attract screen"
    assert manager.watchdog()
    assert receive(sock, 5) == "WATCHDOG=1"
    # A status is one line, sent when it changes.
    assert manager.status("visitor session,\n on the home screen")
    assert receive(sock, 5) == "STATUS=visitor session, on the home screen"
    assert not manager.status("visitor session, on the home screen")
    assert manager.stopping("stopping")
    assert receive(sock, 5) == "STOPPING=1\nSTATUS=stopping"
    assert manager.reloading()
    reloading = receive(sock, 5)
    assert reloading.startswith("RELOADING=1\nMONOTONIC_USEC=")
    assert int(reloading.split("=")[-1]) <= time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    manager.close()


def test_messages_reach_a_socket_on_a_path_and_a_vanished_one_is_not_an_error():
    folder = Path(tempfile.mkdtemp(prefix="sd-"))  # short: a socket path has at most 107 bytes
    path = folder / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    try:
        manager = ServiceManager.from_environ({"NOTIFY_SOCKET": str(path)})
        assert manager.present and manager.watchdog()
        assert receive(sock, 5) == "WATCHDOG=1"
    finally:
        sock.close()
    path.unlink()
    assert not manager.watchdog()  # nobody listens any more: the kiosk runs on
    folder.rmdir()


def test_without_a_socket_nothing_is_sent():
    manager = ServiceManager.from_environ({})
    assert not manager.present
    assert not manager.ready("on the attract screen")
    assert not manager.watchdog()


# -- the app under a service manager ----------------------------------------------------------

def state(pid: int) -> str:
    """The process's state letter in /proc (R running, S sleeping; T stopped, Z a zombie)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2]


def screen_colours(display: str) -> Counter:
    from PIL import ImageGrab

    shot = ImageGrab.grab(bbox=(0, 0, *SIZE), xdisplay=display).convert("RGB")
    return Counter({colour: n for n, colour in shot.getcolors(maxcolors=SIZE[0] * SIZE[1])})


def test_the_app_is_ready_after_its_first_frame_and_a_frozen_ui_stops_the_pings(
        display, tmp_path, listener):
    from screens.themes import theme

    sock, address = listener
    home = tmp_path / "home"
    env = kiosk_env(display, home, KIOSK_AUDIO="null", NOTIFY_SOCKET=address,
                    WATCHDOG_USEC=str(WATCHDOG_USEC), KIOSK_WATCHDOG_DRILL_S=str(DRILL_S))
    # WATCHDOG_PID is the kiosk's own pid, as systemd sets it: the shell execs the kiosk.
    cmd = ["sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", *KIOSK, "run", "--windowed",
           "--size", "x".join(map(str, SIZE))]
    output = (tmp_path / "run.output").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    output.close()

    def next_message(deadline: float) -> str | None:
        while time.monotonic() < deadline:
            message = receive(sock, min(0.5, max(0.01, deadline - time.monotonic())))
            if message is not None:
                return message
            assert proc.poll() is None, (f"the app exited {proc.returncode}:\n"
                                         f"{(tmp_path / 'run.output').read_text()[-3000:]}")
            assert state(proc.pid) in "RSD", f"the app is not running: {state(proc.pid)}"
        return None

    try:
        first = next_message(time.monotonic() + APP_DEADLINE_S)
        assert first == "READY=1\nSTATUS=on the attract screen", first
        # Ready means drawn: the attract screen is on the display, its theme's background, bar
        # and buttons each a good part of it, with text on them (an undrawn window is one flat
        # colour, or not there at all).
        colours = screen_colours(display)
        t = theme("standard")
        for part in (t.bg, t.bar_bg, t.button_bg):
            rgb = tuple(int(part[i:i + 2], 16) for i in (1, 3, 5))
            assert colours[rgb] > 0.05 * SIZE[0] * SIZE[1], (part, colours.most_common(5))
        assert len(colours) > 16, colours.most_common(5)

        pings = 0
        deadline = time.monotonic() + 30
        while pings < 4:
            message = next_message(deadline)
            assert message is not None, f"only {pings} watchdog pings in 30 s"
            pings += message == "WATCHDOG=1"

        # The drill: the UI thread freezes for DRILL_S seconds; the process runs on.
        os.kill(proc.pid, signal.SIGUSR2)
        last = time.monotonic()
        deadline = last + 30
        while True:
            message = next_message(deadline)
            assert message is not None, "the pings did not stop for 30 s after the UI froze"
            gap, last = time.monotonic() - last, time.monotonic()
            if gap > WATCHDOG_S:  # more than the watchdog allows: systemd would restart it
                break
        # The pings stopped for as long as the UI thread was frozen; the process was alive all
        # along (next_message checks it while it waits) and the pings came back with the UI.
        assert message == "WATCHDOG=1"
        assert gap >= DRILL_S - 1, f"the pings stopped for only {gap:.1f} s"
        log = (KioskPaths(home).log_dir / "kiosk.log").read_text(encoding="utf-8")
        assert "watchdog drill: the UI thread freezes" in log
        assert state(proc.pid) in "RS"
        message = next_message(time.monotonic() + 30)
        assert message == "WATCHDOG=1"

        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 60
        while (message := next_message(deadline)) == "WATCHDOG=1":
            pass
        assert message == "STOPPING=1\nSTATUS=stopping"
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


# -- the unit ----------------------------------------------------------------------------------

UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def unit_settings(path: Path) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_kiosk_unit_is_a_watched_notify_service():
    unit = unit_settings(ROOT / "deploy" / "systemd" / "made-in-oman-kiosk.service")
    assert unit["Type"] == ["notify"] and unit["WatchdogSec"] == ["30"]
    assert unit["Restart"] == ["always"] and unit["User"] == ["kiosk"]
    # The app is cage's child: its messages are let in, and the pings are its to send.
    assert unit["NotifyAccess"] == ["all"]
    assert "env -u WATCHDOG_PID" in unit["ExecStart"][0]
    assert "KIOSK_HOME=/var/lib/made-in-oman-kiosk" in unit["Environment"]
    assert unit["ReadWritePaths"][0].split()[0] == "/var/lib/made-in-oman-kiosk"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_units_pass_systemd_analyze_verify(unit):
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, timeout=60)
    # Only what is wrong with our file fails: a machine without the programs it starts (cage,
    # the installed kiosk) says so about the machine, not the unit.
    problems = [line for line in proc.stderr.splitlines()
                if unit.name in line and "is not executable" not in line
                and "No such file or directory" not in line]
    assert proc.returncode == 0 or not problems, proc.stderr
    assert not problems, proc.stderr
