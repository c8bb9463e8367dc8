"""地块地图 Parcel map: every household coloured by its stage, or blocks by sealing rate."""

import logging

import streamlit as st
from streamlit_folium import st_folium

from lib.figures import parcel_map
from lib.i18n import label, pct, t
from lib.web import state, ui, views

log = logging.getLogger(__name__)
f = state.filters()
settings = views.load_basemap_settings()
for key, value in settings.problems:
    ui.desk_notice(t(key, value=value), f.screen, "warning")
st.html(parcel_map.page_css(f.screen))

# On the big screen the options come from the link only: the row is hidden, not dropped.
with st.container(key="map-controls"):
    controls = st.columns([1.8, 1.3, 1.3], vertical_alignment="bottom")
    with controls[0]:
        requested = state.bound(
            st.segmented_control, "basemap", default=settings.default, options=list(parcel_map.BASEMAPS),
            label=t("map.basemap"), format_func=lambda b: t(f"basemap.{b}"), required=True,
        )
    with controls[1]:
        left_only = state.bound(
            st.toggle, "left", default=False, parse=parcel_map.parse_flag, serialise=lambda _: ["1"],
            label=t("map.left_only"),
        )
    # A row of its own, so the stage names never wrap (the pills name themselves).
    stages = state.bound(
        st.pills, "stage", default=[], options=list(parcel_map.STAGE_CHOICES), multi=True,
        selection_mode="multi", label=t("map.stages"), format_func=lambda s: label("stage", s),
        label_visibility="collapsed",
    )

basemap, notice = parcel_map.resolve_basemap(requested, settings)
view = views.map_view(f, tuple(stages or ()), bool(left_only), parcel_map.datum_for(basemap))
notices = [t(notice)] if notice else []
if view.level == "blocks":
    notices.append(t("map.city_view", n=view.in_view, max=parcel_map.MAX_FEATURES))
if f.screen:  # kiosk: the wall logs what a desk is told
    for text in notices:
        ui.desk_notice(text, f.screen)
    notices = []

selected = None
if view.level == "households":
    with controls[2]:
        ids = list(view.household_ids)
        if st.session_state.get("hh") not in (None, *ids):
            st.session_state["hh"] = None
        selected = state.bound(
            st.selectbox, "hh", default=None, options=ids, label=t("map.household"),
            placeholder=t("map.household_placeholder"),
        )


def _on_map_click() -> None:
    # Runs before the rerun, so it may set the sidebar's block filter and the household picker.
    picked = parcel_map.clicked(st.session_state.get("map-click"))
    if picked is None:
        return
    kind, ident = picked
    if kind == "household":
        st.session_state["hh"] = ident
    else:
        st.session_state["block"] = [ident]


def _on_pick_block() -> None:
    if st.session_state.get("map-pick-block"):
        st.session_state["block"] = [st.session_state["map-pick-block"]]


# The big screen gives the map the whole width unless there is something to show beside it.
with_panel = not f.screen or bool(notices) or view.in_view == 0 or selected is not None
map_col, panel_col = st.columns([3, 1], gap="medium") if with_panel else (st.container(), None)
if panel_col is not None:
    with panel_col:
        # Notices sit beside the map, not above it, so the map keeps its place on the screen.
        for text in notices:
            st.info(text, icon="ℹ️")
        if view.level == "households":
            if view.in_view == 0:
                ui.empty_state(t("map.empty"))
            detail = views.household_detail(f, selected)
            if detail:
                st.html(parcel_map.household_panel_html(detail, f.asof, f.lang))
            else:
                st.caption(t("map.drawn", n=view.drawn) + " · " + t("map.hint"))
        else:
            names = {bid: f"{name} · {pct(rate)}" for bid, name, rate in view.blocks}
            st.selectbox(
                t("map.pick_block"), list(names), index=None, key="map-pick-block", format_func=names.get,
                placeholder=t("map.pick_placeholder"), on_change=_on_pick_block,
            )
        if view.missing_geometry:
            st.caption(t("map.no_geometry", n=view.missing_geometry))

with map_col:
    st_folium(
        parcel_map.parcel_map(view, basemap=basemap, tianditu_key=settings.tianditu_key, lang=f.lang, screen=f.screen),
        key="map-click",
        height=parcel_map.MAP_HEIGHT["screen" if f.screen else "desk"],
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_object_clicked"],
        feature_group_to_add=views.selected_outline(selected, view.datum),
        on_change=_on_map_click,
    )
