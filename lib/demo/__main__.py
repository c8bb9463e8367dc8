"""``python -m lib.demo [--households N] [--db URL]``: rebuild a demo database."""

from __future__ import annotations

import argparse
import sys

from lib import store


def main(argv: list[str] | None = None) -> int:
    """Rebuild the demo campaign in the configured (or given) database; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lib.demo", description="Rebuild the demo campaign database.")
    parser.add_argument("--households", type=int, default=None, help="total households (default: the article's 694)")
    parser.add_argument("--db", default=None, help="database URL (default: the configured one)")
    args = parser.parse_args(argv)
    url = args.db or store.database_url()
    try:
        engine = store.get_engine(url)
        store.load_demo(engine, args.households)
    except store.DATABASE_ERRORS as exc:  # one clear line and exit 2, never a traceback
        print(f"error: database {store.display_url(url)}: {store.describe_error(exc)}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. fewer households than the article's blocks hold
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"demo loaded into {store.display_url(url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
