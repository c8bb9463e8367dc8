"""``python -m lib.store backup OUT`` / ``restore IN`` [``--db URL``]: back the board's database up, or restore it.

Exit 0 done, 2 for anything that went wrong (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lib import store
from lib.store.backup import BackupError, backup, restore


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lib.store", description="Back up or restore the board's database.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text, arg in (("backup", "write a consistent copy of the database", "OUT"),
                                 ("restore", "replace the database with a backup", "IN")):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("path", metavar=arg, type=Path)
        cmd.add_argument("--db", default=None, help="database URL (default: the configured one)")
    args = parser.parse_args(argv)
    url = args.db or store.database_url()
    try:
        engine = store.get_engine(url)
        summary = (backup if args.command == "backup" else restore)(engine, args.path)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except store.DATABASE_ERRORS as exc:
        print(f"error: database {store.display_url(url)}: {store.describe_error(exc)}", file=sys.stderr)
        return 2
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
