"""`make bench`: runs every benchmark module, prints one table with the machine and the date,
and keeps the latest table in README.md (between the bench markers) and bench/results.md.

Each module ``bench/bench_*.py`` has ``run() -> list[dict]`` giving rows with ``metric``,
``value``, ``unit`` and ``goal`` (text, may be empty). Figures are measured, never asserted:
the machines are shared and noisy, so goals are compared here, not in tests.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("bench_central", "bench_fleet", "bench_sync", "bench_fanout", "bench_store",
           "bench_voices", "bench_ui_speech", "bench_ui")
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def fmt(value) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    lines = ["| area | metric | value | unit | goal |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['area']} | {r['metric']} | {fmt(r['value'])} | {r.get('unit', '')} "
                     f"| {r.get('goal', '')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench")
    ap.add_argument("only", nargs="*", help="module names to run (default: all)")
    ap.add_argument("--no-readme", action="store_true", help="do not update README.md")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    rows: list[dict] = []
    failed = []
    for name in MODULES:
        short = name.removeprefix("bench_")
        if args.only and name not in args.only and short not in args.only:
            continue
        if not (ROOT / "bench" / f"{name}.py").exists():
            continue
        print(f"bench: running {short} ...", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            mod = importlib.import_module(name)
            for r in mod.run():
                rows.append({"area": short, **r})
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(short)
        print(f"bench: {short} took {time.monotonic() - t0:.0f} s", file=sys.stderr)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"Measured {when} on {machine()}.\n\n{table(rows)}\n"
    if failed:
        text += f"\nThese benchmarks failed to run: {', '.join(failed)}.\n"
    print(text)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    readme = ROOT / "README.md"
    if not args.no_readme and not args.only and readme.exists():
        body = readme.read_text(encoding="utf-8")
        if START in body and END in body:
            body = re.sub(re.escape(START) + ".*?" + re.escape(END),
                          lambda _: f"{START}\n{text}{END}", body, flags=re.S)
            readme.write_text(body, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
