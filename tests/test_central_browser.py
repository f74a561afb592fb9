"""The staff admin in a real browser (Debian's chromium, driven by Playwright) against a live
central: axe-core finds no serious or critical violation on any staff page, in English and in
Arabic; an analyst switches to Arabic, answers a feedback item a kiosk sent and closes it, and
the audit log shows each step; the results page draws bars with their numbers and gives the
same numbers as CSV."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser import axe_source, axe_violations, launch, need_chromium
from tests.conftest import CentralDB, CentralServer, published_central

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    need_chromium()
    with published_central(tmp_path_factory.mktemp("browser_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        for user, role in (("fatma", "admin"), ("amal", "analyst")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def now_z(minutes_ago: int = 0) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00",
                                                                                     "Z")


def send(central: CentralServer, device: dict, items: list[dict]) -> list[dict]:
    from kiosk import protocol

    r = central.post("/api/v1/submissions", json={"items": items},
                     headers={**central.auth(device), protocol.RECEIPT_FIELDS_HEADER: "reference"})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def sign_in(page, central: CentralServer, user: str) -> None:
    page.goto(central.url + "/admin/login")
    page.locator("#username").fill(user)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(central.url + "/admin/")


def switch_language(page, to: str) -> None:
    page.locator(f"form.lang button[value={to}]").click()
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=to)


def test_no_serious_or_critical_axe_violation_on_any_staff_page_in_either_language(
        central, browser, axe):
    device = central.enroll(name="Mall kiosk", location="Muscat Grand Mall")
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "ar",
            "content_version": 1, "payload": {"kind": "suggestion", "text": "أضيفوا خط برايل"}}
    vote = {"id": str(uuid.uuid4()), "type": "poll_vote", "created_at": now_z(), "lang": "en",
            "content_version": 1, "payload": {"poll_id": "favourite", "option_id": "dates"}}
    send(central, device, [item, vote])
    pages = ["/admin/", "/admin/devices", f"/admin/devices/{device['device_id']}",
             "/admin/config", "/admin/content", "/admin/content/products/khalas-dates",
             "/admin/submissions", f"/admin/submissions/{item['id']}", "/admin/audit",
             "/admin/polls", "/admin/polls?from=2026-01-01&to=2030-12-31", "/admin/usage",
             "/admin/votes",
             "/admin/content/products/no-such-product"]
    found: dict[str, list] = {}
    checked = 0
    # The check itself can fail: a picture without a text alternative is a critical violation.
    context = browser.new_context(bypass_csp=True)
    probe = context.new_page()
    probe.goto(central.url + "/admin/login")
    probe.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                   "'<img src=\"/healthz\">')")
    assert [v["id"] for v in axe_violations(probe, axe)] == ["image-alt"]
    context.close()
    for lang in ("en", "ar"):
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        page = context.new_page()
        page.goto(central.url + "/admin/login")
        if lang == "ar":
            switch_language(page, "ar")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        found[f"{lang} /admin/login"] = axe_violations(page, axe)
        sign_in(page, central, "fatma")
        for path in pages:
            status = page.goto(central.url + path).status
            assert status == (404 if "no-such" in path else 200), (path, status)
            assert page.locator("html").get_attribute("lang") == lang, path
            found[f"{lang} {path}"] = axe_violations(page, axe)
            checked += 1
        context.close()
    assert checked == 2 * len(pages)
    assert {k: v for k, v in found.items() if v} == {}


def test_an_analyst_answers_and_closes_kiosk_feedback_in_arabic_and_the_audit_log_shows_it(
        central, browser):
    device = central.enroll(name="Library kiosk", location="Nizwa library")
    text = f"الشاشة بعيدة عن الكرسي المتحرك {uuid.uuid4().hex[:6]}"
    item = {"id": str(uuid.uuid4()), "type": "accessibility", "created_at": now_z(),
            "lang": "ar", "content_version": 1, "payload": {"text": text}}
    [result] = send(central, device, [item])
    ref = result["receipt"]["reference"]
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, central, "amal")
    switch_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "نظرة عامة"

    # The item, found by the reference a visitor would read out.
    page.get_by_role("link", name="الملاحظات").click()
    page.get_by_label("البحث بالرقم المرجعي").fill(ref.replace("-", ""))
    page.locator("form[action='/admin/submissions/find'] button").click()
    page.wait_for_url(re.compile(r"/admin/submissions/" + item["id"]))
    assert page.locator("#said").inner_text().strip() == text
    assert page.locator("#state").inner_text().startswith("جديد")

    page.get_by_role("button", name="أسنده إليّ").click()
    assert page.get_by_role("status").inner_text() == "حُفظ الإسناد."
    assert page.locator("#assigned").inner_text() == "amal"
    assert page.locator("#state").inner_text().startswith("قيد المعالجة")

    reply = "شكرًا لك، سننقل الشاشة إلى ارتفاع مناسب هذا الأسبوع."
    page.get_by_label("الرد على الزائر").fill(reply)
    page.get_by_role("button", name="احفظ الرد (يصير البند مُجابًا)").click()
    assert page.get_by_role("status").inner_text() == "حُفظ الرد؛ وصار البند مُجابًا."
    assert page.locator("#reply").inner_text() == reply
    assert page.locator("#state").inner_text().startswith("مُجاب")

    page.get_by_label("غيّر الحالة إلى").select_option(label="مغلق")
    page.get_by_role("button", name="غيّر الحالة", exact=True).click()
    assert page.get_by_role("status").inner_text() == "تغيرت الحالة."
    assert page.locator("#state").inner_text().startswith("مغلق")

    # The audit log: each step, by whom, in Arabic.
    page.get_by_role("link", name="سجل التدقيق").click()
    page.wait_for_url(central.url + "/admin/audit")
    assert page.locator("h1").inner_text() == "سجل التدقيق"
    rows = page.locator("tbody tr").filter(has=page.locator(
        f"a[href='/admin/submissions/{item['id']}']"))
    steps = [(r.locator("td").nth(1).inner_text(), r.locator("td").nth(2).inner_text())
             for r in rows.all()]
    # Newest first.
    assert steps == [("amal", "تغيرت الحالة"), ("amal", "رُدّ عليه"), ("amal", "أُسند")], steps
    assert "answered -> closed" in rows.first.inner_text()
    # The language stays chosen: a new page, and the sign-in page after signing out.
    page.goto(central.url + "/admin/submissions?status=closed")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert ref in page.locator("table").inner_text()
    page.get_by_role("button", name="تسجيل الخروج").click()
    page.wait_for_url(re.compile(r"/admin/login"))
    assert page.locator("h1").inner_text() == "تسجيل الدخول"
    context.close()


def test_results_show_bars_with_numbers_per_location_and_period_and_export_csv(
        central, browser):
    sohar = central.enroll(name="Sohar kiosk", location="Sohar port")
    other = central.enroll(name="Salalah kiosk", location="Salalah souq")
    # A minute apart, as visitors vote at one kiosk (faster votes are held, not counted).
    send(central, sohar, [{"id": str(uuid.uuid4()), "type": "poll_vote",
                           "created_at": now_z(minutes_ago=i), "lang": "ar",
                           "content_version": 1,
                           "payload": {"poll_id": "favourite", "option_id": o}}
                          for i, o in enumerate(("halwa", "halwa", "halwa", "incense"))])
    send(central, sohar, [{"id": str(uuid.uuid4()), "type": "survey", "created_at": now_z(),
                           "lang": "en", "content_version": 1,
                           "payload": {"survey_id": "satisfaction", "answers": {"overall": a}}}
                          for a in ("5", "5", "4")])
    send(central, other, [{"id": str(uuid.uuid4()), "type": "poll_vote", "created_at": now_z(),
                           "lang": "en", "content_version": 1,
                           "payload": {"poll_id": "favourite", "option_id": "dates"}}])
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, central, "amal")
    page.get_by_role("link", name="Results").click()
    page.get_by_label("Kiosk location").select_option(label="Sohar port")
    page.get_by_label("From (day)").fill("2026-01-01")
    page.get_by_label("To (day, included)").fill("2030-12-31")
    page.locator("form.filters button").click()
    page.wait_for_url(re.compile(r"location=Sohar"))
    poll = page.locator("table.chart").first
    assert poll.locator("caption").inner_text() == "4 votes"
    halwa = poll.locator("tr", has_text="Halwa")
    assert halwa.locator("td").nth(0).inner_text() == "3"
    assert halwa.locator(".bar-text").inner_text() == "75 %"
    width = halwa.locator(".bar").evaluate("e => e.getBoundingClientRect().width")
    incense = poll.locator("tr", has_text="Frankincense").locator(".bar").evaluate(
        "e => e.getBoundingClientRect().width")
    assert width > 2.5 * incense > 0  # 75 % against 25 %: the bar is drawn to its share
    survey = page.locator("table.chart").nth(1)
    assert survey.locator("caption").inner_text() == "3 answers"
    assert survey.locator("tr", has_text="5 /").locator(".bar-text").inner_text() == "67 %"

    with page.expect_download() as dl:
        page.get_by_role("link", name="Download these results (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text("utf-8"))))
    halwa_row = next(r for r in rows if r["kind"] == "poll" and r["option"] == "halwa")
    assert (halwa_row["count"], halwa_row["percent"], halwa_row["location"]) == \
        ("3", "75", "Sohar port")
    assert not any(r["option"] == "dates" and r["count"] != "0" for r in rows
                   if r["kind"] == "poll")  # Salalah's vote is at another location

    # A period before any vote: nothing counted, in Arabic too.
    switch_language(page, "ar")
    page.goto(central.url + "/admin/polls?from=2026-01-01&to=2026-01-02&location=Sohar+port")
    assert page.locator("table.chart").first.locator("caption").inner_text() == "لا أصوات"
    page.goto(central.url + "/admin/polls?from=2026-02-01&to=2026-01-01")
    assert "تنتهي المدة قبل أن تبدأ" in page.get_by_role("alert").inner_text()
    context.close()
