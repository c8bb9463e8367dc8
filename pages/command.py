"""指挥大屏 Command: what a commander reads in the first ten seconds, on one 1920×1080 canvas.

KPI tiles, the campaign map, each block's curve against its 100-day line, the
leaderboard's 前列 and 后进, and a ticker of today's changes and alerts — every
figure from the same cached views as the other pages.
"""

import streamlit as st
from streamlit_folium import st_folium

from lib.figures import command, overview, parcel_map
from lib.i18n import t
from lib.web import state, ui, views

f = state.filters()
view = views.block_view(f)
if view.households == 0:
    ui.empty_state(t("empty.scope", f.lang))
    ui.end_page()

rule, _ = views.scoring()
board = views.team_view(f, rule).board
ui.kpi_tiles(overview.kpi_tiles(view.kpis, f.lang))

settings = views.load_basemap_settings()
basemap, basemap_notice = parcel_map.resolve_basemap(settings.default, settings)
for key, value in settings.problems:
    ui.desk_notice(t(key, value=value), f.screen, "warning")
if basemap_notice:
    ui.desk_notice(t(basemap_notice), f.screen)

panel, centre, curves = st.columns([1.05, 2.05, 1.5], gap="medium")
with panel:
    st.html(command.leaders_html(board, f.lang))
with centre:
    st.html(command.section_title(t("command.map", f.lang)))
    with st.container(key="command-map"):
        st_folium(
            parcel_map.parcel_map(views.map_view(f, datum=parcel_map.datum_for(basemap)), basemap=basemap,
                                  tianditu_key=settings.tianditu_key, lang=f.lang, screen=f.screen),
            key="command-map-view", height=command.MIDDLE_PX - 44, use_container_width=True, returned_objects=[],
        )
with curves:
    st.html(command.section_title(t("command.curves", f.lang)))
    st.html(command.svg_img_html(views.command_curves(f), t("command.curves", f.lang)))

st.html(command.ticker_html(command.ticker_items(view.table, view.forecasts, board, f.lang), f.lang))
