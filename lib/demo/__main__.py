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
    engine = store.get_engine(args.db)
    store.load_demo(engine, args.households)
    print(f"demo loaded into {engine.url.render_as_string(hide_password=True)}")
    return 0


sys.exit(main())
