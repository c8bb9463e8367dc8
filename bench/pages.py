"""Server-side rerun time of every page with a warm cache (docs/design.md budgets).

``python -m bench pages [--sizes 694,10000,100000] [--runs 7]``

Each size gets its own SQLite demo database (built once under /tmp). A page
is opened through ``app.py`` with Streamlit's AppTest, run once to warm the
caches, then rerun ``--runs`` times; the median is the script rerun time
(AppTest's own overhead included, so the figures are an upper bound).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from lib import store

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "map", "progress", "teams")
BUDGET_MS = {694: 100, 10_000: 150, 100_000: 400}


def database_for(households: int) -> str:
    """A demo database with ``households`` households, built once and reused."""
    path = Path(f"/tmp/campaign-board-bench-{households}.db")
    url = f"sqlite:///{path}"
    engine = store.get_engine(url)
    if not path.exists() or store.data_version(engine) == 0:
        store.load_demo(engine, None if households <= 694 else households)
    return url


def time_page(page: str, runs: int) -> float:
    """Median seconds of ``runs`` warm reruns of ``page``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    """Print a table: page × size → median warm rerun in ms, against the budget."""
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    parser.add_argument("--sizes", default="694,10000,100000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = args.pages.split(",")
    print(f"{'page':<10}" + "".join(f"{n:>14,}" for n in sizes) + "   (median warm rerun, ms; budget)")
    results: dict[tuple[str, int], float] = {}
    for n in sizes:
        os.environ["DATABASE_URL"] = database_for(n)
        for page in pages:
            results[(page, n)] = time_page(page, args.runs)
    for page in pages:
        cells = "".join(f"{results[(page, n)] * 1000:>8.0f} ({BUDGET_MS.get(n, '-')})" for n in sizes)
        print(f"{page:<10}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
