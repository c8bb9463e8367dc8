"""总览 Overview: today's figures, one row per block, the records."""

import streamlit as st

from lib import figures, metrics, state, store, ui
from lib.i18n import pct, t

f = state.filters()
campaign = store.load_campaign()
households = metrics.filter_households(campaign.households, **f.scope())
blocks = campaign.blocks

if households.empty:
    ui.empty_state(t("empty.scope"))
    st.stop()

kpis = metrics.campaign_kpis(households, blocks, f.asof)
table = metrics.block_table(households, blocks, f.asof)
ui.kpi_tiles(figures.kpi_tiles(kpis, f.lang))

left, right = st.columns([2.2, 1], gap="medium")
with left:
    st.subheader(t("blocks.header"))
    st.html(figures.block_table_html(table, f.lang))
with right:
    st.subheader(t("records.header"))
    st.html(figures.records_html(table, households, campaign.teams, f.asof, f.lang, blocks=blocks))
    st.plotly_chart(figures.block_rate_bars(table, f.lang, screen=f.screen), config={"displayModeBar": False})
