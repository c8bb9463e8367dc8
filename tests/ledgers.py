"""Tiny hand-made ledgers whose right answers are obvious, shared by the tests."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from lib import schema


def households(rows: list[dict]) -> gpd.GeoDataFrame:
    """Households with ``date_<stage>`` columns from short dicts.

    Each row: ``{"id": "H1", "block": "b1", "team": "t1", "signed": date(...), ...}``.
    """
    records = []
    for i, r in enumerate(rows):
        rec = {
            "household_id": r.get("id", f"H{i + 1}"),
            "block_id": r.get("block", "b1"),
            "team_id": r.get("team", "t1"),
            "address": r.get("address", f"Lane {i + 1}"),
            "property_type": r.get("ptype", "住宅"),
            "ownership": r.get("own", "私产"),
            "floor_area_m2": 50.0,
            "owner_name": r.get("owner", "陈月兰"),
            "flags": r.get("flags", ""),
            "geometry": shapely.box(119.30 + i * 1e-4, 26.07, 119.30005 + i * 1e-4, 26.07005),
        }
        for stage in schema.STAGES:
            value = r.get(stage)
            rec[f"date_{stage}"] = pd.Timestamp(value) if value else pd.NaT
        records.append(rec)
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=schema.CRS)
    for stage in schema.STAGES:
        frame[f"date_{stage}"] = frame[f"date_{stage}"].astype("datetime64[s]")
    return frame


def blocks(rows: list[tuple[str, str, date]]) -> gpd.GeoDataFrame:
    """Blocks from (id, name, launch) tuples; deadline = launch + 99 days."""
    return gpd.GeoDataFrame(
        [
            {"block_id": b, "name": n, "district": "台江区", "subdistrict": "", "launch_date": d,
             "deadline": schema.deadline_for(d), "land_area_m2": 1000.0,
             "geometry": shapely.box(119.3, 26.07, 119.301, 26.071)}
            for b, n, d in rows
        ],
        geometry="geometry",
        crs=schema.CRS,
    )


def teams(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Teams from (id, name, block) tuples."""
    return pd.DataFrame(
        [{"team_id": t, "name": n, "organisation": "街道", "kind": "工作组", "leader": "", "block_id": b} for t, n, b in rows],
        columns=schema.TEAM_COLUMNS,
    )
