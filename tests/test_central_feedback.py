"""The feedback workflow at central, through real HTTP against a live central: a kiosk sends
feedback, it gets a reference; an analyst finds it, assigns it, writes notes, answers and closes
it, opens the contact details (logged), hides an item (gone from public results), starts an FAQ
draft from it; an editor gets 403 on every feedback page; the audit log shows each step."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from kiosk import protocol
from tests.conftest import CentralServer, start_central

PASSWORD = "correct horse battery"


def service(central: CentralServer):
    """The service layer in this process on the server's database (SQLite or PostgreSQL)."""
    from central.config import load_settings
    from central.service import Central

    return Central(load_settings(home=central.home, db_url=central.db.url))


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db):
    server = start_central(tmp_path_factory.mktemp("feedback_home"), db=module_central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish")
        for user, role in (("edna", "editor"), ("amal", "analyst"), ("said", "analyst"),
                           ("fatma", "admin")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server
    finally:
        server.stop()


def login(central: CentralServer, user: str) -> requests.Session:
    s = requests.Session()
    r = central.sign_in(user, PASSWORD, s)
    assert r.status_code == 200 and f"Signed in as {user}" in r.text, r.text[:300]
    return s


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9A-Za-z]+)"', html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def now_z() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def send(central: CentralServer, device: dict, items: list[dict]) -> list[dict]:
    r = central.post("/api/v1/submissions", json={"items": items},
                     headers={**central.auth(device), protocol.RECEIPT_FIELDS_HEADER: "reference"})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def act(central: CentralServer, s: requests.Session, sub_id: str, **data: str
        ) -> requests.Response:
    detail = s.get(f"{central.url}/admin/submissions/{sub_id}", timeout=10)
    assert detail.status_code == 200, detail.text[:300]
    return s.post(f"{central.url}/admin/submissions/{sub_id}/action", timeout=10,
                  data={"csrf": csrf(detail.text), **data})


def test_an_analyst_takes_kiosk_feedback_from_new_to_closed(central):
    device = central.enroll(name="Hall kiosk")
    sealed = protocol.seal_contact({"name": "Salim", "phone": "99123456"},
                                   device["submission_public_key"])
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "en",
            "content_version": 1, "sealed_contact": sealed,
            "payload": {"kind": "complaint", "text": "How do I get the Made in Oman mark?"}}
    [result] = send(central, device, [item])
    ref = result["receipt"]["reference"]
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", ref)
    s = login(central, "amal")

    # Found by the reference as the visitor reads it out; a mistyped one is told apart.
    found = s.get(central.url + "/admin/submissions/find", params={"reference": ref},
                  timeout=10)
    assert found.status_code == 200 and f"Feedback {ref}" in found.text
    assert 'id="state">new' in found.text
    wrong = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    typo = s.get(central.url + "/admin/submissions/find", params={"reference": wrong},
                 timeout=10)
    assert typo.status_code == 422 and "typing mistake" in typo.text
    listed = s.get(central.url + "/admin/submissions?status=new", timeout=10).text
    assert ref in listed

    sid = item["id"]
    r = act(central, s, sid, action="assign", to="edna")  # an editor does not answer feedback
    assert r.status_code == 422 and "not an analyst or admin" in r.text
    r = act(central, s, sid, action="assign", to="me")
    assert "Assignment saved." in r.text and 'id="assigned">amal' in r.text
    assert 'id="state">in progress' in r.text
    mine = s.get(central.url + "/admin/submissions?mine=1", timeout=10).text
    assert ref in mine
    assert ref not in login(central, "said").get(central.url + "/admin/submissions?mine=1",
                                                 timeout=10).text

    r = act(central, s, sid, action="note", text="Asked the certification team.")
    assert "Note added." in r.text and "Asked the certification team." in r.text
    assert act(central, s, sid, action="note", text="  ").status_code == 422

    # Answered needs a reply: choosing the state alone is refused with a sentence.
    r = act(central, s, sid, action="status", status="answered")
    assert r.status_code == 422 and "only with a reply" in r.text
    r = act(central, s, sid, action="reply", text="Apply on the portal under Services.")
    assert "the item is answered" in r.text and 'id="state">answered' in r.text
    assert "Apply on the portal under Services." in r.text and "Answered by amal" in r.text

    # Contact details: not on the page until asked for; the opening is logged.
    detail = s.get(f"{central.url}/admin/submissions/{sid}", timeout=10).text
    assert "99123456" not in detail and "Show contact details" in detail
    r = act(central, s, sid, action="contact")
    assert "99123456" in r.text and "Salim" in r.text

    r = act(central, s, sid, action="status", status="closed")
    assert 'id="state">closed' in r.text
    closed = s.get(central.url + "/admin/submissions?status=closed", timeout=10).text
    assert ref in closed

    # The history on the item and the audit log: each step, who and what.
    history = re.search(r'<table id="audit">.*?</table>', r.text, re.S).group()
    actions = re.findall(r'<td>amal</td><td data-action="(\w+)">', history)
    assert actions == ["assign", "note", "reply", "contact", "status"], actions
    assert "new -&gt; answered" not in history and "in progress -&gt; answered" in history
    log = s.get(central.url + "/admin/audit", timeout=10).text
    assert f"submission:{sid}" in log and "contact details opened" in log

    # The export names the reference and the state.
    exported = {x["id"]: x for x in json.loads(central.cli("export-submissions").stdout)}
    assert exported[sid]["reference"] == ref and exported[sid]["status"] == "closed"
    rows = {x["id"]: x for x in csv.DictReader(io.StringIO(
        central.cli("export-submissions", "--csv").stdout))}
    assert rows[sid]["reference"] == ref and rows[sid]["status"] == "closed"


def test_an_editor_gets_403_on_every_feedback_page(central):
    device = central.enroll()
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "ar",
            "content_version": 1, "payload": {"kind": "comment", "text": "شكرا"}}
    [result] = send(central, device, [item])
    s = login(central, "edna")
    sid = item["id"]
    for path in ("/admin/submissions", f"/admin/submissions/{sid}", "/admin/audit",
                 "/admin/submissions/find?reference=" + result["receipt"]["reference"]):
        r = s.get(central.url + path, timeout=10)
        assert r.status_code == 403 and "can not do this" in r.text, path
    token = csrf(s.get(central.url + "/admin/content", timeout=10).text)
    for action in ("assign", "note", "reply", "contact", "hide", "faq_save"):
        r = s.post(f"{central.url}/admin/submissions/{sid}/action", timeout=10,
                   data={"csrf": token, "action": action, "text": "x", "to": "edna",
                         "reason": "x"})
        assert r.status_code == 403 and "can not do this" in r.text, action
    assert "شكرا" not in r.text
    # Nothing was recorded for the editor's attempts.
    log = login(central, "fatma").get(central.url + "/admin/audit", timeout=10).text
    assert "<td>edna</td>" not in log


def test_a_hidden_item_leaves_public_results_and_never_reaches_open_data(central):
    device = central.enroll()
    before = central.get("/api/v1/polls/favourite/results").json()
    votes = {o["id"]: o["votes"] for o in before["options"]}
    vote = {"id": str(uuid.uuid4()), "type": "poll_vote", "created_at": now_z(), "lang": "en",
            "content_version": 1, "payload": {"poll_id": "favourite", "option_id": "halwa"}}
    rude = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "en",
            "content_version": 1, "payload": {"kind": "comment", "text": "rude words 7731"}}
    send(central, device, [vote, rude])
    after = {o["id"]: o["votes"] for o in
             central.get("/api/v1/polls/favourite/results").json()["options"]}
    assert after["halwa"] == votes["halwa"] + 1
    s = login(central, "amal")
    assert act(central, s, vote["id"], action="hide", reason="").status_code == 422
    r = act(central, s, vote["id"], action="hide", reason="one kiosk voted 200 times")
    assert "Hidden from public use." in r.text and "one kiosk voted 200 times" in r.text
    hidden = {o["id"]: o["votes"] for o in
              central.get("/api/v1/polls/favourite/results").json()["options"]}
    assert hidden["halwa"] == votes["halwa"]
    r = act(central, s, rude["id"], action="hide", reason="insults")
    assert 'id="hidden">by amal' in r.text
    for path in ("/open-data/products.json", "/open-data/products.csv",
                 "/open-data/about.json"):
        assert "rude words 7731" not in central.get(path).text
    listed = s.get(central.url + "/admin/submissions", timeout=10).text
    row = re.search(r"<tr><td><a class=\"ref\"[^\n]*?" + re.escape(rude["id"]) + r".*?</tr>",
                    listed, re.S)
    assert row and "hidden" in row.group()
    log = s.get(central.url + "/admin/audit", timeout=10).text
    assert "one kiosk voted 200 times" in log and "insults" in log


def test_add_to_faq_makes_a_draft_the_next_publish_carries(central):
    device = central.enroll()
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "en",
            "content_version": 1,
            "payload": {"kind": "suggestion", "text": "Where can I buy Omani halwa?"}}
    send(central, device, [item])
    s = login(central, "amal")
    sid = item["id"]
    act(central, s, sid, action="reply", text="At the makers listed under Sweets.")
    start = act(central, s, sid, action="faq_start")
    assert 'value="Where can I buy Omani halwa?"' in start.text
    assert "At the makers listed under Sweets.</textarea>" in start.text
    # The Arabic side is missing: refused with a sentence, what was typed kept.
    r = act(central, s, sid, action="faq_save", question_en="Where can I buy Omani halwa?",
            answer_en="At the makers listed under Sweets.", question_ar="", answer_ar="")
    assert r.status_code == 422 and "Arabic question" in r.text
    assert 'value="Where can I buy Omani halwa?"' in r.text
    r = act(central, s, sid, action="faq_save", question_en="Where can I buy Omani halwa?",
            answer_en="At the makers listed under Sweets.",
            question_ar="أين أشتري الحلوى العمانية؟", answer_ar="عند المصنعين في قسم الحلويات.")
    assert r.status_code == 200 and "FAQ draft faq-" in r.text and "next publish" in r.text
    rid = re.search(r"FAQ draft (faq-\d+)", r.text).group(1)
    svc = service(central)
    try:
        draft = svc.get_record("faq", rid)
        pub = svc.published_catalogue()
        assert rid not in pub.records.get("faq", {})  # not on kiosks before a publish
    finally:
        svc.close()
    assert draft["question"]["en"] == "Where can I buy Omani halwa?"
    central.cli("publish")
    svc = service(central)
    try:
        assert rid in svc.published_catalogue().records["faq"]
    finally:
        svc.close()
    assert "FAQ draft " + rid in s.get(central.url + "/admin/audit", timeout=10).text


def test_an_item_open_past_the_target_is_marked_overdue(central):
    from datetime import timedelta

    from central.orm import Submission

    device = central.enroll()
    old, fresh = ({"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(),
                   "lang": "en", "content_version": 1,
                   "payload": {"kind": "comment", "text": text}}
                  for text in ("waiting for weeks", "just arrived"))
    send(central, device, [old, fresh])
    svc = service(central)
    try:  # three calendar weeks ago: at least 12 working days, far over 35 working hours
        svc.q(Submission).filter(id=old["id"]).update(
            received_at=datetime.now(UTC) - timedelta(days=21))
    finally:
        svc.close()
    s = login(central, "amal")
    card = re.search(r'<div class="card" id="waiting">.*?</div>',
                     s.get(central.url + "/admin/", timeout=10).text, re.S).group()
    assert re.search(r"\d+ overdue</a>", card), card
    overdue = s.get(central.url + "/admin/submissions?overdue=1", timeout=10).text
    assert "waiting for weeks" in overdue and "just arrived" not in overdue
    row = re.search(r"<tr>(?:(?!</tr>).)*waiting for weeks.*?</tr>", overdue, re.S).group()
    assert '<span class="overdue">overdue</span>' in row
    everything = s.get(central.url + "/admin/submissions", timeout=10).text
    fresh_row = re.search(r"<tr>(?:(?!</tr>).)*just arrived.*?</tr>", everything, re.S).group()
    assert "overdue" not in fresh_row
    # Answered items are not overdue, however old.
    act(central, s, old["id"], action="reply", text="Sorry for the wait.")
    assert "waiting for weeks" not in s.get(central.url + "/admin/submissions?overdue=1",
                                            timeout=10).text
