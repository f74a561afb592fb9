"""The words kiosk and central share for a visitor's settings and the keypad, defined once: the
device config in the wire format, the visitor session and the UI all import them from here.
Plain constants, no imports, so the UI reads them without loading anything else."""

from __future__ import annotations

LANGS: tuple[str, ...] = ("ar", "en")
THEMES: tuple[str, ...] = ("standard", "high_contrast", "inverted")
TEXT_SCALES: tuple[float, ...] = (1.0, 1.5, 2.0)

# Kept equal to voices' own steps so a visitor's choice means the same thing to the speech
# service (voices/engine.py RATE_STEPS, voices/service.py VOLUME_GAINS; a test checks it);
# duplicated rather than imported because importing voices pulls in its audio back ends.
RATE_STEP_COUNT = 5
DEFAULT_RATE_STEP = 2
VOLUME_STEP_COUNT = 7
DEFAULT_VOLUME_STEP = 4

# The screens a site may give a sign-language clip of their own (the wire format's
# SiteInfo.screen_sign_videos; the screen then offers "Sign language"): those a visitor reads
# that show no record of their own. The product, news, FAQ, guide and policies screens carry
# their records' clips; attract, setup and the technician's screens are not read in a session.
# Names as screens/registry.py has them (a test checks).
SIGN_VIDEO_SCREENS: tuple[str, ...] = (
    "home", "categories", "governorates", "manufacturers", "products", "search", "feedback",
    "follow_up", "survey", "poll", "poll_results", "contact", "settings", "thanks")

DEFAULT_PX_PER_MM = 4.0  # 21.5-inch 1080x1920 reference screen
MIN_PX_PER_MM = 1.0  # anything outside is a typo, not a screen
MAX_PX_PER_MM = 40.0

# The EZ Access keypad: what each action is, and the key codes (Kivy's) that do it by default.
# A site's device config may give other codes for some actions ("keys"); the rest keep these.
KEY_ACTIONS: tuple[str, ...] = ("up", "down", "action", "back", "help", "lang", "repeat",
                                "vol_up", "vol_down", "next", "pause")
DEFAULT_KEYS: dict[str, tuple[int, ...]] = {
    "up": (273, 280), "down": (274, 281), "action": (13, 271), "back": (27, 8),
    "help": (283,), "lang": (285,), "repeat": (286,), "vol_up": (43, 270),
    "vol_down": (45, 269), "next": (32,), "pause": (284, 19),  # F3, the keyboard's Pause
}

# Easy Read's pictograms: the names content may give each sentence's picture (the wire format
# accepts only these), each drawn from assets/easy_read/<name>.png (assets/easy_read/README.md
# says which icon set and version they come from). A small, plain vocabulary, so writers pick
# an idea, not a file; a new name needs its picture there too (a test checks both ways).
EASY_READ_ICONS: tuple[str, ...] = (
    "box", "calendar", "certificate", "check", "clock", "computer", "document", "drink", "ear",
    "eye", "factory", "fish", "food", "gift", "hand", "heart", "home", "info", "leaf", "list",
    "lock", "mail", "map", "message", "money", "news", "people", "person", "phone", "question",
    "shirt", "shop", "sparkle", "star", "tools", "warning", "water", "weight", "wheelchair",
    "world",
)
