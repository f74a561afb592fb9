"""The HTTP API: device routes under /api/v1, public poll results and open data.

Routes only translate HTTP to calls on ``central.service.Central`` and back. Every malformed
request gets a 4xx JSON body ``{"error": ..., "detail": ...}``; nothing a client sends should
produce a 500. The staff web admin under /admin is Django (central.staff, central.web), reached
through the same ASGI stack.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import followup, opendata, web
from central.errors import CentralError, NotFound
from central.routing import DbRoute, per_request
from central.service import Central
from central.web import StaffSite
from kiosk import protocol

log = logging.getLogger("central.api")

ADMIN_MAX_REQUEST_BYTES = protocol.MAX_BLOB_BYTES + 1024 * 1024  # an image upload plus a form
# The CMS also takes sign-language clips (central/cms/videos.py), up to MAX_VIDEO_BYTES.
CMS_MAX_REQUEST_BYTES = protocol.MAX_VIDEO_BYTES + 1024 * 1024
# A batch of submissions may hold long Arabic texts that a client JSON-escapes to six bytes a
# character; 4 MiB lets a kiosk flush a full batch of ordinary feedback in one request. Larger
# batches get 413 and the kiosk splits them.
SUBMISSIONS_MAX_REQUEST_BYTES = 4 * 1024 * 1024
MANIFEST_PATH = "/api/v1/manifest"


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


_ERRORS = {400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 413: {"model": ErrorBody},
           422: {"model": ErrorBody}}


# ---------------------------------------------------------------------------------------------
# Body size guard


class BodySizeLimit:
    """Refuses request bodies over the limit with 413, whether or not Content-Length is sent
    (chunked uploads are counted as they arrive)."""

    def __init__(self, app: Any, limit: int, per_prefix: dict[str, int] | None = None):
        self.app = app
        self.limit = limit
        self.per_prefix = per_prefix or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.per_prefix.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit() or len(value) > 18:
                    await _send_json(send, 400, {"error": "the Content-Length header is not a "
                                                          "number", "detail": None})
                    return
                if int(value) > limit:
                    await _send_413(send, limit)
                    return
        received = 0
        started = False
        refused = False

        async def limited_receive() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    # Answer now and tell the app the client left: FastAPI turns exceptions
                    # raised while reading the body into its own 400, so raising is no use.
                    refused = True
                    if not started:
                        await _send_413(send, limit)
                    return {"type": "http.disconnect"}
            return msg

        async def tracking_send(msg: dict) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; drop whatever the app says afterwards
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        await self.app(scope, limited_receive, tracking_send)


async def _send_413(send: Any, limit: int) -> None:
    await _send_json(send, 413, {"error": f"the request body is over {limit} bytes; "
                                          "send less at once", "detail": {"limit": limit}})


async def _send_json(send: Any, status: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------------------------------
# The manifest poll, answered from memory


class ManifestFastPath:
    """Answers ``GET /api/v1/manifest`` from central.cache when the token is one the cache
    already knows, on the event loop: no thread pool, no database, no routing. That poll is
    most of a fleet's traffic. Everything else (no token, an unknown or revoked one, nothing
    published, a database problem) goes on to the ordinary route, so errors and the OpenAPI
    description stay in one place. Headers match what the route sends."""

    def __init__(self, app: Any, central: Central):
        self.app = app
        self.cache = central.cache

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or scope["path"] != MANIFEST_PATH
                or scope["method"] != "GET"):
            await self.app(scope, receive, send)
            return
        authorization = if_none_match = None
        for name, value in scope["headers"]:
            # The first of repeated headers counts, as with Starlette's request.headers.get.
            if name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value.decode("latin-1")
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        device_id = None
        if scheme.lower() == "bearer" and token and len(token) <= 200:
            token_hash = hashlib.sha256(token.encode("utf-8")).hexdigest()
            if await self.cache.ensure_fresh_async():
                device_id = self.cache.device_for(token_hash)
        m = self.cache.manifest() if device_id is not None else None
        if m is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"etag", f'"{m.etag}"'.encode()), (b"cache-control", b"no-cache"),
                   (b"x-content-version", str(m.version).encode())]
        if _etag_matches(if_none_match, m.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"content-length", str(len(m.body)).encode()),
                    (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": m.body})


# ---------------------------------------------------------------------------------------------
# Errors


def _error(status: int, message: str, detail: Any = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "detail": detail}, status_code=status,
                        headers=headers)


def _validation_detail(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors()[:20]:
        out.append({"loc": [str(p) for p in e.get("loc", ())],
                    "msg": str(e.get("msg", ""))[:300], "type": str(e.get("type", ""))})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CentralError)
    async def _central_error(_req: Request, exc: CentralError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = "there is nothing at this address; see /openapi.json for the routes"
        elif exc.status_code == 405:
            message = "this address does not accept that method; see /openapi.json"
        return _error(exc.status_code, message, None, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        detail = _validation_detail(exc)
        if any(d["type"] == "json_invalid" for d in detail):
            return _error(400, "the request body is not valid JSON", detail)
        first = detail[0] if detail else {"loc": [], "msg": "invalid"}
        where = ".".join(p for p in first["loc"] if p != "body") or "request"
        return _error(422, f"the request is not valid: {where}: {first['msg']}", detail)

    @app.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, "central had an internal problem; the staff log has the details")


# ---------------------------------------------------------------------------------------------
# Helpers

_bearer = HTTPBearer(auto_error=False, description="the device token from POST /api/v1/enroll")


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"') == etag:
            return True
    return False


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
# The app


def _scheduler_lifespan(central: Central) -> Any:
    """Each serve process looks for due scheduled publishes every few seconds
    (central.cms.publishing; CENTRAL_SCHEDULER=0 turns it off)."""
    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        from central.cms import publishing

        scheduler = None
        if publishing.scheduler_enabled() and central.db == "default":
            scheduler = publishing.Scheduler(central)
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()

    return lifespan


def create_app(central: Central) -> FastAPI:
    app = FastAPI(
        lifespan=_scheduler_lifespan(central),
        title="Made in Oman kiosk central",
        version="1",
        description="Signed content for kiosks, their feedback, fleet health and open data.",
    )
    app.router.route_class = DbRoute  # sync routes keep their thread's connections healthy
    app.state.central = central
    install_error_handlers(app)
    # The staff admin: Django, inside the body size limit, before FastAPI's routing.
    app.add_middleware(StaffSite, staff_app=web.install(central))
    app.add_middleware(BodySizeLimit, limit=central.settings.max_request_bytes,
                       per_prefix={"/admin": ADMIN_MAX_REQUEST_BYTES,
                                   "/cms": CMS_MAX_REQUEST_BYTES,
                                   "/api/v1/submissions": SUBMISSIONS_MAX_REQUEST_BYTES,
                                   "/open-data/requests": opendata.MAX_REQUEST_BYTES})
    # Added last, so it runs first: a cache hit skips the other middleware too.
    app.add_middleware(ManifestFastPath, central=central)

    @per_request
    def device(creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> str:
        return central.authenticate_device(creds.credentials if creds else None)

    @app.get("/healthz", response_model=Health, tags=["meta"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> dict:
        return {"service": "Made in Oman kiosk central", "openapi": "/openapi.json",
                "open_data": "/open-data/about.json", "admin": "/admin/"}

    # -- devices ------------------------------------------------------------------------------

    @app.post("/api/v1/enroll", response_model=protocol.EnrollResponse, tags=["devices"],
              responses={403: {"model": ErrorBody}, 410: {"model": ErrorBody}, **_ERRORS})
    def enroll(req: protocol.EnrollRequest) -> protocol.EnrollResponse:
        """Exchange a one-time enrolment code for a device id and token."""
        return central.enroll(req)

    @app.get("/api/v1/manifest", tags=["content"],
             responses={200: {"content": {"application/json": {}},
                              "description": "the signed manifest document"},
                        304: {"description": "unchanged since the ETag given"},
                        404: {"model": ErrorBody}, **_ERRORS})
    def manifest(request: Request, device_id: str = Depends(device)) -> Response:
        """The newest signed manifest. Send the last ETag in If-None-Match to get 304."""
        m = central.serving_manifest()
        if m is None:
            raise NotFound("nothing has been published yet; staff must publish content first")
        etag = f'"{m.etag}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache",
                   "X-Content-Version": str(m.version)}
        if _etag_matches(request.headers.get("if-none-match"), m.etag):
            return Response(status_code=304, headers=headers)
        return Response(m.body, media_type="application/json", headers=headers)

    @app.get("/api/v1/blobs/{sha256}", tags=["content"],
             responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {},
                                          "video/mp4": {}, "video/webm": {},
                                          "application/json": {}},
                              "description": "the blob's bytes"},
                        206: {"description": "part of the blob (Range)"},
                        304: {"description": "unchanged"},
                        404: {"model": ErrorBody}, 416: {"model": ErrorBody}, **_ERRORS})
    def blob(request: Request,
             sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$",
                                              description="SHA-256, 64 lowercase hex digits")],
             device_id: str = Depends(device)) -> Response:
        """A media file, the index or a record body by its hash. Honours Range."""
        found = central.find_blob(sha256)
        if found is None:
            raise NotFound(f"no file with hash {sha256} is stored here")
        base = {"ETag": f'"{sha256}"', "Cache-Control": "public, max-age=31536000, immutable",
                "Accept-Ranges": "bytes"}
        if _etag_matches(request.headers.get("if-none-match"), sha256):
            return Response(status_code=304, headers=base)
        size = found.size
        rng = request.headers.get("range")
        span = _parse_range(rng, size) if rng else None
        if span == "unsatisfiable":
            return _error(416, f"the requested range is outside the file's {size} bytes",
                          {"size": size}, headers={**base, "Content-Range": f"bytes */{size}"})
        if span is None:
            data = found.body if found.body is not None else found.path.read_bytes()
            return Response(data, media_type=found.media_type, headers=base)
        first, last = span
        if found.body is not None:
            data = found.body[first : last + 1]
        else:
            with open(found.path, "rb") as f:
                f.seek(first)
                data = f.read(last - first + 1)
        return Response(data, status_code=206, media_type=found.media_type,
                        headers={**base, "Content-Range": f"bytes {first}-{last}/{size}"})

    @app.post("/api/v1/records", response_model=RecordsResponse, tags=["content"],
              responses=_ERRORS)
    def records(req: RecordsRequest, device_id: str = Depends(device)) -> RecordsResponse:
        """Many published record bodies at once, by hash."""
        found = central.published_records(req.hashes)
        missing = sorted({h for h in req.hashes if h not in found})
        return RecordsResponse(records=found, missing=missing)

    # Fields left unset are left out: a kiosk that did not ask for the reference (an older
    # one, whose model forbids fields it does not know) gets the receipt it always got.
    @app.post("/api/v1/submissions", response_model=SubmissionBatchResult, tags=["devices"],
              responses=_ERRORS, response_model_exclude_none=True)
    def submissions(batch: SubmissionBatch, request: Request,
                    device_id: str = Depends(device)) -> SubmissionBatchResult:
        """Store feedback, survey answers, poll votes and accessibility reports. One result per
        item, in order; retrying an item with the same id and body returns its first receipt.
        With ``X-Receipt-Fields: reference`` each receipt carries the item's reference."""
        results = central.accept_submissions(device_id, batch.items)
        wanted = request.headers.get(protocol.RECEIPT_FIELDS_HEADER, "")
        if "reference" not in {f.strip() for f in wanted.lower().split(",")}:
            results = [r.model_copy(update={"receipt": r.receipt.model_copy(
                update={"reference": None})}) if r.receipt else r for r in results]
        return SubmissionBatchResult(results=results)

    # Fields left unset are left out, so an older kiosk sees only the fields it knows.
    @app.post("/api/v1/heartbeat", response_model=protocol.HeartbeatReply, tags=["devices"],
              responses=_ERRORS, response_model_exclude_none=True)
    def heartbeat(hb: protocol.Heartbeat,
                  device_id: str = Depends(device)) -> protocol.HeartbeatReply:
        """Report health; get this kiosk's settings and any commands staff queued for it."""
        # Kiosks that fetch content from a mirror no longer poll the manifest here: their
        # heartbeats keep it re-signed in time (and the mirror's copy with it).
        central.serving_manifest()
        return central.heartbeat(device_id, hb)

    # -- following up a submission (central.followup) ----------------------------------------

    @app.get("/api/v1/follow-up/{ref}", response_model=protocol.FollowUpAnswer,
             tags=["devices"], response_model_exclude_none=True,
             responses={404: {"model": ErrorBody}, 429: {"model": ErrorBody}, **_ERRORS})
    def follow_up_json(ref: Annotated[str, PathParam(max_length=64)],
                       device_id: str = Depends(device)) -> Any:
        """A visitor's reference, typed on a kiosk: the item's state and staff's reply, nothing
        else. Limited per kiosk (429 with Retry-After)."""
        try:
            return central.follow_up(ref, device_id=device_id)
        except followup.TooMany as e:
            return _error(429, e.message, e.detail,
                          headers={"Retry-After": str(e.retry_after)})

    def _follow_up_page(request: Request, ref: str | None) -> Response:
        address = followup.client_address(request.client.host if request.client else None,
                                          request.headers.get("x-forwarded-for"))
        status, page, headers = followup.page_for(central, ref, address)
        return Response(page, status_code=status, media_type="text/html; charset=utf-8",
                        headers={**followup.HEADERS, **headers})

    @app.get("/follow-up/{ref}", tags=["public"], response_class=Response,
             responses={200: {"content": {"text/html": {}}}, 404: {"content": {"text/html": {}}},
                        429: {"content": {"text/html": {}}}})
    def follow_up_page(request: Request, ref: Annotated[str, PathParam(max_length=64)]) -> Response:
        """The public page a thanks screen's QR code opens: the state and reply, in Arabic and
        English. Limited per client address."""
        return _follow_up_page(request, ref)

    @app.get("/follow-up", tags=["public"], response_class=Response,
             responses={200: {"content": {"text/html": {}}}})
    def follow_up_form(request: Request, reference: Annotated[str | None, Query(
            max_length=64)] = None) -> Response:
        """A form to type a reference (``?reference=`` shows its page)."""
        return _follow_up_page(request, reference)

    # -- public -------------------------------------------------------------------------------

    @app.get("/api/v1/polls/{poll_id}/results", response_model=PollResultsBody, tags=["public"],
             responses={404: {"model": ErrorBody}, **_ERRORS})
    def poll_results(poll_id: Annotated[str, PathParam(max_length=64)]) -> PollResultsBody:
        """Anonymous vote counts per option (technicians' test votes are left out)."""
        r = central.poll_results(poll_id, published_only=True)
        return PollResultsBody(
            poll_id=r.poll_id, question=BilingualText(**r.question),
            options=[PollOptionCount(id=o.id, label=BilingualText(**o.label), votes=o.votes)
                     for o in r.options],
            total_votes=r.total_votes, other_votes=r.other_votes,
        )

    def _published() -> Any:
        pub = central.published_catalogue()
        if pub is None:
            raise NotFound("no content has been published yet, so there is no open data")
        return pub

    def _od_headers(pub: Any) -> dict[str, str]:
        info = opendata.about(pub)
        licence = info["licence"]["en"] if info["licence"] else ""
        return {"X-Content-Version": str(pub.version),
                "X-Licence": opendata.header_safe(licence),
                "Link": _LINKS,
                "Access-Control-Allow-Origin": "*",
                "Cache-Control": "public, max-age=300"}

    @app.get("/open-data/products.json", response_model=OpenDataProducts, tags=["open data"],
             responses={404: {"model": ErrorBody}})
    def open_products_json() -> Response:
        """Every published product, names and descriptions in Arabic and English."""
        pub = _published()
        body = json.dumps(opendata.products_json(pub), ensure_ascii=False).encode("utf-8")
        return Response(body, media_type="application/json", headers=_od_headers(pub))

    @app.get("/open-data/products.csv", tags=["open data"],
             responses={200: {"content": {"text/csv": {}}}, 404: {"model": ErrorBody}})
    def open_products_csv() -> Response:
        """The same products as CSV (UTF-8, header row first)."""
        pub = _published()
        return Response(opendata.products_csv(pub).encode("utf-8"),
                        media_type="text/csv; charset=utf-8",
                        headers={**_od_headers(pub),
                                 "Content-Disposition": 'inline; filename="products.csv"'})

    @app.get("/open-data/about.json", response_model=OpenDataAbout, tags=["open data"],
             responses={404: {"model": ErrorBody}})
    def open_about() -> Response:
        """The open data's version, licence and files."""
        pub = _published()
        body = json.dumps(opendata.about(pub), ensure_ascii=False).encode("utf-8")
        return Response(body, media_type="application/json", headers=_od_headers(pub))

    _register_open_data(app, central, _published)
    return app


DatasetName = Literal[tuple(opendata.DATASETS)]  # type: ignore[valid-type]
_LINKS = ('</open-data/about.json>; rel="describedby", '
          '</open-data/dictionary.json>; rel="describedby"; type="application/json", '
          '</open-data/catalog.jsonld>; rel="describedby"; type="application/ld+json"')
VersionNumber = Annotated[int, PathParam(ge=1, le=2**62,
                                         description="a published content version")]
SHORT_CACHE = "public, max-age=300"
FOREVER_CACHE = "public, max-age=31536000, immutable"
_OD_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _register_open_data(app: FastAPI, central: Central, published: Any) -> None:
    """Every dataset as JSON and CSV, newest and per version; the list of versions, the data
    dictionary, the DCAT catalogue, the news feed and dataset requests (central.opendata)."""

    limiter = opendata.request_limiter()  # per server process, like the follow-up limits

    def headers(pub: Any, cache: str = SHORT_CACHE) -> dict[str, str]:
        licence = opendata.licence_of(pub)
        return {"X-Content-Version": str(pub.version),
                "X-Licence": opendata.header_safe(licence["en"] if licence else ""),
                "Link": _LINKS, "Access-Control-Allow-Origin": "*", "Cache-Control": cache}

    def file(request: Request, pub: Any, name: str, fmt: str, versioned: bool) -> Response:
        if fmt == "json":
            body = opendata.dataset_json(central, name, pub)
        else:
            body = opendata.dataset_csv(central, name, pub)
        h = headers(pub, FOREVER_CACHE if versioned else SHORT_CACHE)
        if fmt == "csv":
            h["Content-Disposition"] = (f'inline; filename="{name}-v{pub.version}.csv"'
                                        if versioned else f'inline; filename="{name}.csv"')
        if versioned:  # the same bytes for ever: an ETag lets caches ask cheaply
            etag = hashlib.sha256(body).hexdigest()
            h["ETag"] = f'"{etag}"'
            if _etag_matches(request.headers.get("if-none-match"), etag):
                return Response(status_code=304, headers=h)
        return Response(body, media_type=_OD_MEDIA[fmt], headers=h)

    csv_doc = {200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV, header row first"},
               404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
    json_doc = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}

    @app.get("/open-data/", response_model=OpenDataVersions, tags=["open data"])
    def open_data_versions() -> Response:
        """Every published version, newest first, with the addresses of its files."""
        index = opendata.versions_index(central)
        return Response(json.dumps(index, ensure_ascii=False).encode("utf-8"),
                        media_type="application/json",
                        headers={"Access-Control-Allow-Origin": "*", "Link": _LINKS,
                                 "Cache-Control": SHORT_CACHE})

    @app.get("/open-data/dictionary.json", tags=["open data"],
             responses={200: {"content": {"application/json": {}},
                              "description": "each dataset's fields, meaning and type"}})
    def open_data_dictionary() -> Response:
        """Each dataset's fields with their meaning (Arabic and English) and type."""
        body = json.dumps(opendata.dictionary(), ensure_ascii=False).encode("utf-8")
        return Response(body, media_type="application/json",
                        headers={"Access-Control-Allow-Origin": "*",
                                 "Cache-Control": SHORT_CACHE})

    @app.get("/open-data/catalog.jsonld", tags=["open data"],
             responses={200: {"content": {"application/ld+json": {}},
                              "description": "a dcat:Catalog"}, 404: {"model": ErrorBody}})
    def open_data_catalog(request: Request) -> Response:
        """The open data as a DCAT catalogue (JSON-LD): a dcat:Dataset per dataset, a
        dcat:Distribution per format, the site's licence."""
        pub = published()
        base = str(request.base_url).rstrip("/")
        body = json.dumps(opendata.catalog(central, base), ensure_ascii=False).encode("utf-8")
        return Response(body, media_type="application/ld+json", headers=headers(pub))

    @app.get("/open-data/news.atom", tags=["open data"],
             responses={200: {"content": {"application/atom+xml": {}},
                              "description": "an Atom 1.0 feed"}, **json_doc})
    def open_data_news_feed(request: Request, lang: Literal["ar", "en"] = "ar") -> Response:
        """The published news as an Atom 1.0 feed, one per language (``?lang=ar``, the
        default, or ``?lang=en``)."""
        pub = published()
        base = str(request.base_url).rstrip("/")
        return Response(opendata.news_atom(pub, lang, base),
                        media_type="application/atom+xml; charset=utf-8", headers=headers(pub))

    @app.post("/open-data/requests", status_code=201, response_model=DataRequestReceipt,
              tags=["open data"],
              responses={413: {"model": ErrorBody}, 429: {"model": ErrorBody}, **_ERRORS})
    def open_data_request(req: DataRequestBody, request: Request) -> Response:
        """Ask for data that is not published yet: staff see the request in their feedback
        list; its reference follows it up at /follow-up/REFERENCE. Limited per client
        address."""
        address = followup.client_address(request.client.host if request.client else None,
                                          request.headers.get("x-forwarded-for"))
        try:
            receipt = opendata.request_dataset(central, req.dataset, req.reason, req.email,
                                               req.lang, address, limiter)
        except opendata.TooManyRequests as e:
            return _error(429, e.message, e.detail, headers={"Retry-After": str(e.retry_after)})
        return JSONResponse(receipt, status_code=201,
                            headers={"Access-Control-Allow-Origin": "*"})

    @app.get("/open-data/{dataset}.json", response_model=OpenDataFile, tags=["open data"],
             responses=json_doc)
    def open_data_json(request: Request, dataset: DatasetName) -> Response:
        """A dataset of the newest version (content) or counted now (results), as JSON."""
        return file(request, published(), dataset, "json", False)

    @app.get("/open-data/{dataset}.csv", tags=["open data"], responses=csv_doc)
    def open_data_csv(request: Request, dataset: DatasetName) -> Response:
        """The same as CSV (UTF-8, header row first, formulas neutralised)."""
        return file(request, published(), dataset, "csv", False)

    @app.get("/open-data/v/{version}/{dataset}.json", response_model=OpenDataFile,
             tags=["open data"], responses=json_doc)
    def open_data_version_json(request: Request, version: VersionNumber,
                               dataset: DatasetName) -> Response:
        """A content dataset as that version published it, kept for ever (counts are only
        as of now: 404)."""
        opendata.dataset(dataset, versioned=True)
        return file(request, opendata.release_at(central, version), dataset, "json", True)

    @app.get("/open-data/v/{version}/{dataset}.csv", tags=["open data"], responses=csv_doc)
    def open_data_version_csv(request: Request, version: VersionNumber,
                              dataset: DatasetName) -> Response:
        """The same as CSV."""
        opendata.dataset(dataset, versioned=True)
        return file(request, opendata.release_at(central, version), dataset, "csv", True)


def app_from_environment() -> FastAPI:
    """The app for one of `kiosk-central serve --workers N`'s processes. uvicorn calls this on
    its event loop, where Django refuses to touch the database: the site is opened (keys
    loaded, migrations checked) on a thread of its own."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return create_app(pool.submit(Central).result())
