"""Feedback, survey and poll in the real app, each run in its own process under Xvfb: what the
visitor sees and hears, and what the kiosk keeps. A submission is in the outbox before the
thanks screen appears; contact details are sealed to central's key, shown on screen but spoken
as "hidden"; an unprovisioned kiosk says it can not take them and still sends the message."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import shows, walk


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


def outbox_rows(home: Path) -> list[dict]:
    """What the kiosk stored, read straight from its outbox file."""
    db = home / "outbox.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT type, state, body FROM submission ORDER BY seq").fetchall()
    return [{"type": t, "state": s, "body": json.loads(b) if b else None} for t, s, b in rows]


def provision(server, home: Path) -> None:
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    code = server.cli("enrollment-code").stdout.strip()
    device = KioskDevice(KioskPaths(home))
    try:
        device.provision(server.url, code, name="forms test kiosk")
    finally:
        device.close()


def thanks_call(result: dict) -> dict:
    return next(g for g in result["navigations"] if g["name"] == "thanks")


# -- feedback ---------------------------------------------------------------------------------

def test_feedback_needs_a_message_and_the_error_names_it(display, home, runs):
    r = walk(display, home, runs, "feedback", [
        {"tap": "feedback.kind.comment"}, {"tap": "key.done"}, {"report": True}], lang="en",
        speech=True)
    assert r["errors"] == []
    seen = r["reports"][0]
    assert seen["screen"] == "feedback"
    assert shows(seen, "Please type your message first.")
    assert any("Please type your message first." in s for s in seen["spoken"])
    assert outbox_rows(home) == []


def test_feedback_with_contact_is_sealed_and_kept_before_thanks_and_never_spoken(
        display, home, runs, central_server):
    provision(central_server, home)
    r = walk(display, home, runs, "feedback", [
        {"tap": "feedback.kind.suggestion"}, {"report": True},
        {"type": "More dates please"}, {"tap": "key.done"},
        {"tap": "feedback.consent"}, {"tap": "feedback.contact.name"}, {"type": "Sara"},
        {"tap": "key.done"}, {"tap": "feedback.contact.email"}, {"type": "sara@example.om"},
        {"tap": "key.done"}, {"report": True},
        {"tap": "feedback.submit"},
        {"expect_screen": "thanks", "within": 10},
        {"report": True}], lang="en", speech=True)
    assert r["errors"] == []
    kinds, review, thanked = r["reports"][:3]
    # The kind chosen is written out, not only coloured.
    assert shows(kinds, "A suggestion") and shows(kinds, "Tap to change")
    # The visitor sees what they typed...
    assert shows(review, "Sara") and shows(review, "sara@example.om")
    assert shows(review, "Ticked")
    # ...but speech never says it: "hidden" instead (no headset).
    spoken = " ".join(review["spoken"])
    assert "hidden" in spoken
    assert "Sara" not in spoken and "sara@" not in spoken and "example" not in spoken
    # Stored before the thanks screen was asked for.
    assert thanks_call(r)["outbox_rows"] == 1
    params = thanks_call(r)["params"]
    assert params["what"] == "feedback"
    # The reference the thanks screen shows is the one kept with the message.
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", params["reference"])
    assert thanked["screen"] == "thanks"
    assert shows(thanked, "Your message is saved on this kiosk and will reach the portal team.")
    rows = outbox_rows(home)
    assert len(rows) == 1 and rows[0]["type"] == "feedback"
    body = rows[0]["body"]
    assert body["payload"] == {"kind": "suggestion", "text": "More dates please"}
    assert body["reference"] == params["reference"].replace("-", "")
    assert body["sealed_contact"] and len(body["sealed_contact"]) > 60
    stored = json.dumps(body)
    assert "Sara" not in stored and "sara@example.om" not in stored
    # Nothing the visitor typed is left in the session after sending.
    assert not any(k.startswith("feedback.") for k in thanked["session"]["entered"])


def test_unprovisioned_kiosk_says_it_can_not_take_contact_and_sends_without_it(
        display, home, runs):
    r = walk(display, home, runs, "feedback", [
        {"tap": "feedback.kind.complaint"}, {"type": "Too slow"}, {"tap": "key.done"},
        {"tap": "feedback.consent"}, {"tap": "feedback.contact.phone"}, {"type": "99112233"},
        {"tap": "key.done"}, {"tap": "feedback.submit"}, {"report": True},
        {"tap": "feedback.submit_without_contact"}, {"expect_screen": "thanks", "within": 10}],
        lang="en")
    assert r["errors"] == []
    refused = r["reports"][0]
    assert refused["screen"] == "feedback"
    assert shows(refused, "This kiosk can not take contact details yet because it is not "
                          "connected to the portal.")
    assert thanks_call(r)["outbox_rows"] == 1
    rows = outbox_rows(home)
    assert len(rows) == 1
    assert rows[0]["body"]["payload"] == {"kind": "complaint", "text": "Too slow"}
    assert "sealed_contact" not in rows[0]["body"]
    assert "99112233" not in json.dumps(rows[0]["body"])


def test_accessibility_problem_is_sent_as_an_accessibility_report_in_arabic(display, home,
                                                                            runs):
    r = walk(display, home, runs, "feedback", [
        {"tap": "feedback.kind.accessibility"}, {"type": "الخط صغير"},
        {"tap": "key.done"}, {"report": True}, {"tap": "feedback.submit"},
        {"expect_screen": "thanks", "within": 10}], lang="ar")
    assert r["errors"] == []
    review = r["reports"][0]
    assert shows(review, "مشكلة في سهولة الوصول والاستخدام")
    assert shows(review, "الخط صغير")
    assert thanks_call(r)["params"]["what"] == "report"
    ref = thanks_call(r)["params"]["reference"]
    assert r["reports"][-1]["screen"] == "thanks" and shows(r["reports"][-1], ref)
    rows = outbox_rows(home)
    assert rows[0]["body"]["reference"] == ref.replace("-", "")
    assert [x["type"] for x in rows] == ["accessibility"]
    assert rows[0]["body"]["payload"]["text"] == "الخط صغير"
    assert rows[0]["body"]["lang"] == "ar"


def test_cancel_leaves_nothing_behind(display, home, runs):
    r = walk(display, home, runs, "home", [
        {"tap": "home.feedback"}, {"tap": "feedback.kind.comment"}, {"type": "abc"},
        {"tap": "feedback.cancel"}, {"report": True}], lang="en")
    assert r["errors"] == []
    left = r["reports"][0]
    assert left["screen"] == "home"
    assert not any(k.startswith("feedback.") for k in left["session"]["entered"])
    assert outbox_rows(home) == []


# -- survey -----------------------------------------------------------------------------------

def test_survey_shows_progress_requires_an_answer_and_sends_after_the_comment(display, home,
                                                                              runs):
    r = walk(display, home, runs, "survey", [
        {"report": True},
        {"tap": "survey.next"}, {"report": True},
        {"tap": "survey.overall.satisfied"}, {"report": True},
        {"tap": "survey.next"}, {"report": True},
        {"tap": "survey.finding.very_satisfied"}, {"tap": "survey.next"},
        {"tap": "survey.next"}, {"tap": "survey.next"}, {"tap": "survey.next"},
        {"report": True},
        {"type": "ok"}, {"tap": "survey.submit"}, {"expect_screen": "thanks", "within": 10}],
        lang="en", speech=True)
    first, refused, chosen, second, comment = r["reports"][:5]
    assert r["errors"] == []
    assert shows(first, "Question 1 of 5") and shows(first, "An answer is required.")
    assert shows(refused, "Question 1 of 5")
    assert shows(refused, "This question needs an answer.")
    assert any("This question needs an answer." in s for s in refused["spoken"])
    picked = next(b for b in chosen["buttons"] if b["id"] == "survey.overall.satisfied")
    assert picked["selected"] and picked["text"] == "Satisfied\nSelected"
    assert shows(second, "Question 2 of 5") and shows(second, "You may skip this question.")
    assert "survey.back" in {b["id"] for b in second["buttons"]}
    assert shows(comment, "Your comment (optional)")
    assert "survey.submit" in {b["id"] for b in comment["buttons"]}
    assert thanks_call(r)["outbox_rows"] == 1
    rows = outbox_rows(home)
    assert rows[0]["type"] == "survey"
    assert rows[0]["body"]["payload"] == {
        "survey_id": "satisfaction", "comment": "ok",
        "answers": {"overall": "satisfied", "finding": "very_satisfied"}}


def test_survey_back_keeps_the_answer_given(display, home, runs):
    r = walk(display, home, runs, "survey", [
        {"tap": "survey.overall.neutral"}, {"tap": "survey.next"}, {"tap": "survey.back"},
        {"report": True}], lang="ar")
    assert r["errors"] == []
    back = r["reports"][0]
    assert shows(back, "السؤال 1 من 5")
    picked = next(b for b in back["buttons"] if b["id"] == "survey.overall.neutral")
    assert picked["selected"] and "مختار" in picked["text"]


# -- poll -------------------------------------------------------------------------------------

def test_poll_vote_shows_results_as_text_and_a_second_visit_goes_straight_to_them(
        display, home, runs):
    r = walk(display, home, runs, "home", [
        {"tap": "home.poll"}, {"tap": "poll.submit"}, {"report": True},
        {"tap": "poll.option.crafts"}, {"report": True},
        {"tap": "poll.submit"},
        {"expect_screen": "poll_results", "within": 10},
        {"expect_text": "this kiosk only", "within": 10},
        {"expect_spoken": "Handicrafts and silver: 1 vote", "within": 10},
        {"report": True},
        {"tap": "nav.home"}, {"tap": "home.poll"},
        {"expect_screen": "poll_results", "within": 10}, {"report": True}], lang="en", speech=True)
    assert r["errors"] == []
    empty, chosen, results, again = r["reports"][:4]
    assert shows(empty, "Please choose an answer first, then tap Vote.")
    crafts = next(b for b in chosen["buttons"] if b["id"] == "poll.option.crafts")
    food = next(b for b in chosen["buttons"] if b["id"] == "poll.option.food")
    assert crafts["selected"] and crafts["text"].endswith("Selected")
    assert food["text"].endswith("Not selected")
    assert results["screen"] == "poll_results"
    assert shows(results, "Results from this kiosk only; the portal's totals were not "
                          "reachable.")
    assert shows(results, "Handicrafts and silver (your vote)")
    assert shows(results, "1 vote (100%)") and shows(results, "0 votes (0%)")
    assert shows(results, "1 vote in total.")
    assert any("Handicrafts and silver: 1 vote (100%)" in s for s in results["spoken"])
    assert again["screen"] == "poll_results"
    poll_calls = [g for g in r["navigations"] if g["name"] == "poll_results"]
    assert poll_calls[0]["outbox_rows"] == 1  # the vote was stored before the results
    rows = outbox_rows(home)
    assert len(rows) == 1  # one vote per visitor
    assert rows[0]["body"]["payload"] == {"poll_id": "more-products-2027",
                                          "option_id": "crafts"}


def test_poll_results_come_from_central_when_it_answers(display, home, runs, central_server):
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    provision(central_server, home)
    device = KioskDevice(KioskPaths(home))
    try:
        assert device.sync().outcome in ("updated", "current")  # central's poll: favourite
    finally:
        device.close()
    r = walk(display, home, runs, "poll", [
        {"tap": "poll.option.halwa"}, {"tap": "poll.submit"},
        {"expect_screen": "poll_results", "within": 10},
        {"expect_text": "النتائج من جميع الأجهزة", "within": 10},
        {"report": True}],
        lang="ar")
    assert r["errors"] == []
    device = KioskDevice(KioskPaths(home))
    try:
        assert device.flush_outbox(max_failures=1).pending == 0
    finally:
        device.close()
    r2 = walk(display, home, runs, "poll_results", [
        {"expect_text": "النتائج من جميع الأجهزة والبوابة.", "within": 10}, {"report": True}],
        lang="ar")
    assert r2["errors"] == []
    after = r2["reports"][0]
    public = central_server.get("/api/v1/polls/favourite/results").json()
    votes = {o["id"]: o["votes"] for o in public["options"]}
    assert votes["halwa"] >= 1
    total = sum(votes.values())
    halwa = round(100 * votes["halwa"] / total)
    # Other tests vote on the same central: one halwa vote can be any share of the total.
    expected = (f"صوت واحد ({halwa}٪)" if votes["halwa"] == 1
                else f"عدد الأصوات: {votes['halwa']} ({halwa}٪)")
    assert shows(after, expected)


# -- every form screen at text scale 2, mirrored in Arabic --------------------------------

@pytest.mark.parametrize("screen,steps", [
    ("feedback", [{"tap": "feedback.kind.complaint"}]),
    ("survey", []),
    ("poll", []),
    ("poll_results", []),
])
def test_form_screens_at_text_scale_2_in_arabic_are_not_clipped(display, home, runs, screen,
                                                                steps):
    r = walk(display, home, runs, screen, steps, lang="ar", text_scale=2,
              theme="high_contrast")
    assert r["errors"] == []
    last = r["reports"][-1]
    width = last["window"][0]
    arabic = [t for t in last["texts"] if t["lang"] == "ar" and t["logical"].strip()]
    assert arabic and all(t["rtl"] for t in arabic)
    for t in last["texts"]:
        x, _y, w, _h = t["rect"]
        assert all(lw <= w + 0.5 for lw in t["line_widths"]), t["logical"]
        assert x >= -0.5 and x + w <= width + 0.5, t["logical"]
    for b in last["buttons"]:
        x, _y, w, h = b["rect"]
        assert w >= 64 - 0.5 and h >= 64 - 0.5, b["id"]
        assert x >= -0.5 and x + w <= width + 0.5, b["id"]


@pytest.mark.parametrize("screen,steps", [
    ("search", [{"type": "dates"}]),
    ("feedback", [{"tap": "feedback.kind.accessibility"}]),
])
def test_landscape_keeps_every_key_and_result_inside_the_window(display, home, runs, screen,
                                                                steps):
    r = walk(display, home, runs, screen, steps, lang="en", size="1920x1080")
    assert r["errors"] == []
    last = r["reports"][-1]
    assert last["window"] == [1920, 1080]
    keys = [b for b in last["buttons"] if b["id"].startswith("key.")]
    assert len(keys) > 30
    for b in last["buttons"]:
        x, _y, w, h = b["rect"]
        assert x >= -0.5 and x + w <= 1920.5, b["id"]
        assert w >= 64 - 0.5 and h >= 64 - 0.5, b["id"]
