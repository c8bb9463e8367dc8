"""Every number on the board, defined once (DESIGN.md "Definitions").

Pure functions of the loaded frames and an as-of day; nothing here reads
widgets or the database. A household "has reached" a stage on the as-of day
when its ``date_<stage>`` is on or before that day, so any past day's board
is recomputed exactly as it stood.

- day N of a block = (as_of − launch_date).days + 1
- signing rate = households signed on or before as_of ÷ households in scope
- pace = mean daily gain over the 7 days ending on as_of
- required pace = remaining ÷ days left until the deadline
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib import schema

PACE_WINDOW_DAYS = 7
RATE_STAGES: tuple[str, ...] = ("signed", "sealed")


def ts(day: date) -> pd.Timestamp:
    """A calendar day as the Timestamp the ``date_<stage>`` columns compare with."""
    return pd.Timestamp(day)


def day_number(launch: date, asof: date) -> int:
    """Day N of a campaign that launched on ``launch`` (launch day = day 1)."""
    return (asof - launch).days + 1


def days_left(deadline: date, asof: date) -> int:
    """Whole days after ``asof`` up to and including the deadline (0 on the deadline)."""
    return (deadline - asof).days


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
    dates = dates[dates <= ts(asof)].clip(lower=ts(start))
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
    """Mean daily gain over the 7 days ending on ``asof``.

    A block younger than 7 days divides by its own age, so its first week is
    not understated.
    """
    window = PACE_WINDOW_DAYS
    if launch is not None:
        window = max(1, min(window, day_number(launch, asof)))
    first = asof - timedelta(days=window - 1)
    return gained_between(households, stage, first, asof) / window


def required_pace(remaining: int, deadline: date, asof: date) -> float | None:
    """Daily gain needed to finish by the deadline; None once it has passed with work left."""
    if remaining <= 0:
        return 0.0
    left = days_left(deadline, asof)
    return remaining / left if left > 0 else None


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
    """The overview's headline tiles for one scope and day."""

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


def campaign_kpis(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> Kpis:
    """Headline figures; day N counts from the earliest block launch."""
    launch = min(blocks["launch_date"]) if not blocks.empty else asof
    deadline = schema.deadline_for(launch)
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
    )


BLOCK_TABLE_COLUMNS = [
    "block_id", "name", "launch_date", "deadline", "day_n", "days_left", "households",
    "signed", "sealed", "signed_rate", "sealed_rate", "signed_today", "sealed_today",
    "signed_full_day", "sealed_full_day", "double_full_day",
    "pace_signed", "pace_sealed", "required_signed", "required_sealed",
    "finish_signed", "finish_sealed", "status",
]

#: Block status, worst first; the overview colours rows by it.
STATUSES = ("not_started", "stalled", "behind", "on_track", "finished")


def block_status(remaining: int, daily_pace: float, required: float | None, day_n: int) -> str:
    """Where a block stands on sealing: finished, on track, behind or stalled."""
    if remaining <= 0:
        return "finished"
    if day_n < 1:
        return "not_started"
    if daily_pace <= 0:
        return "stalled"
    if required is None or daily_pace < required:
        return "behind"
    return "on_track"


def block_table(households: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> pd.DataFrame:
    """One row per block in ``blocks`` with its rates, paces and 100 % days.

    ``*_full_day`` is the block's own day N on which the stage first reached
    100 % (NaN if not yet); ``double_full_day`` is when both had.
    """
    rows = []
    by_block = {bid: g for bid, g in households.groupby("block_id", sort=False)}
    for blk in blocks.itertuples(index=False):
        hh = by_block.get(blk.block_id, households.iloc[:0])
        if hh.empty:
            continue
        total = len(hh)
        day_n = day_number(blk.launch_date, asof)
        left = days_left(blk.deadline, asof)
        row: dict[str, object] = {
            "block_id": blk.block_id, "name": blk.name, "launch_date": blk.launch_date,
            "deadline": blk.deadline, "day_n": day_n, "days_left": left, "households": total,
        }
        for stage in RATE_STAGES:
            done = int(reached(hh, stage, asof).sum())
            full = first_full_day(hh, stage, asof)
            p = pace(hh, stage, asof, blk.launch_date) if day_n >= 1 else 0.0
            req = required_pace(total - done, blk.deadline, asof)
            row.update({
                stage: done,
                f"{stage}_rate": rate(done, total),
                f"{stage}_today": gained_on(hh, stage, asof),
                f"{stage}_full_day": day_number(blk.launch_date, full) if full else np.nan,
                f"pace_{stage}": p,
                f"required_{stage}": req,
                f"finish_{stage}": projected_finish(total - done, p, asof),
            })
        both = [row["signed_full_day"], row["sealed_full_day"]]
        row["double_full_day"] = np.nan if any(pd.isna(v) for v in both) else max(both)  # type: ignore[type-var]
        row["status"] = block_status(
            total - int(row["sealed"]), float(row["pace_sealed"]), row["required_sealed"], day_n  # type: ignore[arg-type]
        )
        rows.append(row)
    if not rows:
        return schema.empty_frame(BLOCK_TABLE_COLUMNS)
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
        if hh.empty or asof < blk.launch_date:
            continue
        for stage in RATE_STAGES:
            cum = cumulative_by_day(hh, stage, blk.launch_date, asof)
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
    launches = dict(zip(blocks["block_id"], blocks["launch_date"], strict=True))
    names = dict(zip(teams["team_id"], teams["name"], strict=True))
    rows = []
    for team_id, hh in households.groupby("team_id", sort=True):
        full = first_full_day(hh, stage, asof)
        if full is None:
            continue
        block_id = hh["block_id"].iloc[0]
        rows.append({
            "team_id": team_id, "name": names.get(team_id, team_id), "block_id": block_id,
            "households": len(hh), "full_date": full, "day_n": day_number(launches[block_id], full),
        })
    if not rows:
        return schema.empty_frame(columns)
    return pd.DataFrame(rows, columns=columns).sort_values(["day_n", "households"], ascending=[True, False], ignore_index=True)
