"""Publishing in a real browser (Debian's chromium, driven by Playwright) against a live
central, in Arabic: a publisher schedules a publish for a few seconds ahead (Muscat time), which
goes out at its time; rolls kiosks back to version 1 (a new, higher version); checks an import
file whose bad rows are listed row by row; and reads each step in the content audit log. An
editor's browser gets 403 on each of these pages. axe-core finds no serious or critical
violation in the pages' own content, in either language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser import AXE_TAGS, BLOCKING, axe_source, launch, need_chromium
from tests.conftest import CentralDB, CentralServer, published_central
from tests.test_central_cms import PASSWORD, form_fields, get, post
from tests.test_central_cms import sign_in as http_sign_in
from tests.test_central_publishing import (
    manifest_version,
    publish_product_name,
    wait_for_version_above,
)

MUSCAT = ZoneInfo("Asia/Muscat")
PAGES = ("/cms/kiosks/publish/", "/cms/kiosks/rollback/", "/cms/kiosks/import/",
         "/cms/kiosks/audit/")


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    need_chromium()
    with published_central(tmp_path_factory.mktemp("publish_browser_home"),
                           central_catalogue_dir, {"CENTRAL_SCHEDULE_POLL_S": "0.3"},
                           db=module_central_db) as server:
        for user, role in (("pat", "publisher"), ("edna", "editor")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        server.cli("cms-import")
        yield server


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def set_cms_language(central: CentralServer, user: str, lang: str) -> None:
    """Wagtail's Account -> Preferred language, as the account form posts it."""
    s = http_sign_in(central, user)
    fields = form_fields(get(s, central, "/cms/account/").text)
    fields.update({"name_email-first_name": user.title(), "name_email-last_name": "Staff",
                   "locale-preferred_language": lang})
    r = post(s, central, "/cms/account/", data=fields, allow_redirects=False)
    assert r.status_code == 302, r.text[:500]


def sign_in(page, central: CentralServer, user: str) -> None:
    page.goto(central.url + "/admin/login?next=/cms/")
    page.locator("#username").fill(user)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cms/$"))


def content_violations(page, source: str) -> list[dict]:
    """axe-core on the page's own content (Wagtail's frame around it is Wagtail's)."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "async (tags) => await axe.run({include: [['main']]}, "
        "{runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]


def test_an_editors_browser_gets_403_on_the_publishing_pages(central, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, central, "edna")
    for path in PAGES:
        response = page.goto(central.url + path)
        assert response.status == 403, path
        assert "only a publisher or an admin can" in page.locator("main").inner_text()
    context.close()


def test_a_publisher_schedules_rolls_back_checks_an_import_and_reads_the_audit_in_arabic(
        central, browser, tmp_path):
    device = central.enroll("browser kiosk")
    first = manifest_version(central, device)
    set_cms_language(central, "pat", "en")
    http = http_sign_in(central, "pat")
    publish_product_name(http, central, "Khalas dates", "Khalas dates, from the browser")
    set_cms_language(central, "pat", "ar")

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, central, "pat")
    page.goto(central.url + "/cms/kiosks/publish/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "جدولة النشر إلى الأكشاك" in page.locator("main").inner_text()
    # What the publish changes, in Arabic: the kind's name and the product's Arabic name (its
    # English one is what was changed).
    products = page.locator("tr[data-kind=product]")
    kind = products.locator("th").inner_text()
    assert kind != "product" and re.search("[\u0600-\u06ff]", kind), kind
    changed = products.locator("td.changed bdi").all_inner_texts()
    assert len(changed) == 1 and re.search("[\u0600-\u06ff]", changed[0]), changed

    # Scheduled a few seconds ahead, typed in Muscat time.
    due = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
    local = due.astimezone(MUSCAT)
    page.get_by_label("النشر في (بتوقيت مسقط)").fill(local.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_label("ملاحظة (اختيارية)").fill("موسم جديد")
    page.get_by_role("button", name="جدوِل", exact=True).click()
    page.wait_for_load_state()
    shown = local.strftime("%Y-%m-%d %H:%M:%S")
    assert f"جُدول النشر إلى الأكشاك في {shown}" in page.locator("body").inner_text()
    row = page.locator("#schedules tr[data-state=pending]")
    assert row.count() == 1 and shown in row.inner_text() and "في الانتظار" in row.inner_text()
    assert row.locator("time").get_attribute("datetime") == due.strftime("%Y-%m-%d %H:%M:%SZ")

    version = wait_for_version_above(central, device, first)
    page.reload()
    done = page.locator("#schedules tr[data-state=published]")
    assert done.count() == 1 and f"الإصدار {version}" in done.inner_text()

    # Rolled back to version 1: a new, higher version.
    page.goto(central.url + "/cms/kiosks/rollback/")
    page.get_by_role("button", name=f"ارجع إلى الإصدار {first}").click()
    page.wait_for_load_state()
    assert (f"نُشر الإصدار {version + 1} بمحتوى الإصدار {first}"
            in page.locator("body").inner_text())
    assert manifest_version(central, device) == version + 1

    # An import file with a bad row: listed, nothing applied.
    bad = tmp_path / "products.csv"
    bad.write_text("record_id,code,name_en\nkhalas-dates,MIO-001,Khalas dates\n"
                   "new-one,bad code,New one\n", encoding="utf-8")
    page.goto(central.url + "/cms/kiosks/import/")
    page.get_by_label("الملف المراد فحصه (CSV أو XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="افحص الملف").click()
    page.wait_for_load_state()
    assert "في صف واحد أخطاء: لم يُطبَّق شيء" in page.locator("#import-verdict").inner_text()
    # Row 3 (a new product) has a malformed code and lacks what a new product needs; row 2
    # is fine.
    bad_rows = page.locator("#import-rows tr.bad")
    assert {r.get_attribute("data-row") for r in bad_rows.all()} == {"3"}
    problems = {r.locator("code").inner_text(): r.locator("td").nth(3).inner_text()
                for r in bad_rows.all()}
    assert problems["code"].startswith("ليس بالشكل الصحيح")
    assert problems["name_ar"] == "ناقص" and problems["category"] == "ناقص"
    assert page.locator("#import-rows tr[data-row='2']").locator("td").nth(1).inner_text() \
        == "دون تغيير"
    assert page.locator("#import-apply").count() == 0

    # The audit log: each step, by whom, in Arabic.
    page.goto(central.url + "/cms/kiosks/audit/")
    rows = page.locator("#audit tbody tr")
    steps = {(r.get_attribute("data-action"), r.locator("td").nth(1).inner_text(),
              r.locator("td").nth(2).inner_text()) for r in rows.all()}
    for expected in (("schedule", "pat", "جدول نشرًا"),
                     ("scheduled_publish", "pat", "نُفّذ النشر المجدول"),
                     ("rollback", "pat", "أرجع إلى إصدار سابق"),
                     ("wagtail.publish", "pat", "نشر في نظام إدارة المحتوى (وافق)")):
        assert expected in steps, (expected, sorted(steps))
    context.close()


def test_no_serious_or_critical_axe_violation_on_the_publishing_pages(central, browser):
    source = axe_source()
    found: dict[str, list] = {}
    for lang in ("en", "ar"):
        set_cms_language(central, "pat", lang)
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        sign_in(page, central, "pat")
        for path in PAGES:
            assert page.goto(central.url + path).status == 200
            assert page.locator("html").get_attribute("lang") == lang
            found[f"{lang} {path}"] = content_violations(page, source)
        context.close()
    assert {k: v for k, v in found.items() if v} == {}
