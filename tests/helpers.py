"""What the UI tests share: where the repository is, the kiosk command as technicians run it,
a child process's environment, and the one UI driver (`kiosk walk`, screens/walk.py) run in
its own process with its report read back. The fixtures (display, kiosk_home) are in
tests/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The installed console script, as technicians run it (`python -m kiosk.cli` would load the CLI
# module twice, under two names).
KIOSK = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]
PX_PER_MM = 4.0  # what the UI tests' windows have (no KIOSK_PX_PER_MM in their environment)
WALK_TIMEOUT_S = 240


def kiosk_env(display: str | None, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a kiosk child process: this display (none: unset), this home,
    the default pixel density."""
    env = dict(os.environ, KIOSK_HOME=str(home), **extra)
    if display is None:
        env.pop("DISPLAY", None)
    else:
        env["DISPLAY"] = display
    env.pop("KIOSK_PX_PER_MM", None)
    return env


def _flags(options: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif value is not None and value is not False:
            out += [flag, str(value)]
    return out


def walk(display: str, home: Path, tmp_path: Path, screen: str | None = None,
         steps: list[dict[str, Any]] | tuple = (), silent: bool = True,
         env: dict[str, str] | None = None, **start: Any) -> dict[str, Any]:
    """Run `kiosk walk` with ``steps`` (starting on ``screen`` with the visitor settings in
    ``start``: lang, theme, text_scale, reach, speech; size) and return its report: the
    ``reports`` of its report steps followed by the screen as the walk ended, the
    ``navigations``, ``errors`` (the failed step's line, or nothing) and ``out``, the folder
    with its walk.log, speech.log and shots. ``silent=False``: with the kiosk's voice."""
    n = len(list(tmp_path.iterdir()))
    script, report = tmp_path / f"walk-{n}.json", tmp_path / f"walk-{n}-report.json"
    out = tmp_path / f"walk-{n}"
    script.write_text(json.dumps(list(steps), ensure_ascii=False), encoding="utf-8")
    cmd = [*KIOSK, "walk", str(script), "--out", str(out), "--report",
           str(report), *_flags({"screen": screen, "silent": silent, **start})]
    proc = subprocess.run(cmd, cwd=ROOT, env=env or kiosk_env(display, home),
                          capture_output=True, text=True, timeout=WALK_TIMEOUT_S)
    if not report.exists():
        logs = sorted((home / "kivy" / "logs").glob("*.txt"), key=lambda f: f.stat().st_mtime)
        kivy_log = logs[-1].read_text(errors="replace")[-3000:] if logs else ""
        raise AssertionError(f"kiosk walk exited {proc.returncode} without a report:\n"
                             f"{proc.stderr[-3000:]}\n{proc.stdout[-1000:]}\nKivy log:\n"
                             f"{kivy_log}")
    result = json.loads(report.read_text(encoding="utf-8"))
    result["errors"] = [result["failure"]] if result["failure"] else []
    result["out"] = out
    return result


def walk_ok(display: str, home: Path, tmp_path: Path, screen: str | None = None,
            steps: list[dict[str, Any]] | tuple = (), **options: Any) -> dict[str, Any]:
    """``walk``, which must pass every step."""
    result = walk(display, home, tmp_path, screen, steps, **options)
    assert result["errors"] == [], result["errors"][0]
    return result


def last(result: dict) -> dict:
    return result["reports"][-1]


def button(report: dict, kiosk_id: str) -> dict:
    return next(b for b in report["buttons"] if b["id"] == kiosk_id)


def visible_texts(report: dict) -> list[str]:
    """Every logical text the visitor can read, buttons included."""
    return [t["logical"] for t in report["texts"]] + [b["text"] for b in report["buttons"]]


def shows(report: dict, fragment: str) -> bool:
    return any(fragment in text for text in visible_texts(report))
