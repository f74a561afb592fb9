"""The kiosk's one HTTP client for central: every call has a timeout, TLS is verified, and every
failure becomes a CentralError whose message a technician can act on."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from kiosk import protocol

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30


class CentralError(Exception):
    """Talking to central failed. ``retry_after`` is set when central asked us to wait;
    ``transient`` says whether trying again later may help; ``link`` says how the network
    failed when central was not reached at all ("dns", "tls", "unreachable", "timeout")."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = True,
                 retry_after: float | None = None, link: str | None = None):
        super().__init__(message)
        self.status = status
        self.transient = transient
        self.retry_after = retry_after
        self.link = link


def check_api_url(api: str) -> str:
    """Central's base URL: https, or plain http only to this machine (for tests and a local
    central). Returns it without a trailing slash."""
    parts = urlsplit(api)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CentralError(f"{api!r} is not a web address; give central's URL, e.g. "
                           "https://central.example.om", transient=False)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise CentralError("central must be reached over https (plain http is only allowed to "
                           "this machine)", transient=False)
    return api.rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class CentralClient:
    def __init__(self, api: str, token: str | None = None,
                 session: requests.Session | None = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)):
        self.api = check_api_url(api)
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = True

    # -- plumbing ------------------------------------------------------------------------------

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"User-Agent": "made-in-oman-kiosk"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if extra:
            h.update(extra)
        return h

    def request(self, method: str, path: str, *, json_body: Any = None,
                headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200,),
                stream: bool = False) -> requests.Response:
        url = self.api + path
        try:
            r = self.session.request(method, url, json=json_body, headers=self._headers(headers),
                                     timeout=self.timeout, stream=stream)
        except requests.exceptions.SSLError as e:
            raise CentralError(f"central's TLS certificate was not accepted ({_short(e)}); check "
                               "the address and the kiosk's clock", link="tls") from None
        except requests.exceptions.ConnectionError as e:
            text = str(e)
            if "Name or service not known" in text or "NameResolutionError" in text:
                raise CentralError(f"central's name {urlsplit(url).hostname!r} could not be "
                                   "resolved; check the network's DNS", link="dns") from None
            raise CentralError(f"central at {self.api} could not be reached; check the network "
                               "cable or Wi-Fi", link="unreachable") from None
        except requests.exceptions.Timeout:
            raise CentralError(f"central at {self.api} did not answer in time",
                               link="timeout") from None
        except requests.exceptions.RequestException as e:
            raise CentralError(f"talking to central failed: {_short(e)}") from None
        if r.status_code in ok:
            return r
        raise self._error(r)

    def _error(self, r: requests.Response) -> CentralError:
        try:
            detail = r.json().get("error") or r.reason
        except ValueError:
            detail = r.reason
        retry_after = None
        if "Retry-After" in r.headers:
            try:
                retry_after = float(r.headers["Retry-After"])
            except ValueError:
                retry_after = None
        if r.status_code == 401:
            return CentralError("central refused this kiosk's credentials (revoked or "
                                "unknown); provision it again with 'kiosk provision'",
                                status=401, transient=False)
        transient = r.status_code >= 500 or r.status_code in (408, 425, 429)
        return CentralError(f"central answered {r.status_code}: {detail}", status=r.status_code,
                            transient=transient, retry_after=retry_after)

    def reachable(self, timeout: float = 3.0) -> bool:
        """A cheap check that central's port answers at all (no request, no credentials): used
        to notice that the network is back while backing off."""
        parts = urlsplit(self.api)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname, port), timeout=timeout):
                return True
        except OSError:
            return False

    # -- calls ---------------------------------------------------------------------------------

    def enroll(self, code: str, name: str | None, location: str | None,
               app_version: str) -> protocol.EnrollResponse:
        req = protocol.EnrollRequest(code=code, name=name, location=location,
                                     app_version=app_version)
        r = self.request("POST", "/api/v1/enroll", json_body=req.model_dump(exclude_none=True))
        try:
            return protocol.EnrollResponse.model_validate(r.json())
        except ValueError as e:
            raise CentralError(f"central's enrolment answer is not valid: {_short(e)}",
                               transient=False) from None

    def manifest(self, etag: str | None) -> Response:
        """The signed manifest; status 304 (empty body) when ``etag`` is still current."""
        headers = {"If-None-Match": etag} if etag else None
        r = self.request("GET", "/api/v1/manifest", headers=headers, ok=(200, 304))
        body = r.content if r.status_code == 200 else b""
        if len(body) > protocol.MAX_MANIFEST_BYTES:
            raise CentralError("central's manifest is over its size limit", transient=False)
        return Response(r.status_code, dict(r.headers), body)

    def blob_chunks(self, sha256: str, start: int = 0,
                    chunk: int = 64 * 1024) -> tuple[int, Iterator[bytes]]:
        """Stream one blob from ``start`` (a resumed download asks for the rest with Range).
        Returns (offset the body starts at, chunks)."""
        headers = {"Range": f"bytes={start}-"} if start else None
        r = self.request("GET", f"/api/v1/blobs/{sha256}", headers=headers, ok=(200, 206),
                         stream=True)
        offset = start if r.status_code == 206 else 0
        return offset, _guarded(r.iter_content(chunk))

    def blob(self, sha256: str, limit: int) -> bytes:
        r = self.request("GET", f"/api/v1/blobs/{sha256}", stream=True)
        data = bytearray()
        for c in _guarded(r.iter_content(64 * 1024)):
            data += c
            if len(data) > limit:
                r.close()
                raise CentralError(f"blob {sha256[:12]} is larger than its limit",
                                   transient=False)
        return bytes(data)

    def records(self, hashes: list[str]) -> dict[str, Any]:
        r = self.request("POST", "/api/v1/records", json_body={"hashes": hashes})
        try:
            return r.json()["records"]
        except (ValueError, KeyError, TypeError):
            raise CentralError("central's records answer is not valid") from None

    def submit(self, items: list[dict]) -> list[protocol.SubmissionResult]:
        r = self.request("POST", "/api/v1/submissions", json_body={"items": items},
                         headers={protocol.RECEIPT_FIELDS_HEADER: "reference"})
        try:
            return [protocol.SubmissionResult.model_validate(x) for x in r.json()["results"]]
        except (ValueError, KeyError, TypeError):
            raise CentralError("central's answer to the upload is not valid") from None

    def poll_results(self, poll_id: str) -> dict[str, Any]:
        """Public vote counts for a poll: ``{"options": [{"id", "votes"}, ...],
        "total_votes", ...}`` as GET /api/v1/polls/{id}/results answers."""
        r = self.request("GET", f"/api/v1/polls/{quote(poll_id, safe='')}/results")
        try:
            body = r.json()
            counts = {str(o["id"]): int(o["votes"]) for o in body["options"]}
            return {**body, "counts": counts, "total_votes": int(body["total_votes"])}
        except (ValueError, KeyError, TypeError):
            raise CentralError("central's poll results are not valid") from None

    def follow_up(self, reference: str) -> protocol.FollowUpAnswer:
        """The state and staff's reply of the item with this reference (12 digits, as typed).
        404: no such item; 422: not a reference (``detail.reason``); 429: too many look-ups."""
        r = self.request("GET", f"/api/v1/follow-up/{quote(reference, safe='')}")
        try:
            return protocol.FollowUpAnswer.model_validate(r.json())
        except ValueError:
            raise CentralError("central's follow-up answer is not valid") from None

    def heartbeat(self, hb: protocol.Heartbeat) -> protocol.HeartbeatReply:
        r = self.request("POST", "/api/v1/heartbeat", json_body=hb.model_dump(mode="json"))
        try:
            return protocol.HeartbeatReply.model_validate(r.json())
        except ValueError:
            raise CentralError("central's heartbeat answer is not valid") from None


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A body read in pieces can still fail half way: say so in words, not as a socket error."""
    try:
        yield from chunks
    except requests.exceptions.RequestException as e:
        raise CentralError(f"the download from central was cut off ({_short(e)}); it resumes "
                           "at the next sync") from None


def _short(e: Exception) -> str:
    text = str(e)
    return text if len(text) < 160 else text[:157] + "..."


# ---------------------------------------------------------------------------------------------
# A content mirror: a static copy of central's releases (central/release_files.py's layout)


class MirrorError(Exception):
    """A content mirror could not be used; the message names the mirror, the file and why,
    in words a technician can act on. The kiosk then asks central."""


class MirrorClient:
    """The pieces central's API serves, fetched as plain files under a mirror's base address:
    BASE/manifest.json, BASE/index/<sha256>, BASE/deltas/<sha256>, BASE/records/<sha256>,
    BASE/blobs/<sha256>. Only GETs, and no device token: the mirror is public and need not be
    trusted (the kiosk checks every byte against the pinned signature)."""

    mirror = True  # offline_cache.sync.ReleaseSource

    def __init__(self, base: str, session: requests.Session | None = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)):
        try:
            self.base = protocol.check_mirror_url(base)
        except ValueError as e:
            raise MirrorError(f"its address {base!r} is not usable: {e}") from None
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = True

    def _get(self, path: str, what: str, *, headers: dict[str, str] | None = None,
             ok: tuple[int, ...] = (200,), stream: bool = False) -> requests.Response:
        """GET BASE/path. Errors say what went wrong from the mirror's side ("it has no
        ..."); the caller names the mirror."""
        url = f"{self.base}/{path}"
        shown = path if len(path) < 40 else path[:path.index("/") + 13] + "..."
        try:
            r = self.session.get(url, headers={"User-Agent": "made-in-oman-kiosk",
                                               **(headers or {})},
                                 timeout=self.timeout, stream=stream, allow_redirects=True)
        except requests.exceptions.SSLError as e:
            raise MirrorError(f"its TLS certificate was not accepted ({_short(e)}); check the "
                              "address and the kiosk's clock") from None
        except requests.exceptions.ConnectionError:
            raise MirrorError("it could not be reached; check content_mirror in the device "
                              "config and the network") from None
        except requests.exceptions.Timeout:
            raise MirrorError("it did not answer in time") from None
        except requests.exceptions.RequestException as e:
            raise MirrorError(_short(e)) from None
        if r.status_code in ok:
            return r
        r.close()
        if r.status_code == 404:
            raise MirrorError(f"it has no {what} ({shown} answered 404: a missing file); copy "
                              "the whole release to it again")
        raise MirrorError(f"it answered {r.status_code} for {shown}")

    def _read(self, path: str, what: str, limit: int) -> bytes:
        r = self._get(path, what, stream=True)
        data = bytearray()
        for c in _mirror_guarded(r.iter_content(64 * 1024)):
            data += c
            if len(data) > limit:
                r.close()
                raise MirrorError(f"it sent more than the {limit} bytes {what} may have")
        return bytes(data)

    def manifest(self, etag: str | None) -> Response:
        headers = {"If-None-Match": etag} if etag else None
        r = self._get("manifest.json", "manifest", headers=headers, ok=(200, 304))
        body = self._read_all(r) if r.status_code == 200 else b""
        return Response(r.status_code, dict(r.headers), body)

    def _read_all(self, r: requests.Response) -> bytes:
        body = r.content
        if len(body) > protocol.MAX_MANIFEST_BYTES:
            raise MirrorError("it serves a manifest over its size limit")
        return body

    def index(self, sha256: str, limit: int) -> bytes:
        return self._read(f"index/{sha256}", "index of this version", limit)

    def delta(self, sha256: str, limit: int) -> bytes:
        return self._read(f"deltas/{sha256}", "index delta", limit)

    def records(self, hashes: list[str]) -> dict[str, bytes]:
        """Each record's bytes as stored (canonical JSON); the caller checks their hashes."""
        return {sha: self._read(f"records/{sha}", f"record {sha[:12]}",
                                protocol.MAX_RECORD_BYTES) for sha in hashes}

    def blob_chunks(self, sha256: str, start: int = 0,
                    chunk: int = 64 * 1024) -> tuple[int, Iterator[bytes]]:
        headers = {"Range": f"bytes={start}-"} if start else None
        r = self._get(f"blobs/{sha256}", f"image {sha256[:12]}", headers=headers,
                      ok=(200, 206), stream=True)
        offset = start if r.status_code == 206 else 0
        return offset, _mirror_guarded(r.iter_content(chunk))


def _mirror_guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except requests.exceptions.RequestException as e:
        raise MirrorError(f"the download from it was cut off ({_short(e)})") from None
