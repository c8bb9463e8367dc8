"""``python -m lib.brief``: see :mod:`lib.brief.cli`."""

from lib.brief.cli import main

raise SystemExit(main())
