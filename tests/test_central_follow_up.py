"""Following feedback up by its reference, against a live central: a kiosk-made reference is
kept as the item's reference (a clash or a wrong check digit is not); the kiosk's JSON look-up
and the public page show the state and staff's reply, and nothing else (no message, no contact
details), escaped, in Arabic and English; unknown, mistyped and malformed references are told
apart; look-ups are limited per client address and per kiosk.

The module's central trusts 127.0.0.1 as its proxy, so each test speaks for its own client
address in X-Forwarded-For and the rate limits of one test never touch another."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import protocol
from kiosk.protocol.reference import damm_digit, new_reference, shown
from tests.conftest import CentralServer, start_central

_addresses = itertools.count(10)


def address() -> dict[str, str]:
    """A client address of its own (TEST-NET-3), as nginx would forward it."""
    return {"X-Forwarded-For": f"203.0.113.{next(_addresses)}"}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db):
    server = start_central(tmp_path_factory.mktemp("follow_up_home"),
                           {"CENTRAL_TRUSTED_PROXIES": "127.0.0.1"}, db=module_central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish")
        yield server
    finally:
        server.stop()


def now_z() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def feedback(text: str, ref: str | None = None, **extra) -> dict:
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "en",
            "content_version": 1, "payload": {"kind": "complaint", "text": text}, **extra}
    if ref is not None:
        item["reference"] = ref
    return item


def send(central: CentralServer, device: dict, items: list[dict]) -> list[dict]:
    r = central.post("/api/v1/submissions", json={"items": items},
                     headers={**central.auth(device), protocol.RECEIPT_FIELDS_HEADER: "reference"})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def answer(central: CentralServer, sub_id: str, text: str) -> None:
    """Staff answer the item, through the same service the admin's reply form calls."""
    from central import feedback as workflow

    site = central.service()
    try:
        workflow.reply(site, sub_id, text, by="amal")
    finally:
        site.close()


def unknown_reference() -> str:
    return new_reference()  # 1 in 10^11 per stored item to be anyone's


def test_the_kiosk_made_reference_is_the_items_reference_and_a_clash_gets_another(central):
    device = central.enroll()
    ref = new_reference()
    [first] = send(central, device, [feedback("Lift broken", ref)])
    assert first["status"] == "stored"
    assert first["receipt"]["reference"] == shown(ref)
    # The same id and body again: the same receipt, the same reference.
    # Another item claiming the same reference: stored, with a reference of its own.
    [again, other] = send(central, device, [feedback("Lift broken", ref) | {"id": first["id"]},
                                            feedback("Another", ref)])
    assert again["status"] in ("duplicate", "conflict")
    assert other["status"] == "stored"
    assert other["receipt"]["reference"] != shown(ref)
    # The first item keeps it, but two visitors now hold it (the second saw it on the thanks
    # screen): it no longer shows either item's state or reply. Staff see why.
    r = central.get(f"/api/v1/follow-up/{ref}", headers=central.auth(device))
    assert r.status_code == 404
    site = central.service()
    try:
        from central import feedback as workflow

        history = workflow.audit_log(site, f"submission:{first['id']}")
    finally:
        site.close()
    assert [e["action"] for e in history] == ["reference_clash"]
    # The second item's own reference (from its receipt) works.
    r = central.get(f"/api/v1/follow-up/{other['receipt']['reference']}",
                    headers=central.auth(device))
    assert r.status_code == 200 and r.json()["status"] == "new"
    # A reference whose check digit is wrong is refused with the item, never stored.
    body = ref[:11]
    wrong = body + str((int(damm_digit(body)) + 1) % 10)
    [bad] = send(central, device, [feedback("Typo", wrong)])
    assert bad["status"] == "invalid" and "Damm check digit" in bad["error"]


def test_the_kiosk_sees_the_state_then_the_reply_and_nothing_else(central):
    device = central.enroll()
    sealed = protocol.seal_contact({"name": "Salim", "phone": "99123456"},
                                   device["submission_public_key"])
    ref = new_reference()
    item = feedback("The SECRET-MESSAGE-7 lift", ref, sealed_contact=sealed)
    [stored] = send(central, device, [item])
    assert stored["status"] == "stored"
    path = f"/api/v1/follow-up/{shown(ref)}"
    r = central.get(path, headers=central.auth(device))
    assert r.status_code == 200
    assert r.json() == {"reference": shown(ref), "status": "new"}

    answer(central, item["id"], "Fixed on Sunday. Thank you.")
    r = central.get(path, headers=central.auth(device))
    assert r.json() == {"reference": shown(ref), "status": "answered",
                        "reply": "Fixed on Sunday. Thank you."}
    for secret in ("SECRET-MESSAGE-7", "Salim", "99123456", sealed[:20], item["id"],
                   device["device_id"]):
        assert secret not in r.text
    # Spaces and Arabic-Indic digits, as a visitor may type them, find it too.
    arabic = shown(ref).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    r = central.get(f"/api/v1/follow-up/{arabic}", headers=central.auth(device))
    assert r.status_code == 200 and r.json()["status"] == "answered"
    # A kiosk's look-up needs its token.
    assert central.get(path).status_code == 401


def test_unknown_mistyped_and_malformed_references_are_told_apart(central):
    device = central.enroll()
    auth = central.auth(device)
    r = central.get(f"/api/v1/follow-up/{unknown_reference()}", headers=auth)
    assert r.status_code == 404 and "No message has this reference" in r.json()["error"]
    ref = new_reference()
    wrong = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    r = central.get(f"/api/v1/follow-up/{wrong}", headers=auth)
    assert r.status_code == 422 and r.json()["detail"] == {"reason": "mistyped"}
    r = central.get("/api/v1/follow-up/12345", headers=auth)
    assert r.status_code == 422 and r.json()["detail"] == {"reason": "malformed"}
    # A poll vote has a reference too, but nobody answers votes: not found, like a guess.
    [vote] = send(central, device, [{
        "id": str(uuid.uuid4()), "type": "poll_vote", "created_at": now_z(), "lang": "en",
        "content_version": 1, "payload": {"poll_id": "favourite", "option_id": "halwa"}}])
    vote_ref = vote["receipt"]["reference"]
    assert central.get(f"/api/v1/follow-up/{vote_ref}", headers=auth).status_code == 404


def test_the_public_page_shows_state_and_reply_escaped_in_both_languages(central):
    device = central.enroll()
    sealed = protocol.seal_contact({"email": "salim@example.om"},
                                   device["submission_public_key"])
    ref = new_reference()
    item = feedback("PRIVATE-WORDS-3 about the kiosk", ref, sealed_contact=sealed)
    send(central, device, [item])
    page = central.get(f"/follow-up/{ref}", headers=address())
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<section lang="ar" dir="rtl">' in page.text and '<section lang="en"' in page.text
    assert "Received. The portal team has not started on it yet." in page.text
    assert "استُلمت. لم يبدأ فريق البوابة العمل عليها بعد." in page.text
    assert shown(ref) in page.text

    answer(central, item["id"], 'See <script>alert("x")</script> & <b>this</b>')
    page = central.get(f"/follow-up/{shown(ref)}", headers=address())
    assert page.status_code == 200
    assert "<script>" not in page.text and "<b>this</b>" not in page.text
    assert "See &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;this&lt;/b&gt;" \
        in page.text
    assert "رد فريق البوابة" in page.text and "The portal team&#x27;s reply" in page.text
    for secret in ("PRIVATE-WORDS-3", "salim@example.om", sealed[:20], item["id"]):
        assert secret not in page.text


def test_the_public_page_says_what_is_wrong_and_offers_the_form(central):
    form = central.get("/follow-up", headers=address())
    assert form.status_code == 200 and 'name="reference"' in form.text
    assert "Type the reference you were given (12 digits)." in form.text
    missing = central.get(f"/follow-up/{unknown_reference()}", headers=address())
    assert missing.status_code == 404
    assert "No message has this reference. Check each digit again." in missing.text
    assert "لا توجد رسالة بهذا الرقم المرجعي" in missing.text
    ref = new_reference()
    typo = central.get("/follow-up", params={"reference": ref[:-1] + str((int(ref[-1]) + 1) % 10)},
                       headers=address())
    assert typo.status_code == 422 and "typing mistake" in typo.text
    # What was typed comes back in the form, escaped.
    odd = central.get("/follow-up", params={"reference": '"><script>1</script>'},
                      headers=address())
    assert odd.status_code == 422 and "<script>" not in odd.text
    assert "A reference is 12 digits" in odd.text


def test_look_ups_are_limited_per_client_address(central):
    device = central.enroll()
    ref = new_reference()
    send(central, device, [feedback("Counted", ref)])
    me, neighbour = address(), address()
    for _ in range(10):
        assert central.get(f"/follow-up/{ref}", headers=me).status_code == 200
    refused = central.get(f"/follow-up/{ref}", headers=me)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Too many look-ups from here" in refused.text
    # Someone else, elsewhere, is not held up.
    assert central.get(f"/follow-up/{ref}", headers=neighbour).status_code == 200
    # Without a trusted proxy in front, X-Forwarded-For counts for nothing: tested in
    # test_client_address_believes_only_trusted_proxies.


def test_guesses_run_out_sooner_than_look_ups_per_kiosk(central):
    device, other = central.enroll(), central.enroll()
    ref = new_reference()
    send(central, device, [feedback("Mine", ref)])
    auth = central.auth(device)
    for _ in range(10):
        assert central.get(f"/api/v1/follow-up/{unknown_reference()}",
                           headers=auth).status_code == 404
    # Ten references that found nothing: this kiosk may not look up more for a while, even a
    # real one; another kiosk still may.
    refused = central.get(f"/api/v1/follow-up/{ref}", headers=auth)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert central.get(f"/api/v1/follow-up/{ref}",
                       headers=central.auth(other)).status_code == 200


def test_client_address_believes_only_trusted_proxies(monkeypatch):
    from central import followup

    monkeypatch.setattr(followup, "_TRUSTED", frozenset({"127.0.0.1"}))
    assert followup.client_address("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert followup.client_address("127.0.0.1", "1.2.3.4, 198.51.100.7, 127.0.0.1") \
        == "198.51.100.7"
    assert followup.client_address("192.0.2.5", "198.51.100.7") == "192.0.2.5"
    assert followup.client_address("2001:db8:1:2:3:4:5:6", None) == "2001:db8:1:2::/64"


def test_rate_limiter_windows_slide():
    from central.followup import RateLimiter, TooMany

    now = [0.0]
    limiter = RateLimiter(((2, 60.0),), clock=lambda: now[0])
    limiter.hit("a")
    limiter.hit("a")
    with pytest.raises(TooMany) as e:
        limiter.hit("a")
    assert 1 <= e.value.retry_after <= 61
    limiter.hit("b")
    now[0] = 61.0
    limiter.hit("a")  # the window moved on
