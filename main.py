"""`python main.py` is `kiosk run`: the visitor UI, full screen."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
