"""日报 The daily brief: the day's one page, as data (:func:`brief_data`) and as files.

The brief is what the HQ posts to its WeChat group every evening: headline
figures with their change since the day before, one row per block (rates,
today's gains, outlook, P50 finish), each block's curve against the 100-day
line, the leaderboard's top three and every 后进 team with its reason, the
day's notable events and the data-freshness line.

Every number comes from :mod:`lib.metrics` through the same functions the
overview, progress and teams pages call (``campaign_kpis``, ``block_table``,
``block_forecasts``, ``block_outlooks``, ``daily_progress``, ``team_board``),
so the brief never disagrees with the board. The only definitions of its own
are the brief's: the change of a rate since the day before (in points) and
what counts as a "holdout" signing (:data:`HOLDOUT_DAYS`).

:class:`Brief` carries no owner names (nothing here reads ``owner_name``).
Rendering lives in :mod:`lib.brief.render`; ``python -m lib.brief`` writes
the three files (:mod:`lib.brief.cli`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from lib import metrics, schema, store

#: A household signing on the as-of day after waiting at least this many days
#: since its block's launch is a "holdout signing" (钉子户签约), worth a line.
HOLDOUT_DAYS = 30
#: How many of the leaderboard's first rows the brief shows.
TOP_TEAMS = 3

SCOPE_KEYS = ("blocks", "teams", "ptypes", "ownerships")


@dataclass(frozen=True)
class Headline:
    """The headline figures of the as-of day and the day before.

    ``signed_today`` / ``sealed_today`` of :attr:`kpis` are the change in
    households since the day before (the ledger is event-sourced, so the
    gain on a day is exactly the change of the count).
    """

    kpis: metrics.Kpis
    previous: metrics.Kpis

    @property
    def signed_rate_change(self) -> float:
        """Signing rate today minus yesterday, in percentage points (unrounded)."""
        return rate_change_points(self.kpis.signed_rate, self.previous.signed_rate)

    @property
    def sealed_rate_change(self) -> float:
        """Sealing rate today minus yesterday, in percentage points (unrounded)."""
        return rate_change_points(self.kpis.sealed_rate, self.previous.sealed_rate)


@dataclass(frozen=True)
class BlockLine:
    """One block's row of the brief (values as :func:`lib.metrics.block_table` and the forecast give them).

    ``on_time_probability`` is the what-if engine's 按期概率 (probability of
    sealing every household by the deadline); ``None`` until that engine
    provides it, and the renderers then leave the column out.
    """

    block_id: str
    name: str
    launch_date: date
    deadline: date
    day_n: int
    days_left: int
    households: int
    signed: int
    sealed: int
    signed_rate: float
    sealed_rate: float
    signed_today: int
    sealed_today: int
    double_full_day: int | None
    outlook: str
    sealed_status: str | None
    finish_p50: date | None
    finished_on: date | None
    on_time_probability: float | None = None

    @property
    def started(self) -> bool:
        """False before the block's launch day (未启动)."""
        return self.day_n >= 1


@dataclass(frozen=True)
class TeamLine:
    """A leaderboard row as the brief shows it (see :func:`lib.metrics.team_board`)."""

    rank: int
    rank_change: int | None
    team_id: str
    team: str
    block: str
    sealed: int
    assigned: int
    sealed_rate: float
    day_n: int | None
    finish_day: int | None
    laggard: bool
    laggard_reasons: str
    days_since_gain: int | None
    rate_gap: float | None


@dataclass(frozen=True)
class Event:
    """A notable event of the as-of day, one line of the brief.

    ``kind`` is ``block_full`` (a block reached 100 % at ``stage``),
    ``team_finished`` (a team sealed its last household) or ``holdout``
    (``count`` households of ``subject`` signed after waiting at least
    :data:`HOLDOUT_DAYS` days; the longest waited ``days``).
    """

    kind: str
    subject: str
    stage: str = ""
    count: int = 0
    days: int = 0


@dataclass(frozen=True)
class Brief:
    """Everything the brief shows for one as-of day and scope, exact and unrounded."""

    asof: date
    scope: Mapping[str, tuple[str, ...]]
    scope_names: tuple[str, ...]
    households: int
    headline: Headline
    blocks: tuple[BlockLine, ...]
    curves: pd.DataFrame
    top: tuple[TeamLine, ...]
    laggards: tuple[TeamLine, ...]
    board: pd.DataFrame
    events: tuple[Event, ...]
    last_import: datetime | None
    data_version: int
    scoring: metrics.Scoring = field(default=metrics.DEFAULT_SCORING)

    @property
    def is_empty(self) -> bool:
        """True when no household is in scope (nothing to brief)."""
        return self.households == 0

    @property
    def has_on_time_probability(self) -> bool:
        """True once the what-if engine filled 按期概率 for some block."""
        return any(b.on_time_probability is not None for b in self.blocks)


def rate_change_points(today: float, yesterday: float) -> float:
    """A rate's change in percentage points; a scope empty yesterday counts from 0."""
    if schema.is_missing(today):
        return 0.0
    return (today - (0.0 if schema.is_missing(yesterday) else yesterday)) * 100


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """A frame's rows as named tuples (typed loosely: their fields are the frame's columns)."""
    return frame.itertuples(index=False)


def _int_or_none(value: object) -> int | None:
    return None if schema.is_missing(value) else int(value)  # type: ignore[call-overload]


def _float_or_none(value: object) -> float | None:
    return None if schema.is_missing(value) else float(value)  # type: ignore[arg-type]


def block_lines(
    table: pd.DataFrame, forecasts: pd.DataFrame, on_time: Mapping[str, float] | None = None
) -> tuple[BlockLine, ...]:
    """The brief's block rows from :func:`lib.metrics.block_table` and :func:`lib.metrics.block_forecasts`.

    The outlook is :func:`lib.metrics.block_outlooks` (the overview's flag);
    the P50 finish is the sealing stage's. ``on_time`` maps block id to the
    what-if engine's probability of finishing on time, where it has one.
    """
    outlooks = metrics.block_outlooks(table, forecasts)
    sealed_fc = {r.block_id: r for r in _rows(forecasts) if r.stage == "sealed"}
    on_time = on_time or {}
    lines = []
    for row in _rows(table):
        fc = sealed_fc.get(row.block_id)
        lines.append(BlockLine(
            block_id=row.block_id, name=row.name, launch_date=row.launch_date, deadline=row.deadline,
            day_n=int(row.day_n), days_left=int(row.days_left), households=int(row.households),
            signed=int(row.signed), sealed=int(row.sealed),
            signed_rate=float(row.signed_rate), sealed_rate=float(row.sealed_rate),
            signed_today=int(row.signed_today), sealed_today=int(row.sealed_today),
            double_full_day=_int_or_none(row.double_full_day),
            outlook=str(outlooks[row.block_id]),
            sealed_status=None if fc is None else fc.status,
            finish_p50=None if fc is None or schema.is_missing(fc.finish_p50) else fc.finish_p50,
            finished_on=None if fc is None or schema.is_missing(fc.finished_on) else fc.finished_on,
            on_time_probability=on_time.get(row.block_id),
        ))
    return tuple(lines)


def team_lines(board: pd.DataFrame) -> tuple[TeamLine, ...]:
    """:func:`lib.metrics.team_board` rows as :class:`TeamLine`, in the board's order."""
    return tuple(
        TeamLine(
            rank=int(r.rank), rank_change=_int_or_none(r.rank_change), team_id=str(r.team_id), team=str(r.team),
            block=str(r.block), sealed=int(r.sealed), assigned=int(r.assigned), sealed_rate=float(r.sealed_rate),
            day_n=_int_or_none(r.day_n), finish_day=_int_or_none(r.finish_day), laggard=bool(r.laggard), laggard_reasons=str(r.laggard_reasons or ""),
            days_since_gain=_int_or_none(r.days_since_gain), rate_gap=_float_or_none(r.rate_gap),
        )
        for r in _rows(board)
    )


def notable_events(
    table: pd.DataFrame, board: pd.DataFrame, households: pd.DataFrame, blocks: pd.DataFrame, asof: date
) -> tuple[Event, ...]:
    """The as-of day's events: blocks reaching 100 %, teams finishing, holdouts signing.

    A block "reaches 100 %" on the day its ``<stage>_full_day`` is today's day
    N; a team finishes on its ``finish_date``; a holdout signing is a
    household signed today that was still unsigned yesterday after
    :data:`HOLDOUT_DAYS` days or more (:func:`lib.metrics.days_unsigned`).
    """
    events: list[Event] = []
    for row in _rows(table):
        for stage in metrics.RATE_STAGES:
            if getattr(row, f"{stage}_full_day") == row.day_n:
                events.append(Event("block_full", str(row.name), stage=stage))
    for row in _rows(board):
        if row.finish_date == asof:
            events.append(Event("team_finished", str(row.team), count=int(row.assigned), days=int(row.finish_day)))
    waited = metrics.days_unsigned(households, blocks, asof - timedelta(days=1))
    signed_today = households["date_signed"] == metrics.ts(asof)
    holdouts = waited[signed_today & (waited >= HOLDOUT_DAYS)]
    names = dict(zip(blocks["block_id"], blocks["name"], strict=True))
    by_block = holdouts.groupby(households.loc[holdouts.index, "block_id"], sort=False).agg(["size", "max"])
    for block_id in [b for b in blocks["block_id"] if b in by_block.index]:
        n, longest = by_block.loc[block_id]
        events.append(Event("holdout", str(names[block_id]), stage="signed", count=int(n), days=int(longest) + 1))
    return tuple(events)


def normalise_scope(scope: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """A scope with every key of :meth:`lib.web.state.Filters.scope`, values as tuples.

    Raises:
        ValueError: naming an unknown scope key.
    """
    scope = dict(scope or {})
    unknown = sorted(set(scope) - set(SCOPE_KEYS))
    if unknown:
        raise ValueError(f"unknown scope key {unknown[0]!r} (known: {', '.join(SCOPE_KEYS)})")
    return {key: tuple(scope.get(key, ())) for key in SCOPE_KEYS}


def brief_data(
    campaign: store.Campaign,
    asof: date,
    scope: Mapping[str, Sequence[str]] | None = None,
    *,
    scoring: metrics.Scoring = metrics.DEFAULT_SCORING,
    last_import: datetime | None = None,
    on_time: Mapping[str, float] | None = None,
    forecasts: pd.DataFrame | None = None,
) -> Brief:
    """The brief for ``asof`` and ``scope``: every figure from :mod:`lib.metrics`.

    Args:
        campaign: the loaded campaign (:class:`lib.store.Campaign`).
        asof: the brief's day.
        scope: blocks / teams / ptypes / ownerships, as the sidebar filters.
        scoring: the leaderboard's scoring rule in force.
        last_import: when the latest ledger was imported (the freshness line).
        on_time: block id → the what-if engine's probability of finishing on
            time; leave out until it exists (the column stays hidden).
        forecasts: the board's forecast rows for this day and scope (the web
            edge passes its cached one, so the brief shows the board's dates);
            computed when None.
    """
    scope = normalise_scope(scope)
    households = metrics.filter_households(campaign.households, **scope)
    blocks = campaign.blocks
    table = metrics.block_table(households, blocks, asof)
    if forecasts is None:
        forecasts, _ = metrics.block_forecasts(households, blocks, asof, with_paths=False)
    board_scope: dict[str, Sequence[str]] = dict(scope)
    board = metrics.team_board(campaign.households, campaign.teams, blocks, asof, scoring=scoring, scope=board_scope)
    team_rows = team_lines(board)
    names = dict(zip(blocks["block_id"], blocks["name"], strict=True))
    teams = dict(zip(campaign.teams["team_id"], campaign.teams["name"], strict=True))
    scope_names = tuple(names.get(b, b) for b in scope["blocks"]) + tuple(teams.get(x, x) for x in scope["teams"])
    scope_names += scope["ptypes"] + scope["ownerships"]
    return Brief(
        asof=asof,
        scope=scope,
        scope_names=scope_names,
        households=len(households),
        headline=Headline(
            kpis=metrics.campaign_kpis(households, blocks, asof),
            previous=metrics.campaign_kpis(households, blocks, asof - timedelta(days=1)),
        ),
        blocks=block_lines(table, forecasts, on_time),
        curves=metrics.daily_progress(households, blocks, asof),
        top=team_rows[:TOP_TEAMS],
        laggards=tuple(r for r in team_rows if r.laggard),
        board=board,
        events=notable_events(table, board, households, blocks, asof) if len(households) else (),
        last_import=last_import,
        data_version=campaign.data_version,
        scoring=scoring,
    )


def last_import_time(batches: pd.DataFrame) -> datetime | None:
    """When the newest applied batch of :func:`lib.store.list_batches` was imported."""
    applied = batches[batches["status"] == "applied"] if "status" in batches else batches
    if applied.empty:
        return None
    value = pd.Timestamp(applied["imported_at"].max())
    return None if pd.isna(value) else value.to_pydatetime()
