"""WGS84 → GCJ-02 shift for the 高德 AMap basemap, and nowhere else.

We store EPSG:4326 (WGS84). AMap tiles are drawn in GCJ-02, China's
obfuscated datum, so footprints drawn on them must be shifted by a few
hundred metres first or they miss their houses. This is the published
Krasovsky-ellipsoid algorithm used by eviltransform/coordtransform; points
outside China's bounding box are left unchanged, as AMap does.
"""

from __future__ import annotations

from typing import TypeVar, overload

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS as ProjCRS

from lib.schema import CRS

# Krasovsky 1940 ellipsoid, which GCJ-02 is defined on.
KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323

# eviltransform's rough bounding box of China; outside it GCJ-02 equals WGS84.
CHINA_LON_RANGE = (72.004, 137.8347)
CHINA_LAT_RANGE = (0.8293, 55.8271)

GeoFrameOrSeries = TypeVar("GeoFrameOrSeries", gpd.GeoSeries, gpd.GeoDataFrame)


def _latitude_term(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    return (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )


def _longitude_term(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    return (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell which points lie outside China's box, where GCJ-02 applies no shift."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = (
        (CHINA_LON_RANGE[0] <= lon) & (lon <= CHINA_LON_RANGE[1])
        & (CHINA_LAT_RANGE[0] <= lat) & (lat <= CHINA_LAT_RANGE[1])
    )
    return ~inside


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def wgs84_to_gcj02(lon, lat):
    """Shift WGS84 lon/lat to GCJ-02 so features line up with AMap tiles.

    Args:
        lon: Longitude in degrees, a scalar or an array.
        lat: Latitude in degrees, same shape as ``lon``.

    Returns:
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise.
        Points outside China come back unchanged.
    """
    lon_array = np.asarray(lon, dtype=float)
    lat_array = np.asarray(lat, dtype=float)
    if lon_array.shape != lat_array.shape:
        raise ValueError(
            f"lon and lat must have the same shape, got {lon_array.shape} and {lat_array.shape}"
        )
    d_lat = _latitude_term(lon_array - 105.0, lat_array - 35.0)
    d_lon = _longitude_term(lon_array - 105.0, lat_array - 35.0)
    rad_lat = np.radians(lat_array)
    magic = 1 - KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)

    outside = out_of_china(lon_array, lat_array)
    gcj_lon = np.where(outside, lon_array, lon_array + d_lon)
    gcj_lat = np.where(outside, lat_array, lat_array + d_lat)
    if gcj_lon.ndim == 0:
        return float(gcj_lon), float(gcj_lat)
    return gcj_lon, gcj_lat


def _shift_coordinates(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = coords.copy()
    shifted[:, 0], shifted[:, 1] = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return shifted


def to_gcj02(data: GeoFrameOrSeries) -> GeoFrameOrSeries:
    """Return a copy of ``data`` with every vertex shifted to GCJ-02 for AMap.

    The result keeps the EPSG:4326 label: GCJ-02 has no EPSG code, and folium
    reprojects any GeoDataFrame to EPSG:4326 before drawing (a no-op here, an
    error on a naive frame). Never store the result.

    Args:
        data: A GeoSeries or GeoDataFrame in EPSG:4326; for a frame the active
            geometry column is shifted.

    Returns:
        The same type, index and columns, with shifted geometries (Z kept).
    """
    if not isinstance(data, (gpd.GeoSeries, gpd.GeoDataFrame)):
        raise TypeError(f"to_gcj02 needs a GeoSeries or GeoDataFrame, got {type(data).__name__}")
    if data.crs is None or ProjCRS.from_user_input(data.crs) != ProjCRS.from_user_input(CRS):
        raise ValueError(f"to_gcj02 needs data in {CRS}, got crs={data.crs}")
    shifted = shapely.transform(
        np.asarray(data.geometry.array), _shift_coordinates, include_z=None
    )
    result = data.copy()
    if isinstance(result, gpd.GeoDataFrame):
        result[result.geometry.name] = gpd.GeoSeries(shifted, index=data.index, crs=data.crs)
    else:
        result = gpd.GeoSeries(shifted, index=data.index, crs=data.crs, name=data.name)
    return result
