"""When will a block finish a stage? A forecast with an honest band.

One block, one stage (signed 签约 or sealed 封房): from the daily cumulative
count up to an as-of day, :func:`forecast_finish` gives the bootstrap's raw
P10/P50/P90 finish dates and status; :func:`forecast_path` the matching
band of cumulative counts. The board shows them calibrated (steps 3–4
below) through :func:`lib.metrics.block_forecasts`, the one entry point.

The method, and why. Two things make a block's finish hard to call; the
simulation takes both from the block's own data and fits no curve:

1. *Lumpy days.* A lottery signing day brings dozens, a quiet day none. The
   daily gains of the last :data:`WINDOW_DAYS` calendar days (zero days and
   weekends included) are resampled in runs of :data:`BLOCK_DAYS`
   consecutive days — a circular block bootstrap, so a surge or a lull that
   lasts a few days stays together — with weights that halve every
   :data:`HALF_LIFE_DAYS` days of age (recent days say most about the next
   ones). Summed, they are each path's *effort*: households closed at the
   recent fortnight's conditions. A steady pace gives a band of zero width.
2. *Holdouts.* On an S-curve the last households take longest: past the
   top, progress comes from households deciding, and the fewer are left,
   the fewer decide each day. Extrapolating the recent pace then misses the
   finish by a factor of about ln(remaining): on synthetic campaigns whose
   tail is driven by holdouts, a plain bootstrap's P10–P90 held the true
   finish only 1–3 % of the time. So the *holdout share* ``λ`` is read off
   the curve: 0 while the 7- and 14-day paces are at their peak, 1 once
   they have fallen to :data:`FULL_SLOWDOWN_RATIO` of it (the two spans
   give a low and a high reading; the paths spread evenly between them).
   Each remaining household then costs ``1 / μ(R)`` effort, with
   ``μ(R) = (1 - λ) + λ·R / R̄`` (``R`` households left, ``R̄`` left during
   the resampled days), and the last :data:`_EXACT_TAIL` households' costs
   are drawn at random (exponential for a pure holdout): the very last
   household's wait is the widest part of the band.

A path finishes on the first day its effort covers every remaining
household; P10/P50/P90 are order statistics of those days, so
P10 <= P50 <= P90 always. Runs are reproducible through ``seed``.

The raw band is not what the board shows. Measured on rolling back-tests
(a forecast every day of every block, scored once its finish is known),
the bootstrap's P10–P90 held the true finish about half the time and its
P50 missed by 7–25 days: it reads a young block's slow start as its pace,
a long steady tail as a slowdown, and cannot see an S-curve's top coming.
So the board's forecast is *calibrated* in two steps:

3. *Quantile models* (:func:`model_quantiles`). Three linear models of
   log(days to finish + 2) — one per band level, fitted by quantile
   regression (``python -m bench forecast --fit``) on synthetic campaign
   families (:func:`lib.backtest.synthetic_campaign`: fast S-curve, long
   holdout tail, stall and restart, a handful of large units) and other
   draws of the demo's generator — read the bootstrap's P50 with what the
   curve says about where the block stands (:func:`signals`: age, share
   done, households left, 7/14/28-day paces, idle days, active days).
4. *Conformal shift from the campaign's own past* (:func:`calibration_from`,
   :func:`lib.backtest.calibration_on`). The P10 and P90 edges move by the
   quantiles of this campaign's own residuals on forecasts of earlier days
   whose outcome is known (finished, or still open although P90 has
   passed), weighted ``k / (k + PRIOR_TRAJECTORIES)`` by the block-stages
   behind them, so with no history the prior stands. P50 is not shifted: a
   campaign's first finishers are its fast blocks, and learning the centre
   from them leans it early.

Sealing is then held not before signing (:func:`hold_not_before`), and
stalled while signing is; :func:`status_for` judges the held dates.

What it assumes: a block's progress is an S-curve-like path of the kinds
above; the next weeks resemble the recent ones; a campaign's blocks err
alike. ``python -m bench forecast`` measures it: band coverage 70–90 %
and P50 median miss ≤ 5 days on the demo and on held-out seeds of each
family. Where it fails: holdouts whose wait has no memory (exponential,
mean of two weeks or more: coverage under 30 %, misses of a month — no
pace-based method can time the last of them); a perfectly steady pace
(the models expect a tail and lean late, see the tests); a campaign shaped
unlike any family (a second wave after a finish, a policy change) until
its own outcomes have moved the band; the first days of a campaign, when
only the prior speaks. Read P90 as "at the pace and with the tails seen in
campaigns like this", not as a promise.

Everything dated after the as-of day is ignored, so any past day's board
shows the forecast exactly as that day's meeting saw it.

Definitions come from ``lib/metrics.py`` (docs/design.md): the pace window
(:func:`lib.metrics.pace_window`: 7 days, or since launch when younger) and
the required pace (:func:`lib.metrics.required_pace`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from lib.days import pace_window, required_pace
from lib.schema import STAGES

#: Days of recent gains resampled for the band (fewer for a younger series).
WINDOW_DAYS = 14
#: Consecutive days resampled together (circular block bootstrap).
BLOCK_DAYS = 3
#: Age in days at which a resampled day's weight has halved.
HALF_LIFE_DAYS = 7.0
#: Pace windows compared with their own peaks to detect an S-curve's top.
TREND_DAYS = (7, 14)
#: Pace (as a share of its peak) at which all remaining work counts as holdouts.
FULL_SLOWDOWN_RATIO = 0.5
#: The last households whose effort is drawn at random (the rest use the mean:
#: their randomness adds up to little, and drawing them costs time).
_EXACT_TAIL = 20
#: Holdout shares the paths spread over, evenly from the low to the high reading.
_HOLDOUT_LEVELS = 5
#: Blocks drawn per simulation chunk at first; paths are extended chunk by chunk.
_CHUNK_BLOCKS = (8, 8, 16, 32)
#: Resolution of the weighted block draws (a lookup table instead of a search).
_DRAW_TABLE = 4096

STATUS_FINISHED = "finished"
STATUS_ON_TRACK = "on_track"
STATUS_AT_RISK = "at_risk"
STATUS_LATE = "late"
STATUS_STALLED = "stalled"
STATUS_NO_DATA = "no_data"
#: Every status :func:`forecast_finish` can return (keys for i18n and colours).
STATUSES: tuple[str, ...] = (
    STATUS_FINISHED,
    STATUS_ON_TRACK,
    STATUS_AT_RISK,
    STATUS_LATE,
    STATUS_STALLED,
    STATUS_NO_DATA,
)
#: Statuses that come with finish dates and a band.
PROJECTED_STATUSES: tuple[str, ...] = (STATUS_ON_TRACK, STATUS_AT_RISK, STATUS_LATE)

PATH_COLUMNS = ["date", "p10", "p50", "p90"]
_PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class Forecast:
    """The forecast for one block and one stage as of one day.

    Status rules, first match wins:

    * ``no_data`` — nothing in scope (``total == 0``) or nothing recorded at
      this stage by ``asof`` (empty series, or the count is still 0): there
      is no pace to project from. ``required_pace`` still says what is needed.
    * ``finished`` — the count reached ``total`` on ``finished_on <= asof``.
    * ``stalled`` — no gain in the last 7 days while households remain: no
      projection is made (it would divide by zero); finish dates are None.
    * ``on_track`` — P90 finish <= deadline.
    * ``at_risk`` — P50 <= deadline < P90.
    * ``late`` — P50 > deadline (always, once the deadline has passed with
      households remaining).

    On a projected status a finish percentile of None means "beyond the
    simulation horizon", which always lies after the deadline.

    Attributes:
        stage: The stage forecast, e.g. ``"signed"`` or ``"sealed"``.
        total: Households in scope.
        done: Cumulative count on ``asof``.
        remaining: ``total - done``.
        pace_7d: Mean daily gain over the 7 days ``asof-6 .. asof``.
        required_pace: Daily pace that finishes on the deadline, see
            :func:`lib.metrics.required_pace` (None once the deadline has passed
            with households remaining).
        finish_p10: Optimistic finish: 10 % of simulated paths finish by it.
        finish_p50: Median finish.
        finish_p90: Cautious finish: 90 % of simulated paths finish by it.
        finished_on: Day the count first reached ``total`` (<= asof), else None.
        status: One of :data:`STATUSES`.
        asof: The as-of day the forecast was made for.
        deadline: The block's deadline (day 100).
        n_sims: Simulated paths, kept so :func:`forecast_path` redraws them.
        seed: Random seed of the simulation.
        horizon_days: Days simulated after ``asof`` (at least to the deadline).
    """

    stage: str
    total: int
    done: int
    remaining: int
    pace_7d: float
    required_pace: float | None
    finish_p10: date | None
    finish_p50: date | None
    finish_p90: date | None
    finished_on: date | None
    status: str
    asof: date
    deadline: date
    n_sims: int
    seed: int
    horizon_days: int


def forecast_finish(
    cumulative: pd.Series,
    *,
    total: int,
    asof: date,
    deadline: date,
    stage: str,
    n_sims: int = 2000,
    seed: int = 0,
    horizon_days: int = 365,
    changes: Sequence[PaceChange] = (),
) -> Forecast:
    """Forecast when a block finishes a stage, with a P10–P90 band.

    Args:
        cumulative: Cumulative households at ``stage``, indexed by calendar
            date; a missing day (or NaN) means no change. Start it at the
            block's launch: its first entry is taken as the launch and days
            before it count as zero gain. Entries after ``asof`` are ignored.
        total: Households in scope (>= the count on ``asof``).
        asof: The day the forecast is made on.
        deadline: The block's deadline (day 100), not before the series start.
        stage: Stage name, one of ``lib.schema.STAGES``.
        n_sims: Simulated paths (>= 1).
        seed: Random seed; the same inputs and seed give the same forecast.
        horizon_days: Days simulated after ``asof`` (>= 1), extended to the
            deadline if that is later; a percentile whose paths have not
            finished by then is None ("beyond horizon").
        changes: What-if changes to the simulated future gains (see
            :class:`PaceChange`); none (the default) is the plain forecast.

    Returns:
        The :class:`Forecast`; see its docstring for the status rules.

    Raises:
        ValueError: On a negative ``total``, an unknown ``stage``, ``asof``
            before the first entry, ``deadline`` before the first entry (the
            launch), a count that decreases, is negative, not whole or above
            ``total`` on ``asof``, or an index that is not dates.
    """
    asof_day = _as_date(asof, "asof")
    deadline_day = _as_date(deadline, "deadline")
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
    days, counts = _daily_counts(cumulative)
    days_left = (deadline_day - asof_day).days
    horizon = max(horizon_days, days_left)

    def result(done: int, pace: float, status: str, **dates: date | None) -> Forecast:
        return Forecast(
            stage=stage,
            total=total,
            done=done,
            remaining=total - done,
            pace_7d=pace,
            required_pace=required_pace(total - done, deadline_day, asof_day),
            finish_p10=dates.get("p10"),
            finish_p50=dates.get("p50"),
            finish_p90=dates.get("p90"),
            finished_on=dates.get("finished_on"),
            status=status,
            asof=asof_day,
            deadline=deadline_day,
            n_sims=n_sims,
            seed=seed,
            horizon_days=horizon,
        )

    if days.size == 0:
        return result(0, 0.0, STATUS_NO_DATA)
    start, asof_n = int(days[0]), _day_number(asof_day)
    if asof_n < start:
        raise ValueError(f"asof {asof_day} is before the series start {_to_date(start)}: nothing to forecast from")
    if _day_number(deadline_day) < start:
        raise ValueError(f"deadline {deadline_day} is before the series start (launch) {_to_date(start)}")
    known = days <= asof_n
    days, counts = days[known], counts[known]
    done = int(counts[-1])
    if done > total:
        raise ValueError(f"cumulative count {done} on {asof_day} exceeds total {total}")
    pace_days = pace_window(_to_date(start), asof_day)  # the one definition (lib.metrics)
    pace = (done - int(_count_on(days, counts, asof_n - pace_days))) / pace_days

    if total == 0 or done == 0:
        return result(done, pace, STATUS_NO_DATA)
    if done == total:
        return result(done, pace, STATUS_FINISHED, finished_on=_to_date(int(days[np.argmax(counts >= total)])))
    if pace == 0:
        return result(done, pace, STATUS_STALLED)

    model = _fit(days, counts, asof_n, total)
    needed = _effort_thresholds(model, total - done, n_sims, seed).to_finish()
    if changes:
        finish_days = _changed_finish_days(model, needed, n_sims, seed, horizon, changes)
    else:
        finish_days = _finish_days(model, needed, n_sims, seed, horizon)
    offsets = [_finish_percentile(finish_days, p) for p in _PERCENTILES]
    p10, p50, p90 = (None if k is None else asof_day + timedelta(days=k) for k in offsets)
    if offsets[2] is not None and offsets[2] <= days_left:
        status = STATUS_ON_TRACK
    elif offsets[1] is not None and offsets[1] <= days_left:
        status = STATUS_AT_RISK
    else:
        status = STATUS_LATE
    return result(done, pace, status, p10=p10, p50=p50, p90=p90)


def forecast_path(cumulative: pd.Series, fc: Forecast, changes: Sequence[PaceChange] = ()) -> pd.DataFrame:
    """The band of projected cumulative counts behind a forecast, for a chart.

    Redraws the simulation of ``fc`` (same seed) and, for each day from
    ``asof`` to the P90 finish (or the horizon when that is beyond it),
    takes the count curves that first reach ``total`` exactly on
    ``finish_p10``, ``finish_p50`` and ``finish_p90``: column ``p10`` is the
    optimistic (upper) curve, ``p90`` the cautious (lower) one. The first row
    is ``asof`` itself with the observed count, so the band joins the curve.

    Args:
        cumulative: The series ``fc`` was computed from (later data ignored).
        fc: A forecast from :func:`forecast_finish`.
        changes: The what-if changes ``fc`` was made with (see :class:`PaceChange`).

    Returns:
        Columns ``date`` (datetime64), ``p10``, ``p50``, ``p90`` (int64);
        empty with those columns when there is no projection (finished,
        stalled, no data).

    Raises:
        ValueError: If ``cumulative`` does not give ``fc.done`` on ``fc.asof``.
    """
    if fc.status not in PROJECTED_STATUSES:
        return pd.DataFrame(
            {"date": pd.Series(dtype="datetime64[ns]"), **{c: pd.Series(dtype="int64") for c in PATH_COLUMNS[1:]}}
        )
    days, counts = _daily_counts(cumulative)
    asof_n = _day_number(fc.asof)
    known = days <= asof_n
    days, counts = days[known], counts[known]
    done = int(counts[-1]) if days.size else 0
    if done != fc.done:
        raise ValueError(f"cumulative gives {done} on {fc.asof} but the forecast was made with done={fc.done}")
    last = fc.horizon_days if fc.finish_p90 is None else (fc.finish_p90 - fc.asof).days
    model = _fit(days, counts, asof_n, fc.total)
    runs = _runs(model)
    gains = np.empty((fc.n_sims, last + _CHUNK_BLOCKS[-1] * 2 * runs.shape[1]), dtype=np.int64)
    filled = 0
    for starts in _block_draws(model, fc.n_sims, fc.seed):
        width = starts.shape[1] * runs.shape[1]
        gains[:, filled : filled + width] = runs[starts].reshape(fc.n_sims, width)
        filled += width
        if filled >= last:
            break
    effort = _changed_effort(gains[:, :last], changes) if changes else np.cumsum(gains[:, :last], axis=1)
    closed = _effort_thresholds(model, fc.remaining, fc.n_sims, fc.seed).closed(effort)
    ranks = [fc.n_sims - _paths_needed(fc.n_sims, p) for p in _PERCENTILES]
    by_day = np.partition(np.ascontiguousarray(closed.T), sorted(set(ranks)), axis=1)
    bands = by_day[:, ranks].T + fc.done
    frame = pd.DataFrame({"date": pd.date_range(pd.Timestamp(fc.asof), periods=last + 1, freq="D")})
    for column, band in zip(PATH_COLUMNS[1:], bands, strict=True):
        frame[column] = np.concatenate([[fc.done], band]).astype(np.int64)
    return frame


# --- internals -------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """What the simulation needs from a block's history.

    Attributes:
        pool: Daily gains of the resampled window, oldest first.
        weights: Draw probabilities of the circular blocks, by start day.
        holdout_share: Low and high reading of ``λ`` in [0, 1], the share of
            the remaining work that slows as households run out (0 while
            the pace is at its peak).
        left_in_pool: ``R̄``, households left on an average resampled day.
    """

    pool: np.ndarray
    weights: np.ndarray
    holdout_share: tuple[float, float]
    left_in_pool: float


def _fit(days: np.ndarray, counts: np.ndarray, asof_n: int, total: int) -> _Model:
    """Resampling window, block weights and holdout share from the history up to ``asof``."""
    start = int(days[0])
    # Days before the series start are not campaign days: a young block
    # resamples only the days it has had.
    width = min(WINDOW_DAYS, asof_n - start + 1)
    window = np.arange(asof_n - width + 1, asof_n + 1)
    before = np.asarray(_count_on(days, counts, window - 1))
    pool = np.asarray(_count_on(days, counts, window)) - before
    run = min(BLOCK_DAYS, width)
    block_ends = (np.arange(width) + run - 1) % width  # wrapped blocks end on the oldest days
    weights = 0.5 ** ((width - 1 - block_ends) / HALF_LIFE_DAYS)
    day_weights = 0.5 ** ((width - 1 - np.arange(width)) / HALF_LIFE_DAYS)
    left_in_pool = float(np.average(total - before, weights=day_weights))

    # How far the pace has fallen from its peak, over a week and over a
    # fortnight: the week sees a slowdown first, the fortnight is steadier.
    history = np.arange(start, asof_n + 1)
    done_by = np.asarray(_count_on(days, counts, history))
    shares = []
    for span in TREND_DAYS:
        paces = done_by - np.asarray(_count_on(days, counts, history - span))
        shares.append(float(np.clip((1.0 - paces[-1] / paces.max()) / (1.0 - FULL_SLOWDOWN_RATIO), 0.0, 1.0)))
    return _Model(pool, weights / weights.sum(), (min(shares), max(shares)), left_in_pool)


def _block_draws(model: _Model, n_sims: int, seed: int) -> Iterator[np.ndarray]:
    """Endless chunks of drawn block starts, shape (n_sims, blocks in the chunk).

    Block ``s`` is the run of :data:`BLOCK_DAYS` resampled days starting on
    window day ``s`` (see :func:`_runs`). Chunks grow (:data:`_CHUNK_BLOCKS`,
    then 64 blocks each) so a block that finishes soon costs little. Every
    chunk is drawn for all paths on a fixed schedule, so the stream depends
    only on the seed: :func:`forecast_finish` and :func:`forecast_path` see
    the same paths however far each of them looks.
    """
    # Weighted draws through a lookup table (weights to 1/_DRAW_TABLE): a
    # gather is several times faster than a binary search per draw.
    table = np.searchsorted(np.cumsum(model.weights), (np.arange(_DRAW_TABLE) + 0.5) / _DRAW_TABLE, side="right")
    table = np.minimum(table, model.pool.size - 1).astype(np.intp)
    rng = np.random.default_rng(seed)
    for n_blocks in itertools.chain(_CHUNK_BLOCKS, itertools.repeat(_CHUNK_BLOCKS[-1] * 2)):
        yield table[rng.integers(0, _DRAW_TABLE, size=(n_sims, n_blocks))]


def _runs(model: _Model) -> np.ndarray:
    """Row ``s``: the daily gains of the circular block starting on window day ``s``."""
    width = model.pool.size
    return model.pool[(np.arange(width)[:, None] + np.arange(min(BLOCK_DAYS, width))) % width]


@dataclass(frozen=True)
class _Thresholds:
    """Summed gain at which each path closes each remaining household.

    Path ``i`` uses holdout level ``level[i]``: its first households'
    thresholds are that level's expected costs (``shared[level[i]]``), its
    last ``k <= _EXACT_TAIL`` are its own draws (``drawn[i]``). All whole
    numbers: gains are whole households, so a threshold is rounded up to the
    summed gain that first reaches it, and :func:`forecast_finish` and
    :func:`forecast_path` compare exactly the same numbers.
    """

    level: np.ndarray
    shared: np.ndarray
    drawn: np.ndarray

    def to_finish(self) -> np.ndarray:
        """Per path, the summed gain that closes the last household."""
        if self.drawn.shape[1]:
            return self.drawn[:, -1]
        return self.shared[self.level, -1]

    def closed(self, effort: np.ndarray) -> np.ndarray:
        """Households closed by each path on each day, from its summed gains.

        Args:
            effort: Shape (n_sims, days), each row non-decreasing.
        """
        n, n_days = effort.shape
        top = int(effort.max())
        # Shared thresholds: a table from every whole effort 0..top to households closed.
        tables = np.stack([np.searchsorted(t, np.arange(top + 1), side="right") for t in self.shared])
        closed = tables[self.level[:, None], effort]
        if k := self.drawn.shape[1]:
            # Own thresholds: the day each path reaches each of them, found in
            # one search by lifting path i's numbers by i·(top + 2), then
            # counted and summed along the days.
            lift = np.arange(n, dtype=np.int64)[:, None] * (top + 2)
            at = np.searchsorted((effort + lift).ravel(), (np.minimum(self.drawn, top + 1) + lift).ravel())
            on_day = at.reshape(n, k) - np.arange(n)[:, None] * n_days  # n_days: not within the path
            per_day = np.bincount((on_day + np.arange(n)[:, None] * (n_days + 1)).ravel(), minlength=n * (n_days + 1))
            closed += np.cumsum(per_day.reshape(n, n_days + 1)[:, :n_days], axis=1)
        return closed


def _effort_thresholds(model: _Model, remaining: int, n_sims: int, seed: int) -> _Thresholds:
    """Draw how much summed gain each path needs for each remaining household.

    The holdout share is uncertain, so paths spread evenly over
    :data:`_HOLDOUT_LEVELS` levels from its low to its high reading (the 14-
    and the 7-day pace against their peaks), and the band covers both.
    Household number ``R`` (counted down from ``remaining``) costs
    ``1 / μ(R)`` on average, ``μ(R) = (1 - λ) + λ·R / R̄``; its draw is a
    gamma whose squared coefficient of variation is the holdout share of
    its rate, ``λ·R / R̄ / μ(R)`` (exponential for a pure holdout).
    """
    lam_lo, lam_hi = model.holdout_share
    if lam_hi == 0:
        return _Thresholds(
            level=np.zeros(n_sims, dtype=np.int64),
            shared=np.arange(1, remaining + 1, dtype=np.int64)[None, :],
            drawn=np.empty((n_sims, 0), dtype=np.int64),
        )
    levels = lam_lo + (lam_hi - lam_lo) * np.arange(_HOLDOUT_LEVELS) / max(_HOLDOUT_LEVELS - 1, 1)
    level = np.arange(n_sims) % _HOLDOUT_LEVELS
    left = np.arange(remaining, 0, -1, dtype=np.float64)
    hazard = levels[:, None] * left / model.left_in_pool
    rate = (1.0 - levels[:, None]) + hazard
    split = max(remaining - _EXACT_TAIL, 0)
    shared = np.cumsum(1.0 / rate[:, :split], axis=1)
    tail_hazard = hazard[level, split:]
    mean_cost = 1.0 / rate[level, split:]
    # A level with no holdouts (λ = 0) has no randomness of its own: cost 1.
    shape = np.divide(rate[level, split:], tail_hazard, out=np.ones_like(mean_cost), where=tail_hazard > 0)
    draws = np.random.default_rng([seed, 1]).gamma(shape, mean_cost / shape)
    draws = np.where(tail_hazard > 0, draws, mean_cost)
    offset = shared[level, -1][:, None] if split else 0.0
    return _Thresholds(
        level=level,
        shared=np.ceil(shared).astype(np.int64),
        drawn=np.ceil(offset + np.cumsum(draws, axis=1)).astype(np.int64),
    )


def _finish_days(model: _Model, effort_needed: np.ndarray, n_sims: int, seed: int, horizon: int) -> np.ndarray:
    """Day (1 = the day after asof) each path's summed gains reach its ``effort_needed``.

    Works a block (several days) at a time and finds the day inside the
    crossing block afterwards. Stops as soon as the P90 is known: paths
    still running then finish after every finished one, so their days (and
    those of paths beyond the horizon) are left as inf.
    """
    runs = _runs(model)
    run_totals = runs.sum(axis=1)
    enough = _paths_needed(n_sims, _PERCENTILES[-1])
    finish = np.full(n_sims, np.inf)
    reached = np.zeros(n_sims, dtype=np.int64)
    elapsed = 0  # days simulated so far
    for starts in _block_draws(model, n_sims, seed):
        progress = reached[:, None] + np.cumsum(run_totals[starts], axis=1)
        newly = np.flatnonzero(np.isinf(finish) & (progress[:, -1] >= effort_needed))
        if newly.size:
            block = np.argmax(progress[newly] >= effort_needed[newly, None], axis=1)
            before = progress[newly, block] - run_totals[starts[newly, block]]
            inside = before[:, None] + np.cumsum(runs[starts[newly, block]], axis=1)
            day = np.argmax(inside >= effort_needed[newly, None], axis=1)
            finish[newly] = elapsed + block * runs.shape[1] + day + 1
        reached = progress[:, -1]
        elapsed += starts.shape[1] * runs.shape[1]
        if elapsed >= horizon or np.count_nonzero(np.isfinite(finish)) >= enough:
            break
    finish[finish > horizon] = np.inf
    return finish


def _paths_needed(n_sims: int, percentile: int) -> int:
    """Paths that must have finished for a percentile: ceil(p % of n), at least 1."""
    return max(1, -(-percentile * n_sims // 100))


def _finish_percentile(finish_days: np.ndarray, percentile: int) -> int | None:
    """First day by which ``percentile`` % of paths have finished (None if beyond horizon).

    The inverted empirical CDF: a day some path really finished on, never an
    interpolation, so P10 <= P50 <= P90 and a steady pace gives one date.
    """
    k = _paths_needed(finish_days.size, percentile) - 1
    day = np.partition(finish_days, k)[k]
    return None if math.isinf(day) else int(day)


def _as_date(value: date, name: str) -> date:
    """A plain ``datetime.date`` from a date, datetime or Timestamp."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{name} must be a date, got {value!r}")


def _day_number(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _to_date(day_number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day_number)


def _count_on(days: np.ndarray, counts: np.ndarray, day_numbers: np.ndarray | int) -> np.ndarray:
    """Cumulative count at the end of each day (0 before the first entry)."""
    pos = np.searchsorted(days, day_numbers, side="right") - 1
    return np.where(pos >= 0, counts[np.maximum(pos, 0)], 0)


def _daily_counts(cumulative: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Validated (day numbers since 1970, counts), both int64 and sorted by day."""
    empty = np.array([], dtype=np.int64)
    if len(cumulative) == 0:
        return empty, empty
    index = cumulative.index
    if not isinstance(index, pd.DatetimeIndex):  # e.g. datetime.date objects
        if pd.api.types.is_numeric_dtype(index.dtype):
            raise ValueError(f"cumulative must be indexed by date, got a {index.dtype} index")
        try:
            index = pd.DatetimeIndex(pd.to_datetime(index))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cumulative must be indexed by date: {exc}") from exc
    if index.hasnans:
        raise ValueError("cumulative has an entry without a date (NaT)")
    if index.tz is not None:
        index = index.tz_localize(None)
    days = index.to_numpy().astype("datetime64[D]").astype(np.int64)
    if pd.api.types.is_numeric_dtype(cumulative.dtype):
        values = cumulative.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(cumulative, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if (garbled := np.isnan(values) & cumulative.notna().to_numpy()).any():
            raise ValueError(f"cumulative values must be numbers, got {cumulative[garbled].iloc[0]!r}")
    if np.isnan(values).any():  # a missing count is a day without a recorded change
        keep = ~np.isnan(values)
        days, values = days[keep], values[keep]
        if not days.size:
            return empty, empty
    order = np.argsort(days, kind="stable")
    days, values = days[order], values[order]
    if (same := days[1:] == days[:-1]).any():
        raise ValueError(f"cumulative has two entries for {_to_date(int(days[1:][same][0]))}")
    if (fractional := values != np.round(values)).any():
        raise ValueError(f"cumulative counts must be whole numbers, got {values[fractional][0]:g}")
    if values[0] < 0:
        raise ValueError(f"cumulative counts must be >= 0, got {values[0]:g} on {_to_date(int(days[0]))}")
    if (drops := np.diff(values) < 0).any():
        i = int(np.argmax(drops)) + 1
        raise ValueError(
            f"cumulative decreases on {_to_date(int(days[i]))}: {values[i - 1]:g} -> {values[i]:g}"
            " (it must be non-decreasing)"
        )
    return days, values.astype(np.int64)


# --- calibration -------------------------------------------------------------

#: Days added to both sides of the log ratio, so a forecast one day out is not a ratio to zero.
RESIDUAL_OFFSET_DAYS = 2.0
#: Raw P50s beyond the horizon enter the model as this many days; calibrated days past it are "beyond horizon".
HORIZON_CAP_DAYS = 365.0
#: Band levels the quantile models are fitted for.
QUANTILE_LEVELS: tuple[float, float, float] = (0.1, 0.5, 0.9)
#: Linear quantile models of log(days to finish + c), one per level of :data:`QUANTILE_LEVELS`,
#: over :func:`_features`; fitted by ``python -m bench forecast --fit`` on the synthetic
#: families' training seeds (the benchmark scores other seeds and the demo).
QUANTILE_COEFFICIENTS: tuple[tuple[float, ...], ...] = (
    (2.3589, -0.0344, -0.2310, -5.3467, 1.9995, -0.0008, -1.9604, 0.2014, 0.8421, 0.1202, 0.0626, -0.1535, 0.1047, 0.0684, 0.0321, -0.1207, 1.9837, 0.6689, 0.0237, 0.0973, -0.0731, -0.1369, 0.0700, -0.2582, 0.1527, 0.0793, 1.0975, -0.0445, -0.1877),
    (2.4774, 0.1587, -0.0846, -3.9217, 1.2593, 0.0295, -1.2589, 0.2742, 0.6144, 0.0848, 0.0267, -0.1553, 0.1443, 0.0499, -0.0093, -0.2355, 1.2328, 0.6018, 0.0328, 0.0971, -0.0734, -0.0950, -0.0484, -0.2996, 0.2262, 0.1268, 0.9250, -0.0084, -0.1565),
    (3.0889, 0.3351, 0.1724, -1.0389, 2.7606, 0.0564, -2.1252, 0.1793, 0.0383, -0.0645, -0.0422, -0.1398, 0.0346, 0.0404, 0.0139, -0.1928, 2.0718, 0.2939, 0.0338, 0.0598, -0.0471, -0.1013, -0.0510, -0.1744, 0.2067, 0.1083, 0.3959, -0.0541, -0.0581),
)
# demo_like: in-sample band 0.804, below P50 0.491
# fast_s: in-sample band 0.780, below P50 0.676
# few_large: in-sample band 0.774, below P50 0.520
# holdout_tail: in-sample band 0.884, below P50 0.463
# stall_restart: in-sample band 0.748, below P50 0.351
# demo_like: in-sample band 0.798, below P50 0.463
# fast_s: in-sample band 0.792, below P50 0.691
# few_large: in-sample band 0.761, below P50 0.552
# holdout_tail: in-sample band 0.884, below P50 0.446
# stall_restart: in-sample band 0.754, below P50 0.349
#: The models' band (P10, P90 around P50, in log days) is scaled by this before the campaign's own shift:
#: fitted at 10 / 90 % in-sample, it held the finish slightly more often than 80 % on held-out seeds.
BAND_SCALE = 0.95
#: Weight of the prior (no shift), in block-stages: a campaign's own past moves the band as its outcomes accumulate.
PRIOR_TRAJECTORIES = 30.0


#: Names of the signals the quantile models read (see :func:`signals`).
SIGNALS: tuple[str, ...] = ("raw_p50", "age", "done", "total", "sealed", "linear_7", "linear_14", "linear_28", "idle", "active_14")


def signals(daily_counts: np.ndarray, total: int, sealed: bool, raw_p50: float) -> dict[str, float]:
    """What the quantile models read about one block and stage on one day.

    Args:
        daily_counts: The cumulative count on every day from the launch (index 0) to the as-of day.
        total: Households in scope.
        sealed: True for the sealing stage.
        raw_p50: The bootstrap's P50 in days after the as-of day (inf beyond its horizon).

    Returns:
        ``raw_p50``; ``age`` (days since launch, launch day = 1); ``done``;
        ``total``; ``sealed`` (1.0/0.0); ``linear_7``/``_14``/``_28``: days
        to finish at the mean pace of the last 7 / 14 / 28 days (of the block's
        age when younger; capped); ``idle``: days since the last gain;
        ``active_14``: days with a gain among the last 14.
    """
    counts = np.asarray(daily_counts)
    age = counts.size
    done = int(counts[-1]) if age else 0
    left = total - done

    def linear(span: int) -> float:
        span = min(span, age)
        before = int(counts[-span - 1]) if age > span else 0
        gain = (done - before) / span
        return HORIZON_CAP_DAYS if gain <= 0 else min(left / gain, HORIZON_CAP_DAYS)

    moved = np.flatnonzero(np.diff(np.concatenate([[0], counts])) > 0)
    idle = float(age - 1 - moved[-1]) if moved.size else float(age)
    active = float(np.count_nonzero(moved >= age - 14))
    return {"raw_p50": raw_p50, "age": float(age), "done": float(done), "total": float(total),
            "sealed": float(sealed), "linear_7": linear(7), "linear_14": linear(14), "linear_28": linear(28), "idle": idle,
            "active_14": active}


def _features(sig: dict[str, np.ndarray]) -> np.ndarray:
    """Design matrix of the quantile models from :func:`signals` (each an array)."""
    c = RESIDUAL_OFFSET_DAYS

    def log_days(name: str) -> np.ndarray:
        return np.log(np.minimum(np.asarray(sig[name], dtype=float), HORIZON_CAP_DAYS) + c)

    done, total = np.asarray(sig["done"], dtype=float), np.asarray(sig["total"], dtype=float)
    f = done / total
    lr, l7, l14, l28 = log_days("raw_p50"), log_days("linear_7"), log_days("linear_14"), log_days("linear_28")
    la = np.log(np.maximum(np.asarray(sig["age"], dtype=float), 1.0))
    l1f = np.log(1.0 - f + 1e-3)
    left = np.log(np.maximum(total - done, 1.0))
    idle = np.log1p(np.asarray(sig["idle"], dtype=float))
    lt = np.log(total)
    act = np.log1p(np.asarray(sig["active_14"], dtype=float))
    return np.column_stack([
        np.ones_like(lr), lr, la, f, l1f, np.asarray(sig["sealed"], dtype=float) * np.ones_like(lr), left,
        lr * f, la * f, la * l1f, lr * la, l7, l28, idle, l7 * f, l28 * f, lt, lt * f, lt * l1f, lt * l7, lt * lr, idle * f,
        l14, l7 - l28, (l7 - l28) * f, l14 * l1f, act, act * l1f, act * lt,
    ])


def model_quantiles(sig: dict[str, np.ndarray]) -> np.ndarray:
    """Shape (n, 3): the models' P10, P50, P90 of log(days to finish + c), from :func:`signals` arrays.

    The models correct what the bootstrap alone gets wrong: a young block's
    slow start read as its pace, a long steady tail read as a slowdown, a
    pause read as a stop; the paces over 7 and 28 days and the days since
    the last gain tell those apart.
    """
    return _features(sig) @ np.asarray(QUANTILE_COEFFICIENTS).T


def residuals(sig: dict[str, np.ndarray], truth: np.ndarray) -> np.ndarray:
    """Shape (n, 3): log(true days to finish + c) minus each quantile model, for known outcomes."""
    y = np.log(np.asarray(truth, dtype=float) + RESIDUAL_OFFSET_DAYS)
    return y[:, None] - model_quantiles(sig)


@dataclass(frozen=True)
class Calibration:
    """Shifts (log days) of the P10, P50 and P90 models, and how many of this campaign's own residuals set them."""

    shifts: tuple[float, float, float] = (0.0, 0.0, 0.0)
    own: int = 0

    def offsets(self, sig: dict[str, float]) -> tuple[float, float, float]:
        """Calibrated P10, P50, P90 as whole days after the forecast day (>= 1, ordered; inf past the cap)."""
        q = model_quantiles({k: np.array([v], dtype=float) for k, v in sig.items()})[0]
        q = q[1] + BAND_SCALE * (q - q[1])
        lo, med, hi = sorted(math.exp(v + s) - RESIDUAL_OFFSET_DAYS for v, s in zip(q, self.shifts, strict=True))
        out = (max(1.0, math.floor(lo)), max(1.0, float(round(med))), max(1.0, math.ceil(hi)))
        return tuple(math.inf if v > HORIZON_CAP_DAYS else v for v in out)  # type: ignore[return-value]


def calibration_from(own_residuals: np.ndarray, trajectories: int | None = None) -> Calibration:
    """Conformal shifts of P10 and P90 from this campaign's own residuals (:func:`residuals`), shrunk towards none.

    Each band edge's shift is its level's quantile of its model's residuals
    (what would have made the past band hold 10 / 90 %), weighted
    ``k / (k + PRIOR_TRAJECTORIES)`` with ``k`` the block-stages the
    residuals come from (a block's forecasts on consecutive days are one
    story told many times, not many stories): with no history the
    synthetic prior stands. P50 is not shifted — a campaign's first
    finishers are its fast blocks, and learning the centre from them leans
    it early.

    Args:
        own_residuals: Shape (n, 3).
        trajectories: Distinct block-stages behind them (default: n / 10).
    """
    r = np.asarray(own_residuals, dtype=float).reshape(-1, 3)
    n = int(r.shape[0])
    if n == 0:
        return Calibration()
    k = n / 10 if trajectories is None else trajectories
    w = k / (k + PRIOR_TRAJECTORIES)
    shifts = tuple(
        0.0 if level == 0.5 else float(w * np.quantile(r[:, i], level)) for i, level in enumerate(QUANTILE_LEVELS)
    )
    return Calibration(shifts=shifts, own=n)  # type: ignore[arg-type]


def hold_not_before(
    sealed: tuple[float, float, float], signed_status: str, signed: tuple[float, float, float]
) -> tuple[float, float, float] | None:
    """Sealing's band as shown: never before signing's, and no projection while signing has none.

    A household is sealed only after it signs, and the two stages are
    forecast separately, so each sealing quantile is raised to signing's
    (days after the forecast day; inf = beyond the horizon). When signing
    is stalled or has no data, sealing cannot be dated either: None.

    Args:
        sealed: Sealing's P10, P50, P90 offsets.
        signed_status: Signing's status on the same day.
        signed: Signing's P10, P50, P90 offsets (ignored unless projected).
    """
    if signed_status in PROJECTED_STATUSES:
        return tuple(max(a, b) for a, b in zip(sealed, signed, strict=True))  # type: ignore[return-value]
    if signed_status == STATUS_FINISHED:
        return sealed
    return None


def status_for(p50: date | None, p90: date | None, deadline: date, asof: date) -> str:
    """The status of a projected finish against the deadline (None = beyond the horizon).

    ``on_track`` when P90 <= deadline, ``at_risk`` when P50 <= deadline < P90,
    ``late`` when P50 > deadline — always once the deadline has passed with
    households remaining.
    """
    if asof >= deadline:
        return STATUS_LATE
    if p90 is not None and p90 <= deadline:
        return STATUS_ON_TRACK
    if p50 is not None and p50 <= deadline:
        return STATUS_AT_RISK
    return STATUS_LATE


# --- what-if hooks (lib/scenarios.py) ----------------------------------------
# The what-if page runs this same simulation with its levers applied to the
# simulated future gains; with no changes every function below reproduces
# the plain forecast's paths exactly.


@dataclass(frozen=True)
class PaceChange:
    """A change to a block's simulated daily gains from one day on.

    From day ``start`` after the as-of day (1 = tomorrow) each path's
    resampled gain is multiplied by ``factor`` and ``added`` households a day
    are added (e.g. a team moved in, at its own measured capacity). Several
    changes compound: factors multiply, additions add up.
    """

    start: int = 1
    factor: float = 1.0
    added: float = 0.0


def _changed_effort(gains: np.ndarray, changes: Sequence[PaceChange]) -> np.ndarray:
    """Summed effort per path and day with ``changes`` applied, floored to whole households.

    Thresholds are whole numbers, so flooring decides exactly as the plain
    sum does (a tiny tolerance absorbs float sums such as 3 × 1/3).
    """
    factor, added = _day_levers(changes, gains.shape[1])
    return np.floor(np.cumsum(gains * factor + added, axis=1) + 1e-9).astype(np.int64)


def _simulated_gains(model: _Model, n_sims: int, seed: int, n_days: int) -> np.ndarray:
    """Each path's resampled daily gains for ``n_days`` days (the same stream as the forecast's)."""
    runs = _runs(model)
    parts, filled = [], 0
    for starts in _block_draws(model, n_sims, seed):
        parts.append(runs[starts].reshape(n_sims, -1))
        filled += parts[-1].shape[1]
        if filled >= n_days:
            break
    return np.concatenate(parts, axis=1)[:, :n_days]


def _day_levers(changes: Sequence[PaceChange], n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per simulated day (index 0 = tomorrow): the factor on the gains and the households added."""
    factor, added = np.ones(n_days), np.zeros(n_days)
    for change in changes:
        first = max(change.start, 1) - 1
        factor[first:] *= change.factor
        added[first:] += change.added
    return factor, added


def _changed_finish_days(
    model: _Model, effort_needed: np.ndarray, n_sims: int, seed: int, horizon: int, changes: Sequence[PaceChange],
) -> np.ndarray:
    """Like :func:`_finish_days` with ``changes`` applied, every path followed to the horizon (inf beyond).

    Chunk by chunk of the same block draws, only the paths still running
    are carried on, so a sample costs about what the plain forecast does.
    """
    runs = _runs(model)
    factor, added = _day_levers(changes, horizon)
    finish = np.full(n_sims, np.inf)
    carried = np.zeros(n_sims)
    alive = np.arange(n_sims)
    elapsed = 0
    for starts in _block_draws(model, n_sims, seed):
        width = min(starts.shape[1] * runs.shape[1], horizon - elapsed)
        gains = runs[starts[alive]].reshape(alive.size, -1)[:, :width]
        days = slice(elapsed, elapsed + width)
        effort = carried[alive, None] + np.cumsum(gains * factor[days] + added[days], axis=1)
        crossed = np.floor(effort + 1e-9) >= effort_needed[alive, None]
        hit = crossed.any(axis=1)
        finish[alive[hit]] = elapsed + np.argmax(crossed[hit], axis=1) + 1
        carried[alive] = effort[:, -1]
        alive = alive[~hit]
        elapsed += width
        if elapsed >= horizon or not alive.size:
            break
    return finish


def _model_of(cumulative: pd.Series, fc: Forecast) -> tuple[_Model, np.ndarray]:
    """The fitted model behind a projected forecast and each path's effort to finish."""
    days, counts = _daily_counts(cumulative)
    asof_n = _day_number(fc.asof)
    known = days <= asof_n
    model = _fit(days[known], counts[known], asof_n, fc.total)
    return model, _effort_thresholds(model, fc.remaining, fc.n_sims, fc.seed).to_finish()


def finish_sample(cumulative: pd.Series, fc: Forecast, changes: Sequence[PaceChange] = ()) -> np.ndarray:
    """The day each simulated path of ``fc`` finishes, in days after ``fc.asof``.

    The sample behind ``fc``'s percentiles (same seed, same paths), followed
    to the horizon, so the share of paths finished by any day — the
    probability of finishing by a target day — can be read off it.

    Args:
        cumulative: The series ``fc`` was computed from.
        fc: A forecast from :func:`forecast_finish` (made with ``changes``).
        changes: The what-if changes ``fc`` was made with.

    Returns:
        Shape (``fc.n_sims``,), float: ``inf`` beyond the horizon or when the
        block is stalled, NaN when there is no data to project from; a
        finished block's paths all hold its finish day (zero or negative).
    """
    if fc.status == STATUS_FINISHED:
        return np.full(fc.n_sims, float((fc.finished_on - fc.asof).days))  # type: ignore[operator]
    if fc.status == STATUS_STALLED:
        return np.full(fc.n_sims, np.inf)
    if fc.status == STATUS_NO_DATA:
        return np.full(fc.n_sims, np.nan)
    model, needed = _model_of(cumulative, fc)
    return _changed_finish_days(model, needed, fc.n_sims, fc.seed, fc.horizon_days, changes)


def pace_factor_needed(cumulative: pd.Series, fc: Forecast, by_day: int, confidence: float = 0.8) -> float | None:
    """The factor on the recent gains that finishes by day ``by_day`` on ``confidence`` of the paths.

    Path ``i`` finishes by ``by_day`` at factor ``m`` exactly when ``m``
    times its summed gain by then covers its effort, so the answer is the
    ``confidence`` quantile of those ratios over the same paths as ``fc`` —
    no search. Times ``fc.pace_7d`` it is the daily pace needed.

    Args:
        cumulative: The series ``fc`` was computed from.
        fc: A projected forecast (any other status gives None; finished gives 0).
        by_day: Days after ``fc.asof`` (>= 1).
        confidence: Share of paths that must finish, in (0, 1].

    Returns:
        The factor, or None when no factor can do it (no days left, or too
        few paths ever gain anything).
    """
    if not 0 < confidence <= 1:
        raise ValueError(f"confidence must be in (0, 1], got {confidence}")
    if fc.status == STATUS_FINISHED:
        return 0.0
    if fc.status not in PROJECTED_STATUSES or by_day < 1:
        return None
    model, needed = _model_of(cumulative, fc)
    by_then = _simulated_gains(model, fc.n_sims, fc.seed, by_day).sum(axis=1)
    ratios = np.divide(needed, by_then, out=np.full(fc.n_sims, np.inf), where=by_then > 0)
    k = max(1, math.ceil(confidence * fc.n_sims - 1e-9)) - 1
    factor = float(np.partition(ratios, k)[k])
    return None if math.isinf(factor) else factor
