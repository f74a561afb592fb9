"""A kiosk's screen never blanks by itself: the app's window keeps the display's screensaver
off, and the kiosk's unit switches the console's blanking off before cage starts."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT

UNIT = ROOT / "deploy" / "systemd" / "made-in-oman-kiosk.service"


def test_the_running_kiosk_window_keeps_the_screensaver_off(display):
    # The app's own window set-up (configure_kivy, as `kiosk run` does), on a real X display.
    code = ("from screens.runtime import configure_kivy\n"
            "configure_kivy((320, 480), fullscreen=False, quiet=True)\n"
            "from kivy.core.window import Window\n"
            "print('allow_screensaver', Window.allow_screensaver)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DISPLAY": display, "PYTHONPATH": str(ROOT)},
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "allow_screensaver False" in proc.stdout, proc.stdout


def test_the_unit_switches_blanking_and_power_down_off():
    lines = [line.strip() for line in UNIT.read_text().splitlines()]
    assert "Environment=SDL_VIDEO_ALLOW_SCREENSAVER=0" in lines
    pre = [line for line in lines if line.startswith("ExecStartPre=")]
    assert any("setterm" in line and "--blank 0" in line and "--powerdown 0" in line
               and "/dev/tty7" in line for line in pre), pre
