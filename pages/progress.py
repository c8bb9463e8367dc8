"""进度曲线 Progress curves: each block against its 100-day deadline, with the forecast."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import figures, metrics, state, store, ui
from lib.i18n import t

Scope = tuple[tuple[str, tuple[str, ...]], ...]


# The forecast simulates 2,000 paths per block and stage, and plotly validates
# every figure it builds: together far more than a rerun may cost. Both depend
# only on these simple keys, so a rerun with the same view reuses them.
@st.cache_resource(max_entries=32, show_spinner=False)
def _curves(url: str, version: int, asof: date, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    campaign = store.load_campaign(url)
    households = metrics.filter_households(campaign.households, **dict(scope))
    forecasts, paths = metrics.block_forecasts(households, campaign.blocks, asof)
    return (
        metrics.daily_progress(households, campaign.blocks, asof),
        metrics.block_table(households, campaign.blocks, asof),
        forecasts,
        paths,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _figures(url: str, version: int, asof: date, scope: Scope, x: str, chart: str, lang: str, screen: bool) -> list[go.Figure]:
    daily, _, _, paths = _curves(url, version, asof, scope)
    blocks = store.load_campaign(url).blocks
    return figures.progress_curves(daily, blocks=blocks, asof=asof, x=x, chart=chart, lang=lang, screen=screen, paths=paths)


f = state.filters()
campaign = store.load_campaign()
url, scope = store.database_url(), tuple(f.scope().items())

left, right, _ = st.columns([1, 1, 2 if f.screen else 1], vertical_alignment="bottom")
with left:
    x = state.bound(
        st.segmented_control, "xaxis", default="day", options=["day", "date"], label=t("progress.xaxis", f.lang),
        format_func=lambda v: t(f"progress.x.{v}", f.lang), label_visibility="collapsed" if f.screen else "visible",
    ) or "day"
with right:
    chart = state.bound(
        st.segmented_control, "chart", default="blocks", options=["blocks", "overlay"], label=t("progress.chart", f.lang),
        format_func=lambda v: t(f"progress.chart.{v}", f.lang), label_visibility="collapsed" if f.screen else "visible",
    ) or "blocks"

_, table, forecasts, _ = _curves(url, campaign.data_version, f.asof, scope)
if table.empty:
    ui.empty_state(t("empty.scope", f.lang))
    st.stop()

charts = _figures(url, campaign.data_version, f.asof, scope, x, chart, f.lang, f.screen)

# Two charts a row: a 2×2 grid on the big screen; Streamlit stacks the columns on a phone.
for start in range(0, len(charts), 2):
    for column, fig in zip(st.columns(2, gap="small"), charts[start : start + 2], strict=False):
        with column:
            st.plotly_chart(fig, theme=None, config={"displayModeBar": False, "responsive": True})

st.html(figures.forecast_table_html(table, forecasts, f.asof, f.lang))
if not f.screen:
    st.caption(t("progress.method", f.lang))
