"""Central's one ASGI application, as `kiosk-central serve` runs it under uvicorn:

    ManifestFastPath -> BodySizeLimit -> CentralASGI -> Django (/admin, /cms: the staff site's
                                                        handler; everything else: the API's)

Everything is answered by Django's URLconf (central.urls): the staff admin, the CMS and the
device API (central.api, Django Ninja). Two thin ASGI layers stay in front of Django: the
manifest poll answered from memory (most of a fleet's traffic) and the body size limit (which
counts chunked uploads before Django reads them). ``CentralASGI`` also answers the lifespan
(the scheduled publishes thread), which Django's handler does not speak.

The device API runs on its own Django handler (``ApiHandler``): the same URLconf and request
objects, without the staff site's middleware (sessions, CSRF, sign-in, messages, language),
which it never uses; its views are async and do their database work on a bounded pool of
threads (central.routing), so heartbeats run side by side and the staff site's sign-ins
(argon2, central.staff.SIGN_IN_SLOTS) never hold one of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("central.api")

MANIFEST_PATH = "/api/v1/manifest"
STAFF_PREFIXES = ("/admin", "/cms")  # the staff admin (central.staff) and the CMS (central.cms)


def is_staff_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in STAFF_PREFIXES)


def etag_matches(header: str | None, etag: str) -> bool:
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
                    await send_json(send, 400, {"error": "the Content-Length header is not a "
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
                    # Answer now and tell the app the client left (Django then stops reading
                    # and answers nothing).
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
    await send_json(send, 413, {"error": f"the request body is over {limit} bytes; "
                                         "send less at once", "detail": {"limit": limit}})


async def send_json(send: Any, status: int, payload: dict) -> None:
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
    already knows, on the event loop: no thread pool, no database, no Django. That poll is
    most of a fleet's traffic. Everything else (no token, an unknown or revoked one, nothing
    published, a database problem) goes on to the ordinary route (central.api), so errors and
    the OpenAPI description stay in one place. Headers match what the route sends."""

    def __init__(self, app: Any, central: Any):
        self.app = app
        self.cache = central.cache

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or scope["path"] != MANIFEST_PATH
                or scope["method"] != "GET"):
            await self.app(scope, receive, send)
            return
        authorization = if_none_match = None
        for name, value in scope["headers"]:
            # The first of repeated headers counts, as on the ordinary route.
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
        if etag_matches(if_none_match, m.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"content-length", str(len(m.body)).encode()),
                    (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": m.body})


# ---------------------------------------------------------------------------------------------
# Django


def api_handler() -> Any:
    """Django's ASGI handler for everything but the staff site: the URLconf's views (the Ninja
    API) with no middleware. Its answers carry Content-Length, a 304 no content headers, and a
    405 the API's JSON error."""
    from django.conf import settings
    from django.core import signals
    from django.core.exceptions import RequestAborted
    from django.core.handlers.asgi import ASGIHandler, get_script_prefix
    from django.core.handlers.exception import convert_exception_to_response
    from django.http import HttpResponseNotAllowed
    from django.urls import set_script_prefix, set_urlconf

    class ApiHandler(ASGIHandler):
        def load_middleware(self, is_async: bool = False) -> None:
            self._view_middleware = []
            self._template_response_middleware = []
            self._exception_middleware = []
            self._middleware_chain = convert_exception_to_response(self._get_response_async)

        async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
            await self.handle(scope, receive, send)

        async def handle(self, scope: dict, receive: Any, send: Any) -> None:
            """Django's, without its trips to a thread: the API's views do their database work
            on central.routing's pool, so the request signals' receivers (Django's: reset
            queries, close this thread's old connections, caches) run here, where there is no
            connection to close, and nothing waits for a thread per request (Django makes one
            per request and sends each signal and the closing of the response through it, which
            cost as much CPU as FastAPI's whole request). A client that leaves does not cancel
            the view (FastAPI did not either)."""
            try:
                body_file = await self.read_body(receive)
            except RequestAborted:
                return
            try:
                set_script_prefix(get_script_prefix(scope))
                signals.request_started.send(sender=self.__class__, scope=scope)
                request, error_response = self.create_request(scope, body_file)
                if request is None:
                    await self.send_response(error_response, send)
                    error_response.close()
                    return
                response = await self.run_get_response(request)
                try:
                    await self.send_response(response, send)
                finally:
                    response.close()  # sends request_finished
            finally:
                body_file.close()

        async def get_response_async(self, request: Any) -> Any:
            # Django's, without its log line for every 4xx (uvicorn's access log has them;
            # the API logs its 500s itself).
            set_urlconf(settings.ROOT_URLCONF)
            response = await self._middleware_chain(request)
            response._resource_closers.append(request.close)
            if response.status_code == 405 and isinstance(response, HttpResponseNotAllowed):
                allow = response.get("Allow", "")
                response = json_response(405, {
                    "error": "this address does not accept that method; see /openapi.json",
                    "detail": None}, {"Allow": ", ".join(sorted(a.strip() for a in
                                                                allow.split(",") if a.strip()))})
            if response.status_code in (204, 304):
                if "Content-Type" in response:
                    del response["Content-Type"]
            elif not response.streaming and "Content-Length" not in response:
                response["Content-Length"] = str(len(response.content))
            return response

    return ApiHandler()


def json_response(status: int, content: Any, headers: dict[str, str] | None = None) -> Any:
    """JSON as FastAPI's JSONResponse wrote it (compact, UTF-8), the API's one encoder."""
    from django.http import HttpResponse

    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), status=status, content_type="application/json",
                        headers=headers)


class CentralASGI:
    """ASGI: /admin, /cms and everything under them to the staff site's Django handler (its
    middleware: sessions, CSRF, sign-in), the rest to the API's; the lifespan starts and stops
    what ``on_startup`` and ``on_shutdown`` say (the scheduled publishes)."""

    def __init__(self, staff_app: Any, api_app: Any,
                 on_startup: Callable[[], None] | None = None,
                 on_shutdown: Callable[[], None] | None = None):
        self.staff_app, self.api_app = staff_app, api_app
        self.on_startup, self.on_shutdown = on_startup, on_shutdown

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            if is_staff_path(scope.get("path", "")):
                await self.staff_app(scope, receive, send)
            else:
                await self.api_app(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await receive()
            await send({"type": "websocket.close", "code": 1000})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.on_startup is not None:
                        self.on_startup()
                except Exception as e:  # noqa: BLE001 - uvicorn reports it and stops
                    log.exception("central could not start")
                    await send({"type": "lifespan.startup.failed", "message": str(e)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if self.on_shutdown is not None:
                        self.on_shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return
