"""``python -m bench <name> [options]``: run one benchmark (``map``, ``pages``, ``ingest``, ``open``, ``brief``, ``forecast``)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("map", "pages", "ingest", "open", "brief", "forecast")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to ``bench.<name>.main`` with the remaining arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options]  (see --help of each)", file=sys.stderr)
        return 2
    return importlib.import_module(f"bench.{args[0]}").main(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
