"""Draws the demo catalogue's pictures: one calm, flat illustration per product, per category and
for a few news items, with no text inside (text in a picture can not be read aloud or enlarged).

Reads assets/demo/catalogue.json, draws each picture, saves it as
assets/demo/media/<sha256>.png, and writes the hash and a matching alt text (Arabic and English)
back into the catalogue. Media files no record points at are removed. Deterministic: the same
catalogue gives byte-identical files on every run.

Run from the repository root:  .venv/bin/python scripts/make_demo_images.py
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo"
W, H = 320, 240
INK = (58, 46, 40)  # outlines: dark brown, softer than black

# Background colours, each with its name as the alt text says it (Arabic in the feminine, to
# agree with خلفية).
BACKGROUNDS = [
    ((222, 236, 246), "light blue", "زرقاء فاتحة"),
    ((226, 240, 222), "light green", "خضراء فاتحة"),
    ((246, 234, 214), "sand", "رملية"),
    ((248, 226, 226), "light pink", "وردية فاتحة"),
    ((250, 244, 210), "pale yellow", "صفراء فاتحة"),
    ((232, 230, 240), "pale lilac", "بنفسجية فاتحة"),
    ((236, 236, 232), "light grey", "رمادية فاتحة"),
]
ACCENTS = [(196, 86, 62), (46, 110, 150), (64, 130, 90), (170, 120, 40), (120, 80, 140),
           (40, 130, 130), (180, 70, 100)]

Draw = ImageDraw.ImageDraw
Painter = Callable[[Draw, random.Random, tuple], None]


def shade(c: tuple, f: float) -> tuple:
    """A darker (f < 1) or lighter (f > 1) version of a colour."""
    if f <= 1:
        return tuple(int(v * f) for v in c)
    return tuple(int(v + (255 - v) * (f - 1)) for v in c)


def ground(d: Draw, bg: tuple, cx: int = 160, y: int = 205, w: int = 120) -> None:
    d.ellipse((cx - w, y - 12, cx + w, y + 12), fill=shade(bg, 0.88))


def ellipse(d: Draw, cx: float, cy: float, rx: float, ry: float, fill, width: int = 3) -> None:
    d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=fill, outline=INK, width=width)


def bowl(d: Draw, cx: int, top: int, w: int, h: int, colour: tuple) -> None:
    """A bowl seen from the side: the lower half of an ellipse, with a rim."""
    d.chord((cx - w, top - h, cx + w, top + h), 0, 180, fill=colour, outline=INK, width=3)
    d.line((cx - w, top, cx + w, top), fill=INK, width=3)
    d.rectangle((cx - w // 3, top + h - 2, cx + w // 3, top + h + 8), fill=shade(colour, 0.8),
                outline=INK, width=3)


def heap(d: Draw, rnd: random.Random, cx: int, base: int, w: int, rows: int, colours, r=(14, 9)):
    """A heap of small ovals (dates, resin tears, beans, limes), widest row at the bottom."""
    for row in range(rows):
        n = max(1, int((w * 2 / (r[0] * 1.6)) * (1 - row / (rows + 1))))
        span = (n - 1) * r[0] * 1.6
        for i in range(n):
            x = cx - span / 2 + i * r[0] * 1.6 + rnd.uniform(-3, 3)
            y = base - row * r[1] * 1.5 + rnd.uniform(-2, 2)
            ellipse(d, x, y, r[0], r[1], rnd.choice(colours), width=2)


def jar(d: Draw, cx: int, bottom: int, w: int, h: int, fill: tuple, lid: tuple) -> None:
    d.rounded_rectangle((cx - w, bottom - h, cx + w, bottom), radius=18, fill=fill, outline=INK,
                        width=3)
    d.rectangle((cx - w + 6, bottom - h - 22, cx + w - 6, bottom - h + 2), fill=lid, outline=INK,
                width=3)
    d.rounded_rectangle((cx - w + 14, bottom - h + 26, cx - w + 24, bottom - 20), radius=5,
                        fill=shade(fill, 1.35))


def bottle(d: Draw, cx: int, bottom: int, w: int, h: int, fill: tuple, cap: tuple,
           neck: int = 12) -> None:
    d.rounded_rectangle((cx - w, bottom - h, cx + w, bottom), radius=w // 2, fill=fill,
                        outline=INK, width=3)
    d.rectangle((cx - neck, bottom - h - 26, cx + neck, bottom - h + 4), fill=fill, outline=INK,
                width=3)
    d.rounded_rectangle((cx - neck - 4, bottom - h - 46, cx + neck + 4, bottom - h - 24), radius=5,
                        fill=cap, outline=INK, width=3)
    d.rounded_rectangle((cx - w + 10, bottom - h + 18, cx - w + 20, bottom - 16), radius=5,
                        fill=shade(fill, 1.4))


# ---------------------------------------------------------------------------------------------
# Painters: one per kind of picture. Each draws on a 320x240 canvas whose background is painted.

DATE_BROWNS = [(92, 46, 26), (110, 56, 30), (128, 66, 34), (80, 40, 24)]


def p_dates(d, rnd, pal):
    ground(d, pal["bg"])
    heap(d, rnd, 160, 140, 100, 4, pal.get("fruit", DATE_BROWNS), (16, 10))
    bowl(d, 160, 150, 120, 50, pal["accent"])


def p_palm(d, rnd, pal):
    ground(d, pal["bg"], w=90)
    d.polygon([(150, 205), (170, 205), (166, 90), (156, 90)], fill=(140, 100, 60), outline=INK,
              width=3)
    for y in range(110, 200, 16):
        d.line((152, y, 168, y - 4), fill=INK, width=2)
    for a in range(0, 360, 40):
        ang = math.radians(a + rnd.uniform(-8, 8))
        x, y = 161 + 105 * math.cos(ang), 88 + 55 * math.sin(ang) - 10
        d.polygon([(161, 84), (x, y), (161 + 34 * math.cos(ang + 0.45), 88 + 20 * math.sin(ang + 0.45))],
                  fill=(60, 140, 70), outline=INK, width=2)
    for cx in (138, 184):
        for i in range(7):
            ellipse(d, cx + rnd.uniform(-10, 10), 108 + i * 5, 6, 8, (200, 120, 40), width=2)


def p_syrup(d, rnd, pal):
    ground(d, pal["bg"])
    jar(d, 140, 200, 50, 110, (80, 36, 20), pal["accent"])
    for i in range(3):
        ellipse(d, 225 + i * 22, 192 - (i % 2) * 8, 14, 9, rnd.choice(DATE_BROWNS), width=2)


def p_limes(d, rnd, pal):
    ground(d, pal["bg"])
    heap(d, rnd, 160, 190, 110, 4, [(110, 90, 40), (90, 74, 36), (130, 104, 50)], (18, 16))


def p_salt(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    d.pieslice((50, 110, 270, 300), 180, 360, fill=(250, 250, 250), outline=INK, width=3)
    for _ in range(40):
        x, y = rnd.uniform(80, 240), rnd.uniform(150, 198)
        d.point((x, y), fill=(180, 190, 200))
    d.ellipse((210, 150, 290, 196), fill=(176, 124, 70), outline=INK, width=3)
    d.line((270, 160, 312, 110), fill=(140, 96, 52), width=10)


def p_bars(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    for i in range(4):
        x0, y0 = 50 + i * 12, 175 - i * 28
        d.rounded_rectangle((x0, y0, x0 + 200, y0 + 26), radius=10, fill=rnd.choice(DATE_BROWNS),
                            outline=INK, width=3)
        for _ in range(14):
            x, y = rnd.uniform(x0 + 10, x0 + 190), rnd.uniform(y0 + 6, y0 + 20)
            d.ellipse((x - 2, y - 1, x + 2, y + 1), fill=(246, 230, 190))


def p_resin(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    tears = pal.get("fruit", [(236, 226, 170), (224, 214, 150), (212, 220, 170), (240, 232, 196)])
    heap(d, rnd, 160, 188, 120, 4, tears, (15, 11))


def smoke(d, rnd, x, top):
    for i in range(3):
        xo = x - 16 + i * 16
        for j in range(3):
            y = top - j * 26
            d.arc((xo - 10, y - 26, xo + 10, y), 90 if j % 2 else 270, 270 if j % 2 else 90,
                  fill=(150, 150, 160), width=3)


def p_burner(d, rnd, pal):
    ground(d, pal["bg"], w=90)
    a = pal["accent"]
    d.polygon([(110, 205), (210, 205), (195, 150), (125, 150)], fill=a, outline=INK, width=3)
    for x in (140, 160, 180):
        d.polygon([(x - 7, 195), (x + 7, 195), (x, 170)], fill=shade(a, 0.6))
    d.rectangle((118, 138, 202, 152), fill=shade(a, 1.3), outline=INK, width=3)
    d.chord((118, 110, 202, 150), 180, 360, fill=shade(a, 0.8), outline=INK, width=3)
    ellipse(d, 150, 118, 10, 7, (236, 226, 170), width=2)
    ellipse(d, 172, 120, 8, 6, (200, 60, 40), width=2)
    smoke(d, rnd, 160, 100)


def p_perfume(d, rnd, pal):
    ground(d, pal["bg"], w=100)
    glass = shade(pal["accent"], 1.25)
    d.polygon([(110, 200), (210, 200), (230, 140), (160, 90), (90, 140)], fill=glass, outline=INK,
              width=3)
    d.rectangle((148, 60, 172, 92), fill=glass, outline=INK, width=3)
    ellipse(d, 160, 48, 20, 16, (214, 170, 60))
    d.polygon([(120, 150), (140, 130), (140, 180)], fill=shade(glass, 1.4))


def p_dropper(d, rnd, pal):
    ground(d, pal["bg"], w=80)
    bottle(d, 150, 205, 40, 90, (176, 98, 30), (40, 40, 40), neck=14)
    d.polygon([(232, 120), (220, 146), (244, 146)], fill=(226, 190, 90))
    ellipse(d, 232, 150, 12, 12, (226, 190, 90), width=2)


def rose(d, cx, cy, r, colour):
    ellipse(d, cx, cy, r, r, colour)
    ellipse(d, cx, cy, r * 0.6, r * 0.6, shade(colour, 0.85), width=2)
    ellipse(d, cx, cy, r * 0.25, r * 0.25, shade(colour, 0.7), width=2)


def p_rose_bottle(d, rnd, pal):
    ground(d, pal["bg"])
    bottle(d, 130, 205, 42, 100, (236, 200, 210), (200, 160, 80))
    for cx, cy in ((220, 170), (250, 190), (205, 195)):
        d.line((cx, cy, cx + 10, cy + 30), fill=(60, 120, 60), width=4)
        rose(d, cx, cy, 20, (220, 90, 120))


def p_soap(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    colours = pal.get("fruit", [(240, 226, 190), (230, 210, 160)])
    d.rounded_rectangle((60, 150, 180, 200), radius=16, fill=colours[0], outline=INK, width=3)
    d.rounded_rectangle((150, 130, 270, 180), radius=16, fill=colours[-1], outline=INK, width=3)
    for _ in range(6):
        x, y, r = rnd.uniform(70, 260), rnd.uniform(50, 115), rnd.uniform(8, 18)
        d.ellipse((x - r, y - r, x + r, y + r), outline=(120, 150, 190), width=3)


def p_cream(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    d.rounded_rectangle((80, 140, 240, 205), radius=14, fill=(250, 246, 236), outline=INK, width=3)
    d.rounded_rectangle((74, 112, 246, 142), radius=10, fill=pal["accent"], outline=INK, width=3)
    rose(d, 160, 172, 14, shade(pal["accent"], 1.3))


def p_henna(d, rnd, pal):
    ground(d, pal["bg"])
    d.chord((60, 110, 260, 170), 180, 360, fill=(110, 140, 60), outline=INK, width=3)
    bowl(d, 160, 140, 100, 55, pal["accent"])
    for x, y in ((262, 200), (290, 190), (40, 198)):
        ellipse(d, x, y, 20, 8, (70, 140, 70), width=2)
        d.line((x - 16, y, x + 16, y), fill=(40, 100, 50), width=2)


def p_khanjar(d, rnd, pal):
    silver, dark = (204, 208, 214), (150, 154, 160)
    ground(d, pal["bg"], w=110)
    # the belt behind, then the sheath: straight down from the hilt, curving round and up
    d.rounded_rectangle((30, 92, 290, 116), radius=8, fill=pal["accent"], outline=INK, width=3)
    for x in range(44, 280, 18):
        d.rectangle((x, 100, x + 8, 108), fill=shade(pal["accent"], 0.6))
    centre = [(150, 84 + i * 10) for i in range(7)]
    centre += [(190 + 40 * math.cos(math.radians(a)), 144 + 40 * math.sin(math.radians(a)))
               for a in range(170, -1, -10)]
    centre.append((230, 122))
    left, right = [], []
    for i, (x, y) in enumerate(centre):
        nx, ny = centre[min(i + 1, len(centre) - 1)]
        px, py = centre[max(i - 1, 0)]
        dx, dy = nx - px, ny - py
        n = math.hypot(dx, dy) or 1
        w = 22 - 15 * i / (len(centre) - 1)
        left.append((x - dy / n * w, y + dx / n * w))
        right.append((x + dy / n * w, y - dx / n * w))
    d.polygon(left + right[::-1], fill=silver, outline=INK, width=3)
    for i in (2, 5, 9, 14):
        d.line((left[i], right[i]), fill=dark, width=4)
    for _ in range(14):
        i = rnd.randrange(1, len(centre) - 2)
        x, y = centre[i]
        d.ellipse((x - 2, y - 2, x + 2, y + 2), fill=dark)
    # the hilt: a grip and the wide flat top
    d.rectangle((140, 50, 160, 84), fill=shade(pal["accent"], 0.8), outline=INK, width=3)
    ellipse(d, 150, 44, 34, 10, shade(pal["accent"], 0.8))
    d.rectangle((132, 76, 168, 86), fill=silver, outline=INK, width=3)


def p_bracelets(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    for cx, cy in ((120, 130), (200, 140)):
        d.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), outline=INK, width=16)
        d.ellipse((cx - 58, cy - 58, cx + 58, cy + 58), outline=(206, 210, 216), width=12)
        for k in range(12):
            a = k * math.pi / 6
            x, y = cx + 58 * math.cos(a), cy + 58 * math.sin(a)
            d.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(140, 144, 150))


def p_silver_box(d, rnd, pal):
    ground(d, pal["bg"], w=100)
    silver = (204, 208, 214)
    d.rounded_rectangle((100, 130, 220, 200), radius=8, fill=silver, outline=INK, width=3)
    d.chord((100, 90, 220, 170), 180, 360, fill=shade(silver, 1.1), outline=INK, width=3)
    ellipse(d, 160, 88, 10, 10, pal["accent"])
    for x in range(112, 214, 14):
        d.ellipse((x - 3, 163, x + 3, 169), fill=(140, 144, 150))


def p_clay_jar(d, rnd, pal):
    clay = pal.get("clay", (184, 100, 60))
    ground(d, pal["bg"], w=100)
    ellipse(d, 160, 145, 70, 62, clay)
    d.rectangle((136, 62, 184, 92), fill=clay, outline=INK, width=3)
    d.rectangle((128, 52, 192, 64), fill=shade(clay, 0.85), outline=INK, width=3)
    for y in (130, 150):
        d.line((100, y, 220, y), fill=shade(clay, 0.6), width=3)
    for x in range(108, 214, 16):
        d.polygon([(x, 150), (x + 8, 164), (x + 16, 150)], fill=shade(clay, 0.7))


def p_basket(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    a, b = (214, 180, 110), pal["accent"]
    top, bot = 100, 205
    d.polygon([(50, top), (270, top), (245, bot), (75, bot)], fill=a, outline=INK, width=3)
    for i, y in enumerate(range(top + 10, bot, 16)):
        if i % 2:
            d.line((54 + (y - top) * 0.24, y, 266 - (y - top) * 0.24, y), fill=b, width=8)
    d.arc((90, 30, 230, 170), 180, 360, fill=INK, width=6)


def p_axe(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    d.line((70, 210, 240, 40), fill=INK, width=14)
    d.line((70, 210, 240, 40), fill=(150, 104, 60), width=8)
    d.polygon([(226, 40), (262, 20), (276, 64), (246, 66)], fill=(190, 194, 200), outline=INK,
              width=3)
    for t in (0.2, 0.35, 0.5):
        x, y = 70 + 170 * t, 210 - 170 * t
        d.ellipse((x - 6, y - 6, x + 6, y + 6), fill=pal["accent"], outline=INK, width=2)


def p_chest(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    wood = (120, 70, 40)
    d.rectangle((60, 110, 260, 200), fill=wood, outline=INK, width=3)
    d.chord((60, 70, 260, 150), 180, 360, fill=shade(wood, 1.15), outline=INK, width=3)
    for y in (126, 150, 174):
        for x in range(72, 254, 12):
            d.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(214, 170, 60))
    d.rectangle((150, 118, 170, 142), fill=(214, 170, 60), outline=INK, width=2)


def p_cap(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    base = pal.get("cloth", (250, 250, 246))
    d.chord((50, 60, 270, 240), 180, 360, fill=base, outline=INK, width=3)
    d.rectangle((50, 150, 270, 166), fill=base, outline=INK, width=3)
    for ring, r in enumerate((96, 74, 52, 30)):
        for k in range(int(r / 5)):
            a = math.pi + k * math.pi / (r / 5 - 1)
            x, y = 160 + r * math.cos(a), 150 + r * 0.82 * math.sin(a)
            col = pal["accent"] if ring % 2 == 0 else shade(pal["accent"], 0.6)
            d.ellipse((x - 3, y - 3, x + 3, y + 3), fill=col)


def p_robe(d, rnd, pal):
    ground(d, pal["bg"], w=80)
    cloth = pal.get("cloth", (250, 250, 248))
    d.polygon([(130, 40), (190, 40), (250, 80), (232, 104), (206, 88), (214, 214), (106, 214),
               (114, 88), (88, 104), (70, 80)], fill=cloth, outline=INK, width=3)
    d.polygon([(148, 40), (172, 40), (160, 60)], fill=shade(pal["bg"], 0.9), outline=INK, width=2)
    d.line((160, 60, 160, 110), fill=INK, width=2)
    ellipse(d, 160, 118, 6, 8, pal["accent"], width=2)
    d.line((160, 126, 160, 150), fill=pal["accent"], width=3)


def p_textile(d, rnd, pal):
    a = pal["accent"]
    colours = [a, shade(a, 0.6), (236, 220, 180), (60, 60, 70)]
    d.rectangle((30, 30, 290, 210), fill=colours[2], outline=INK, width=3)
    for i, y in enumerate(range(40, 200, 40)):
        c = colours[i % 2]
        d.rectangle((34, y, 286, y + 10), fill=c)
        for x in range(40, 286, 30):
            d.polygon([(x, y + 26), (x + 14, y + 14), (x + 28, y + 26), (x + 14, y + 38)],
                      fill=colours[(i + 1) % 2 if i % 3 else 3])
    for x in range(36, 290, 8):
        d.line((x, 210, x, 222), fill=INK, width=2)


def p_fish(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    body = pal.get("fish", (120, 150, 170))
    cx = 150
    d.polygon([(cx + 90, 120), (cx + 140, 80), (cx + 130, 120), (cx + 140, 160)], fill=shade(body, 0.8),
              outline=INK, width=3)
    ellipse(d, cx, 120, 100, 48, body)
    d.chord((cx - 100, 72, cx + 100, 168), 0, 180, fill=shade(body, 1.35), outline=INK, width=3)
    ellipse(d, cx - 62, 108, 9, 9, (250, 250, 250), width=2)
    d.ellipse((cx - 65, 105, cx - 59, 111), fill=INK)
    d.arc((cx - 50, 90, cx - 20, 150), 300, 60, fill=INK, width=3)
    for x in range(cx - 5, cx + 80, 20):
        d.arc((x - 10, 100, x + 10, 124), 300, 60, fill=shade(body, 0.6), width=2)


def p_steaks(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    ellipse(d, 160, 160, 130, 50, (240, 240, 240))
    for cx in (110, 170, 225):
        ellipse(d, cx, 150 + rnd.uniform(-6, 6), 32, 26, (236, 170, 150))
        ellipse(d, cx, 150, 6, 5, (250, 230, 220), width=2)


def p_dried_fish(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    d.rectangle((30, 60, 290, 200), fill=(200, 170, 120), outline=INK, width=3)
    for y in range(80, 200, 26):
        for x in range(44, 280, 44):
            ellipse(d, x + 12, y, 18, 7, (176, 180, 186), width=2)
            d.polygon([(x + 28, y), (x + 38, y - 7), (x + 38, y + 7)], fill=(150, 154, 160))


def p_can(d, rnd, pal):
    ground(d, pal["bg"], w=100)
    metal = (190, 194, 200)
    d.rectangle((90, 80, 230, 190), fill=pal["accent"], outline=INK, width=3)
    ellipse(d, 160, 190, 70, 16, metal)
    d.rectangle((92, 176, 228, 190), fill=metal)
    ellipse(d, 160, 80, 70, 16, metal)
    ellipse(d, 160, 80, 58, 11, shade(metal, 1.2), width=2)
    ellipse(d, 150, 135, 40, 18, (240, 240, 240))
    d.polygon([(186, 135), (206, 120), (206, 150)], fill=(240, 240, 240), outline=INK, width=2)


def p_shell(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    ellipse(d, 160, 130, 110, 70, (176, 130, 120))
    ellipse(d, 170, 134, 80, 48, (200, 210, 220))
    for k in range(6):
        x = 80 + k * 16
        d.ellipse((x - 6, 90 + k * 3, x + 6, 102 + k * 3), fill=INK)
    for r in (40, 26, 12):
        d.arc((190 - r, 134 - r, 190 + r, 134 + r), 0, 300, fill=(150, 170, 190), width=3)


def p_honey(d, rnd, pal):
    ground(d, pal["bg"])
    fill = pal.get("honey", (220, 150, 30))
    jar(d, 140, 205, 56, 110, fill, pal["accent"])
    d.polygon([(90, 95), (110, 95), (104, 120)], fill=fill, outline=INK, width=2)
    d.line((220, 80, 250, 200), fill=(150, 104, 60), width=8)
    for k in range(4):
        ellipse(d, 250 - k * 2, 190 - k * 10, 14, 5, (150, 104, 60), width=2)


def p_milk(d, rnd, pal):
    ground(d, pal["bg"])
    bottle(d, 130, 205, 46, 110, (250, 250, 246), pal["accent"], neck=18)
    d.rectangle((86, 140, 174, 176), fill=pal["accent"])
    d.polygon([(230, 205), (290, 205), (282, 140), (238, 140)], fill=(250, 250, 246), outline=INK,
              width=3)


def p_cheese(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    ellipse(d, 160, 170, 120, 36, shade(pal["accent"], 1.4))
    d.rectangle((70, 120, 250, 168), fill=(250, 246, 226))
    ellipse(d, 160, 170, 90, 24, (250, 246, 226))
    d.rectangle((70, 130, 250, 170), fill=(250, 246, 226))
    d.line((70, 120, 70, 170), fill=INK, width=3)
    d.line((250, 120, 250, 170), fill=INK, width=3)
    d.arc((70, 146, 250, 194), 0, 180, fill=INK, width=3)
    ellipse(d, 160, 120, 90, 22, (255, 252, 236))
    d.pieslice((70, 98, 250, 142), 300, 350, fill=pal["bg"], outline=INK, width=2)


def p_halwa(d, rnd, pal):
    ground(d, pal["bg"])
    d.chord((70, 100, 250, 180), 180, 360, fill=pal.get("halwa", (120, 50, 30)), outline=INK,
            width=3)
    d.arc((110, 110, 150, 130), 200, 330, fill=(200, 140, 110), width=4)
    for _ in range(7):
        x, y = rnd.uniform(100, 220), rnd.uniform(120, 136)
        ellipse(d, x, y, 7, 4, (236, 220, 170), width=2)
    bowl(d, 160, 140, 100, 52, pal["accent"])
    d.line((232, 134, 290, 80), fill=(200, 170, 110), width=8)


def p_dallah(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    metal = pal.get("metal", (214, 176, 80))
    d.polygon([(90, 200), (170, 200), (158, 130), (102, 130)], fill=metal, outline=INK, width=3)
    d.polygon([(106, 130), (154, 130), (146, 96), (114, 96)], fill=shade(metal, 0.9), outline=INK,
              width=3)
    d.polygon([(112, 96), (148, 96), (130, 60)], fill=metal, outline=INK, width=3)
    d.line((160, 150, 200, 100), fill=INK, width=9)
    d.line((160, 150, 200, 100), fill=metal, width=5)
    d.arc((70, 120, 112, 180), 90, 270, fill=INK, width=6)
    for x in (220, 262):
        d.polygon([(x - 18, 170), (x + 18, 170), (x + 12, 200), (x - 12, 200)],
                  fill=(250, 250, 246), outline=INK, width=3)
        d.line((x - 14, 178, x + 14, 178), fill=pal["accent"], width=3)


def p_beans(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    heap(d, rnd, 160, 192, 120, 5, [(90, 54, 30), (110, 66, 36), (74, 44, 26)], (12, 9))


def p_water(d, rnd, pal):
    ground(d, pal["bg"], w=110)
    for cx, h in ((120, 130), (200, 110)):
        bottle(d, cx, 205, 32, h, (190, 224, 240), pal["accent"], neck=10)
        d.rectangle((cx - 30, 205 - h // 2, cx + 30, 205 - h // 2 + 20), fill=pal["accent"])


def p_juice(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    juice = pal.get("juice", (244, 180, 40))
    d.polygon([(100, 70), (180, 70), (170, 205), (110, 205)], fill=(236, 244, 248), outline=INK,
              width=3)
    d.polygon([(104, 100), (176, 100), (170, 200), (110, 200)], fill=juice)
    ellipse(d, 232, 180, 36, 26, pal.get("fruit2", (120, 170, 60)))
    ellipse(d, 232, 180, 20, 14, shade(pal.get("fruit2", (120, 170, 60)), 1.4), width=2)


def p_blocks(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    grey = pal.get("stone", (176, 176, 172))
    for row in range(3):
        for col in range(3 - row):
            x = 60 + col * 70 + row * 35
            y = 160 - row * 44
            d.rectangle((x, y, x + 68, y + 42), fill=shade(grey, 1 - 0.05 * col), outline=INK,
                        width=3)
            if pal.get("holes", True):
                for hx in (x + 10, x + 38):
                    d.rectangle((hx, y + 10, hx + 20, y + 30), fill=shade(grey, 0.7))


def p_tiles(d, rnd, pal):
    stone = pal.get("stone", (240, 238, 232))
    for r in range(3):
        for c in range(4):
            x, y = 28 + c * 68, 20 + r * 68
            d.rectangle((x, y, x + 64, y + 64), fill=stone, outline=INK, width=3)
            px, py = x + rnd.uniform(4, 20), y + 4
            for _ in range(4):
                nx, ny = px + rnd.uniform(5, 18), py + rnd.uniform(8, 16)
                if nx < x + 62 and ny < y + 62:
                    d.line((px, py, nx, ny), fill=(150, 150, 156), width=2)
                px, py = nx, ny


def p_cement(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    d.rounded_rectangle((70, 60, 220, 205), radius=22, fill=(226, 220, 200), outline=INK, width=3)
    d.rectangle((70, 110, 220, 150), fill=pal["accent"])
    d.line((70, 110, 220, 110), fill=INK, width=3)
    d.line((70, 150, 220, 150), fill=INK, width=3)
    d.pieslice((200, 170, 300, 240), 180, 360, fill=(170, 170, 166), outline=INK, width=3)


def p_rebar(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    for i in range(6):
        y = 80 + i * 18
        d.line((30, y + 30, 290, y), fill=INK, width=14)
        d.line((30, y + 30, 290, y), fill=(130, 90, 70), width=8)
        for k in range(12):
            x = 40 + k * 22
            yy = y + 30 - (x - 30) * 30 / 260
            d.line((x, yy - 5, x + 4, yy + 5), fill=INK, width=2)
    d.line((150, 60, 160, 200), fill=pal["accent"], width=6)


def gear(d, cx, cy, r, colour, teeth=10):
    pts = []
    for k in range(teeth * 2):
        a = k * math.pi / teeth
        rr = r if k % 2 == 0 else r * 0.8
        pts += [(cx + rr * math.cos(a - 0.12), cy + rr * math.sin(a - 0.12)),
                (cx + rr * math.cos(a + 0.12), cy + rr * math.sin(a + 0.12))]
    d.polygon(pts, fill=colour, outline=INK, width=3)
    ellipse(d, cx, cy, r * 0.3, r * 0.3, shade(colour, 1.5))


def p_factory(d, rnd, pal):
    ground(d, pal["bg"], w=150)
    wall = (190, 190, 200)
    d.polygon([(40, 205), (40, 120), (90, 90), (90, 120), (140, 90), (140, 120), (190, 90),
               (190, 205)], fill=wall, outline=INK, width=3)
    d.rectangle((200, 50, 224, 205), fill=shade(wall, 0.8), outline=INK, width=3)
    for x in (56, 104, 152):
        d.rectangle((x, 150, x + 24, 176), fill=(250, 220, 120), outline=INK, width=2)
    smoke(d, rnd, 212, 46)
    gear(d, 262, 160, 34, pal["accent"])


def p_gear(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    gear(d, 130, 120, 70, pal["accent"], 12)
    gear(d, 228, 160, 42, (180, 184, 190), 8)


def p_pipes(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    colour = pal.get("pipe", (90, 130, 190))
    for row in range(3):
        for col in range(4 - row):
            cx = 80 + col * 54 + row * 27
            cy = 180 - row * 46
            ellipse(d, cx, cy, 26, 26, colour)
            ellipse(d, cx, cy, 17, 17, shade(pal["bg"], 0.85), width=2)


def p_tank(d, rnd, pal):
    ground(d, pal["bg"], w=110)
    c = pal.get("tank", (70, 110, 170))
    d.rectangle((90, 70, 230, 195), fill=c, outline=INK, width=3)
    ellipse(d, 160, 195, 70, 14, c)
    d.rectangle((92, 180, 228, 195), fill=c)
    ellipse(d, 160, 70, 70, 14, shade(c, 1.3))
    ellipse(d, 160, 62, 18, 6, shade(c, 0.8), width=2)
    for y in (100, 130, 160):
        d.line((92, y, 228, y), fill=shade(c, 0.7), width=4)


def p_pump(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    body = pal["accent"]
    d.rounded_rectangle((60, 110, 190, 190), radius=20, fill=body, outline=INK, width=3)
    for x in range(76, 180, 14):
        d.line((x, 118, x, 182), fill=shade(body, 0.7), width=3)
    ellipse(d, 222, 150, 36, 40, (190, 194, 200))
    d.rectangle((212, 60, 232, 112), fill=(190, 194, 200), outline=INK, width=3)
    d.rectangle((256, 140, 300, 160), fill=(190, 194, 200), outline=INK, width=3)
    d.rectangle((70, 190, 220, 204), fill=(90, 90, 96), outline=INK, width=2)


def p_cable(d, rnd, pal):
    ground(d, pal["bg"], w=120)
    c = pal.get("cable", (200, 60, 50))
    for r in range(80, 20, -12):
        d.ellipse((160 - r, 124 - r * 0.9, 160 + r, 124 + r * 0.9), outline=INK, width=10)
        d.ellipse((160 - r, 124 - r * 0.9, 160 + r, 124 + r * 0.9), outline=c, width=6)
    d.line((240, 124, 300, 210), fill=INK, width=10)
    d.line((240, 124, 300, 210), fill=c, width=6)
    d.line((300, 210, 312, 226), fill=(200, 130, 60), width=4)


def p_window(d, rnd, pal):
    ground(d, pal["bg"], w=110)
    al = (196, 200, 206)
    d.rectangle((80, 30, 240, 205), fill=al, outline=INK, width=3)
    for box in ((94, 44, 156, 190), (164, 44, 226, 190)):
        d.rectangle(box, fill=(200, 228, 244), outline=INK, width=3)
        d.line((box[0] + 10, box[3] - 30, box[0] + 40, box[1] + 20), fill=(250, 252, 255), width=4)
    d.rectangle((150, 100, 170, 130), fill=pal["accent"], outline=INK, width=2)


def p_solar(d, rnd, pal):
    ground(d, pal["bg"], w=140)
    d.polygon([(40, 150), (220, 150), (280, 60), (100, 60)], fill=(40, 70, 130), outline=INK,
              width=3)
    for k in range(1, 4):
        t = k / 4
        d.line((40 + 60 * t, 150 - 90 * t, 220 + 60 * t, 150 - 90 * t), fill=(150, 180, 220),
               width=2)
    for k in range(1, 6):
        x = 40 + 180 * k / 6
        d.line((x, 150, x + 60, 60), fill=(150, 180, 220), width=2)
    for x in (80, 200):
        d.rectangle((x, 150, x + 10, 205), fill=(190, 194, 200), outline=INK, width=2)
    ellipse(d, 40, 40, 22, 22, (250, 200, 60))


def p_boxes(d, rnd, pal):
    ground(d, pal["bg"], w=130)
    for i in range(4):
        y = 180 - i * 34
        d.rounded_rectangle((80 + i * 4, y, 240 - i * 4, y + 30), radius=6,
                            fill=(236, 240, 244), outline=INK, width=3)
        d.rectangle((76 + i * 4, y - 4, 244 - i * 4, y + 6), fill=pal["accent"], outline=INK,
                    width=2)


# ---------------------------------------------------------------------------------------------
# Kinds: painter, what the picture shows (English, Arabic), and fixed colours if any.

KINDS: dict[str, tuple[Painter, str, str, dict]] = {
    "dates": (p_dates, "a bowl of dark dates", "طبق من التمر الداكن", {}),
    "golden_dates": (p_dates, "a bowl of golden-brown dates", "طبق من التمر الذهبي البني",
                     {"fruit": [(176, 110, 40), (160, 96, 36), (190, 124, 52)]}),
    "red_dates": (p_dates, "a bowl of red-brown dates", "طبق من التمر الأحمر البني",
                  {"fruit": [(150, 60, 40), (130, 50, 34), (166, 72, 46)]}),
    "stuffed_dates": (p_dates, "a bowl of dates filled with almonds", "طبق من التمر المحشو باللوز",
                      {"fruit": [(110, 56, 30), (240, 226, 190)]}),
    "palm": (p_palm, "a date palm with clusters of dates", "نخلة تتدلى منها عذوق التمر", {}),
    "syrup": (p_syrup, "a jar of dark date syrup beside a few dates",
              "برطمان من دبس التمر الداكن وبجانبه بضع تمرات", {}),
    "limes": (p_limes, "a heap of dried limes", "كومة من الليمون المجفف", {}),
    "salt": (p_salt, "a white heap of sea salt with a wooden scoop",
             "كومة بيضاء من الملح البحري ومغرفة خشبية", {}),
    "bars": (p_bars, "date bars sprinkled with sesame", "أصابع من التمر مرشوشة بالسمسم", {}),
    "resin": (p_resin, "a heap of pale frankincense tears", "كومة من حبات اللبان الفاتحة", {}),
    "golden_resin": (p_resin, "a heap of golden frankincense tears", "كومة من حبات اللبان الذهبية",
                     {"fruit": [(226, 180, 80), (210, 160, 60), (236, 196, 110)]}),
    "bakhoor": (p_resin, "a heap of dark incense chips", "كومة من رقائق البخور الداكنة",
                {"fruit": [(70, 40, 30), (90, 50, 34), (60, 34, 28)]}),
    "burner": (p_burner, "an incense burner with smoke rising", "مبخرة يتصاعد منها الدخان", {}),
    "perfume": (p_perfume, "a perfume bottle with a gold cap", "قارورة عطر بغطاء ذهبي", {}),
    "dropper": (p_dropper, "a small amber bottle of oil and a drop",
                "قارورة زيت صغيرة بلون الكهرمان وقطرة", {}),
    "rose_bottle": (p_rose_bottle, "a bottle of rose water with pink roses",
                    "قارورة ماء ورد ووردات وردية", {}),
    "soap": (p_soap, "two bars of soap with bubbles", "قطعتا صابون وفقاعات", {}),
    "green_soap": (p_soap, "two bars of green soap with bubbles", "قطعتا صابون أخضر وفقاعات",
                   {"fruit": [(170, 200, 140), (140, 180, 110)]}),
    "cream": (p_cream, "a jar of cream with a coloured lid", "علبة كريم بغطاء ملوّن", {}),
    "henna": (p_henna, "a bowl of green henna powder and leaves",
              "وعاء فيه مسحوق الحناء الأخضر وأوراق", {}),
    "khanjar": (p_khanjar, "a silver Omani khanjar", "خنجر عماني من الفضة", {}),
    "bracelets": (p_bracelets, "two silver bracelets", "سواران من الفضة", {}),
    "silver_box": (p_silver_box, "a small decorated silver box", "علبة فضية صغيرة مزخرفة", {}),
    "clay_jar": (p_clay_jar, "a clay water jar", "جرة ماء من الفخار", {}),
    "clay_burner": (p_burner, "a clay incense burner with smoke rising",
                    "مبخرة من الفخار يتصاعد منها الدخان", {"accent": (184, 100, 60)}),
    "basket": (p_basket, "a woven palm-frond basket", "سلة منسوجة من سعف النخيل", {}),
    "axe": (p_axe, "a walking stick with a small axe head", "عصا مشي برأس فأس صغير", {}),
    "chest": (p_chest, "a wooden chest decorated with brass nails",
              "صندوق خشبي مزيّن بمسامير نحاسية", {}),
    "cap": (p_cap, "an embroidered Omani cap", "كمة عمانية مطرزة", {}),
    "robe": (p_robe, "a long white Omani robe", "دشداشة عمانية بيضاء طويلة", {}),
    "dress": (p_robe, "a long embroidered dress", "ثوب طويل مطرز", {"cloth": (150, 40, 70)}),
    "textile": (p_textile, "woven cloth with a diamond pattern", "نسيج بنقوش على شكل معيّنات", {}),
    "fish": (p_fish, "a fish", "سمكة", {}),
    "kingfish": (p_fish, "a long silver-blue fish", "سمكة طويلة فضية زرقاء",
                 {"fish": (120, 150, 180)}),
    "hammour": (p_fish, "a brown spotted fish", "سمكة بنية مرقطة", {"fish": (150, 110, 80)}),
    "steaks": (p_steaks, "fish steaks on a white plate", "شرائح سمك في طبق أبيض", {}),
    "dried_fish": (p_dried_fish, "rows of small dried fish on a mat",
                   "صفوف من الأسماك الصغيرة المجففة على حصير", {}),
    "can": (p_can, "a tin of fish", "علبة سمك معدنية", {}),
    "shell": (p_shell, "an abalone shell", "صدفة صفيلح", {}),
    "honey": (p_honey, "a jar of golden honey and a honey dipper",
              "برطمان من العسل الذهبي وملعقة عسل خشبية", {}),
    "dark_honey": (p_honey, "a jar of dark honey and a honey dipper",
                   "برطمان من العسل الداكن وملعقة عسل خشبية", {"honey": (160, 90, 20)}),
    "ghee": (p_honey, "a jar of yellow ghee", "برطمان من السمن الأصفر", {"honey": (240, 200, 80)}),
    "milk": (p_milk, "a bottle of milk and a glass", "قارورة حليب وكأس", {}),
    "cheese": (p_cheese, "a round of white cheese", "قرص من الجبن الأبيض", {}),
    "halwa": (p_halwa, "a bowl of dark Omani halwa with nuts",
              "وعاء من الحلوى العمانية الداكنة بالمكسرات", {}),
    "amber_halwa": (p_halwa, "a bowl of amber halwa with nuts",
                    "وعاء من الحلوى الكهرمانية بالمكسرات", {"halwa": (170, 90, 30)}),
    "dallah": (p_dallah, "an Omani coffee pot with two small cups",
               "دلة قهوة عمانية وفنجانان صغيران", {}),
    "beans": (p_beans, "a heap of roasted coffee beans", "كومة من حبوب القهوة المحمصة", {}),
    "water": (p_water, "two bottles of water", "قارورتا ماء", {}),
    "juice": (p_juice, "a glass of juice and a lime", "كأس عصير وليمونة", {}),
    "mango_juice": (p_juice, "a glass of mango juice and a mango", "كأس عصير مانجو وثمرة مانجو",
                    {"juice": (250, 170, 40), "fruit2": (240, 160, 50)}),
    "blocks": (p_blocks, "a stack of grey concrete blocks", "كومة من الطابوق الإسمنتي الرمادي", {}),
    "pavers": (p_blocks, "a stack of red paving stones", "كومة من بلاط الأرصفة الأحمر",
               {"stone": (190, 110, 90), "holes": False}),
    "stone": (p_blocks, "a stack of cut sand-coloured stone", "كومة من الحجر المقطوع بلون الرمل",
              {"stone": (220, 196, 150), "holes": False}),
    "tiles": (p_tiles, "white marble tiles with grey veins", "بلاط رخام أبيض بعروق رمادية", {}),
    "cement": (p_cement, "a bag of cement and a small heap of powder",
               "كيس إسمنت وكومة صغيرة من المسحوق", {}),
    "rebar": (p_rebar, "a bundle of steel bars", "حزمة من قضبان الحديد", {}),
    "factory": (p_factory, "a factory with a chimney and a gear wheel", "مصنع له مدخنة وترس", {}),
    "gear": (p_gear, "two gear wheels", "ترسان", {}),
    "pipes": (p_pipes, "a stack of plastic pipes seen from the end",
              "كومة من الأنابيب البلاستيكية من طرفها", {}),
    "tank": (p_tank, "a large water tank", "خزان مياه كبير", {}),
    "pump": (p_pump, "a water pump with its motor", "مضخة مياه مع محركها", {}),
    "cable": (p_cable, "a coil of electric cable", "لفة من الكابل الكهربائي", {}),
    "window": (p_window, "an aluminium window frame", "إطار نافذة من الألمنيوم", {}),
    "solar": (p_solar, "a solar panel on a metal frame under the sun",
              "لوح شمسي على هيكل معدني تحت الشمس", {}),
    "boxes": (p_boxes, "a stack of plastic food boxes", "كومة من علب الطعام البلاستيكية", {}),
}

CATEGORY_KIND = {
    "dates_food": "palm",
    "frankincense_perfume": "burner",
    "cosmetics": "soap",
    "handicrafts_silver": "khanjar",
    "textiles": "textile",
    "fisheries": "fish",
    "honey_dairy": "honey",
    "halwa_sweets": "halwa",
    "beverages": "dallah",
    "building_materials": "blocks",
    "industry": "factory",
}

# Which picture each product gets; a product not listed gets its category's picture.
PRODUCT_KIND: dict[str, str] = {
    "khalas-dates-1kg": "golden_dates",
    "khalas-harvest-2025": "palm",
    "fard-dates": "dates",
    "khunaizi-dates": "red_dates",
    "stuffed-dates-almond": "stuffed_dates",
    "date-syrup": "syrup",
    "date-paste": "syrup",
    "dried-lime": "limes",
    "sea-salt": "salt",
    "date-sesame-bars": "bars",
    "hojari-frankincense": "resin",
    "najdi-frankincense": "golden_resin",
    "frankincense-oil": "dropper",
    "frankincense-gift-box": "burner",
    "aseel-perfume": "perfume",
    "oud-oil": "dropper",
    "bakhoor-mix": "bakhoor",
    "rose-water": "rose_bottle",
    "frankincense-hand-cream": "cream",
    "frankincense-olive-soap": "green_soap",
    "camel-milk-soap": "soap",
    "coconut-hair-oil": "dropper",
    "rose-face-mist": "rose_bottle",
    "henna-powder": "henna",
    "sidr-shampoo": "henna",
    "oud-body-lotion": "cream",
    "silver-khanjar": "khanjar",
    "silver-bracelets": "bracelets",
    "silver-kohl-box": "silver_box",
    "bahla-water-jar": "clay_jar",
    "bahla-incense-burner": "clay_burner",
    "palm-frond-basket": "basket",
    "mandoos-chest": "chest",
    "jerz-walking-axe": "axe",
    "ibra-kummah-long": "cap",
    "kummah-cap": "cap",
    "womens-dress": "dress",
    "mens-dishdasha": "robe",
    "mussar-turban": "textile",
    "woven-rug": "textile",
    "goat-hair-mat": "textile",
    "kingfish-steaks": "steaks",
    "tuna-in-oil": "can",
    "whole-tuna-frozen": "kingfish",
    "dried-sardines": "dried_fish",
    "dried-anchovy": "dried_fish",
    "fresh-hammour": "hammour",
    "smoked-kingfish": "kingfish",
    "dhofar-abalone": "shell",
    "dhofar-lobster": "steaks",
    "sidr-honey-500g": "dark_honey",
    "samar-honey": "dark_honey",
    "camel-milk": "milk",
    "laban-drink": "milk",
    "fresh-white-cheese": "cheese",
    "local-ghee": "ghee",
    "saffron-halwa": "halwa",
    "nut-halwa": "halwa",
    "halwa-clay-pot": "amber_halwa",
    "date-halwa": "halwa",
    "halwa-sugar-free-x200": "amber_halwa",
    "omani-coffee-cardamom": "dallah",
    "coffee-beans-light": "beans",
    "coffee-saffron-rose": "dallah",
    "spring-water": "water",
    "lime-mint-drink": "juice",
    "mango-juice": "mango_juice",
    "frankincense-water": "water",
    "hollow-blocks-20cm": "blocks",
    "paving-stones": "pavers",
    "marble-tiles": "tiles",
    "cut-stone": "stone",
    "portland-cement": "cement",
    "sulphate-resistant-cement": "cement",
    "gypsum-plaster": "cement",
    "steel-rebar-12mm": "rebar",
    "water-pump-x200": "pump",
    "copper-cable": "cable",
    "gear-parts": "gear",
    "aluminium-window": "window",
    "solar-frame": "solar",
    "pvc-pipes-110mm": "pipes",
    "water-tank-2000l": "tank",
    "food-boxes": "boxes",
}

# Products with more pictures than their own, so the product page's gallery has something to
# page through (the first product a visitor meets by its Arabic name among them). Each reuses a
# picture drawn for another record (same kind and seed: the same file, no new media), with an
# alt text written for what it shows here; it must still describe the drawing.
PRODUCT_MORE: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "portland-cement": [
        ("blocks", "category:building_materials",
         {"ar": "ما يُصنع بالإسمنت: رسم كومة من الطابوق الإسمنتي الرمادي، على خلفية خضراء فاتحة.",
          "en": "What the cement is used for: a drawing of a stack of grey concrete blocks on a "
                "light green background."}),
        ("rebar", "product:steel-rebar-12mm",
         {"ar": "ما يُستعمل معه في الخرسانة المسلحة: رسم حزمة من قضبان الحديد، على خلفية "
                "بنفسجية فاتحة.",
          "en": "Used with it in reinforced concrete: a drawing of a bundle of steel bars on a "
                "pale lilac background."}),
    ],
}

# News items that get a picture; the others are text only.
NEWS_KIND = {
    "national-day-exhibition": "khanjar",
    "frankincense-season": "resin",
    "craft-makers-join": "clay_jar",
    "dates-market-nizwa": "palm",
}


def render(kind: str, seed: str) -> tuple[bytes, dict[str, str]]:
    """Draw one picture; return the PNG bytes and its alt text."""
    painter, what_en, what_ar, fixed = KINDS[kind]
    rnd = random.Random(seed)
    bg, bg_en, bg_ar = BACKGROUNDS[rnd.randrange(len(BACKGROUNDS))]
    pal = {"bg": bg, "accent": ACCENTS[rnd.randrange(len(ACCENTS))], **fixed}
    img = Image.new("RGB", (W, H), bg)
    painter(ImageDraw.Draw(img), rnd, pal)
    if rnd.random() < 0.5 and kind not in ("axe",):
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img = img.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    alt = {"ar": f"رسم: {what_ar}، على خلفية {bg_ar}.",
           "en": f"Drawing of {what_en} on a {bg_en} background."}
    return buf.getvalue(), alt


def main(argv: list[str] | None = None) -> int:
    cat_file = DEMO / "catalogue.json"
    data = json.loads(cat_file.read_text(encoding="utf-8"))
    media = DEMO / "media"
    media.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()

    def picture(kind: str, seed: str) -> dict:
        png, alt = render(kind, seed)
        h = hashlib.sha256(png).hexdigest()
        path = media / f"{h}.png"
        if not path.exists() or path.read_bytes() != png:
            path.write_bytes(png)
        used.add(h)
        return {"blob": h, "alt": alt}

    for c in data.get("category", []):
        c["image"] = picture(CATEGORY_KIND.get(c["id"], "gear"), "category:" + c["id"])
    for p in data.get("product", []):
        kind = PRODUCT_KIND.get(p["id"]) or CATEGORY_KIND.get(p["category_id"], "gear")
        p["images"] = [picture(kind, "product:" + p["id"])]
        for more_kind, seed, alt in PRODUCT_MORE.get(p["id"], []):
            p["images"].append({**picture(more_kind, seed), "alt": alt})
    for n in data.get("news", []):
        n.pop("image", None)
        if n["id"] in NEWS_KIND:
            n["image"] = picture(NEWS_KIND[n["id"]], "news:" + n["id"])
    for f in media.iterdir():
        if f.suffix == ".png" and f.stem not in used:
            f.unlink()
    cat_file.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum(f.stat().st_size for f in media.iterdir())
    print(f"{len(used)} pictures, {total / 1024:.0f} KiB in {media.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
