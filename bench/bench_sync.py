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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PRODUCTS = 10_000
CHANGED = PRODUCTS // 100


def _central(home: Path, *args: str) -> str:
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "central.cli", *args], env=env, check=True,
                          capture_output=True, text=True, timeout=1800, cwd=ROOT).stdout.strip()


def run() -> list[dict]:
    from bench.bench_central import free_port, serving
    from central.config import load_settings
    from central.content import make_png
    from central.service import Central
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    home = tmp / "central"
    rows: list[dict] = []
    t0 = time.perf_counter()
    _central(home, "seed", "--products", str(PRODUCTS))
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _central(home, "publish")
    publish_s = time.perf_counter() - t0
    code = _central(home, "enrollment-code").split()[-1]
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
            # Change 1 % of the products: new texts and a new picture each.
            svc = Central(load_settings(home=home))
            rng = random.Random(1)
            changed = []
            for i in rng.sample(range(PRODUCTS), CHANGED):
                rec = svc.get_record("product", f"seed-product-{i:05d}")
                img = svc.save_media(make_png(24, 24, (rng.randrange(256), rng.randrange(256),
                                                       rng.randrange(256)), stripe=3), "image/png")
                rec["description"] = {"ar": rec["description"]["ar"] + " (محدث)",
                                      "en": rec["description"]["en"] + " (updated)"}
                rec["images"] = [{"blob": img, "alt": rec["images"][0]["alt"]}]
                changed.append(("product", rec))
            svc.save_records(changed)
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
