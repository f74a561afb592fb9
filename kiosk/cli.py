"""The `kiosk` command line. Each subcommand lives beside what it drives (kiosk.commands,
screens.commands, voices.say); this module only parses arguments and turns errors into one
readable line."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys

from kiosk import __version__
from kiosk.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Made in Oman public kiosk")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    # Subcommands are registered here as their capabilities land.
    from kiosk.commands import add_device_parsers
    from screens.commands import add_ui_parsers
    from voices.say import add_say_parser

    add_device_parsers(sub)
    add_say_parser(sub)
    add_ui_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, not only before the command
    argv = [a for a in argv if a != "--debug"]
    parser = build_parser()
    args = parser.parse_args(argv)
    args.debug = debug
    from kiosk.logs import setup_logging

    setup_logging()
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        logging.getLogger("kiosk.cli").error("kiosk %s: %s", args.command, e)
        print(f"kiosk: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except (OSError, sqlite3.Error) as e:
        if args.debug:
            raise
        detail = getattr(e, "strerror", None) or str(e)
        print(f"kiosk: could not read or write the kiosk's data ({detail}); check free disk "
              "space and the permissions of $KIOSK_HOME", file=sys.stderr)
        return 1
    except Exception as e:  # one line for technicians, the traceback with --debug
        if args.debug:
            raise
        print(f"kiosk: {type(e).__name__}: {e} (run with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
