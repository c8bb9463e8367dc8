"""``python -m lib.ingest FILE [FILE ...] [--db URL] [--dry-run]``."""

import sys

from lib.ingest.cli import main

sys.exit(main())
