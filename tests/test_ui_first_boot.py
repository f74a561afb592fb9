"""A kiosk's first boot is a boot like any other: walks on a brand-new $KIOSK_HOME show the
demo's categories and products in both languages, twenty first boots in a row end cleanly, and
content activated while a visitor is on a screen shows there in place, focus and history kept.

Run as a module it is the walk driver for the last test: `kiosk walk` (screens/walk.py) with
one more step, {"install": DIR}, which installs the catalogue in DIR from a background thread
and announces it as the sync loop does (kiosk.events.CONTENT_CHANGED), as a sync would while a
visitor is on a screen:

    python -m tests.test_ui_first_boot SCRIPT.json --out DIR
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo"
KIOSK = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]
DRIVER = [sys.executable, "-m", "tests.test_ui_first_boot"]
FIRST_BOOTS = 20
INSTALL_TIMEOUT_S = 30.0


def demo() -> dict[str, Any]:
    return json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))


def run_walk(display: str, home: Path, tmp_path: Path, steps: list,
             command: list[str] = KIOSK, timeout: float = 180) -> subprocess.CompletedProcess:
    script = tmp_path / "walk.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, DISPLAY=display, KIOSK_HOME=str(home))
    env.pop("KIOSK_PX_PER_MM", None)
    args = [*command, "walk"] if command is KIOSK else list(command)
    return subprocess.run([*args, str(script), "--out", str(tmp_path / "out")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


def walk_log(tmp_path: Path) -> list[dict]:
    path = tmp_path / "out" / "walk.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- first boots -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_first_boot_walk_opens_a_category_and_a_product(display, tmp_path, lang):
    data = demo()
    category = data["category"][0]
    product = next(p for p in data["product"] if p["category_id"] == category["id"])
    home = tmp_path / "home"
    assert not home.exists()  # brand new: nothing installed, not even a content database
    steps = [
        {"expect_screen": "attract"},
        {"tap": f"lang.{lang}"},
        {"expect_screen": "home"},
        {"tap": "home.categories"},
        {"expect_screen": "categories"},
        {"expect_text": category["name"][lang]},
        {"tap": f"category.{category['id']}"},
        {"expect_screen": "products"},
        {"expect_text": product["name"][lang]},
        {"tap": f"product.{product['id']}"},
        {"expect_screen": "product"},
        {"expect_text": product["description"][lang].split(".")[0]},
    ]
    proc = run_walk(display, home, tmp_path, steps)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(steps)} steps passed" in proc.stdout
    assert [e["screen"] for e in walk_log(tmp_path)][-1] == "product"


def test_twenty_first_boots_in_a_row_end_cleanly(display, tmp_path):
    name = demo()["category"][0]["name"]["ar"]
    steps = [{"tap": "attract.start"}, {"tap": "home.categories"}, {"expect_text": name}]
    for n in range(FIRST_BOOTS):
        run_dir = tmp_path / f"boot-{n}"
        run_dir.mkdir()
        proc = run_walk(display, run_dir / "home", run_dir, steps, timeout=120)
        # A crash is exit 139 (SIGSEGV): every start, each on a new home, must end with 0.
        assert proc.returncode == 0, f"first boot {n + 1}: exit {proc.returncode}: " \
                                     f"{proc.stderr[-2000:]}"


# -- new content while a visitor is on a screen ------------------------------------------------

def catalogue_with_new_product(folder: Path, category: str) -> dict[str, Any]:
    """The demo plus one product in ``category``, as the next content version; returns the
    new product."""
    shutil.copytree(DEMO, folder)
    data = demo()
    model = next(p for p in data["product"] if p["category_id"] == category)
    new = {**model, "id": "amber-sea-salt-test", "code": "MIO-TS-9999",
           "name": {"ar": "ملح بحري كهرماني للتجربة", "en": "Amber sea salt for testing"},
           "portal_url": "https://madeinoman.om/products/amber-sea-salt-test"}
    data["product"].append(new)
    (folder / "catalogue.json").write_text(json.dumps(data, ensure_ascii=False),
                                           encoding="utf-8")
    return new


def demo_products_in_order(tmp_path: Path, category: str, lang: str) -> list[dict]:
    """The demo's products of ``category`` in the order the products screen lists them, as the
    real store sorts them."""
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    device = KioskDevice(KioskPaths(tmp_path / "order-home"))
    try:
        device.ensure_content()
        page = device.store.products(category=category, lang=lang, limit=50)
        return [{"id": p.id, "name": getattr(p.name, lang)} for p in page.items]
    finally:
        device.close()


def test_content_activated_on_a_screen_refreshes_it_in_place(display, tmp_path):
    category = "fisheries"
    new = catalogue_with_new_product(tmp_path / "next-version", category)
    listed = demo_products_in_order(tmp_path, category, "en")
    assert new["id"] not in {p["id"] for p in listed}
    second = listed[1]
    steps = [
        {"tap": "lang.en"},
        {"tap": "home.categories"},
        {"tap": f"category.{category}"},
        {"expect_screen": "products"},
        {"expect_text": second["name"]},
        # The keypad focus on the second product (the first key also turns speech on).
        {"key": "down"},
        {"key": "down"},
        {"expect_spoken": second["name"]},
        {"install": str(tmp_path / "next-version")},
        # The same screen, now with the new product, nothing said about it...
        {"expect_screen": "products"},
        {"expect_text": new["name"]["en"]},
        # ...the focus still on the same product: Action opens it...
        {"key": "action"},
        {"expect_screen": "product"},
        {"expect_text": second["name"]},
        # ...and the history is whole: Back, Back reach the categories.
        {"key": "back"},
        {"expect_screen": "products"},
        {"expect_text": new["name"]["en"]},
        {"key": "back"},
        {"expect_screen": "categories"},
    ]
    proc = run_walk(display, tmp_path / "home", tmp_path, steps, command=DRIVER)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(steps)} steps passed" in proc.stdout
    log = walk_log(tmp_path)
    install = next(e for e in log if "install" in e["do"])
    assert install["ok"] and install["screen"] == "products"
    assert install["seen"].startswith(f"focus product.{second['id']} on screen 'products'")


def test_closing_the_store_waits_for_a_transaction_another_thread_runs(tmp_path):
    """What made first boots crash: the app closed the content store while the demo was still
    being installed from another thread, and a connection closed under a running statement
    takes the process down. Closing now waits for that thread's transaction."""
    from offline_cache.outbox import Outbox

    outbox = Outbox(tmp_path / "outbox.db")
    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with outbox._write() as c:
                inside.set()
                release.wait(10)
                c.execute("SELECT count(*) FROM submission").fetchone()
        except BaseException as e:  # noqa: BLE001 - reported by the test below
            failures.append(e)

    w = threading.Thread(target=writer)
    w.start()
    assert inside.wait(10)
    closer = threading.Thread(target=outbox.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive(), "close() did not wait for the other thread's transaction"
    release.set()
    w.join(10)
    closer.join(10)
    assert not closer.is_alive() and not failures


# -- the driver --------------------------------------------------------------------------------

def _walker_cls() -> type:
    from screens import walk as walk_mod

    class InstallingWalker(walk_mod.Walker):
        """`kiosk walk` plus {"install": DIR}: a new content version while the visitor is on a
        screen. The step is done once the app has shown the new content."""

        def run_next(self) -> None:
            if self.finished or self.index >= len(self.steps) or \
                    "install" not in self.steps[self.index]:
                super().run_next()
                return
            step = self.steps[self.index]
            self.collect_speech()  # an action step: what is heard next comes after it
            self.heard = []
            try:
                self._install(step)
            except Exception as e:  # noqa: BLE001 - the walk reports it as this step's
                self.fail(step, f"{type(e).__name__}: {e}")

        def _install(self, step: dict[str, Any]) -> None:
            from kivy.clock import Clock

            from kiosk import events

            app = self.app
            failed: list[str] = []
            focus = app.focus.id
            started = Clock.get_time()

            def install() -> None:
                # A background thread, as the sync loop is: store write, then the event.
                try:
                    store = app.device.store
                    version = store.import_catalogue_dir(step["install"], source="demo")
                    app.device.events.emit(events.CONTENT_CHANGED, version=version)
                except Exception as e:  # noqa: BLE001 - the step fails with it
                    failed.append(f"{type(e).__name__}: {e}")

            worker = threading.Thread(target=install, name="test-install", daemon=True)
            worker.start()

            def shown() -> bool:
                ring = app.focus.focused()
                return (app.nav.shown_generation >= app.nav.content_generation
                        and (focus is None or (ring is not None and ring.focused)))

            def poll(_dt: float) -> None:
                if failed:
                    self.fail(step, failed[0])
                elif not worker.is_alive() and shown():
                    self.done(step, f"focus {app.focus.id} on {self._here()}")
                elif Clock.get_time() - started > INSTALL_TIMEOUT_S:
                    self.fail(step, f"the new content was not shown, with the keypad focus "
                                    f"on {focus} kept, within {INSTALL_TIMEOUT_S:g} s; "
                                    f"{self._here()}")
                else:
                    Clock.schedule_once(poll, 0)
            Clock.schedule_once(poll, 0)

    return InstallingWalker


def main(argv: list[str] | None = None) -> int:
    from screens import walk as walk_mod
    from screens.commands import DEFAULT_SIZE
    from screens.xvfb import display_for

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("script")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    raw = json.loads(Path(args.script).read_text(encoding="utf-8"))
    for n, step in enumerate(raw, 1):
        if "install" not in step:
            walk_mod.check_step(n, step)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with display_for(DEFAULT_SIZE):
        result = walk_mod.run_walk(raw, out, DEFAULT_SIZE, walker_cls=_walker_cls())
    sys.stderr = sys.__stderr__
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    if result.steps_done != len(raw):
        print(f"the walk stopped after {result.steps_done} of {len(raw)} steps",
              file=sys.stderr)
        return 1
    print(f"walk: {len(raw)} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
