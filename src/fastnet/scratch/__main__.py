"""`python -m fastnet.scratch SCRIPT.py [ARGS...]`: run a book script on fastnet.

The same as `fastnet run SCRIPT.py [ARGS...]`; see fastnet.scratch.runner.
"""

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
