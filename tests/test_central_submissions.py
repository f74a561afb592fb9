"""Visitor submissions arriving at central: idempotent retries, per-item results, size limits,
poll results and the staff export."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from kiosk import protocol


def feedback(text: str = "Great kiosk", **over) -> dict:
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": "2026-11-28T09:00:00Z",
            "lang": "en", "content_version": 1,
            "payload": {"kind": "comment", "text": text}}
    item.update(over)
    return item


_VOTE_TIMES = itertools.count()


def vote(option: str, poll: str = "favourite", test: bool = False) -> dict:
    """A vote a minute after the previous one: as visitors at one kiosk vote (faster votes
    are held, not counted; tests/test_central_poll_integrity.py)."""
    at = datetime(2026, 11, 28, 9, tzinfo=UTC) + timedelta(minutes=next(_VOTE_TIMES))
    return {"id": str(uuid.uuid4()), "type": "poll_vote", "created_at": protocol.iso(at),
            "lang": "ar", "content_version": 1, "test": test,
            "payload": {"poll_id": poll, "option_id": option}}


def send(server, device, items) -> list[protocol.SubmissionResult]:
    r = server.post("/api/v1/submissions", json={"items": items}, headers=server.auth(device))
    assert r.status_code == 200, r.text
    return [protocol.SubmissionResult.model_validate(x) for x in r.json()["results"]]


def test_a_retry_gets_the_original_receipt(central_server, central_device):
    item = feedback()
    [first] = send(central_server, central_device, [item])
    assert first.status == "stored" and first.code == 200 and first.receipt
    [again] = send(central_server, central_device, [item])
    assert again.status == "duplicate" and again.code == 200
    assert again.receipt == first.receipt


def test_same_id_with_another_body_is_a_409_for_that_item(central_server, central_device):
    item = feedback("first words")
    send(central_server, central_device, [item])
    changed = {**item, "payload": {"kind": "comment", "text": "other words"}}
    fresh = feedback("unrelated")
    results = send(central_server, central_device, [changed, fresh])
    assert (results[0].status, results[0].code) == ("conflict", 409)
    assert results[0].receipt is None and results[0].error
    assert results[1].status == "stored"


def test_a_batch_with_one_bad_item_stores_the_good_ones(central_server, central_device):
    good1, good2 = feedback("one"), feedback("two")
    bad = feedback("three", payload={"kind": "rant", "text": "x"})
    results = send(central_server, central_device, [good1, bad, good2])
    assert [r.status for r in results] == ["stored", "invalid", "stored"]
    assert results[1].code == 422 and "kind" in results[1].error
    assert [r.id for r in results] == [good1["id"], bad["id"], good2["id"]]
    exported = json.loads(central_server.cli("export-submissions", "--json").stdout)
    ids = {s["id"] for s in exported}
    assert good1["id"] in ids and good2["id"] in ids and bad["id"] not in ids


def test_an_oversize_body_is_413(central_server, central_device):
    huge = json.dumps({"items": [feedback("x" * 4000) for _ in range(1100)]})
    r = central_server.post("/api/v1/submissions", data=huge,
                            headers={**central_server.auth(central_device),
                                     "Content-Type": "application/json"})
    assert r.status_code == 413
    assert "error" in r.json()


def test_an_oversize_chunked_body_without_length_is_413(central_server, central_device):
    def chunks():
        yield b'{"app_version": "'
        for _ in range(300):
            yield b"x" * 8192
        yield b'"}'

    r = central_server.post("/api/v1/heartbeat", data=chunks(),
                            headers={**central_server.auth(central_device),
                                     "Content-Type": "application/json"})
    assert r.status_code == 413
    assert "error" in r.json()


def test_a_full_batch_of_long_arabic_feedback_fits_in_one_request(central_server,
                                                                  central_device):
    items = [feedback("ملاحظة طويلة " * 300) for _ in range(protocol.MAX_BATCH_ITEMS)]
    results = send(central_server, central_device, items)  # requests escapes to \uXXXX
    assert {r.status for r in results} == {"stored"}


def test_too_many_or_no_items_is_refused(central_server, central_device):
    h = central_server.auth(central_device)
    many = {"items": [vote("dates") for _ in range(protocol.MAX_BATCH_ITEMS + 1)]}
    r = central_server.post("/api/v1/submissions", json=many, headers=h)
    assert r.status_code in (413, 422) and "error" in r.json()
    r = central_server.post("/api/v1/submissions", json={"items": []}, headers=h)
    assert r.status_code == 422 and "error" in r.json()


def test_poll_results_count_votes_without_test_votes(central_server, central_device):
    before = central_server.get("/api/v1/polls/favourite/results").json()
    counts_before = {o["id"]: o["votes"] for o in before["options"]}
    send(central_server, central_device,
         [vote("dates"), vote("dates"), vote("incense"), vote("halwa", test=True)])
    r = central_server.get("/api/v1/polls/favourite/results")
    assert r.status_code == 200
    body = r.json()
    counts = {o["id"]: o["votes"] for o in body["options"]}
    assert counts["dates"] - counts_before["dates"] == 2
    assert counts["incense"] - counts_before["incense"] == 1
    assert counts["halwa"] == counts_before["halwa"]
    assert body["total_votes"] == sum(counts.values())
    labels = {o["id"]: o["label"] for o in body["options"]}
    assert labels["dates"] == {"en": "Dates", "ar": "تمور"}
    assert body["question"]["ar"] == "منتجك المفضل؟"


def test_unknown_poll_is_404(central_server):
    r = central_server.get("/api/v1/polls/no-such-poll/results")
    assert r.status_code == 404 and "error" in r.json()


def test_export_opens_sealed_contacts_and_marks_test_submissions(central_server, central_device):
    sealed = protocol.seal_contact({"name": "Salim", "phone": "99123456"},
                                   central_device["submission_public_key"])
    item = feedback("please call me", sealed_contact=sealed)
    test_item = feedback("technician check", test=True)
    send(central_server, central_device, [item, test_item])
    # Sealed in the database: nothing stored contains the phone number.
    raw = central_server.stored_bytes()
    assert b"please call me" in raw  # the search is real: the feedback text is there
    assert b"99123456" not in raw
    exported = {s["id"]: s for s in json.loads(central_server.cli("export-submissions").stdout)}
    assert exported[item["id"]]["contact"] == {"name": "Salim", "phone": "99123456"}
    assert exported[item["id"]]["payload"]["text"] == "please call me"
    assert exported[item["id"]]["test"] is False
    assert exported[test_item["id"]]["test"] is True
    assert exported[item["id"]]["device_id"] == central_device["device_id"]
    assert exported[item["id"]]["created_at"] == "2026-11-28T09:00:00Z"
    text = central_server.cli("export-submissions", "--csv").stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[test_item["id"]]["test"] == "yes"
    assert json.loads(rows[item["id"]]["contact"])["phone"] == "99123456"


def test_an_unpublished_poll_has_no_public_results(central_server):
    svc = central_server.service()
    try:
        draft = dict(svc.get_record("poll", "favourite"))
        svc.save_record("poll", {**draft, "id": "secret-draft"})
        assert svc.poll_results("secret-draft").total_votes == 0  # staff still see it
    finally:
        svc.close()
    r = central_server.get("/api/v1/polls/secret-draft/results")
    assert r.status_code == 404


def test_one_batch_mixing_new_repeated_conflicting_and_invalid_items(central_server,
                                                                     central_device):
    a, b, c = feedback("a"), feedback("b"), feedback("c")
    other_a = {**a, "payload": {"kind": "comment", "text": "not a"}}
    bad = feedback("bad", lang="fr")
    batch = [a, bad, b, a, other_a, c]
    first = send(central_server, central_device, batch)
    assert [(r.status, r.code) for r in first] == [
        ("stored", 200), ("invalid", 422), ("stored", 200), ("duplicate", 200),
        ("conflict", 409), ("stored", 200)]
    assert first[3].receipt == first[0].receipt
    assert [r.id for r in first] == [x["id"] for x in batch]
    # The whole batch again, as a kiosk that lost the reply would send it: nothing new stored.
    again = send(central_server, central_device, batch)
    assert [r.status for r in again] == ["duplicate", "invalid", "duplicate", "duplicate",
                                         "conflict", "duplicate"]
    assert [r.receipt for r in again] == [first[0].receipt, None, first[2].receipt,
                                          first[0].receipt, None, first[5].receipt]


def test_kiosks_racing_with_the_same_items_store_each_once(central_server, central_device):
    import random
    from concurrent.futures import ThreadPoolExecutor

    items = [feedback(f"race {i}") for i in range(30)]

    def kiosk(seed: int) -> list[protocol.SubmissionResult]:
        order = items[:]
        random.Random(seed).shuffle(order)  # different orders: no batch may deadlock another
        return send(central_server, central_device, order)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [r for batch in pool.map(kiosk, range(6)) for r in batch]
    by_id: dict[str, list[protocol.SubmissionResult]] = {}
    for r in results:
        by_id.setdefault(r.id, []).append(r)
    assert set(by_id) == {x["id"] for x in items}
    for rs in by_id.values():
        assert sorted(r.status for r in rs) == ["duplicate"] * 5 + ["stored"]
        assert len({r.receipt.receipt for r in rs}) == 1


def test_a_receipt_clash_costs_no_other_item(tmp_path, monkeypatch, central_db):
    from central.service import Central
    from tests.conftest import central_settings

    svc = Central(central_settings(tmp_path / "home", central_db))
    try:
        [taken] = svc.accept_submissions("kiosk-1", [feedback("first")])
        # The next batch's first receipt repeats one already given (its unique index refuses
        # the whole insert), then receipts are fresh: every item must still be stored.
        receipts = iter([taken.receipt.receipt, "MIO-000000-AAAAAAA2", "MIO-000000-AAAAAAA3"])
        monkeypatch.setattr(Central, "_new_receipt", staticmethod(lambda now: next(receipts)))
        results = svc.accept_submissions("kiosk-1", [feedback("x"), feedback("y"),
                                                     feedback("z", lang="xx")])
        assert [r.status for r in results] == ["stored", "stored", "invalid"]
        assert {r.receipt.receipt for r in results[:2]} == {"MIO-000000-AAAAAAA2",
                                                             "MIO-000000-AAAAAAA3"}
        assert svc.count_submissions() == {"feedback": 3}
    finally:
        svc.close()


def test_text_with_nul_or_a_lone_surrogate_is_refused_per_item_and_loses_nothing(
        central_server, central_device):
    # PostgreSQL cannot store NUL in text; a lone surrogate cannot be encoded at all. Both are
    # refused by the wire format (422 for that item) before they reach the database.
    good = feedback("شكراً، كشك رائع")  # Arabic text is fine
    nul = feedback("bad\x00text")
    key = feedback("x", payload={"kind": "comment", "text": "t", "scr\x00een": "home"})
    surrogate = json.dumps({"items": [feedback("lone \ud800 half")]})  # json escapes it
    results = send(central_server, central_device, [nul, good, key])
    assert [(r.status, r.code) for r in results] == [
        ("invalid", 422), ("stored", 200), ("invalid", 422)]
    assert "NUL character" in results[0].error and "remove it" in results[0].error
    assert "NUL character" in results[2].error
    r = central_server.post("/api/v1/submissions", data=surrogate,
                            headers={**central_server.auth(central_device),
                                     "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    [lone] = r.json()["results"]
    assert lone["status"] == "invalid" and "lone surrogate" in lone["error"]
    exported = {s["id"]: s for s in json.loads(
        central_server.cli("export-submissions", "--json").stdout)}
    assert good["id"] in exported and nul["id"] not in exported and key["id"] not in exported


def test_a_heartbeat_or_enrolment_with_nul_is_a_422_with_a_sentence(central_server,
                                                                    central_device):
    hb = {"app_version": "1", "content_version": 1, "content_source": "central",
          "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5,
          "problems": [{"code": "disk_nearly_full", "message": "full\x00",
                        "since": "2026-11-28T09:00:00Z"}]}
    r = central_server.post("/api/v1/heartbeat", json=hb,
                            headers=central_server.auth(central_device))
    assert r.status_code == 422 and "NUL character" in r.text, r.text
    hb["problems"][0]["message"] = "The disk is nearly full"
    r = central_server.post("/api/v1/heartbeat", json=hb,
                            headers=central_server.auth(central_device))
    assert r.status_code == 200, r.text
    code = central_server.cli("enrollment-code").stdout.strip()
    r = central_server.post("/api/v1/enroll", json={"code": code, "name": "lobby\x00"})
    assert r.status_code == 422 and "NUL character" in r.text, r.text
    r = central_server.post("/api/v1/enroll", json={"code": code, "name": "lobby"})
    assert r.status_code == 200, r.text  # the refused attempt did not spend the code


def test_each_submission_gets_a_reference_a_person_can_read_out(central_server, central_device):
    from central import reference

    items = [feedback("reference please"), feedback("another")]
    r = central_server.post("/api/v1/submissions", json={"items": items},
                            headers={**central_server.auth(central_device),
                                     protocol.RECEIPT_FIELDS_HEADER: "reference"})
    assert r.status_code == 200, r.text
    results = [protocol.SubmissionResult.model_validate(x) for x in r.json()["results"]]
    refs = [x.receipt.reference for x in results]
    assert all(re.fullmatch(r"\d{4}-\d{4}-\d{4}", ref) for ref in refs), refs
    assert refs[0] != refs[1]
    assert all(reference.check(ref) == "ok" for ref in refs)
    # One digit typed wrong, or two neighbours swapped: told apart from an unknown reference.
    digits = refs[0].replace("-", "")
    wrong = digits[:3] + str((int(digits[3]) + 1) % 10) + digits[4:]
    assert reference.check(wrong) == "mistyped"
    if digits[0] != digits[1]:
        assert reference.check(digits[1] + digits[0] + digits[2:]) == "mistyped"
    assert reference.check("1234") == "malformed"
    # A retry gets the same reference; an older kiosk (no header) gets no field it can't read.
    again = central_server.post("/api/v1/submissions", json={"items": items[:1]},
                                headers={**central_server.auth(central_device),
                                         protocol.RECEIPT_FIELDS_HEADER: "reference"})
    assert again.json()["results"][0]["receipt"]["reference"] == refs[0]
    old = central_server.post("/api/v1/submissions", json={"items": items[:1]},
                              headers=central_server.auth(central_device))
    assert "reference" not in old.json()["results"][0]["receipt"]
    assert set(old.json()["results"][0]) == {"id", "status", "code", "receipt"}
    # The staff export names each item's reference and its status.
    exported = {s["id"]: s for s in json.loads(central_server.cli("export-submissions").stdout)}
    assert exported[items[0]["id"]]["reference"] == refs[0]
    assert exported[items[0]["id"]]["status"] == "new"
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(
        central_server.cli("export-submissions", "--csv").stdout))}
    assert rows[items[1]["id"]]["reference"] == refs[1]
    assert rows[items[1]["id"]]["status"] == "new"


def test_the_kiosk_client_asks_for_and_reads_the_reference(central_server, central_device):
    from kiosk.central_client import CentralClient

    client = CentralClient(central_server.url, token=central_device["device_token"])
    [result] = client.submit([feedback("via the kiosk's client")])
    assert result.status == "stored"
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", result.receipt.reference)
