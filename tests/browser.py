"""What the browser tests share: Debian's chromium driven by Playwright, and axe-core (the npm
package, fetched once with `npm pack` into a cache folder) injected into pages to find
accessibility violations.

`make test` installs chromium and npm (scripts/system-deps); a test that needs the browser is
skipped, with the reason, only where /usr/bin/chromium is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_VERSION = "4.14.1"  # pinned: a new rule in a later axe-core must not fail CI unannounced
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "made-in-oman"
# What the staff admin must never have, in either language (axe's impact levels).
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA, the level ACCESSIBILITY.md asks for, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests drive Debian's chromium "
                    "(scripts/system-deps installs it; `apt-get install -y chromium`)")


def axe_source() -> str:
    """axe.min.js of AXE_VERSION, from the cache, or fetched with `npm pack` first."""
    target = AXE_CACHE / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise AssertionError("npm is missing: it fetches axe-core for the accessibility "
                                 "tests (scripts/system-deps installs it)")
        with tempfile.TemporaryDirectory() as tmp:
            res = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent",
                                  "--pack-destination", tmp], capture_output=True, text=True,
                                 timeout=300, cwd=tmp)
            if res.returncode != 0:
                raise AssertionError(f"npm pack axe-core@{AXE_VERSION} failed: "
                                     f"{res.stderr.strip()[-1000:]}")
            [tgz] = Path(tmp).glob("axe-core-*.tgz")
            with tarfile.open(tgz) as tar:
                member = tar.extractfile("package/axe.min.js")
                assert member is not None, "the axe-core package has no axe.min.js"
                data = member.read()
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(data)
        part.replace(target)
    return target.read_text("utf-8")


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def axe_violations(page: Any, source: str) -> list[dict]:
    """Run axe-core on the page as it is; the violations of impact serious or critical, each
    as {id, impact, help, targets}."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]
