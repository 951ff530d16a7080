"""``python -m cluster_kb``: the same as the ``cluster-kb`` command."""

import sys

from .commands.cli import main

sys.exit(main())
