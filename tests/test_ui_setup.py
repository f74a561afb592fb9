"""The first-boot setup wizard (screens/setup.py), walked in Arabic and in English on the real
app under Xvfb: the technician's way in (a 5 s hold on attract.technician of an unprovisioned
kiosk); calibration changing px-per-mm, the targets' size following it, kept for the next
start; the keypad test with a remap that then works on a visitor screen (and after a restart);
the network check naming a wrong host, a refused port and a TLS failure in words; enrolment
against a real central on 127.0.0.1 with the code typed on the on-screen keyboard, the first
sync's progress reaching its end and the test submission in `kiosk-central
export-submissions`, marked as a test; and the summary saying what was set."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest

from kiosk.i18n import _
from kiosk.services.netcheck import MESSAGES as NET
from tests.helpers import KIOSK, ROOT, button, kiosk_env, last, shows, walk_ok
from tests.test_netcheck import self_signed_tls_server  # noqa: F401 - a fixture

LANGS = ["ar", "en"]
PREVIEW = "setup.preview"


def t(msgid: str, lang: str, **values) -> str:
    return _(msgid, lang).format(**values) if values else _(msgid, lang)


def width(report: dict, kiosk_id: str) -> float:
    return button(report, kiosk_id)["rect"][2]


@pytest.mark.parametrize("lang", LANGS)
def test_calibration_changes_px_per_mm_and_the_targets_follow(display, tmp_path, lang):
    home = tmp_path / "home"
    bar = 85.6 * 4.0 + 12 * 2  # the bar at the default 4 px/mm, 12 presses of 2 px longer
    ppm = round(bar / 85.6, 3)
    steps = [
        {"expect_screen": "attract"},
        {"tap": "attract.technician"},  # a tap only says how to get in
        {"expect_screen": "attract"},
        {"hold": "attract.technician", "s": 5.3},
        {"expect_screen": "setup"},
        {"expect_text": t("Setup, step {n} of {count}: {step}", lang, n=1, count=7,
                          step=_("Screen", lang))},
        {"report": True},
        *[{"tap": "setup.bar_longer"}] * 12,
        {"expect_text": t("The bar is {px} pixels long: {ppm} pixels per millimetre.", lang,
                          px=f"{bar:.0f}", ppm=f"{bar / 85.6:.3g}")},
        {"tap": "setup.save_size"},
        {"expect_text": t("Saved: {ppm} pixels per millimetre.", lang, ppm=f"{ppm:g}")},
        {"report": True},
    ]
    r = walk_ok(display, home, tmp_path, steps=steps, lang=lang)
    before, after = r["reports"][0], r["reports"][1]
    assert before["px_per_mm"] == 4.0 and after["px_per_mm"] == pytest.approx(ppm)
    # The 16 mm preview target, and every other control, at the new scale.
    assert width(before, PREVIEW) == pytest.approx(16 * 4.0, abs=0.5)
    assert width(after, PREVIEW) == pytest.approx(16 * ppm, abs=0.5)
    assert button(after, "setup.next")["rect"][3] > button(before, "setup.next")["rect"][3]
    saved = json.loads((home / "local-config.json").read_text(encoding="utf-8"))
    assert saved["px_per_mm"] == pytest.approx(ppm)
    # The next start (a visitor's screen) is drawn at the calibrated size.
    home_after = walk_ok(display, home, tmp_path, screen="home", lang=lang, steps=[
        {"expect_config": {"px_per_mm": ppm}, "within": 30}, {"report": True}])
    assert last(home_after)["px_per_mm"] == pytest.approx(ppm)


@pytest.mark.parametrize("lang", LANGS)
def test_keypad_test_and_a_remap_that_then_works_on_a_visitor_screen(display, tmp_path, lang):
    home = tmp_path / "home"
    odd = 291  # F10: what this keypad's Help key sends
    help_name = _("Help", lang)
    steps = [
        {"tap": "setup.skip"}, {"tap": "setup.skip"},
        {"expect_text": t("Setup, step {n} of {count}: {step}", lang, n=3, count=7,
                          step=_("Keypad", lang))},
        {"tap": "setup.keypad_start"},
        {"expect_text": t("Press {key} on the keypad.", lang, key=_("Up", lang))},
        {"key": "up"}, {"key": "down"}, {"key": "action"},
        {"expect_text": t("Press {key} on the keypad.", lang, key=help_name)},
        {"key": odd},
        {"expect_text": t("Key {code} arrived when {key} was asked for.", lang, code=odd,
                          key=help_name)},
        {"tap": "setup.remap"},
        {"expect_text": t("Press {key} on the keypad.", lang, key=_("Back", lang))},
        {"tap": "setup.keypad_stop"},
        {"expect_text": t("Saved: {what}.", lang, what=t("{key} is key {code}", lang,
                                                            key=help_name, code=odd))},
        {"report": True},
        # A visitor's screen: the remapped key opens help, the standard one still does too.
        {"call": "home"}, {"expect_screen": "home"},
        {"key": odd}, {"report": True},
    ]
    r = walk_ok(display, home, tmp_path, screen="setup", steps=steps, lang=lang)
    keypad, visitor = r["reports"][0], r["reports"][1]
    assert shows(keypad, t("key {code} arrived: works", lang, code=273))
    assert visitor["screen"] == "home" and visitor["overlay"] == "help"
    saved = json.loads((home / "local-config.json").read_text(encoding="utf-8"))
    assert saved["keys"]["help"][0] == odd
    # Kept in the device config: after a restart the key still opens help.
    again = walk_ok(display, home, tmp_path, screen="home", lang=lang, steps=[
        {"expect_config": {"keys": {"help": [odd, 283]}}, "within": 30}, {"key": odd},
        {"report": True}])
    assert last(again)["overlay"] == "help"


def refused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("lang", LANGS)
def test_the_network_check_names_a_wrong_host_a_refused_port_and_a_tls_failure(
        display, tmp_path, lang, self_signed_tls_server):  # noqa: F811
    port = refused_port()
    tls_port = self_signed_tls_server
    steps = [
        *[{"tap": "setup.skip"}] * 4,
        {"expect_text": t("Setup, step {n} of {count}: {step}", lang, n=5, count=7,
                          step=_("Network", lang))},
        {"type": "https://no-such-central.invalid"}, {"tap": "key.done"},
        {"expect_text": t(NET["dns_fail"], lang, host="no-such-central.invalid"),
         "within": 60},
        {"tap": "setup.clear_url"},
        {"type": f"http://127.0.0.1:{port}"}, {"tap": "key.done"},
        {"expect_text": t(NET["tcp_refused"], lang, port=port, host="127.0.0.1"),
         "within": 60},
        {"tap": "setup.clear_url"},
        {"type": f"https://localhost:{tls_port}"}, {"tap": "key.done"},
        {"expect_text": t(NET["tls_untrusted"], lang, host="localhost",
                          reason="self-signed certificate").split("(")[0],
         "within": 60},
        {"report": True},
    ]
    r = walk_ok(display, tmp_path / "home", tmp_path, screen="setup", steps=steps, lang=lang)
    assert shows(last(r), "self-signed certificate")


@pytest.mark.parametrize("lang", LANGS)
def test_provisioning_with_a_typed_code_first_sync_and_a_test_submission(
        display, tmp_path, lang, central_server):
    code = central_server.cli("enrollment-code").stdout.strip()
    home = tmp_path / "home"
    steps = [
        *[{"tap": "setup.skip"}] * 4,
        {"type": central_server.url}, {"tap": "key.done"},
        {"expect_text": t(NET["clock_ok"], lang, seconds=60), "within": 60},
        {"tap": "setup.next"},
        {"expect_text": t("Central: {url}", lang, url=central_server.url)},
        {"type": code.lower()}, {"tap": "key.done"},
        {"expect_text": _("Test submission {id} sent: staff see it marked as a test.",
                          lang).split("{id}")[1].strip(), "within": 180},
        {"report": True},
        {"tap": "setup.next"},
        {"expect_text": t("Summary", lang)},
        {"report": True},
    ]
    r = walk_ok(display, home, tmp_path, screen="setup", steps=steps, lang=lang)
    done, summary = r["reports"][0], r["reports"][1]
    creds = json.loads((home / "credentials.json").read_text(encoding="utf-8"))
    assert creds["api"] == central_server.url
    report = json.loads((home / "setup-report.json").read_text(encoding="utf-8"))
    prov = report["provision"]
    assert prov["device_id"] == creds["device_id"] and prov["test_submission_sent"] is True
    # The progress bar reached its end, counted in records, images and bytes.
    texts = [x["logical"] for x in done["texts"]]
    progress = next(x for x in texts if x.startswith("100 "))
    percent, records, records_total, images, images_total, received = \
        re.findall(r"[\d,]+\d|\d", progress)
    assert records == records_total and int(records_total) > 0, progress
    assert images == images_total and int(received.replace(",", "")) > 0, progress
    assert progress == t("{percent} %: records {r} of {rt}, images {i} of {it}, {bytes} bytes "
                         "received.", lang, percent=100, r=records, rt=records_total,
                         i=images, it=images_total, bytes=received)
    assert shows(done, t("Enrolled as {device}.", lang, device=creds["device_id"]))
    assert shows(done, t("Content version {version} is active.", lang,
                         version=prov["content_version"]))
    assert shows(summary, creds["device_id"])
    # Staff see it, marked as a test.
    exported = json.loads(central_server.cli("export-submissions", "--json").stdout)
    ours = [s for s in exported if s.get("id") == prov["test_submission"]]
    assert ours, f"test submission {prov['test_submission']} not exported: {exported[:3]}"
    assert ours[0].get("test") is True


def touch_centre(window: list[float], point: tuple[float, float]) -> list[float]:
    """Where the touch test draws a target (screens/setup.py, TouchTest.target_rect) at the
    tests' 4 px/mm: 16 mm square, 2 mm from the window's edges."""
    side, margin = 16 * 4.0, 2 * 4.0
    x = margin + point[0] * (window[0] - side - 2 * margin)
    y = margin + point[1] * (window[1] - side - 2 * margin)
    return [round(x + side / 2), round(y + side / 2)]


@pytest.mark.parametrize("lang", LANGS)
def test_touch_test_shows_misses_and_offsets_and_the_sound_test_keeps_the_answers(
        display, tmp_path, lang):
    from screens.setup import TOUCH_POINTS

    home = tmp_path / "home"
    first = walk_ok(display, home, tmp_path, screen="setup", lang=lang,
                    steps=[{"tap": "setup.skip"}, {"report": True}])
    window = last(first)["window"]
    touches = [{"touch_path": [touch_centre(window, p)]} for p in TOUCH_POINTS]
    # The last touch lands 30 mm to the right of the left edge's target: a miss.
    x, y = touches[-1]["touch_path"][0]
    touches[-1] = {"touch_path": [[x + 120, y]]}
    steps = [
        {"tap": "setup.skip"},
        {"tap": "setup.touch_start"},
        {"expect_spoken": t("Touch the target: {n} of {count}, {where}", lang, n=1, count=8,
                            where=_("top left", lang))},
        *touches,
        {"expect_text": t("{missed} of {count} targets missed.", lang, missed=1, count=8)},
        {"expect_text": t("{target}: {verdict}, {dx} mm across and {dy} mm up from its "
                          "centre.", lang, target=_("left edge", lang),
                          verdict=_("missed", lang), dx="+30", dy="+0")},
        {"tap": "setup.next"},
        {"expect_text": t("Setup, step {n} of {count}: {step}", lang, n=3, count=7,
                          step=_("Keypad", lang))},
        {"tap": "setup.skip"},
        {"tap": "setup.say_ar"},
        {"expect_spoken": _("This is the kiosk's test sentence. If you can hear it, the voice "
                            "works.", "ar")},
        {"tap": "setup.heard_ar_yes"},
        {"tap": "setup.say_en"},
        {"expect_spoken": "This is the kiosk's test sentence."},
        {"tap": "setup.heard_en_no"},
        *[{"tap": "setup.skip"}] * 2, {"tap": "setup.next"},
        {"expect_text": t("Setup, step {n} of {count}: {step}", lang, n=7, count=7,
                          step=_("Summary", lang))},
        {"report": True},
    ]
    r = walk_ok(display, home, tmp_path, screen="setup", steps=steps, lang=lang,
                speech=True)
    summary = last(r)
    assert shows(summary, f"{_('Arabic voice', lang)}: {_('heard', lang)}")
    assert shows(summary, f"{_('English voice', lang)}: {_('not heard', lang)}")
    assert shows(summary, t("{missed} of {count} targets missed.", lang, missed=1, count=8))
    assert shows(summary, _("Skipped", lang))  # the keypad step
    status = subprocess.run([*KIOSK, "status"], cwd=ROOT, env=kiosk_env(None, home),
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert "setup:    sound test: Arabic voice heard, English voice NOT heard" in status.stdout
    assert "setup:    touch test: 1 of 8 targets missed" in status.stdout


def inside(report: dict, width: float, height: float) -> list[str]:
    """The controls that stick out of a ``width`` x ``height`` window, or are under 16 mm."""
    out = []
    for b in report["buttons"]:
        x, y, w, h = b["rect"]
        if b["in_scroll"]:  # scrolled controls may be below the fold, never beside it
            ok = x >= -0.5 and x + w <= width + 0.5
        else:
            ok = x >= -0.5 and x + w <= width + 0.5 and y >= -0.5 and y + h <= height + 0.5
        if not ok or w < 16 * 4.0 - 0.5 or h < 16 * 4.0 - 0.5:
            out.append(f"{b['id']} at {b['rect']}")
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_landscape_chosen_in_the_wizard_turns_the_kiosk_and_its_screens_follow(
        display, tmp_path, lang):
    """The display output runs portrait (1080 x 1920, the walks' default); the technician says
    the screen is mounted landscape: the picture turns a quarter round at once, every control
    is laid out inside the 1920 x 1080 window, and the next start comes up in landscape."""
    home = tmp_path / "home"
    landscape = _("Landscape", lang)
    steps = [
        {"report": True},
        {"tap": "setup.landscape"},
        {"expect_spoken": t("{orientation} saved.", lang, orientation=landscape)},
        {"report": True},
        {"tap": "setup.next"}, *[{"tap": "setup.skip"}] * 5,
        {"expect_text": t("{orientation}, {ppm} pixels per millimetre.", lang,
                          orientation=landscape, ppm="4")},
        {"report": True},
    ]
    r = walk_ok(display, home, tmp_path, screen="setup", steps=steps, lang=lang, speech=True)
    before, after, summary = r["reports"][0], r["reports"][1], r["reports"][2]
    assert before["window"] == [1080, 1920]
    assert button(before, "setup.portrait")["selected"]
    assert after["window"] == [1920, 1080]
    assert button(after, "setup.landscape")["selected"]
    # The wizard itself, laid out again across the wider window.
    assert button(after, "setup.portrait")["rect"][2] > button(before, "setup.portrait")[
        "rect"][2]
    assert inside(after, 1920, 1080) == [] and inside(summary, 1920, 1080) == []
    saved = json.loads((home / "local-config.json").read_text(encoding="utf-8"))
    assert saved["orientation"] == "landscape"
    # The next start: a visitor's screens in landscape from their first frame.
    again = walk_ok(display, home, tmp_path, screen="home", lang=lang, steps=[
        {"expect_config": {"orientation": "landscape"}, "within": 30}, {"report": True},
        {"tap": "home.categories"}, {"report": True}])
    for report in again["reports"][:2]:
        assert report["window"] == [1920, 1080]
        assert inside(report, 1920, 1080) == [], report["screen"]


def test_the_audit_passes_on_a_kiosk_the_wizard_turned_to_landscape(display, tmp_path):
    """`kiosk audit` on the kiosk as the wizard left it: laid out in landscape, the technician
    screens and a visitor's, in every language, theme and text scale, with no failure."""
    home = tmp_path / "home"
    walk_ok(display, home, tmp_path, screen="setup", lang="en", steps=[
        {"tap": "setup.landscape"}, {"expect_text": "Landscape\nSelected"}])
    pages = ["home", "product", "setup:screen", "setup:network-failed", "setup:summary-done",
             "technician_pin:pad", "admin:panel"]
    proc = subprocess.run([*KIOSK, "audit", "--json", *[f"--screen={p}" for p in pages]],
                          cwd=ROOT, env=kiosk_env(display, home), capture_output=True,
                          text=True, timeout=900)
    report = json.loads(proc.stdout)
    found = [f"{f['screen']}/{f['lang']}/{f['theme']}/x{f['scale']} {f['widget']} "
             f"{f['check']}: {f['message']}" for f in report["failures"]]
    assert found == [] and proc.returncode == 0, "\n".join(found[:30])
    assert report["window"] == [1920, 1080]
    # The product screen is audited as its page and as its open full-screen picture.
    audited = [page for p in pages
               for page in (["product:page", "product:gallery"] if p == "product" else [p])]
    assert report["pages"] == audited
    assert report["counts"]["combinations_done"] == report["counts"]["combinations"] == \
        len(audited) * 22 + 2 * 3 * 2  # each page 22 times; the product page with Easy Read


@pytest.mark.parametrize("lang", LANGS)
def test_the_audits_states_of_a_step_show_it_as_a_technician_leaves_it_and_save_nothing(
        display, tmp_path, lang):
    """The pages `kiosk audit` measures the wizard's states on (registry.AUDIT_PAGES) are the
    step as a run of it leaves it, set in memory only."""
    from kiosk.services.netcheck import MESSAGES as NET_MESSAGES

    home = tmp_path / "home"
    failed = walk_ok(display, home, tmp_path, screen="setup:network-failed", lang=lang,
                     steps=[{"report": True}])
    assert shows(last(failed), t(NET_MESSAGES["tls_untrusted"], lang,
                                 host="central.example.om",
                                 reason="self-signed certificate"))
    keypad = walk_ok(display, home, tmp_path, screen="setup:keypad-mismatch", lang=lang,
                     steps=[{"report": True}])
    assert shows(last(keypad), t("Key {code} arrived when {key} was asked for.", lang,
                                 code=291, key=_("Help", lang)))
    assert button(last(keypad), "setup.remap")
    summary = walk_ok(display, home, tmp_path, screen="setup:summary-done", lang=lang,
                      steps=[{"report": True}])
    assert shows(last(summary), t("{missed} of {count} targets missed.", lang, missed=1,
                                  count=8))
    assert shows(last(summary), "kiosk-3f9c2a")
    assert not (home / "setup-report.json").exists()
    assert not (home / "local-config.json").exists()
    assert not (home / "credentials.json").exists()


def test_a_page_that_does_not_exist_is_refused_with_the_pages_there_are(tmp_path):
    script = tmp_path / "walk.json"
    script.write_text("[]", encoding="utf-8")
    for args in (["walk", str(script), "--out", str(tmp_path / "out"), "--screen",
                  "setup:nope"],
                 ["audit", "--screen", "setup:nope"],
                 ["screenshot", "setup:nope", "--out", str(tmp_path / "x.png")]):
        proc = subprocess.run([*KIOSK, *args], cwd=ROOT, env=kiosk_env(None, tmp_path / "h"),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode != 0, args
        assert proc.stderr.startswith("kiosk: the setup screen has no page 'nope'; its pages "
                                      "are screen, touch, touch-done, keypad,"), proc.stderr
        assert "network-failed" in proc.stderr and "Traceback" not in proc.stderr
