"""A blind visitor's keypad, for the journey tests: `kiosk walk` (screens/walk.py) with two
more steps that expand into plain keypad presses while the walk runs.

    python -m tests.test_ui_journeys_driver SCRIPT.json --out DIR

- {"keys_to": ID}: press Down or Up (whichever is fewer presses, focus wraps) until the control
  ID has the keypad focus; each press is an ordinary {"key": ...} step, spoken and logged.
- {"type_keys": TEXT}: for each character, keys_to its on-screen key, then Action.

A walk script can only name fixed keys, but how many presses reach a control depends on the
content (how many categories, how many poll options); the visitor hears each item and stops
on the one they want, and so does this driver. Nothing here touches the app but keys."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from screens import walk as walk_mod

MAX_PRESSES = 150
EXTRA = ("keys_to", "type_keys")
ECHO = "\u0000echo"  # expect the character of the key just pressed


class KeypadWalker(walk_mod.Walker):
    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.presses = 0
        self.echo = ""

    def run_next(self) -> None:
        while not self.finished and self.index < len(self.steps):
            step = self.steps[self.index]
            if "type_keys" in step:
                expanded: list[dict[str, Any]] = []
                for ch in step["type_keys"]:
                    ids = ["key.space"] if ch == " " else list(dict.fromkeys(
                        [f"key.{ch}", f"key.{ch.upper()}", f"key.{ch.lower()}"]))
                    expanded += [{"keys_to": ids}, {"key": "action"}]
                    if ch != " ":
                        expanded.append({"expect_spoken": ECHO})  # the key is echoed
                self.steps[self.index:self.index + 1] = expanded
                continue
            if step.get("expect_spoken") == ECHO:
                self.steps[self.index] = {"expect_spoken": self.echo}
                break
            if "keys_to" not in step:
                break
            order = [w.kiosk_id for w in self.app.focus.order()]
            wanted = step["keys_to"] if isinstance(step["keys_to"], list) else [step["keys_to"]]
            # A key that changes with the layout (a capital at a sentence's start) is found
            # as whichever form the keyboard shows now.
            target = next((k for k in wanted if k in order), wanted[0])
            self.echo = target.removeprefix("key.")
            if self.app.focus.id == target:
                del self.steps[self.index]  # reached: the presses did the work
                self.presses = 0
                continue
            if target not in order or self.presses >= MAX_PRESSES:
                self.fail(step, f"{target} can not be reached by Up and Down; focus order: "
                                f"{order}")
                return
            here = order.index(self.app.focus.id) if self.app.focus.id in order else None
            n, t = len(order), order.index(target)
            downs = t + 1 if here is None else (t - here) % n
            ups = n - t if here is None else (here - t) % n
            self.presses += 1
            self.steps.insert(self.index, {"key": "down" if downs <= ups else "up"})
            break
        super().run_next()


def run(steps: list[dict[str, Any]], out: Path, size: tuple[int, int]) -> walk_mod.WalkResult:
    """screens.walk.run_walk with the keypad walker (one walk per process)."""
    return walk_mod.run_walk(steps, out, size, walker_cls=KeypadWalker)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("script")
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="1080x1920")
    args = p.parse_args(argv)
    steps = json.loads(Path(args.script).read_text(encoding="utf-8"))
    for n, step in enumerate(steps, 1):
        if not any(k in step for k in EXTRA):
            walk_mod.check_step(n, step)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    w, h = (int(v) for v in args.size.split("x"))
    result = run(steps, out, (w, h))
    sys.stderr = sys.__stderr__
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    print(f"walk: {result.steps_done} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
