"""Render time of the daily brief for the demo (budget: ≤ 5 s for the three files).

``python -m bench brief [--runs 5] [--asof 2023-11-07] [--lang zh]``

Loads the demo campaign once (its SQLite file built once under /tmp), then
times, per run: the brief's data (:func:`lib.brief.brief_data`), the PNG,
the PDF and the xlsx. Prints each step's median and the files' sizes. The
first run, which also loads matplotlib's fonts, is reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

from bench.pages import database_for
from lib import brief, store
from lib.brief import render

BUDGET_S = 5.0


def main(argv: list[str] | None = None) -> int:
    """Print the median seconds of each step and the total against the budget; 1 when over it."""
    parser = argparse.ArgumentParser(prog="python -m bench brief", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--asof", type=date.fromisoformat, default=date(2023, 11, 7))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args(argv)
    engine = store.get_engine(database_for(694))
    campaign = store.load_frames(engine)
    last_import = brief.last_import_time(store.list_batches(engine))
    renderers: dict[str, Callable[[brief.Brief, str], bytes]] = {
        "png": render.brief_png, "pdf": render.brief_pdf, "xlsx": render.brief_xlsx,
    }
    samples: dict[str, list[float]] = {name: [] for name in ["data", *renderers, "total"]}
    sizes: dict[str, int] = {}
    for run in range(args.runs + 1):
        start = time.perf_counter()
        data = brief.brief_data(campaign, args.asof, last_import=last_import)
        timings = {"data": time.perf_counter() - start}
        for ext, draw in renderers.items():
            t0 = time.perf_counter()
            sizes[ext] = len(draw(data, args.lang))
            timings[ext] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        if run == 0:
            print(f"first run (fonts loaded): {timings['total']:.2f} s")
            continue
        for name, value in timings.items():
            samples[name].append(value)
    for name, values in samples.items():
        print(f"{name:<6} {statistics.median(values):6.3f} s  (median of {args.runs})")
    print("sizes  " + "  ".join(f"{ext} {n / 1024:.0f} KiB" for ext, n in sizes.items()))
    total = statistics.median(samples["total"])
    print(f"total {total:.2f} s against the budget of {BUDGET_S:.0f} s: {'ok' if total <= BUDGET_S else 'OVER'}")
    return 0 if total <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
