"""Footprints from a GIS file (GeoJSON, GeoPackage, zipped Shapefile), any CRS, joined on 户号."""

import geopandas as gpd
import pytest
from shapely.geometry import Point

from lib.ingest import NotALedger, merge_ledgers, read_ledger, validate
from tests.data import make_ledgers as m

IDS = ["Y-001", "Y-002", "Z-001"]


@pytest.mark.parametrize(("kind", "name"), [("geojson", "图斑.geojson"), ("gpkg", "图斑.gpkg"), ("shp", "图斑.zip")])
def test_formats_are_read_and_reprojected_to_wgs84(kind, name):
    ledger = read_ledger(m.gis_bytes(m.footprints(IDS, crs="EPSG:4547"), kind), file_name=name)
    fp = ledger.footprints
    assert fp.crs.to_epsg() == 4326
    assert fp["household_id"].tolist() == IDS
    x, y = fp.geometry.iloc[0].centroid.coords[0]
    assert 119.29 < x < 119.31 and 26.04 < y < 26.06


def test_footprints_join_on_household_and_count_the_rest_as_not_on_the_map():
    ledger = read_ledger(m.gis_bytes(m.footprints(IDS), "geojson"), file_name="fp.geojson")
    report = validate(ledger, m.campaign(), today=m.AS_OF)
    assert report.problems == []
    assert report.households["household_id"].tolist() == IDS
    assert all(g.geom_type == "Polygon" for g in report.households["geometry"])
    assert report.changes.footprints == 3 and report.changes.not_on_map == 3
    assert report.changes.text_en() == "3 footprints (3 not on the map)"


def test_footprints_with_the_workbook_in_one_import():
    ledger = merge_ledgers([m.read(m.TINY), read_ledger(m.gis_bytes(m.footprints(IDS), "gpkg"), file_name="fp.gpkg")])
    report = validate(ledger, None, today=m.AS_OF)
    assert report.changes.new_households == 6 and report.changes.not_on_map == 3
    assert report.households.set_index("household_id")["geometry"].notna().sum() == 3


def test_unknown_household_in_the_gis_file_is_a_warning():
    ledger = read_ledger(m.gis_bytes(m.footprints(["Y-001", "X-999"]), "geojson"), file_name="fp.geojson")
    report = validate(ledger, m.campaign(), today=m.AS_OF)
    assert m.problem_keys(report) == [("warning", "unknown_household", "fp.geojson", 2, "户号")]


def test_points_are_not_footprints():
    gdf = gpd.GeoDataFrame({"户号": ["Y-001"]}, geometry=[Point(119.3, 26.05)], crs="EPSG:4326")
    report = validate(read_ledger(m.gis_bytes(gdf, "geojson"), file_name="p.geojson"), m.campaign(), today=m.AS_OF)
    assert m.problem_keys(report) == [("warning", "bad_geometry", "p.geojson", 1, "geometry")]
    assert "is not a polygon (Point)" in report.problems[0].message_en


def test_gis_file_without_a_household_field():
    gdf = m.footprints(IDS).rename(columns={"户号": "NAME"})
    with pytest.raises(NotALedger, match=r"has no 户号 field \(fields: NAME\)"):
        read_ledger(m.gis_bytes(gdf, "geojson"), file_name="fp.geojson")


def test_only_one_gis_file_per_import():
    one = read_ledger(m.gis_bytes(m.footprints(IDS), "geojson"), file_name="a.geojson")
    with pytest.raises(NotALedger, match="Only one GIS file"):
        merge_ledgers([one, one])


def test_unchanged_footprint_is_not_a_change():
    current = m.campaign()
    ledger = read_ledger(m.gis_bytes(m.footprints(IDS, crs="EPSG:4326"), "geojson"), file_name="fp.geojson")
    current.households = current.households.set_geometry(
        [ledger.footprints.geometry.iloc[IDS.index(h)] if h in IDS else None for h in current.households["household_id"]],
        crs="EPSG:4326")
    report = validate(ledger, current, today=m.AS_OF)
    assert report.changes.empty and report.changes.not_on_map == 3
