"""The CMS's own pages: "Publish to kiosks" (inside Wagtail's admin, so Wagtail checks the
sign-in and admin access first), the pictures' files for signed-in staff, and the sign-in
door (the staff admin's, with its lockout)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from central.errors import CentralError

PUBLISHERS = ("publisher", "admin")


def may_publish(user: Any) -> bool:
    from central.staff import role_of

    return bool(user.is_authenticated and user.is_active and role_of(user) in PUBLISHERS)


def forbidden(request: HttpRequest) -> HttpResponse:
    """403 with a sentence, in the CMS's frame (publisher or admin pages)."""
    from central.staff import role_of

    role = role_of(request.user) if request.user.is_authenticated else None
    return TemplateResponse(request, "cms/forbidden.html", {
        "page_title": _("Not allowed"), "role": role or ""}, status=403)


def publishers_only(view: Any) -> Any:
    """A page for publishers and admins: anyone else gets 403, checked on every request."""
    import functools

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_publish(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _muscat_now() -> str:
    from central.cms.publishing import muscat
    from central.db import utcnow

    return muscat(utcnow())


@require_http_methods(["GET", "HEAD", "POST"])
@publishers_only
def publish_to_kiosks(request: HttpRequest) -> HttpResponse:
    from central import feedback
    from central.cms import kiosk, publishing
    from central.web import site

    central = site()
    if request.method == "POST":
        try:
            rel = kiosk.publish(central, request.user.get_username(),
                                (request.POST.get("fingerprint") or "")[:64])
        except CentralError as e:
            messages.error(request, e.message)
            return redirect("cms_publish")
        feedback.audit(central, request.user.get_username(), publishing.PUBLISH,
                       f"version:{rel.version}",
                       f"version {rel.version} published ({rel.records} records)")
        messages.success(request, _("Version %(version)s is published: kiosks get it at their "
                                    "next check (%(records)s records, %(pictures)s pictures).")
                         % {"version": rel.version, "records": rel.records,
                            "pictures": rel.blobs})
        return redirect("cms_publish")
    p = kiosk.plan(central)
    return TemplateResponse(request, "cms/publish.html", {
        "plan": p, "diffs": [d for d in p.diffs], "releases": central.list_releases(limit=5),
        "pending": [_schedule_view(r) for r in publishing.pending(central)],
        "done": [_schedule_view(r) for r in publishing.recent(central, 5)],
        "now_muscat": _muscat_now(), "page_title": _("Publish to kiosks")})


def _schedule_view(row: Any) -> dict:
    from central.cms.publishing import muscat

    states = {"pending": _("waiting"), "running": _("publishing now"),
              "published": _("published"), "unchanged": _("nothing to publish"),
              "failed": _("failed"), "cancelled": _("cancelled")}
    return {"id": row.id, "due": muscat(row.due_at), "due_utc": row.due_at.strftime(
        "%Y-%m-%d %H:%M:%S"), "by": row.created_by, "note": row.note, "state": row.state,
        "state_label": states.get(row.state, row.state), "version": row.version,
        "result": row.result, "cancelled_by": row.cancelled_by}


@require_http_methods(["POST"])
@publishers_only
def schedule_publish(request: HttpRequest) -> HttpResponse:
    from central.cms import publishing
    from central.web import site

    try:
        due = publishing.parse_local_time(request.POST.get("due_at", ""))
        row = publishing.schedule(site(), due, request.user.get_username(),
                                  request.POST.get("note", ""))
    except CentralError as e:
        messages.error(request, e.message)
        return redirect("cms_publish")
    messages.success(request, _("Publishing to kiosks is scheduled for %(when)s (Muscat "
                                "time). What is approved then is published.")
                     % {"when": publishing.muscat(row.due_at)})
    return redirect("cms_publish")


@require_http_methods(["POST"])
@publishers_only
def cancel_schedule(request: HttpRequest, schedule_id: int) -> HttpResponse:
    from central.cms import publishing
    from central.web import site

    try:
        publishing.cancel(site(), schedule_id, request.user.get_username())
    except CentralError as e:
        messages.error(request, e.message)
        return redirect("cms_publish")
    messages.success(request, _("The scheduled publish is cancelled."))
    return redirect("cms_publish")


@require_http_methods(["GET", "HEAD", "POST"])
@publishers_only
def rollback(request: HttpRequest) -> HttpResponse:
    from central.cms import publishing
    from central.web import site

    central = site()
    if request.method == "POST":
        try:
            to = int((request.POST.get("version") or "")[:18])
        except ValueError:
            messages.error(request, _("Choose a version."))
            return redirect("cms_rollback")
        try:
            rel = publishing.rollback(central, to, request.user.get_username())
        except CentralError as e:
            messages.error(request, e.message)
            return redirect("cms_rollback")
        messages.success(request, _("Version %(new)s is published with the content of version "
                                    "%(old)s: kiosks get it at their next check.")
                         % {"new": rel.version, "old": to})
        return redirect("cms_rollback")
    releases = central.list_releases(limit=50)
    by = {v: b for v, b in _published_by(central, [r.version for r in releases]).items()}
    return TemplateResponse(request, "cms/rollback.html", {
        "releases": [{"info": r, "by": by.get(r.version) or "",
                      "created": publishing.muscat(r.created_at)} for r in releases],
        "live": releases[0].version if releases else None,
        "page_title": _("Roll back kiosks to an earlier version")})


def _published_by(central: Any, versions: list[int]) -> dict[int, str]:
    from central.orm import Release

    return dict(central.q(Release).filter(version__in=versions)
                .values_list("version", "published_by"))


IMPORT_SESSION_KEY = "cms_product_import"


@require_http_methods(["GET", "HEAD", "POST"])
@publishers_only
def product_import(request: HttpRequest) -> HttpResponse:
    from central import feedback
    from central.cms import publishing, spreadsheet
    from central.web import site

    ctx: dict[str, Any] = {"page_title": _("Import products"), "columns": spreadsheet.COLUMNS,
                           "max_bytes": spreadsheet.MAX_UPLOAD_BYTES,
                           "max_rows": spreadsheet.MAX_ROWS}
    if request.method == "POST" and request.POST.get("step") == "apply":
        saved = request.session.get(IMPORT_SESSION_KEY) or {}
        digest = (request.POST.get("digest") or "")[:64]
        if not saved or saved.get("digest") != digest:
            messages.error(request, _("Upload the file again: this check is out of date."))
            return redirect("cms_import")
        report = spreadsheet.apply(saved["rows"], request.user)
        report.name, report.digest = saved["name"], digest
        if report.applied:
            del request.session[IMPORT_SESSION_KEY]
            feedback.audit(site(), request.user.get_username(), publishing.IMPORT, "products",
                           f"{saved['name']}: {report.count('create')} new, "
                           f"{report.count('update')} changed, "
                           f"{report.count('unchanged')} unchanged (drafts)")
        ctx.update(report=report, stage="applied" if report.applied else "checked",
                   counts={a: report.count(a) for a in ("create", "update", "unchanged")})
        return TemplateResponse(request, "cms/import.html", ctx,
                                status=200 if report.applied else 422)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
            return redirect("cms_import")
        if upload.size > spreadsheet.MAX_UPLOAD_BYTES:
            ctx["too_big"] = _("The file is %(n)s bytes; at most %(max)s bytes are accepted.") % {
                "n": upload.size, "max": spreadsheet.MAX_UPLOAD_BYTES}
            return TemplateResponse(request, "cms/import.html", ctx, status=413)
        data = upload.read(spreadsheet.MAX_UPLOAD_BYTES + 1)
        report, rows = spreadsheet.check(data, upload.name or "")
        if report.ok:
            request.session[IMPORT_SESSION_KEY] = {"digest": report.digest, "rows": rows,
                                                   "name": report.name}
        ctx.update(report=report, stage="checked")
        return TemplateResponse(request, "cms/import.html", ctx,
                                status=200 if report.ok else 422)
    return TemplateResponse(request, "cms/import.html", ctx)


@require_http_methods(["GET", "HEAD"])
@publishers_only
def product_export(request: HttpRequest, fmt: str) -> HttpResponse:
    from central import feedback
    from central.cms import publishing, spreadsheet
    from central.web import site

    if fmt == "xlsx":
        body, ctype = spreadsheet.export_xlsx(), spreadsheet.XLSX_TYPE
    else:
        body, ctype = spreadsheet.export_csv(), "text/csv; charset=utf-8"
    feedback.audit(site(), request.user.get_username(), publishing.EXPORT, "products",
                   f"all products as {fmt.upper()}")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="products.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
@publishers_only
def audit_log(request: HttpRequest) -> HttpResponse:
    from central.cms import publishing
    from central.web import site

    labels = {
        publishing.PUBLISH: _("published to kiosks"),
        publishing.SCHEDULE: _("scheduled a publish"),
        publishing.UNSCHEDULE: _("cancelled a scheduled publish"),
        publishing.SCHEDULED_PUBLISH: _("scheduled publish ran"),
        publishing.SCHEDULE_FAILED: _("scheduled publish failed"),
        publishing.ROLLBACK: _("rolled back"),
        publishing.IMPORT: _("imported products"),
        publishing.EXPORT: _("exported products"),
        "wagtail.create": _("created"), "wagtail.edit": _("changed (draft saved)"),
        "wagtail.publish": _("published in the CMS (approved)"),
        "wagtail.unpublish": _("unpublished"), "wagtail.delete": _("deleted"),
        "wagtail.revert": _("reverted to an earlier revision"),
        "wagtail.workflow.start": _("submitted for approval"),
        "wagtail.workflow.approve": _("approved"),
        "wagtail.workflow.reject": _("sent back for changes"),
        "wagtail.workflow.resume": _("resubmitted for approval"),
        "wagtail.workflow.cancel": _("withdrew from approval"),
        "wagtail.publish.schedule": _("set to go live later"),
        "wagtail.publish.scheduled": _("went live at its scheduled time"),
        "wagtail.unpublish.scheduled": _("expired at its scheduled time"),
        "wagtail.schedule.cancel": _("cancelled going live later"),
    }
    entries = [{**e, "when": publishing.muscat(e["at"]),
                "label": labels.get(e["action"], e["action"])}
               for e in publishing.content_history(site(), limit=300)]
    return TemplateResponse(request, "cms/audit.html", {
        "entries": entries, "page_title": _("Content audit log")})


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded pictures and their renditions (MEDIA_ROOT), for signed-in CMS staff only."""
    from django.conf import settings
    from django.views.static import serve

    user = request.user
    if not (user.is_authenticated and user.has_perm("wagtailadmin.access_admin")):
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sign_captions(request: HttpRequest, clip_id: int, lang: str) -> HttpResponse:
    """A sign-language clip's captions as a WebVTT track, for the CMS preview's <video>;
    signed-in CMS staff only."""
    from central.cms.videos import KioskSignVideo

    user = request.user
    if not (user.is_authenticated and user.has_perm("wagtailadmin.access_admin")):
        raise Http404
    clip = KioskSignVideo.objects.filter(pk=clip_id).first()
    if clip is None:
        raise Http404
    response = HttpResponse(clip.webvtt(lang), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def static(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's admin CSS, JS and fonts from the installed apps (no collectstatic step)."""
    from django.contrib.staticfiles.views import serve

    response = serve(request, path, insecure=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def login(request: HttpRequest) -> HttpResponse:
    """One sign-in door for /admin and /cms: the staff admin's (CSRF, lockout, one hash at a
    time), which sends the person back here afterwards."""
    nxt = request.GET.get("next") or "/cms/"
    if not nxt.startswith("/cms/") or "//" in nxt or "\\" in nxt:
        nxt = "/cms/"
    return HttpResponseRedirect(f"/admin/login?next={quote(nxt)}", status=303)
