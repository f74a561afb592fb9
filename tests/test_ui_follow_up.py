"""Following a message up, in the real app against a real central, in both languages: the
thanks screen shows the reference the kiosk made and says it, with the square code's address;
before the message is delivered the Follow up screen says it is still on this kiosk (and a
typing mistake is told apart); after staff answered it at central, the Follow up screen finds
it and shows and says the state and the reply, and nothing the visitor wrote; the public page
behind the square code shows the same reply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from kiosk.i18n import _
from kiosk.protocol.reference import damm_digit
from tests.helpers import shows, visible_texts, walk

MESSAGES = {"en": "Lift is broken", "ar": "المصعد معطل"}
REPLIES = {"en": "Thank you. The lift was repaired on Sunday.",
           "ar": "شكرًا لك. أصلحنا المصعد يوم الأحد."}


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "kiosk-home"
    h.mkdir()
    return h


@pytest.fixture
def runs(tmp_path) -> Path:
    d = tmp_path / "runs"
    d.mkdir()
    return d


def provision(server, home: Path) -> None:
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    code = server.cli("enrollment-code").stdout.strip()
    device = KioskDevice(KioskPaths(home))
    try:
        device.provision(server.url, code, name="follow-up test kiosk")
    finally:
        device.close()


def flush(home: Path) -> None:
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    device = KioskDevice(KioskPaths(home))
    try:
        assert device.flush_outbox(max_failures=1).pending == 0
    finally:
        device.close()


def staff_answer(server, shown_reference: str, text: str) -> None:
    """An analyst answers the item found by its reference, through the service the admin's
    "Find by reference" and reply form call."""
    from central import feedback as workflow

    site = server.service()
    try:
        workflow.reply(site, workflow.find_by_reference(site, shown_reference), text, by="amal")
    finally:
        site.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reference_on_the_thanks_screen_finds_the_reply_after_staff_answered(
        display, home, runs, central_server, lang):
    provision(central_server, home)
    sent = walk(display, home, runs, "feedback", [
        {"tap": "feedback.kind.complaint"}, {"type": MESSAGES[lang]}, {"tap": "key.done"},
        {"tap": "feedback.submit"}, {"expect_screen": "thanks", "within": 10},
        {"report": True}], lang=lang, speech=True)
    assert sent["errors"] == []
    thanked = sent["reports"][0]
    refs = [m for t in visible_texts(thanked) for m in re.findall(r"\b\d{4}-\d{4}-\d{4}\b", t)]
    assert refs, visible_texts(thanked)
    ref = refs[0]
    digits = ref.replace("-", "")
    assert damm_digit(digits[:-1]) == digits[-1]
    # Said on arrival, as written (the voice reads it digit by digit: voices/speakable.py).
    said = _("Your reference is {reference}.", lang).format(reference=ref)
    assert any(said in s for s in thanked["spoken"]), thanked["spoken"]
    page = f"{central_server.url}/follow-up/{digits}"
    assert shows(thanked, page)  # the square code's address, written under it
    assert {"thanks.say_reference", "thanks.follow_up"} <= {b["id"] for b in thanked["buttons"]}

    # Not delivered yet: the kiosk says so itself. A wrong last digit is a typing mistake.
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    early = walk(display, home, runs, "follow_up", [
        {"type": wrong}, {"tap": "key.done"},
        {"expect_text": _("This reference has a typing mistake. Please check each digit and "
                          "type it again.", lang), "within": 10},
        {"tap": "key.backspace"}, {"type": digits[-1]}, {"tap": "key.done"},
        {"expect_text": _("This message is still on this kiosk and has not reached the portal "
                          "team yet. Please look again later.", lang), "within": 10}],
        lang=lang)
    assert early["errors"] == []

    flush(home)
    staff_answer(central_server, ref, REPLIES[lang])

    found = walk(display, home, runs, "follow_up", [
        {"type": digits}, {"report": True}, {"tap": "key.done"},
        {"expect_text": REPLIES[lang], "within": 15}, {"report": True}],
        lang=lang, speech=True)
    assert found["errors"] == []
    typed, answer = found["reports"][:2]
    assert shows(typed, ref)  # the digits typed, grouped as on the thanks screen
    assert answer["screen"] == "follow_up"
    assert shows(answer, ref) and shows(answer, _("Answered.", lang))
    assert shows(answer, _("The portal team's reply", lang))
    # Nothing the visitor wrote comes back.
    assert not shows(answer, MESSAGES[lang])
    spoken = " ".join(answer["spoken"])
    assert REPLIES[lang] in spoken and _("Answered.", lang) in spoken and ref in spoken
    assert {"follow_up.again", "follow_up.home"} <= {b["id"] for b in answer["buttons"]}

    # The page behind the square code shows the same reply, and not the message either.
    public = requests.get(page, timeout=10)
    assert public.status_code == 200
    assert REPLIES[lang] in public.text and MESSAGES[lang] not in public.text


def test_an_unknown_reference_and_an_unreachable_portal_are_told_apart(
        display, home, runs, central_server):
    from kiosk.protocol.reference import new_reference

    provision(central_server, home)
    unknown = new_reference()
    r = walk(display, home, runs, "follow_up", [
        {"type": "12"}, {"tap": "key.done"},
        {"expect_text": "A reference has 12 digits. Please type all of them.", "within": 10},
        {"tap": "key.backspace"}, {"tap": "key.backspace"}, {"type": unknown},
        {"tap": "key.done"},
        {"expect_text": "No message has this reference. Please check each digit and type it "
                        "again.", "within": 15}, {"report": True}], lang="en", speech=True)
    assert r["errors"] == []
    # The digits stay, to be corrected; the sentence is said too.
    assert shows(r["reports"][0], f"{unknown[:4]}-{unknown[4:8]}-{unknown[8:]}")
    assert any("No message has this reference." in s for s in r["reports"][0]["spoken"])

    # A kiosk whose central is gone: it says the portal can not be reached.
    from dataclasses import replace

    from kiosk.config import Credentials, KioskPaths

    paths = KioskPaths(home)
    creds = Credentials.load(paths.credentials)
    replace(creds, api="http://127.0.0.1:9").save(paths.credentials)
    r = walk(display, home, runs, "follow_up", [
        {"type": unknown}, {"tap": "key.done"},
        {"expect_text": _("The portal can not be reached at the moment, so the kiosk can not "
                          "look up your message. Please try again later, or call 80000070.",
                          "ar"), "within": 30}], lang="ar")
    assert r["errors"] == []
