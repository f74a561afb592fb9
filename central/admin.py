"""The staff web admin under /admin: sign in, see the fleet, read feedback and poll results,
edit product texts, publish, make enrolment codes, revoke kiosks and send them commands.

Pages are server-rendered Jinja2 with autoescaping; every form carries a CSRF token; the session
is a signed, HttpOnly, SameSite=Strict cookie; roles decide what each person may do."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from central.db import utcnow
from central.errors import CentralError
from central.keys import _load_or_create
from central.routing import DbRoute, per_request
from central.service import Central
from kiosk import protocol

COOKIE = "mio_staff"
SESSION_HOURS = 8
# A device that has not sent a heartbeat for this many intervals is shown as offline.
OFFLINE_AFTER_BEATS = 3
MAX_FAILED_LOGINS = 5
LOCKOUT_S = 300
PAGE_SIZE = 50

# What each role may do; an admin may do everything.
CAN = {
    "content": ("editor", "admin"),
    "feedback": ("analyst", "admin"),
    "fleet": ("admin",),
}

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def _when(dt: datetime | None) -> str:
    return "never" if dt is None else dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ago(dt: datetime | None) -> str:
    if dt is None:
        return "never"
    s = int((utcnow() - dt).total_seconds())
    if s < 90:
        return f"{s} s ago"
    if s < 5400:
        return f"{s // 60} min ago"
    if s < 172800:
        return f"{s // 3600} h ago"
    return f"{s // 86400} days ago"


_env.filters["when"] = _when
_env.filters["ago"] = _ago


class _Throttle:
    """Slows down password guessing: after MAX_FAILED_LOGINS failures for one user name, that
    name is locked for LOCKOUT_S seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float]] = {}

    def locked(self, username: str) -> bool:
        with self._lock:
            n, until = self._fails.get(username, (0, 0.0))
            return n >= MAX_FAILED_LOGINS and time.monotonic() < until

    def failed(self, username: str) -> None:
        with self._lock:
            n, _ = self._fails.get(username, (0, 0.0))
            self._fails[username] = (n + 1, time.monotonic() + LOCKOUT_S)
            if len(self._fails) > 10_000:  # bounded memory under a spray of names
                self._fails.clear()

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._fails.pop(username, None)


class Staff:
    def __init__(self, username: str, role: str, sid: str):
        self.username, self.role, self.sid = username, role, sid

    def can(self, what: str) -> bool:
        return self.role in CAN[what]


def _session_secret(central: Central) -> bytes:
    # Kept beside the site keys (0600) so sessions survive a restart of central.
    return _load_or_create(central.settings.key_dir / "admin-session.key")


def mount(app: FastAPI, central: Central) -> None:
    """Add the admin pages to central's app."""
    secret = _session_secret(central)
    signer = URLSafeTimedSerializer(secret, salt="staff-session")
    throttle = _Throttle()
    router = APIRouter(prefix="/admin", include_in_schema=False, route_class=DbRoute)

    def csrf_token(sid: str) -> str:
        return hmac.new(secret, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()

    def current_staff(request: Request) -> Staff | None:
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 2000:
            return None
        try:
            data = signer.loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        # The account may have been disabled or its role changed since sign-in.
        for u in central.list_staff():
            if u["username"] == data.get("u") and not u["disabled"]:
                return Staff(u["username"], u["role"], str(data.get("sid", "")))
        return None

    def page(request: Request, template: str, staff: Staff | None, status: int = 200,
             **ctx: Any) -> HTMLResponse:
        html = _env.get_template(template).render(
            request=request, staff=staff, csrf=csrf_token(staff.sid) if staff else "",
            path=request.url.path, **ctx)
        return HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)

    def to_login(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/admin/login?next={quote(request.url.path)}", status_code=303)

    def guard(request: Request, what: str | None = None) -> Staff | Response:
        staff = current_staff(request)
        if staff is None:
            return to_login(request)
        if what and not staff.can(what):
            return page(request, "admin_error.html", staff, status=403,
                        title="Not allowed",
                        message=f"Your role ({staff.role}) can not do this. Ask an admin.")
        return staff

    def posted(path: str, what: str) -> Callable:
        """Register a form POST. Only reading the body happens on the event loop; the session
        check, the CSRF check and every database call run in the thread pool, so a staff
        member's click never stalls the kiosks' requests."""

        def register(handler: Callable[..., Response]) -> Callable[..., Response]:
            async def endpoint(request: Request) -> Response:
                raw = await request.form()
                form = {k: v for k, v in raw.items() if isinstance(v, str)}

                def run() -> Response:
                    staff = guard(request, what)
                    if not isinstance(staff, Staff):
                        return staff
                    token = form.get("csrf", "").encode("utf-8", "replace")
                    if not hmac.compare_digest(token, csrf_token(staff.sid).encode()):
                        return bad_form(request, staff)
                    return handler(request, staff, form, **request.path_params)

                return await run_in_threadpool(per_request(run))

            router.add_api_route(path, endpoint, methods=["POST"])
            return handler

        return register

    def bad_form(request: Request, staff: Staff) -> HTMLResponse:
        return page(request, "admin_error.html", staff, status=403, title="Form expired",
                    message="This form was out of date. Go back, reload the page and try again.")

    # -- sign in ------------------------------------------------------------------------------

    @router.get("/login")
    def login_form(request: Request, next: str = "/admin/") -> HTMLResponse:
        return page(request, "admin_login.html", None, next=_safe_next(next), error=None)

    @router.post("/login")
    def login(request: Request, username: str = Form("", max_length=64),
              password: str = Form("", max_length=1024),
              next: str = Form("/admin/", max_length=200)) -> Response:
        username = username.strip()
        if throttle.locked(username):
            return page(request, "admin_login.html", None, status=429, next=_safe_next(next),
                        error="Too many wrong passwords for this account. Wait five minutes, "
                              "then try again.")
        user = central.verify_staff_login(username, password)
        if user is None:
            throttle.failed(username)
            return page(request, "admin_login.html", None, status=401, next=_safe_next(next),
                        error="The user name or password is not right. Check them and try "
                              "again.")
        throttle.succeeded(username)
        cookie = signer.dumps({"u": user.username, "sid": secrets.token_urlsafe(16)})
        resp = RedirectResponse(_safe_next(next), status_code=303)
        resp.set_cookie(COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/admin")
        return resp

    @router.post("/logout")
    def logout(request: Request) -> Response:
        resp = RedirectResponse("/admin/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/admin")
        return resp

    # -- dashboard ----------------------------------------------------------------------------

    @router.get("/")
    def dashboard(request: Request) -> Response:
        staff = guard(request)
        if not isinstance(staff, Staff):
            return staff
        releases = central.list_releases(limit=1)
        devices = [_device_view(d, releases) for d in central.list_devices()]
        return page(request, "admin_dashboard.html", staff, title="Overview",
                    release=releases[0] if releases else None,
                    drafts=_draft_counts(central),
                    devices=devices,
                    offline=sum(1 for d in devices if d["state"] == "offline"),
                    stale=sum(1 for d in devices if d["stale"]),
                    counts=central.count_submissions(include_test=False))

    # -- content ------------------------------------------------------------------------------

    @router.get("/content")
    def content_page(request: Request, q: str = "", page_no: int = 1) -> Response:
        staff = guard(request, "content")
        if not isinstance(staff, Staff):
            return staff
        q = q.strip()[:100]
        products = [r["data"] for r in central.list_records("product")]
        if q:
            ql = q.casefold()
            products = [p for p in products
                        if ql in p["name"]["en"].casefold() or q in p["name"]["ar"]
                        or ql in p["code"].casefold() or ql in p["id"]]
        pages = max(1, math.ceil(len(products) / PAGE_SIZE))
        page_no = min(max(1, page_no), pages)
        shown = products[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
        return page(request, "admin_content.html", staff, title="Content",
                    drafts=_draft_counts(central), releases=central.list_releases(limit=5),
                    products=shown, total=len(products), q=q, page_no=page_no, pages=pages,
                    published=request.query_params.get("published"))

    @router.get("/content/products/{product_id}")
    def product_form(request: Request, product_id: str) -> Response:
        staff = guard(request, "content")
        if not isinstance(staff, Staff):
            return staff
        rec = central.get_record("product", product_id[:64])
        if rec is None:
            return page(request, "admin_error.html", staff, status=404, title="Not found",
                        message="There is no such product. It may have been removed.")
        return page(request, "admin_product.html", staff, title=rec["name"]["en"], product=rec,
                    form=_product_form_values(rec), error=None, saved=False)

    @posted("/content/products/{product_id}", "content")
    def product_save(request: Request, staff: Staff, form: dict[str, str],
                     product_id: str) -> Response:
        rec = central.get_record("product", product_id[:64])
        if rec is None:
            return page(request, "admin_error.html", staff, status=404, title="Not found",
                        message="There is no such product. It may have been removed.")
        values = {k: form.get(k, "") for k in _PRODUCT_FIELDS}
        updated = dict(rec)
        updated["name"] = {"ar": values["name_ar"], "en": values["name_en"]}
        updated["description"] = {"ar": values["description_ar"],
                                  "en": values["description_en"]}
        try:
            central.save_record("product", updated)
        except (protocol.ProtocolError, CentralError) as e:
            # Keep what the editor typed; say which field is wrong.
            return page(request, "admin_product.html", staff, status=422,
                        title=rec["name"]["en"], product=rec, form=values,
                        error=_plain_error(str(e)), saved=False)
        return page(request, "admin_product.html", staff, title=updated["name"]["en"],
                    product=updated, form=values, error=None, saved=True)

    @posted("/content/publish", "content")
    def publish(request: Request, staff: Staff, form: dict[str, str]) -> Response:
        try:
            rel = central.publish(published_by=staff.username)
        except CentralError as e:
            return page(request, "admin_error.html", staff, status=422,
                        title="Not published", message=str(e))
        return RedirectResponse(f"/admin/content?published={rel.version}", status_code=303)

    # -- feedback and polls ---------------------------------------------------------------------

    @router.get("/submissions")
    def submissions(request: Request, type: str = "", tests: int = 0, page_no: int = 1) -> Response:
        staff = guard(request, "feedback")
        if not isinstance(staff, Staff):
            return staff
        kind = type if type in protocol.SUBMISSION_PAYLOADS else None
        page_no = max(1, min(page_no, 10_000))
        rows = central.list_submissions(type=kind, include_test=bool(tests),
                                        limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
        return page(request, "admin_submissions.html", staff, title="Feedback",
                    rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page_no=page_no,
                    type=kind or "", tests=bool(tests), kinds=list(protocol.SUBMISSION_PAYLOADS),
                    counts=central.count_submissions(include_test=bool(tests)))

    @router.get("/polls")
    def polls(request: Request) -> Response:
        staff = guard(request, "feedback")
        if not isinstance(staff, Staff):
            return staff
        pub = central.published_catalogue()
        ids = sorted((pub.records.get("poll", {}) if pub else {}).keys())
        results = []
        for pid in ids:
            r = central.poll_results(pid)
            results.append({
                "poll": r, "options": [
                    {"label": o.label, "votes": o.votes,
                     "percent": round(100 * o.votes / r.total_votes) if r.total_votes else 0}
                    for o in r.options]})
        return page(request, "admin_polls.html", staff, title="Poll results", results=results)

    # -- fleet --------------------------------------------------------------------------------

    @router.get("/devices")
    def devices(request: Request) -> Response:
        staff = guard(request)
        if not isinstance(staff, Staff):
            return staff
        releases = central.list_releases(limit=1)
        return page(request, "admin_devices.html", staff, title="Kiosks",
                    devices=[_device_view(d, releases) for d in central.list_devices()],
                    commands=protocol.DEVICE_COMMANDS, new_code=None,
                    message=request.query_params.get("message"))

    @posted("/devices/codes", "fleet")
    def new_code(request: Request, staff: Staff, form: dict[str, str]) -> Response:
        location = (form.get("location") or "").strip() or None
        try:
            hours = float(form.get("ttl_hours") or 24)
            if not 0 < hours <= 24 * 30:
                raise ValueError
            info = central.create_enrollment_code(location=location, ttl=timedelta(hours=hours))
        except ValueError:
            return page(request, "admin_error.html", staff, status=422, title="No code made",
                        message="Valid for: give a number of hours between 1 and 720.")
        except CentralError as e:
            return page(request, "admin_error.html", staff, status=422, title="No code made",
                        message=str(e))
        releases = central.list_releases(limit=1)
        return page(request, "admin_devices.html", staff, title="Kiosks",
                    devices=[_device_view(d, releases) for d in central.list_devices()],
                    commands=protocol.DEVICE_COMMANDS, new_code=info, message=None)

    def device_page(request: Request, staff: Staff, device_id: str, status: int = 200,
                    error: str | None = None, message: str | None = None) -> Response:
        try:
            info = central.get_device(device_id[:64])
        except CentralError as e:
            return page(request, "admin_error.html", staff, status=e.status, title="Not found",
                        message=str(e))
        releases = central.list_releases(limit=1)
        config = central.show_config(info.id) if staff.can("fleet") else None
        return page(request, "admin_device.html", staff, status=status,
                    title=info.name or info.id, d=_device_view(info, releases), config=config,
                    keys=protocol.CONFIG_KEYS, allowed=_ALLOWED, commands=protocol.DEVICE_COMMANDS,
                    sent=central.list_commands(info.id, limit=30), error=error, message=message)

    @router.get("/devices/{device_id}")
    def device(request: Request, device_id: str) -> Response:
        staff = guard(request)
        if not isinstance(staff, Staff):
            return staff
        return device_page(request, staff, device_id,
                           message=request.query_params.get("message"))

    @posted("/devices/{device_id}/config", "fleet")
    def device_config(request: Request, staff: Staff, form: dict[str, str],
                      device_id: str) -> Response:
        try:
            msg = _apply_config_form(central, form, staff, device_id=device_id[:64])
        except CentralError as e:
            return device_page(request, staff, device_id, status=e.status, error=str(e))
        return RedirectResponse(f"/admin/devices/{quote(device_id[:64])}?message={quote(msg)}",
                                status_code=303)

    def config_page(request: Request, staff: Staff, status: int = 200,
                    error: str | None = None, message: str | None = None) -> Response:
        return page(request, "admin_config.html", staff, status=status, title="Kiosk settings",
                    config=central.show_config(), keys=protocol.CONFIG_KEYS, allowed=_ALLOWED,
                    error=error, message=message)

    @router.get("/config")
    def config(request: Request) -> Response:
        staff = guard(request, "fleet")
        if not isinstance(staff, Staff):
            return staff
        return config_page(request, staff, message=request.query_params.get("message"))

    @posted("/config", "fleet")
    def config_save(request: Request, staff: Staff, form: dict[str, str]) -> Response:
        location = (form.get("location") or "").strip()
        try:
            if form.get("scope") == "location" and not location:
                raise CentralError("Give the location these settings are for.")
            msg = _apply_config_form(central, form, staff,
                                     location=location if form.get("scope") == "location"
                                     else None)
        except CentralError as e:
            return config_page(request, staff, status=e.status, error=str(e))
        return RedirectResponse(f"/admin/config?message={quote(msg)}", status_code=303)

    @posted("/devices/{device_id}/revoke", "fleet")
    def revoke(request: Request, staff: Staff, form: dict[str, str], device_id: str) -> Response:
        try:
            central.revoke_device(device_id[:64])
        except CentralError as e:
            return page(request, "admin_error.html", staff, status=e.status, title="Not revoked",
                        message=str(e))
        return RedirectResponse(f"/admin/devices?message={quote('Kiosk revoked.')}",
                                status_code=303)

    @posted("/devices/{device_id}/command", "fleet")
    def command(request: Request, staff: Staff, form: dict[str, str],
                device_id: str) -> Response:
        try:
            central.queue_command(device_id[:64], form.get("name", ""), queued_by=staff.username)
        except CentralError as e:
            return page(request, "admin_error.html", staff, status=e.status,
                        title="Command not sent", message=str(e))
        msg = f"Command {form.get('name')} queued; the kiosk runs it at its next heartbeat."
        back = (f"/admin/devices/{quote(device_id[:64])}" if form.get("back") == "device"
                else "/admin/devices")
        return RedirectResponse(f"{back}?message={quote(msg)}", status_code=303)

    app.include_router(router)

    @app.get("/admin", include_in_schema=False)
    def admin_root() -> RedirectResponse:
        return RedirectResponse("/admin/", status_code=307)


_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_PRODUCT_FIELDS = ("name_ar", "name_en", "description_ar", "description_en")
_ALLOWED = {k: protocol.config_allowed(k) for k in protocol.CONFIG_KEYS}


def _apply_config_form(central: Central, form: dict[str, str], staff: Staff,
                       device_id: str | None = None, location: str | None = None) -> str:
    """One setting set or unset from a form; returns the sentence to show. The value is read
    as on the command line: JSON where it reads as JSON, else the text."""
    from central.device_config import parse_value

    key = (form.get("key") or "").strip()[:64]
    where = f"kiosk {device_id}" if device_id else (f"location {location}" if location
                                                    else "the fleet")
    if form.get("action") == "unset":
        removed = central.unset_config([key], device_id=device_id, location=location)
        return (f"{key} removed for {where}; the wider setting applies again." if removed
                else f"{key} was not set for {where}.")
    value = parse_value((form.get("value") or "")[:4000])
    central.set_config({key: value}, device_id=device_id, location=location, by=staff.username)
    return f"{key} set for {where}; kiosks receive it at their next heartbeat."


def _product_form_values(rec: dict) -> dict[str, str]:
    return {"name_ar": rec["name"]["ar"], "name_en": rec["name"]["en"],
            "description_ar": rec["description"]["ar"],
            "description_en": rec["description"]["en"]}


def _plain_error(text: str) -> str:
    """Turn 'product x.name.ar: missing translation' into words an editor knows."""
    return (text.replace(".name.ar", " Arabic name").replace(".name.en", " English name")
            .replace(".description.ar", " Arabic description")
            .replace(".description.en", " English description")
            .replace("String should have at least 1 character", "it must not be empty"))


def _safe_next(target: str) -> str:
    # Only paths inside the admin: an open redirect would help phishing.
    if target.startswith("/admin") and "//" not in target and "\\" not in target:
        return target
    return "/admin/"


def _draft_counts(central: Central) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in central.list_records():
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    return counts


def _device_view(d: Any, releases: list) -> dict[str, Any]:
    newest = releases[0].version if releases else None
    beat = int(d.config.get("heartbeat_interval_s", 60))
    if d.revoked:
        state = "revoked"
    elif d.last_seen_at is None:
        state = "never seen"
    elif utcnow() - d.last_seen_at > timedelta(seconds=beat * OFFLINE_AFTER_BEATS):
        state = "offline"
    else:
        state = "online"
    behind = newest is not None and (d.content_version or 0) < newest
    return {"info": d, "state": state, "stale": bool(d.stale) or behind, "behind": behind,
            "newest": newest}
