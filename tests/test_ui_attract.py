"""The idle screen's loop in the real app under Xvfb: it shows the featured items (the newest
products and news with pictures when staff named none) one at a time with picture, name and
maker, changes item after its time with one gentle fade, stops when a key or a touch comes and
stays stopped while someone is there, and touching the item starts a session on it. The
loop's timeline itself: never more than three changes of direction of brightness a second."""

from __future__ import annotations

import pytest

from tests.helpers import button, visible_texts, walk_ok


@pytest.fixture(scope="module")
def loop(kiosk_home):
    """What the loop shows, read from the installed demo content through the kiosk's service,
    as the app reads it."""
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice
    from kiosk.services.catalogue import Browse

    device = KioskDevice(KioskPaths(kiosk_home))
    device.ensure_content()
    yield Browse(device).loop_items()
    device.close()


def item_text(report: dict) -> str:
    return button(report, "attract.item")["text"]


def test_the_demo_loop_is_the_newest_products_with_news_between(loop):
    kinds = [i.kind for i in loop]
    assert kinds.count("product") == 6 and kinds.count("news") == 2, kinds
    assert kinds[3] == "news" and kinds[7] == "news", kinds
    assert all(i.image_blob for i in loop)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_loop_changes_item_stops_on_a_key_and_opens_the_item_touched(display, kiosk_home,
                                                                         tmp_path, loop,
                                                                         lang):
    from screens.attract import LOOP_EVERY_S, RESUME_AFTER_S

    first, second, third = loop[0], loop[1], loop[2]
    result = walk_ok(display, kiosk_home, tmp_path, "attract", [
        {"report": True},
        {"wait": LOOP_EVERY_S + 0.5}, {"report": True},
        # A key on the keypad: the loop stops where it is, however long the visitor stays.
        {"key": "down"}, {"wait": LOOP_EVERY_S * 2}, {"report": True},
        # Nobody there any more: it goes on, the item it stopped on shown its full time.
        {"wait": RESUME_AFTER_S + 1}, {"wait": LOOP_EVERY_S}, {"report": True},
        {"tap": "attract.item"}, {"expect_screen": "product"}, {"report": True},
    ], lang=lang)
    shown, later, stopped, resumed, opened = result["reports"][:5]
    name = {"en": lambda i: i.name.en, "ar": lambda i: i.name.ar}[lang]
    assert item_text(shown).startswith(name(first)), item_text(shown)
    maker = first.detail.en if lang == "en" else first.detail.ar
    assert maker in item_text(shown)
    # The picture's text alternative is shown with it.
    alt = first.image_alt.en if lang == "en" else first.image_alt.ar
    assert alt in visible_texts(shown)
    assert item_text(later).startswith(name(second)), item_text(later)
    assert item_text(stopped).startswith(name(second)), "the loop went on after a key"
    assert item_text(resumed).startswith(name(third)), item_text(resumed)
    # The item touched opens, in a session of the screen's language.
    assert opened["screen"] == "product"
    assert name(third) in " ".join(visible_texts(opened))
    assert opened["session"]["lang"] == lang


def test_the_controls_do_not_move_when_the_item_changes(display, kiosk_home, tmp_path):
    from screens.attract import LOOP_EVERY_S

    result = walk_ok(display, kiosk_home, tmp_path, "attract", [
        {"report": True}, {"wait": LOOP_EVERY_S + 0.5}, {"report": True},
        {"wait": LOOP_EVERY_S}, {"report": True}])
    places = [{b["id"]: b["rect"] for b in r["buttons"]} for r in result["reports"][:3]]
    assert places[0] == places[1] == places[2]
    assert len({item_text(r) for r in result["reports"][:3]}) == 3


def test_the_loop_never_changes_more_than_three_times_a_second():
    from screens.attract import FADE_S, LOOP_EVERY_S, loop_changes_per_second, loop_opacity

    assert loop_changes_per_second() <= 3
    # One fade out and in per item, each monotone: full for most of the item's time.
    assert loop_opacity(FADE_S) == 1.0 and loop_opacity(LOOP_EVERY_S / 2) == 1.0
    assert loop_opacity(0) == 0.0 and loop_opacity(LOOP_EVERY_S - 1e-6) < 0.01
    assert loop_opacity(LOOP_EVERY_S - FADE_S / 2) == pytest.approx(0.5)
