"""The HTTP API: device routes under /api/v1, public poll results, follow-up and open data, as
a Django Ninja API in Django's URLconf (central.urls), answered through central's ASGI stack
(central.asgi: the in-memory manifest poll and the body size limit in front of Django).

Routes only translate HTTP to calls on ``central.service.Central`` and back; their bodies and
answers are the wire format's pydantic models (kiosk.protocol) and the models below, which
/openapi.json documents. Every malformed request gets a 4xx JSON body ``{"error": ...,
"detail": ...}``; nothing a client sends should produce a 500. Views are async: whatever
touches the database runs on the API's pool of threads (central.routing.in_thread), with
fresh connections around each call. The staff web admin under /admin and the CMS under /cms
are Django too, on the same URLconf (central.staff, central.cms, central.web).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from central import db

db.setup()  # Django Ninja reads Django's settings as it is imported

from django.http import Http404, HttpRequest, HttpResponse  # noqa: E402
from ninja import NinjaAPI, Path, Query  # noqa: E402
from ninja.errors import HttpError  # noqa: E402
from ninja.errors import ValidationError as RequestValidationError  # noqa: E402
from ninja.parser import Parser  # noqa: E402
from ninja.security import HttpBearer  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from central import followup, opendata, web  # noqa: E402
from central.asgi import (  # noqa: E402
    BodySizeLimit,
    CentralASGI,
    ManifestFastPath,
    api_handler,
    etag_matches,
    is_staff_path,
    json_response,
)
from central.errors import CentralError, NotFound  # noqa: E402
from central.routing import in_thread  # noqa: E402
from central.service import Central  # noqa: E402
from kiosk import protocol  # noqa: E402

log = logging.getLogger("central.api")

ADMIN_MAX_REQUEST_BYTES = protocol.MAX_BLOB_BYTES + 1024 * 1024  # an image upload plus a form
# The CMS also takes sign-language clips (central/cms/videos.py), up to MAX_VIDEO_BYTES.
CMS_MAX_REQUEST_BYTES = protocol.MAX_VIDEO_BYTES + 1024 * 1024
# A batch of submissions may hold long Arabic texts that a client JSON-escapes to six bytes a
# character; 4 MiB lets a kiosk flush a full batch of ordinary feedback in one request. Larger
# batches get 413 and the kiosk splits them.
SUBMISSIONS_MAX_REQUEST_BYTES = 4 * 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Request and response bodies (what /openapi.json documents)


class ErrorBody(BaseModel):
    error: str
    detail: Any = None


class RecordsRequest(BaseModel):
    hashes: Annotated[list[Annotated[protocol.Sha256, Field(pattern=r"^[0-9a-f]{64}$")]],
                      Field(min_length=1, max_length=protocol.MAX_HASHES_PER_REQUEST)]


class RecordsResponse(BaseModel):
    records: dict[str, dict[str, Any]] = Field(
        description="record JSON by its SHA-256, for each requested hash that is published")
    missing: list[str] = Field(description="requested hashes that are not published records")


class SubmissionBatch(BaseModel):
    items: Annotated[list[dict[str, Any]], Field(
        min_length=1, max_length=protocol.MAX_BATCH_ITEMS,
        description="protocol.Submission objects; each is checked on its own",
    )]


class SubmissionBatchResult(BaseModel):
    results: list[protocol.SubmissionResult]


class BilingualText(BaseModel):
    ar: str
    en: str


class PollOptionCount(BaseModel):
    id: str
    label: BilingualText
    votes: int


class PollResultsBody(BaseModel):
    poll_id: str
    question: BilingualText
    options: list[PollOptionCount]
    total_votes: int
    other_votes: int = Field(description="votes for options the poll no longer lists")


class OpenDataProduct(BaseModel):
    id: str
    code: str
    category_id: str
    manufacturer_id: str
    governorate: str
    name_ar: str
    name_en: str
    description_ar: str
    description_en: str
    portal_url: str


class OpenDataProducts(BaseModel):
    version: int
    published_at: str
    licence: BilingualText | None
    products: list[OpenDataProduct]


class OpenDataAbout(BaseModel):
    version: int
    published_at: str
    licence: BilingualText | None
    publisher: BilingualText | None
    portal_url: str | None
    products: int
    files: dict[str, str]
    fields: list[str]


class OpenDataFile(BaseModel):
    """A dataset's JSON: the version it comes from, the licence, and its rows under the
    dataset's key (``products``, ``poll_results``, ...; /open-data/dictionary.json)."""

    model_config = ConfigDict(extra="allow")
    version: int
    published_at: str
    licence: BilingualText | None
    as_of: str | None = Field(None, description="counts only: when they were counted")


class OpenDataVersions(BaseModel):
    model_config = ConfigDict(extra="allow")
    newest: int | None
    versions: list[dict[str, Any]]


class DataRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(description="what data you would like (3-300 characters)")
    reason: str = Field(description="why you would like it (3-2000 characters)")
    email: str | None = Field(None, description="optional: where staff may answer you")
    lang: Literal["ar", "en"] = "en"


class DataRequestReceipt(BaseModel):
    reference: str
    status: str
    follow_up: str
    message: BilingualText


class Health(BaseModel):
    status: str



_ERRORS: dict[int, Any] = {400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 422: ErrorBody}


def _content(status: int, description: str, *types: str) -> dict:
    """An answer documented as bytes of these media types (no JSON schema)."""
    return {status: {"description": description, "content": {t: {} for t in types}}}


# ---------------------------------------------------------------------------------------------
# Requests: headers, bodies, the device token


def _header(request: HttpRequest, name: bytes) -> str | None:
    """The first of a request's headers of this (lower-case) name, as Starlette read it."""
    for key, value in request.scope["headers"]:  # type: ignore[attr-defined]
        if key == name:
            return value.decode("latin-1")
    return None


class _JsonInvalid(Exception):
    def __init__(self, error: json.JSONDecodeError):
        super().__init__(error.msg)
        self.error = error


class _BodyUnreadable(Exception):
    pass


class ApiParser(Parser):
    """Bodies as FastAPI read them: JSON when the Content-Type says JSON or nothing; with any
    other type the bytes themselves, which no body model accepts (422)."""

    def parse_body(self, request: HttpRequest) -> Any:
        ctype = _header(request, b"content-type")
        if ctype:
            main, _, sub = ctype.split(";")[0].strip().lower().partition("/")
            if main != "application" or not (sub == "json" or sub.endswith("+json")):
                return request.body
        try:
            return json.loads(request.body)
        except json.JSONDecodeError as e:
            raise _JsonInvalid(e) from e
        except Exception as e:  # noqa: BLE001 - not UTF-8, say
            raise _BodyUnreadable(str(e)) from e


def _bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = (_header(request, b"authorization") or "").partition(" ")
    token = token.strip()
    if not scheme or not token or scheme.lower() != "bearer":
        return None
    return token


class DeviceToken(HttpBearer):
    """The device token from POST /api/v1/enroll. A token the serving cache knows is checked
    on the event loop; any other goes to the database on the API's threads, and a missing,
    unknown or revoked one is refused there with central's sentence (401)."""

    openapi_description = "the device token from POST /api/v1/enroll"

    async def __call__(self, request: HttpRequest) -> bool:
        central = web.site()
        token = _bearer_token(request)
        device_id = None
        if token and len(token) <= 200 and await central.cache.ensure_fresh_async():
            device_id = central.cache.device_for(
                hashlib.sha256(token.encode("utf-8")).hexdigest())
        if device_id is None:
            device_id = await in_thread(central.authenticate_device, token)
        request.device_id = device_id  # type: ignore[attr-defined]
        return True

    async def authenticate(self, request: HttpRequest, token: str) -> Any:  # unused
        return token


DEVICE = [DeviceToken()]


def threaded(func: Callable[..., HttpResponse]) -> Callable[..., Any]:
    """An async view that runs ``func`` (same parameters) on the API's threads."""

    @functools.wraps(func)
    async def view(*args: Any, **kwargs: Any) -> HttpResponse:
        return await in_thread(functools.partial(func, *args, **kwargs))

    return view


def _central() -> Central:
    return web.site()


def _device(request: HttpRequest) -> str:
    return request.device_id  # type: ignore[attr-defined]


def _client(request: HttpRequest) -> str:
    client = request.scope.get("client")  # type: ignore[attr-defined]
    return followup.client_address(client[0] if client else None,
                                   _header(request, b"x-forwarded-for"))


def _base_url(request: HttpRequest) -> str:
    """scheme://host/ of the request as the client addressed it (the Host header), as
    Starlette's request.base_url had it; forwarded headers are not believed here."""
    scope = request.scope  # type: ignore[attr-defined]
    scheme = scope.get("scheme", "http")
    host = _header(request, b"host")
    if not host:
        server = scope.get("server")
        if server:
            host_name, port = server
            default = {"http": 80, "https": 443}.get(scheme)
            host = host_name if port == default else f"{host_name}:{port}"
        else:
            host = "localhost"
    return f"{scheme}://{host}{scope.get('root_path', '')}/"


# ---------------------------------------------------------------------------------------------
# Answers


def _error(status: int, message: str, detail: Any = None,
           headers: dict[str, str] | None = None) -> HttpResponse:
    return json_response(status, {"error": message, "detail": detail}, headers)


def _model(model: BaseModel, *, exclude_none: bool = False, status: int = 200,
           headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(model.model_dump_json(by_alias=True, exclude_none=exclude_none),
                        status=status, content_type="application/json", headers=headers)


def _bytes(body: bytes | str, media_type: str | None, status: int = 200,
           headers: dict[str, str] | None = None) -> HttpResponse:
    if isinstance(body, str):
        body = body.encode("utf-8")
    if media_type and media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    response = HttpResponse(body, status=status, content_type=media_type, headers=headers)
    if media_type is None:
        del response["Content-Type"]
    return response


def _not_modified(headers: dict[str, str]) -> HttpResponse:
    return HttpResponse(status=304, headers=headers)  # content headers dropped (central.asgi)


# ---------------------------------------------------------------------------------------------
# Errors


_NOT_AN_OBJECT = "Input should be a valid dictionary or object to extract fields from"


def _validation_detail(errors: list[dict]) -> list[dict]:
    """Each error's place as FastAPI gave it: ("body", field, ...), ("path", name),
    ("query", name). Ninja names the body parameter after "body"; that name is left out."""
    out = []
    for e in errors[:20]:
        loc = list(e.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body":
            del loc[1]
        kind, msg = str(e.get("type", "")), str(e.get("msg", ""))
        if kind == "model_type":
            # A JSON value that is not an object where a model is expected, in the words
            # FastAPI's validation (from_attributes) used: the same refusal, the same sentence.
            kind, msg = "model_attributes_type", _NOT_AN_OBJECT
        out.append({"loc": [str(p) for p in loc], "msg": msg[:300], "type": kind})
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(CentralError)
    def _central_error(_req: HttpRequest, exc: CentralError) -> HttpResponse:
        return _error(exc.status, exc.message, exc.detail)

    @api.exception_handler(HttpError)
    def _http_error(_req: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, _JsonInvalid):
            detail = [{"loc": ["body", str(cause.error.pos)], "msg": "JSON decode error",
                       "type": "json_invalid"}]
            return _error(400, "the request body is not valid JSON", detail)
        if isinstance(cause, _BodyUnreadable):
            return _error(400, "There was an error parsing the body")
        return _error(exc.status_code, exc.message or "request refused")

    @api.exception_handler(Http404)
    def _not_found(_req: HttpRequest, _exc: Http404) -> HttpResponse:
        return _error(404, NOTHING_HERE)

    @api.exception_handler(RequestValidationError)
    def _invalid(_req: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        detail = _validation_detail(exc.errors)
        if any(d["type"] == "json_invalid" for d in detail):
            return _error(400, "the request body is not valid JSON", detail)
        first = detail[0] if detail else {"loc": [], "msg": "invalid"}
        where = ".".join(p for p in first["loc"] if p != "body") or "request"
        return _error(422, f"the request is not valid: {where}: {first['msg']}", detail)

    @api.exception_handler(Exception)
    def _unexpected(_req: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, INTERNAL_PROBLEM)


NOTHING_HERE = "there is nothing at this address; see /openapi.json for the routes"
INTERNAL_PROBLEM = "central had an internal problem; the staff log has the details"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 (central.urls.handler404): the staff site's page under /admin and /cms,
    the API's JSON anywhere else; a path that exists with (or without) a final slash is
    redirected there (307), as FastAPI did."""
    if is_staff_path(request.path):
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)
    from django.urls import Resolver404, resolve

    path = request.path
    other = path[:-1] if path.endswith("/") and path != "/" else path + "/"
    try:
        resolve(other)
    except Resolver404:
        return _error(404, NOTHING_HERE)
    query = request.META.get("QUERY_STRING", "")
    location = _base_url(request).rstrip("/") + other + (f"?{query}" if query else "")
    return HttpResponse(status=307, headers={"Location": location})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 (central.urls.handler500): the staff site's page or the API's JSON."""
    if is_staff_path(request.path):
        from django.views.defaults import server_error as page

        return page(request)
    return _error(500, INTERNAL_PROBLEM)


# ---------------------------------------------------------------------------------------------
# Helpers

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive; None to ignore the header (serve it all); "unsatisfiable"."""
    m = _RANGE_RE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # multiple or malformed ranges: RFC 9110 lets us send the whole body
    first_s, last_s = m.groups()
    if len(first_s) > 18 or len(last_s) > 18:
        return "unsatisfiable"
    if not first_s:
        n = int(last_s)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if first >= size or (last_s and last < first):
        return "unsatisfiable"
    return first, min(last, size - 1)


# ---------------------------------------------------------------------------------------------
# The API


class CentralAPI(NinjaAPI):
    """The schema is made once (FastAPI kept its document too)."""

    _schema: Any = None

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        if self._schema is None:
            self._schema = super().get_openapi_schema(*args, **kwargs)
        return self._schema


api = CentralAPI(
    title="Made in Oman kiosk central",
    version="1",
    description="Signed content for kiosks, their feedback, fleet health and open data.",
    parser=ApiParser(),
    urls_namespace="api",
)
install_error_handlers(api)


@api.get("/healthz", response=Health, tags=["meta"])
async def healthz(request: HttpRequest) -> HttpResponse:
    return json_response(200, {"status": "ok"})


@api.get("", include_in_schema=False)
async def root(request: HttpRequest) -> HttpResponse:
    return json_response(200, {"service": "Made in Oman kiosk central",
                               "openapi": "/openapi.json",
                               "open_data": "/open-data/about.json", "admin": "/admin/"})


# -- devices ----------------------------------------------------------------------------------


@api.post("/api/v1/enroll", response={200: protocol.EnrollResponse, 403: ErrorBody,
                                      410: ErrorBody, **_ERRORS}, tags=["devices"])
@threaded
def enroll(request: HttpRequest, req: protocol.EnrollRequest) -> HttpResponse:
    """Exchange a one-time enrolment code for a device id and token."""
    return _model(_central().enroll(req))


@api.get("/api/v1/manifest", auth=DEVICE, tags=["content"],
         response={200: None, 304: None, 404: ErrorBody, **_ERRORS},
         openapi_extra={"responses": {
             **_content(200, "the signed manifest document", "application/json"),
             304: {"description": "unchanged since the ETag given"}}})
@threaded
def manifest(request: HttpRequest) -> HttpResponse:
    """The newest signed manifest. Send the last ETag in If-None-Match to get 304."""
    m = _central().serving_manifest()
    if m is None:
        raise NotFound("nothing has been published yet; staff must publish content first")
    headers = {"ETag": f'"{m.etag}"', "Cache-Control": "no-cache",
               "X-Content-Version": str(m.version)}
    if etag_matches(_header(request, b"if-none-match"), m.etag):
        return _not_modified(headers)
    return _bytes(m.body, "application/json", headers=headers)


@api.get("/api/v1/blobs/{sha256}", auth=DEVICE, tags=["content"],
         response={200: None, 206: None, 304: None, 404: ErrorBody, 416: ErrorBody, **_ERRORS},
         openapi_extra={"responses": {
             **_content(200, "the blob's bytes", "image/png", "image/jpeg", "image/webp",
                        "video/mp4", "video/webm", "application/json"),
             206: {"description": "part of the blob (Range)"},
             304: {"description": "unchanged"}}})
@threaded
def blob(request: HttpRequest,
         sha256: str = Path(..., pattern=r"^[0-9a-f]{64}$",
                            description="SHA-256, 64 lowercase hex digits")) -> HttpResponse:
    """A media file, the index or a record body by its hash. Honours Range."""
    found = _central().find_blob(sha256)
    if found is None:
        raise NotFound(f"no file with hash {sha256} is stored here")
    base = {"ETag": f'"{sha256}"', "Cache-Control": "public, max-age=31536000, immutable",
            "Accept-Ranges": "bytes"}
    if etag_matches(_header(request, b"if-none-match"), sha256):
        return _not_modified(base)
    size = found.size
    rng = _header(request, b"range")
    span = _parse_range(rng, size) if rng else None
    if span == "unsatisfiable":
        return _error(416, f"the requested range is outside the file's {size} bytes",
                      {"size": size}, headers={**base, "Content-Range": f"bytes */{size}"})
    if span is None:
        data = found.body if found.body is not None else found.path.read_bytes()
        return _bytes(data, found.media_type, headers=base)
    first, last = span
    if found.body is not None:
        data = found.body[first : last + 1]
    else:
        with open(found.path, "rb") as f:
            f.seek(first)
            data = f.read(last - first + 1)
    return _bytes(data, found.media_type, status=206,
                  headers={**base, "Content-Range": f"bytes {first}-{last}/{size}"})


@api.post("/api/v1/records", auth=DEVICE, response={200: RecordsResponse, **_ERRORS},
          tags=["content"])
@threaded
def records(request: HttpRequest, req: RecordsRequest) -> HttpResponse:
    """Many published record bodies at once, by hash."""
    found = _central().published_records(req.hashes)
    missing = sorted({h for h in req.hashes if h not in found})
    return _model(RecordsResponse(records=found, missing=missing))


# Fields left unset are left out: a kiosk that did not ask for the reference (an older one,
# whose model forbids fields it does not know) gets the receipt it always got.
@api.post("/api/v1/submissions", auth=DEVICE, response={200: SubmissionBatchResult, **_ERRORS},
          tags=["devices"])
@threaded
def submissions(request: HttpRequest, batch: SubmissionBatch) -> HttpResponse:
    """Store feedback, survey answers, poll votes and accessibility reports. One result per
    item, in order; retrying an item with the same id and body returns its first receipt.
    With ``X-Receipt-Fields: reference`` each receipt carries the item's reference."""
    results = _central().accept_submissions(_device(request), batch.items)
    wanted = _header(request, protocol.RECEIPT_FIELDS_HEADER.lower().encode()) or ""
    if "reference" not in {f.strip() for f in wanted.lower().split(",")}:
        results = [r.model_copy(update={"receipt": r.receipt.model_copy(
            update={"reference": None})}) if r.receipt else r for r in results]
    return _model(SubmissionBatchResult(results=results), exclude_none=True)


# Fields left unset are left out, so an older kiosk sees only the fields it knows.
@api.post("/api/v1/heartbeat", auth=DEVICE, response={200: protocol.HeartbeatReply, **_ERRORS},
          tags=["devices"])
@threaded
def heartbeat(request: HttpRequest, hb: protocol.Heartbeat) -> HttpResponse:
    """Report health; get this kiosk's settings and any commands staff queued for it."""
    central = _central()
    # Kiosks that fetch content from a mirror no longer poll the manifest here: their
    # heartbeats keep it re-signed in time (and the mirror's copy with it).
    central.serving_manifest()
    return _model(central.heartbeat(_device(request), hb), exclude_none=True)


# -- following up a submission (central.followup) --------------------------------------------


@api.get("/api/v1/follow-up/{ref}", auth=DEVICE, tags=["devices"],
         response={200: protocol.FollowUpAnswer, 404: ErrorBody, 429: ErrorBody, **_ERRORS})
@threaded
def follow_up_json(request: HttpRequest, ref: str = Path(..., max_length=64)) -> HttpResponse:
    """A visitor's reference, typed on a kiosk: the item's state and staff's reply, nothing
    else. Limited per kiosk (429 with Retry-After)."""
    try:
        answer = _central().follow_up(ref, device_id=_device(request))
    except followup.TooMany as e:
        return _error(429, e.message, e.detail, headers={"Retry-After": str(e.retry_after)})
    return _model(answer, exclude_none=True)


def _follow_up_page(request: HttpRequest, ref: str | None) -> HttpResponse:
    status, page, headers = followup.page_for(_central(), ref, _client(request))
    return _bytes(page, "text/html; charset=utf-8", status=status,
                  headers={**followup.HEADERS, **headers})


_HTML = "text/html"


@api.get("/follow-up/{ref}", tags=["public"],
         response={200: None, 404: None, 429: None, 422: ErrorBody},
         openapi_extra={"responses": {**_content(200, "OK", _HTML),
                                      **_content(404, "Not Found", _HTML),
                                      **_content(429, "Too Many Requests", _HTML)}})
@threaded
def follow_up_page(request: HttpRequest, ref: str = Path(..., max_length=64)) -> HttpResponse:
    """The public page a thanks screen's QR code opens: the state and reply, in Arabic and
    English. Limited per client address."""
    return _follow_up_page(request, ref)


@api.get("/follow-up", tags=["public"], response={200: None, 422: ErrorBody},
         openapi_extra={"responses": _content(200, "OK", _HTML)})
@threaded
def follow_up_form(request: HttpRequest,
                   reference: str | None = Query(None, max_length=64)) -> HttpResponse:
    """A form to type a reference (``?reference=`` shows its page)."""
    return _follow_up_page(request, reference)


# -- public -----------------------------------------------------------------------------------


@api.get("/api/v1/polls/{poll_id}/results", tags=["public"],
         response={200: PollResultsBody, 404: ErrorBody, **_ERRORS})
@threaded
def poll_results(request: HttpRequest,
                 poll_id: str = Path(..., max_length=64)) -> HttpResponse:
    """Anonymous vote counts per option (technicians' test votes are left out)."""
    r = _central().poll_results(poll_id, published_only=True)
    return _model(PollResultsBody(
        poll_id=r.poll_id, question=BilingualText(**r.question),
        options=[PollOptionCount(id=o.id, label=BilingualText(**o.label), votes=o.votes)
                 for o in r.options],
        total_votes=r.total_votes, other_votes=r.other_votes,
    ))


# -- open data (central.opendata) -------------------------------------------------------------

DatasetName = Literal[tuple(opendata.DATASETS)]  # type: ignore[valid-type]
_LINKS = ('</open-data/about.json>; rel="describedby", '
          '</open-data/dictionary.json>; rel="describedby"; type="application/json", '
          '</open-data/catalog.jsonld>; rel="describedby"; type="application/ld+json"')
SHORT_CACHE = "public, max-age=300"
FOREVER_CACHE = "public, max-age=31536000, immutable"
_OD_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
_limiter = opendata.request_limiter()  # per server process, like the follow-up limits


def _published() -> Any:
    pub = _central().published_catalogue()
    if pub is None:
        raise NotFound("no content has been published yet, so there is no open data")
    return pub


def _od_headers(pub: Any, cache: str = SHORT_CACHE) -> dict[str, str]:
    licence = opendata.licence_of(pub)
    return {"X-Content-Version": str(pub.version),
            "X-Licence": opendata.header_safe(licence["en"] if licence else ""),
            "Link": _LINKS, "Access-Control-Allow-Origin": "*", "Cache-Control": cache}


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _dataset_file(request: HttpRequest, pub: Any, name: str, fmt: str,
                  versioned: bool) -> HttpResponse:
    central = _central()
    if fmt == "json":
        body = opendata.dataset_json(central, name, pub)
    else:
        body = opendata.dataset_csv(central, name, pub)
    h = _od_headers(pub, FOREVER_CACHE if versioned else SHORT_CACHE)
    if fmt == "csv":
        h["Content-Disposition"] = (f'inline; filename="{name}-v{pub.version}.csv"'
                                    if versioned else f'inline; filename="{name}.csv"')
    if versioned:  # the same bytes for ever: an ETag lets caches ask cheaply
        etag = hashlib.sha256(body).hexdigest()
        h["ETag"] = f'"{etag}"'
        if etag_matches(_header(request, b"if-none-match"), etag):
            return _not_modified(h)
    return _bytes(body, _OD_MEDIA[fmt], headers=h)


_CSV_DOC = {"responses": _content(200, "UTF-8 CSV, header row first", "text/csv")}
_JSON_DOC: dict[int, Any] = {404: ErrorBody, 422: ErrorBody}


@api.get("/open-data/products.json", response={200: OpenDataProducts, 404: ErrorBody},
         tags=["open data"])
@threaded
def open_products_json(request: HttpRequest) -> HttpResponse:
    """Every published product, names and descriptions in Arabic and English."""
    pub = _published()
    return _bytes(_json_bytes(opendata.products_json(pub)), "application/json",
                  headers=_od_headers(pub))


@api.get("/open-data/products.csv", response={200: None, 404: ErrorBody}, tags=["open data"],
         openapi_extra={"responses": _content(200, "OK", "text/csv")})
@threaded
def open_products_csv(request: HttpRequest) -> HttpResponse:
    """The same products as CSV (UTF-8, header row first)."""
    pub = _published()
    return _bytes(opendata.products_csv(pub), "text/csv; charset=utf-8",
                  headers={**_od_headers(pub),
                           "Content-Disposition": 'inline; filename="products.csv"'})


@api.get("/open-data/about.json", response={200: OpenDataAbout, 404: ErrorBody},
         tags=["open data"])
@threaded
def open_about(request: HttpRequest) -> HttpResponse:
    """The open data's version, licence and files."""
    pub = _published()
    return _bytes(_json_bytes(opendata.about(pub)), "application/json", headers=_od_headers(pub))


@api.get("/open-data/", response=OpenDataVersions, tags=["open data"])
@threaded
def open_data_versions(request: HttpRequest) -> HttpResponse:
    """Every published version, newest first, with the addresses of its files."""
    index = opendata.versions_index(_central())
    return _bytes(_json_bytes(index), "application/json",
                  headers={"Access-Control-Allow-Origin": "*", "Link": _LINKS,
                           "Cache-Control": SHORT_CACHE})


@api.get("/open-data/dictionary.json", response={200: None}, tags=["open data"],
         openapi_extra={"responses": _content(200, "each dataset's fields, meaning and type",
                                              "application/json")})
async def open_data_dictionary(request: HttpRequest) -> HttpResponse:
    """Each dataset's fields with their meaning (Arabic and English) and type."""
    return _bytes(_json_bytes(opendata.dictionary()), "application/json",
                  headers={"Access-Control-Allow-Origin": "*", "Cache-Control": SHORT_CACHE})


@api.get("/open-data/catalog.jsonld", response={200: None, 404: ErrorBody}, tags=["open data"],
         openapi_extra={"responses": _content(200, "a dcat:Catalog", "application/ld+json")})
@threaded
def open_data_catalog(request: HttpRequest) -> HttpResponse:
    """The open data as a DCAT catalogue (JSON-LD): a dcat:Dataset per dataset, a
    dcat:Distribution per format, the site's licence."""
    pub = _published()
    base = _base_url(request).rstrip("/")
    return _bytes(_json_bytes(opendata.catalog(_central(), base)), "application/ld+json",
                  headers=_od_headers(pub))


@api.get("/open-data/news.atom", response={200: None, **_JSON_DOC}, tags=["open data"],
         openapi_extra={"responses": _content(200, "an Atom 1.0 feed", "application/atom+xml")})
@threaded
def open_data_news_feed(request: HttpRequest, lang: Literal["ar", "en"] = "ar") -> HttpResponse:
    """The published news as an Atom 1.0 feed, one per language (``?lang=ar``, the default,
    or ``?lang=en``)."""
    pub = _published()
    base = _base_url(request).rstrip("/")
    return _bytes(opendata.news_atom(pub, lang, base), "application/atom+xml; charset=utf-8",
                  headers=_od_headers(pub))


@api.post("/open-data/requests", tags=["open data"],
          response={201: DataRequestReceipt, 429: ErrorBody, **_ERRORS})
@threaded
def open_data_request(request: HttpRequest, req: DataRequestBody) -> HttpResponse:
    """Ask for data that is not published yet: staff see the request in their feedback list;
    its reference follows it up at /follow-up/REFERENCE. Limited per client address."""
    try:
        receipt = opendata.request_dataset(_central(), req.dataset, req.reason, req.email,
                                           req.lang, _client(request), _limiter)
    except opendata.TooManyRequests as e:
        return _error(429, e.message, e.detail, headers={"Retry-After": str(e.retry_after)})
    return json_response(201, receipt, {"Access-Control-Allow-Origin": "*"})


@api.get("/open-data/{dataset}.json", response={200: OpenDataFile, **_JSON_DOC},
         tags=["open data"])
@threaded
def open_data_json(request: HttpRequest, dataset: DatasetName) -> HttpResponse:
    """A dataset of the newest version (content) or counted now (results), as JSON."""
    return _dataset_file(request, _published(), dataset, "json", False)


@api.get("/open-data/{dataset}.csv", response={200: None, **_JSON_DOC}, tags=["open data"],
         openapi_extra=_CSV_DOC)
@threaded
def open_data_csv(request: HttpRequest, dataset: DatasetName) -> HttpResponse:
    """The same as CSV (UTF-8, header row first, formulas neutralised)."""
    return _dataset_file(request, _published(), dataset, "csv", False)


_VERSION = dict(ge=1, le=2**62, description="a published content version")


@api.get("/open-data/v/{version}/{dataset}.json", response={200: OpenDataFile, **_JSON_DOC},
         tags=["open data"])
@threaded
def open_data_version_json(request: HttpRequest, dataset: DatasetName,
                           version: int = Path(..., **_VERSION)) -> HttpResponse:
    """A content dataset as that version published it, kept for ever (counts are only as of
    now: 404)."""
    opendata.dataset(dataset, versioned=True)
    return _dataset_file(request, opendata.release_at(_central(), version), dataset, "json",
                         True)


@api.get("/open-data/v/{version}/{dataset}.csv", response={200: None, **_JSON_DOC},
         tags=["open data"], openapi_extra=_CSV_DOC)
@threaded
def open_data_version_csv(request: HttpRequest, dataset: DatasetName,
                          version: int = Path(..., **_VERSION)) -> HttpResponse:
    """The same as CSV."""
    opendata.dataset(dataset, versioned=True)
    return _dataset_file(request, opendata.release_at(_central(), version), dataset, "csv",
                         True)


# ---------------------------------------------------------------------------------------------
# The ASGI application


def create_app(central: Central) -> Any:
    """Central's ASGI application serving ``central``: the manifest fast path and the body size
    limit in front of Django, whose URLconf has the staff admin, the CMS and this API
    (central.asgi says how it fits together)."""
    staff = web.install(central)  # the site the views serve, its web secret, Django's handler
    scheduler: list[Any] = []

    def start() -> None:
        """Each serve process looks for due scheduled publishes every few seconds
        (central.cms.publishing; CENTRAL_SCHEDULER=0 turns it off)."""
        from central.cms import publishing

        if publishing.scheduler_enabled() and central.db == "default":
            scheduler.append(publishing.Scheduler(central))
            scheduler[0].start()

    def stop() -> None:
        while scheduler:
            scheduler.pop().stop()

    app: Any = CentralASGI(staff, api_handler(), on_startup=start, on_shutdown=stop)
    app = BodySizeLimit(app, limit=central.settings.max_request_bytes,
                        per_prefix={"/admin": ADMIN_MAX_REQUEST_BYTES,
                                    "/cms": CMS_MAX_REQUEST_BYTES,
                                    "/api/v1/submissions": SUBMISSIONS_MAX_REQUEST_BYTES,
                                    "/open-data/requests": opendata.MAX_REQUEST_BYTES})
    # Outermost: a cache hit skips everything else.
    return ManifestFastPath(app, central=central)


def app_from_environment() -> Any:
    """The app for one of `kiosk-central serve --workers N`'s processes. uvicorn calls this on
    its event loop, where Django refuses to touch the database: the site is opened (keys
    loaded, migrations checked) on a thread of its own."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return create_app(pool.submit(Central).result())
