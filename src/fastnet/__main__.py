"""`python -m fastnet ...` runs the `fastnet` command (see fastnet.cli)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
