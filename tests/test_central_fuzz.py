"""Property-based fuzzing of every route in /openapi.json against the live server: whatever a
client sends, valid or not, central answers without a 5xx, and every 4xx is the documented JSON
error. (Schemathesis' own pytest loader does not run on pytest 9, so its case strategies are
driven with Hypothesis directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 30

OPERATIONS = [
    ("POST", "/api/v1/enroll"),
    ("GET", "/api/v1/manifest"),
    ("GET", "/api/v1/blobs/{sha256}"),
    ("POST", "/api/v1/records"),
    ("POST", "/api/v1/submissions"),
    ("POST", "/api/v1/heartbeat"),
    ("GET", "/api/v1/polls/{poll_id}/results"),
    ("GET", "/open-data/products.json"),
    ("GET", "/open-data/products.csv"),
    ("GET", "/open-data/about.json"),
    ("GET", "/open-data/"),
    ("GET", "/open-data/dictionary.json"),
    ("GET", "/open-data/catalog.jsonld"),
    ("GET", "/open-data/news.atom"),
    ("POST", "/open-data/requests"),
    ("GET", "/open-data/{dataset}.json"),
    ("GET", "/open-data/{dataset}.csv"),
    ("GET", "/open-data/v/{version}/{dataset}.json"),
    ("GET", "/open-data/v/{version}/{dataset}.csv"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/follow-up/{ref}"),
    ("GET", "/follow-up"),
    ("GET", "/follow-up/{ref}"),
]


@pytest.fixture(scope="session")
def fuzz_device(central_server) -> dict:
    return central_server.enroll(name="fuzzer")


@pytest.fixture(scope="session")
def api_schema(central_server):
    return schemathesis.openapi.from_url(central_server.url + "/openapi.json")


def test_openapi_documents_every_route_and_the_fuzzer_covers_them(central_server):
    paths = central_server.get("/openapi.json").json()["paths"]
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops
                  if not p.startswith("/admin")}
    assert documented == set(OPERATIONS)
    sub = paths["/api/v1/submissions"]["post"]
    assert "requestBody" in sub and "200" in sub["responses"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_makes_central_fail(api_schema, central_server, fuzz_device, method, path,
                                       mode):
    operation = api_schema[path][method]
    auth = central_server.auth(fuzz_device)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        # Always the real token, so authenticated routes are fuzzed past the door; missing and
        # bad tokens have their own tests.
        headers = {k: v for k, v in (case.headers or {}).items()
                   if k.lower() != "authorization"}
        case.headers = {**headers, **auth}
        response = case.call(base_url=central_server.url, timeout=10)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: "
            f"{response.text[:500]}")
        # The visitor's follow-up pages answer in HTML, with the sentence on the page.
        html = "text/html" in str(response.headers.get("content-type", ""))
        if 400 <= response.status_code < 500 and not html:
            body = response.json()
            assert isinstance(body.get("error"), str) and body["error"]
        # What central answers matches what /openapi.json promises.
        case.validate_response(response, checks=[response_schema_conformance])

    try:
        check()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("the route takes no input that could be made invalid")
