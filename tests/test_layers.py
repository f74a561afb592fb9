"""`make lint`'s import rules catch what they are there for: in a copy of the packages, one import
that breaks a rule makes lint-imports or scripts/check-import-cycles fail and name the rule; the
untouched copy passes both (so the repository itself keeps its layers)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _packages() -> list[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser["importlinter"]["root_packages"].split()


def _contract_name(contract_id: str) -> str:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser[f"importlinter:contract:{contract_id}"]["name"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The checked packages, the contracts and the cycle checker, copied as they are now."""
    for package in _packages():
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "check-import-cycles", tmp_path / "scripts")
    return tmp_path


def _run(tree: Path, *cmd: str) -> tuple[int, str]:
    # The copy, not the installed tree, must be what is analysed; wide lines so that a
    # contract's name is never wrapped in the report.
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "200"}
    res = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=120)
    return res.returncode, re.sub(r"\s+", " ", res.stdout + res.stderr)


def lint_imports(tree: Path) -> tuple[int, str]:
    return _run(tree, str(LINT_IMPORTS), "--no-cache", "--no-logo")


def check_cycles(tree: Path) -> tuple[int, str]:
    return _run(tree, sys.executable, "scripts/check-import-cycles")


def add_import(tree: Path, module_path: str, line: str) -> None:
    """Append an import to a module of the copy, creating the module if it is new."""
    path = tree / module_path
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + "\n" + line + "\n", encoding="utf-8")


def test_the_untouched_packages_keep_every_contract_and_have_no_cycle(tree):
    rc, out = lint_imports(tree)
    assert rc == 0, out
    assert "BROKEN" not in out and " 0 broken" in out, out
    rc, out = check_cycles(tree)
    assert rc == 0, out
    assert "no import cycle among" in out, out


@pytest.mark.parametrize(("module_path", "line", "contract"), [
    # a lower layer reaching up
    ("offline_cache/outbox.py", "import screens.app", "layers"),
    ("kiosk/config.py", "from kiosk import device", "layers"),
    ("kiosk/protocol/base.py", "from kiosk import central_client", "layers"),
    # siblings marked independent with "|"
    ("voices/engine.py", "from offline_cache import store", "layers"),
    ("voices/engine.py", "from offline_cache import store", "storage-speech-independent"),
    ("offline_cache/sync.py", "import voices.service", "storage-speech-independent"),
    ("kiosk/units.py", "from kiosk import errors", "layers"),
    # a new kiosk module nobody gave a layer
    ("kiosk/newcomer.py", "from kiosk import units", "kiosk-placed"),
    # central and the kiosk meet only over the wire format
    ("central/api.py", "from kiosk import config", "central-wire-only"),
    ("central/api.py", "import offline_cache.store", "central-wire-only"),
    ("offline_cache/sync.py", "import central.service", "kiosk-not-central"),
    # Kivy stays in screens
    ("voices/service.py", "import kivy.clock", "kivy-in-screens"),
    ("kiosk/device.py", "from kivy.app import App", "kivy-in-screens"),
    # screens go through the services
    ("screens/home.py", "import sqlite3", "screens-ask-services"),
    ("screens/home.py", "import requests", "screens-ask-services"),
    ("screens/home.py", "from offline_cache.outbox import Outbox", "screens-ask-services"),
    ("screens/home.py", "from kiosk.central_client import CentralClient", "screens-ask-services"),
])
def test_an_import_that_breaks_a_contract_fails_lint_naming_it(tree, module_path, line, contract):
    add_import(tree, module_path, line)
    rc, out = lint_imports(tree)
    assert rc != 0, out
    assert f"{_contract_name(contract)} BROKEN" in out, out


def test_a_cycle_between_modules_fails_both_tools_and_is_shown_as_a_chain(tree):
    add_import(tree, "offline_cache/circle_a.py", "from offline_cache import circle_b")
    add_import(tree, "offline_cache/circle_b.py", "from offline_cache import circle_c")
    add_import(tree, "offline_cache/circle_c.py", "import offline_cache.circle_a")
    rc, out = check_cycles(tree)
    assert rc == 1, out
    assert ("import cycle: offline_cache.circle_a -> offline_cache.circle_b -> "
            "offline_cache.circle_c -> offline_cache.circle_a") in out, out
    assert "offline_cache.circle_c line 2: import offline_cache.circle_a" in out, out
    rc, out = lint_imports(tree)
    assert rc != 0
    assert f"{_contract_name('acyclic')} BROKEN" in out, out


def test_a_cycle_hidden_in_a_function_is_still_a_cycle(tree):
    # Importing late, inside a function, is how a cycle usually hides; it still runs.
    add_import(tree, "voices/speakable.py",
               "def _late():\n    from voices import service\n    return service")
    rc, out = check_cycles(tree)
    assert rc == 1, out
    assert "import cycle: voices.service -> voices.speakable -> voices.service" in out, out


def test_a_top_level_init_that_imports_our_modules_fails(tree):
    add_import(tree, "kiosk/__init__.py", "from kiosk import config")
    rc, out = check_cycles(tree)
    assert rc == 1, out
    assert "kiosk/__init__.py imports kiosk.config" in out, out
