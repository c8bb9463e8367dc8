"""Server-side rerun time of every page with a warm cache (docs/design.md budgets).

``python -m bench pages [--sizes 694,10000,100000] [--runs 7]``

``whatif-lever`` is the 推演 page after one lever changed (状元's pace set to a
new value each run, so the scenario is simulated afresh; the baseline stays
cached), against the page's own budget: 300 ms at demo size, 1 s at 100 k.

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
PAGES = ("overview", "map", "progress", "teams", "whatif", "whatif-lever")
BUDGET_MS = {694: 100, 10_000: 150, 100_000: 400}
#: The what-if page's budget after a lever changed (issue 15).
LEVER_BUDGET_MS = {694: 300, 100_000: 1000}
#: Tighter budgets for the two heaviest pages at 100 k (issue "性能").
PAGE_BUDGET_MS = {("progress", 100_000): 250, ("teams", 100_000): 200}
#: The what-if runs are made on a day every block has launched and none has finished.
WHATIF_ASOF = "2023-10-20"


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
    lever = page == "whatif-lever"
    page = "whatif" if lever else page
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    if page == "whatif":
        at.query_params["asof"] = WHATIF_ASOF
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    samples = []
    for i in range(runs):
        if lever:
            at.text_input(key="pace.zhuangyuan").input(f"{1 + (i + 1) / 20:g}")
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
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
    print(f"{'page':<13}" + "".join(f"{n:>14,}" for n in sizes) + "   (median warm rerun, ms; budget)")
    results: dict[tuple[str, int], float] = {}
    for n in sizes:
        os.environ["DATABASE_URL"] = database_for(n)
        for page in pages:
            results[(page, n)] = time_page(page, args.runs)
    for page in pages:
        budgets = LEVER_BUDGET_MS if page == "whatif-lever" else BUDGET_MS
        cells = "".join(f"{results[(page, n)] * 1000:>8.0f} ({PAGE_BUDGET_MS.get((page, n), budgets.get(n, '-'))})"
                        for n in sizes)
        print(f"{page:<13}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
