"""The `kiosk` command line (see CONTRACT.md). Each subcommand lives beside what it drives;
this module only parses arguments and turns errors into one readable line."""

from __future__ import annotations

import argparse
import sys

from kiosk import __version__


class CommandError(Exception):
    """An error a technician will read: one sentence saying what is wrong and what to do."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Made in Oman public kiosk")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    # Subcommands are registered here as their capabilities land.
    from voices.say import add_say_parser

    add_say_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - one line for technicians, traceback with --debug
        if args.debug:
            raise
        print(f"kiosk: {type(e).__name__}: {e} (run with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
