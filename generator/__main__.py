"""``python -m generator``: the same as the ``cluster-kb`` command."""

import sys

from .cli import main

sys.exit(main())
