"""Text layouts kept between starts (screens/widgets/kept_layouts.py): what one start laid out
the next reads back unchanged; a changed font or a damaged file is never trusted."""

from __future__ import annotations

import json

from screens.widgets.kept_layouts import KeptLayouts

KEY = ("مرحبا بكم في منتجات عمان", 600, 40, False, True)
LAYOUT = (("مرحبا بكم في منتجات عمان",), ("ﻥﺎﻤﻋ ﺕﺎﺠﺘﻨﻣ ﻲﻓ ﻢﻜﺑ ﺎﺒﺣﺮﻣ",),
          (((("ﻥﺎﻤﻋ ﺕﺎﺠﺘﻨﻣ ﻲﻓ ﻢﻜﺑ ﺎﺒﺣﺮﻣ", "/fonts/NotoSansArabic-Regular.ttf"),), 412.0, 44, 21),))


def kept(tmp_path, font):
    return KeptLayouts(tmp_path / "cache", [font], ["arabic_reshaper=3.1.0"])


def test_a_layout_kept_by_one_start_is_read_by_the_next(tmp_path):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"a font")
    first = kept(tmp_path, font)
    assert first.get(KEY) is None
    assert first.save() is False  # nothing laid out yet: nothing written
    first.put(KEY, LAYOUT)
    assert first.save() is True
    assert first.path.stat().st_mode & 0o777 == 0o600
    assert first.save() is False  # nothing new since
    second = kept(tmp_path, font)
    assert second.path == first.path
    assert second.get(KEY) == LAYOUT
    assert second.get((*KEY[:1], 601, *KEY[2:])) is None  # another width is laid out afresh


def test_a_changed_font_starts_a_new_file_and_drops_the_old(tmp_path):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"a font")
    first = kept(tmp_path, font)
    first.put(KEY, LAYOUT)
    first.save()
    font.write_bytes(b"another font, longer")
    second = kept(tmp_path, font)
    assert second.path != first.path
    assert second.get(KEY) is None
    second.put(KEY, LAYOUT)
    second.save()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [second.path.name]


def test_a_damaged_file_only_costs_the_work(tmp_path):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"a font")
    k = kept(tmp_path, font)
    k.path.parent.mkdir(parents=True)
    for damage in ("{not json", json.dumps([[["x"], "wrong shape"]]), json.dumps({"a": 1})):
        k.path.write_text(damage)
        fresh = kept(tmp_path, font)
        assert fresh.get(KEY) is None
        fresh.put(KEY, LAYOUT)
        assert fresh.save() is True
        assert kept(tmp_path, font).get(KEY) == LAYOUT


def test_kept_layouts_are_what_laying_out_gives(tmp_path, monkeypatch):
    """The text widget's own layout, computed, kept, and read back by a new process's cache,
    is the same layout (no Kivy window: the layout is measured with SDL_ttf only)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import json, sys\n"
        "from screens.widgets import text\n"
        "hit = text.kept_layouts().get((sys.argv[1], 500, 40, False, True)) is not None\n"
        "r = text._lay_out(sys.argv[1], 500, 40, False, True)\n"
        "text.keep_layouts()\n"
        "print(json.dumps([hit, r[0], r[1], [[ln.runs, ln.width] for ln in r[2]]]))\n")
    env = {"KIOSK_HOME": str(tmp_path / "home"), "KIVY_NO_ARGS": "1",
           "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy"),
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    words = "منتجات عمانية أصيلة من كل محافظات السلطنة، صنعت بأيد عمانية"
    runs = [subprocess.run([sys.executable, "-c", code, words], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr[-1500:]
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first[0] is False and second[0] is True  # the second start read it
    assert len(first[1]) >= 2  # wrapped at 500 px
    assert second[1:] == first[1:]
    assert list((tmp_path / "home" / "cache").glob("text-layouts-*.json"))
