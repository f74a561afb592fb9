"""The visitor services (kiosk/services): what screens ask, answered from a real SQLite store with
the demo catalogue, a real outbox, and a real central on 127.0.0.1 for poll results. Plus the
guard that keeps screens away from the store, the outbox, the blobs and the network."""

from __future__ import annotations

import ast
import json
import queue
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from kiosk.protocol.reference import check
from kiosk.services import ContactRefused, InputRefused, NotSaved, VisitorServices
from kiosk.services.polls import PollResults
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO_POLL = "more-products-2027"
ANSWER_WAIT_S = 30


@pytest.fixture
def device(tmp_path):
    d = KioskDevice(KioskPaths(tmp_path / "kiosk"))
    d.ensure_content()
    yield d
    d.close()


@pytest.fixture
def services(device) -> VisitorServices:
    return VisitorServices(device)


def kept(device: KioskDevice) -> list[dict]:
    """What the outbox holds, read from its file as central would receive it."""
    with sqlite3.connect(device.paths.outbox_db) as c:
        rows = c.execute("SELECT body FROM submission ORDER BY seq").fetchall()
    return [json.loads(b) for (b,) in rows if b]


# -- browse, search, read ---------------------------------------------------------------------

def test_browse_pages_a_category_in_name_order_with_its_total(services):
    cat = max(services.browse.categories(), key=lambda c: c.product_count)
    assert cat.product_count > 3
    first = services.browse.products(category=cat.id, page=0, per_page=3, lang="en")
    second = services.browse.products(category=cat.id, page=1, per_page=3, lang="en")
    assert first.total == second.total == cat.product_count
    assert len(first.items) == 3
    names = [p.name.en.casefold() for p in first.items + second.items]
    assert names == sorted(names)
    assert not {p.id for p in first.items} & {p.id for p in second.items}
    assert services.browse.product_count(category=cat.id) == cat.product_count
    assert services.browse.list_name(category=cat.id).en == cat.name.en
    assert services.browse.list_name(category="no-such-category") is None
    assert services.browse.list_name() is None


def test_a_product_comes_with_its_maker_and_its_pictures_files(services):
    pid = services.browse.first_product_id()
    detail = services.browse.product(pid)
    assert detail is not None and detail.product.id == pid
    assert detail.manufacturer is not None and detail.category is not None
    with_pictures = next(
        d for d in (services.browse.product(p.id) for p in
                    services.browse.products(per_page=100).items) if d.product.images)
    picture = services.browse.picture(with_pictures.product.images[0].blob)
    assert picture.is_file() and picture.stat().st_size > 0
    assert services.browse.product("no-such-product") is None
    assert services.browse.product(None) is None


def test_makers_and_governorates_carry_their_product_counts(services):
    makers = services.browse.manufacturers("en")
    assert [m.name.en.casefold() for m in makers] == sorted(m.name.en.casefold() for m in makers)
    m = makers[0]
    assert services.browse.product_count(manufacturer=m.id) == m.product_count > 0
    g = next(g for g in services.browse.governorates() if g.product_count)
    assert services.browse.products(governorate=g.id, per_page=500).total == g.product_count


def test_search_forgives_spelling_and_says_when_a_word_finds_nothing(services):
    found = services.search.find("frankincense", limit=5)
    assert found.total >= 1 and len(found.items) <= 5
    assert services.search.find("لبان").total >= 1
    assert services.search.finds_anything("frankincense")
    assert not services.search.finds_anything("zzqqxx")


def test_reading_gives_lists_and_single_entries(services):
    news = services.reading.news()
    assert [n.published_on for n in news] == sorted((n.published_on for n in news),
                                                    reverse=True)
    assert services.reading.news_item(news[-1].id) == news[-1]
    assert services.reading.news_item("no-such-news") is None
    faq = services.reading.faq()
    assert services.reading.faq_entry(faq[1].id).answer == faq[1].answer
    guide = services.reading.guide()
    assert services.reading.guide_entry(guide[0].id).steps == guide[0].steps
    policies = services.reading.policies()
    assert services.reading.policy(policies[0].id).title == policies[0].title
    assert services.reading.policy(None) is None
    assert services.reading.portal_url() == "https://madeinoman.om/"
    assert services.content_version() == 1


def test_contact_says_open_or_closed_in_muscat_time(device):
    # Sunday 2026-11-29, 09:00 and 16:00 in Muscat (UTC+4); 2026-11-18 is National Day.
    at = {"open": datetime(2026, 11, 29, 5, 0, tzinfo=UTC),
          "closed": datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
          "holiday": datetime(2026, 11, 18, 6, 0, tzinfo=UTC)}
    details = {k: VisitorServices(device, now=lambda t=t: t).contact.details("en")
               for k, t in at.items()}
    assert details["open"].status == "Open now, until 14:30."
    assert details["open"].open_now.open
    assert details["closed"].status == "Closed now. Opens Monday at 7:30."
    assert details["holiday"].status.startswith("Closed today for National Day.")
    d = details["open"]
    assert d.call_centre == "80000070" and d.email == "info@madeinoman.om"
    assert d.hours.splitlines()[0] == "Sunday to Thursday, 7:30 to 14:30"
    ar = VisitorServices(device, now=lambda: at["open"]).contact.details("ar")
    assert ar.address != d.address and ar.status != d.status


# -- sending what the visitor said ------------------------------------------------------------

def test_feedback_is_kept_as_the_wire_payload_with_the_screen_it_is_about(services, device):
    sid = services.feedback.send("complaint", "  The lift was broken.  ", "en",
                                 screen="product")
    sid2 = services.feedback.send("accessibility", "Text too small", "ar",
                                  screen="not a screen name!")
    items = kept(device)
    assert [i["id"] for i in items] == [sid.id, sid2.id]
    # Each carries the reference the thanks screen shows, made here, before central has it.
    assert [i["reference"] for i in items] == [sid.reference.replace("-", ""),
                                               sid2.reference.replace("-", "")]
    assert sid.reference != sid2.reference
    assert check(sid.reference) == "ok"
    assert items[0]["type"] == "feedback" and items[0]["lang"] == "en"
    assert items[0]["payload"] == {"kind": "complaint", "text": "The lift was broken.",
                                   "screen": "product"}
    # The screen is context: a name the wire refuses is left out, the report still goes.
    assert items[1]["type"] == "accessibility"
    assert items[1]["payload"] == {"text": "Text too small"}
    assert items[0]["content_version"] == 1


@pytest.mark.parametrize("kind,text,field,sentence", [
    ("comment", "   ", "text", "Please type your message first."),
    ("comment", "x" * 4001, "text", "Your message is too long. Please shorten it, then send it "
                                    "again."),
    ("praise", "Lovely", "kind", "Please choose what kind of message you are sending."),
    ("accessibility", "", "text", "Please type your message first."),
])
def test_feedback_the_wire_would_refuse_gets_a_sentence_and_keeps_nothing(
        services, device, kind, text, field, sentence):
    with pytest.raises(InputRefused) as e:
        services.feedback.send(kind, text, "en")
    assert e.value.message == sentence and e.value.field == field
    assert kept(device) == []


def test_contact_details_on_a_kiosk_without_central_are_refused_and_the_message_still_goes(
        services, device):
    with pytest.raises(ContactRefused) as e:
        services.feedback.send("suggestion", "More benches", "en",
                               contact={"name": "Salim", "phone": "99 000 000"})
    assert "can not take contact details yet" in e.value.message
    assert e.value.field == "contact"
    assert kept(device) == []
    # Empty or unknown contact fields count as none.
    services.feedback.send("suggestion", "More benches", "en",
                           contact={"name": "  ", "shoe_size": "44"})
    assert [i["payload"]["text"] for i in kept(device)] == ["More benches"]
    with pytest.raises(InputRefused) as e:
        services.feedback.send("suggestion", "More benches", "en", contact={"name": "x" * 201})
    assert e.value.field == "contact"


def test_a_damaged_outbox_tells_the_visitor_it_was_not_saved(services, device):
    _ = device.outbox
    with sqlite3.connect(device.paths.outbox_db) as c:
        c.execute("DROP TABLE submission")
    with pytest.raises(NotSaved) as e:
        services.feedback.send("comment", "Nice", "en")
    assert e.value.message.startswith("Your message could not be saved on this kiosk.")
    with pytest.raises(NotSaved) as e:
        services.polls.vote(DEMO_POLL, "food", "en")
    assert e.value.message.startswith("Your vote could not be saved")
    with pytest.raises(NotSaved) as e:
        services.survey.answer(None, {"overall": "satisfied"}, None, "en")
    assert e.value.message.startswith("Your answers could not be saved")


def test_a_vote_is_kept_for_an_option_of_the_poll_only(services, device):
    poll = services.polls.open_poll()
    assert poll is not None and poll.id == DEMO_POLL
    with pytest.raises(InputRefused) as e:
        services.polls.vote(poll.id, None, "en")
    assert (e.value.message, e.value.field) == ("Please choose an answer first, then tap Vote.",
                                                "option")
    with pytest.raises(InputRefused):
        services.polls.vote(poll.id, "no-such-option", "en")
    with pytest.raises(InputRefused) as e:
        services.polls.vote("no-such-poll", "food", "en")
    assert e.value.message.startswith("There is no poll open at the moment.")
    assert kept(device) == []
    sid = services.polls.vote(poll.id, "crafts", "ar")
    assert kept(device) == [{**kept(device)[0], "id": sid, "type": "poll_vote", "lang": "ar",
                             "payload": {"poll_id": DEMO_POLL, "option_id": "crafts"}}]


def test_survey_answers_are_checked_against_the_survey(services, device):
    survey = services.survey.survey()
    assert survey is not None and survey.id == "satisfaction"
    required = [q for q in survey.questions if q.required]
    optional = next(q for q in survey.questions if not q.required)
    assert required
    with pytest.raises(InputRefused) as e:
        services.survey.answer(survey.id, {optional.id: optional.choices[0].id}, None, "en")
    assert e.value.field == required[0].id
    assert e.value.message.startswith("This question needs an answer.")
    # A choice the question does not have counts as no answer.
    with pytest.raises(InputRefused) as e:
        services.survey.answer(survey.id, {required[0].id: "no-such-choice"}, None, "en")
    assert e.value.field == required[0].id
    with pytest.raises(InputRefused) as e:
        services.survey.answer(survey.id, {q.id: q.choices[0].id for q in required},
                               "y" * 4001, "en")
    assert e.value.field == "comment"
    assert kept(device) == []
    answers = {q.id: q.choices[-1].id for q in required}
    sid = services.survey.answer(survey.id, {**answers, "gone-question": "x"}, "  Thanks! ",
                                 "en")
    [item] = kept(device)
    assert item["id"] == sid and item["type"] == "survey"
    assert item["payload"] == {"survey_id": survey.id, "answers": answers, "comment": "Thanks!"}


def test_answers_to_a_survey_not_in_the_content_are_refused(services):
    with pytest.raises(InputRefused) as e:
        services.survey.answer("no-such-survey", {}, None, "en")
    assert e.value.message.startswith("There is no survey at the moment.")


# -- poll results -----------------------------------------------------------------------------

def answers_to(results_call) -> tuple[PollResults | None, queue.Queue]:
    got: queue.Queue = queue.Queue()
    return results_call(got.put), got


def wait_for_threads(name: str) -> None:
    deadline = time.monotonic() + ANSWER_WAIT_S
    for t in [t for t in threading.enumerate() if t.name == name]:
        t.join(max(0.0, deadline - time.monotonic()))
        assert not t.is_alive()


def test_results_without_central_are_this_kiosks_votes_and_no_answer_follows(services):
    services.polls.vote(DEMO_POLL, "crafts", "en")
    now, got = answers_to(lambda a: services.polls.results(DEMO_POLL, answer=a))
    assert now.source == "local"  # unprovisioned: nobody to ask
    assert now.votes("crafts") == 1 and now.total == 1 and now.percent("crafts") == 100
    assert set(now.counts) == {o.id for o in now.poll.options}
    assert now.votes("food") == 0 and now.share("food") == 0.0
    wait_for_threads("poll-results")
    assert got.empty()
    assert services.polls.results("no-such-poll") is None


@pytest.fixture
def provisioned(tmp_path, central_server):
    code = central_server.cli("enrollment-code").stdout.strip()
    d = KioskDevice(KioskPaths(tmp_path / "kiosk-central"))
    d.provision(central_server.url, code, name="services test kiosk")
    assert d.sync().outcome == "updated"  # central's catalogue, with its poll "favourite"
    yield d
    d.close()


def public_votes(server, poll_id: str) -> dict[str, int]:
    body = server.get(f"/api/v1/polls/{poll_id}/results").json()
    return {o["id"]: o["votes"] for o in body["options"]}


def test_results_from_central_add_this_kiosks_undelivered_votes_and_answer_once(
        provisioned, central_server):
    services = VisitorServices(provisioned)
    before = public_votes(central_server, "favourite")
    services.polls.vote("favourite", "halwa", "en")
    now, got = answers_to(lambda a: services.polls.results("favourite", answer=a))
    assert now.source == "asking" and now.votes("halwa") == 1 and now.total == 1
    answered = got.get(timeout=ANSWER_WAIT_S)
    assert answered.source == "central"
    assert dict(answered.counts) == {o: n + (o == "halwa") for o, n in before.items()}
    wait_for_threads("poll-results")
    assert got.empty()  # answered once
    # Delivered: central counts it now and this kiosk no longer adds it.
    assert provisioned.flush_outbox(max_failures=1).pending == 0
    assert provisioned.outbox.pending_votes("favourite") == {}
    _, got = answers_to(lambda a: services.polls.results("favourite", answer=a))
    again = got.get(timeout=ANSWER_WAIT_S)
    assert again.source == "central"
    assert dict(again.counts) == public_votes(central_server, "favourite")
    assert again.votes("halwa") == before["halwa"] + 1


def test_results_when_central_does_not_answer_are_this_kiosks_votes(provisioned):
    services = VisitorServices(provisioned)
    services.polls.vote("favourite", "halwa", "en")
    provisioned.credentials.api = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    now, got = answers_to(lambda a: services.polls.results("favourite", answer=a))
    assert now.source == "asking"
    answered = got.get(timeout=ANSWER_WAIT_S)
    assert answered.source == "local" and answered.votes("halwa") == 1
    wait_for_threads("poll-results")
    assert got.empty()


def test_a_vote_wakes_the_uploader(provisioned, central_server):
    services = VisitorServices(provisioned)
    first = provisioned.submit("feedback", {"kind": "comment", "text": "before"}, "en")
    provisioned.start_background()

    def delivered(sid: str) -> bool:
        item = provisioned.outbox.get(sid)
        return item is not None and item.state == "acked"

    def wait(sid: str, within: float) -> None:
        deadline = time.monotonic() + within
        while not delivered(sid):
            assert time.monotonic() < deadline, f"{sid} not delivered within {within} s"
            time.sleep(0.05)  # polling interval, not a fixed wait

    # The uploader's first round took the first item; it now sleeps 60 s unless woken.
    wait(first, ANSWER_WAIT_S)
    sid = services.polls.vote("favourite", "dates", "en")
    wait(sid, ANSWER_WAIT_S)


# -- the guard: screens ask the services only -------------------------------------------------

FORBIDDEN_IMPORTS = ("offline_cache", "requests", "kiosk.central_client")
FORBIDDEN_DEVICE_PARTS = {"store", "outbox", "blobs", "client", "submit", "wake_outbox"}


def reaching_past_the_services(source: str) -> list[str]:
    """Where ``source`` imports storage or the network, or takes the device's store, outbox,
    blobs, client or submit (``device.store``, ``self.app.device.outbox``, ...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""]
            found += [f"line {node.lineno}: imports {n}" for n in names
                      if any(n == f or n.startswith(f + ".") for f in FORBIDDEN_IMPORTS)]
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_DEVICE_PARTS:
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else \
                owner.id if isinstance(owner, ast.Name) else None
            if name == "device":
                found.append(f"line {node.lineno}: device.{node.attr}")
    return found


def test_the_guard_sees_a_screen_reaching_past_the_services():
    bad = ("from offline_cache.outbox import ContactNotAccepted\nimport requests\n"
           "def f(self, device):\n    self.app.device.store.faq()\n    device.blobs.path(1)\n"
           "    self.app.device.client().poll_results(2)\n"
           "    self.app.device.submit('poll_vote', {}, 'en')\n")
    assert len(reaching_past_the_services(bad)) == 6
    assert reaching_past_the_services("self.app.services.reading.faq()\n"
                                      "self.app.device.ensure_content()\n") == []


def test_no_screen_touches_the_store_the_outbox_the_blobs_or_the_network():
    files = sorted(ROOT.joinpath("screens").rglob("*.py"))
    assert len(files) > 20
    found = {str(p.relative_to(ROOT)): hits for p in files
             if (hits := reaching_past_the_services(p.read_text(encoding="utf-8")))}
    assert found == {}
