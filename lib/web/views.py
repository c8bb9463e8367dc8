"""What a page shows for one view, computed once and cached.

A view is keyed on simple values only (database URL, data version, as-of day,
scope — a :class:`ViewKey`, built once per run by :func:`key`), so a rerun
with the same filters, another session on the same link, or the big screen
cycling back to a page reuses the result. Pages call the public functions
with their :class:`Filters`; they never assemble keys. The cached objects are
shared between sessions: never mutate them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import assets, backtest, brief, freshness, metrics, scenarios, store, theme
from lib.brief import render as brief_render
from lib.figures import command, overview, parcel_map, progress, teams, whatif
from lib.store import snapshot
from lib.web.state import Filters

Scope = tuple[tuple[str, tuple[str, ...]], ...]


# ------------------------------------------------------------------ the campaign


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_cached(url: str, version: int) -> store.Campaign:
    return snapshot.load_with_snapshot(store.get_engine(url), snapshot.cache_dir())


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


@st.cache_resource(show_spinner=False)
def serve_vendor_assets(root: str) -> str:
    """Copy Leaflet under ``root``'s static folder once per server process (the map loads nothing from a CDN)."""
    return str(assets.ensure_vendor_assets(Path(root)))


class BoardUnavailable(RuntimeError):
    """The database cannot be opened; the message is one line, without credentials."""


@dataclass(frozen=True)
class Board:
    """The database this server shows, as the shell needs it."""

    url: str
    shown_url: str
    campaign: store.Campaign


def open_board() -> Board:
    """Prepare the configured database (seeding the embedded one) and load its campaign.

    Raises:
        BoardUnavailable: unreachable or broken database.
    """
    url = store.database_url()
    try:
        prepare_database(url)
        campaign = load_campaign(url)
    except Exception as exc:  # any driver error: the shell says it in one line, never a traceback
        raise BoardUnavailable(store.describe_error(exc)) from exc
    return Board(url=url, shown_url=store.display_url(url), campaign=campaign)


def data_version_now(url: str) -> int:
    """The database's data version right now (uncached: the refresh timer asks)."""
    return store.data_version(store.get_engine(url))


class ViewKey(NamedTuple):
    """What every cached view depends on: the database, its data version, the day and the scope."""

    url: str
    version: int
    asof: date
    scope: Scope


def scope_key(filters: Filters) -> Scope:
    """The filters' scope as a hashable cache key."""
    return tuple(filters.scope().items())


def key(filters: Filters) -> ViewKey:
    """The cache key of ``filters`` on the configured database as it is now."""
    url = store.database_url()
    return ViewKey(url, load_campaign(url).data_version, filters.asof, scope_key(filters))


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
    backtest: backtest.Backtest


def _scoped(url: str, scope: Scope) -> tuple[store.Campaign, pd.DataFrame]:
    campaign = load_campaign(url)
    return campaign, metrics.filter_households(campaign.households, **dict(scope))


def block_view(filters: Filters) -> BlockView:
    """The overview's numbers: KPIs, one row per block, forecast flags (no bands)."""
    return _block_view(key(filters))


@st.cache_resource(max_entries=8, show_spinner=False)
def _forecast_history(url: str, version: int, scope: Scope) -> pd.DataFrame:
    """Every past day's raw forecast for the scope (:func:`lib.backtest.forecast_history`), once per data version.

    Each row depends on its own day's data only, so one history up to the
    last day with data serves the forecast and back-test of every as-of day.
    """
    campaign, households = _scoped(url, scope)
    last = campaign.last_data_day
    if last is None or households.empty:
        return backtest.forecast_history(households.iloc[:0], campaign.blocks, date.min)
    return backtest.forecast_history(households, campaign.blocks, last)


def forecast_view(filters: Filters) -> metrics.ForecastResult:
    """The one forecast of a view: table, whiskers, bands, outlook and back-test (every page draws this one)."""
    return _forecast_view(key(filters))


@st.cache_resource(max_entries=64, show_spinner=False)
def _forecast_view(k: ViewKey) -> metrics.ForecastResult:
    url, version, asof, scope = k
    campaign, households = _scoped(url, scope)
    return metrics.forecast_result(households, campaign.blocks, asof, history=_forecast_history(url, version, scope))


@st.cache_resource(max_entries=64, show_spinner=False)
def _block_view(k: ViewKey) -> BlockView:
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    forecasts = _forecast_view(k).forecasts
    table = metrics.block_table(households, campaign.blocks, asof)
    return BlockView(
        households=len(households),
        kpis=metrics.campaign_kpis(households, campaign.blocks, asof),
        table=table,
        forecasts=forecasts,
        team_records=metrics.team_full_days(households, campaign.teams, campaign.blocks, asof),
        outlooks=metrics.block_outlooks(table, forecasts),
    )


def rate_bars(filters: Filters) -> go.Figure:
    """The overview's rate bars, built once per view (plotly's validation is costly)."""
    return _rate_bars(key(filters), filters.lang, filters.screen)


@st.cache_resource(max_entries=64, show_spinner=False)
def _rate_bars(k: ViewKey, lang: str, screen: bool) -> go.Figure:
    return overview.block_rate_bars(_block_view(k).table, lang, screen=screen)


def curves_view(filters: Filters) -> CurvesView:
    """The curves page's numbers: daily progress, block rows, forecasts with bands."""
    return _curves_view(key(filters))


@st.cache_resource(max_entries=32, show_spinner=False)
def _curves_view(k: ViewKey) -> CurvesView:
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    result = _forecast_view(k)
    return CurvesView(
        daily=metrics.daily_progress(households, campaign.blocks, asof),
        table=metrics.block_table(households, campaign.blocks, asof),
        forecasts=result.forecasts,
        paths=result.paths,
        backtest=result.backtest,
    )


def chart_limit(screen: bool) -> int:
    """How many per-block charts a page draws when it opens (the rest on request; on the wall, never)."""
    return theme.SCREEN_CHARTS if screen else theme.FIRST_PAINT_CHARTS


def wall_table(view: CurvesView, screen: bool) -> pd.DataFrame:
    """The curves' table rows a page shows: on the wall, past its grid, only the charted (worst) blocks."""
    limit = chart_limit(screen)
    if not screen or len(view.table) <= limit:
        return view.table
    worst = metrics.worst_first(view.table, view.forecasts)[:limit]
    return view.table.set_index("block_id").loc[worst].reset_index()[view.table.columns]


def curve_figures(filters: Filters, x: str, chart: str) -> list[go.Figure]:
    """The curves page's charts; plotly's validation is costly, so they are cached per view too."""
    return _curve_figures(key(filters), x, chart, filters.lang, filters.screen)


@st.cache_resource(max_entries=64, show_spinner=False)
def _curve_figures(k: ViewKey, x: str, chart: str, lang: str, screen: bool) -> list[go.Figure]:
    url, _, asof, _ = k
    view = _curves_view(k)
    blocks = load_campaign(url).blocks
    if chart == "blocks" and len(view.table) > chart_limit(screen):  # the first paint shows the worst blocks
        order = {block_id: i for i, block_id in enumerate(metrics.worst_first(view.table, view.forecasts))}
        blocks = blocks.sort_values("block_id", key=lambda ids: ids.map(order).fillna(len(order)), kind="stable")
    return progress.progress_curves(view.daily, blocks=blocks, asof=asof, x=x, chart=chart, lang=lang, screen=screen, paths=view.paths,
                                    forecasts=view.forecasts)


@dataclass(frozen=True)
class TeamView:
    """The day's leaderboard and the team names the drill-down picks from."""

    board: pd.DataFrame
    names: dict[str, str]

    def row(self, team_id: str) -> Any:
        """One team's leaderboard row (a named tuple)."""
        return next(self.board[self.board["team_id"] == team_id].itertuples(index=False))


def scoring() -> tuple[metrics.Scoring, str | None]:
    """The configured scoring rule, or the default and the reason when the configuration is invalid."""
    try:
        return metrics.Scoring.from_config(store.secrets().get("scoring")), None
    except (TypeError, ValueError) as exc:
        return metrics.DEFAULT_SCORING, str(exc)


def team_view(filters: Filters, rule: metrics.Scoring) -> TeamView:
    """The leaderboard for one day, scope and scoring rule (a drill-down pick reuses it)."""
    return _team_view(key(filters), rule)


@st.cache_resource(max_entries=64, show_spinner=False)
def _team_view(k: ViewKey, rule: metrics.Scoring) -> TeamView:
    url, _, asof, scope = k
    campaign = load_campaign(url)
    board = metrics.team_board(campaign.households, campaign.teams, campaign.blocks, asof, scoring=rule, scope=dict(scope))
    return TeamView(board=board, names=dict(zip(board["team_id"], board["team"], strict=True)))


# ------------------------------------------------------------------ the map


def load_basemap_settings() -> parcel_map.BasemapSettings:
    """The basemap settings of this installation (secrets file, then environment)."""
    return parcel_map.basemap_settings(store.secrets(), os.environ)


def map_view(
    filters: Filters, stages: tuple[str, ...] = (), left_only: bool = False, datum: str = "wgs84",
) -> parcel_map.MapView:
    """The parcel map's view for ``filters`` (see :func:`lib.figures.parcel_map.build_view`)."""
    return _map_view(key(filters), stages, left_only, datum, parcel_map.MAX_FEATURES)


@st.cache_resource(max_entries=64, show_spinner=False)
def _map_view(
    k: ViewKey,
    stages: tuple[str, ...] = (),
    left_only: bool = False,
    datum: str = "wgs84",
    max_features: int = parcel_map.MAX_FEATURES,
) -> parcel_map.MapView:
    url, _, asof, scope = k
    campaign = load_campaign(url)
    households = metrics.filter_households(campaign.households, **dict(scope))
    return parcel_map.build_view(
        households, campaign.blocks, campaign.teams, asof, stages=stages, left_only=left_only, datum=datum,
        max_features=max_features,
    )


def team_remaining(filters: Filters, team_id: str) -> pd.DataFrame:
    """One team's households still to seal, in scope, for the drill-down (not cached: small and per pick)."""
    campaign = load_campaign()
    households = metrics.filter_households(campaign.households, **filters.scope())
    return metrics.team_remaining(households, campaign.blocks, team_id, filters.asof)


def household_detail(filters: Filters, household_id: str | None) -> parcel_map.HouseholdDetail | None:
    """The map panel's facts about one household, or None when there is none picked."""
    if not household_id:
        return None
    campaign = load_campaign()
    return parcel_map.household_detail(campaign.households, campaign.teams, campaign.blocks, household_id, filters.asof)


def selected_outline(household_id: str | None, datum: str) -> Any:
    """The picked household's outline layer for the map (None when nothing is picked)."""
    return parcel_map.selected_outline(load_campaign().households, household_id, datum)


def day_number(filters: Filters) -> int:
    """The campaign's day N on the filters' as-of day."""
    first = load_campaign().first_day
    return metrics.day_number(first, filters.asof) if first else 0


# ------------------------------------------------------------------ the daily brief

#: The renderer's "no CJK font" error and file names, for the brief page.
FontMissing = brief_render.FontMissing
BRIEF_MIME = brief_render.MIME
brief_file_name = brief_render.file_name
brief_text = brief_render.brief_text

BriefKey = tuple[str, int, date, Scope, metrics.Scoring]


def brief_key(filters: Filters, scoring: metrics.Scoring) -> BriefKey:
    """The cache key of a brief: database URL, data version, as-of day, scope, scoring."""
    k = key(filters)
    return k.url, k.version, k.asof, k.scope, scoring


@st.cache_resource(max_entries=4, show_spinner=False)
def _last_import(url: str, version: int) -> datetime | None:
    return brief.last_import_time(store.list_batches(store.get_engine(url)))


@st.cache_resource(max_entries=32, show_spinner=False)
def brief_view(url: str, version: int, asof: date, scope: Scope, scoring: metrics.Scoring) -> brief.Brief:
    """:func:`lib.brief.brief_data` for one day and scope, with the last import time (freshness line)."""
    k = ViewKey(url, version, asof, scope)
    forecasts = _forecast_view(k).forecasts
    answers = _whatif_baseline(k, None).table  # the what-if engine's 按期概率 for the board's own forecast
    sealed = answers[(answers["stage"] == "sealed") & (answers["block_id"] != scenarios.CAMPAIGN) & answers["on_time"].notna()]
    on_time = dict(zip(sealed["block_id"], sealed["on_time"].astype(float), strict=True))
    return brief.brief_data(load_campaign(url), asof, dict(scope), scoring=scoring, last_import=_last_import(url, version),
                            forecasts=forecasts, on_time=on_time)


@st.cache_resource(max_entries=48, show_spinner=False)
def brief_file(url: str, version: int, asof: date, scope: Scope, scoring: metrics.Scoring, lang: str, ext: str) -> bytes:
    """One file of the brief (``png``, ``pdf`` or ``xlsx``), rendered once per view and language."""
    view = brief_view(url, version, asof, scope, scoring)
    render = {"png": brief_render.brief_png, "pdf": brief_render.brief_pdf, "xlsx": brief_render.brief_xlsx}[ext]
    return render(view, lang)


# ------------------------------------------------------------------ the wall screen


def last_import() -> datetime | None:
    """When the newest applied import was made (cached per data version: an import bumps it)."""
    url = store.database_url()
    return _last_import(url, load_campaign(url).data_version)


def board_freshness(now: datetime | None = None) -> tuple[freshness.Freshness, str | None]:
    """How fresh the board's data is now (:func:`lib.freshness.freshness`), and a configuration problem if any.

    The rule comes from ``[freshness]`` in the secrets, the environment overriding.
    """
    campaign = load_campaign()
    rule, problem = freshness.rule_from_config(store.secrets().get("freshness"), os.environ)
    end = None if campaign.blocks.empty else max(campaign.blocks["deadline"])
    fresh = freshness.freshness(
        data_day=campaign.last_data_day, last_import=last_import(), first_day=campaign.first_day, end_day=end,
        now=now or datetime.now(), rule=rule,
    )
    return fresh, problem


def paging_seconds(filters: Filters, page: str) -> int:
    """How long ``page`` needs on the wall to show each of its own pages once (0: it does not page itself)."""
    if page != "teams":
        return 0
    rule, _ = scoring()
    n = len(team_view(filters, rule).board)
    return teams.screen_dwell(n) if teams.screen_pages(n) > 1 else 0


def command_curves(filters: Filters) -> str:
    """The command canvas's small-multiple curves (the curves page's daily progress, drawn compact) as SVG."""
    return _command_curves(key(filters), filters.lang)


@st.cache_resource(max_entries=32, show_spinner=False)
def _command_curves(k: ViewKey, lang: str) -> str:
    view = _curves_view(k)
    return command.block_small_multiples(view.daily, view.table, lang)


# ------------------------------------------------------------------ 推演 what-if


@dataclass(frozen=True)
class WhatIfView:
    """A scenario beside the baseline for one view, with what the ledger recorded later (the back-test)."""

    baseline: scenarios.Answer
    scenario: scenarios.Answer
    daily: pd.DataFrame
    later: pd.DataFrame
    actual: pd.DataFrame


@st.cache_resource(max_entries=16, show_spinner=False)
def _whatif_baseline(k: ViewKey, target: date | None) -> scenarios.Answer:
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    plain = None if target is None else _whatif_baseline(k, None)
    board = _curves_view(k)  # the board's one forecast of this view, as the progress page draws it
    return scenarios.run(households, campaign.blocks, asof, scenarios.Scenario(target=target),
                         record=campaign.households, reuse=plain, board=(board.forecasts, board.paths))


@st.cache_resource(max_entries=16, show_spinner=False)
def _whatif_record(k: ViewKey) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The view's observed curves, what the ledger recorded after the as-of day, and the recorded finishes."""
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    last = campaign.last_data_day or asof
    later = metrics.daily_progress(households if last > asof else households.iloc[:0], campaign.blocks, max(last, asof))
    return (
        metrics.daily_progress(households, campaign.blocks, asof),
        later[later["date"] >= metrics.ts(asof)],
        scenarios.actual_finishes(households, campaign.blocks, asof, last),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _whatif_view(k: ViewKey, scenario: scenarios.Scenario) -> WhatIfView:
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    baseline = _whatif_baseline(k, scenario.target)
    answer = baseline if scenario.is_baseline else scenarios.run(
        households, campaign.blocks, asof, scenario, record=campaign.households, reuse=baseline)
    daily, later, actual = _whatif_record(k)
    return WhatIfView(baseline=baseline, scenario=answer, daily=daily, later=later, actual=actual)


def whatif_view(filters: Filters, scenario: scenarios.Scenario) -> WhatIfView:
    """The 推演 page's answers: baseline and scenario, cached per (data version, as-of, scope, scenario)."""
    return _whatif_view(key(filters), scenario)


def whatif_figures(filters: Filters, scenario: scenarios.Scenario, stage: str, backtest: bool) -> list[go.Figure]:
    """One chart per block: observed curve, baseline band (dashed), scenario band, deadline and levers.

    Cached per block on what its chart shows, so a lever on one block rebuilds one chart (plotly's validation is costly).
    """
    k = key(filters)
    drawn_by_block = _whatif_drawn(k, scenario, stage)
    order = list(drawn_by_block)
    if len(order) > chart_limit(filters.screen):  # the first paint shows the blocks with a lever: their chart is the answer
        order.sort(key=lambda bid: not drawn_by_block[bid][1])
    return [_whatif_figure(k, bid, drawn_by_block[bid], scenario.target, stage, backtest, filters.lang, filters.screen,
                           scenario) for bid in order]


@st.cache_resource(max_entries=64, show_spinner=False)
def _whatif_drawn(k: ViewKey, scenario: scenarios.Scenario, stage: str) -> dict[str, tuple]:
    """Per block shown, a fingerprint of what its chart draws of the scenario (its band and its levers)."""
    view = _whatif_view(k, scenario)
    blocks = load_campaign(k.url).blocks
    bands = {bid: g for bid, g in view.scenario.paths[view.scenario.paths["stage"] == stage].groupby("block_id", sort=False)}
    empty = view.scenario.paths.iloc[:0]
    return {
        bid: (int(pd.util.hash_pandas_object(bands.get(bid, empty), index=False).sum()),
              tuple(m for m in view.scenario.marks if m.block_id == bid))
        for bid in blocks[blocks["block_id"].isin(view.daily["block_id"].unique())]["block_id"]
    }


@st.cache_resource(max_entries=256, show_spinner=False)
def _whatif_figure(
    k: ViewKey, block_id: str, drawn: tuple, target: date | None, stage: str, backtest: bool, lang: str, screen: bool,
    _scenario: scenarios.Scenario,
) -> go.Figure:
    view = _whatif_view(k, _scenario)
    campaign = load_campaign(k.url)
    block = campaign.blocks[campaign.blocks["block_id"] == block_id].iloc[0].to_dict()
    return whatif.scenario_curve(
        view.daily, block=block, stage=stage, asof=k.asof, baseline=view.baseline.paths, scenario=view.scenario.paths,
        marks=view.scenario.marks, target=target, later=view.later if backtest else None, teams=campaign.team_names,
        lang=lang, screen=screen,
    )


def whatif_answers_html(filters: Filters, scenario: scenarios.Scenario, stage: str, backtest: bool) -> str:
    """The answers table, scenario beside baseline (cached with the view)."""
    return _whatif_answers_html(key(filters), scenario, stage, backtest, filters.lang)


@st.cache_resource(max_entries=64, show_spinner=False)
def _whatif_answers_html(k: ViewKey, scenario: scenarios.Scenario, stage: str, backtest: bool, lang: str) -> str:
    view = _whatif_view(k, scenario)
    names = _whatif_choices(k).blocks
    return whatif.answers_html(view.baseline.table, view.scenario.table, names=names, stage=stage, asof=k.asof,
                               lang=lang, actual=view.actual if backtest else None)


@dataclass(frozen=True)
class WhatIfChoices:
    """What the levers can name: blocks in scope, finished teams (with their capacity), exclusion values."""

    blocks: dict[str, str]
    teams: dict[str, str]
    capacity: dict[str, float]


def whatif_choices(filters: Filters) -> WhatIfChoices:
    """The levers' options for one view (cached with it)."""
    return _whatif_choices(key(filters))


@st.cache_resource(max_entries=32, show_spinner=False)
def _whatif_choices(k: ViewKey) -> WhatIfChoices:
    url, _, asof, scope = k
    campaign, households = _scoped(url, scope)
    shown = campaign.blocks[campaign.blocks["block_id"].isin(households["block_id"].unique())
                            & (campaign.blocks["launch_date"] <= asof)]
    teams = scenarios.finished_teams(campaign.households, asof)
    return WhatIfChoices(
        blocks=dict(zip(shown["block_id"], shown["name"], strict=True)),
        teams={tid: campaign.team_names.get(tid, tid) for tid in teams},
        capacity={tid: scenarios.team_capacity(campaign.households, tid, metrics.GAIN_STAGE, asof) or 0.0 for tid in teams},
    )


def saved_scenarios() -> pd.DataFrame:
    """Every saved scenario, newest first (a small query: not cached, so a save shows at once)."""
    return store.list_scenarios(store.get_engine(store.database_url()))


def save_scenario(name: str, params: str, filters: Filters, created_by: str) -> int:
    """Save a named scenario made on this view's as-of day and data version.

    Raises:
        ValueError: On an empty or too long name.
    """
    url = store.database_url()
    return store.save_scenario(store.get_engine(url), name=name, params=params, asof=filters.asof,
                               data_version=load_campaign(url).data_version, created_by=created_by)


def data_version() -> int:
    """The data version the board shows now."""
    return load_campaign().data_version
