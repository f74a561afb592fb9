"""Following a submission up by its reference: what a visitor may learn (the state of the item
and staff's reply, nothing else: never the message, the kiosk, the dates or contact details),
the rate limits that keep references from being guessed, and the public page in both languages.

Two ways in, one lookup (``Central.follow_up``):

- ``GET /follow-up/{reference}`` (and ``GET /follow-up?reference=...``, a form for typing one):
  the public HTML page the thanks screen's QR code opens on a phone; limited per client
  address (``client_address``: behind a trusted proxy, the address it forwarded).
- ``GET /api/v1/follow-up/{reference}``: JSON (``protocol.FollowUpAnswer``) for the kiosk's
  Follow up screen, with the device token; limited per kiosk, whose visitors share it.

Only feedback, accessibility reports and requests for open data (``POST /open-data/requests``)
can be followed up (surveys and votes have references too, but nobody answers them): any other item is "not found", exactly like a reference nobody
was given. A hidden (moderated) item still shows its state and reply to whoever holds its
reference: hiding keeps the visitor's words out of public use, and they are never shown here.

Rate limits are counted in memory, per server process (``serve --workers 4``: each worker
counts on its own). A reference is 11 random digits and a check digit: a guess with the right
check digit finds one of N stored items with a chance of N in 10^11, so a guesser needs about
10^11 / N guesses; at 10 unknown references an hour per address (per kiosk for the JSON), that
is about 11 years per address with 100,000 items stored."""

from __future__ import annotations

import html
import ipaddress
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from central import reference, web
from central.errors import CentralError, NotFound
from central.orm import AuditEntry, Submission
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

FOLLOW_UP_TYPES = ("feedback", "accessibility", "data_request")

# (most lookups, in seconds) per key; a lookup over any of them is refused with 429.
ADDRESS_LIMITS = ((10, 60.0), (60, 3600.0))
DEVICE_LIMITS = ((30, 60.0), (300, 3600.0))
# References that find nothing (a guess looks like that) are counted apart, and run out sooner.
MISS_LIMITS = ((10, 3600.0),)
MAX_KEYS = 50_000  # addresses remembered per limiter; the longest unseen are forgotten first


class TooMany(CentralError):
    def __init__(self, retry_after: int):
        super().__init__("Too many look-ups from here. Wait a few minutes, then try again.",
                         status=429, detail={"retry_after": retry_after})
        self.retry_after = retry_after


class RateLimiter:
    """Sliding windows per key: ``hit(key)`` counts one and raises TooMany when a window is
    full; ``full(key)`` only asks. Thread-safe (the API's views run on a pool of threads)."""

    def __init__(self, limits: tuple[tuple[int, float], ...],
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.limits = limits
        self.clock = clock
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._longest = max(w for _n, w in limits)

    def _times(self, key: str, now: float) -> deque[float]:
        times = self._seen.get(key)
        if times is None:
            times = self._seen[key] = deque()
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(key)
        while times and times[0] <= now - self._longest:
            times.popleft()
        return times

    def _wait(self, times: deque[float], now: float) -> int | None:
        for most, window in self.limits:
            recent = [t for t in times if t > now - window]
            if len(recent) >= most:
                return max(1, int(recent[-most] + window - now) + 1)
        return None

    def full(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            wait = self._wait(self._times(key, now), now)
        if wait is not None:
            raise TooMany(wait)

    def hit(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            times = self._times(key, now)
            wait = self._wait(times, now)
            if wait is None:
                times.append(now)
        if wait is not None:
            raise TooMany(wait)


class Limits:
    """The limiters of one server process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.address = RateLimiter(ADDRESS_LIMITS, clock)
        self.device = RateLimiter(DEVICE_LIMITS, clock)
        self.misses = RateLimiter(MISS_LIMITS, clock)


_TRUSTED = web.trusted_proxies()


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """Whom to count: the peer, or behind a trusted proxy the nearest forwarded hop that is not
    one (as central.web.TrustedProxyMiddleware does for the admin). IPv6 by its /64, which one
    household or phone usually has whole."""
    who = peer or "unknown"
    if who in _TRUSTED and forwarded_for:
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            if hop not in _TRUSTED:
                who = hop
                break
    try:
        ip = ipaddress.ip_address(who)
    except ValueError:
        return who[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def follow_up(central: Central, text: str, *, address: str | None = None,
              device_id: str | None = None) -> protocol.FollowUpAnswer:
    """The state and reply of the item with reference ``text``, counted against ``address``
    (the public page) or ``device_id`` (a kiosk). Raises TooMany (429), CentralError 422 (not a
    reference, or one with a typing mistake) or NotFound (404)."""
    limits: Limits = central.follow_up_limits
    key = f"device:{device_id}" if device_id else f"address:{address or 'unknown'}"
    limits.misses.full(key)
    (limits.device if device_id else limits.address).hit(key)
    verdict = reference.check(text)
    if verdict == "malformed":
        raise CentralError("A reference is 12 digits, like 4821-0937-5526.", status=422,
                           detail={"reason": "malformed"})
    if verdict == "mistyped":
        raise CentralError("This reference has a typing mistake (its last digit does not "
                           "match). Check each digit again.", status=422,
                           detail={"reason": "mistyped"})
    digits = reference.normalise(text)
    row = (central.q(Submission).filter(reference=digits, type__in=FOLLOW_UP_TYPES)
           .values_list("id", "status", "reply_text").first())
    if row is not None and central.q(AuditEntry).filter(
            target=f"submission:{row[0]}", action="reference_clash").exists():
        row = None  # two visitors were given this reference: it shows neither's reply
    if row is None:
        try:
            limits.misses.hit(key)
        except TooMany:
            pass  # this miss fills the window: the next look-up is refused
        raise NotFound("No message has this reference. Check each digit again.")
    _id, status, reply = row
    if status not in protocol.FOLLOW_UP_STATES:
        status = "in_progress"
    return protocol.FollowUpAnswer(reference=reference.shown(digits), status=status,
                                   reply=(reply or None) if status in ("answered", "closed")
                                   else None)


# ---------------------------------------------------------------------------------------------
# The public page, in both languages

STATUS_TEXT = {
    "new": {"en": "Received. The portal team has not started on it yet.",
            "ar": "استُلمت. لم يبدأ فريق البوابة العمل عليها بعد."},
    "in_progress": {"en": "The portal team is working on it.",
                    "ar": "يعمل فريق البوابة عليها."},
    "answered": {"en": "Answered.", "ar": "تم الرد."},
    "closed": {"en": "Closed.", "ar": "أُغلقت."},
}
WORDS = {
    "title": {"en": "Follow up your message", "ar": "متابعة رسالتك"},
    "reference": {"en": "Reference", "ar": "الرقم المرجعي"},
    "status": {"en": "Status", "ar": "الحالة"},
    "reply": {"en": "The portal team's reply", "ar": "رد فريق البوابة"},
    "no_reply": {"en": "There is no reply yet.", "ar": "لا يوجد رد بعد."},
    "ask": {"en": "Type the reference you were given (12 digits).",
            "ar": "اكتب الرقم المرجعي الذي حصلت عليه (12 رقماً)."},
    "find": {"en": "Find", "ar": "ابحث"},
    "malformed": {"en": "A reference is 12 digits, like 4821-0937-5526.",
                  "ar": "الرقم المرجعي 12 رقماً، مثل 4821-0937-5526."},
    "mistyped": {"en": "This reference has a typing mistake. Check each digit again.",
                 "ar": "في هذا الرقم المرجعي خطأ في الكتابة. تحقق من كل رقم مرة أخرى."},
    "not_found": {"en": "No message has this reference. Check each digit again.",
                  "ar": "لا توجد رسالة بهذا الرقم المرجعي. تحقق من كل رقم مرة أخرى."},
    "too_many": {"en": "Too many look-ups from here. Wait a few minutes, then try again.",
                 "ar": "عمليات بحث كثيرة من هنا. انتظر بضع دقائق ثم حاول مرة أخرى."},
    "privacy": {"en": "This page shows only the state of your message and the reply. It never "
                      "shows your message or your contact details.",
                "ar": "تعرض هذه الصفحة حالة رسالتك والرد عليها فقط، ولا تعرض رسالتك أو "
                      "بيانات التواصل معك أبداً."},
}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the address holds the reference
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def _section(lang: str, answer: protocol.FollowUpAnswer | None, problem: str | None,
             typed: str) -> str:
    e = html.escape
    direction = "rtl" if lang == "ar" else "ltr"
    parts = [f'<section lang="{lang}" dir="{direction}">',
             f"<h1>{e(WORDS['title'][lang])}</h1>"]
    if answer is not None:
        parts += [f"<p><strong>{e(WORDS['reference'][lang])}:</strong> "
                  f'<bdi dir="ltr">{e(answer.reference)}</bdi></p>',
                  f"<p><strong>{e(WORDS['status'][lang])}:</strong> "
                  f"{e(STATUS_TEXT[answer.status][lang])}</p>"]
        if answer.reply:
            parts += [f"<h2>{e(WORDS['reply'][lang])}</h2>",
                      f'<p class="reply" dir="auto">{e(answer.reply)}</p>']
        else:
            parts.append(f"<p>{e(WORDS['no_reply'][lang])}</p>")
    if problem is not None:
        parts.append(f'<p class="problem" role="alert">{e(WORDS[problem][lang])}</p>')
    if answer is None:
        parts.append(
            f'<form method="get" action="/follow-up"><label>{e(WORDS["ask"][lang])} '
            f'<input name="reference" inputmode="numeric" autocomplete="off" maxlength="20" '
            f'dir="ltr" value="{e(typed[:20])}"></label> '
            f'<button type="submit">{e(WORDS["find"][lang])}</button></form>')
    parts.append(f"<p><small>{e(WORDS['privacy'][lang])}</small></p></section>")
    return "".join(parts)


def render_page(answer: protocol.FollowUpAnswer | None, problem: str | None = None,
                typed: str = "") -> str:
    """The page: Arabic first, then English; every value escaped. ``problem`` is a key of
    WORDS (malformed, mistyped, not_found, too_many) or None."""
    body = "<hr>".join(_section(lang, answer, problem, typed) for lang in ("ar", "en"))
    return ("<!DOCTYPE html>\n"
            '<html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(WORDS['title']['ar'])} | "
            f"{html.escape(WORDS['title']['en'])}</title>"
            "<style>body{font-family:sans-serif;font-size:1.2rem;line-height:1.6;max-width:40rem;"
            "margin:1rem auto;padding:0 1rem;color:#111;background:#fff}"
            ".problem{font-weight:bold;border:3px solid #111;padding:.5rem}"
            ".reply{white-space:pre-wrap;border-inline-start:4px solid #111;padding-inline-start:"
            ".75rem}input,button{font-size:1.2rem;min-height:2.75rem}"
            "button{min-width:6rem}</style></head><body>"
            f"{body}</body></html>")


def page_for(central: Central, text: str | None, address: str) -> tuple[int, str, dict]:
    """(status code, HTML, extra headers) for the public page; ``text`` None shows the form."""
    if text is None or not text.strip():
        return 200, render_page(None), {}
    typed = text[:64]
    try:
        answer = follow_up(central, typed, address=address)
    except TooMany as e:
        return 429, render_page(None, "too_many"), {"Retry-After": str(e.retry_after)}
    except NotFound:
        return 404, render_page(None, "not_found", typed), {}
    except CentralError as e:
        reason = (e.detail or {}).get("reason", "malformed") if isinstance(e.detail, dict) \
            else "malformed"
        return 422, render_page(None, reason, typed), {}
    return 200, render_page(answer), {}
