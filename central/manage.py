"""Django's management commands for central's developers (``python -m central.manage
makemigrations`` after changing central/models.py; ``showmigrations``, ``sqlmigrate``...).
Staff use ``kiosk-central migrate``, which needs nothing of this."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from django.core.management import execute_from_command_line

    from central import db

    db.setup()
    execute_from_command_line(["central.manage", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
