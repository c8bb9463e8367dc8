"""总览 Overview: today's figures, one row per block, the records."""

import streamlit as st

from lib.figures import overview
from lib.i18n import t
from lib.web import state, ui, views

f = state.filters()
view = views.block_view(f)

if view.households == 0:
    ui.empty_state(t("empty.scope", f.lang))
    st.stop()

ui.kpi_tiles(overview.kpi_tiles(view.kpis, f.lang))

left, right = st.columns([2.2, 1], gap="medium")
with left:
    st.subheader(t("blocks.header", f.lang))
    st.html(overview.block_table_html(view.table, view.forecasts, f.asof, f.lang, screen=f.screen))
with right:
    st.subheader(t("records.header", f.lang))
    st.html(overview.records_html(view.table, view.team_records, f.lang))
    st.plotly_chart(views.rate_bars(f), config={"displayModeBar": False})
