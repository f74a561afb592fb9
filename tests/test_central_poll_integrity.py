"""Public results that can be trusted, over HTTP against a real central: a kiosk's token can
not stuff a poll (votes over what one screen's visitors can produce are held, not counted, until
staff release them), votes and survey answers for polls, options, questions and times that do
not exist are refused item by item, and another kiosk's submission id gets neither its receipt
nor a second count."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from central import vote_checks
from tests.conftest import CentralDB, CentralServer, published_central
from tests.test_central_feedback import csrf, login

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    # Its own server: poll counts here start from nothing, and one test publishes.
    with published_central(tmp_path_factory.mktemp("poll_integrity_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        for user, role in (("edna", "editor"), ("ali", "analyst")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


def z(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def an_hour_ago() -> datetime:
    """The start of a clock hour in the past: the hourly limit counts clock hours."""
    return (datetime.now(UTC) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)


def vote(option: str, at: datetime | str, poll: str = "favourite",
         content_version: int = 1) -> dict:
    return {"id": str(uuid.uuid4()), "type": "poll_vote",
            "created_at": at if isinstance(at, str) else z(at), "lang": "en",
            "content_version": content_version,
            "payload": {"poll_id": poll, "option_id": option}}


def answer(answers: dict, at: datetime | str, survey: str = "satisfaction") -> dict:
    return {"id": str(uuid.uuid4()), "type": "survey",
            "created_at": at if isinstance(at, str) else z(at), "lang": "ar",
            "content_version": 1, "payload": {"survey_id": survey, "answers": answers}}


def send(central: CentralServer, device: dict, items: list[dict]) -> list[dict]:
    r = central.post("/api/v1/submissions", json={"items": items}, headers=central.auth(device))
    assert r.status_code == 200, r.text
    return r.json()["results"]


def counts(central: CentralServer) -> dict[str, int]:
    r = central.get("/api/v1/polls/favourite/results")
    assert r.status_code == 200, r.text
    return {o["id"]: o["votes"] for o in r.json()["options"]}


def stored_ids(central: CentralServer) -> set[str]:
    return {s["id"] for s in json.loads(central.cli("export-submissions", "--json").stdout)}


def group_row(html: str, device_id: str) -> str | None:
    """A kiosk's row in the held votes' summary, as its text (cells split by |)."""
    m = re.search(rf'<tr data-device="{re.escape(device_id)}" data-poll="favourite">.*?</tr>',
                  html, re.S)
    if not m:
        return None
    cells = re.findall(r"<td>(.*?)</td>", m.group(), re.S)
    return " | ".join(" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells)


def test_three_hundred_votes_in_three_requests_count_one_per_twenty_seconds(central):
    device = central.enroll(name="stuffed")
    before = counts(central)
    start = an_hour_ago()
    items = [vote("dates", start + timedelta(seconds=i)) for i in range(300)]
    results = [r for n in range(3) for r in send(central, device, items[n * 100:(n + 1) * 100])]
    # Held votes are stored (the kiosk has nothing to retry) but not counted.
    assert {r["status"] for r in results} == {"stored"}
    allowed = 300 // vote_checks.VOTE_GAP_S  # one at 0 s, 20 s, ... 280 s
    after = counts(central)
    assert after["dates"] - before["dates"] == allowed == 15
    assert after["incense"] == before["incense"] and after["halwa"] == before["halwa"]
    exported = {s["id"]: s for s in json.loads(central.cli("export-submissions",
                                                           "--json").stdout)}
    held = [exported[i["id"]] for i in items if exported[i["id"]]["held"]]
    assert len(held) == 300 - allowed and {s["held_reason"] for s in held} == {"gap"}


def test_votes_twenty_seconds_apart_count_up_to_sixty_in_one_hour(central):
    device = central.enroll(name="busy all hour")
    before = counts(central)
    start = an_hour_ago()
    items = [vote("incense", start + timedelta(seconds=20 * i)) for i in range(70)]
    assert {r["status"] for r in send(central, device, items)} == {"stored"}
    assert counts(central)["incense"] - before["incense"] == vote_checks.VOTES_PER_HOUR == 60
    # The next clock hour is a new hour for the limit.
    later = [vote("incense", start + timedelta(hours=1, seconds=20 * i)) for i in range(3)]
    send(central, device, later)
    assert counts(central)["incense"] - before["incense"] == 63


def test_votes_for_what_no_kiosk_shows_are_refused_item_by_item(central):
    device = central.enroll(name="confused")
    before = counts(central)
    now = datetime.now(UTC)
    good = vote("halwa", now - timedelta(minutes=5))
    unknown_poll = vote("dates", now, poll="no-such-poll")
    unknown_option = vote("camels", now)
    in_2099 = vote("dates", "2099-01-01T09:00:00Z")
    before_open = vote("dates", "2025-12-31T23:00:00Z")  # the poll opens 2026-01-01T00:00Z
    skewed = vote("dates", "2025-12-31T23:55:00Z")  # a kiosk clock 5 minutes early: taken
    feedback = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": z(now),
                "lang": "en", "content_version": 1,
                "payload": {"kind": "comment", "text": "still stored"}}
    items = [good, unknown_poll, unknown_option, in_2099, before_open, skewed, feedback]
    results = send(central, device, items)
    assert [(r["status"], r["code"]) for r in results] == [
        ("stored", 200), ("invalid", 422), ("invalid", 422), ("invalid", 422),
        ("invalid", 422), ("stored", 200), ("stored", 200)]
    assert [r["id"] for r in results] == [i["id"] for i in items]
    assert "no poll 'no-such-poll'" in results[1]["error"]
    assert "'camels' is not one of the options of poll 'favourite'" in results[2]["error"]
    assert "in the future" in results[3]["error"] and "clock" in results[3]["error"]
    assert "was not open" in results[4]["error"] and "2026-01-01" in results[4]["error"]
    assert all(r.get("receipt") is None for r in results[1:5])
    ids = stored_ids(central)
    assert {good["id"], skewed["id"], feedback["id"]} <= ids
    assert not {i["id"] for i in items[1:5]} & ids
    after = counts(central)
    assert after["halwa"] - before["halwa"] == 1 and after["dates"] - before["dates"] == 1


def test_survey_answers_to_questions_or_values_it_does_not_have_are_refused(central):
    device = central.enroll(name="survey kiosk")
    now = datetime.now(UTC)
    items = [answer({"overall": "5"}, now), answer({"overall": "9"}, now),
             answer({"overall": "4", "colour": "1"}, now), answer({"overall": "3"}, now,
                                                                   survey="no-such-survey"),
             answer({"overall": "4"}, now + timedelta(hours=3))]
    results = send(central, device, items)
    assert [(r["status"], r["code"]) for r in results] == [
        ("stored", 200), ("invalid", 422), ("invalid", 422), ("invalid", 422), ("invalid", 422)]
    assert "'9' is not an answer question 'overall'" in results[1]["error"]
    assert "has no question 'colour'" in results[2]["error"]
    assert "no survey 'no-such-survey'" in results[3]["error"]
    assert "in the future" in results[4]["error"]
    ids = stored_ids(central)
    assert items[0]["id"] in ids and not {i["id"] for i in items[1:]} & ids


def test_another_kiosks_id_gets_a_409_and_no_receipt_and_counts_once(central):
    a, b = central.enroll(name="kiosk A"), central.enroll(name="kiosk B")
    before = counts(central)
    item = vote("halwa", datetime.now(UTC) - timedelta(minutes=1))
    [first] = send(central, a, [item])
    assert first["status"] == "stored" and first["receipt"]["receipt"]
    fresh = vote("halwa", datetime.now(UTC) - timedelta(minutes=2))
    changed = {**item, "payload": {"poll_id": "favourite", "option_id": "dates"}}
    replay, other_body, own = send(central, b, [item, changed, fresh])
    for r in (replay, other_body):
        assert (r["status"], r["code"]) == ("conflict", 409)
        assert r.get("receipt") is None and "another kiosk" in r["error"]
    assert first["receipt"]["receipt"] not in json.dumps([replay, other_body])
    assert own["status"] == "stored"
    [again] = send(central, a, [item])  # the kiosk that sent it still gets its receipt
    assert again["status"] == "duplicate" and again["receipt"] == first["receipt"]
    after = counts(central)
    assert after["halwa"] - before["halwa"] == 2 and after["dates"] == before["dates"]


def test_staff_see_held_votes_release_some_and_reject_the_rest(central):
    device = central.enroll(name="held kiosk", location="Nizwa souq")
    at = datetime.now(UTC) - timedelta(minutes=30)
    items = [vote("halwa", at) for _ in range(10)]  # the same moment: one counts
    before = counts(central)
    send(central, device, items)
    assert counts(central)["halwa"] - before["halwa"] == 1
    s = login(central, "ali")
    page = s.get(central.url + "/admin/votes", timeout=10)
    assert page.status_code == 200 and 'href="/admin/votes" aria-current="page"' in page.text
    row = group_row(page.text, device["device_id"])
    assert row and row.startswith("held kiosk Nizwa souq | Your favourite product? | 9 | ")
    assert "Halwa : 9" in row
    assert "less than 20 seconds after another counted vote" in row
    held = [i["id"] for i in items if f'value="{i["id"]}"' in page.text]
    assert len(held) == 9
    r = s.post(central.url + "/admin/votes", timeout=10,
               data={"csrf": csrf(page.text), "action": "release", "vote": held[:3]})
    assert r.status_code == 200 and "3 votes released; they are counted now." in r.text
    assert counts(central)["halwa"] - before["halwa"] == 4
    assert "| 6 | Halwa : 6 |" in group_row(r.text, device["device_id"])
    no_reason = s.post(central.url + "/admin/votes", timeout=10, data={
        "csrf": csrf(r.text), "action": "reject", "device_id": device["device_id"],
        "poll_id": "favourite", "reason": " "})
    assert no_reason.status_code == 422 and "say why the votes are rejected" in no_reason.text
    r = s.post(central.url + "/admin/votes", timeout=10, data={
        "csrf": csrf(r.text), "action": "reject", "device_id": device["device_id"],
        "poll_id": "favourite", "reason": "one visitor held the button down"})
    assert r.status_code == 200 and "6 votes rejected; they are never counted." in r.text
    assert group_row(r.text, device["device_id"]) is None
    assert counts(central)["halwa"] - before["halwa"] == 4
    exported = {x["id"]: x for x in json.loads(central.cli("export-submissions",
                                                           "--json").stdout)}
    assert sum(exported[i]["hidden"] for i in held) == 6
    audit = s.get(central.url + "/admin/audit", timeout=10).text
    assert "released a held vote" in audit and "one visitor held the button down" in audit


def test_a_staff_member_without_the_role_gets_403_on_the_held_votes_page(central):
    s = login(central, "edna")  # an editor: content, not results
    page = s.get(central.url + "/admin/votes", timeout=10)
    assert page.status_code == 403 and "can not do this" in page.text
    assert 'href="/admin/votes"' not in s.get(central.url + "/admin/", timeout=10).text
    r = s.post(central.url + "/admin/votes", timeout=10,
               data={"csrf": csrf(page.text), "action": "release", "vote": ["x"]})
    assert r.status_code == 403
    assert requests.get(central.url + "/admin/votes", allow_redirects=False,
                        timeout=10).status_code == 303  # signed out: to the sign-in page


def test_two_parallel_stuffing_batches_from_one_kiosk_still_hold_the_limit(central):
    device = central.enroll(name="parallel")
    before = counts(central)
    start = an_hour_ago() + timedelta(minutes=30)
    batches = [[vote("dates", start + timedelta(seconds=i)) for i in range(100)]
               for _ in range(2)]
    go = threading.Barrier(len(batches))
    statuses: list[list[str]] = []

    def post(items: list[dict]) -> None:
        with requests.Session() as http:
            go.wait(timeout=30)
            r = http.post(central.url + "/api/v1/submissions", json={"items": items},
                          headers=central.auth(device), timeout=60)
            statuses.append([x["status"] for x in r.json()["results"]])

    threads = [threading.Thread(target=post, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [set(s) for s in statuses] == [{"stored"}, {"stored"}]
    # One vote at 0, 20, 40, 60, 80 s counts, whichever batch brought it: not one per batch.
    assert counts(central)["dates"] - before["dates"] == 100 // vote_checks.VOTE_GAP_S == 5


def test_a_poll_a_kiosk_may_still_show_takes_votes_until_it_is_gone_from_every_kept_version(
        central):
    """Taken out of the newest version, a poll still takes votes from kiosks that name the
    version they showed it in; a vote naming the newest version is refused."""
    service = central.service()
    poll = service.get_record("poll", "favourite")
    device = central.enroll(name="behind")
    try:
        service.delete_record("poll", "favourite")
        newest = service.publish().version
        at = datetime.now(UTC) - timedelta(minutes=1)
        old, new = vote("dates", at, content_version=1), vote("dates", at,
                                                               content_version=newest)
        results = send(central, device, [old, new])
        assert [(r["status"], r["code"]) for r in results] == [("stored", 200),
                                                               ("invalid", 422)]
        assert "no poll 'favourite'" in results[1]["error"]
    finally:
        service.save_record("poll", poll)
        service.publish()
        service.close()
