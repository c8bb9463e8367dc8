"""总览 Overview: today's figures, one row per block, the records."""

import streamlit as st

from lib import figures, metrics, state, store, ui, views
from lib.i18n import t

f = state.filters()
campaign = store.load_campaign()
view = views.block_view(store.database_url(), campaign.data_version, f.asof, views.scope_key(f))

if view.households == 0:
    ui.empty_state(t("empty.scope", f.lang))
    st.stop()

ui.kpi_tiles(figures.kpi_tiles(view.kpis, f.lang))

left, right = st.columns([2.2, 1], gap="medium")
with left:
    st.subheader(t("blocks.header", f.lang))
    st.html(figures.block_table_html(view.table, view.forecasts, f.asof, f.lang))
with right:
    st.subheader(t("records.header", f.lang))
    households = metrics.filter_households(campaign.households, **f.scope())
    st.html(figures.records_html(view.table, households, campaign.teams, f.asof, f.lang, blocks=campaign.blocks))
    st.plotly_chart(figures.block_rate_bars(view.table, f.lang, screen=f.screen), config={"displayModeBar": False})
