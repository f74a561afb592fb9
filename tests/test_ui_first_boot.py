"""A kiosk's first boot is a boot like any other: walks on a brand-new $KIOSK_HOME show the
demo's categories and products in both languages, twenty first boots in a row end cleanly, and
content activated while a visitor is on a screen shows there in place, focus and history kept
(kiosk walk's {"install": DIR} step: the catalogue in DIR installed from a background thread and
announced as the sync loop does, as a sync would while a visitor is on a screen)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import KIOSK, ROOT, kiosk_env

DEMO = ROOT / "assets" / "demo"
FIRST_BOOTS = 20


def demo() -> dict[str, Any]:
    return json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))


def run_walk(display: str, home: Path, tmp_path: Path, steps: list,
             timeout: float = 180) -> subprocess.CompletedProcess:
    script = tmp_path / "walk.json"
    script.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([*KIOSK, "walk", str(script), "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=kiosk_env(display, home), capture_output=True,
                          text=True, timeout=timeout)


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
    proc = run_walk(display, tmp_path / "home", tmp_path, steps)
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
