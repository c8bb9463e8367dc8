"""What a page shows for one view, computed once and cached.

A view is keyed on simple values only (database URL, data version, as-of day,
scope), so a rerun with the same filters, another session on the same link,
or the big screen cycling back to a page reuses the result. The cached
objects are shared between sessions: never mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import figures, metrics, store
from lib.state import Filters

Scope = tuple[tuple[str, tuple[str, ...]], ...]


def scope_key(filters: Filters) -> Scope:
    """The filters' scope as a hashable cache key."""
    return tuple(filters.scope().items())


@dataclass(frozen=True)
class BlockView:
    """Headline figures, the block rows and their forecasts for one day and scope."""

    households: int
    kpis: metrics.Kpis
    table: pd.DataFrame
    forecasts: pd.DataFrame
    team_records: pd.DataFrame
    outlooks: pd.Series


@dataclass(frozen=True)
class CurvesView:
    """Daily curves and forecast bands for the progress page."""

    daily: pd.DataFrame
    table: pd.DataFrame
    forecasts: pd.DataFrame
    paths: pd.DataFrame
    backtest: Any


def _scoped(url: str, scope: Scope) -> tuple[store.Campaign, pd.DataFrame]:
    campaign = store.load_campaign(url)
    return campaign, metrics.filter_households(campaign.households, **dict(scope))


@st.cache_resource(max_entries=8, show_spinner=False)
def forecast_history(url: str, version: int, scope: Scope) -> pd.DataFrame:
    """Every past day's raw forecast for the scope (:func:`lib.backtest.forecast_history`), once per data version.

    Each row depends on its own day's data only, so one history up to the
    last day with data serves the forecast and back-test of every as-of day.
    """
    from lib import backtest

    campaign, households = _scoped(url, scope)
    last = campaign.last_data_day
    if last is None or households.empty:
        return backtest.forecast_history(households.iloc[:0], campaign.blocks, date.min)
    return backtest.forecast_history(households, campaign.blocks, last)


@st.cache_resource(max_entries=64, show_spinner=False)
def forecast_view(url: str, version: int, asof: date, scope: Scope) -> metrics.ForecastResult:
    """The one forecast of a view (data version, as-of day, scope): table, whiskers, bands, outlook and back-test."""
    campaign, households = _scoped(url, scope)
    return metrics.forecast_result(households, campaign.blocks, asof, history=forecast_history(url, version, scope))


@st.cache_resource(max_entries=64, show_spinner=False)
def block_view(url: str, version: int, asof: date, scope: Scope) -> BlockView:
    """The overview's numbers: KPIs, one row per block, forecast flags (from :func:`forecast_view`)."""
    campaign, households = _scoped(url, scope)
    forecasts = forecast_view(url, version, asof, scope).forecasts
    table = metrics.block_table(households, campaign.blocks, asof)
    return BlockView(
        households=len(households),
        kpis=metrics.campaign_kpis(households, campaign.blocks, asof),
        table=table,
        forecasts=forecasts,
        team_records=metrics.team_full_days(households, campaign.teams, campaign.blocks, asof),
        outlooks=metrics.block_outlooks(table, forecasts),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def rate_bars(url: str, version: int, asof: date, scope: Scope, lang: str, screen: bool) -> go.Figure:
    """The overview's rate bars, built once per view (plotly's validation is costly)."""
    return figures.block_rate_bars(block_view(url, version, asof, scope).table, lang, screen=screen)


@st.cache_resource(max_entries=32, show_spinner=False)
def curves_view(url: str, version: int, asof: date, scope: Scope) -> CurvesView:
    """The curves page's numbers: daily progress, block rows, forecasts with bands."""
    campaign, households = _scoped(url, scope)
    result = forecast_view(url, version, asof, scope)
    return CurvesView(
        daily=metrics.daily_progress(households, campaign.blocks, asof),
        table=metrics.block_table(households, campaign.blocks, asof),
        forecasts=result.forecasts,
        paths=result.paths,
        backtest=result.backtest,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def curve_figures(
    url: str, version: int, asof: date, scope: Scope, x: str, chart: str, lang: str, screen: bool
) -> list[go.Figure]:
    """The curves page's charts; plotly's validation is costly, so they are cached per view too."""
    view = curves_view(url, version, asof, scope)
    blocks = store.load_campaign(url).blocks
    return figures.progress_curves(view.daily, blocks=blocks, asof=asof, x=x, chart=chart, lang=lang, screen=screen, paths=view.paths,
                                   forecasts=view.forecasts)


@dataclass(frozen=True)
class TeamView:
    """The day's leaderboard and the team names the drill-down picks from."""

    board: pd.DataFrame
    names: dict[str, str]

    def row(self, team_id: str) -> Any:
        """One team's leaderboard row (a named tuple)."""
        return next(self.board[self.board["team_id"] == team_id].itertuples(index=False))


@st.cache_resource(max_entries=64, show_spinner=False)
def team_view(url: str, version: int, asof: date, scope: Scope, scoring: metrics.Scoring) -> TeamView:
    """The leaderboard for one day, scope and scoring rule (a drill-down pick reuses it)."""
    campaign = store.load_campaign(url)
    board = metrics.team_board(campaign.households, campaign.teams, campaign.blocks, asof, scoring=scoring, scope=dict(scope))
    return TeamView(board=board, names=dict(zip(board["team_id"], board["team"], strict=True)))
