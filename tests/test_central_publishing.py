"""Publishing for staff, through real HTTP against a live central (and real kiosks syncing
from it): a publish scheduled for a time goes out then, once, whoever else looks for due
schedules at the same moment; a rollback gives kiosks a higher version with the old content
(from the CMS page and from `kiosk-central rollback --to V`); products are exported and
imported as CSV and XLSX, a file with bad rows is reported row by row and applied not at all;
an editor gets 403 on each of these pages; the content audit log shows every step."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import REPO, CentralDB, CentralServer, published_central
from tests.test_central_cms import (
    PASSWORD,
    _cell,
    form_fields,
    get,
    pk_in_listing,
    post,
    released_catalogue,
    sign_in,
)

MUSCAT = ZoneInfo("Asia/Muscat")
DEADLINE_S = 90.0  # the longest a scheduled publish may take to show (a loaded machine)


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("publishing_home"), central_catalogue_dir,
                           {"CENTRAL_SCHEDULE_POLL_S": "0.3"},
                           db=module_central_db) as server:
        for user, role in (("edna", "editor"), ("pat", "publisher")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        server.cli("cms-import")
        yield server


@pytest.fixture(scope="module")
def publisher(central):
    return sign_in(central, "pat")


@pytest.fixture(scope="module")
def device(central):
    """One enrolled kiosk, kept across tests (as a real one is)."""
    return central.enroll("publishing test kiosk")


def kiosk(central: CentralServer, home: Path) -> KioskDevice:
    code = central.cli("enrollment-code").stdout.strip()
    dev = KioskDevice(KioskPaths(home))
    dev.provision(central.url, code, name="publishing kiosk")
    return dev


def manifest_version(central: CentralServer, device: dict) -> int:
    r = central.get("/api/v1/manifest", headers=central.auth(device))
    assert r.status_code == 200, r.text
    return r.json()["manifest"]["version"]


def wait_for_version_above(central: CentralServer, device: dict, version: int) -> int:
    """Poll the manifest (what kiosks do) until central serves a version above ``version``."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        now = manifest_version(central, device)
        if now > version:
            return now
        assert time.monotonic() < deadline, f"version {version} still served after " \
                                            f"{DEADLINE_S} s:\n{central.log_path.read_text()[-3000:]}"
        time.sleep(0.1)  # polling interval while awaiting the publish, not a fixed wait


def csrf(s: requests.Session) -> str:
    return s.cookies.get("mio_csrf", "")


def send(s: requests.Session, central: CentralServer, path: str, **data) -> requests.Response:
    """A form post as the CMS's pages make it (the CSRF token with it)."""
    return post(s, central, path, data={"csrfmiddlewaretoken": csrf(s), **data},
                headers={"Referer": central.url + path})


def publish_product_name(s, central, product_text: str, name_en: str) -> None:
    """A publisher changes a product's English name and publishes it in the CMS (live)."""
    pk = pk_in_listing(s, central, "/cms/snippets/cms/product/", product_text)
    url = f"/cms/snippets/cms/product/edit/{pk}/"
    fields = form_fields(get(s, central, url).text)
    fields.update(name_en=name_en, **{"action-publish": "publish"})
    r = post(s, central, url, data=fields)
    assert r.status_code == 200 and "published" in r.text, r.text[:800]


def publish_now(s, central) -> int:
    page = get(s, central, "/cms/kiosks/publish/")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    r = send(s, central, "/cms/kiosks/publish/", fingerprint=fingerprint)
    return int(re.search(r"Version (\d+) is published", r.text).group(1))


def muscat_text(t: datetime) -> str:
    return t.astimezone(MUSCAT).strftime("%Y-%m-%dT%H:%M:%S")


def schedule_rows(html: str) -> dict[str, str]:
    """schedule id -> state, from the publish page's list."""
    return dict(re.findall(r'<tr data-schedule="(\d+)" data-state="(\w+)">', html))


def release_count(central: CentralServer) -> int:
    svc = central.service()
    try:
        return len(svc.list_releases(limit=1000))
    finally:
        svc.close()


# ---------------------------------------------------------------------------------------------
# Roles


def test_an_editor_gets_403_on_schedule_rollback_import_export_and_the_audit_log(central):
    editor = sign_in(central, "edna")
    get(editor, central, "/cms/")  # the CSRF cookie
    for path in ("/cms/kiosks/publish/", "/cms/kiosks/rollback/", "/cms/kiosks/import/",
                 "/cms/kiosks/export.csv", "/cms/kiosks/export.xlsx", "/cms/kiosks/audit/"):
        r = get(editor, central, path, allow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
        assert "only a publisher or an admin can" in r.text, path
    before = release_count(central)
    for path, data in (("/cms/kiosks/schedule/", {"due_at": muscat_text(
            datetime.now(UTC) + timedelta(minutes=5))}),
                       ("/cms/kiosks/rollback/", {"version": "1"}),
                       ("/cms/kiosks/schedule/1/cancel/", {}),
                       ("/cms/kiosks/import/", {"step": "apply", "digest": "0" * 64})):
        r = send(editor, central, path, **data)
        assert r.status_code == 403, (path, r.status_code, r.text[:300])
    r = post(editor, central, "/cms/kiosks/import/",
             data={"csrfmiddlewaretoken": csrf(editor), "step": "check"},
             files={"file": ("p.csv", b"record_id\nx\n", "text/csv")},
             headers={"Referer": central.url + "/cms/kiosks/import/"})
    assert r.status_code == 403
    assert release_count(central) == before
    publisher = sign_in(central, "pat")
    assert "No publish is scheduled." in get(publisher, central, "/cms/kiosks/publish/").text


# ---------------------------------------------------------------------------------------------
# Scheduled publishing


def test_a_scheduled_publish_goes_out_at_its_time_and_a_kiosk_syncs_it(
        central, publisher, device, tmp_path):
    dev = kiosk(central, tmp_path / "kiosk")
    try:
        dev.sync()
        before = dev.store.active_version()
        assert before == manifest_version(central, device)
        publish_product_name(publisher, central, "Khalas dates", "Khalas dates, new season")
        # A schedule cancelled before its time never runs. Its time is far enough ahead that a
        # busy machine's page still shows it pending, and the next one's comes after it, so
        # the test sees the cancelled time pass.
        soon = datetime.now(UTC) + timedelta(seconds=12)
        r = send(publisher, central, "/cms/kiosks/schedule/", due_at=muscat_text(soon),
                 note="cancelled one")
        assert r.status_code == 200 and "is scheduled for" in r.text, r.text[:500]
        [cancelled] = [i for i, s in schedule_rows(r.text).items() if s == "pending"]
        r = send(publisher, central, f"/cms/kiosks/schedule/{cancelled}/cancel/")
        assert "The scheduled publish is cancelled." in r.text
        assert schedule_rows(r.text)[cancelled] == "cancelled"

        due = (max(datetime.now(UTC) + timedelta(seconds=8), soon + timedelta(seconds=2))
               + timedelta(seconds=1)).replace(microsecond=0)
        r = send(publisher, central, "/cms/kiosks/schedule/", due_at=muscat_text(due),
                 note="new season")
        assert r.status_code == 200
        shown = due.astimezone(MUSCAT).strftime("%Y-%m-%d %H:%M:%S")
        assert f"is scheduled for {shown} (Muscat time)" in r.text
        pending = [i for i, s in schedule_rows(r.text).items() if s == "pending"]
        assert len(pending) == 1
        # Stored as UTC: the time typed in Muscat, four hours earlier.
        assert f'datetime="{due:%Y-%m-%d %H:%M:%S}Z"' in r.text
        assert manifest_version(central, device) == before  # not before its time

        version = wait_for_version_above(central, device, before)
        assert version == before + 1
        page = get(publisher, central, "/cms/kiosks/publish/")
        assert schedule_rows(page.text)[pending[0]] == "published"
        assert schedule_rows(page.text)[cancelled] == "cancelled"
        assert "Kiosks already have exactly this content" in page.text
        assert release_count(central) == version  # exactly one publish came of it

        result = dev.sync()
        assert result.outcome == "updated" and dev.store.active_version() == version
        assert dev.store.product("khalas-dates").product.name.en == "Khalas dates, new season"
    finally:
        dev.close()


def edit_url(s, central, model: str, text: str) -> str:
    listing = get(s, central, f"/cms/snippets/cms/{model}/").text
    m = re.search(rf'href="[^"]*/{model}/edit/(\d+)/[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*'
                  + re.escape(text), listing)
    assert m, f"{text!r} is not in the {model} list"
    return f"/cms/snippets/cms/{model}/edit/{m.group(1)}/"


def test_a_records_go_live_and_expiry_times_reach_kiosks_with_a_publish_scheduled_after_them(
        central, publisher, device):
    """Wagtail's "Set schedule" on a record: a new FAQ answer goes live in the CMS at its time
    and a news item expires at its time; a publish to kiosks scheduled just after carries
    both."""
    # Far enough ahead for the two edits and the check below on a loaded machine.
    go_live = (datetime.now(UTC) + timedelta(seconds=15)).replace(microsecond=0)
    faq = edit_url(publisher, central, "faq", "What is the mark")
    fields = form_fields(get(publisher, central, faq).text)
    fields.update(answer_en="A sign that the product was made in Oman.",
                  go_live_at=f"{go_live:%Y-%m-%d %H:%M:%S}", **{"action-publish": "publish"})
    r = post(publisher, central, faq, data=fields)
    assert r.status_code == 200 and "scheduled" in r.text, r.text[:800]

    news = edit_url(publisher, central, "news", "Expo opens")
    fields = form_fields(get(publisher, central, news).text)
    fields.update(expire_at=f"{go_live:%Y-%m-%d %H:%M:%S}", **{"action-publish": "publish"})
    r = post(publisher, central, news, data=fields)
    assert r.status_code == 200 and "published" in r.text, r.text[:800]

    # Before their time the CMS's live content, and so a publish now, has neither.
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert datetime.now(UTC) < go_live, "the edits took longer than the test allows"
    assert "what-is-mark" not in _cell(page.text, "faq", "changed")
    assert "expo" not in _cell(page.text, "news", "retired")

    before = manifest_version(central, device)
    due = go_live + timedelta(seconds=2)
    r = send(publisher, central, "/cms/kiosks/schedule/", due_at=muscat_text(due),
             note="after the FAQ goes live")
    assert r.status_code == 200 and "is scheduled for" in r.text, r.text[:500]
    version = wait_for_version_above(central, device, before)

    released = released_catalogue(central)
    assert released.version == version
    assert released.records["faq"]["what-is-mark"]["answer"]["en"] == \
        "A sign that the product was made in Oman."
    assert "expo" not in released.records.get("news", {})
    # The content audit log tells each step.
    history = get(publisher, central, "/cms/kiosks/audit/").text
    for step in ("set to go live later", "went live at its scheduled time",
                 "expired at its scheduled time"):
        assert step in history, step


def test_a_time_that_has_passed_or_is_not_a_time_is_refused(central, publisher):
    past = datetime.now(UTC) - timedelta(hours=1)
    r = send(publisher, central, "/cms/kiosks/schedule/", due_at=muscat_text(past))
    assert "That time has passed" in r.text
    r = send(publisher, central, "/cms/kiosks/schedule/", due_at="tomorrow at noon")
    assert "The time is not a date and time" in r.text
    assert not [s for s in schedule_rows(r.text).values() if s == "pending"]


_RACE = """
import json, os, sys, threading
from datetime import timedelta
from central.config import load_settings
from central.service import Central
from central.cms import publishing
from central.db import utcnow

central = Central(load_settings())
row = publishing.schedule(central, utcnow() + timedelta(milliseconds=200), "pat", "race")
barrier = threading.Barrier(4)
out = []

def claim():
    from central import db
    barrier.wait()
    while publishing.utcnow() < row.due_at:
        pass
    out.extend(o.state for o in publishing.run_due(central))
    db.fresh_connections()

threads = [threading.Thread(target=claim) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"id": row.id, "outcomes": out}))
"""


def test_a_due_schedule_is_published_once_by_however_many_processes_look(
        central, publisher, device):
    before = manifest_version(central, device)
    publish_product_name(publisher, central, "Khalas dates", "Khalas dates, raced")
    # Four threads of another process, a cron run, and the server's own scheduler, all at once.
    race = subprocess.Popen([sys.executable, "-c", _RACE], cwd=REPO, env=central.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cron = central.cli("publish-scheduled", check=False)
    out, err = race.communicate(timeout=300)
    assert race.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert cron.returncode == 0, cron.stderr
    version = wait_for_version_above(central, device, before)
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert schedule_rows(page.text)[str(result["id"])] == "published"
    assert release_count(central) == version == before + 1
    # Whoever won, it is one publish: at most one claimer in the other process published.
    assert result["outcomes"].count("published") <= 1
    assert "unchanged" not in result["outcomes"]


# ---------------------------------------------------------------------------------------------
# Rollback


def test_a_rollback_gives_kiosks_a_higher_version_with_the_old_content(
        central, publisher, device, tmp_path):
    dev = kiosk(central, tmp_path / "kiosk")
    try:
        old_version = manifest_version(central, device)
        dev.sync()
        old_name = dev.store.product("khalas-dates").product.name.en
        publish_product_name(publisher, central, "Khalas dates", "Khalas dates, mistake")
        bad = publish_now(publisher, central)
        dev.sync()
        assert dev.store.product("khalas-dates").product.name.en == "Khalas dates, mistake"

        page = get(publisher, central, "/cms/kiosks/rollback/")
        assert page.status_code == 200
        assert f'<tr data-version="{old_version}">' in page.text
        assert f"Roll back to version {old_version}" in page.text
        assert f"Roll back to version {bad}" not in page.text  # what kiosks have now
        r = send(publisher, central, "/cms/kiosks/rollback/", version=str(old_version))
        m = re.search(r"Version (\d+) is published with the content of version (\d+)", r.text)
        assert m, r.text[:1000]
        rolled = int(m.group(1))
        assert rolled == bad + 1 and int(m.group(2)) == old_version
        assert manifest_version(central, device) == rolled

        result = dev.sync()
        assert result.outcome == "updated" and dev.store.active_version() == rolled
        assert dev.store.product("khalas-dates").product.name.en == old_name
        # The CMS follows: nothing to publish, and the product's live name is the old one.
        page = get(publisher, central, "/cms/kiosks/publish/")
        assert "Kiosks already have exactly this content" in page.text

        # From the command line, forward again to the "mistake".
        res = central.cli("rollback", "--to", str(bad), "--by", "pat")
        again = int(res.stdout.strip())
        assert again == rolled + 1
        assert f"with the content of version {bad}" in res.stderr
        dev.sync()
        assert dev.store.active_version() == again
        assert dev.store.product("khalas-dates").product.name.en == "Khalas dates, mistake"
        # No version to roll back to: a sentence, and no publish.
        res = central.cli("rollback", "--to", "9999", check=False)
        assert res.returncode == 1 and "there is no version 9999" in res.stderr
        assert manifest_version(central, device) == again
    finally:
        dev.close()


# ---------------------------------------------------------------------------------------------
# Import and export


def export_csv(s, central) -> list[dict[str, str]]:
    r = get(s, central, "/cms/kiosks/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def upload(s, central, name: str, data: bytes, ctype: str = "text/csv") -> requests.Response:
    return post(s, central, "/cms/kiosks/import/",
                data={"csrfmiddlewaretoken": csrf(s), "step": "check"},
                files={"file": (name, data, ctype)},
                headers={"Referer": central.url + "/cms/kiosks/import/"})


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for row in rows:
        ws.append(list(row.values()))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_rows(html: str) -> list[tuple[str, str, str]]:
    """(row, column, problem) of each bad row in the import report."""
    return [(n, col, re.sub(r"<[^>]+>", "", problem).strip()) for n, col, problem in re.findall(
        r'<tr class="bad" data-row="(\d+)">.*?<td><code>([^<]*)</code></td><td>(.*?)</td></tr>',
        html, re.S)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_import_with_bad_rows_is_reported_row_by_row_and_applies_none(
        central, publisher, fmt):
    exported = export_csv(publisher, central)
    assert exported and list(exported[0]) == [
        "record_id", "code", "name_ar", "name_en", "description_ar", "description_en",
        "category", "manufacturer", "governorate", "certifications", "portal_url"]
    first = dict(exported[0])
    good_change = {**first, "name_en": first["name_en"] + " (imported)"}
    bad_code = {**first, "record_id": "new-bad-code", "code": "not a code"}
    bad_category = {**first, "record_id": "new-bad-category", "category": "no-such-category"}
    duplicate = {**good_change}
    rows = [good_change, bad_code, bad_category, duplicate]
    data = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
    r = upload(publisher, central, f"products.{fmt}", data)
    assert r.status_code == 422, r.text[:1000]
    bad = report_rows(r.text)
    assert [(n, c) for n, c, _ in bad] == [("3", "code"), ("4", "category"),
                                             ("5", "record_id")], bad
    assert "Capital letters, digits" in bad[0][2]
    assert "no-such-category" in bad[1][2]
    assert "row 2 too" in bad[2][2]
    assert "3 rows have problems: nothing was applied" in r.text
    assert 'id="import-apply"' not in r.text  # no way to apply it
    # Applying anyway (a forged post) applies nothing either.
    r = send(publisher, central, "/cms/kiosks/import/", step="apply", digest="0" * 64)
    assert "Upload the file again" in r.text
    after = {row["record_id"]: row for row in export_csv(publisher, central)}
    assert after[first["record_id"]]["name_en"] == first["name_en"]
    assert "new-bad-code" not in after and "new-bad-category" not in after


def test_a_good_import_makes_drafts_and_the_export_neutralises_formulas(central, publisher):
    exported = export_csv(publisher, central)
    first = dict(exported[0])
    changed = {**first, "name_en": first["name_en"] + " (spreadsheet)"}
    new = {**first, "record_id": "imported-halwa", "code": "MIO-HW-0099",
           "name_ar": "حلوى مستوردة", "name_en": "=HYPERLINK(\"https://evil.example\")",
           "certifications": ""}
    r = upload(publisher, central, "products.csv", to_csv([changed, new]))
    assert r.status_code == 200, r.text[:1500]
    assert report_rows(r.text) == []
    assert "No problems found" in r.text and "will be created" in r.text
    assert "will be changed" in r.text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', r.text).group(1)
    r = send(publisher, central, "/cms/kiosks/import/", step="apply", digest=digest)
    assert r.status_code == 200
    assert "Applied as drafts: 1 new, 1 changed, 0 unchanged" in r.text, r.text[:1500]

    # Drafts: kiosks do not have them; the publish page holds the new one back.
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert "imported-halwa" not in page.text.split("Not sent:", 1)[0]
    # The export has the drafts, the formula neutralised in CSV and text in XLSX.
    rows = {row["record_id"]: row for row in export_csv(publisher, central)}
    assert rows[first["record_id"]]["name_en"] == changed["name_en"]
    assert rows["imported-halwa"]["name_en"] == "'" + new["name_en"]
    from openpyxl import load_workbook

    x = get(publisher, central, "/cms/kiosks/export.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    cells = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    name = cells["imported-halwa"][3]
    assert name.value == new["name_en"] and name.data_type == "s"
    # The exported CSV imports back with nothing to change (the ' is taken off again).
    r = upload(publisher, central, "again.csv", get(publisher, central,
                                                    "/cms/kiosks/export.csv").content)
    assert r.status_code == 200 and "will be" not in r.text, r.text[:1500]


def test_an_upload_over_the_size_limit_or_not_a_spreadsheet_is_refused(central, publisher):
    from central.cms.spreadsheet import MAX_UPLOAD_BYTES

    big = b"record_id\n" + b"x" * (MAX_UPLOAD_BYTES + 10)
    r = upload(publisher, central, "big.csv", big)
    assert r.status_code == 413 and "at most" in r.text
    r = upload(publisher, central, "p.pdf", b"%PDF-1.4", "application/pdf")
    assert r.status_code == 422 and "Upload a .csv or .xlsx file." in r.text
    r = upload(publisher, central, "p.xlsx", b"PK\x03\x04 not really", XLSX)
    assert r.status_code == 422 and "not an XLSX workbook" in r.text


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# The audit log


def test_the_audit_log_shows_each_step_and_who_took_it(central, publisher):
    page = get(publisher, central, "/cms/kiosks/audit/")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-action="([\w.]+)"><td>[^<]*</td><td><bdi>([^<]*)</bdi>', page.text)
    by_action = {}
    for action, who in rows:
        by_action.setdefault(action, set()).add(who)
    for action in ("kiosk_publish", "schedule", "unschedule", "scheduled_publish", "rollback",
                   "import", "export", "wagtail.publish", "wagtail.edit"):
        assert action in by_action, (action, sorted(by_action))
    assert by_action["schedule"] == {"pat"} and by_action["rollback"] == {"pat"}
    assert "scheduled publish ran" in page.text and "rolled back" in page.text
