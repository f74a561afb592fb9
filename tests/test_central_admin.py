"""The staff web admin, through real HTTP against a live central: what an editor, an analyst
and a fleet admin see and can do, and what they can not."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import CentralDB, CentralServer, published_central

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    # Its own server: these tests publish new versions and must not disturb other modules.
    with published_central(tmp_path_factory.mktemp("admin_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        for user, role in (("edna", "editor"), ("ali", "analyst"), ("fatma", "admin")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


def login(central: CentralServer, user: str) -> requests.Session:
    s = requests.Session()
    r = central.sign_in(user, PASSWORD, s)
    assert r.status_code == 200, r.text[:500]
    assert f"Signed in as {user}" in r.text
    return s


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9A-Za-z]+)"', html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def test_pages_need_a_signed_in_staff_member(central):
    r = requests.get(central.url + "/admin/devices", allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/admin/login")


def test_a_wrong_password_is_refused_with_a_plain_message(central):
    r = central.sign_in("edna", "not it at all")
    assert r.status_code == 401
    assert "user name or password is not right" in r.text
    assert "mio_staff" not in r.cookies


def test_repeated_wrong_passwords_lock_the_account_for_a_while(central):
    central.cli("create-staff", "guessme", "--role", "analyst", input=PASSWORD + "\n")
    for _ in range(5):
        assert central.sign_in("guessme", "wrong guess!").status_code == 401
    r = central.sign_in("guessme", PASSWORD)
    assert r.status_code == 429
    assert "Wait five minutes" in r.text


def test_the_session_cookie_is_http_only_and_same_site_strict(central):
    r = central.sign_in("ali", PASSWORD, allow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_editor_edits_a_product_and_publishes_a_new_version(central):
    s = login(central, "edna")
    before = central.cli("publish").stdout  # make sure a version exists to compare with
    before_version = int(re.search(r"\d+", before).group())
    page = s.get(central.url + "/admin/content/products/khalas-dates", timeout=10)
    assert "Khalas dates" in page.text
    r = s.post(central.url + "/admin/content/products/khalas-dates", timeout=10, data={
        "csrf": csrf(page.text), "name_en": "Khalas dates, new harvest",
        "name_ar": "تمر خلاص، المحصول الجديد", "description_en": "Soft dates from Nizwa.",
        "description_ar": "تمر طري من نزوى."})
    assert r.status_code == 200 and "Saved as a draft" in r.text
    content = s.get(central.url + "/admin/content", timeout=10)
    r = s.post(central.url + "/admin/content/publish", data={"csrf": csrf(content.text)},
               timeout=10)
    assert r.status_code == 200
    assert f"Version {before_version + 1} is published" in r.text
    # What kiosks and the public now get is the edited text.
    od = requests.get(central.url + "/open-data/products.json", timeout=10).json()
    names = {p["id"]: p for p in od["products"]}
    assert "new harvest" in str(names["khalas-dates"])


def test_an_invalid_edit_keeps_what_was_typed_and_names_the_field(central):
    s = login(central, "edna")
    page = s.get(central.url + "/admin/content/products/hojari", timeout=10)
    r = s.post(central.url + "/admin/content/products/hojari", timeout=10, data={
        "csrf": csrf(page.text), "name_en": "Hojari, silver grade", "name_ar": "",
        "description_en": "x", "description_ar": "y"})
    assert r.status_code == 422
    assert "Arabic name" in r.text
    assert 'value="Hojari, silver grade"' in r.text
    again = s.get(central.url + "/admin/content/products/hojari", timeout=10)
    assert "Hojari frankincense" in again.text  # nothing half-saved


def test_a_form_without_its_csrf_token_is_refused(central):
    s = login(central, "edna")
    r = s.post(central.url + "/admin/content/publish", data={}, timeout=10)
    assert r.status_code == 403
    assert "out of date" in r.text


def test_an_analyst_can_not_publish_or_revoke(central):
    s = login(central, "ali")
    r = s.post(central.url + "/admin/content/publish", data={"csrf": "x"}, timeout=10)
    assert r.status_code == 403 and "can not do this" in r.text
    assert s.get(central.url + "/admin/content", timeout=10).status_code == 403


def test_feedback_is_shown_escaped_and_test_items_are_filtered(central):
    device = central.enroll(name="Hall kiosk")
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    items = [
        {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now, "lang": "en",
         "content_version": 1, "payload": {"kind": "complaint",
                                           "text": "<script>alert('x')</script> too small"}},
        {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now, "lang": "en",
         "content_version": 1, "test": True,
         "payload": {"kind": "comment", "text": "technician test 42"}},
    ]
    r = central.post("/api/v1/submissions", json={"items": items}, headers=central.auth(device))
    assert [x["status"] for x in r.json()["results"]] == ["stored", "stored"]
    s = login(central, "ali")
    page = s.get(central.url + "/admin/submissions", timeout=10).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; too small" in page
    assert "<script>alert" not in page
    assert "technician test 42" not in page
    with_tests = s.get(central.url + "/admin/submissions?tests=1", timeout=10).text
    assert "technician test 42" in with_tests


def test_poll_results_page_shows_counts_and_shares_in_text(central):
    device = central.enroll()
    now = datetime.now(UTC)
    votes = ["dates", "dates", "incense"]
    # A minute apart, as visitors vote at one kiosk (faster votes are held, not counted).
    items = [{"id": str(uuid.uuid4()), "type": "poll_vote", "lang": "ar",
              "created_at": (now - timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
              "content_version": 1, "payload": {"poll_id": "favourite", "option_id": v}}
             for i, v in enumerate(votes)]
    central.post("/api/v1/submissions", json={"items": items}, headers=central.auth(device))
    page = login(central, "ali").get(central.url + "/admin/polls", timeout=10).text
    assert "Your favourite product?" in page
    row = re.search(r"Dates <span.*?</tr>", page, re.S).group()
    assert "<td>2</td>" in row and "67 %" in row


def test_fleet_admin_makes_a_code_that_enrols_a_kiosk_then_revokes_it(central):
    s = login(central, "fatma")
    page = s.get(central.url + "/admin/devices", timeout=10)
    r = s.post(central.url + "/admin/devices/codes", timeout=10,
               data={"csrf": csrf(page.text), "location": "Muscat Grand Mall", "ttl_hours": "2"})
    code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', r.text).group(1)
    enrolled = central.post("/api/v1/enroll", json={"code": code, "name": "Mall kiosk"}).json()
    auth = central.auth(enrolled)
    assert central.get("/api/v1/manifest", headers=auth).status_code == 200
    page = s.get(central.url + "/admin/devices", timeout=10)
    assert "Mall kiosk" in page.text and "never seen" in page.text
    r = s.post(central.url + f"/admin/devices/{enrolled['device_id']}/revoke", timeout=10,
               data={"csrf": csrf(page.text)})
    assert "Kiosk revoked." in r.text
    assert central.get("/api/v1/manifest", headers=auth).status_code == 401


def test_a_command_queued_in_the_admin_reaches_the_kiosk_at_its_heartbeat(central):
    device = central.enroll(name="Expo kiosk")
    s = login(central, "fatma")
    page = s.get(central.url + "/admin/devices", timeout=10)
    r = s.post(central.url + f"/admin/devices/{device['device_id']}/command", timeout=10,
               data={"csrf": csrf(page.text), "name": "sync_now"})
    assert "Command sync_now queued" in r.text
    hb = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
          "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5}
    reply = central.post("/api/v1/heartbeat", json=hb, headers=central.auth(device)).json()
    assert [c["name"] for c in reply["commands"]] == ["sync_now"]
    page = s.get(central.url + "/admin/devices", timeout=10).text
    assert "Expo kiosk" in page and "online" in page


def test_the_overview_counts_kiosks_and_feedback(central):
    page = login(central, "fatma").get(central.url + "/admin/", timeout=10).text
    assert "Published content" in page and "version" in page
    assert re.search(r"Kiosks</span><strong>\d+</strong>", page)
