"""The kiosk's memory at catalogue scale (10,000 products): how long a new version takes to switch
in, how fast search answers each keystroke (and against a plain LIKE scan), how long the
outbox takes to make a submission durable, and the memory a kiosk process holds."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the test catalogue factory lives in tests/
    sys.path.insert(0, str(ROOT))

PRODUCTS = 10_000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _keystrokes(names: list[str]) -> list[str]:
    """Every prefix a visitor types on the way to each name ("ص", "صا", ... "صابون طبيعي"), and
    to its second word alone (a word inside names, so the bm25 path is measured too)."""
    out = []
    for name in names:
        words = name.split()
        for text in (" ".join(words[:2]), words[1] if len(words) > 1 else ""):
            out += [text[:i] for i in range(1, len(text) + 1) if not text[:i].endswith(" ")]
    return out


def _like_scan(conn, query: str) -> tuple[int, list]:
    """The obvious way without a full-text index: substring LIKE over the same columns."""
    from offline_cache.normalize import name_key

    pat = "%" + name_key(query).replace("%", "").replace("_", "") + "%"
    where = ("key_ar LIKE :p OR key_en LIKE :p OR maker_ar LIKE :p OR maker_en LIKE :p "
             "OR code LIKE :p")
    total = conn.execute(f"SELECT count(*) FROM v_product WHERE {where}", {"p": pat}).fetchone()
    rows = conn.execute(f"SELECT id FROM v_product WHERE {where} ORDER BY key_en, id LIMIT 20",
                        {"p": pat}).fetchall()
    return total[0], rows


_HOLDER = r"""
import sys
from offline_cache.store import ContentStore
store = ContentStore(sys.argv[1])
store.categories(); store.governorates(); store.manufacturers()
for q in ("ص", "صابون", "soap", "frank", "عسل", "P00"):
    store.search(q)
store.products(category="food", limit=50)
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]))
"""


def run() -> list[dict]:
    from kiosk.protocol import Catalogue
    from offline_cache.outbox import Outbox
    from offline_cache.store import ContentStore
    from tests.catalogue_factory import catalogue_data, make_snapshot

    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        data, images = catalogue_data(PRODUCTS, manufacturers=400, categories=6, seed=11)
        catalogue = Catalogue.from_json(data)
        snap = make_snapshot(catalogue, images, 1)
        store = ContentStore(work / "content.db")

        t0 = time.perf_counter()
        store.begin_snapshot(snap.manifest, snap.index, "central")
        kinds = {h: k for k, ids in snap.index.records.items() for h in ids.values()}
        store.put_records((kinds[h], h, b) for h, b in snap.record_bytes.items())
        staged = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.activate(1)
        activation = time.perf_counter() - t0
        rows.append({"metric": f"stage {PRODUCTS:,} products (verify + store records)",
                     "value": round(staged, 2), "unit": "s", "goal": ""})
        rows.append({"metric": f"activate {PRODUCTS:,} products (verify, switch, rebuild "
                               "lists and search index)",
                     "value": round(activation, 2), "unit": "s", "goal": "<= 5"})

        # Version 2 changes 1% of the products: what a routine content update costs.
        for p in data["product"][: PRODUCTS // 100]:
            p["name"]["en"] += " (new)"
        snap2 = make_snapshot(Catalogue.from_json(data), images, 2)
        t0 = time.perf_counter()
        store.begin_snapshot(snap2.manifest, snap2.index, "central")
        missing = store.missing_records(snap2.index)
        kinds2 = {h: k for k, ids in snap2.index.records.items() for h in ids.values()}
        store.put_records((kinds2[h], h, snap2.record_bytes[h]) for h in missing)
        store.activate(2)
        rows.append({"metric": f"update changing {len(missing)} records: stage + activate",
                     "value": round(time.perf_counter() - t0, 2), "unit": "s", "goal": ""})

        rng = random.Random(5)
        products = list(catalogue.of("product").values())
        sample = rng.sample(products, 40)
        conn = store._conn()
        for lang in ("ar", "en"):
            typed = _keystrokes([getattr(p.name, lang) for p in sample])
            fts, like = [], []
            for q in typed:
                t0 = time.perf_counter()
                store.search(q, limit=20)
                fts.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                _like_scan(conn, q)
                like.append((time.perf_counter() - t0) * 1000)
            label = "Arabic" if lang == "ar" else "English"
            rows.append({"metric": f"search as you type, {label}, p50 ({len(typed)} keystrokes)",
                         "value": round(_pct(fts, 0.5), 2), "unit": "ms", "goal": ""})
            rows.append({"metric": f"search as you type, {label}, p95",
                         "value": round(_pct(fts, 0.95), 2), "unit": "ms", "goal": "<= 15"})
            rows.append({"metric": f"search vs LIKE scan, {label}: LIKE mean / FTS mean",
                         "value": round(statistics.mean(like) / statistics.mean(fts), 1),
                         "unit": "x faster", "goal": ">= 10"})
            rows.append({"metric": f"LIKE scan, {label}, p95 (for comparison)",
                         "value": round(_pct(like, 0.95), 2), "unit": "ms", "goal": ""})

        def per_call_ms(call, n: int = 200) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                call()
            return round((time.perf_counter() - t0) / n * 1000, 2)

        ids = [p.id for p in products]
        for metric, call in (
            ("one page of a category list (20 of ~1,700, with its total)",
             lambda: store.products(category="food", offset=rng.randrange(0, 1500), limit=20)),
            ("categories, governorates and makers with product counts",
             lambda: (store.categories(), store.governorates(), store.manufacturers())),
            ("one product with maker, category and certifications resolved",
             lambda: store.product(rng.choice(ids))),
        ):
            rows.append({"metric": metric, "value": per_call_ms(call), "unit": "ms",
                         "goal": ""})
        store.close()

        # The outbox directory sits on the same disk as the kiosk's data, so fsync is real.
        box = Outbox(work / "outbox.db")
        payload = {"kind": "comment", "text": "الخط صغير على الشاشة، أرجو تكبيره."}
        times = []
        for _ in range(300):
            t0 = time.perf_counter()
            box.enqueue("feedback", payload, "ar", 2)
            times.append((time.perf_counter() - t0) * 1000)
        box.close()
        rows.append({"metric": "outbox enqueue, durable (fsync), p95",
                     "value": round(_pct(times, 0.95), 2), "unit": "ms", "goal": "<= 10"})
        rows.append({"metric": "outbox enqueue, durable (fsync), p50",
                     "value": round(_pct(times, 0.5), 2), "unit": "ms", "goal": ""})

        out = subprocess.run([sys.executable, "-c", _HOLDER, str(work / "content.db")],
                             cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        rows.append({"metric": f"RSS of a process holding the {PRODUCTS:,}-product store "
                               "after browsing and searching",
                     "value": round(int(out.stdout.strip()) / 1024, 1), "unit": "MiB",
                     "goal": ""})
        size = sum(f.stat().st_size for f in work.glob("content.db*"))
        rows.append({"metric": f"content database on disk, {PRODUCTS:,} products",
                     "value": round(size / 1024 / 1024, 1), "unit": "MiB", "goal": ""})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['metric']}: {row['value']} {row['unit']}  (goal {row['goal'] or '-'})")
