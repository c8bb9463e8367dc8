"""进度曲线 Progress curves: each block against its 100-day deadline, with the forecast."""

import streamlit as st

from lib.figures import progress
from lib.i18n import t
from lib.web import state, ui, views

f = state.filters()

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

view = views.curves_view(f)
table, forecasts = view.table, view.forecasts
if table.empty:
    ui.empty_state(t("empty.scope", f.lang))
    ui.end_page()

charts = views.curve_figures(f, x, chart)

# Two charts a row: a 2×2 grid on the big screen; Streamlit stacks the columns on a phone.
ui.chart_grid(charts, f.lang, screen=f.screen, first=views.chart_limit(f.screen))

st.html(progress.forecast_table_html(views.wall_table(view, f.screen), forecasts, f.asof, f.lang, screen=f.screen))
st.caption(progress.trust_line(view.backtest, f.lang))
if not f.screen:
    st.caption(t("progress.method", f.lang))
