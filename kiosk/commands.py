"""Technicians' commands for the kiosk's identity, content and outbox: provision, sync, status,
outbox flush, outbox test-submission, rollback."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from kiosk.central_client import CentralError
from kiosk.device import KioskDevice
from kiosk.errors import CommandError


def _device() -> KioskDevice:
    return KioskDevice()


def _progress(msg: str) -> None:
    print(f"sync: {msg}", file=sys.stderr, flush=True)


def cmd_provision(args: argparse.Namespace) -> int:
    dev = _device()
    try:
        creds = dev.provision(args.api, args.code, args.name, args.location, pin=args.pin)
    except CentralError as e:
        raise CommandError(f"provisioning failed: {e}") from None
    finally:
        dev.close()
    print(f"Provisioned as {creds.device_id} with {creds.api}; content key "
          f"{creds.content_key_id} pinned. Run 'kiosk sync' to fetch content.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    dev = _device()
    try:
        result = dev.sync(progress=_progress)
    finally:
        dev.close()
    _progress(f"{result.message} ({result.requests} requests, {result.bytes_received:,} bytes)")
    if result.outcome == "failed":
        raise CommandError(f"sync failed: {result.message}; the content already on the kiosk stays "
                           "on screen")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    dev = _device()
    try:
        dev.ensure_content()
        st = dev.status()
        st["speech"] = _speech_status(dev.paths.home)
    finally:
        dev.close()
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
        return 0
    print(f"device:   {st['device_id'] or 'not provisioned'}")
    print(f"content:  version {st['content_version']} from {st['content_source']}"
          f"{' (STALE)' if st['stale'] else ''}")
    print(f"synced:   {st['last_sync_at'] or 'never'}")
    if st["last_sync_error"]:
        print(f"problem:  {st['last_sync_error']}")
    ob = st["outbox"]
    print(f"outbox:   {ob['pending']} waiting, {ob['dead']} rejected"
          + (f", oldest {ob['oldest_age_s']} s" if ob["oldest_age_s"] is not None else ""))
    sp = st["speech"]
    print(f"speech:   {sp['message']}")
    cf = st["config"]
    print(f"config:   version {cf['version']} from {cf['source']}"
          + (f", applied {cf['applied_at']}" if cf["applied_at"] else ""))
    for p in st["problems"]:
        print(f"problem:  {p['message']} (since {p['since']})")
    for line in _setup_lines(st.get("setup") or {}):
        print(f"setup:    {line}")
    return 0


def _setup_lines(rep: dict) -> list[str]:
    """The setup wizard's findings, one line per step done (the sound test's answers too)."""
    out = []
    if "screen" in rep:
        s = rep["screen"]
        out.append(f"screen {s.get('orientation', 'portrait')}, "
                   f"{s.get('px_per_mm', 'default')} px/mm ({s.get('at')})")
    if "touch" in rep:
        out.append(f"touch test: {rep['touch'].get('missed', 0)} of "
                   f"{len(rep['touch'].get('targets') or [])} targets missed")
    if "keypad" in rep:
        k = rep["keypad"]
        remapped = ", ".join(f"{a} -> {c}" for a, c in (k.get("remapped") or {}).items())
        out.append(f"keypad test: {len(k.get('working') or [])} keys work"
                   + (f"; remapped {remapped}" if remapped else ""))
    if "sound" in rep:
        heard = rep["sound"].get("heard") or {}
        out.append("sound test: " + ", ".join(
            f"{'Arabic' if lang == 'ar' else 'English'} voice "
            f"{'heard' if ok else 'NOT heard'}" for lang, ok in heard.items()))
    if "network" in rep:
        n = rep["network"]
        out.append(f"network check of {n.get('url')}: "
                   + ("passed" if n.get("ok") else f"failed at {n.get('failed')}"))
    if "provision" in rep:
        p = rep["provision"]
        out.append(f"enrolled as {p.get('device_id')}, content version "
                   f"{p.get('content_version')}, test submission "
                   f"{'sent' if p.get('test_submission_sent') else 'not sent'}")
    return out


def _speech_status(home: Path) -> dict:
    """What the visitor UI last reported about its voice ($KIOSK_HOME/speech-status.json,
    written by screens/speech.py when the app starts)."""
    path = home / "speech-status.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"ok": None, "message": "not reported yet (the visitor UI has not started on "
                                       "this kiosk)"}
    return {"ok": d.get("ok"), "message": d.get("message"),
            "output": (d.get("audio") or {}).get("output"), "voices": d.get("voices"),
            "reported_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
                timespec="seconds")}


def cmd_outbox_flush(args: argparse.Namespace) -> int:
    dev = _device()
    try:
        report = dev.flush_outbox(max_failures=args.tries)
    finally:
        dev.close()
    print(f"outbox: {report.acked} delivered, {report.rejected} rejected, "
          f"{report.pending} still waiting", file=sys.stderr)
    if report.pending:
        raise CommandError(f"{report.pending} submissions are still waiting ({report.last_error}); "
                           "they stay queued and are sent when central can be reached")
    return 0


def cmd_outbox_test(args: argparse.Namespace) -> int:
    dev = _device()
    try:
        dev.ensure_content()
        sub_id = dev.submit("feedback", {"kind": "comment", "text": args.text}, "en", test=True)
    finally:
        dev.close()
    print(sub_id)
    print("Queued a technician's test submission; 'kiosk outbox flush' sends it now.",
          file=sys.stderr)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from offline_cache.store import StoreError

    dev = _device()
    try:
        bad = dev.store.active_version()
        version = dev.rollback()
    except StoreError as e:
        raise CommandError(str(e)) from None
    finally:
        dev.close()
    print(f"Content version {version} is active again; version {bad} will not be installed "
          "again (a newer version will).")
    return 0


def add_device_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("provision", help="enrol this kiosk with central using a one-time code")
    p.add_argument("--api", required=True, help="central's base URL (https)")
    p.add_argument("--code", required=True, help="one-time enrolment code from central")
    p.add_argument("--name", help="a name for this kiosk, shown to staff")
    p.add_argument("--location", help="where it stands, shown to staff")
    p.add_argument("--pin", help="the technician PIN, 6 to 12 digits (kept only as a hash)")
    p.set_defaults(func=cmd_provision)

    p = sub.add_parser("sync", help="one sync cycle with central")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("rollback", help="go back one content version (kept for this purpose)")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("status", help="identity, content, sync and outbox state")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("outbox", help="the queue of visitors' submissions")
    osub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    osub.required = True
    f = osub.add_parser("flush", help="upload what is pending now")
    f.add_argument("--tries", type=int, default=3,
                   help="give up this run after this many failed attempts (items stay queued)")
    f.set_defaults(func=cmd_outbox_flush)
    t = osub.add_parser("test-submission", help="queue a technician's test submission")
    t.add_argument("--text", default="Technician's test submission",
                   help="the text to send (at most 4000 characters)")
    t.set_defaults(func=cmd_outbox_test)
