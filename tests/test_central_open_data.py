"""Open data, complete and permanent, against a real central (SQLite and PostgreSQL): every
dataset as JSON and CSV (each CSV checked by Frictionless), every published version kept byte
for byte, the data dictionary, the DCAT catalogue, the Atom feed of the news (read by
feedparser), counts that hold numbers only, and the public's requests for data landing in the
staff feedback list."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import frictionless
import pytest
import requests

from kiosk import protocol
from tests.conftest import CentralDB, CentralServer, published_central
from tests.test_central_feedback import now_z, send

PASSWORD = "correct horse battery"
SECRET_TEXT = "my neighbour Khalid at 99001122 sells fakes"
SURVEY_COMMENT = "the survey comment nobody may publish"
CONTENT = {"products": "product", "manufacturers": "manufacturer", "categories": "category",
           "governorates": "governorate", "certifications": "certification", "news": "news",
           "faq": "faq", "guide": "guide"}
COUNTS = ("poll-results", "survey-results", "feedback-counts")
TRICKY_NEWS = {
    "id": "tricky", "published_on": "2026-11-20",
    "title": {"en": "=HYPERLINK(\"http://evil.example\") Dates & <b>honey</b> ]]>",
              "ar": "تمر وعسل <b> & \"عرض\""},
    "summary": {"en": "@SUM(A1) summary with a\nnew line", "ar": "ملخص"},
    "body": {"en": "+cmd body, with \"quotes\", commas", "ar": "نص الخبر"},
}


def item(type_: str, payload: dict, test: bool = False, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "type": type_, "created_at": now_z(), "lang": "en",
            "content_version": 1, "payload": payload, "test": test, **extra}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("open_data_home"), central_catalogue_dir,
                           db=module_central_db) as server:
        server.cli("create-staff", "amal", "--role", "analyst", input=PASSWORD + "\n")
        svc = server.service()
        try:
            svc.save_record("news", TRICKY_NEWS)
        finally:
            svc.close()
        server.cli("publish")
        device = server.enroll(name="open data kiosk")
        sealed = protocol.seal_contact({"phone": "99887766"}, device["submission_public_key"])
        results = send(server, device, [
            item("feedback", {"kind": "complaint", "text": SECRET_TEXT}, sealed_contact=sealed),
            item("feedback", {"kind": "comment", "text": "Lovely dates"}),
            item("feedback", {"kind": "comment", "text": "another comment"}),
            item("accessibility", {"text": "The text is small"}),
            item("feedback", {"kind": "suggestion", "text": "technician's test"}, test=True),
            item("poll_vote", {"poll_id": "favourite", "option_id": "halwa"}),
            item("poll_vote", {"poll_id": "favourite", "option_id": "dates"}, test=True),
            item("survey", {"survey_id": "satisfaction", "answers": {"overall": "4"},
                            "comment": SURVEY_COMMENT}),
            item("survey", {"survey_id": "satisfaction", "answers": {"overall": "5"}},
                 test=True),
        ])
        assert all(r["status"] == "stored" for r in results), results
        yield server


def published(central: CentralServer):
    svc = central.service()
    try:
        return svc.published_catalogue()
    finally:
        svc.close()


def rows_of_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def frictionless_report(path: Path) -> frictionless.Report:
    """Frictionless's checks of the downloaded file (its own CSV dialect, encoding, header,
    row shapes, inferred types); it takes paths relative to a base folder only."""
    return frictionless.Resource(path.name, basepath=str(path.parent)).validate()


def test_every_dataset_is_json_and_a_valid_csv_with_the_published_rows_and_the_licence(
        central, tmp_path):
    pub = published(central)
    licence = pub.records["site"]["site"]["open_data_licence"]
    dictionary = central.get("/open-data/dictionary.json").json()
    keys = {d["name"]: d["json_key"] for d in dictionary["datasets"]}
    fields = {d["name"]: [f["name"] for f in d["fields"]] for d in dictionary["datasets"]}
    assert set(keys) == {*CONTENT, *COUNTS}
    expected_counts = {
        "poll-results": sum(len(p["options"]) for p in pub.records["poll"].values()),
        "survey-results": sum(len(q["choices"]) for s in pub.records["survey"].values()
                              for q in s["questions"]),
        "feedback-counts": 3,  # this month: complaint, comment, accessibility (test left out)
    }
    for name in (*CONTENT, *COUNTS):
        j = central.get(f"/open-data/{name}.json")
        c = central.get(f"/open-data/{name}.csv")
        assert j.status_code == 200 and c.status_code == 200, (name, j.text[:200], c.text[:200])
        assert j.headers["content-type"] == "application/json"
        assert c.headers["content-type"].startswith("text/csv")
        for r in (j, c):
            assert r.headers["Access-Control-Allow-Origin"] == "*"
            assert r.headers["X-Licence"] == licence["en"]
            assert "/open-data/catalog.jsonld" in r.headers["Link"]
            assert "/open-data/about.json" in r.headers["Link"]
            assert r.headers["Cache-Control"] == "public, max-age=300"
        body = j.json()
        assert body["licence"] == licence and body["version"] == pub.version
        rows = body[keys[name]]
        path = tmp_path / f"{name}.csv"
        path.write_bytes(c.content)
        report = frictionless_report(path)
        assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        csv_rows = rows_of_csv(c.content.decode("utf-8"))
        assert list(csv_rows[0]) == fields[name] == list(rows[0]), name
        assert len(csv_rows) == len(rows), name
        if name in CONTENT:
            assert len(rows) == len(pub.records[CONTENT[name]]), name
            assert {r["id"] for r in rows} == set(pub.records[CONTENT[name]]), name
            assert "as_of" not in body
        else:
            assert len(rows) == expected_counts[name], (name, rows)
            assert body["as_of"].endswith("Z")


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_everywhere(central):
    rows = {r["id"]: r for r in rows_of_csv(central.get("/open-data/news.csv").text)}
    tricky = rows["tricky"]
    assert tricky["title_en"].startswith("'=HYPERLINK(")
    assert tricky["summary_en"] == "'@SUM(A1) summary with a\nnew line"
    assert tricky["body_en"] == "'+cmd body, with \"quotes\", commas"
    assert central.get("/open-data/news.json").json()["news"][0]["title_en"].startswith(
        "=HYPERLINK(")  # JSON carries the text as it is
    guide = rows_of_csv(central.get("/open-data/guide.csv").text)[0]
    assert guide["documents_en"] == "Commercial register"


def test_counts_hold_numbers_only_and_leave_out_tests_and_comments(central):
    month = datetime.now(UTC).astimezone(protocol_tz()).strftime("%Y-%m")
    feedback = central.get("/open-data/feedback-counts.json")
    counts = {(r["month"], r["kind"]): r["count"] for r in feedback.json()["feedback_counts"]}
    assert counts == {(month, "comment"): 2, (month, "complaint"): 1,
                      (month, "accessibility"): 1}
    for r in feedback.json()["feedback_counts"]:
        assert set(r) == {"month", "kind", "count"} and isinstance(r["count"], int)
    polls = {r["option_id"]: r["votes"] for r in
             central.get("/open-data/poll-results.json").json()["poll_results"]}
    assert polls == {"dates": 0, "incense": 0, "halwa": 1}  # the test vote is left out
    survey = {r["choice_id"]: r["answers"] for r in
              central.get("/open-data/survey-results.json").json()["survey_results"]}
    assert survey == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    everything = b"".join(central.get(f"/open-data/{n}.{f}").content
                          for n in COUNTS for f in ("json", "csv"))
    for secret in (SECRET_TEXT, "Lovely dates", "99887766", SURVEY_COMMENT, "technician"):
        assert secret.encode() not in everything


def test_an_item_staff_hide_leaves_the_counts(central):
    from central import feedback

    month = datetime.now(UTC).astimezone(protocol_tz()).strftime("%Y-%m")

    def comments() -> int:
        rows = central.get("/open-data/feedback-counts.json").json()["feedback_counts"]
        return sum(r["count"] for r in rows if r["kind"] == "comment" and r["month"] == month)

    svc = central.service()
    try:
        [target] = [s for s in svc.list_submissions(type="feedback")
                    if s["payload"]["text"] == "another comment"]
        before = comments()
        feedback.hide(svc, target["id"], "off topic", "amal")
        assert comments() == before - 1
        feedback.unhide(svc, target["id"], "amal")
        assert comments() == before
    finally:
        svc.close()


def protocol_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Muscat")


def test_the_news_feed_is_atom_in_each_language_with_one_entry_per_news_item(central):
    pub = published(central)
    news = pub.records["news"]
    for lang in ("ar", "en"):
        r = central.get("/open-data/news.atom", params={"lang": lang})
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/atom+xml")
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        feed = feedparser.parse(r.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.version == "atom10"
        assert feed.feed.id and feed.feed.title and feed.feed.updated
        assert feed.feed.get("language") == lang
        assert len(feed.entries) == len(news)
        by_title = {e.title: e for e in feed.entries}
        for rec in news.values():
            e = by_title[rec["title"][lang]]  # escaped in the XML, read back exactly
            assert e.id.startswith("urn:uuid:") and e.updated.startswith(rec["published_on"])
            assert e.summary == rec["summary"][lang] and e.link
            assert e.content[0].value == rec["body"][lang]
        assert len({e.id for e in feed.entries}) == len(news)
    assert b"<b>" not in central.get("/open-data/news.atom?lang=en").content
    assert central.get("/open-data/news.atom?lang=fr").status_code == 422


def test_the_catalogue_is_dcat_json_ld_with_a_dataset_and_distributions_for_each(central):
    r = central.get("/open-data/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    cat = r.json()
    assert cat["@type"] == "dcat:Catalog"
    assert cat["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert cat["@context"]["dct"] == "http://purl.org/dc/terms/"
    licence = published(central).records["site"]["site"]["open_data_licence"]
    labels = {v["@language"]: v["@value"] for v in cat["dct:license"]["rdfs:label"]}
    assert labels == licence
    assert cat["dct:issued"] <= cat["dct:modified"]
    datasets = {d["dct:identifier"]: d for d in cat["dcat:dataset"]}
    assert set(datasets) == {*CONTENT, *COUNTS}
    for d in datasets.values():
        assert d["@type"] == "dcat:Dataset" and d["dct:license"] == cat["dct:license"]
        assert d["dct:issued"] and d["dct:modified"]
        assert {t["@language"] for t in d["dct:title"]} == {"ar", "en"}
        media = {x["dcat:mediaType"]: x for x in d["dcat:distribution"]}
        assert set(media) == {"application/json", "text/csv"}
        for x in media.values():
            assert x["@type"] == "dcat:Distribution"
            url = x["dcat:downloadURL"]["@id"]
            assert url.startswith(central.url) and requests.get(url, timeout=30).ok


def test_the_dictionary_gives_every_field_a_type_and_a_meaning_in_both_languages(central):
    d = central.get("/open-data/dictionary.json").json()
    for ds in d["datasets"]:
        header = central.get(f"/open-data/{ds['name']}.csv").text.splitlines()[0].split(",")
        assert [f["name"] for f in ds["fields"]] == header
        for f in ds["fields"]:
            assert f["type"] in d["types"]
            assert re.search("[\u0600-\u06ff]", f["description"]["ar"]), f
            assert re.search("[A-Za-z]", f["description"]["en"]), f
        assert ds["title"]["ar"] and ds["title"]["en"]


def change_and_publish(central: CentralServer, n: int) -> int:
    svc = central.service()
    try:
        draft = dict(svc.get_record("product", "hojari"))
        draft["name"] = {"en": f"Hojari frankincense, batch {n}", "ar": f"لبان حوجري {n}"}
        svc.save_record("product", draft)
    finally:
        svc.close()
    return int(central.cli("publish").stdout.splitlines()[0])


def test_an_old_version_is_served_byte_for_byte_after_five_newer_publishes(central):
    index = central.get("/open-data/").json()
    old = index["newest"]
    old_files = index["versions"][0]["files"]
    assert set(old_files) == {f"{n}.{f}" for n in CONTENT for f in ("json", "csv")}
    before = {}
    for name, path in old_files.items():
        r = central.get(path)
        assert r.status_code == 200, path
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["Access-Control-Allow-Origin"] == "*" and r.headers["X-Licence"]
        before[name] = r.content
    assert before["products.json"] == central.get("/open-data/products.json").content
    versions = [change_and_publish(central, n) for n in range(5)]
    assert versions == list(range(old + 1, old + 6))
    for v in versions:  # a server keeps 4 versions in memory: the old one is read again
        assert central.get(f"/open-data/v/{v}/products.csv").status_code == 200
    for name, path in old_files.items():
        r = central.get(path)
        assert r.status_code == 200 and r.content == before[name], path
    etag = central.get(old_files["news.csv"]).headers["ETag"]
    assert central.get(old_files["news.csv"],
                       headers={"If-None-Match": etag}).status_code == 304
    newest = central.get("/open-data/products.json").json()
    assert newest["version"] == versions[-1]
    assert "Hojari frankincense, batch 4" in {p["name_en"] for p in newest["products"]}
    index = central.get("/open-data/").json()
    listed = [v["version"] for v in index["versions"]]
    assert listed == sorted(listed, reverse=True) and listed[0] == versions[-1]
    assert {old, *versions} <= set(listed)
    middle = central.get(f"/open-data/v/{versions[2]}/products.json").json()
    assert "Hojari frankincense, batch 2" in {p["name_en"] for p in middle["products"]}
    assert central.get("/open-data/v/999999/products.json").status_code == 404
    # Counts are as of now: a version's folder has none, and says so.
    r = central.get(f"/open-data/v/{old}/poll-results.json")
    assert r.status_code == 404 and "counted as of now" in r.json()["error"]


def sign_in(central: CentralServer) -> requests.Session:
    s = requests.Session()
    r = central.sign_in("amal", PASSWORD, s)
    assert r.status_code == 200, r.text[:300]
    return s


def test_a_request_for_data_reaches_staff_with_its_contact_sealed(central):
    r = central.post("/open-data/requests", json={
        "dataset": "Exports of Omani dates by governorate and year",
        "reason": "A university study on date farming", "email": "researcher@example.om",
        "lang": "en"})
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    ref = receipt["reference"]
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", ref) and ref in receipt["message"]["en"]
    assert b"researcher@example.om" not in central.stored_bytes()
    s = sign_in(central)
    listed = s.get(central.url + "/admin/submissions?type=data_request", timeout=30)
    assert listed.status_code == 200 and ref in listed.text
    assert "Exports of Omani dates by governorate and year" in listed.text
    assert "open data request" in listed.text
    everything = s.get(central.url + "/admin/submissions", timeout=30).text
    assert ref in everything
    found = s.get(central.url + "/admin/submissions/find", params={"reference": ref},
                  timeout=30)
    assert found.status_code == 200 and "A university study on date farming" in found.text
    assert "Show contact details" in found.text
    # The visitor follows it up by the reference, like kiosk feedback.
    page = central.get(receipt["follow_up"])
    assert page.status_code == 200 and ref in page.text
    # Not feedback: the public counts do not include it.
    kinds = {r["kind"] for r in
             central.get("/open-data/feedback-counts.json").json()["feedback_counts"]}
    assert kinds <= {"comment", "suggestion", "complaint", "accessibility"}


@pytest.mark.parametrize(("body", "status", "sentence"), [
    ({"dataset": "x" * 301, "reason": "why not"}, 422,
     "The description of the data you would like is too long: at most 300 characters"),
    ({"dataset": "  ", "reason": "why not"}, 422, "Write the description of the data"),
    ({"dataset": "Dates exports", "reason": "r" * 2001}, 422, "too long: at most 2000"),
    ({"dataset": "Dates exports", "reason": "study", "email": "not an address"}, 422,
     "The email address is not in the right form"),
    ({"dataset": "Dates exports", "reason": "study", "phone": "99"}, 422, "phone"),
    ({"dataset": "Dates exports"}, 422, "reason"),
    (b'{"dataset": "Dates', 400, "the request body is not valid JSON"),
    ({"dataset": "d" * 20_000, "reason": "big"}, 413, "the request body is over 16384 bytes"),
], ids=["long dataset", "empty dataset", "long reason", "bad email", "unknown field",
        "no reason", "not JSON", "too large"])
def test_a_request_too_large_or_malformed_is_refused_with_a_sentence(central, body, status,
                                                                     sentence):
    if isinstance(body, bytes):
        r = central.post("/open-data/requests", data=body,
                         headers={"Content-Type": "application/json"})
    else:
        r = central.post("/open-data/requests", json=body)
    assert r.status_code == status, r.text
    assert sentence in r.json()["error"], r.json()
    svc = central.service()
    try:
        stored = [s["payload"] for s in svc.list_submissions(type="data_request")]
    finally:
        svc.close()
    assert not any("Dates exports" == p.get("dataset") for p in stored)


def test_requests_from_one_address_are_limited(central):
    # Last in the module: the requests above used part of this address's allowance.
    answers = [central.post("/open-data/requests",
                            json={"dataset": f"Dataset number {i}", "reason": "testing"})
               for i in range(4)]
    assert [a.status_code for a in answers][-1] == 429
    refused = answers[-1]
    assert "Too many data requests from here" in refused.json()["error"]
    assert int(refused.headers["Retry-After"]) > 0
    assert json.loads(refused.content)["detail"]["retry_after"] > 0
