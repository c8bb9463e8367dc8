"""How far to trust today's forecast: the same forecast, made on every earlier day.

For a campaign and an as-of day A, :func:`forecast_history` re-runs the raw
forecast (:func:`lib.forecast.forecast_finish`) for every block, rate stage
and past day d, each from the data up to d only (the ledger is
event-sourced: the count on day d is the same whatever was added later).
:func:`backtest` then scores the *calibrated* forecasts of those days whose
outcome is known on A:

* the stage finished on F <= A: a hit when P10 <= F <= P90, a miss of
  ``|F - P50|`` days;
* the stage had not finished on A although P90 < A: a sure miss after P90
  (its miss is at least ``A - P50`` days; that lower bound is used).

Forecasts whose outcome is still open on A are not scored, and neither are
days with no projection (finished, stalled, no data). The calibration a
day-d forecast gets is the one :func:`lib.forecast.calibration_from` learns
from outcomes known on d, so the back-test replays exactly what each day's
meeting saw.

Everything is a pure function of the frames and the as-of day; the history
(the only costly part, a few ms per block, stage and day) depends on the
data alone, so a page caches it per data version and scope.

:func:`synthetic_campaign` builds the campaign families the calibration prior
is fitted on and ``python -m bench forecast`` checks: deterministic from a
seed, households with ``date_signed``/``date_sealed`` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

import numpy as np
import pandas as pd

from lib import forecast, schema

RATE_STAGES: tuple[str, ...] = ("signed", "sealed")
#: Simulated paths per past forecast (the centre is all calibration needs; it is stable at this size).
HISTORY_SIMS = 400
HISTORY_COLUMNS = ["block_id", "stage", "made_on", *forecast.SIGNALS, "status"]
#: Synthetic campaign families (see :func:`synthetic_campaign`).
FAMILIES: tuple[str, ...] = ("fast_s", "holdout_tail", "stall_restart", "few_large")
#: Families printed by the bench but not held to the targets (see the module docstring of lib.forecast).
STRESS_FAMILIES: tuple[str, ...] = ("holdout_tail_6w", "memoryless_tail")


@dataclass(frozen=True)
class Backtest:
    """How the calibrated forecasts made before ``asof`` fared.

    Attributes:
        asof: The day the back-test is made on.
        count: Forecasts whose outcome is known on ``asof``.
        hits: Of those, how many had the true finish within P10–P90.
        early: True finish before P10.
        late: True finish after P90 (or not finished although P90 has passed).
        median_miss: Median of ``|true finish - P50|`` in days (NaN if count is 0).
    """

    asof: date
    count: int
    hits: int
    early: int
    late: int
    median_miss: float

    @property
    def coverage(self) -> float:
        """Share of known outcomes inside the band (NaN when there are none)."""
        return self.hits / self.count if self.count else math.nan


# --- per-block daily counts --------------------------------------------------


def _day_numbers(values: pd.Series) -> np.ndarray:
    """datetime64 column → int day numbers since 1970 (NaT → a huge number)."""
    arr = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = np.iinfo(np.int64).max // 2
    return out


def _to_date(n: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(n))


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _series(days: np.ndarray, launch_n: int, upto_n: int) -> pd.Series:
    """Cumulative count per day from launch to ``upto_n`` (dates before launch count on day 1)."""
    width = upto_n - launch_n + 1
    known = days[days <= upto_n]
    gains = np.bincount(np.maximum(known - launch_n, 0), minlength=width)[:width]
    index = pd.date_range(pd.Timestamp(_to_date(launch_n)), periods=width, freq="D")
    return pd.Series(np.cumsum(gains), index=index, dtype="int64")


def finish_days(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> dict[tuple[str, str], date]:
    """(block, stage) → the day the stage reached every household of the block, if on or before ``asof``."""
    out: dict[tuple[str, str], date] = {}
    for block_id, hh in households.groupby("block_id", sort=False):
        for stage in RATE_STAGES:
            col = hh[f"date_{stage}"]
            if col.notna().all() and col.max() <= pd.Timestamp(asof):
                out[(str(block_id), stage)] = col.max().date()
    return out


# --- the history of raw forecasts ---------------------------------------------


def forecast_history(
    households: pd.DataFrame, blocks: pd.DataFrame, until: date, *, n_sims: int = HISTORY_SIMS, seed: int = 0
) -> pd.DataFrame:
    """The raw forecast of every block and rate stage on every day up to ``until``.

    Row per (block, stage, day d) from the block's launch to ``until``, each
    made from the data dated on or before d: ``raw_p50`` is the bootstrap's
    P50 as days after d (inf beyond its horizon; NaN when no projection was
    made), ``status`` the raw status (finished/stalled/no_data/projected).
    """
    rows: list[tuple] = []
    until_n = _day(until)
    by_block = {str(b): g for b, g in households.groupby("block_id", sort=False)}
    for blk in blocks.itertuples(index=False):
        hh = by_block.get(str(blk.block_id))
        launch_n = _day(cast(date, blk.launch_date))
        if hh is None or hh.empty or until_n < launch_n:
            continue
        total = len(hh)
        for stage in RATE_STAGES:
            days = _day_numbers(hh[f"date_{stage}"])
            full = _series(days, launch_n, until_n)
            counts = full.to_numpy()
            for d_n in range(launch_n, until_n + 1):
                d, age = _to_date(d_n), d_n - launch_n + 1
                done = int(counts[age - 1])
                p50, status = math.nan, "no_data" if done == 0 else "finished"
                if 0 < done < total:
                    fc = forecast.forecast_finish(
                        full.iloc[:age], total=total, asof=d, deadline=cast(date, blk.deadline), stage=stage,
                        n_sims=n_sims, seed=seed,
                    )
                    status = fc.status
                    if fc.status in forecast.PROJECTED_STATUSES:
                        p50 = math.inf if fc.finish_p50 is None else float((fc.finish_p50 - d).days)
                sig = forecast.signals(counts[:age], total, stage == "sealed", p50)
                rows.append((blk.block_id, stage, d, *(sig[k] for k in forecast.SIGNALS), status))
    if not rows:
        return schema.empty_frame(HISTORY_COLUMNS)
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def _outcome_offsets(history: pd.DataFrame, finishes: dict[tuple[str, str], date]) -> np.ndarray:
    """True finish as days after each row's ``made_on`` (NaN where not finished in ``finishes``)."""
    keys = list(zip(history["block_id"].astype(str), history["stage"], strict=True))
    made = history["made_on"].to_numpy()
    return np.array(
        [(finishes[k] - m).days if k in finishes else math.nan for k, m in zip(keys, made, strict=True)], dtype=float
    )


class _Residuals:
    """The inputs of every day's calibration, computed once for a history.

    :meth:`on` gives the residuals a forecast made on day d learns from:
    those of projected forecasts made before d whose stage finished by d,
    and — so that blocks finishing early do not teach the band to lean
    early — those of forecasts whose stage is still open on d although
    the model's P90 has passed, at their lower bound ``d - made_on``.
    """

    def __init__(self, history: pd.DataFrame, finishes: dict[tuple[str, str], date]) -> None:
        raw = history["raw_p50"].to_numpy(dtype=float)
        keep = np.isfinite(raw)  # NaN (no projection) and inf (beyond horizon) teach nothing
        sub = history[keep]
        self.made = np.array([_day(d) for d in sub["made_on"]], dtype=np.int64)
        self.group = pd.factorize(sub["block_id"].astype(str) + "|" + sub["stage"])[0]
        fin = [finishes.get(k) for k in zip(sub["block_id"].astype(str), sub["stage"], strict=True)]
        self.finish = np.array([_day(f) if f is not None else np.iinfo(np.int64).max // 2 for f in fin], dtype=np.int64)
        self.pred = forecast.model_quantiles({k: sub[k].to_numpy(dtype=float) for k in forecast.SIGNALS})
        self.p90_days = np.exp(self.pred[:, 2]) - forecast.RESIDUAL_OFFSET_DAYS

    def on(self, day: date) -> tuple[np.ndarray, int]:
        """(residuals, distinct block-stages they come from) for a forecast made on ``day``."""
        d = _day(day)
        before = self.made < d
        finished = before & (self.finish <= d)
        elapsed = (d - self.made).astype(float)
        sure_late = before & ~finished & (elapsed > self.p90_days)
        truth = np.where(finished, (self.finish - self.made).astype(float), elapsed)
        use = finished | sure_late
        y = np.log(truth[use] + forecast.RESIDUAL_OFFSET_DAYS)
        return y[:, None] - self.pred[use], int(np.unique(self.group[use]).size)


def residuals_known_on(history: pd.DataFrame, finishes: dict[tuple[str, str], date], asof: date) -> np.ndarray:
    """Shape (n, 3): the calibration residuals a forecast made on ``asof`` learns from (see :class:`_Residuals`).

    ``finishes`` may hold later finishes than ``asof``: only those on or before it count.
    """
    if history.empty:
        return np.empty((0, 3))
    return _Residuals(history, finishes).on(asof)[0]


# --- the back-test ------------------------------------------------------------


def scored(
    history: pd.DataFrame, finishes: dict[tuple[str, str], date], asof: date, *, window_days: int | None = None
) -> pd.DataFrame:
    """Every past projected forecast whose outcome is known on ``asof``, with its calibrated band and verdict.

    Columns of ``history`` plus ``p10``, ``p50``, ``p90`` (days after
    ``made_on``, calibrated as on ``made_on``; inf = beyond horizon),
    ``truth`` (days after ``made_on``; for a stage still open, the lower
    bound ``asof - made_on``), ``hit``, ``early``, ``late``, ``miss``.
    ``window_days`` keeps only forecasts made in the last so many days.
    """
    cols = [*HISTORY_COLUMNS, "p10", "p50", "p90", "truth", "hit", "early", "late", "miss"]
    if history.empty:
        return schema.empty_frame(cols)
    known = {k: v for k, v in finishes.items() if v <= asof}
    sub = history[history["made_on"] < asof]
    if window_days is not None:
        sub = sub[sub["made_on"] >= asof - timedelta(days=window_days)]
    if sub.empty:
        return schema.empty_frame(cols)
    # The calibration each day saw: learnt from outcomes known on that day.
    learnt = _Residuals(history, known)
    cal_by_day = {d: forecast.calibration_from(*learnt.on(d)) for d in sorted(set(sub["made_on"]))}
    projected = sub["raw_p50"].notna().to_numpy().copy()
    bands = np.full((len(sub), 3), np.nan)
    values = sub[list(forecast.SIGNALS)].to_numpy(dtype=float)
    for j in np.flatnonzero(projected):
        bands[j] = cal_by_day[sub["made_on"].iloc[j]].offsets(dict(zip(forecast.SIGNALS, values[j], strict=True)))
    # Scored as shown: sealing held not before signing, and stalled with it (forecast.hold_not_before).
    signing = {
        (b, d): (st, band)
        for b, d, st, band, stage in zip(sub["block_id"], sub["made_on"], sub["status"], bands, sub["stage"], strict=True)
        if stage == "signed"
    }
    for i, (b, d, stage) in enumerate(zip(sub["block_id"], sub["made_on"], sub["stage"], strict=True)):
        if stage == "sealed" and projected[i] and (b, d) in signing:
            signed_status, signed_band = signing[(b, d)]
            held = forecast.hold_not_before(tuple(bands[i]), signed_status, tuple(signed_band))
            if held is None:
                projected[i] = False
            else:
                bands[i] = held
    sub, bands = sub[projected], bands[projected]
    if sub.empty:
        return schema.empty_frame(cols)
    truth = _outcome_offsets(sub, known)
    horizon_passed = np.array([(asof - d).days for d in sub["made_on"]], dtype=float)
    open_ = np.isnan(truth)
    # A stage still open on asof is known to have missed once its P90 has passed.
    sure_late = open_ & (bands[:, 2] < horizon_passed)
    keep = ~open_ | sure_late
    truth = np.where(open_, horizon_passed, truth)
    out = sub.copy()
    out["p10"], out["p50"], out["p90"] = bands[:, 0], bands[:, 1], bands[:, 2]
    out["truth"] = truth
    out = out[keep]
    t, p10, p50, p90 = out["truth"].to_numpy(), out["p10"].to_numpy(), out["p50"].to_numpy(), out["p90"].to_numpy()
    out["early"] = t < p10
    out["late"] = t > p90
    out["hit"] = ~(out["early"] | out["late"])
    out["miss"] = np.abs(t - np.where(np.isinf(p50), np.nan, p50))
    out.loc[np.isinf(p50), "miss"] = np.inf
    return out[cols].reset_index(drop=True)


def summarise(table: pd.DataFrame, asof: date) -> Backtest:
    """The :class:`Backtest` of a :func:`scored` table."""
    if table.empty:
        return Backtest(asof=asof, count=0, hits=0, early=0, late=0, median_miss=math.nan)
    return Backtest(
        asof=asof,
        count=len(table),
        hits=int(table["hit"].sum()),
        early=int(table["early"].sum()),
        late=int(table["late"].sum()),
        median_miss=float(np.median(table["miss"].to_numpy())),
    )


def backtest(
    households: pd.DataFrame,
    blocks: pd.DataFrame,
    asof: date,
    *,
    history: pd.DataFrame | None = None,
    window_days: int | None = None,
) -> Backtest:
    """How this campaign's forecasts made before ``asof`` fared, using only data up to each of those days.

    Args:
        households: Households in scope (``block_id``, ``date_signed``, ``date_sealed``).
        blocks: ``block_id``, ``launch_date``, ``deadline``.
        asof: The day the back-test is made on.
        history: :func:`forecast_history` up to at least ``asof - 1`` (computed when None).
        window_days: Only forecasts made in the last so many days (None: all).
    """
    if history is None:
        history = forecast_history(households, blocks, asof - timedelta(days=1))
    finishes = finish_days(households, blocks, asof)
    return summarise(scored(history, finishes, asof, window_days=window_days), asof)


def calibration_on(history: pd.DataFrame, households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> forecast.Calibration:
    """The calibration a forecast made on ``asof`` uses: this campaign's residuals known that day, over the prior."""
    if history.empty:
        return forecast.Calibration()
    return forecast.calibration_from(*_Residuals(history, finish_days(households, blocks, asof)).on(asof))


# --- synthetic campaigns ------------------------------------------------------

_SYNTH_LAUNCH = date(2024, 3, 1)


def _logistic_days(rng: np.random.Generator, n: int, midpoint: float, scale: float, lo: int = 1) -> np.ndarray:
    u = rng.uniform(0.002, 0.998, n)
    return np.maximum(np.rint(midpoint + scale * np.log(u / (1 - u))), lo).astype(int)


def _block_signing(family: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Signing day (1 = launch) of each of ``n`` households for one block of ``family``."""
    if family == "fast_s":
        return _logistic_days(rng, n, midpoint=rng.uniform(10, 18), scale=rng.uniform(2.0, 3.5))
    if family in ("holdout_tail", "holdout_tail_6w"):
        mid = rng.uniform(18, 28)
        days = _logistic_days(rng, n, midpoint=mid, scale=rng.uniform(3, 5))
        # 8-15 % hold out past the top and are won over one by one for another 2-4 weeks (3-6 for the stress case).
        holdouts = rng.random(n) < rng.uniform(0.08, 0.15)
        spread = rng.uniform(15, 30) if family == "holdout_tail" else rng.uniform(20, 40)
        days[holdouts] = np.rint(mid + 6 + rng.uniform(0, spread, holdouts.sum())).astype(int)
        return days
    if family == "memoryless_tail":
        # Stress case, not asserted: holdouts whose wait is exponential (no memory, so no method can time the last one).
        mid = rng.uniform(18, 28)
        days = _logistic_days(rng, n, midpoint=mid, scale=rng.uniform(3, 5))
        holdouts = rng.random(n) < rng.uniform(0.06, 0.12)
        days[holdouts] = np.rint(mid + 10 + rng.exponential(rng.uniform(12, 20), holdouts.sum())).astype(int)
        return days
    if family == "stall_restart":
        mid = rng.uniform(20, 30)
        days = _logistic_days(rng, n, midpoint=mid, scale=rng.uniform(4, 6))
        stall_at, stall_len = int(mid - rng.uniform(0, 6)), int(rng.integers(10, 18))
        days[days >= stall_at] += stall_len  # nobody signs during the stall; the rest resume after it
        return days
    if family == "few_large":
        # A handful of institutional units, negotiated one after another by one team.
        start = rng.uniform(3, 10)
        return np.maximum(np.rint(start + np.cumsum(rng.gamma(3.0, rng.uniform(1.0, 2.0), n))), 1).astype(int)
    raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")


def synthetic_campaign(family: str, seed: int = 0, *, blocks: int = 4) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """A deterministic campaign of ``family`` that has finished: (households, blocks, last data day).

    Families: ``fast_s`` (a steep S-curve, done in about five weeks),
    ``holdout_tail`` (an S-curve, then 8–15 % holdouts won over one by one
    for another 2–4 weeks), ``stall_restart`` (an S-curve interrupted for 10–17 days just
    before its top), ``few_large`` (6–14 large non-residential units,
    negotiated one after another). Sealing follows signing by a geometric lag.
    Stress families, where the forecast is known to miss its targets:
    ``holdout_tail_6w`` (the holdouts' trickle lasts 3–6 weeks) and
    ``memoryless_tail`` (holdouts with exponential waits of 12–20 days).
    """
    rng = np.random.default_rng([(*FAMILIES, *STRESS_FAMILIES).index(family), seed])
    block_rows, frames = [], []
    for b in range(blocks):
        n = int(rng.integers(6, 15)) if family == "few_large" else int(rng.integers(120, 400))
        launch = _SYNTH_LAUNCH + timedelta(days=int(rng.integers(0, 12)))
        sign = _block_signing(family, rng, n)
        lag = rng.geometric(1 / 4, n) - 1
        seal = sign + lag
        bid = f"{family}-{b + 1}"
        block_rows.append({"block_id": bid, "name": bid, "launch_date": launch, "deadline": schema.deadline_for(launch)})
        base = pd.Timestamp(launch) - pd.Timedelta(days=1)
        frames.append(pd.DataFrame({
            "household_id": [f"{bid}-{i:04d}" for i in range(n)],
            "block_id": bid,
            "team_id": f"{bid}-t",
            "date_signed": base + pd.to_timedelta(sign, unit="D"),
            "date_sealed": base + pd.to_timedelta(seal, unit="D"),
        }))
    households = pd.concat(frames, ignore_index=True)
    last = max(households["date_sealed"].max(), households["date_signed"].max()).date()
    return households, pd.DataFrame(block_rows), last
