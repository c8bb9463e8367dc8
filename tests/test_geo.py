"""WGS84 → GCJ-02 shift: published test vectors, the China box, geometries."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from lib.geo import out_of_china, to_gcj02, wgs84_to_gcj02

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat). The first three are googollee/eviltransform's
# test vectors (python/test.py), the last is wandergis/coordtransform's (test/app.js).
PUBLISHED_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),  # Beijing, Tiananmen
]
FUZHOU = (119.2965, 26.0745)  # Taijiang District, where the campaign runs
TOLERANCE = 1e-9  # degrees, about 0.1 mm: the vectors match to the last digits


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), PUBLISHED_PAIRS)
def test_scalar_matches_published_vector(lon, lat, gcj_lon, gcj_lat):
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((gcj_lon, gcj_lat), abs=TOLERANCE)


def test_scalar_input_returns_python_floats():
    lon, lat = wgs84_to_gcj02(*FUZHOU)
    assert type(lon) is float and type(lat) is float


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895), (106.0, 0.5)],
    ids=["paris", "new-york", "tokyo", "south-of-box"],
)
def test_points_outside_china_are_unchanged(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)


def test_out_of_china_box_edges_count_as_inside():
    assert out_of_china([72.004, 137.8347, 72.0039], [0.8293, 55.8271, 30.0]).tolist() == [
        False,
        False,
        True,
    ]


def test_arrays_equal_scalar_results():
    lons = np.array([pair[0] for pair in PUBLISHED_PAIRS] + [2.3522])
    lats = np.array([pair[1] for pair in PUBLISHED_PAIRS] + [48.8566])
    gcj_lons, gcj_lats = wgs84_to_gcj02(lons, lats)
    scalar_results = [wgs84_to_gcj02(lon, lat) for lon, lat in zip(lons, lats, strict=False)]
    assert list(zip(gcj_lons.tolist(), gcj_lats.tolist(), strict=False)) == scalar_results


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        wgs84_to_gcj02(np.zeros(2), np.zeros(3))


def _square(lon: float, lat: float, size: float = 0.001) -> Polygon:
    return Polygon([(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)])


def test_polygon_vertices_get_their_own_point_offsets():
    square = _square(*FUZHOU)
    shifted = to_gcj02(gpd.GeoSeries([square], crs="EPSG:4326")).iloc[0]
    expected = [wgs84_to_gcj02(lon, lat) for lon, lat in square.exterior.coords]
    assert list(shifted.exterior.coords) == expected


def test_geodataframe_keeps_index_columns_and_crs():
    frame = gpd.GeoDataFrame(
        {"household_id": ["H1", "H2"]},
        geometry=[Point(FUZHOU), Point(2.3522, 48.8566)],
        index=[10, 20],
        crs="EPSG:4326",
    )
    shifted = to_gcj02(frame)
    assert shifted.index.tolist() == [10, 20]
    assert shifted["household_id"].tolist() == ["H1", "H2"]
    assert shifted.crs == frame.crs
    assert (shifted.geometry.x.iloc[0], shifted.geometry.y.iloc[0]) == wgs84_to_gcj02(*FUZHOU)
    assert shifted.geometry.iloc[1].equals(Point(2.3522, 48.8566))


def test_input_is_not_modified():
    series = gpd.GeoSeries([Point(FUZHOU)], crs="EPSG:4326")
    to_gcj02(series)
    assert series.iloc[0].equals(Point(FUZHOU))


def test_empty_input_keeps_its_columns():
    frame = gpd.GeoDataFrame({"household_id": []}, geometry=[], crs="EPSG:4326")
    shifted = to_gcj02(frame)
    assert shifted.empty and shifted.columns.tolist() == ["household_id", "geometry"]


def test_z_coordinates_are_kept():
    shifted = to_gcj02(gpd.GeoSeries([Point(*FUZHOU, 12.5)], crs="EPSG:4326")).iloc[0]
    assert (shifted.x, shifted.y, shifted.z) == (*wgs84_to_gcj02(*FUZHOU), 12.5)


def test_projected_crs_is_rejected():
    series = gpd.GeoSeries([Point(0, 0)], crs="EPSG:3857")
    with pytest.raises(ValueError, match="needs data in EPSG:4326, got crs=EPSG:3857"):
        to_gcj02(series)


def test_naive_geometries_are_rejected():
    with pytest.raises(ValueError, match="got crs=None"):
        to_gcj02(gpd.GeoSeries([Point(FUZHOU)]))


def test_plain_shapely_geometry_is_rejected():
    with pytest.raises(TypeError, match="got Point"):
        to_gcj02(Point(FUZHOU))
