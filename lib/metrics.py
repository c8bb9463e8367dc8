"""Every number on the board, defined once (docs/design.md "Definitions").

Pure functions of the loaded frames and an as-of day; nothing here reads
widgets or the database. A household "has reached" a stage on the as-of day
when its ``date_<stage>`` is on or before that day, so any past day's board
is recomputed exactly as it stood.

- day N of a block = (as_of − launch_date).days + 1
- signing rate = households signed on or before as_of ÷ households in scope
- pace = mean daily gain over the 7 days ending on as_of; a block younger
  than 7 days: over the days since its launch (:func:`pace_window`)
- required pace = remaining ÷ days left until the deadline
- display rounding is half up (四舍五入), once, at display (lib.i18n);
  nothing here rounds a rate, pace or gap
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

import numpy as np
import pandas as pd

from lib import backtest, forecast, schema
from lib.days import PACE_WINDOW_DAYS, day_number, days_left, pace_window, required_pace

RATE_STAGES: tuple[str, ...] = ("signed", "sealed")


def ts(day: date) -> pd.Timestamp:
    """A calendar day as the Timestamp the ``date_<stage>`` columns compare with."""
    return pd.Timestamp(day)


def filter_households(
    households: pd.DataFrame,
    *,
    blocks: Sequence[str] = (),
    teams: Sequence[str] = (),
    ptypes: Sequence[str] = (),
    ownerships: Sequence[str] = (),
) -> pd.DataFrame:
    """The households in scope; an empty selection means "all"."""
    mask = pd.Series(True, index=households.index)
    for column, values in (("block_id", blocks), ("team_id", teams), ("property_type", ptypes), ("ownership", ownerships)):
        if values:
            mask &= households[column].isin(list(values))
    return households[mask]


def reached(households: pd.DataFrame, stage: str, asof: date) -> pd.Series:
    """Boolean per household: stage reached on or before ``asof``."""
    return households[f"date_{stage}"] <= ts(asof)


def current_stage(households: pd.DataFrame, asof: date) -> pd.Series:
    """Each household's furthest stage on ``asof`` (``not_surveyed`` before any)."""
    out = pd.Series(schema.NOT_SURVEYED, index=households.index, dtype="object")
    for stage in schema.STAGES:
        out = out.mask(reached(households, stage, asof), stage)
    return out


def rate(count: int, total: int) -> float:
    """A share in [0, 1]; NaN when there is nothing in scope."""
    return count / total if total else math.nan


def cumulative_by_day(households: pd.DataFrame, stage: str, start: date, asof: date) -> pd.Series:
    """Cumulative households at ``stage`` for every day from ``start`` to ``asof``.

    Dates before ``start`` count towards the first day; dates after ``asof``
    never appear (no future leakage).
    """
    days = pd.date_range(ts(start), ts(asof), freq="D")
    if len(days) == 0:
        return pd.Series(dtype="int64", index=pd.DatetimeIndex([], name="date"))
    dates = households[f"date_{stage}"].dropna()
    # pandas-stubs types clip's bounds as numbers; a Timestamp bound on a datetime Series is valid pandas.
    dates = dates[dates <= ts(asof)].clip(lower=ts(start))  # type: ignore[call-overload]
    counts = dates.value_counts().reindex(days, fill_value=0).sort_index()
    out = counts.cumsum().astype("int64")
    out.index.name = "date"
    return out


def gained_on(households: pd.DataFrame, stage: str, day: date) -> int:
    """Households that reached ``stage`` exactly on ``day``."""
    return int((households[f"date_{stage}"] == ts(day)).sum())


def gained_between(households: pd.DataFrame, stage: str, first: date, last: date) -> int:
    """Households that reached ``stage`` on a day in [first, last]."""
    col = households[f"date_{stage}"]
    return int(((col >= ts(first)) & (col <= ts(last))).sum())


def pace(households: pd.DataFrame, stage: str, asof: date, launch: date | None = None) -> float:
    """Mean daily gain over the :func:`pace_window` ending on ``asof`` (7 days, or since launch when younger)."""
    window = pace_window(launch, asof)
    first = asof - timedelta(days=window - 1)
    return gained_between(households, stage, first, asof) / window


def projected_finish(remaining: int, daily_pace: float, asof: date) -> date | None:
    """as_of + remaining ÷ pace (rounded up); None when stalled, as_of when done."""
    if remaining <= 0:
        return asof
    if daily_pace <= 0:
        return None
    return asof + timedelta(days=math.ceil(remaining / daily_pace))


def first_full_day(households: pd.DataFrame, stage: str, asof: date) -> date | None:
    """The day the scope first had every household at ``stage`` (on or before ``asof``)."""
    if households.empty:
        return None
    col = households[f"date_{stage}"]
    if col.isna().any() or (col > ts(asof)).any():
        return None
    return col.max().date()


@dataclass(frozen=True)
class Kpis:
    """The overview's headline tiles for one scope and day.

    ``day_n``, ``days_left`` and ``deadline`` count from ``launch``: the one
    block's own launch when the scope holds a single block
    (``single_block``), else the earliest launch among the blocks in scope
    (the campaign's, when all are). ``started`` is False before that launch
    (the tiles then say 未启动 and the launch date, never a day 0 or below).
    """

    households: int
    signed: int
    sealed: int
    signed_rate: float
    sealed_rate: float
    signed_today: int
    sealed_today: int
    day_n: int
    days_left: int
    deadline: date
    launch: date
    single_block: bool
    started: bool


def campaign_kpis(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> Kpis:
    """Headline figures; day N counts from the launch of the blocks in scope (see :class:`Kpis`)."""
    in_scope = blocks[blocks["block_id"].isin(households["block_id"].unique())] if not households.empty else blocks.iloc[:0]
    shown = in_scope if not in_scope.empty else blocks
    launch = min(shown["launch_date"]) if not shown.empty else asof
    single = len(in_scope) == 1
    deadline = in_scope["deadline"].iloc[0] if single and "deadline" in in_scope else schema.deadline_for(launch)
    signed = int(reached(households, "signed", asof).sum())
    sealed = int(reached(households, "sealed", asof).sum())
    total = len(households)
    return Kpis(
        households=total,
        signed=signed,
        sealed=sealed,
        signed_rate=rate(signed, total),
        sealed_rate=rate(sealed, total),
        signed_today=gained_on(households, "signed", asof),
        sealed_today=gained_on(households, "sealed", asof),
        day_n=day_number(launch, asof),
        days_left=days_left(deadline, asof),
        deadline=deadline,
        launch=launch,
        single_block=single,
        started=asof >= launch,
    )


BLOCK_TABLE_COLUMNS = [
    "block_id", "name", "launch_date", "deadline", "day_n", "days_left", "households",
    "signed", "sealed", "signed_rate", "sealed_rate", "signed_today", "sealed_today",
    "signed_full_day", "sealed_full_day", "double_full_day",
    "pace_signed", "pace_sealed", "required_signed", "required_sealed",
    "finish_signed", "finish_sealed",
]

def _stage_counts(households: pd.DataFrame, key: str, stage: str, asof: date, window_start: pd.Series) -> pd.DataFrame:
    """Per group ``key``: households, reached, reached today, gained since ``window_start``, last date."""
    col = households[f"date_{stage}"]
    done = col <= ts(asof)
    frame = pd.DataFrame({
        key: households[key].to_numpy(),
        "done": done.to_numpy(),
        "today": (col == ts(asof)).to_numpy(),
        "window": (done & (col >= window_start)).to_numpy(),
        "last": col.where(done).to_numpy(),
    })
    return frame.groupby(key, sort=False).agg(
        total=("done", "size"), done=("done", "sum"), today=("today", "sum"),
        window=("window", "sum"), last=("last", "max"),
    )


def block_table(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> pd.DataFrame:
    """One row per block in ``blocks`` with its rates, paces and 100 % days.

    ``*_full_day`` is the block's own day N on which the stage first reached
    100 % (NaN if not yet); ``double_full_day`` is when both had. Vectorised:
    one group-by per stage, so 100 k households stay well inside the budget.
    """
    present = blocks[blocks["block_id"].isin(households["block_id"].unique())]
    if households.empty or present.empty:
        return schema.empty_frame(BLOCK_TABLE_COLUMNS)
    launch = dict(zip(present["block_id"], present["launch_date"], strict=True))
    windows = {b: pace_window(d, asof) for b, d in launch.items()}
    window_start = households["block_id"].map({b: ts(asof) - pd.Timedelta(days=w - 1) for b, w in windows.items()})
    counts = {stage: _stage_counts(households, "block_id", stage, asof, window_start) for stage in RATE_STAGES}
    rows = []
    for blk in present.itertuples(index=False):
        launch_date, deadline = cast(date, blk.launch_date), cast(date, blk.deadline)
        day_n = day_number(launch_date, asof)
        row: dict[str, object] = {
            "block_id": blk.block_id, "name": blk.name, "launch_date": blk.launch_date,
            "deadline": blk.deadline, "day_n": day_n, "days_left": days_left(deadline, asof),
        }
        for stage in RATE_STAGES:
            c = cast(pd.Series, counts[stage].loc[cast(str, blk.block_id)])  # the index is unique: one row
            total, done = int(c["total"]), int(c["done"])
            p = int(c["window"]) / windows[blk.block_id] if day_n >= 1 else 0.0
            full = c["last"].date() if done == total and pd.notna(c["last"]) else None
            row.update({
                "households": total,
                stage: done,
                f"{stage}_rate": rate(done, total),
                f"{stage}_today": int(c["today"]),
                f"{stage}_full_day": day_number(launch_date, full) if full else np.nan,
                f"pace_{stage}": p,
                f"required_{stage}": required_pace(total - done, deadline, asof),
                f"finish_{stage}": projected_finish(total - done, p, asof),
            })
        both = [cast(float, row["signed_full_day"]), cast(float, row["sealed_full_day"])]
        row["double_full_day"] = np.nan if any(pd.isna(v) for v in both) else max(both)
        rows.append(row)
    return pd.DataFrame(rows, columns=BLOCK_TABLE_COLUMNS)


def fastest_double_full(table: pd.DataFrame) -> pd.Series | None:
    """The "台江速度" record: the block that reached signed and sealed 100 % in the fewest days."""
    done = table.dropna(subset=["double_full_day"])
    if done.empty:
        return None
    return done.sort_values(["double_full_day", "launch_date"]).iloc[0]


def daily_progress(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> pd.DataFrame:
    """Long frame for curves: block, date, day N, stage, gained, cumulative, rate.

    One row per block, stage and day from the block's launch to ``asof``.
    """
    columns = ["block_id", "date", "day_n", "stage", "gained", "cumulative", "rate"]
    frames = []
    for blk in blocks.itertuples(index=False):
        hh = households[households["block_id"] == blk.block_id]
        launch_date = cast(date, blk.launch_date)
        if hh.empty or asof < launch_date:
            continue
        for stage in RATE_STAGES:
            cum = cumulative_by_day(hh, stage, launch_date, asof)
            frames.append(pd.DataFrame({
                "block_id": blk.block_id,
                "date": cum.index,
                "day_n": np.arange(1, len(cum) + 1),
                "stage": stage,
                "gained": cum.diff().fillna(cum.iloc[0]).astype("int64").to_numpy(),
                "cumulative": cum.to_numpy(),
                "rate": cum.to_numpy() / len(hh),
            }))
    if not frames:
        return schema.empty_frame(columns)
    return pd.concat(frames, ignore_index=True)[columns]


def team_full_days(households: pd.DataFrame, teams: pd.DataFrame, blocks: pd.DataFrame, asof: date, stage: str = "sealed") -> pd.DataFrame:
    """Teams whose every household reached ``stage`` by ``asof``, fastest first.

    Columns: team_id, name, block_id, households, full_date, day_n (the
    block's own day N on which the team finished).
    """
    columns = ["team_id", "name", "block_id", "households", "full_date", "day_n"]
    assigned = households[households["team_id"].notna()]
    if assigned.empty:
        return schema.empty_frame(columns)
    c = _stage_counts(assigned, "team_id", stage, asof, pd.Series(ts(asof), index=assigned.index))
    full = c[(c["done"] == c["total"]) & c["last"].notna()]
    if full.empty:
        return schema.empty_frame(columns)
    block_of = assigned.drop_duplicates("team_id").set_index("team_id")["block_id"]
    launches = dict(zip(blocks["block_id"], blocks["launch_date"], strict=True))
    names = dict(zip(teams["team_id"], teams["name"], strict=True))
    out = pd.DataFrame({
        "team_id": full.index,
        "name": [names.get(tid, tid) for tid in full.index],
        "block_id": block_of.reindex(full.index).to_numpy(),
        "households": full["total"].astype("int64").to_numpy(),
        "full_date": [d.date() for d in full["last"]],
    })
    out["day_n"] = [day_number(launches[b], d) for b, d in zip(out["block_id"], out["full_date"], strict=True)]
    return out.sort_values(["day_n", "households", "team_id"], ascending=[True, False, True], ignore_index=True)[columns]


# ---------------------------------------------------------------- team board
# 亮成绩: the daily score sheet. One definition of a team's score, rank and
# laggard flag, used by the leaderboard, its 成绩单 export and the brief.

#: The stage whose daily gains a team is judged by (封房 = the article's headline rate).
GAIN_STAGE = "sealed"

#: Laggard reason codes, in the order they are listed.
LAGGARD_REASONS: tuple[str, ...] = ("stalled", "below_block")

TEAM_BOARD_COLUMNS = [
    "rank", "rank_change", "team_id", "team", "organisation", "kind", "block_id", "block", "day_n",
    "assigned", "signed", "sealed", "remaining", "signed_rate", "sealed_rate", "score",
    "gain_today", "gain_7d", "last_gain", "days_since_gain", "finish_date", "finish_day",
    "block_rate", "rate_gap", "laggard", "laggard_reasons",
]


@dataclass(frozen=True)
class Scoring:
    """How teams are scored and when one is flagged 后进 (laggard).

    score = 100 × (sealed·封房率 + signed·签约率 + recent·近7日新增封房 ÷ 分配户数)
    ÷ (sealed + signed + recent), rounded to two decimals, so it runs 0–100 and
    with the default weights is simply the sealing rate in points.

    Teams rank by score (higher first); equal scores are separated by the
    finish day (a team that sealed everything in fewer days of its block ranks
    first), then — between unfinished teams only — by the 7-day sealing
    gain; teams equal on all that share a rank (1, 2, 2, 4).

    A team with households left, whose block has launched, is a laggard when
    - ``stalled``: no household sealed for ``stall_days`` days or more (not
      judged in the block's first ``grace_days`` days, before sealing starts), or
    - ``below_block``: its sealing rate is more than ``gap_points`` points
      below its block's (all households of the block in scope).

    Any field can be set in the ``[scoring]`` section of
    ``.streamlit/secrets.toml`` (see :meth:`from_config`).
    """

    sealed: float = 1.0
    signed: float = 0.0
    recent: float = 0.0
    stall_days: int = 3
    gap_points: float = 15.0
    grace_days: int = PACE_WINDOW_DAYS

    def __post_init__(self) -> None:
        for name in ("sealed", "signed", "recent"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0 or math.isinf(value):
                raise ValueError(f"scoring.{name} must be a number ≥ 0, got {value!r}")
        if self.sealed + self.signed + self.recent <= 0:
            raise ValueError("scoring weights sealed + signed + recent must be more than 0, got all 0")
        for name, low in (("stall_days", 1), ("grace_days", 0)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"scoring.{name} must be a whole number ≥ {low}, got {value!r}")
        if not isinstance(self.gap_points, (int, float)) or isinstance(self.gap_points, bool) or not 0 < self.gap_points <= 100:
            raise ValueError(f"scoring.gap_points must be a number in (0, 100], got {self.gap_points!r}")

    @classmethod
    def from_config(cls, config: dict[str, object] | None) -> Scoring:
        """Scoring from a ``[scoring]`` table; missing keys keep their defaults.

        Raises:
            ValueError: naming the unknown key or the bad value.
        """
        config = dict(config or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown scoring setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
        return cls(**config)  # type: ignore[arg-type]

    @property
    def weights(self) -> dict[str, float]:
        """The three weights, by name."""
        return {"sealed": self.sealed, "signed": self.signed, "recent": self.recent}

    @property
    def is_sealing_rate(self) -> bool:
        """True when the score is just the sealing rate in points (only the sealed weight is set)."""
        return self.signed == 0 and self.recent == 0


DEFAULT_SCORING = Scoring()


def team_score(sealed_rate: pd.Series, signed_rate: pd.Series, recent_share: pd.Series, scoring: Scoring = DEFAULT_SCORING) -> pd.Series:
    """The documented score (see :class:`Scoring`): weighted rates in points, two decimals."""
    w = scoring.weights
    total = sum(w.values())
    raw = (w["sealed"] * sealed_rate + w["signed"] * signed_rate + w["recent"] * recent_share) / total
    return (100 * raw).round(2)


def rank_teams(score: pd.Series, finish_day: pd.Series, gain_7d: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4): score high first, then finish day early, then 7-day gain high.

    A missing finish day (not finished) sorts after every finish day. The
    7-day gain breaks ties only between unfinished teams: a finished team's
    place is decided by its finish day, so it does not drop a place when
    its finishing days leave the 7-day window while nothing happens.
    """
    if score.empty:
        return pd.Series(dtype="int64", index=score.index)
    finish = finish_day.astype("float64")
    key = pd.DataFrame({
        "score": -score.astype("float64"),
        "finish": finish.fillna(math.inf),
        "gain": (-gain_7d.astype("float64")).where(finish.isna(), 0.0),
    }, index=score.index)
    order = key.sort_values(["score", "finish", "gain"], kind="stable")
    distinct = order.ne(order.shift()).any(axis=1)
    positions = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    ranks = positions.where(distinct).ffill().astype("int64")
    return ranks.reindex(score.index)


def _team_day(households: pd.DataFrame, teams: pd.DataFrame, blocks: pd.DataFrame, asof: date, scoring: Scoring) -> pd.DataFrame:
    """Per-team counts, rates, score and rank for one day (index team_id; teams with households only)."""
    hh = households[households["team_id"].notna()]
    day = ts(asof)
    gain_col = hh[f"date_{GAIN_STAGE}"]
    window_start = ts(asof - timedelta(days=PACE_WINDOW_DAYS - 1))
    gained = gain_col.where(gain_col <= day)
    per_hh = pd.DataFrame({
        "team_id": hh["team_id"],
        "signed": (hh["date_signed"] <= day),
        "sealed": (hh["date_sealed"] <= day),
        "gain_today": gain_col == day,
        "gain_7d": (gain_col >= window_start) & (gain_col <= day),
        "last_gain": gained,
    })
    out = per_hh.groupby("team_id", sort=True).agg(
        assigned=("signed", "size"), signed=("signed", "sum"), sealed=("sealed", "sum"),
        gain_today=("gain_today", "sum"), gain_7d=("gain_7d", "sum"), last_gain=("last_gain", "max"),
    )
    for col in ("assigned", "signed", "sealed", "gain_today", "gain_7d"):
        out[col] = out[col].astype("int64")
    meta = teams.set_index("team_id").reindex(out.index)
    out["block_id"] = meta["block_id"].fillna(hh.groupby("team_id")["block_id"].first())
    launches = pd.to_datetime(pd.Series(dict(zip(blocks["block_id"], blocks["launch_date"], strict=True)), dtype="object"))
    launch = pd.to_datetime(out["block_id"].map(launches))
    out["day_n"] = ((day - launch).dt.days + 1).astype("Int64")
    out["remaining"] = out["assigned"] - out["sealed"]
    out["signed_rate"] = out["signed"] / out["assigned"]
    out["sealed_rate"] = out["sealed"] / out["assigned"]
    out["score"] = team_score(out["sealed_rate"], out["signed_rate"], out["gain_7d"] / out["assigned"], scoring)
    done = out["remaining"] == 0
    out["finish_date"] = out["last_gain"].where(done)
    out["finish_day"] = ((out["finish_date"] - launch).dt.days + 1).astype("Int64")
    out["rank"] = rank_teams(out["score"], out["finish_day"], out["gain_7d"])
    return out


def team_board(
    households: pd.DataFrame,
    teams: pd.DataFrame,
    blocks: pd.DataFrame,
    asof: date,
    *,
    scoring: Scoring = DEFAULT_SCORING,
    scope: dict[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The 成绩单 for ``asof``: one row per team, best first (:data:`TEAM_BOARD_COLUMNS`).

    Ranks are campaign-wide, so a team has the same rank on every view: the
    ``ptypes``/``ownerships`` of ``scope`` change what is scored, while its
    ``blocks``/``teams`` only choose which rows are returned. ``rank_change``
    is yesterday's rank minus today's (+2 = up two places). Teams without
    households in scope are left out; ``days_since_gain`` and the finish
    columns are missing (NA) where they do not apply.

    Args:
        households: the campaign's households (``date_<stage>`` columns).
        teams: team_id, name, organisation, kind, block_id.
        blocks: block_id, name, launch_date.
        asof: the board's day.
        scoring: weights and laggard thresholds.
        scope: :meth:`lib.state.Filters.scope` (blocks, teams, ptypes, ownerships).
    """
    scope = dict(scope or {})
    scored = filter_households(households, ptypes=scope.get("ptypes", ()), ownerships=scope.get("ownerships", ()))
    if scored["team_id"].notna().sum() == 0:
        return schema.empty_frame(TEAM_BOARD_COLUMNS)
    board = _team_day(scored, teams, blocks, asof, scoring)
    before = _team_day(scored, teams, blocks, asof - timedelta(days=1), scoring)
    board["rank_change"] = (before["rank"].reindex(board.index) - board["rank"]).astype("Int64")

    day = ts(asof)
    in_blocks = scored[scored["block_id"].isin(board["block_id"].unique())]
    block_rate = reached(in_blocks, GAIN_STAGE, asof).groupby(in_blocks["block_id"]).mean()
    board["block_rate"] = board["block_id"].map(block_rate).astype("float64")
    board["rate_gap"] = (board["block_rate"] - board["sealed_rate"]) * 100  # points, unrounded: rounded once at display

    started = board["day_n"].fillna(0) >= 1
    active = started & (board["remaining"] > 0)
    since = (day - board["last_gain"]).dt.days.astype("Int64")
    board["days_since_gain"] = since.fillna(board["day_n"]).where(active).astype("Int64")
    stalled = active & (board["day_n"] > scoring.grace_days) & (board["days_since_gain"] >= scoring.stall_days)
    below = active & (board["rate_gap"] > scoring.gap_points)
    stalled, below = stalled.fillna(False).astype(bool), below.fillna(False).astype(bool)
    board["laggard"] = stalled | below
    reasons = np.where(stalled, "stalled", "") + np.where(stalled & below, "|", "") + np.where(below, "below_block", "")
    board["laggard_reasons"] = pd.Series(reasons, index=board.index, dtype="object")

    meta = teams.set_index("team_id").reindex(board.index)
    board["team"] = meta["name"].fillna(pd.Series(board.index, index=board.index))
    board["organisation"] = meta["organisation"].fillna("")
    board["kind"] = meta["kind"].fillna("")
    names = dict(zip(blocks["block_id"], blocks["name"], strict=True))
    board["block"] = board["block_id"].map(names).fillna(board["block_id"])
    board["finish_date"] = board["finish_date"].dt.date.astype("object").where(board["finish_date"].notna(), None)
    board["last_gain"] = board["last_gain"].dt.date.astype("object").where(board["last_gain"].notna(), None)

    board = board.reset_index()
    shown = pd.Series(True, index=board.index)
    if scope.get("blocks"):
        shown &= board["block_id"].isin(list(scope["blocks"]))
    if scope.get("teams"):
        shown &= board["team_id"].isin(list(scope["teams"]))
    board = board[shown].sort_values(["rank", "team"], kind="stable", ignore_index=True)
    return board[TEAM_BOARD_COLUMNS]


def days_outstanding(households: pd.DataFrame, blocks: pd.DataFrame, asof: date, stage: str = "sealed") -> pd.Series:
    """Days each household has waited since it last moved, until it reaches ``stage``.

    Counted from its latest milestone on or before ``asof`` (from its block's
    launch when it has none); NA once it has reached ``stage`` or before its
    block launched. 0 means it moved on ``asof`` itself.
    """
    day = ts(asof)
    cols = [f"date_{s}" for s in schema.STAGES]
    latest = households[cols].where(households[cols] <= day).max(axis=1)
    launches = pd.Series(dict(zip(blocks["block_id"], blocks["launch_date"], strict=True)), dtype="object")
    launch = pd.to_datetime(households["block_id"].map(launches))
    since = latest.where(latest.notna() & (latest >= launch), launch)
    out = (day - since).dt.days.astype("Int64")
    waiting = ~reached(households, stage, asof) & (launch <= day)
    return out.where(waiting)


TEAM_REMAINING_COLUMNS = ["household_id", "owner_name", "address", "property_type", "stage", "days_outstanding", "flags"]


def team_remaining(households: pd.DataFrame, blocks: pd.DataFrame, team_id: str, asof: date) -> pd.DataFrame:
    """A team's households not yet sealed on ``asof``, longest waiting first (drill-down).

    ``owner_name`` is the ledger's own: mask it before it reaches a viewer.
    """
    hh = households[households["team_id"] == team_id]
    hh = hh[~reached(hh, GAIN_STAGE, asof)]
    if hh.empty:
        return schema.empty_frame(TEAM_REMAINING_COLUMNS)
    out = pd.DataFrame({
        "household_id": hh["household_id"],
        "owner_name": hh["owner_name"],
        "address": hh["address"],
        "property_type": hh["property_type"],
        "stage": current_stage(hh, asof),
        "days_outstanding": days_outstanding(hh, blocks, asof),
        "flags": hh["flags"],
    })
    out = out.sort_values(["days_outstanding", "household_id"], ascending=[False, True], na_position="last", ignore_index=True)
    return out[TEAM_REMAINING_COLUMNS]


# --- map ----------------------------------------------------------------------


def days_unsigned(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> pd.Series:
    """Days since its block's launch for each household still unsigned on ``asof``.

    The map's "days outstanding": 0 on the launch day; NaN for a household
    signed by then or whose block has not launched yet.
    """
    launches = dict(zip(blocks["block_id"], blocks["launch_date"], strict=True))
    launch = pd.to_datetime(households["block_id"].map(launches))
    days = (ts(asof) - launch).dt.days.astype("float64")
    return days.where(~reached(households, "signed", asof) & (days >= 0))


# --- progress curves: forecasts per block (lib.forecast) ---------------------

FORECAST_COLUMNS = [
    "block_id", "stage", "total", "done", "remaining", "pace_7d", "required_pace",
    "finish_p10", "finish_p50", "finish_p90", "finished_on", "status",
]
FORECAST_PATH_COLUMNS = ["block_id", "stage", "date", "rate_p10", "rate_p50", "rate_p90"]
#: Every label :func:`outlook` can return, worst first; a block's outlook is the worst of its stages.
OUTLOOK_ORDER: tuple[str, ...] = ("late", "stalled", "at_risk", "no_data", "on_track", "finished")
#: The labels of :func:`block_outlooks`: :data:`OUTLOOK_ORDER` and ``not_started``.
OUTLOOKS: tuple[str, ...] = (*OUTLOOK_ORDER, "not_started")


@dataclass(frozen=True)
class ForecastResult:
    """The one forecast of a view (data version, as-of day, scope), read by every page.

    Attributes:
        forecasts: :data:`FORECAST_COLUMNS`, one row per launched block and rate stage,
            calibrated, sealing held not before signing.
        paths: :data:`FORECAST_PATH_COLUMNS`, the bands drawn on the curves (each curve reaches
            100 % on its row's P10 / P50 / P90 date).
        backtest: How the forecasts of earlier days of this campaign fared (:func:`lib.backtest.backtest`).
    """

    forecasts: pd.DataFrame
    paths: pd.DataFrame
    backtest: backtest.Backtest


def forecast_result(
    households: pd.DataFrame, blocks: pd.DataFrame, asof: date, *, history: pd.DataFrame | None = None,
    n_sims: int = 2000, seed: int = 0, with_paths: bool = True,
) -> ForecastResult:
    """:func:`block_forecasts` and the back-test that says how far to trust it, from one history.

    ``history`` is :func:`lib.backtest.forecast_history` of these households
    up to at least ``asof - 1`` (computed when None); a page caches it per
    data version and scope, since every row of it depends on its own day's
    data only.
    """
    if history is None:
        history = backtest.forecast_history(households, blocks, asof - timedelta(days=1))
    forecasts, paths = block_forecasts(households, blocks, asof, history=history, n_sims=n_sims, seed=seed, with_paths=with_paths)
    return ForecastResult(forecasts=forecasts, paths=paths, backtest=backtest.backtest(households, blocks, asof, history=history))


def block_forecasts(
    households: pd.DataFrame, blocks: pd.DataFrame, asof: date, *, n_sims: int = 2000, seed: int = 0,
    with_paths: bool = True, history: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Calibrated finish forecasts per block and rate stage as of ``asof``, with their bands.

    Each block's :func:`cumulative_by_day` from launch to ``asof`` goes to
    :func:`lib.forecast.forecast_finish` (the bootstrap), whose P50 and the
    block's standing go through the quantile models with the calibration
    this campaign's past gives on ``asof``
    (:func:`lib.backtest.calibration_on`; ``history`` is computed when None).
    Nothing dated after ``asof`` enters: a past day's forecast is the one
    that day's meeting saw. Sealing is held not before signing
    (:func:`lib.forecast.hold_not_before`): while signing is stalled,
    sealing is stalled too. Blocks with no households in scope, or not
    launched by ``asof``, are left out.

    Returns:
        ``(forecasts, paths)``. ``forecasts`` has :data:`FORECAST_COLUMNS`, one
        row per block and stage; a percentile of None on a projected status is
        beyond the horizon. ``paths`` has :data:`FORECAST_PATH_COLUMNS`:
        the P10/P50/P90 curves as shares of the block's households, from
        ``asof`` to the P90 finish, each reaching 100 % on its date (no rows
        for a finished, stalled or no-data stage).
    """
    if history is None:
        history = backtest.forecast_history(households, blocks, asof - timedelta(days=1))
    calibration = backtest.calibration_on(history, households, blocks, asof)
    rows: list[dict[str, object]] = []
    paths: list[pd.DataFrame] = []
    by_block = {bid: g for bid, g in households.groupby("block_id", sort=False)}
    for blk in blocks.itertuples(index=False):
        launch_date, deadline = cast(date, blk.launch_date), cast(date, blk.deadline)
        hh = by_block.get(cast(str, blk.block_id))
        if hh is None or hh.empty or asof < launch_date:
            continue
        signed: tuple[str, tuple[float, float, float]] | None = None
        for stage in RATE_STAGES:
            cum = cumulative_by_day(hh, stage, launch_date, asof)
            fc = forecast.forecast_finish(
                cum, total=len(hh), asof=asof, deadline=deadline, stage=stage, n_sims=n_sims, seed=seed
            )
            offsets = (math.nan,) * 3
            status = fc.status
            if status in forecast.PROJECTED_STATUSES:
                raw = math.inf if fc.finish_p50 is None else float((fc.finish_p50 - asof).days)
                sig = forecast.signals(cum.to_numpy(), len(hh), stage == "sealed", raw)
                offsets = calibration.offsets(sig)
            if stage == "signed":
                signed = (status, offsets)
            elif signed is not None and status in forecast.PROJECTED_STATUSES:
                held = forecast.hold_not_before(offsets, *signed)
                if held is None:
                    status, offsets = forecast.STATUS_STALLED, (math.nan,) * 3
                else:
                    offsets = held
            row = {"block_id": blk.block_id, **{c: getattr(fc, c) for c in FORECAST_COLUMNS[1:]}}
            row.update(finish_p10=None, finish_p50=None, finish_p90=None, status=status)
            if status in forecast.PROJECTED_STATUSES:
                p10, p50, p90 = (None if math.isinf(k) else asof + timedelta(days=int(k)) for k in offsets)
                row.update(finish_p10=p10, finish_p50=p50, finish_p90=p90, status=forecast.status_for(p50, p90, deadline, asof))
            rows.append(row)
            if with_paths and row["status"] in forecast.PROJECTED_STATUSES:
                path = _band_path(cum, fc, offsets, len(hh))
                paths.append(pd.DataFrame({"block_id": blk.block_id, "stage": stage, **path}))
    forecasts = pd.DataFrame(rows, columns=FORECAST_COLUMNS) if rows else schema.empty_frame(FORECAST_COLUMNS)
    bands = pd.concat(paths, ignore_index=True)[FORECAST_PATH_COLUMNS] if paths else schema.empty_frame(FORECAST_PATH_COLUMNS)
    return forecasts, bands


def _band_path(
    cum: pd.Series, fc: forecast.Forecast, offsets: tuple[float, float, float], total: int
) -> dict[str, object]:
    """The drawn band: the bootstrap's P50 curve, stretched so each curve reaches ``total`` on its offset.

    The shape (a fast start, a slow tail) is the simulation's; where it
    ends is the calibrated date, so the chart and the table say the same.
    A curve past the horizon rises over the whole horizon without reaching
    100 %.
    """
    done = int(cum.iloc[-1])
    finite = [k for k in offsets if not math.isinf(k)]
    last = int(max(finite)) if len(finite) == 3 else int(forecast.HORIZON_CAP_DAYS)
    t = np.arange(last + 1, dtype=float)
    shape_x, shape_y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    raw = forecast.forecast_path(cum, fc) if fc.status in forecast.PROJECTED_STATUSES else pd.DataFrame()
    if not raw.empty and raw["p50"].iloc[-1] >= total and total > done:
        reach = int(np.argmax(raw["p50"].to_numpy() >= total))
        if reach > 0:
            shape_x = np.arange(reach + 1) / reach
            shape_y = (raw["p50"].to_numpy()[: reach + 1] - done) / (total - done)
    out: dict[str, object] = {"date": pd.date_range(pd.Timestamp(fc.asof), periods=last + 1, freq="D")}
    for name, k in zip(("rate_p10", "rate_p50", "rate_p90"), offsets, strict=True):
        span = forecast.HORIZON_CAP_DAYS * 1.25 if math.isinf(k) else k
        share = np.interp(t / span, shape_x, shape_y, right=1.0)
        out[name] = (done + (total - done) * share) / total
    return out


def block_outlooks(table: pd.DataFrame, forecasts: pd.DataFrame) -> pd.Series:
    """Each block's outlook label (:data:`OUTLOOKS`), by block id: the one rule every page shows.

    A block not launched on the as-of day is ``not_started``; otherwise
    :func:`outlook` of its stages' statuses.
    """
    by_block = forecasts.groupby("block_id")["status"].agg(list) if not forecasts.empty else pd.Series(dtype=object)
    flags = {
        row.block_id: outlook(by_block.get(row.block_id, [])) if cast(int, row.day_n) >= 1 else "not_started"
        for row in table.itertuples(index=False)
    }
    return pd.Series(flags, dtype="object")


def worst_first(table: pd.DataFrame, forecasts: pd.DataFrame) -> list[str]:
    """Block ids, the worst outlook first (:data:`OUTLOOKS` order), the table's own order within one outlook."""
    flags = block_outlooks(table, forecasts)
    rank = {label: i for i, label in enumerate(OUTLOOKS)}
    return sorted(flags.index, key=lambda block_id: rank[flags[block_id]])


def outlook(statuses: Sequence[str]) -> str:
    """A block's outlook: the worst of its stages' statuses (:data:`OUTLOOK_ORDER`).

    The statuses come from :func:`block_forecasts`, whose dates they agree
    with by construction: ``late`` when a shown P50 is past the deadline
    (or beyond the horizon), ``stalled`` only for a stage shown without a
    date (no gain in 7 days; sealing too while signing is stalled), so
    停滞 never stands beside a date that says otherwise.
    """
    known = [s for s in statuses if s in OUTLOOK_ORDER]
    if not known:
        return "no_data"
    return min(known, key=OUTLOOK_ORDER.index)


def board_bottom(board: pd.DataFrame, n: int, skip: int) -> tuple[pd.DataFrame, bool]:
    """The leaderboard's bottom rows to name beside its top, and whether they are laggards.

    The laggards, worst first, at most ``n``; when there are none, the last
    ``n`` teams after the top ``skip``, worst first. The wall's pinned panel
    and the command canvas both name the same teams this way.
    """
    laggards = board[board["laggard"]]
    if laggards.empty:
        return board.iloc[skip:].tail(n).iloc[::-1], False
    return laggards.iloc[::-1].head(n), True
