"""What a page shows for one view, computed once and cached.

A view is keyed on simple values only (database URL, data version, as-of day,
scope), so a rerun with the same filters, another session on the same link,
or the big screen cycling back to a page reuses the result. The cached
objects are shared between sessions: never mutate them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import brief, metrics, store
from lib.brief import render as brief_render
from lib.figures import overview, parcel_map, progress
from lib.web.state import Filters

Scope = tuple[tuple[str, tuple[str, ...]], ...]


# ------------------------------------------------------------------ the campaign


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_cached(url: str, version: int) -> store.Campaign:
    return store.load_frames(store.get_engine(url))


def load_campaign(url: str | None = None) -> store.Campaign:
    """The campaign, cached per database URL and data version.

    The cached object is shared between sessions: never mutate it.
    """
    url = url or store.database_url()
    return _load_cached(url, store.data_version(store.get_engine(url)))


@st.cache_resource(show_spinner=False)
def prepare_database(url: str) -> str:
    """:func:`lib.store.prepare_database`, once per server process and URL."""
    return store.prepare_database(url)


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


@dataclass(frozen=True)
class CurvesView:
    """Daily curves and forecast bands for the progress page."""

    daily: pd.DataFrame
    table: pd.DataFrame
    forecasts: pd.DataFrame
    paths: pd.DataFrame


def _scoped(url: str, scope: Scope) -> tuple[store.Campaign, pd.DataFrame]:
    campaign = load_campaign(url)
    return campaign, metrics.filter_households(campaign.households, **dict(scope))


@st.cache_resource(max_entries=64, show_spinner=False)
def block_view(url: str, version: int, asof: date, scope: Scope) -> BlockView:
    """The overview's numbers: KPIs, one row per block, forecast flags (no bands)."""
    campaign, households = _scoped(url, scope)
    forecasts, _ = metrics.block_forecasts(households, campaign.blocks, asof, with_paths=False)
    return BlockView(
        households=len(households),
        kpis=metrics.campaign_kpis(households, campaign.blocks, asof),
        table=metrics.block_table(households, campaign.blocks, asof),
        forecasts=forecasts,
        team_records=metrics.team_full_days(households, campaign.teams, campaign.blocks, asof),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def rate_bars(url: str, version: int, asof: date, scope: Scope, lang: str, screen: bool) -> go.Figure:
    """The overview's rate bars, built once per view (plotly's validation is costly)."""
    return overview.block_rate_bars(block_view(url, version, asof, scope).table, lang, screen=screen)


@st.cache_resource(max_entries=32, show_spinner=False)
def curves_view(url: str, version: int, asof: date, scope: Scope) -> CurvesView:
    """The curves page's numbers: daily progress, block rows, forecasts with bands."""
    campaign, households = _scoped(url, scope)
    forecasts, paths = metrics.block_forecasts(households, campaign.blocks, asof)
    return CurvesView(
        daily=metrics.daily_progress(households, campaign.blocks, asof),
        table=metrics.block_table(households, campaign.blocks, asof),
        forecasts=forecasts,
        paths=paths,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def curve_figures(
    url: str, version: int, asof: date, scope: Scope, x: str, chart: str, lang: str, screen: bool
) -> list[go.Figure]:
    """The curves page's charts; plotly's validation is costly, so they are cached per view too."""
    view = curves_view(url, version, asof, scope)
    blocks = load_campaign(url).blocks
    return progress.progress_curves(view.daily, blocks=blocks, asof=asof, x=x, chart=chart, lang=lang, screen=screen, paths=view.paths)


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
    campaign = load_campaign(url)
    board = metrics.team_board(campaign.households, campaign.teams, campaign.blocks, asof, scoring=scoring, scope=dict(scope))
    return TeamView(board=board, names=dict(zip(board["team_id"], board["team"], strict=True)))


# ------------------------------------------------------------------ the map


def load_basemap_settings() -> parcel_map.BasemapSettings:
    """The basemap settings of this installation (secrets file, then environment)."""
    return parcel_map.basemap_settings(store.secrets(), os.environ)


@st.cache_resource(max_entries=64, show_spinner=False)
def map_view(
    url: str,
    data_version: int,
    asof: date,
    scope: Scope,
    stages: tuple[str, ...] = (),
    left_only: bool = False,
    datum: str = "wgs84",
    max_features: int = parcel_map.MAX_FEATURES,
) -> parcel_map.MapView:
    """:func:`lib.figures.parcel_map.build_view` cached per database URL, data version, as-of day and filters.

    Shared between sessions and immutable.
    """
    campaign = load_campaign(url)
    households = metrics.filter_households(campaign.households, **dict(scope))
    return parcel_map.build_view(
        households, campaign.blocks, campaign.teams, asof, stages=stages, left_only=left_only, datum=datum,
        max_features=max_features,
    )


# ------------------------------------------------------------------ the daily brief

#: The renderer's "no CJK font" error and file names, for the brief page.
FontMissing = brief_render.FontMissing
BRIEF_MIME = brief_render.MIME
brief_file_name = brief_render.file_name
brief_text = brief_render.brief_text

BriefKey = tuple[str, int, date, Scope, metrics.Scoring]


def scoring_in_force() -> tuple[metrics.Scoring, str | None]:
    """The leaderboard's scoring from the secrets' ``[scoring]``; the default and the error when it is invalid."""
    try:
        return metrics.Scoring.from_config(store.secrets().get("scoring")), None
    except (TypeError, ValueError) as exc:
        return metrics.DEFAULT_SCORING, str(exc)


def brief_key(filters: Filters, scoring: metrics.Scoring) -> BriefKey:
    """The cache key of a brief: database URL, data version, as-of day, scope, scoring."""
    url = store.database_url()
    return url, load_campaign(url).data_version, filters.asof, scope_key(filters), scoring


@st.cache_resource(max_entries=4, show_spinner=False)
def _last_import(url: str, version: int) -> datetime | None:
    return brief.last_import_time(store.list_batches(store.get_engine(url)))


@st.cache_resource(max_entries=32, show_spinner=False)
def brief_view(url: str, version: int, asof: date, scope: Scope, scoring: metrics.Scoring) -> brief.Brief:
    """:func:`lib.brief.brief_data` for one day and scope, with the last import time (freshness line)."""
    return brief.brief_data(load_campaign(url), asof, dict(scope), scoring=scoring, last_import=_last_import(url, version))


@st.cache_resource(max_entries=48, show_spinner=False)
def brief_file(url: str, version: int, asof: date, scope: Scope, scoring: metrics.Scoring, lang: str, ext: str) -> bytes:
    """One file of the brief (``png``, ``pdf`` or ``xlsx``), rendered once per view and language."""
    view = brief_view(url, version, asof, scope, scoring)
    render = {"png": brief_render.brief_png, "pdf": brief_render.brief_pdf, "xlsx": brief_render.brief_xlsx}[ext]
    return render(view, lang)
