"""The CMS's own pages: "Publish to kiosks" (inside Wagtail's admin, so Wagtail checks the
sign-in and admin access first), the pictures' files for signed-in staff, and the sign-in
door (the staff admin's, with its lockout)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
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


@require_http_methods(["GET", "HEAD", "POST"])
def publish_to_kiosks(request: HttpRequest) -> HttpResponse:
    from central.cms import kiosk
    from central.web import site

    if not may_publish(request.user):
        raise PermissionDenied  # Wagtail's admin answers with its "no permission" message
    central = site()
    if request.method == "POST":
        try:
            rel = kiosk.publish(central, request.user.get_username(),
                                (request.POST.get("fingerprint") or "")[:64])
        except CentralError as e:
            messages.error(request, e.message)
            return redirect("cms_publish")
        messages.success(request, _("Version %(version)s is published: kiosks get it at their "
                                    "next check (%(records)s records, %(pictures)s pictures).")
                         % {"version": rel.version, "records": rel.records,
                            "pictures": rel.blobs})
        return redirect("cms_publish")
    p = kiosk.plan(central)
    return TemplateResponse(request, "cms/publish.html", {
        "plan": p, "diffs": [d for d in p.diffs], "releases": central.list_releases(limit=5),
        "page_title": _("Publish to kiosks")})


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
