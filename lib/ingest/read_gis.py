"""Reading GIS footprints: GeoJSON, GeoPackage or a zipped Shapefile, one polygon per household.

Split from :mod:`lib.ingest.read` (which sniffs the file and calls
:func:`read_gis`): the footprints are reprojected to the board's CRS and
keyed by the file's 户号 field; a file without a coordinate system is read as
longitude/latitude when its numbers fit, and refused otherwise.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np

from lib import schema
from lib.ingest.messages import msg
from lib.ingest.model import NotALedger, Note, check_zip


def read_gis(data: bytes, file_name: str, *, max_unpacked: int, id_headers: set[str],
             normalise: Any) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """Footprints from a GIS file's bytes.

    Args:
        data: the file's bytes (a zip holding a .shp, a GeoPackage or GeoJSON).
        file_name: the name the user knows the file by, for messages.
        max_unpacked: refuse zips that would unpack larger.
        id_headers: normalised field names that mean 户号.
        normalise: the header normaliser the id names are spelt in.

    Returns:
        (footprints, notes): household_id, feature (1-based) and geometry in
        :data:`lib.schema.CRS`; notes on what was assumed.

    Raises:
        NotALedger: unreadable, no 户号 field, or no coordinate system that can be guessed.
    """
    notes: list[Note] = []
    with tempfile.TemporaryDirectory(prefix="ledger-gis-") as tmp:
        path = _unpack(data, file_name, Path(tmp), max_unpacked)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            raise NotALedger("ingest.gis.unreadable", file=file_name) from exc
    id_col = next((c for c in gdf.columns if c != gdf.geometry.name and normalise(c) in id_headers), None)
    if id_col is None:
        fields = [str(c) for c in gdf.columns if c != gdf.geometry.name]
        raise NotALedger("ingest.gis.no_id", file=file_name, fields=fields)
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds if len(gdf) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise NotALedger("ingest.gis.no_crs", file=file_name)
        gdf = gdf.set_crs(schema.CRS)
        notes.append(Note(file_name, msg("ingest.note.gis_lonlat")))
    gdf = gdf.to_crs(schema.CRS)
    ids = gdf[id_col].map(lambda v: "" if v is None or v != v else _id_text(v))
    footprints = gpd.GeoDataFrame(
        {"household_id": ids.to_numpy(), "feature": np.arange(1, len(gdf) + 1)},
        geometry=gdf.geometry.to_numpy(),
        crs=schema.CRS,
    )
    return footprints, notes


def _unpack(data: bytes, file_name: str, tmp: Path, max_unpacked: int) -> Path:
    """Write the file where GDAL can open it: a zip's members (safely), else the bytes themselves."""
    if data[:2] != b"PK":
        suffix = ".gpkg" if data[:16] == b"SQLite format 3\x00" else ".geojson"
        path = tmp / ("footprints" + suffix)
        path.write_bytes(data)
        return path
    try:
        check_zip(data, max_unpacked)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            shps = [n for n in z.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
            for n in z.namelist():
                p = PurePosixPath(n)
                if n.endswith("/") or p.is_absolute() or ".." in p.parts:
                    continue  # no member writes outside the temporary folder
                target = Path(tmp, *p.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(n))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise NotALedger("ingest.gis.bad_zip", file=file_name) from exc
    if not shps:
        raise NotALedger("ingest.gis.bad_zip", file=file_name)
    return Path(tmp, *PurePosixPath(shps[0]).parts)


def _id_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
