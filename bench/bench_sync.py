"""Sync and upload at catalogue scale, kiosk against a real central on 127.0.0.1: the first sync of
10,000 seeded products with their images, a no-change sync, the bytes a 1 % change moves as a
share of a full sync, and flushing 1,000 queued submissions."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PRODUCTS = 10_000
CHANGED = PRODUCTS // 100


def central_cli(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """`kiosk-central ARGS` on ``home``, with ``env`` added to this process's environment."""
    env = {**os.environ, **(env or {}), "CENTRAL_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "central.cli", *args], env=env, check=True,
                          capture_output=True, text=True, timeout=1800, cwd=ROOT).stdout.strip()


def change_products(svc: Any, products: int, changed: int, seed: int = 1) -> list[str]:
    """Change ``changed`` of the seeded products (seed-product-NNNNN): a new text in both
    languages and a new picture each, saved as staff would (not yet published). Returns their
    ids."""
    from central.content import make_png

    rng = random.Random(seed)
    records = []
    for i in rng.sample(range(products), changed):
        rec = svc.get_record("product", f"seed-product-{i:05d}")
        img = svc.save_media(make_png(24, 24, (rng.randrange(256), rng.randrange(256),
                                               rng.randrange(256)), stripe=3), "image/png")
        rec["description"] = {"ar": rec["description"]["ar"] + " (محدث)",
                              "en": rec["description"]["en"] + " (updated)"}
        rec["images"] = [{"blob": img, "alt": rec["images"][0]["alt"]}]
        records.append(("product", rec))
    svc.save_records(records)
    return [rec["id"] for _kind, rec in records]


def run() -> list[dict]:
    from bench.bench_central import free_port, serving
    from central.config import load_settings
    from central.service import Central
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    home = tmp / "central"
    rows: list[dict] = []
    t0 = time.perf_counter()
    central_cli(home, "seed", "--products", str(PRODUCTS))
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    central_cli(home, "publish")
    publish_s = time.perf_counter() - t0
    code = central_cli(home, "enrollment-code").split()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with serving(home, port, "--log-level", "warning"):
            dev = KioskDevice(KioskPaths(tmp / "kiosk"))
            dev.provision(url, code, name="bench")
            dev.ensure_content()
            t0 = time.perf_counter()
            first = dev.sync()
            first_s = time.perf_counter() - t0
            assert first.outcome == "updated", first.message
            second = dev.sync()
            svc = Central(load_settings(home=home))
            change_products(svc, PRODUCTS, CHANGED)
            svc.publish()
            svc.close()
            t0 = time.perf_counter()
            delta = dev.sync()
            delta_s = time.perf_counter() - t0
            assert delta.outcome == "updated", delta.message
            rows += [
                {"metric": f"seed {PRODUCTS:,} products (central)", "value": seed_s, "unit": "s",
                 "goal": ""},
                {"metric": "publish them: check, hash, sign (central)", "value": publish_s,
                 "unit": "s", "goal": ""},
                {"metric": "first sync: time", "value": first_s, "unit": "s", "goal": ""},
                {"metric": "first sync: bytes received", "value": first.bytes_received,
                 "unit": "B", "goal": ""},
                {"metric": "first sync: requests", "value": first.requests, "unit": "", "goal": ""},
                # "unchanged" is the kiosk's word for central's 304 Not Modified.
                {"metric": "no-change sync: requests (answer)", "value": f"{second.requests} "
                 f"({'304' if second.outcome == 'unchanged' else second.outcome})", "unit": "",
                 "goal": "1 (304)"},
                {"metric": f"1 % changed ({CHANGED} products, text + picture): time",
                 "value": delta_s, "unit": "s", "goal": ""},
                {"metric": "1 % changed: bytes as a share of the full sync",
                 "value": 100.0 * delta.bytes_received / max(1, first.bytes_received), "unit": "%",
                 "goal": "<= 2"},
            ]
            # 1,000 queued submissions, then one flush.
            for i in range(1000):
                dev.submit("feedback", {"kind": "comment", "text": f"Bench comment {i}"}, "en",
                           test=True)
            t0 = time.perf_counter()
            report = dev.flush_outbox(max_failures=1)
            flush_s = time.perf_counter() - t0
            assert report.pending == 0 and report.acked == 1000, report
            rows.append({"metric": "flush 1,000 queued submissions", "value": flush_s,
                         "unit": "s", "goal": "<= 5"})
            dev.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows
