"""The `kiosk-central` command line (central/README.md). Parses arguments, calls the service
layer, and turns errors into one readable line on stderr (a traceback only with --debug)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import timedelta
from typing import Any


def _central(args: argparse.Namespace) -> Any:
    # Imported here so `kiosk-central --help` stays quick.
    import os

    if getattr(args, "db", None):
        # Django's default database (the staff admin's accounts and sessions) is this one too.
        os.environ["CENTRAL_DB_URL"] = args.db
    from central.config import load_settings
    from central.service import Central

    return Central(load_settings(db_url=getattr(args, "db", None)))


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from central.errors import CentralError

    if not 1 <= args.workers <= 64:
        raise CentralError("--workers must be between 1 and 64")
    # Opened here even with several workers: the schema and keys are made once, before any
    # worker could race to make them.
    central = _central(args)
    from central.api import create_app  # after _central: Django's settings take --db
    print(f"kiosk-central: serving on http://{args.host}:{args.port}/ "
          f"(home {central.settings.home}, {args.workers} worker(s))", file=sys.stderr,
          flush=True)
    options = dict(host=args.host, port=args.port, log_level=args.log_level,
                   access_log=args.access_log, proxy_headers=False, server_header=False)
    if args.workers == 1:
        uvicorn.run(create_app(central), **options)
        return 0
    central.close()
    # Each worker process builds its own app from the environment.
    os.environ["CENTRAL_HOME"] = str(central.settings.home)
    os.environ["CENTRAL_DB_URL"] = central.settings.db_url
    uvicorn.run("central.api:app_from_environment", factory=True, workers=args.workers,
                **options)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from central import db
    from central.config import ensure_home, load_settings

    settings = load_settings(db_url=getattr(args, "db", None))
    if settings.db_url.startswith("sqlite"):
        ensure_home(settings)
    alias = db.alias_for(settings.db_url)
    if args.check:
        todo = db.unapplied(alias)
        for name in todo:
            print(f"not applied: {name}")
        print("the database is up to date" if not todo else
              f"{len(todo)} migration(s) to apply: run 'kiosk-central migrate'", file=sys.stderr)
        return 1 if todo else 0
    done = db.migrate(alias)
    for name in done:
        print(f"applied {name}")
    print(f"the database is up to date ({len(done)} migration(s) applied now)", file=sys.stderr)
    return 0


def cmd_import_demo(args: argparse.Namespace) -> int:
    report = _central(args).import_catalogue_dir(args.dir, replace_all=args.replace)
    print(f"imported {report.records} records and {report.media} images from {report.source}")
    return 0


def cmd_cms_import(args: argparse.Namespace) -> int:
    from central.cms.importer import import_into_cms

    report = import_into_cms(_central(args), from_drafts=args.from_drafts)
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    print(f"imported into the CMS from {report.source}: {counts}; {report.pictures} new "
          "pictures")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    n = _central(args).seed(args.products)
    print(f"seeded {n} synthetic products")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    central = _central(args)
    ttl = timedelta(seconds=args.ttl_seconds) if args.ttl_seconds is not None else None
    backdate = timedelta(seconds=args.backdate_seconds) if args.backdate_seconds else None
    info = central.publish(ttl=ttl, backdate=backdate, published_by="cli")
    print(info.version)
    print(f"published version {info.version}: {info.records} records, {info.blobs} images, "
          f"valid until {info.expires_at:%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    return 0


def cmd_publish_scheduled(args: argparse.Namespace) -> int:
    """For cron: every record's go-live or expiry and every scheduled publish that is due,
    each by exactly one process."""
    from central.cms import publishing

    central = _central(args)
    for r in publishing.run_due_records():
        print(f"{r.record}: {r.state} in the CMS")
    outcomes = publishing.run_due(central)
    for o in outcomes:
        print(f"schedule {o.schedule_id}: {o.state}: {o.message}")
    if not outcomes:
        print("no scheduled publish is due", file=sys.stderr)
    return 1 if any(o.state == "failed" for o in outcomes) else 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from central.cms import publishing

    rel = publishing.rollback(_central(args), args.to, by=args.by)
    print(rel.version)
    print(f"published version {rel.version} with the content of version {args.to} "
          f"({rel.records} records)", file=sys.stderr)
    return 0


def cmd_export_release(args: argparse.Namespace) -> int:
    from central import release_files

    r = release_files.export_release(_central(args), args.out, args.version)
    print(r.version)
    note = ("" if r.manifest_version == r.version else
            f"; manifest.json stays at the newer version {r.manifest_version}, this one's "
            f"manifest is versions/{r.version}.json")
    print(f"exported version {r.version} to {r.out}: {r.written} files written, {r.kept} "
          f"already there{note}", file=sys.stderr)
    return 0


def cmd_enrollment_code(args: argparse.Namespace) -> int:
    from central.errors import CentralError

    if not 0 < args.ttl_hours <= 24 * 365:
        raise CentralError("--ttl-hours must be more than 0 and at most a year")
    if not 1 <= args.count <= 100_000:
        raise CentralError("--count must be between 1 and 100,000")
    central = _central(args)
    for _ in range(args.count):
        info = central.create_enrollment_code(args.location, timedelta(hours=args.ttl_hours))
        print(info.code)
    print(f"valid once{' each' if args.count > 1 else ''}, until "
          f"{info.expires_at:%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    return 0


def cmd_create_staff(args: argparse.Namespace) -> int:
    from central.errors import CentralError

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"password for {args.user}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CentralError("no password given: type it, or pipe it on stdin")
    _central(args).create_staff(args.user, password, args.role)
    print(f"created {args.role} account {args.user}")
    return 0


EXPORT_FIELDS = ("reference", "status", "receipt", "id", "type", "test", "device_id",
                 "device_name", "created_at", "received_at", "lang", "content_version", "payload", "contact")


def cmd_export_submissions(args: argparse.Namespace) -> int:
    # Staff with access to the server are entitled to contact details, so they are opened.
    rows = _central(args).list_submissions(open_contacts=True)
    if args.csv:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, extrasaction="ignore",
                           lineterminator="\r\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "test": "yes" if r["test"] else "no",
                        "payload": json.dumps(r["payload"], ensure_ascii=False, sort_keys=True),
                        "contact": json.dumps(r["contact"], ensure_ascii=False, sort_keys=True)
                        if r["contact"] else ""})
        sys.stdout.write(buf.getvalue())
    else:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    devices = _central(args).list_devices()
    if args.json:
        json.dump([asdict(d) for d in devices], sys.stdout, default=str, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for d in devices:
        seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "never"
        state = "revoked" if d.revoked else ("stale" if d.stale else "ok")
        print(f"{d.id}  {state:7}  v{d.content_version or '-'}  last seen {seen}  "
              f"{d.name or ''} {('@ ' + d.location) if d.location else ''}".rstrip())
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    _central(args).revoke_device(args.device_id)
    print(f"revoked {args.device_id}; its token no longer works")
    return 0


def cmd_queue_command(args: argparse.Namespace) -> int:
    cmd_id = _central(args).queue_command(args.device_id, args.name, queued_by="cli",
                                          ttl=timedelta(minutes=args.ttl_minutes))
    print(cmd_id)
    return 0


def cmd_commands(args: argparse.Namespace) -> int:
    rows = _central(args).list_commands(args.device_id)
    if args.json:
        json.dump(rows, sys.stdout, default=_iso, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print(f"no commands for {args.device_id}")
    for c in rows:
        when = c["finished_at"] or c["delivered_at"] or c["queued_at"]
        print(f"{c['id']}  {c['name']:13}  {c['state']:9}  {when:%Y-%m-%d %H:%M:%S}"
              + (f"  {c['result']}" if c["result"] else ""))
    return 0


def _iso(value: Any) -> str:
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value)


def cmd_config_set(args: argparse.Namespace) -> int:
    from central.device_config import parse_assignment

    values = dict(parse_assignment(a) for a in args.assignments)
    stored = _central(args).set_config(values, device_id=args.device, location=args.location,
                                       by="cli")
    where = _scope_words(args)
    for key, value in stored.items():
        print(f"{key} = {json.dumps(value, ensure_ascii=False)} ({where})")
    print("Kiosks receive it at their next heartbeat; 'kiosk-central config show --device ID' "
          "says when one has applied it.", file=sys.stderr)
    return 0


def cmd_config_unset(args: argparse.Namespace) -> int:
    removed = _central(args).unset_config(args.keys, device_id=args.device,
                                          location=args.location)
    where = _scope_words(args)
    for key in args.keys:
        print(f"{key}: {'removed from' if key in removed else 'was not set for'} {where}")
    return 0


def _scope_words(args: argparse.Namespace) -> str:
    if args.device:
        return f"kiosk {args.device}"
    if args.location:
        return f"location {args.location!r}"
    return "the fleet"


def cmd_config_show(args: argparse.Namespace) -> int:
    shown = _central(args).show_config(args.device)
    if args.json:
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.device:
        print(f"kiosk {shown['device_id']} (location {shown['location'] or 'none'}): config "
              f"version {shown['version']}, {shown['state']}"
              + (f" (the kiosk has version {shown['applied_version']})"
                 if shown["state"] == "waiting" and shown["applied_version"] is not None else ""))
    for key, v in shown["values"].items():
        print(f"{key} = {json.dumps(v['value'], ensure_ascii=False)}  ({v['source']})")
    for location, values in shown.get("locations", {}).items():
        print(f"location {location!r}:")
        for key, value in values.items():
            print(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central",
        description="Made in Oman kiosk central server. Data lives under $CENTRAL_HOME.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL",
                        help="database URL: sqlite:////path or postgresql://... "
                             "(default: $CENTRAL_DB_URL, else SQLite under $CENTRAL_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("serve", parents=[common], help="run the HTTP API and staff admin")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (default 1; see central/README.md)")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                   help="log every request (default on)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", parents=[common],
                       help="bring the database's tables up to date (an empty one too)")
    p.add_argument("--check", action="store_true",
                   help="only list the migrations not applied yet (exit 1 if any)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("import-demo", parents=[common], help="load the demo catalogue")
    p.add_argument("--dir", help="a catalogue directory (default: assets/demo)")
    p.add_argument("--replace", action="store_true",
                   help="remove every other draft record first (drafts become the catalogue)")
    p.set_defaults(func=cmd_import_demo)
    p = sub.add_parser("cms-import", parents=[common],
                       help="load what kiosks have (the newest release) into the CMS")
    p.add_argument("--from-drafts", action="store_true",
                   help="import the drafts (record table) instead of the newest release")
    p.set_defaults(func=cmd_cms_import)

    p = sub.add_parser("seed", parents=[common], help="add synthetic products for scale tests")
    p.add_argument("--products", type=int, required=True, metavar="N")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("publish", parents=[common], help="sign and publish a new version")
    p.add_argument("--ttl-seconds", type=int, default=None,
                   help="how long the manifest stays valid (default 7 days)")
    p.add_argument("--backdate-seconds", type=int, default=0,
                   help="for tests: pretend the release was made this long ago")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("publish-scheduled", parents=[common],
                       help="publish every scheduled publish that is due (for cron)")
    p.set_defaults(func=cmd_publish_scheduled)

    p = sub.add_parser("rollback", parents=[common],
                       help="publish an earlier version's content again as a new version")
    p.add_argument("--to", type=int, required=True, metavar="V",
                   help="the version whose content kiosks get again")
    p.add_argument("--by", default="cli", help="who rolls back (the audit log's name)")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("export-release", parents=[common],
                       help="write a published version as static files for a web server or CDN")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the directory to write (created; files already right are kept)")
    p.add_argument("--version", type=int, default=None, metavar="V",
                   help="the version to write (default: the newest)")
    p.set_defaults(func=cmd_export_release)

    p = sub.add_parser("enrollment-code", parents=[common], help="make a one-time enrolment code")
    p.add_argument("--location", default=None)
    p.add_argument("--ttl-hours", type=float, default=24.0)
    p.add_argument("--count", type=int, default=1, metavar="N",
                   help="make N codes, one a line (a batch of kiosks to install)")
    p.set_defaults(func=cmd_enrollment_code)

    p = sub.add_parser("create-staff", parents=[common],
                       help="create a staff account (password on stdin)")
    p.add_argument("user")
    p.add_argument("--role", required=True, choices=["editor", "publisher", "analyst", "admin"])
    p.set_defaults(func=cmd_create_staff)

    p = sub.add_parser("export-submissions", parents=[common],
                       help="every submission received, contact details opened")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON (the default)")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.set_defaults(func=cmd_export_submissions)

    p = sub.add_parser("devices", parents=[common], help="list enrolled kiosks")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("revoke-device", parents=[common], help="revoke a kiosk's token")
    p.add_argument("device_id")
    p.set_defaults(func=cmd_revoke_device)

    p = sub.add_parser("queue-command", parents=[common],
                       help="queue an allow-listed command for a kiosk's next heartbeat")
    p.add_argument("device_id")
    p.add_argument("name", choices=["sync_now", "flush_outbox", "restart_app", "speech_test",
                                    "clear_session"])
    p.add_argument("--ttl-minutes", type=float, default=60.0, metavar="N",
                   help="expire if no heartbeat takes it within N minutes (default 60)")
    p.set_defaults(func=cmd_queue_command)

    p = sub.add_parser("commands", parents=[common],
                       help="a kiosk's commands: state (queued, delivered, done, failed, "
                            "expired), times and result")
    p.add_argument("device_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_commands)

    p = sub.add_parser("config", help="the device config: fleet defaults, per location, per kiosk")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION")
    csub.required = True

    def scope(q: argparse.ArgumentParser) -> None:
        g = q.add_mutually_exclusive_group()
        g.add_argument("--device", metavar="ID", help="for this kiosk only")
        g.add_argument("--location", metavar="L", help="for every kiosk at this location")

    q = csub.add_parser("set", parents=[common],
                        help="set values (fleet default unless --device or --location)")
    q.add_argument("assignments", nargs="+", metavar="KEY=VALUE",
                   help="VALUE is read as JSON where it is JSON (120, true, [283]), else as text")
    scope(q)
    q.set_defaults(func=cmd_config_set)
    q = csub.add_parser("unset", parents=[common],
                        help="remove values from one scope (the wider one applies again)")
    q.add_argument("keys", nargs="+", metavar="KEY")
    scope(q)
    q.set_defaults(func=cmd_config_unset)
    q = csub.add_parser("show", parents=[common],
                        help="effective values, and for one kiosk where each comes from")
    q.add_argument("--device", metavar="ID")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_config_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - one line for staff, traceback with --debug
        if args.debug:
            raise
        from central.errors import CentralError

        if isinstance(e, CentralError):
            msg = e.message
        elif type(e).__module__.startswith(("django.db", "sqlite3", "psycopg")):
            msg = (f"the database could not be used ({type(e).__name__}); check --db and "
                   f"$CENTRAL_HOME, or run with --debug")
        else:
            msg = f"{type(e).__name__}: {e} (run with --debug for details)"
        print(f"kiosk-central: {msg.splitlines()[0] if msg else type(e).__name__}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
