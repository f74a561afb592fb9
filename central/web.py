"""The staff admin's place in the server: the Django ASGI handler answering /admin and /cms
inside central's ASGI stack (central.asgi, behind the body size limit, beside the device API's
handler), which site both serve (``site()``), and the middleware that decides whom to believe
about client addresses and TLS.

Trusted proxies: $CENTRAL_TRUSTED_PROXIES is a comma-separated list of addresses (a TLS proxy
on the same host: 127.0.0.1). Only a request from one of them may say, in X-Forwarded-For and
X-Forwarded-Proto, who the client is and that it came over https; from anyone else those headers
are dropped. So lockouts count the real client, and cookies are Secure and HSTS is sent exactly
when the visitor's connection was TLS."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from typing import Any

_site: Any = None
_django_app: Any = None

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def trusted_proxies() -> frozenset[str]:
    raw = os.environ.get("CENTRAL_TRUSTED_PROXIES", "")
    out = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.add(str(ipaddress.ip_address(part)))
        except ValueError:
            from central.errors import CentralError

            raise CentralError(f"CENTRAL_TRUSTED_PROXIES: {part!r} is not an IP address; give "
                               "addresses separated by commas, e.g. 127.0.0.1") from None
    return frozenset(out)


_TRUSTED = trusted_proxies()


def install(central: Any) -> Any:
    """Serve ``central``'s staff admin; returns the Django ASGI app. The web secret (sessions,
    CSRF) is kept in keys/ so sessions survive a restart and are shared by --workers."""
    global _site, _django_app
    from django.conf import settings

    from central.keys import _load_or_create

    _site = central
    settings.SECRET_KEY = _load_or_create(central.settings.key_dir / "web-secret.key").hex()
    from central import admin_i18n

    admin_i18n.install(central.settings.home)
    if _django_app is None:
        from django.core.handlers.asgi import ASGIHandler

        _django_app = ASGIHandler()
    return _django_app


def site() -> Any:
    if _site is None:
        raise RuntimeError("the staff admin is not installed (central.web.install)")
    return _site


def client_ip(request: Any) -> str:
    """The client's address (django-axes counts failures per this and the user name)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if peer in _TRUSTED:
            hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")
                    if h.strip()]
            # The nearest hop that is not one of our proxies is the client.
            for hop in reversed(hops):
                if hop not in _TRUSTED:
                    try:
                        meta["REMOTE_ADDR"] = str(ipaddress.ip_address(hop))
                    except ValueError:
                        pass
                    break
        else:
            for name in FORWARDED:
                meta.pop(name, None)
        return self.get_response(request)


class SecureCookiesMiddleware:
    """Cookies set on a request that came over TLS are Secure (a cookie set over plain HTTP
    can not be: the browser would drop it)."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class CsrfFieldMiddleware:
    """The admin's forms send their CSRF token as the field "csrf"; Django looks for it under
    its own name or in a header, so it is handed over as the header."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method == "POST" and "HTTP_X_CSRFTOKEN" not in request.META:
            token = request.POST.get("csrf")
            if isinstance(token, str) and token:
                request.META["HTTP_X_CSRFTOKEN"] = token[:200]
        return self.get_response(request)
