"""The staff web admin under /admin, as Django views: sign in, see the fleet, read feedback and
poll results, edit product texts, publish, make enrolment codes, revoke kiosks and send them
commands, set device config.

Pages are the Jinja2 templates in central/templates (Django's Jinja2 backend, autoescaped).
Django does the security: accounts and hashed passwords (argon2) in django.contrib.auth,
server-side sessions ended at sign-out, CSRF on every form including sign-in, django-axes
locking a user name from one client address after MAX_FAILED_LOGINS wrong passwords (and
refusing, before any password is hashed, while it is locked). Every page checks the role."""

from __future__ import annotations

import contextlib
import functools
import math
import threading
import weakref
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import auth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect, ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from central.db import utcnow
from central.errors import CentralError
from kiosk import protocol

# A device that has not sent a heartbeat for this many intervals is shown as offline.
OFFLINE_AFTER_BEATS = 3
PAGE_SIZE = 50
# Sign-ins that hash a password at once, whatever the number of requests: argon2 is slow on
# purpose, and a flood of guesses must not take the CPU the kiosks' requests need.
SIGN_IN_SLOTS = threading.BoundedSemaphore(2)

ROLES = ("editor", "publisher", "analyst", "admin")
# What each role may do; an admin may do everything.
CAN = {
    "content": ("editor", "publisher", "admin"),
    "publish": ("editor", "publisher", "admin"),
    "feedback": ("analyst", "admin"),
    # Held poll votes: whoever reads and moderates results releases or rejects them.
    "votes": ("analyst", "admin"),
    "fleet": ("admin",),
}

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _central() -> Any:
    from central.web import site

    return site()


# ---------------------------------------------------------------------------------------------
# Templates


def environment(**options: Any) -> Any:
    """The Jinja2 environment of Django's Jinja2 backend (settings.TEMPLATES)."""
    from jinja2 import Environment

    from central import admin_i18n

    env = Environment(**options, trim_blocks=True, lstrip_blocks=True)
    admin_i18n.setup_environment(env)
    return env


class Staff:
    def __init__(self, username: str, role: str):
        self.username, self.role = username, role

    def can(self, what: str) -> bool:
        return self.role in CAN[what]


def role_of(user: Any) -> str | None:
    names = [g.name for g in user.groups.all() if g.name in ROLES]
    return names[0] if names else None


def current_staff(request: HttpRequest) -> Staff | None:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    role = role_of(user)  # read again on every page: a role taken away applies at once
    return Staff(user.username, role) if role else None


def page(request: HttpRequest, template: str, staff: Staff | None, status: int = 200,
         **ctx: Any) -> HttpResponse:
    from django.middleware.csrf import get_token

    html = render_to_string(template, {"staff": staff, "csrf": get_token(request),
                                       "path": request.path, "here": request.get_full_path(),
                                       **ctx}, request=request)
    return HttpResponse(html, status=status, headers=_SECURITY_HEADERS)


def redirect(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url, status=303)
    resp.status_code = 303
    return resp


def to_login(request: HttpRequest) -> HttpResponse:
    return redirect(f"/admin/login?next={quote(request.path)}")


def not_allowed(request: HttpRequest, staff: Staff) -> HttpResponse:
    return page(request, "admin_error.html", staff, status=403, title=_("Not allowed"),
                message=_("Your role (%(role)s) can not do this. Ask an admin.")
                % {"role": _(staff.role)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form without its page's token (out of date, or sent
    from another site)."""
    return page(request, "admin_error.html", current_staff(request), status=403,
                title=_("Form expired"),
                message=_("This form was out of date. Go back, reload the page and try again."))


def staff_only(what: str | None = None, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """A page for signed-in staff whose role may do ``what``. The role is checked before the
    form's CSRF token, so a person without the role hears that, not "form expired"."""

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @csrf_exempt
        @require_http_methods(list(methods))
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            staff = current_staff(request)
            if staff is None:
                return to_login(request)
            if what and not staff.can(what):
                return not_allowed(request, staff)
            request.staff = staff
            return protected(request, *args, **kw)

        return wrapper

    return deco


def _form(request: HttpRequest) -> dict[str, str]:
    return {k: v for k, v in request.POST.items() if isinstance(v, str)}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------------
# Sign in and out


@ensure_csrf_cookie
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    nxt = _safe_next(request.POST.get("next") or request.GET.get("next") or "/admin/")
    if request.method != "POST":
        return page(request, "admin_login.html", None, title=_("Sign in"), next=nxt, error=None)
    username = (request.POST.get("username") or "").strip()[:150]
    password = request.POST.get("password") or ""
    if len(password) > 1024:
        password = ""
    from axes.handlers.proxy import AxesProxyHandler

    # One attempt at a time per user name and address: the lockout check and the count it
    # depends on must not race (60 parallel guesses must meet a lockout of 5 after 5).
    with _attempt_lock(username, request.META.get("REMOTE_ADDR", "")):
        if AxesProxyHandler.is_locked(request, {"username": username}):
            return locked_out(request)
        with SIGN_IN_SLOTS:
            user = auth.authenticate(request, username=username, password=password)
    if user is None or role_of(user) is None:
        return page(request, "admin_login.html", None, title=_("Sign in"), status=401, next=nxt,
                    error=_("The user name or password is not right. Check them and try "
                            "again."))
    auth.login(request, user)  # a new session key: a session fixed before sign-in is useless
    return redirect(nxt)


_attempt_locks: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_attempt_locks_guard = threading.Lock()


@contextlib.contextmanager
def _attempt_lock(username: str, address: str) -> Iterator[None]:
    with _attempt_locks_guard:
        lock = _attempt_locks.get((username, address))
        if lock is None:
            lock = _attempt_locks[(username, address)] = _Lock()
    with lock:
        yield


class _Lock:
    """A lock that a WeakValueDictionary can hold (threading.Lock can not be weakly referenced)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *_exc: Any) -> None:
        self._lock.release()


def locked_out(request: HttpRequest, *_args: Any, **_kw: Any) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE too."""
    nxt = _safe_next(request.POST.get("next") or "/admin/")
    return page(request, "admin_login.html", None, title=_("Sign in"), status=429, next=nxt,
                error=_("Too many wrong passwords for this account. Wait five minutes, "
                        "then try again."))


@csrf_protect
@require_http_methods(["POST"])
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)  # deletes the session on the server, not only the cookie
    return redirect("/admin/login")


@csrf_protect
@require_http_methods(["POST"])
def language(request: HttpRequest) -> HttpResponse:
    """The language switch on every page: kept in the session (for this sign-in) and in a
    cookie (the sign-in page, and the next sign-in in this browser), then back to the page."""
    from central import admin_i18n

    lang = request.POST.get("lang") or ""
    if lang not in admin_i18n.LANGS:
        lang = "en"
    nxt = _safe_next(request.POST.get("next") or "/admin/")
    if nxt.startswith("/admin/language"):
        nxt = "/admin/"
    if request.user.is_authenticated:
        request.session[admin_i18n.SESSION_KEY] = lang
    resp = redirect(nxt)
    resp.set_cookie(admin_i18n.COOKIE, lang, max_age=365 * 24 * 3600, path="/admin",
                    samesite="Strict", httponly=True, secure=request.is_secure())
    return resp


def admin_root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/admin/", status=307)


# ---------------------------------------------------------------------------------------------
# Overview and content


@staff_only()
def dashboard(request: HttpRequest) -> HttpResponse:
    central = _central()
    releases = central.list_releases(limit=1)
    staff = request.staff
    devices = ([_device_view(d, releases) for d in central.list_devices()]
               if staff.can("fleet") else [])
    return page(request, "admin_dashboard.html", staff, title=_("Overview"),
                release=releases[0] if releases else None, drafts=_draft_counts(central),
                devices=devices, offline=sum(1 for d in devices if d["state"] == "offline"),
                stale=sum(1 for d in devices if d["stale"]),
                counts=central.count_submissions(include_test=False)
                if staff.can("feedback") else {},
                waiting=_feedback_waiting(central) if staff.can("feedback") else None)


def _feedback_waiting(central: Any) -> dict[str, int]:
    from central import feedback

    return feedback.open_counts(central)


@staff_only("content")
def content_page(request: HttpRequest) -> HttpResponse:
    central = _central()
    q = (request.GET.get("q") or "").strip()[:100]
    products = [r["data"] for r in central.list_records("product")]
    if q:
        ql = q.casefold()
        products = [p for p in products
                    if ql in p["name"]["en"].casefold() or q in p["name"]["ar"]
                    or ql in p["code"].casefold() or ql in p["id"]]
    pages = max(1, math.ceil(len(products) / PAGE_SIZE))
    page_no = min(max(1, _int(request.GET.get("page_no"), 1)), pages)
    shown = products[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
    return page(request, "admin_content.html", request.staff, title=_("Content"),
                drafts=_draft_counts(central), releases=central.list_releases(limit=5),
                products=shown, total=len(products), q=q, page_no=page_no, pages=pages,
                published=request.GET.get("published"))


@staff_only("content", methods=("GET", "HEAD", "POST"))
def product(request: HttpRequest, product_id: str) -> HttpResponse:
    central = _central()
    staff = request.staff
    rec = central.get_record("product", product_id[:64])
    if rec is None:
        return page(request, "admin_error.html", staff, status=404, title=_("Not found"),
                    message=_("There is no such product. It may have been removed."))
    if request.method != "POST":
        return page(request, "admin_product.html", staff, title=_name(rec),
                    product=rec, form=_product_form_values(rec), error=None, saved=False)
    form = _form(request)
    values = {k: form.get(k, "") for k in _PRODUCT_FIELDS}
    updated = dict(rec)
    updated["name"] = {"ar": values["name_ar"], "en": values["name_en"]}
    updated["description"] = {"ar": values["description_ar"], "en": values["description_en"]}
    try:
        central.save_record("product", updated)
    except (protocol.ProtocolError, CentralError) as e:
        # Keep what the editor typed; say which field is wrong.
        return page(request, "admin_product.html", staff, status=422, title=_name(rec),
                    product=rec, form=values, error=_plain_error(str(e)), saved=False)
    return page(request, "admin_product.html", staff, title=_name(updated),
                product=updated, form=values, error=None, saved=True)


@staff_only("publish", methods=("POST",))
def publish(request: HttpRequest) -> HttpResponse:
    try:
        rel = _central().publish(published_by=request.staff.username)
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=422,
                    title=_("Not published"), message=_(str(e)))
    return redirect(f"/admin/content?published={rel.version}")


# ---------------------------------------------------------------------------------------------
# Feedback and polls


@staff_only("feedback")
def submissions(request: HttpRequest) -> HttpResponse:
    from central import feedback

    central = _central()
    kind = request.GET.get("type") or ""
    kind = kind if kind in feedback.KINDS else ""
    status = request.GET.get("status") or ""
    status = status if status in feedback.STATES else ""
    tests = bool(_int(request.GET.get("tests"), 0))
    overdue = bool(_int(request.GET.get("overdue"), 0))
    mine = bool(_int(request.GET.get("mine"), 0))
    page_no = max(1, min(_int(request.GET.get("page_no"), 1), 10_000))
    rows = feedback.list_items(central, status=status or None, kind=kind or None,
                               assigned_to=request.staff.username if mine else None,
                               overdue=overdue, include_test=tests, limit=PAGE_SIZE + 1,
                               offset=(page_no - 1) * PAGE_SIZE)
    query = (f"type={quote(kind)}&status={quote(status)}&tests={int(tests)}"
             f"&overdue={int(overdue)}&mine={int(mine)}")
    return page(request, "admin_submissions.html", request.staff, title=_("Feedback"),
                rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page_no=page_no,
                type=kind, state=status, tests=tests, overdue=overdue, mine=mine,
                query=query, kinds=list(feedback.KINDS),
                states=feedback.STATE_LABELS, target=feedback.target_hours(),
                counts=central.count_submissions(include_test=tests))


@staff_only("feedback")
def find_reference(request: HttpRequest) -> HttpResponse:
    from central import feedback

    text = (request.GET.get("reference") or "")[:64]
    try:
        sub_id = feedback.find_by_reference(_central(), text)
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=e.status,
                    title=_("Reference not found"), message=_(str(e)))
    return redirect(f"/admin/submissions/{quote(sub_id)}")


def _submission_page(request: HttpRequest, sub_id: str, status: int = 200,
                     error: str | None = None, message: str | None = None,
                     contact: dict | None = None, faq: dict | None = None) -> HttpResponse:
    from django.contrib.auth import get_user_model

    from central import feedback

    central = _central()
    try:
        item = feedback.get_item(central, sub_id)
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=e.status,
                    title=_("Not found"), message=_(str(e)))
    names = sorted(u.username for u in get_user_model().objects.using(central.db)
                   .filter(is_active=True, groups__name__in=CAN["feedback"]).distinct())
    return page(request, "admin_submission.html", request.staff, status=status,
                title=_("Feedback %(reference)s") % {"reference": item["reference"]}, item=item, states=feedback.STATE_LABELS,
                staff_names=names, error=error, message=message, contact=contact, faq=faq)


@staff_only("feedback")
def submission(request: HttpRequest, sub_id: str) -> HttpResponse:
    return _submission_page(request, sub_id[:36], message=request.GET.get("message"))


_DONE = {"assign": gettext_noop("Assignment saved."), "status": gettext_noop("State changed."),
         "note": gettext_noop("Note added."),
         "reply": gettext_noop("Reply saved; the item is answered."),
         "hide": gettext_noop("Hidden from public use."), "unhide": gettext_noop("Shown again.")}


@staff_only("feedback", methods=("POST",))
def submission_action(request: HttpRequest, sub_id: str) -> HttpResponse:
    from central import feedback

    central = _central()
    sub_id = sub_id[:36]
    form = _form(request)
    action = form.get("action", "")
    by = request.staff.username
    try:
        if action == "assign":
            to = form.get("to", "")
            feedback.assign(central, sub_id, by if to == "me" else to, by)
        elif action == "status":
            feedback.set_status(central, sub_id, form.get("status", ""), by)
        elif action == "note":
            feedback.add_note(central, sub_id, form.get("text", ""), by)
        elif action == "reply":
            feedback.reply(central, sub_id, form.get("text", ""), by)
        elif action == "hide":
            feedback.hide(central, sub_id, form.get("reason", ""), by)
        elif action == "unhide":
            feedback.unhide(central, sub_id, by)
        elif action == "contact":
            return _submission_page(request, sub_id,
                                    contact=feedback.open_contact(central, sub_id, by) or {})
        elif action == "faq_start":
            return _submission_page(request, sub_id, faq=feedback.faq_prefill(central, sub_id))
        elif action == "faq_save":
            rid = feedback.add_to_faq(central, sub_id, form, by)
            msg = _("FAQ draft %(id)s saved. It reaches the kiosks with the next publish, "
                    "once a publisher approves it in the CMS (Kiosk information, FAQ).") % {
                        "id": rid}
            return redirect(f"/admin/submissions/{quote(sub_id)}?message={quote(msg)}")
        else:
            raise CentralError(_("Unknown action. Reload the page and try again."), status=422)
    except CentralError as e:
        faq = ({k: form.get(k, "") for k in ("question_ar", "question_en", "answer_ar",
                                              "answer_en")} if action == "faq_save" else None)
        return _submission_page(request, sub_id, status=e.status, error=_(str(e)), faq=faq)
    return redirect(f"/admin/submissions/{quote(sub_id)}?message={quote(_(_DONE[action]))}")


@staff_only("feedback")
def audit_page(request: HttpRequest) -> HttpResponse:
    from central import feedback

    return page(request, "admin_audit.html", request.staff, title=_("Audit log"),
                entries=feedback.audit_log(_central(), limit=500))


@staff_only("feedback")
def polls(request: HttpRequest) -> HttpResponse:
    """Poll and survey results as bars, for a period and a kiosk location; ?format=csv gives
    the same numbers as a spreadsheet."""
    from central import results
    from central.opendata import header_safe

    central = _central()
    g = request.GET
    start, end = (g.get("from") or "")[:10], (g.get("to") or "")[:10]
    month = (g.get("month") or "")[:7]
    known = results.locations(central)
    location = (g.get("location") or "")[:200]
    location = location if location in known else ""
    try:
        period = results.parse_period(start, end, month)
    except results.ResultsError as e:
        return page(request, "admin_polls.html", request.staff, status=422,
                    title=_("Poll and survey results"), error=_(str(e)), charts=[],
                    locations=known, location=location, start=start, end=end, month=month,
                    query="")
    found = results.charts(central, period, location or None)
    query = "&".join(f"{k}={quote(v)}" for k, v in (
        ("from", period.start.isoformat() if period.start else ""),
        ("to", period.end.isoformat() if period.end else ""), ("location", location)))
    if g.get("format") == "csv":
        name = header_safe(f"results-{query.replace('&', '_').replace('=', '-')}.csv"
                           .replace("%", ""))
        return HttpResponse(results.to_csv(found, period, location or None),
                            content_type="text/csv; charset=utf-8",
                            headers={**_SECURITY_HEADERS,
                                     "Content-Disposition": f'attachment; filename="{name}"'})
    return page(request, "admin_polls.html", request.staff, title=_("Poll and survey results"),
                error=None, charts=found, locations=known, location=location,
                start=period.start.isoformat() if period.start else "",
                end=period.end.isoformat() if period.end else "", month=month, query=query,
                period=period, no_location=results.NO_LOCATION)


@staff_only("feedback")
def usage_page(request: HttpRequest) -> HttpResponse:
    """Kiosks' anonymous use counts as bars, for a period and a kiosk location; ?format=csv
    gives them per location, day and name."""
    from central import results, usage
    from central.opendata import header_safe

    central = _central()
    g = request.GET
    start, end = (g.get("from") or "")[:10], (g.get("to") or "")[:10]
    month = (g.get("month") or "")[:7]
    known = results.locations(central)
    location = (g.get("location") or "")[:200]
    location = location if location in known else ""
    title = _("Kiosk use")
    try:
        period = results.parse_period(start, end, month)
    except results.ResultsError as e:
        return page(request, "admin_usage.html", request.staff, status=422, title=title,
                    error=_(str(e)), charts=[], locations=known, location=location,
                    start=start, end=end, month=month, query="",
                    no_location=results.NO_LOCATION)
    args = (central.q, period.start, period.end, location or None, results.NO_LOCATION)
    query = "&".join(f"{k}={quote(v)}" for k, v in (
        ("from", period.start.isoformat() if period.start else ""),
        ("to", period.end.isoformat() if period.end else ""), ("location", location)))
    if g.get("format") == "csv":
        name = header_safe(f"kiosk-use-{query.replace('&', '_').replace('=', '-')}.csv"
                           .replace("%", ""))
        return HttpResponse(usage.to_csv(*args), content_type="text/csv; charset=utf-8",
                            headers={**_SECURITY_HEADERS,
                                     "Content-Disposition": f'attachment; filename="{name}"'})
    return page(request, "admin_usage.html", request.staff, title=title, error=None,
                charts=usage.charts(*args), locations=known, location=location,
                start=period.start.isoformat() if period.start else "",
                end=period.end.isoformat() if period.end else "", month=month, query=query,
                period=period, no_location=results.NO_LOCATION)


# ---------------------------------------------------------------------------------------------
# Held poll votes (central.vote_checks)

HOLD_REASON_TEXT = {
    "gap": gettext_noop("less than %(n)s seconds after another counted vote on this poll "
                        "from this kiosk"),
    "hour": gettext_noop("over %(n)s votes on this poll from this kiosk in one hour"),
    "day": gettext_noop("over %(n)s votes on this poll from this kiosk received in one day"),
}


def _hold_reason(code: str | None) -> str:
    from central import vote_checks

    n = {"gap": vote_checks.VOTE_GAP_S, "hour": vote_checks.VOTES_PER_HOUR,
         "day": vote_checks.VOTES_PER_DAY}.get(code or "")
    return _(HOLD_REASON_TEXT[code]) % {"n": n} if code in HOLD_REASON_TEXT else (code or "")


def _votes_page(request: HttpRequest, status: int = 200, error: str | None = None,
                message: str | None = None) -> HttpResponse:
    from central import vote_checks
    from central.admin_i18n import current

    central = _central()
    held = vote_checks.held_votes(central)
    pub = central.published_catalogue()
    polls = pub.records.get("poll", {}) if pub else {}
    lang = current()

    def question(poll_id: str) -> str:
        p = polls.get(poll_id)
        return p["question"].get(lang) or p["question"]["en"] if p else poll_id

    def option(poll_id: str, option_id: str) -> str:
        for o in (polls.get(poll_id) or {}).get("options", []):
            if o["id"] == option_id:
                return o["label"].get(lang) or o["label"]["en"]
        return option_id

    for g in held["groups"]:
        g["question"] = question(g["poll_id"])
        g["option_counts"] = [(option(g["poll_id"], o), n) for o, n in
                              sorted(g["options"].items())]
        g["reason_texts"] = [(_hold_reason(r), n) for r, n in sorted(g["reasons"].items())]
    for v in held["votes"]:
        v["question"] = question(v["poll_id"])
        v["option"] = option(v["poll_id"], v["option_id"])
        v["reason_text"] = _hold_reason(v["reason"])
    return page(request, "admin_votes.html", request.staff, status=status,
                title=_("Held poll votes"), held=held, error=error, message=message,
                gap=vote_checks.VOTE_GAP_S, per_hour=vote_checks.VOTES_PER_HOUR,
                per_day=vote_checks.VOTES_PER_DAY, max_reason=vote_checks.MAX_REJECT_REASON)


@staff_only("votes", methods=("GET", "HEAD", "POST"))
def votes_page(request: HttpRequest) -> HttpResponse:
    """Votes over their kiosk's rate limit: stored, not counted until released; or rejected
    (never counted, hidden with the reason)."""
    from central import vote_checks

    if request.method != "POST":
        return _votes_page(request, message=request.GET.get("message"))
    central = _central()
    form = _form(request)
    ids = [i for i in request.POST.getlist("vote") if isinstance(i, str)]
    device_id, poll_id = form.get("device_id") or None, form.get("poll_id") or None
    by = request.staff.username
    try:
        if form.get("action") == "release":
            n = vote_checks.release(central, by, ids, device_id, poll_id)
            msg = ngettext("%(num)s vote released; it is counted now.",
                           "%(num)s votes released; they are counted now.", n) % {"num": n}
        elif form.get("action") == "reject":
            n = vote_checks.reject(central, by, form.get("reason", ""), ids, device_id,
                                   poll_id)
            msg = ngettext("%(num)s vote rejected; it is never counted.",
                           "%(num)s votes rejected; they are never counted.", n) % {"num": n}
        else:
            raise CentralError(_("Unknown action. Reload the page and try again."), status=422)
    except CentralError as e:
        return _votes_page(request, status=e.status, error=_(str(e)))
    return redirect(f"/admin/votes?message={quote(msg)}")


# ---------------------------------------------------------------------------------------------
# The fleet (admins only: kiosk locations, tokens and commands are not everyone's business)


def _devices_page(request: HttpRequest, new_code: Any = None,
                  message: str | None = None) -> HttpResponse:
    central = _central()
    releases = central.list_releases(limit=1)
    return page(request, "admin_devices.html", request.staff, title=_("Kiosks"),
                devices=[_device_view(d, releases) for d in central.list_devices()],
                commands=protocol.DEVICE_COMMANDS, new_code=new_code, message=message)


@staff_only("fleet")
def devices(request: HttpRequest) -> HttpResponse:
    return _devices_page(request, message=request.GET.get("message"))


@staff_only("fleet", methods=("POST",))
def new_code(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    location = (form.get("location") or "").strip() or None
    try:
        hours = float(form.get("ttl_hours") or 24)
        if not 0 < hours <= 24 * 30:
            raise ValueError
        info = _central().create_enrollment_code(location=location, ttl=timedelta(hours=hours))
    except ValueError:
        return page(request, "admin_error.html", request.staff, status=422,
                    title=_("No code made"),
                    message=_("Valid for: give a number of hours between 1 and 720."))
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=422,
                    title=_("No code made"), message=_(str(e)))
    return _devices_page(request, new_code=info)


def _device_page(request: HttpRequest, device_id: str, status: int = 200,
                 error: str | None = None, message: str | None = None) -> HttpResponse:
    central = _central()
    staff = request.staff
    try:
        info = central.get_device(device_id[:64])
    except CentralError as e:
        return page(request, "admin_error.html", staff, status=e.status, title=_("Not found"),
                    message=_(str(e)))
    releases = central.list_releases(limit=1)
    return page(request, "admin_device.html", staff, status=status,
                title=info.name or info.id, d=_device_view(info, releases),
                config=central.show_config(info.id), keys=protocol.CONFIG_KEYS,
                allowed=_ALLOWED, commands=protocol.DEVICE_COMMANDS,
                sent=central.list_commands(info.id, limit=30), error=error, message=message)


@staff_only("fleet")
def device(request: HttpRequest, device_id: str) -> HttpResponse:
    return _device_page(request, device_id, message=request.GET.get("message"))


@staff_only("fleet", methods=("POST",))
def device_config(request: HttpRequest, device_id: str) -> HttpResponse:
    try:
        msg = _apply_config_form(_form(request), request.staff, device_id=device_id[:64])
    except CentralError as e:
        return _device_page(request, device_id, status=e.status, error=_(str(e)))
    return redirect(f"/admin/devices/{quote(device_id[:64])}?message={quote(msg)}")


def _config_page(request: HttpRequest, status: int = 200, error: str | None = None,
                 message: str | None = None) -> HttpResponse:
    return page(request, "admin_config.html", request.staff, status=status,
                title=_("Kiosk settings"), config=_central().show_config(),
                keys=protocol.CONFIG_KEYS, allowed=_ALLOWED, error=error, message=message)


@staff_only("fleet", methods=("GET", "HEAD", "POST"))
def config(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _config_page(request, message=request.GET.get("message"))
    form = _form(request)
    location = (form.get("location") or "").strip()
    try:
        if form.get("scope") == "location" and not location:
            raise CentralError(_("Give the location these settings are for."))
        msg = _apply_config_form(form, request.staff,
                                 location=location if form.get("scope") == "location" else None)
    except CentralError as e:
        return _config_page(request, status=e.status, error=_(str(e)))
    return redirect(f"/admin/config?message={quote(msg)}")


@staff_only("fleet", methods=("POST",))
def revoke(request: HttpRequest, device_id: str) -> HttpResponse:
    try:
        _central().revoke_device(device_id[:64])
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=e.status,
                    title=_("Not revoked"), message=_(str(e)))
    return redirect(f"/admin/devices?message={quote(_('Kiosk revoked.'))}")


@staff_only("fleet", methods=("POST",))
def command(request: HttpRequest, device_id: str) -> HttpResponse:
    form = _form(request)
    try:
        _central().queue_command(device_id[:64], form.get("name", ""),
                                 queued_by=request.staff.username)
    except CentralError as e:
        return page(request, "admin_error.html", request.staff, status=e.status,
                    title=_("Command not sent"), message=_(str(e)))
    msg = _("Command %(name)s queued; the kiosk runs it at its next heartbeat.") % {
        "name": form.get("name")}
    back = (f"/admin/devices/{quote(device_id[:64])}" if form.get("back") == "device"
            else "/admin/devices")
    return redirect(f"{back}?message={quote(msg)}")


urlpatterns = [
    path("admin", admin_root),
    path("admin/", dashboard),
    path("admin/login", login),
    path("admin/logout", logout),
    path("admin/language", language),
    path("admin/content", content_page),
    path("admin/content/publish", publish),
    path("admin/content/products/<str:product_id>", product),
    path("admin/submissions", submissions),
    path("admin/submissions/find", find_reference),
    path("admin/submissions/<str:sub_id>", submission),
    path("admin/submissions/<str:sub_id>/action", submission_action),
    path("admin/audit", audit_page),
    path("admin/polls", polls),
    path("admin/usage", usage_page),
    path("admin/votes", votes_page),
    path("admin/devices", devices),
    path("admin/devices/codes", new_code),
    path("admin/devices/<str:device_id>", device),
    path("admin/devices/<str:device_id>/config", device_config),
    path("admin/devices/<str:device_id>/revoke", revoke),
    path("admin/devices/<str:device_id>/command", command),
    path("admin/config", config),
]


# ---------------------------------------------------------------------------------------------
# Helpers


_PRODUCT_FIELDS = ("name_ar", "name_en", "description_ar", "description_en")
_ALLOWED = {k: protocol.config_allowed(k) for k in protocol.CONFIG_KEYS}


def _apply_config_form(form: dict[str, str], staff: Staff, device_id: str | None = None,
                       location: str | None = None) -> str:
    """One setting set or unset from a form; returns the sentence to show. The value is read
    as on the command line: JSON where it reads as JSON, else the text."""
    from central.device_config import parse_value

    central = _central()
    key = (form.get("key") or "").strip()[:64]
    where = (_("kiosk %(id)s") % {"id": device_id} if device_id else
             (_("location %(name)s") % {"name": location} if location else _("the fleet")))
    words = {"key": key, "where": where}
    if form.get("action") == "unset":
        removed = central.unset_config([key], device_id=device_id, location=location)
        return (_("%(key)s removed for %(where)s; the wider setting applies again.") % words
                if removed else _("%(key)s was not set for %(where)s.") % words)
    value = parse_value((form.get("value") or "")[:4000])
    central.set_config({key: value}, device_id=device_id, location=location, by=staff.username)
    return _("%(key)s set for %(where)s; kiosks receive it at their next heartbeat.") % words


def _name(rec: dict) -> str:
    from central.admin_i18n import current

    return rec["name"].get(current()) or rec["name"]["en"]


def _product_form_values(rec: dict) -> dict[str, str]:
    return {"name_ar": rec["name"]["ar"], "name_en": rec["name"]["en"],
            "description_ar": rec["description"]["ar"],
            "description_en": rec["description"]["en"]}


def _plain_error(text: str) -> str:
    """Turn 'product x.name.ar: missing translation' into words an editor knows."""
    return (text.replace(".name.ar", " " + _("Arabic name"))
            .replace(".name.en", " " + _("English name"))
            .replace(".description.ar", " " + _("Arabic description"))
            .replace(".description.en", " " + _("English description"))
            .replace("String should have at least 1 character", _("it must not be empty")))


def _safe_next(target: str) -> str:
    # Only paths inside the admin or the CMS: an open redirect would help phishing.
    if (target.startswith(("/admin", "/cms/")) and "//" not in target
            and "\\" not in target):
        return target[:200]
    return "/admin/"


def _draft_counts(central: Any) -> dict[str, int]:
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
