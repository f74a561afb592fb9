"""Physical sizes: 16 mm targets, 2.5 mm gaps, body capitals at least 4.8 mm at scale 1."""

from __future__ import annotations

from kiosk.units import (
    CAP_HEIGHT_RATIO,
    MIN_CAP_HEIGHT_MM,
    Units,
    configured_px_per_mm,
)

FONT_FILE = "assets/fonts/NotoSans-Regular.ttf"


def test_reference_screen_sizes():
    u = Units()
    assert u.px_per_mm == 4.0
    assert u.target == 64
    assert u.gap == 10


def test_body_capital_height_is_at_least_4_8_mm_on_any_screen():
    for ppm in (3.0, 4.0, 5.7):
        u = Units(ppm)
        assert u.cap_height_mm("body", 1.0) >= MIN_CAP_HEIGHT_MM
        assert u.cap_height_mm("small", 1.0) >= MIN_CAP_HEIGHT_MM
        assert u.cap_height_mm("body", 2.0) >= 2 * MIN_CAP_HEIGHT_MM


def test_cap_height_ratio_is_the_bundled_fonts_own():
    import struct
    from pathlib import Path

    data = (Path(__file__).resolve().parent.parent / FONT_FILE).read_bytes()
    tables = {}
    for i in range(struct.unpack(">H", data[4:6])[0]):
        tag, _cs, off, _ln = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
        tables[tag] = off
    units_per_em = struct.unpack(">H", data[tables[b"head"] + 18:tables[b"head"] + 20])[0]
    os2 = tables[b"OS/2"]
    cap = struct.unpack(">h", data[os2 + 88:os2 + 90])[0]
    assert abs(cap / units_per_em - CAP_HEIGHT_RATIO) < 0.001


def test_px_per_mm_from_environment_then_config(monkeypatch):
    monkeypatch.delenv("KIOSK_PX_PER_MM", raising=False)
    assert configured_px_per_mm(None) == 4.0
    assert configured_px_per_mm({"px_per_mm": 5.2}) == 5.2
    assert configured_px_per_mm({"px_per_mm": "nonsense"}) == 4.0
    assert configured_px_per_mm({"px_per_mm": 0}) == 4.0
    monkeypatch.setenv("KIOSK_PX_PER_MM", "3.5")
    assert configured_px_per_mm({"px_per_mm": 5.2}) == 3.5
