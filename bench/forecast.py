"""Forecast calibration on rolling back-tests (issue 12 targets).

``python -m bench forecast [--seeds 10,...,19] [--fit]``

One line per campaign: the demo campaign on its last day of data, then each
synthetic family of :mod:`lib.backtest` (pooled over ``--seeds`` campaigns of
four blocks each; the quantile models were fitted on other seeds), then the
stress families, printed but not held to the targets. A line shows the
forecasts scored (every block, rate stage and day with a projection whose
outcome is known), the share whose true finish fell inside P10–P90 (target
70–90 %), how many fell before P10 / after P90, and P50's median absolute
miss in days (target ≤ 5). Exit status 1 when a held line misses a target.

``--fit`` refits the quantile models on the training seeds and prints the
coefficients to paste into ``lib/forecast.py`` (then run the benchmark).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import pandas as pd

from lib import backtest, forecast

COVERAGE = (0.70, 0.90)
MEDIAN_MISS_DAYS = 5.0
TRAIN_SEEDS = tuple(range(8))


def demo_campaign(draw: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """The demo campaign's frames (as the store loads them) and its last day of data.

    ``draw`` > 0: another draw of the demo's generator (same blocks and
    anchors, other random days), used only to fit the models; draw 0 is the
    demo itself, which the fit never sees.
    """
    from lib import demo

    camp = demo.generate(seed=demo.SEED + draw)
    ms = camp.milestones
    hh = pd.DataFrame(camp.households.drop(columns="geometry"))
    for stage in backtest.RATE_STAGES:
        dates = ms[ms["stage"] == stage].set_index("household_id")["date"]
        hh[f"date_{stage}"] = pd.to_datetime(hh["household_id"].map(dates))
    last = max(pd.to_datetime(ms["date"]).max().date(), demo.ARTICLE_DAY)
    return hh, pd.DataFrame(camp.blocks.drop(columns="geometry")), last


def score(campaigns: list[tuple[pd.DataFrame, pd.DataFrame, date]]) -> backtest.Backtest:
    """The back-test on each campaign's last day, pooled."""
    tables = []
    for hh, blocks, last in campaigns:
        history = backtest.forecast_history(hh, blocks, last)
        tables.append(backtest.scored(history, backtest.finish_days(hh, blocks, last), last))
    return backtest.summarise(pd.concat(tables, ignore_index=True), campaigns[-1][2])


def _line(name: str, b: backtest.Backtest, seconds: float, held: bool) -> tuple[str, bool]:
    ok = COVERAGE[0] <= b.coverage <= COVERAGE[1] and b.median_miss <= MEDIAN_MISS_DAYS
    verdict = ("ok" if ok else "FAIL") if held else "(stress, not held)"
    return (
        f"{name:<16}{b.count:>6}{b.coverage * 100:>9.1f}{b.early:>7}{b.late:>7}{b.median_miss:>9.1f}{seconds:>8.1f}  {verdict}",
        ok or not held,
    )


def _training_rows() -> pd.DataFrame:
    rows = []
    for family in (*backtest.FAMILIES, "demo_like"):
        for seed in TRAIN_SEEDS:
            hh, blocks, last = demo_campaign(seed + 1) if family == "demo_like" else backtest.synthetic_campaign(family, seed)
            h = backtest.forecast_history(hh, blocks, last)
            h = h[h["raw_p50"].notna()].copy()
            h["truth"] = backtest._outcome_offsets(h, backtest.finish_days(hh, blocks, last))
            rows.append(h[h["truth"].notna()].assign(family=family))
    return pd.concat(rows, ignore_index=True)


def _quantile_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, tau: float, iterations: int = 200) -> np.ndarray:
    """Weighted linear quantile regression by iteratively reweighted least squares."""
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
    for _ in range(iterations):
        r = y - x @ beta
        a = w * np.where(r >= 0, tau, 1 - tau) / np.maximum(np.abs(r), 1e-3)
        beta = np.linalg.lstsq(x * np.sqrt(a)[:, None], y * np.sqrt(a), rcond=None)[0]
    return beta


def fit() -> None:
    """Fit the three quantile models on the training seeds and print them."""
    rows = _training_rows()
    x = forecast._features({k: rows[k].to_numpy(dtype=float) for k in forecast.SIGNALS})
    y = np.log(rows["truth"].to_numpy(dtype=float) + forecast.RESIDUAL_OFFSET_DAYS)
    w = 1.0 / rows.groupby("family")["truth"].transform("size").to_numpy(dtype=float)  # each family counts the same
    print("QUANTILE_COEFFICIENTS: tuple[tuple[float, ...], ...] = (")
    below = {}
    for tau in forecast.QUANTILE_LEVELS:
        beta = _quantile_fit(x, y, w, tau)
        below[tau] = y <= x @ beta
        print(f"    ({', '.join(f'{b:.4f}' for b in beta)}),  # tau={tau}, in-sample {np.average(below[tau], weights=w):.3f}")
    print(")")
    for family, idx in rows.groupby("family").indices.items():
        inside = below[0.9][idx] & ~below[0.1][idx]
        print(f"# {family}: in-sample band {inside.mean():.3f}, below P50 {below[0.5][idx].mean():.3f}")


def main(argv: list[str] | None = None) -> int:
    """Print the back-test table; 1 when a held family misses a target."""
    parser = argparse.ArgumentParser(prog="python -m bench forecast", description=__doc__)
    parser.add_argument("--seeds", default="10,11,12,13,14,15,16,17,18,19")
    parser.add_argument("--fit", action="store_true", help="refit the quantile models and print them")
    args = parser.parse_args(argv)
    if args.fit:
        fit()
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{'campaign':<16}{'n':>6}{'cover %':>9}{'<P10':>7}{'>P90':>7}{'miss d':>9}{'sec':>8}"
          f"   (target: cover {COVERAGE[0]:.0%}–{COVERAGE[1]:.0%}, median miss ≤ {MEDIAN_MISS_DAYS:g} d)")
    all_ok = True
    runs: list[tuple[str, list, bool]] = [("demo", [demo_campaign()], True)]
    runs += [(f, [backtest.synthetic_campaign(f, s) for s in seeds], True) for f in backtest.FAMILIES]
    runs += [(f, [backtest.synthetic_campaign(f, s) for s in seeds], False) for f in backtest.STRESS_FAMILIES]
    for name, campaigns, held in runs:
        start = time.perf_counter()
        result = score(campaigns)
        line, ok = _line(name, result, time.perf_counter() - start, held)
        print(line, flush=True)
        all_ok &= ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
