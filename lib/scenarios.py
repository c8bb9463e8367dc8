"""推演 What-if: a scenario's levers, their share-link encoding, and the forecast they give.

A scenario changes what the forecast engine (:mod:`lib.forecast`) is fed or
what it simulates; it never has a model of its own, so a scenario with no
levers is the baseline forecast exactly. The levers, as the link carries them
(several values repeat the parameter):

=============================  ==============================================
``pace.<block>=1.5``           the block's simulated daily gains × 1.5
``pace.<block>=4/d``           … scaled so its 7-day pace is 4 households/day
``…@2023-10-25``               (any pace or move) from that day on, else tomorrow
``move=<team>:<block>``        a finished team joins the block at its own
                               measured capacity (its last 14 days of work)
``move=3:<block>``             3 households/day of capacity join the block
``exclude=own:单位产-央企``      those households leave the count today
``exclude=own:单位产-央企@D``    … are settled by the city on day D
                               (fields: ``own``, ``ptype``, ``team``)
``holdout=<block>:5@D``        the block's last 5 households close on day D
``target=2023-12-01``          the target day (default: each block's day 100)
=============================  ==============================================

How each lever reaches the engine:

* pace and move are :class:`lib.forecast.PaceChange` s on the simulated
  gains: a factor, and households a day added, from their start day;
* excluded, settled and held-out households are households the engine does
  not forecast: it forecasts the rest, and the finish is the later of that
  forecast and the day they close (today for an exclusion);
* a block's sealing never finishes before its signing (as on the progress
  page), path by path for the probability;
* the baseline is the board's own forecast (``lib.metrics.block_forecasts``,
  calibrated or not): a block no lever touches keeps its row and band
  exactly, and a touched block's simulated days are scaled by the board's
  ratio to the plain simulation at P10/P50/P90 (and between, by rank), so
  a calibration carries into every scenario;
* 按期概率 is the share of those paths finished by the target; the
  campaign's finish is the last block's on each path;
* the 80 % pace scales the recent gains until 80 % of the paths finish by
  the target (a closed form over the same paths, no search).

Pure: no Streamlit, no database. :func:`parse_params` and :func:`to_params`
are the URL codec; :func:`run` answers a scenario.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

import numpy as np
import pandas as pd

from lib import forecast, metrics, schema

#: Prefix of the per-block pace parameters (``pace.<block id>``).
PACE_PREFIX = "pace."
#: The other lever parameters, in the order the link writes them.
LEVER_PARAMS: tuple[str, ...] = ("move", "exclude", "holdout", "target")
#: Scope fields an exclusion can name, by the link's short name → household column.
EXCLUDE_FIELDS: dict[str, str] = {"own": "ownership", "ptype": "property_type", "team": "team_id"}
#: Days of a finished team's work that measure its capacity (DESIGN.md: its last 14 days).
CAPACITY_DAYS = 14
#: The confidence the needed pace is computed for.
NEEDED_CONFIDENCE = 0.8
#: Bounds of a pace lever: a multiplier, and an absolute pace in households/day.
FACTOR_RANGE = (0.0, 20.0)
ABSOLUTE_RANGE = (0.0, 10_000.0)
#: The campaign's rows in :attr:`Answer.table` use this block id.
CAMPAIGN = "*"

ANSWER_COLUMNS = [
    "block_id", "stage", "status", "total", "done", "remaining", "pace", "needed_pace",
    "finish_p10", "finish_p50", "finish_p90", "finished_on", "target", "on_time",
]

_DATE = r"\d{4}-\d{2}-\d{2}"
_NUMBER = r"\d+(?:\.\d+)?"
_PACE_RE = re.compile(rf"^[x×]?(?P<value>{_NUMBER})(?P<absolute>/d)?(?:@(?P<day>{_DATE}))?$")
_MOVE_RE = re.compile(rf"^(?P<source>[^:@]+):(?P<block>[^:@]+)(?:@(?P<day>{_DATE}))?$")
_EXCLUDE_RE = re.compile(rf"^(?P<field>[a-z]+):(?P<value>[^@]+)(?:@(?P<day>{_DATE}))?$")
_HOLDOUT_RE = re.compile(rf"^(?P<block>[^:@]+):(?P<count>\d+)@(?P<day>{_DATE})$")


# ------------------------------------------------------------------ levers


@dataclass(frozen=True)
class Pace:
    """A block's pace: ``value`` × its recent pace, or ``value`` households/day when ``absolute``."""

    block: str
    value: float
    absolute: bool = False
    start: date | None = None

    def encode(self) -> str:
        """The link value (without the ``pace.<block>`` name)."""
        return f"{format_number(self.value)}{'/d' if self.absolute else ''}{_at(self.start)}"


@dataclass(frozen=True)
class Move:
    """Capacity joining a block: a finished team's (``team``) or a number of households/day."""

    block: str
    team: str | None = None
    capacity: float | None = None
    start: date | None = None

    def encode(self) -> str:
        """The link value of ``move=``."""
        source = self.team if self.team is not None else format_number(self.capacity or 0.0)
        return f"{source}:{self.block}{_at(self.start)}"


@dataclass(frozen=True)
class Exclude:
    """Households matching ``field=value`` leave the count today, or are settled on ``day``."""

    field: str
    value: str
    day: date | None = None

    def encode(self) -> str:
        """The link value of ``exclude=``."""
        return f"{self.field}:{self.value}{_at(self.day)}"


@dataclass(frozen=True)
class Holdout:
    """The last ``count`` households of ``block`` close on ``day``."""

    block: str
    count: int
    day: date

    def encode(self) -> str:
        """The link value of ``holdout=``."""
        return f"{self.block}:{self.count}{_at(self.day)}"


@dataclass(frozen=True)
class Scenario:
    """Every lever of one what-if; hashable, so it keys a cache. The default is the baseline."""

    paces: tuple[Pace, ...] = ()
    moves: tuple[Move, ...] = ()
    excludes: tuple[Exclude, ...] = ()
    holdouts: tuple[Holdout, ...] = ()
    target: date | None = None

    @property
    def is_baseline(self) -> bool:
        """True when no lever is set (the target alone changes no forecast, only the question)."""
        return not (self.paces or self.moves or self.excludes or self.holdouts)


def format_number(value: float) -> str:
    """A number as the link writes it: shortest exact decimal, no exponent ("1.5", "4")."""
    return np.format_float_positional(value, trim="-")


def _at(day: date | None) -> str:
    return f"@{day.isoformat()}" if day else ""


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _valid_date(text: str | None) -> bool:
    return text is None or _date(text) is not None


def parse_pace(block: str, text: str) -> Pace | None:
    """One ``pace.<block>`` value, or None when it is malformed or out of range."""
    m = _PACE_RE.match(text.strip())
    if not m or not _valid_date(m["day"]):
        return None
    value, absolute = float(m["value"]), bool(m["absolute"])
    low, high = ABSOLUTE_RANGE if absolute else FACTOR_RANGE
    if not low <= value <= high:
        return None
    return Pace(block, value, absolute, _date(m["day"]))


def parse_move(text: str, blocks: Sequence[str], teams: Sequence[str]) -> Move | None:
    """One ``move=`` value (``team:block[@day]`` or ``N:block[@day]``), or None."""
    m = _MOVE_RE.match(text.strip())
    if not m or m["block"] not in blocks or not _valid_date(m["day"]):
        return None
    source, start = m["source"], _date(m["day"])
    if source in teams:
        return Move(m["block"], team=source, start=start)
    if re.fullmatch(_NUMBER, source) and 0 < float(source) <= ABSOLUTE_RANGE[1]:
        return Move(m["block"], capacity=float(source), start=start)
    return None


def parse_exclude(text: str, allowed: Mapping[str, Sequence[str]]) -> Exclude | None:
    """One ``exclude=`` value (``field:value[@day]``), or None; ``allowed`` maps a field to its values."""
    m = _EXCLUDE_RE.match(text.strip())
    if not m or m["value"] not in allowed.get(m["field"], ()) or not _valid_date(m["day"]):
        return None
    return Exclude(m["field"], m["value"], _date(m["day"]))


def parse_holdout(text: str, blocks: Sequence[str]) -> Holdout | None:
    """One ``holdout=`` value (``block:K@day``, K >= 1), or None."""
    m = _HOLDOUT_RE.match(text.strip())
    if not m or m["block"] not in blocks or int(m["count"]) < 1 or _date(m["day"]) is None:
        return None
    return Holdout(m["block"], int(m["count"]), _date(m["day"]))  # type: ignore[arg-type]


def is_lever_param(name: str) -> bool:
    """True for a parameter the what-if page reads."""
    return name.startswith(PACE_PREFIX) or name in LEVER_PARAMS


def parse_params(
    params: Mapping[str, Sequence[str]],
    *,
    blocks: Sequence[str],
    teams: Sequence[str],
    ptypes: Sequence[str] = schema.PROPERTY_TYPES,
    ownerships: Sequence[str] = schema.OWNERSHIPS,
) -> tuple[Scenario, list[tuple[str, str]]]:
    """The scenario a link describes, and every ``(parameter, value)`` it had to drop.

    A repeated lever keeps each distinct value once; the last ``pace.<block>``
    and ``target`` win. Unknown blocks, teams and values, malformed numbers
    and dates are dropped, never raised.
    """
    dropped: list[tuple[str, str]] = []
    paces: dict[str, Pace] = {}
    for name, values in params.items():
        if not name.startswith(PACE_PREFIX):
            continue
        block = name.removeprefix(PACE_PREFIX)
        for raw in values:
            pace = parse_pace(block, raw) if block in blocks else None
            if pace is None:
                dropped.append((name, raw))
            else:
                paces[block] = pace

    def each(name: str, parse: object) -> tuple:
        kept: list = []
        for raw in params.get(name, []):
            lever = parse(raw)  # type: ignore[operator]
            if lever is None:
                if raw.strip():
                    dropped.append((name, raw))
            elif lever not in kept:
                kept.append(lever)
        return tuple(kept)

    allowed = {"own": tuple(ownerships), "ptype": tuple(ptypes), "team": tuple(teams)}
    moves = each("move", lambda raw: parse_move(raw, blocks, teams))
    excludes = each("exclude", lambda raw: parse_exclude(raw, allowed))
    holdouts = each("holdout", lambda raw: parse_holdout(raw, blocks))
    target = None
    for raw in params.get("target", [])[-1:]:
        target = _date(raw.strip())
        if target is None and raw.strip():
            dropped.append(("target", raw))
    return Scenario(tuple(paces[b] for b in blocks if b in paces), moves, excludes, holdouts, target), dropped


def to_params(scenario: Scenario) -> dict[str, list[str]]:
    """The link parameters that reproduce ``scenario`` (none for the baseline without a target)."""
    out: dict[str, list[str]] = {f"{PACE_PREFIX}{p.block}": [p.encode()] for p in scenario.paces}
    for name, levers in (("move", scenario.moves), ("exclude", scenario.excludes), ("holdout", scenario.holdouts)):
        if levers:
            out[name] = [lever.encode() for lever in levers]
    if scenario.target:
        out["target"] = [scenario.target.isoformat()]
    return out


# ------------------------------------------------------------------ capacity


def team_capacity(households: pd.DataFrame, team_id: str, stage: str, asof: date) -> float | None:
    """A finished team's measured capacity at ``stage``: its gains over its last 14 days of work ÷ 14.

    "Finished" is every household of the team sealed by ``asof``; the 14
    days end on its last ``stage`` date. None for a team that is not
    finished (its capacity is still needed where it is) or has no households.
    """
    hh = households[households["team_id"] == team_id]
    if hh.empty or not metrics.reached(hh, metrics.GAIN_STAGE, asof).all():
        return None
    last = hh[f"date_{stage}"].max().date()
    return metrics.gained_between(hh, stage, last - timedelta(days=CAPACITY_DAYS - 1), last) / CAPACITY_DAYS


def finished_teams(households: pd.DataFrame, asof: date) -> list[str]:
    """Teams whose every household is sealed by ``asof`` (those a move can take), in id order."""
    hh = households[households["team_id"].notna()]
    done = metrics.reached(hh, metrics.GAIN_STAGE, asof).groupby(hh["team_id"]).all()
    return sorted(done[done].index)


# ------------------------------------------------------------------ the answer


@dataclass(frozen=True)
class Mark:
    """A lever drawn on a block's chart on the day it starts (``kind``: pace, move, exclude, holdout)."""

    block_id: str
    day: date
    kind: str
    text: str


@dataclass(frozen=True)
class _StageRun:
    """One block and stage: the answer row, its band, its finish sample, and what a retarget needs."""

    row: dict[str, object]
    path: pd.DataFrame | None
    sample: np.ndarray
    cum: pd.Series
    fc: forecast.Forecast
    ratio: tuple[float, float, float]
    floor: date | None


@dataclass(frozen=True)
class _BlockRun:
    """One block's stage runs, kept so a block no lever touches is reused as it is."""

    stages: Mapping[str, _StageRun]


@dataclass(frozen=True)
class Answer:
    """What a scenario gives, per block and stage and for the campaign (``block_id == CAMPAIGN``).

    Attributes:
        table: :data:`ANSWER_COLUMNS`. ``pace`` is the recent 7-day pace
            with the scenario's levers applied; ``needed_pace`` the pace that
            finishes by ``target`` on 80 % of the paths (None when none can);
            ``on_time`` the share of paths finishing by ``target`` (按期概率;
            None without data). The campaign's finish is the last block's,
            path by path, and it is on time when every block is.
        paths: :data:`lib.metrics.FORECAST_PATH_COLUMNS`, the bands as rates.
        marks: Where the levers start, per block.
        ignored: ``(lever, reason)`` for levers that could not apply.
    """

    table: pd.DataFrame
    paths: pd.DataFrame
    marks: tuple[Mark, ...] = ()
    ignored: tuple[tuple[str, str], ...] = field(default=())
    runs: Mapping[str, _BlockRun] = field(default_factory=dict, repr=False)

    def row(self, block_id: str, stage: str) -> pd.Series:
        """One row of :attr:`table`."""
        hit = self.table[(self.table["block_id"] == block_id) & (self.table["stage"] == stage)]
        return hit.iloc[0]


def _percentile(sample: np.ndarray, percentile: int) -> float:
    """As :func:`lib.forecast._finish_percentile`: the inverted empirical CDF (inf beyond the horizon)."""
    k = max(1, -(-percentile * sample.size // 100)) - 1
    return float(np.partition(sample, k)[k])


def _offset_date(asof: date, offset: float) -> date | None:
    return None if math.isinf(offset) else asof + timedelta(days=int(offset))


def _status(p50: date | None, p90: date | None, deadline: date, asof: date) -> str:
    """The engine's status rule for a projected finish (see :class:`lib.forecast.Forecast`)."""
    if asof >= deadline:
        return forecast.STATUS_LATE
    if p90 is not None and p90 <= deadline:
        return forecast.STATUS_ON_TRACK
    if p50 is not None and p50 <= deadline:
        return forecast.STATUS_AT_RISK
    return forecast.STATUS_LATE


_LEVELS = ("finish_p10", "finish_p50", "finish_p90")
_RANKS = (0.1, 0.5, 0.9)


def _offsets(row: Mapping[str, object], asof: date) -> tuple[float, float, float]:
    """A row's P10/P50/P90 as days after ``asof`` (inf beyond the horizon)."""
    def one(day: date | None) -> float:
        return math.inf if day is None or pd.isna(day) else float((day - asof).days)

    p10, p50, p90 = (cast("date | None", row[k]) for k in _LEVELS)
    return one(p10), one(p50), one(p90)


def _ratio(board: Mapping[str, object], raw: forecast.Forecast, asof: date) -> tuple[float, float, float]:
    """How the board's forecast row stands to the raw simulation, per band level (1.0 where either has no date).

    The board may calibrate the simulation's dates (lib.metrics.block_forecasts);
    a scenario keeps that correction by scaling its own simulated days by it.
    """
    if board["status"] not in forecast.PROJECTED_STATUSES or raw.status not in forecast.PROJECTED_STATUSES:
        return (1.0, 1.0, 1.0)
    raw_row = {k: getattr(raw, k) for k in _LEVELS}
    return tuple(b / r if math.isfinite(b) and math.isfinite(r) and r > 0 else 1.0
                 for b, r in zip(_offsets(board, asof), _offsets(raw_row, asof), strict=True))  # type: ignore[return-value]


def _calibrated(sample: np.ndarray, ratio: tuple[float, float, float]) -> np.ndarray:
    """The simulated finish days with the board's correction: each path scaled by the ratio at its rank."""
    if ratio == (1.0, 1.0, 1.0) or sample.size == 0:
        return sample
    rank = np.empty(sample.size)
    rank[np.argsort(sample, kind="stable")] = np.arange(sample.size) / max(sample.size - 1, 1)
    scaled = np.ceil(sample * np.interp(rank, _RANKS, ratio) - 1e-9)
    return np.where(sample > 0, scaled, sample)


def _round_half_up(value: float) -> float:
    return math.floor(value + 0.5)


def _start(day: date | None, asof: date) -> int:
    """Days after ``asof`` a lever starts (1 = tomorrow; a day already past starts tomorrow)."""
    return max(1, (day - asof).days) if day else 1


def run(
    households: pd.DataFrame,
    blocks: pd.DataFrame,
    asof: date,
    scenario: Scenario = Scenario(),
    *,
    record: pd.DataFrame | None = None,
    n_sims: int = 2000,
    seed: int = 0,
    reuse: Answer | None = None,
    board: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> Answer:
    """Forecast every block in ``households`` under ``scenario``.

    The baseline is the board's own forecast, :func:`lib.metrics.block_forecasts`
    (``board``, computed when None): a block no lever touches keeps its row
    and band exactly. A touched block is simulated again by the same engine
    with the levers applied, and its dates keep the board's correction of the
    simulation (the ratio of the board's P10/P50/P90 to the plain simulation's).

    Args:
        households: The households in scope (``lib.metrics.filter_households``).
        blocks: The campaign's blocks.
        asof: The as-of day.
        scenario: The levers; the default is the baseline.
        record: Where a moved team's capacity is measured (default
            ``households``; pass the whole campaign so a filter does not hide it).
        n_sims: Simulated paths, as :func:`lib.metrics.block_forecasts`.
        seed: Random seed, as :func:`lib.metrics.block_forecasts`.
        reuse: An answer for the same households, day, ``n_sims`` and
            ``seed`` (the baseline): untouched blocks are taken from it, so
            changing one block's lever reruns one block.
        board: ``lib.metrics.block_forecasts(households, blocks, asof)``, when the caller has it.
    """
    record = households if record is None else record
    ignored: list[tuple[str, str]] = []
    marks: list[Mark] = []

    # Exclusions: removed households leave the scope; settled ones close outside the engine.
    removed_any: set[str] = set()
    touched: set[str] = set()  # blocks some lever changes (the others keep the baseline)
    settled = pd.Series(pd.NaT, index=households.index, dtype="datetime64[ns]")
    keep = pd.Series(True, index=households.index)
    for ex in scenario.excludes:
        hit = households[EXCLUDE_FIELDS[ex.field]] == ex.value
        hit &= ~metrics.reached(households, metrics.GAIN_STAGE, asof)
        if ex.day is None:
            keep &= ~hit
            removed_any.update(households.loc[hit, "block_id"].unique())
        else:
            touched.update(households.loc[hit, "block_id"].unique())
            day = metrics.ts(max(ex.day, asof))
            settled = settled.where(~hit | (settled.notna() & (settled <= day)), day)
            marks += [Mark(b, max(ex.day, asof), "exclude", ex.encode()) for b in households.loc[hit, "block_id"].unique()]
    scoped = households if keep.all() else households[keep]
    settled = settled if keep.all() else settled[keep]

    changes: dict[tuple[str, str], list[forecast.PaceChange]] = {}
    for move in scenario.moves:
        start = _start(move.start, asof)
        for stage in metrics.RATE_STAGES:
            capacity = move.capacity if move.team is None else team_capacity(record, move.team, stage, asof)
            if capacity is None:
                ignored.append((move.encode(), "not_finished"))
                break
            if capacity > 0:
                changes.setdefault((move.block, stage), []).append(forecast.PaceChange(start=start, added=capacity))
        else:
            marks.append(Mark(move.block, asof + timedelta(days=start), "move", move.encode()))
    holdouts = {h.block: h for h in scenario.holdouts}
    for h in scenario.holdouts:
        marks.append(Mark(h.block, max(h.day, asof), "holdout", h.encode()))
    paces = {p.block: p for p in scenario.paces if p.absolute or p.value != 1.0}
    touched |= removed_any | {b for b, _ in changes} | set(holdouts) | set(paces)

    if reuse is None:
        forecasts, bands = board if board is not None else metrics.block_forecasts(households, blocks, asof, n_sims=n_sims, seed=seed)
        board_rows = {(r["block_id"], r["stage"]): r for r in forecasts.to_dict("records")}
        board_paths = {key: g for key, g in bands.groupby(["block_id", "stage"], sort=False)}
    runs: dict[str, _BlockRun] = {}
    targets: dict[str, int] = {}
    full_rows = households.groupby("block_id", sort=False).indices
    rows_of = scoped.groupby("block_id", sort=False).indices  # positions: a block's frame is cut only when simulated
    for blk in blocks.itertuples(index=False):
        block_id, launch, deadline = cast(str, blk.block_id), cast(date, blk.launch_date), cast(date, blk.deadline)
        if block_id not in full_rows or asof < launch:
            continue
        target = scenario.target or deadline
        target_days = (target - asof).days
        targets[block_id] = target_days
        pace_lever = paces.get(block_id)
        if pace_lever is not None:
            marks.append(Mark(block_id, asof + timedelta(days=_start(pace_lever.start, asof)), "pace", pace_lever.encode()))
        if reuse is not None:
            base = reuse.runs[block_id]
        else:
            base = _baseline_run(households.iloc[full_rows[block_id]], blk, asof, board_rows, board_paths, n_sims, seed)
        if block_id not in touched:
            runs[block_id] = _retarget(base, target, target_days)
            continue
        if block_id not in rows_of:  # every household of the block left the count today
            hh = households.iloc[full_rows[block_id]].iloc[:0]
        else:
            hh = scoped.iloc[rows_of[block_id]]
        stages: dict[str, _StageRun] = {}
        for stage in metrics.RATE_STAGES:
            stages[stage] = _scenario_stage(
                hh, blk, stage, asof, base.stages[stage], stages.get("signed"), settled, holdouts.get(block_id),
                block_id in removed_any, changes.get((block_id, stage), []), pace_lever, target, target_days,
                n_sims, seed, ignored,
            )
        runs[block_id] = _BlockRun(stages)
    rows = [r.row for run_ in runs.values() for r in run_.stages.values()]
    paths = [r.path for run_ in runs.values() for r in run_.stages.values() if r.path is not None and not r.path.empty]
    samples = {b: {st_: r.sample for st_, r in run_.stages.items()} for b, run_ in runs.items()}
    rows += _campaign_rows(rows, samples, targets, asof, scenario.target)
    table = pd.DataFrame(rows, columns=ANSWER_COLUMNS) if rows else schema.empty_frame(ANSWER_COLUMNS)
    bands = pd.concat(paths, ignore_index=True)[metrics.FORECAST_PATH_COLUMNS] if paths else schema.empty_frame(metrics.FORECAST_PATH_COLUMNS)
    return Answer(table=table, paths=bands, marks=tuple(marks), ignored=tuple(ignored), runs=runs)


def _baseline_run(
    hh: pd.DataFrame, blk: object, asof: date, board_rows: Mapping[tuple[str, str], dict], board_paths: Mapping,
    n_sims: int, seed: int,
) -> _BlockRun:
    """A block as the board forecasts it, with the plain simulation behind it (for the sample and the ratio)."""
    stages: dict[str, _StageRun] = {}
    for stage in metrics.RATE_STAGES:
        board = dict(board_rows[(blk.block_id, stage)])  # type: ignore[attr-defined]
        cum = metrics.cumulative_by_day(hh, stage, blk.launch_date, asof)  # type: ignore[attr-defined]
        fc = forecast.forecast_finish(cum, total=len(hh), asof=asof, deadline=blk.deadline, stage=stage,  # type: ignore[attr-defined]
                                      n_sims=n_sims, seed=seed)
        ratio = _ratio(board, fc, asof)
        sample = _stage_sample(board, cum, fc, (), ratio, None, asof)
        if stage == "sealed":
            sample = np.maximum(sample, stages["signed"].sample)
        board.update(total=len(hh), done=fc.done, remaining=len(hh) - fc.done, pace=fc.pace_7d)
        path = board_paths.get((blk.block_id, stage))  # type: ignore[attr-defined]
        stages[stage] = _StageRun(board, None if path is None else path.reset_index(drop=True), sample, cum, fc, ratio, None)
    return _BlockRun(stages)


def _stage_sample(
    row: Mapping[str, object], cum: pd.Series, fc: forecast.Forecast, changes: Sequence[forecast.PaceChange],
    ratio: tuple[float, float, float], floor: date | None, asof: date,
) -> np.ndarray:
    """The finish sample behind a row: the engine's paths, with the board's correction and any closing floor."""
    if row["status"] == forecast.STATUS_STALLED and fc.status != forecast.STATUS_STALLED:
        sample = np.full(fc.n_sims, np.inf)  # the board holds sealing while signing is stalled
    else:
        sample = _calibrated(forecast.finish_sample(cum, fc, tuple(changes)), ratio)
    if floor is not None:
        sample = np.maximum(sample, (floor - asof).days)
    return sample


def _scenario_stage(
    hh: pd.DataFrame, blk: object, stage: str, asof: date, base: _StageRun, signed: _StageRun | None,
    settled: pd.Series, hold: Holdout | None, removed: bool, moves: list[forecast.PaceChange], pace_lever: Pace | None,
    target: date, target_days: int, n_sims: int, seed: int, ignored: list[tuple[str, str]],
) -> _StageRun:
    """One touched block and stage: the engine rerun on the scenario's inputs, its dates corrected as the board's."""
    launch, deadline = blk.launch_date, blk.deadline  # type: ignore[attr-defined]
    pending = ~metrics.reached(hh, stage, asof)
    # Closed outside the engine: settled households, then the block's last K holdouts.
    closes = [d.date() for d in settled.reindex(hh.index)[pending].dropna().sort_values()]
    if hold is not None:
        closes += [max(hold.day, asof)] * max(0, min(hold.count, int(pending.sum()) - len(closes)))
    # An exclusion decided today: the block cannot count as finished before today.
    floor = max(closes + ([asof] if removed else []), default=None)
    cum = metrics.cumulative_by_day(hh, stage, launch, asof) if len(hh) else base.cum.iloc[:0]
    stage_changes = list(moves)
    if pace_lever is not None:
        recent = metrics.pace(hh, stage, asof, launch)
        factor = pace_lever.value
        if pace_lever.absolute:
            factor = pace_lever.value / recent if recent > 0 else 1.0
            if recent == 0 and stage == metrics.RATE_STAGES[0]:
                ignored.append((f"{PACE_PREFIX}{blk.block_id}={pace_lever.encode()}", "no_recent_pace"))  # type: ignore[attr-defined]
        stage_changes.insert(0, forecast.PaceChange(start=_start(pace_lever.start, asof), factor=factor))
    fc = forecast.forecast_finish(cum, total=len(hh) - len(closes), asof=asof, deadline=deadline, stage=stage,
                                  n_sims=n_sims, seed=seed, changes=tuple(stage_changes))
    row: dict[str, object] = {"block_id": blk.block_id, **{c: getattr(fc, c) for c in metrics.FORECAST_COLUMNS[1:]}}  # type: ignore[attr-defined]
    if fc.status in forecast.PROJECTED_STATUSES:
        scaled = [o * r for o, r in zip(_offsets(row, asof), base.ratio, strict=True)]
        days = [math.inf if o > fc.horizon_days else max(1.0, _round_half_up(o)) for o in scaled]
        row.update({k: _offset_date(asof, d) for k, d in zip(_LEVELS, days, strict=True)})
        row["status"] = _status(row["finish_p50"], row["finish_p90"], deadline, asof)  # type: ignore[arg-type]
    if signed is not None and stage == "sealed":
        _hold_not_before(row, signed.row, deadline, asof)
    if floor is not None:
        _floor_row(row, floor, asof, deadline)
    sample = _stage_sample(row, cum, fc, stage_changes, base.ratio, floor, asof)
    if signed is not None:
        sample = np.maximum(sample, signed.sample)
    planned = fc.pace_7d
    for change in stage_changes:
        planned = planned * change.factor + change.added
    row.update({
        "total": len(hh), "done": fc.done, "remaining": len(hh) - fc.done, "pace": planned, "target": target,
        "needed_pace": _needed_pace(cum, fc, floor, target_days, base.ratio), "on_time": _on_time(sample, target_days),
    })
    band = pd.DataFrame()
    if fc.status in forecast.PROJECTED_STATUSES:
        band = _stretched(forecast.forecast_path(cum, fc, tuple(stage_changes)), base.ratio)
    band = _with_closings(band, fc, closes, asof)
    path = None
    if not band.empty and len(hh):
        path = pd.DataFrame({"block_id": blk.block_id, "stage": stage, "date": band["date"],  # type: ignore[attr-defined]
                             **{f"rate_{p}": band[p] / len(hh) for p in ("p10", "p50", "p90")}})
    return _StageRun(row, path, sample, cum, fc, base.ratio, floor)


def _hold_not_before(sealed: dict[str, object], signed: Mapping[str, object], deadline: date, asof: date) -> None:
    """Sealing never before signing: each sealing date raised to signing's; no date while signing has none."""
    if signed["status"] == forecast.STATUS_FINISHED or sealed["status"] not in forecast.PROJECTED_STATUSES:
        return
    if signed["status"] not in forecast.PROJECTED_STATUSES:
        sealed.update(finish_p10=None, finish_p50=None, finish_p90=None, status=forecast.STATUS_STALLED)
        return
    for key in _LEVELS:
        a, b = cast("date | None", sealed[key]), cast("date | None", signed[key])
        sealed[key] = None if a is None or b is None else max(a, b)
    sealed["status"] = _status(sealed["finish_p50"], sealed["finish_p90"], deadline, asof)  # type: ignore[arg-type]


def _stretched(path: pd.DataFrame, ratio: tuple[float, float, float]) -> pd.DataFrame:
    """A simulated count band with each curve's time scaled by the board's ratio at its level (unchanged at 1)."""
    if path.empty or ratio == (1.0, 1.0, 1.0):
        return path
    n = len(path) - 1
    length = max(int(math.ceil(n * r)) for r in ratio)
    t = np.arange(length + 1, dtype=float)
    out = pd.DataFrame({"date": pd.date_range(path["date"].iloc[0], periods=length + 1, freq="D")})
    for column, r in zip(("p10", "p50", "p90"), ratio, strict=True):
        out[column] = np.floor(np.interp(t / r, np.arange(n + 1), path[column].to_numpy(dtype=float)) + 1e-9).astype(np.int64)
    return out


def _needed_pace(
    cum: pd.Series, fc: forecast.Forecast, floor: date | None, target_days: int, ratio: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> float | None:
    """The daily pace that finishes by the target on 80 % of the paths (the engine's paths, scaled)."""
    if floor is not None and (floor - fc.asof).days > target_days:
        return None  # a lever closes households after the target: no pace makes it
    correction = float(np.interp(NEEDED_CONFIDENCE, _RANKS, ratio))
    factor = forecast.pace_factor_needed(cum, fc, math.floor(target_days / correction + 1e-9), NEEDED_CONFIDENCE)
    return None if factor is None else factor * fc.pace_7d


def _retarget(run: _BlockRun, target: date, target_days: int) -> _BlockRun:
    """A block's run asked about a target day (its forecast is the same)."""
    if all(r.row.get("target") == target for r in run.stages.values()):
        return run
    stages = {
        stage: _StageRun({**r.row, "target": target, "on_time": _on_time(r.sample, target_days),
                          "needed_pace": _needed_pace(r.cum, r.fc, r.floor, target_days, r.ratio)},
                         r.path, r.sample, r.cum, r.fc, r.ratio, r.floor)
        for stage, r in run.stages.items()
    }
    return _BlockRun(stages)


def _floor_row(row: dict[str, object], floor: date, asof: date, deadline: date) -> None:
    """Households closing on ``floor`` outside the engine: no percentile before it, and not finished before it."""
    if row["status"] == forecast.STATUS_FINISHED:
        finished = max(cast(date, row["finished_on"]), floor)
        if finished > asof:
            row.update(finish_p10=finished, finish_p50=finished, finish_p90=finished, finished_on=None,
                       status=_status(finished, finished, deadline, asof))
        else:
            row["finished_on"] = finished
        return
    if row["status"] not in forecast.PROJECTED_STATUSES:
        return
    for key in ("finish_p10", "finish_p50", "finish_p90"):
        if row[key] is not None:
            row[key] = max(cast(date, row[key]), floor)
    row["status"] = _status(row["finish_p50"], row["finish_p90"], deadline, asof)  # type: ignore[arg-type]


def _on_time(sample: np.ndarray, target_days: int) -> float | None:
    """Share of paths finished by ``target_days`` after the as-of day; None without data."""
    if np.isnan(sample).any():
        return None
    return float(np.mean(sample <= target_days))


def _with_closings(path: pd.DataFrame, fc: forecast.Forecast, closes: list[date], asof: date) -> pd.DataFrame:
    """The engine's count band plus the households closing outside it, on their days.

    With nothing closing outside, the engine's band as it is.
    """
    if not closes:
        return path
    if path.empty:
        path = pd.DataFrame({"date": [pd.Timestamp(asof)], **{c: [fc.done] for c in ("p10", "p50", "p90")}})
    days = pd.date_range(pd.Timestamp(asof), max(path["date"].max(), pd.Timestamp(max(closes))), freq="D")
    out = path.set_index("date").reindex(days).ffill()
    closed = pd.Series(1, index=pd.DatetimeIndex([pd.Timestamp(d) for d in closes])).groupby(level=0).sum()
    step = closed.reindex(days, fill_value=0).cumsum()
    for column in ("p10", "p50", "p90"):
        out[column] = (out[column] + step).astype(np.int64)
    return out.rename_axis("date").reset_index()


def _campaign_rows(
    rows: list[dict[str, object]], samples: dict[str, dict[str, np.ndarray]], targets: dict[str, int],
    asof: date, target: date | None,
) -> list[dict[str, object]]:
    """One campaign row per stage: the last block's finish, path by path."""
    out: list[dict[str, object]] = []
    if not samples:
        return out
    for stage in metrics.RATE_STAGES:
        mine = [r for r in rows if r["stage"] == stage]
        stacked = np.stack([samples[b][stage] for b in samples])
        unknown = np.isnan(stacked).any()
        last = stacked.max(axis=0)
        offsets = [math.inf if unknown else _percentile(last, p) for p in (10, 50, 90)]
        p10, p50, p90 = (_offset_date(asof, o) for o in offsets)
        all_done = all(r["status"] == forecast.STATUS_FINISHED for r in mine)
        on_time = None if unknown else float(np.mean(np.all(stacked <= np.array([targets[b] for b in samples])[:, None], axis=0)))
        needed = [r["needed_pace"] for r in mine]
        deadline = max(r["target"] for r in mine)  # type: ignore[type-var]
        out.append({
            "block_id": CAMPAIGN, "stage": stage,
            "status": forecast.STATUS_FINISHED if all_done else (forecast.STATUS_NO_DATA if unknown else _status(p50, p90, deadline, asof)),  # type: ignore[arg-type]
            "total": sum(r["total"] for r in mine), "done": sum(r["done"] for r in mine),  # type: ignore[misc]
            "remaining": sum(r["remaining"] for r in mine), "pace": sum(r["pace"] for r in mine),  # type: ignore[misc]
            "needed_pace": None if any(n is None for n in needed) else sum(needed),  # type: ignore[arg-type]
            "required_pace": None,
            "finish_p10": None if all_done else p10, "finish_p50": None if all_done else p50,
            "finish_p90": None if all_done else p90,
            "finished_on": max(r["finished_on"] for r in mine) if all_done else None,  # type: ignore[type-var]
            "target": target or deadline, "on_time": on_time,
        })
    return out


# ------------------------------------------------------------------ back-test

ACTUAL_COLUMNS = ["block_id", "stage", "finished_on"]


def actual_finishes(households: pd.DataFrame, blocks: pd.DataFrame, asof: date, last_day: date) -> pd.DataFrame:
    """What the ledger recorded by ``last_day``: the day each launched block reached 100 % per stage (None if not yet).

    The back-test's truth: a scenario made on ``asof`` describing what
    happened afterwards should hold these days inside its band.
    """
    rows = []
    for blk in blocks.itertuples(index=False):
        hh = households[households["block_id"] == blk.block_id]
        if hh.empty or asof < cast(date, blk.launch_date):
            continue
        for stage in metrics.RATE_STAGES:
            rows.append({"block_id": blk.block_id, "stage": stage, "finished_on": metrics.first_full_day(hh, stage, last_day)})
    return pd.DataFrame(rows, columns=ACTUAL_COLUMNS) if rows else schema.empty_frame(ACTUAL_COLUMNS)


def band_verdict(row: Mapping[str, object], actual: date) -> str:
    """Where a recorded finish fell against a forecast row: ``early`` (before P10), ``inside``, ``late`` (after P90)."""
    if row["status"] == forecast.STATUS_FINISHED:
        return "inside" if row["finished_on"] == actual else ("early" if actual < row["finished_on"] else "late")  # type: ignore[operator]
    p10, p90 = cast("date | None", row["finish_p10"]), cast("date | None", row["finish_p90"])
    if row["status"] not in forecast.PROJECTED_STATUSES:
        return "early"  # stalled or no data: no finish was expected at all
    if p10 is not None and not pd.isna(p10) and actual < p10:
        return "early"
    if p90 is not None and not pd.isna(p90) and actual > p90:
        return "late"
    return "inside"
