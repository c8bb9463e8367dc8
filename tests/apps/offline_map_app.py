"""A one-map app for the offline browser test: two polygons, a marker, a layer control."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from lib.assets import offline_map

TWO_BLOCKS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "yanta-2"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[119.290, 26.070], [119.293, 26.070], [119.293, 26.073], [119.290, 26.073],
                     [119.290, 26.070]]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "zhuangyuan"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[119.295, 26.070], [119.298, 26.070], [119.298, 26.073], [119.295, 26.073],
                     [119.295, 26.070]]
                ],
            },
        },
    ],
}

parcel_map = offline_map(location=[26.0715, 119.294], zoom_start=16)
folium.GeoJson(TWO_BLOCKS, name="blocks", tooltip=folium.GeoJsonTooltip(["name"])).add_to(
    parcel_map
)
folium.Marker([26.0715, 119.294]).add_to(parcel_map)
folium.LayerControl(collapsed=True).add_to(parcel_map)

st.title("offline map")
st_folium(parcel_map, height=400, width=600, returned_objects=[])
