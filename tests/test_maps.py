"""lib.figures.parcel_map: what the parcel map draws, how it is encoded, and that it stays offline and safe."""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import pytest
import shapely
from streamlit_folium import _get_header, _get_html, _get_map_string

from lib import assets, geo, metrics, schema, theme
from lib.figures import parcel_map
from tests import ledgers

LAUNCH = date(2023, 9, 16)
BLOCKS = ledgers.blocks([("b1", "Block one", LAUNCH)])
TEAMS = ledgers.teams([("t1", "Team one", "b1"), ("t2", "Team two", "b1")])
HOSTILE = "<img src=x onerror=alert(1)>"


def _four():
    return ledgers.households([
        {"id": "H1", "signed": date(2023, 9, 18), "sealed": date(2023, 9, 20), "owner": "陈月兰"},
        {"id": "H2", "surveyed": date(2023, 9, 17), "appraised": date(2023, 9, 19)},
        {"id": "H3", "signed": date(2023, 9, 25), "owner": HOSTILE, "address": "<script>alert(1)</script>"},
        {"id": "H4", "team": "t2", "ptype": "杂物间"},
    ])


def _records(view: parcel_map.MapView) -> list[list]:
    return json.loads(view.households_json)["h"]


def _decode_ring(flat: list[int]) -> list[tuple[float, float]]:
    """The browser's decoding (parcel_map.js ``ring``), in Python."""
    x = y = 0
    out = []
    for k in range(0, len(flat), 2):
        x += flat[k]
        y += flat[k + 1]
        out.append((x / 1e6, y / 1e6))
    return [*out, out[0]]


def _sent(m) -> str:
    """What st_folium sends the browser for a map: its script, header and html."""
    m.get_root().render()
    return _get_html(m) + _get_header(m) + _get_map_string(m)


# ------------------------------------------------------------ what is drawn


def test_every_filtered_household_is_one_feature(demo_campaign):
    hh = metrics.filter_households(demo_campaign.households, blocks=("zhuangyuan",))
    view = parcel_map.build_view(hh, demo_campaign.blocks, demo_campaign.teams, date(2023, 11, 7))
    assert view.level == "households"
    assert len(_records(view)) == view.drawn == view.in_view == 250
    assert sorted(view.household_ids) == sorted(hh["household_id"])


def test_stages_are_those_of_the_asof_day():
    for day, expected in [
        (date(2023, 9, 19), ["signed", "appraised", "not_surveyed", "not_surveyed"]),
        (date(2023, 9, 25), ["sealed", "appraised", "signed", "not_surveyed"]),
    ]:
        view = parcel_map.build_view(_four(), BLOCKS, TEAMS, day)
        stages = [schema.STAGES_WITH_NONE[r[4]] for r in _records(view)]
        assert stages == expected
        assert dict(view.stage_counts)["not_surveyed"] == expected.count("not_surveyed")


def test_colours_come_from_the_one_stage_scale():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25))
    config = parcel_map._config(view, "zh", screen=False)
    assert config["colours"] == [theme.STAGE_COLOURS[s] for s in schema.STAGES_WITH_NONE]
    legend = {label: colour for colour, label, _ in config["legend"]["items"]}
    assert legend["已封房"] == theme.STAGE_COLOURS["sealed"]


def test_stage_filter_and_only_what_is_left():
    hh = _four()
    day = date(2023, 9, 25)
    assert parcel_map.select_households(hh, day, stages=["signed"])["household_id"].tolist() == ["H3"]
    assert parcel_map.select_households(hh, day, left_only=True)["household_id"].tolist() == ["H2", "H3", "H4"]
    with pytest.raises(ValueError, match="unknown stage 'finished'"):
        parcel_map.select_households(hh, day, stages=["finished"])


def test_days_unsigned_only_for_the_unsigned():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25))
    assert [r[5] for r in _records(view)] == [None, 9, None, 9]


def test_blocks_are_rated_on_the_whole_scope_not_on_what_is_drawn():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25), left_only=True)
    (block,) = json.loads(view.blocks_json)
    assert block[1] == "Block one" and block[2] == 4 and block[4] == "25.00%"


# --------------------------------------------------------- escaped, masked


def test_tooltip_text_is_escaped_and_masked():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25))
    h1, _, h3, _ = _records(view)
    assert h1[1] == "陈**"
    assert h3[1] == "&lt;**"
    assert h3[2] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    sent = _sent(parcel_map.parcel_map(view))
    assert "陈月兰" not in sent
    assert "<img" not in sent and "<script>alert" not in sent


def test_hostile_team_and_block_names_are_escaped():
    teams = ledgers.teams([("t1", HOSTILE, "b1"), ("t2", "Team two", "b1")])
    blocks = ledgers.blocks([("b1", HOSTILE, LAUNCH)])
    view = parcel_map.build_view(_four(), blocks, teams, date(2023, 9, 25))
    assert HOSTILE not in view.households_json and HOSTILE not in view.blocks_json
    assert "&lt;img src=x onerror=alert(1)&gt;" in json.loads(view.households_json)["t"]


def test_mask_everywhere_in_the_side_panel():
    detail = parcel_map.household_detail(_four(), TEAMS, BLOCKS, "H3", date(2023, 9, 25))
    html = parcel_map.household_panel_html(detail, date(2023, 9, 25), "zh")
    assert detail.owner == "<**"
    assert "&lt;**" in html and "<img" not in html and "<script>" not in html


# -------------------------------------------------------------- the switch


def test_more_than_the_feature_limit_draws_blocks_instead():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25), max_features=3)
    assert view.level == "blocks" and view.in_view == 4
    assert view.drawn == 0 and _records(view) == []
    (block,) = json.loads(view.blocks_json)
    assert block[5] == parcel_map.sealing_colour(0.25) == theme.STAGE_COLOURS[schema.NOT_SURVEYED]


def test_the_limit_is_five_thousand():
    assert parcel_map.MAX_FEATURES == 5000
    assert parcel_map.map_level(5000) == "households"
    assert parcel_map.map_level(5001) == "blocks"


def test_the_stage_filter_can_bring_a_big_scope_back_under_the_limit():
    hh = _four()
    assert parcel_map.build_view(hh, BLOCKS, TEAMS, date(2023, 9, 25), max_features=3).level == "blocks"
    view = parcel_map.build_view(hh, BLOCKS, TEAMS, date(2023, 9, 25), max_features=3, left_only=True)
    assert view.level == "households" and view.drawn == 3


def test_sealing_classes_from_red_to_green():
    assert parcel_map.sealing_colour(1.0) == theme.STAGE_COLOURS["sealed"]
    assert parcel_map.sealing_colour(0.9941) == "#7cb342"
    assert parcel_map.sealing_colour(0.936) == theme.STAGE_COLOURS["signed"]
    assert parcel_map.sealing_colour(0.0) == theme.STAGE_COLOURS[schema.NOT_SURVEYED]
    assert [label for _, label in parcel_map.rate_legend()] == ["100%", "≥ 95%", "≥ 80%", "≥ 50%", "< 50%"]


# ---------------------------------------------------------------- encoding


def test_geometry_round_trips_at_six_decimals():
    square = shapely.Polygon([(119.3000004, 26.07), (119.30005, 26.07), (119.30005, 26.0700512), (119.3000004, 26.0700512)])
    (encoded,) = parcel_map.encode_geometries([square])
    (ring,) = encoded[0]
    assert ring[:2] == [119300000, 26070000]  # first vertex absolute, in micro-degrees
    assert ring[2:4] == [50, 0]  # then steps
    assert _decode_ring(ring) == [
        (119.3, 26.07), (119.30005, 26.07), (119.30005, 26.070051), (119.3, 26.070051), (119.3, 26.07),
    ]


def test_multipolygons_holes_and_missing_geometries():
    outer = shapely.box(119.3, 26.07, 119.301, 26.071)
    holed = outer.difference(shapely.box(119.3004, 26.0704, 119.3006, 26.0706))
    two = shapely.MultiPolygon([outer, shapely.box(119.302, 26.07, 119.303, 26.071)])
    encoded = parcel_map.encode_geometries([holed, two, None, shapely.Polygon()])
    assert [len(g) for g in encoded] == [1, 2, 0, 0]
    assert len(encoded[0][0]) == 2  # exterior and hole
    assert shapely.Polygon(_decode_ring(encoded[1][1][0])).equals(two.geoms[1])


def test_households_without_footprint_are_counted_not_drawn():
    hh = _four()
    hh.loc[hh["household_id"] == "H2", "geometry"] = None
    view = parcel_map.build_view(hh, BLOCKS, TEAMS, date(2023, 9, 25))
    assert view.in_view == 4 and view.drawn == 3 and view.missing_geometry == 1


def test_bytes_per_household_stay_under_200(demo_campaign):
    view = parcel_map.build_view(demo_campaign.households, demo_campaign.blocks, demo_campaign.teams, date(2023, 11, 7))
    sent = _sent(parcel_map.parcel_map(view, basemap="osm"))
    assert view.drawn == 694
    assert len(sent.encode()) / view.drawn <= 200


def test_gcj02_view_for_amap_only(demo_campaign):
    hh = metrics.filter_households(demo_campaign.households, blocks=("hongxing",))
    wgs = parcel_map.build_view(hh, demo_campaign.blocks, demo_campaign.teams, date(2023, 11, 7))
    gcj = parcel_map.build_view(hh, demo_campaign.blocks, demo_campaign.teams, date(2023, 11, 7), datum="gcj02")
    x, y = (v / 1e6 for v in _records(wgs)[0][7][0][0][:2])
    shifted = geo.wgs84_to_gcj02(x, y)
    assert _records(gcj)[0][7][0][0][:2] == [round(c * 1e6) for c in shifted]
    assert parcel_map.datum_for("amap") == "gcj02" and parcel_map.datum_for("osm") == "wgs84"
    with pytest.raises(ValueError, match="needs a gcj02 view"):
        parcel_map.parcel_map(wgs, basemap="amap")


# ------------------------------------------------------------ offline map


@pytest.mark.parametrize("basemap", ["none", "osm", "amap", "tianditu"])
def test_no_script_or_stylesheet_from_another_host(basemap):
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25), datum=parcel_map.datum_for(basemap))
    m = parcel_map.parcel_map(view, basemap=basemap, tianditu_key="k3y")
    assert assets.external_asset_urls(m) == []
    sent = _sent(m)
    assert not re.search(r"<script[^>]+src=[\"']https?://", sent)


def test_the_selected_outline_brings_no_assets():
    hh = _four()
    group = parcel_map.selected_outline(hh, "H2", "wgs84")
    m = parcel_map.parcel_map(parcel_map.build_view(hh, BLOCKS, TEAMS, date(2023, 9, 25)))
    group.add_to(m)
    assert assets.external_asset_urls(m) == []
    assert parcel_map.selected_outline(hh, "nope", "wgs84") is None
    assert parcel_map.selected_outline(hh, None, "wgs84") is None


def test_tiles_per_basemap():
    assert parcel_map.tile_layers("none") == []
    assert "openstreetmap.org" in parcel_map.tile_layers("osm")[0].url
    vec, cva = parcel_map.tile_layers("tianditu", tianditu_key="abc")
    assert "LAYER=vec" in vec.url and "LAYER=cva" in cva.url and vec.url.endswith("tk=abc")
    assert "autonavi.com" in parcel_map.tile_layers("amap")[0].url
    with pytest.raises(ValueError, match="needs a key"):
        parcel_map.tile_layers("tianditu")
    with pytest.raises(ValueError, match="unknown basemap 'google'"):
        parcel_map.tile_layers("google")


# ------------------------------------------------------------ configuration


def test_basemap_default_from_secrets_then_environment():
    assert parcel_map.basemap_settings({}, {}).default == "none"  # an intranet has no tiles
    assert parcel_map.basemap_settings({"map": {"default_basemap": "osm"}}, {}).default == "osm"
    assert parcel_map.basemap_settings({"map": {"default_basemap": "none"}}, {"MAP_BASEMAP": "amap"}).default == "amap"
    bad = parcel_map.basemap_settings({"map": {"default_basemap": "google"}}, {})
    assert bad.default == "none" and bad.problems == (("map.bad_default_basemap", "google"),)


def test_tianditu_key_from_secrets_or_environment_else_no_basemap():
    assert parcel_map.basemap_settings({"tianditu": {"key": "s"}}, {}).tianditu_key == "s"
    assert parcel_map.basemap_settings({"tianditu": {"key": "s"}}, {"TIANDITU_KEY": "e"}).tianditu_key == "e"
    keyless = parcel_map.BasemapSettings()
    assert parcel_map.resolve_basemap("tianditu", keyless) == ("none", "map.no_tianditu_key")
    assert parcel_map.resolve_basemap("tianditu", parcel_map.BasemapSettings(tianditu_key="k")) == ("tianditu", None)
    assert parcel_map.resolve_basemap(None, parcel_map.BasemapSettings(default="none")) == ("none", None)


def test_parse_flag():
    assert parcel_map.parse_flag(["1"]) is True and parcel_map.parse_flag(["0"]) is False
    with pytest.raises(ValueError, match="expected 1 or 0, got 'maybe'"):
        parcel_map.parse_flag(["maybe"])


# ------------------------------------------------------------------ clicks


def test_a_click_names_a_household_or_a_block():
    house = {"last_active_drawing": {"properties": {"hh": "A&amp;B-1"}, "geometry": {}}}
    assert parcel_map.clicked(house) == ("household", "A&B-1")
    assert parcel_map.clicked({"last_active_drawing": {"properties": {"block": "zhuangyuan"}}}) == ("block", "zhuangyuan")
    assert parcel_map.clicked(None) is None
    assert parcel_map.clicked({"last_active_drawing": None}) is None


def test_history_is_as_the_board_stood_that_day():
    detail = parcel_map.household_detail(_four(), TEAMS, BLOCKS, "H1", date(2023, 9, 19))
    assert dict(detail.history)["signed"] == date(2023, 9, 18)
    assert dict(detail.history)["sealed"] is None  # sealed on 9-20, after the as-of day
    assert detail.stage == "signed" and detail.team == "Team one" and detail.days_unsigned is None
    assert parcel_map.household_detail(_four(), TEAMS, BLOCKS, "nope", date(2023, 9, 19)) is None


def test_flags_are_listed_in_the_panel():
    hh = ledgers.households([{"id": "H1", "flags": "孤寡老人|上门签约"}])
    detail = parcel_map.household_detail(hh, TEAMS, BLOCKS, "H1", date(2023, 9, 19))
    assert detail.flags == ("孤寡老人", "上门签约")
    assert "孤寡老人、上门签约" in parcel_map.household_panel_html(detail, date(2023, 9, 19), "zh")
    assert "Elderly living alone" in parcel_map.household_panel_html(detail, date(2023, 9, 19), "en")


def test_an_empty_scope_keeps_its_shape():
    empty = _four().iloc[:0]
    view = parcel_map.build_view(gpd.GeoDataFrame(empty, crs=schema.CRS), BLOCKS, TEAMS, date(2023, 9, 25))
    assert view.level == "households" and view.in_view == 0 and _records(view) == []
    assert parcel_map.parcel_map(view) is not None


# ------------------------------------------------------- the campaign view


def test_the_view_fits_its_bounds_with_a_small_margin_of_its_larger_side():
    # 0.04° wide, 0.01° tall: 5 % of 0.04° = 0.002° on every side.
    assert parcel_map.fit_bounds((119.30, 26.07, 119.34, 26.08), 0.05) == pytest.approx(
        (119.298, 26.068, 119.342, 26.082)
    )
    assert parcel_map.fit_bounds((119.3, 26.07, 119.3, 26.07)) == (119.3, 26.07, 119.3, 26.07)
    assert parcel_map.FIT_MARGIN == 0.03
    with pytest.raises(ValueError, match=r"bounds must be \(west, south, east, north\), got \(2, 0, 1, 1\)"):
        parcel_map.fit_bounds((2, 0, 1, 1))
    with pytest.raises(ValueError, match=r"margin must be a share of the view in \[0, 1\), got 1.5"):
        parcel_map.fit_bounds((0, 0, 1, 1), 1.5)


def _config(view, **kwargs) -> dict:
    return json.loads(parcel_map.ParcelLayer(view, lang="zh", **kwargs).config)


def _two_blocks():
    """b1 (west, all sealed) and b2 (east, nothing sealed), each with one household."""
    blocks = ledgers.blocks([("b1", "West", LAUNCH), ("b2", "East", LAUNCH)])
    blocks["geometry"] = [shapely.box(119.30, 26.07, 119.31, 26.08), shapely.box(119.33, 26.07, 119.34, 26.08)]
    hh = ledgers.households([
        {"id": "W1", "block": "b1", "signed": date(2023, 9, 18), "sealed": date(2023, 9, 20)},
        {"id": "E1", "block": "b2"},
    ])
    return hh, blocks


def test_the_map_is_sent_the_fitted_bounds_of_what_it_draws():
    hh, blocks = _two_blocks()
    hh["geometry"] = [shapely.box(119.30, 26.07, 119.31, 26.08), shapely.box(119.33, 26.07, 119.34, 26.08)]
    view = parcel_map.build_view(hh, blocks, TEAMS, date(2023, 9, 25))
    assert view.bounds == pytest.approx((119.30, 26.07, 119.34, 26.08))
    # 3 % of the 0.04° width on every side, as [[south, west], [north, east]].
    (south, west), (north, east) = _config(view)["bounds"]
    assert (south, west, north, east) == pytest.approx((26.0688, 119.2988, 26.0812, 119.3412))
    left = parcel_map.build_view(hh, blocks, TEAMS, date(2023, 9, 25), left_only=True)
    assert left.bounds == pytest.approx((119.33, 26.07, 119.34, 26.08))  # only E1 is left


def test_the_city_view_zooms_to_the_blocks_with_something_left():
    hh, blocks = _two_blocks()
    city = parcel_map.build_view(hh, blocks, TEAMS, date(2023, 9, 25), max_features=0)
    assert city.level == "blocks" and city.bounds == pytest.approx((119.30, 26.07, 119.34, 26.08))
    left = parcel_map.build_view(hh, blocks, TEAMS, date(2023, 9, 25), max_features=0, left_only=True)
    assert left.level == "blocks" and left.bounds == pytest.approx((119.33, 26.07, 119.34, 26.08))


def test_labels_name_every_block_with_its_sealing_rate_worst_first():
    hh, blocks = _two_blocks()
    records = json.loads(parcel_map.build_view(hh, blocks, TEAMS, date(2023, 9, 25)).blocks_json)
    # The map places labels in this order: the block with most left gets the best place.
    assert [(r[0], r[1], r[4]) for r in records] == [("b2", "East", "0.00%"), ("b1", "West", "100.00%")]


def test_the_desk_map_filters_by_block_and_the_wall_map_has_no_controls_nor_notices():
    view = parcel_map.build_view(_four(), BLOCKS, TEAMS, date(2023, 9, 25))
    desk, wall = _config(view), _config(view, screen=True)
    assert desk["block_click"] is True and desk["tile_notice"] is True
    assert wall["block_click"] is False and wall["tile_notice"] is False
    assert '"zoomControl": true' in _sent(parcel_map.parcel_map(view))
    assert '"zoomControl": false' in _sent(parcel_map.parcel_map(view, screen=True))
