"""``python -m stack up | down | status | env``."""

import sys

from .cli import run

sys.exit(run(sys.argv[1:]))
