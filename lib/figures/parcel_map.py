"""The parcel map (战果图): households coloured by stage, or blocks by sealing rate.

A view never sends more than :data:`MAX_FEATURES` features to the browser
(docs/design.md "Performance budgets"): when the filters hold more households,
the map draws their blocks coloured by sealing rate and the user picks one.

The payload is compact because it is sent on every rerun: one JSON array
per household holding only what the tooltip needs, with its footprint in
integer micro-degrees (6 decimals), delta-encoded; ``parcel_map.js`` turns it
into GeoJSON in the browser. Every ledger string is HTML-escaped here, in
Python, before it reaches the map, and owner names are masked.

:func:`build_view` is pure; :func:`load_view` caches it per database URL,
data version, as-of day and filter values, so a click or a page switch
never rebuilds it. Coordinates are stored in WGS84; the 高德 AMap basemap
gets a GCJ-02 copy (``datum="gcj02"``), nothing else does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape, unescape
from pathlib import Path
from typing import Any, cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from lib import assets, geo, metrics, schema, theme
from lib.i18n import label, pct, t
from lib.privacy import mask_name

#: Most features one view sends; past it the map draws blocks instead.
MAX_FEATURES = 5000
#: The stages the map's stage filter offers ("none" = not yet surveyed).
STAGE_CHOICES = schema.STAGES_WITH_NONE
#: Basemaps in the order the picker shows them.
BASEMAPS: tuple[str, ...] = ("none", "osm", "tianditu", "amap")
DEFAULT_BASEMAP = "none"  # intranets have no internet; OSM, 天地图 and 高德 are a choice away
DATUMS = ("wgs84", "gcj02")
#: Coordinates are sent as integers of this many units per degree (6 decimals).
COORD_SCALE = 1_000_000
#: Footprints are simplified to about 0.3 m: a pixel or less up to zoom 19.
SIMPLIFY_DEG = 3e-6
#: The campaign view's margin around what it shows, as a share of its larger side:
#: small, so the blocks fill the frame, yet their outlines never touch its edge.
FIT_MARGIN = 0.03
TILE_TIMEOUT_MS = 8000
MAX_ZOOM = 21
#: The map's iframe height: the window's height less what sits above the map,
#: so 1920×1080 (big screen or desk) shows the page without scrolling; a
#: phone gets most of its screen and keeps room to scroll past the map.
#: ``MAP_HEIGHT`` is what st_folium starts with before the CSS applies.
MAP_HEIGHT = {"screen": 860, "desk": 780}
MAP_CSS_HEIGHT = {"screen": "max(420px, calc(100vh - 125px))", "desk": "max(420px, calc(100vh - 255px))", "phone": "60vh"}

_JS = (Path(__file__).with_name("parcel_map.js")).read_text(encoding="utf-8")


# ------------------------------------------------------------------ basemaps


@dataclass(frozen=True)
class TileSpec:
    """One raster tile layer of a basemap."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_native_zoom: int = 18


@dataclass(frozen=True)
class BasemapSettings:
    """The configured default basemap and the Tianditu key (may be empty)."""

    default: str = DEFAULT_BASEMAP
    tianditu_key: str = ""
    #: i18n keys (with values) of configuration problems to show once.
    problems: tuple[tuple[str, str], ...] = ()


def basemap_settings(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> BasemapSettings:
    """Read ``[map] default_basemap`` and ``[tianditu] key``; env MAP_BASEMAP / TIANDITU_KEY override.

    An unknown default falls back to OpenStreetMap and is reported in ``problems``.
    """
    map_cfg = secrets.get("map", {}) if isinstance(secrets.get("map"), Mapping) else {}
    tdt_cfg = secrets.get("tianditu", {}) if isinstance(secrets.get("tianditu"), Mapping) else {}
    default = str(environ.get("MAP_BASEMAP") or map_cfg.get("default_basemap") or DEFAULT_BASEMAP).strip().lower()
    key = str(environ.get("TIANDITU_KEY") or tdt_cfg.get("key") or "").strip()
    problems: tuple[tuple[str, str], ...] = ()
    if default not in BASEMAPS:
        problems = (("map.bad_default_basemap", default),)
        default = DEFAULT_BASEMAP
    return BasemapSettings(default=default, tianditu_key=key, problems=problems)


def resolve_basemap(requested: str | None, settings: BasemapSettings) -> tuple[str, str | None]:
    """The basemap to draw and the i18n key of a notice when it had to change.

    Tianditu without a key cannot load, so it becomes "none" with a notice.
    """
    basemap = requested if requested in BASEMAPS else settings.default
    if basemap == "tianditu" and not settings.tianditu_key:
        return "none", "map.no_tianditu_key"
    return basemap, None


def tile_layers(basemap: str, *, tianditu_key: str = "") -> list[TileSpec]:
    """The tile layers of ``basemap`` (none for "none"); Tianditu is vector + labels."""
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; expected one of {', '.join(BASEMAPS)}")
    if basemap == "osm":
        return [TileSpec(
            "osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
            subdomains="abc", max_native_zoom=19,
        )]
    if basemap == "tianditu":
        if not tianditu_key:
            raise ValueError("the tianditu basemap needs a key ([tianditu] key in secrets or TIANDITU_KEY)")
        def wmts(layer: str) -> str:
            return (
                f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={escape(tianditu_key)}"
            )
        attribution = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>'
        return [
            TileSpec("tianditu-vec", wmts("vec"), attribution, subdomains="01234567"),
            TileSpec("tianditu-cva", wmts("cva"), attribution, subdomains="01234567"),
        ]
    if basemap == "amap":
        return [TileSpec(
            "amap", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            '&copy; <a href="https://www.amap.com/">高德地图</a>', subdomains="1234",
        )]
    return []


def datum_for(basemap: str) -> str:
    """The datum our geometry must be in to sit on ``basemap``'s tiles (GCJ-02 for AMap only)."""
    return "gcj02" if basemap == "amap" else "wgs84"


def parse_flag(values: Sequence[str]) -> bool:
    """A URL on/off value such as ``left=1``; raises ValueError naming anything else."""
    raw = values[-1].strip().lower() if values else ""
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected 1 or 0, got {raw!r}")


# ---------------------------------------------------------------- the view


@dataclass(frozen=True)
class MapView:
    """What one map shows, ready to draw; immutable so caches can share it.

    ``households_json`` and ``blocks_json`` are the payloads ``parcel_map.js``
    reads (see its header); ``household_ids`` lists the drawn households in
    payload order; ``bounds`` is (west, south, east, north) in the view's datum.
    """

    level: str
    asof: date
    datum: str
    in_view: int
    household_ids: tuple[str, ...]
    missing_geometry: int
    stage_counts: tuple[tuple[str, int], ...]
    blocks: tuple[tuple[str, str, float], ...]  # (block_id, name, sealed rate), worst first
    bounds: tuple[float, float, float, float] | None
    households_json: str = field(repr=False)
    blocks_json: str = field(repr=False)

    @property
    def drawn(self) -> int:
        """Households drawn on the map (0 in the city view)."""
        return len(self.household_ids)


def select_households(
    households: pd.DataFrame, asof: date, *, stages: Sequence[str] = (), left_only: bool = False
) -> pd.DataFrame:
    """The households to show, with their ``stage`` on ``asof``.

    Args:
        households: households already narrowed by the shared filters.
        asof: the board's day.
        stages: keep only these stages (empty = all).
        left_only: hide what is done: sealed and every later stage.
    """
    unknown = [s for s in stages if s not in schema.STAGES_WITH_NONE]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; expected one of {', '.join(schema.STAGES_WITH_NONE)}")
    out = households.assign(stage=metrics.current_stage(households, asof))
    keep = pd.Series(True, index=out.index)
    if stages:
        keep &= out["stage"].isin(list(stages))
    if left_only:
        keep &= out["stage"].map(schema.stage_rank) < schema.stage_rank("sealed")
    return out[keep]


def map_level(n_households: int, max_features: int | None = None) -> str:
    """"households" when they fit on one map (:data:`MAX_FEATURES`), else "blocks"."""
    return "households" if n_households <= (MAX_FEATURES if max_features is None else max_features) else "blocks"


def sealing_colour(rate: float) -> str:
    """The city map's fill for a block's sealing rate (:data:`theme.SEALING_RATE_CLASSES`)."""
    for lowest, colour in theme.SEALING_RATE_CLASSES:
        if rate >= lowest:
            return colour
    return theme.SEALING_RATE_CLASSES[-1][1]


def _shift(frame: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")
    return geo.to_gcj02(frame) if datum == "gcj02" and not frame.empty else frame


def encode_geometries(geoms: Sequence[Any] | np.ndarray) -> list[list[list[list[int]]]]:
    """Footprints as [polygon [ring [x, y, dx, dy, ...]]] in integer micro-degrees.

    Each ring's first vertex is absolute and the rest are steps from the one
    before (short numbers), and the closing vertex is left out: the browser
    adds it back. Missing or empty geometries become ``[]``.
    """
    arr = np.asarray(geoms, dtype=object)
    out: list[list[list[list[int]]]] = [[] for _ in range(len(arr))]
    if len(arr) == 0:
        return out
    arr = shapely.simplify(arr, SIMPLIFY_DEG, preserve_topology=True)
    parts, part_owner = shapely.get_parts(arr, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    coords, vertex_owner = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return out
    q = np.rint(coords * COORD_SCALE).astype(np.int64)
    closing = np.r_[vertex_owner[1:] != vertex_owner[:-1], True]
    q, vertex_owner = q[~closing], vertex_owner[~closing]
    first = np.r_[True, vertex_owner[1:] != vertex_owner[:-1]]
    steps = q.copy()
    steps[1:] -= q[:-1]
    steps[first] = q[first]
    starts = np.flatnonzero(first)
    ring_lists = [chunk.ravel().tolist() for chunk in np.split(steps, starts[1:])]
    ring_ids = vertex_owner[starts]
    polygons: list[list[list[int]]] = [[] for _ in range(len(parts))]
    for ring_id, flat in zip(ring_ids, ring_lists, strict=True):
        polygons[ring_owner[ring_id]].append(flat)
    for part_id, polygon in enumerate(polygons):
        if polygon:
            out[part_owner[part_id]].append(polygon)
    return out


def _micro(value: float) -> int:
    return int(round(value * COORD_SCALE))


def _text(value: object) -> str:
    """A ledger value as escaped HTML text ('' for missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return escape(str(value), quote=True)


def _json(value: object) -> str:
    # Compact UTF-8 JSON that is also safe inside a <script> element.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def fit_bounds(
    bounds: tuple[float, float, float, float], margin: float = FIT_MARGIN
) -> tuple[float, float, float, float]:
    """``bounds`` (west, south, east, north) widened by ``margin`` × its larger side on every side.

    The same margin on all four sides keeps a long, thin campaign from touching
    the frame on its short sides; a single point gets no margin (the map's
    maximum fitting zoom applies instead).
    """
    west, south, east, north = bounds
    if west > east or south > north:
        raise ValueError(f"bounds must be (west, south, east, north), got {bounds!r}")
    if not 0 <= margin < 1:
        raise ValueError(f"margin must be a share of the view in [0, 1), got {margin!r}")
    pad = margin * max(east - west, north - south)
    return west - pad, south - pad, east + pad, north + pad


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geoms = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if geoms.empty:
        return None
    west, south, east, north = geoms.total_bounds
    return float(west), float(south), float(east), float(north)


def _blocks_payload(blocks: gpd.GeoDataFrame, table: pd.DataFrame, datum: str) -> tuple[list[list[Any]], gpd.GeoDataFrame]:
    """Block records for ``parcel_map.js`` and the (shifted) block frame they came from."""
    rows = blocks.merge(table[["block_id", "households", "signed_rate", "sealed_rate", "sealed"]], on="block_id")
    rows = gpd.GeoDataFrame(rows, geometry="geometry", crs=blocks.crs)
    rows = rows[rows.geometry.notna() & ~rows.geometry.is_empty]
    # Worst first: the map places labels in this order, so the block with most left keeps its place.
    rows = _shift(rows, datum).sort_values(["sealed_rate", "block_id"], kind="stable")
    geoms = encode_geometries(rows.geometry.to_numpy())
    records = []
    for r, g in zip(rows.itertuples(index=False), geoms, strict=True):
        west, south, east, north = r.geometry.bounds
        records.append([
            _text(r.block_id), _text(r.name), int(r.households), pct(r.signed_rate), pct(r.sealed_rate),
            sealing_colour(r.sealed_rate), int(r.households - r.sealed), g,
            [_micro((west + east) / 2), _micro(north)],
        ])
    return records, rows


def _households_payload(hh: gpd.GeoDataFrame, teams: pd.DataFrame, blocks: pd.DataFrame, asof: date) -> dict[str, Any]:
    """Household records for ``parcel_map.js``: what the tooltip needs, escaped and masked."""
    team_names = dict(zip(teams["team_id"], teams["name"], strict=True))
    team_ids = list(dict.fromkeys(tid for tid in hh["team_id"] if isinstance(tid, str)))
    team_index = {tid: i for i, tid in enumerate(team_ids)}
    ptypes = list(dict.fromkeys(hh["property_type"].astype(str)))
    ptype_index = {p: i for i, p in enumerate(ptypes)}
    days = metrics.days_unsigned(hh, blocks, asof)
    stage_index = {s: i for i, s in enumerate(schema.STAGES_WITH_NONE)}
    geoms = encode_geometries(hh.geometry.to_numpy())
    records = [
        [_text(hid), _text(mask_name(owner)), _text(address), ptype_index[str(ptype)], stage_index[stage],
         None if np.isnan(d) else int(d), team_index.get(tid, -1), g]
        for hid, owner, address, ptype, stage, d, tid, g in zip(
            hh["household_id"], hh["owner_name"], hh["address"], hh["property_type"], hh["stage"],
            days.to_numpy(dtype="float64"), hh["team_id"], geoms, strict=True,
        )
    ]
    return {
        "h": records,
        "p": [_text(p) for p in ptypes],
        "t": [_text(team_names.get(tid, tid)) for tid in team_ids],
    }


def build_view(
    households: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame,
    teams: pd.DataFrame,
    asof: date,
    *,
    stages: Sequence[str] = (),
    left_only: bool = False,
    datum: str = "wgs84",
    max_features: int | None = None,
) -> MapView:
    """Everything one map needs, from households already narrowed by the shared filters.

    Blocks are rated on every household in scope (so "only what is left" does
    not turn a block red); the stage filters choose what is drawn. More than
    ``max_features`` households to draw switches the view to blocks.
    """
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")
    shown = select_households(households, asof, stages=stages, left_only=left_only)
    level = map_level(len(shown), MAX_FEATURES if max_features is None else max_features)
    table = metrics.block_table(households, blocks, asof)
    block_records, block_frame = _blocks_payload(blocks, table, datum)
    counts = shown["stage"].value_counts()
    stage_counts = tuple((s, int(counts.get(s, 0))) for s in schema.STAGES_WITH_NONE)
    worst_first = table.sort_values(["sealed_rate", "block_id"])
    block_choices = tuple(
        (str(r.block_id), str(r.name), float(cast(float, r.sealed_rate))) for r in worst_first.itertuples(index=False)
    )
    if level == "households":
        has_geometry = shown.geometry.notna() & ~shown.geometry.is_empty
        drawn = _shift(gpd.GeoDataFrame(shown[has_geometry], geometry="geometry", crs=schema.CRS), datum)
        payload = _households_payload(drawn, teams, blocks, asof)
        ids = tuple(str(h) for h in drawn["household_id"])
        missing = int((~has_geometry).sum())
        bounds = _bounds(drawn) or _bounds(block_frame)
    else:
        payload, ids, missing = {"h": [], "p": [], "t": []}, (), 0
        # "Only what is left" zooms to the blocks that still have households to seal.
        unfinished = block_frame[block_frame["block_id"].isin(shown["block_id"])] if left_only else block_frame
        bounds = _bounds(unfinished) or _bounds(block_frame)
    return MapView(
        level=level, asof=asof, datum=datum, in_view=len(shown), household_ids=ids,
        missing_geometry=missing, stage_counts=stage_counts, blocks=block_choices, bounds=bounds,
        households_json=_json(payload), blocks_json=_json(block_records),
    )


# ----------------------------------------------------------------- the map


def rate_legend() -> list[tuple[str, str]]:
    """(colour, label) of each sealing-rate class, highest first: 100%, ≥ 95%, …, < 50%."""
    classes = theme.SEALING_RATE_CLASSES
    out = []
    for i, (lowest, colour) in enumerate(classes):
        if lowest >= 1:
            text = f"{lowest:.0%}"
        elif lowest <= 0:
            text = f"< {classes[i - 1][0]:.0%}" if i else "≥ 0%"
        else:
            text = f"≥ {lowest:.0%}"
        out.append((colour, text))
    return out


def _css(screen: bool) -> str:
    base = 20 if screen else 13
    # Kiosk (the wall screen): no zoom buttons, no tooltips that need a mouse.
    kiosk = ".leaflet-control-zoom, .leaflet-tooltip, .leaflet-popup {display: none !important;}" if screen else ""
    label_px = 24 if screen else 14
    return kiosk + f"""
      .cb-tip {{font-size: {base}px; line-height: 1.4; white-space: nowrap;}}
      .cb-tip table {{border-collapse: collapse;}}
      .cb-tip th {{text-align: left; font-weight: 400; opacity: .7; padding: 0 .7em 0 0; white-space: nowrap; vertical-align: top;}}
      .cb-tip-title {{font-weight: 700; margin-bottom: 2px;}}
      .cb-tip-hint {{margin-top: 4px; opacity: .75;}}
      .cb-dot {{display: inline-block; width: .75em; height: .75em; border-radius: 50%; margin-right: .3em;}}
      .cb-legend, .cb-notice {{background: rgba(255,255,255,.93); padding: 6px 10px; border-radius: 6px;
        box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: {base}px; line-height: 1.55; color: #263238;}}
      .cb-legend-title {{font-weight: 700;}}
      .cb-count {{float: right; margin-left: 1.2em; font-variant-numeric: tabular-nums;}}
      .cb-notice {{max-width: 22em; border-left: 4px solid #ef6c00;}}
      .cb-swatch {{display: inline-block; width: 1em; height: 1em; margin-right: .45em; vertical-align: -.15em;
        border: 1px solid rgba(0,0,0,.25);}}
      .cb-labels {{position: absolute; left: 0; top: 0; width: 0; height: 0; z-index: 650;}}
      .cb-label {{position: absolute; white-space: nowrap; font-size: {label_px}px; font-weight: 700; line-height: 1.25; color: #263238;
        padding: 1px 6px; border-radius: 4px; background: rgba(255,255,255,.82); box-shadow: 0 1px 3px rgba(0,0,0,.25);
        pointer-events: none;}}
      .cb-label span {{font-variant-numeric: tabular-nums;}}
      .cb-label-click {{pointer-events: auto; cursor: pointer;}}
      .cb-label-click:hover {{outline: 2px solid {theme.MAP_SELECTED};}}
      .leaflet-control-scale-line {{font-size: {base - 2}px;}}
      @media (max-width: 480px) {{
        .cb-legend, .cb-notice {{font-size: 11px; line-height: 1.3; padding: 4px 7px;}}
        .cb-notice {{max-width: 16em;}}
        .cb-label {{font-size: 12px; padding: 0 4px;}}
      }}
    """


def _config(view: MapView, lang: str, screen: bool, tiles: Sequence[TileSpec] = ()) -> dict[str, Any]:
    """The small, per-language part of the drawing instructions (all text escaped)."""
    asof = view.asof.isoformat()
    if view.level == "households":
        counts = dict(view.stage_counts)
        title = t("map.legend.stage", lang, asof=asof)
        items = [[theme.STAGE_COLOURS[s], escape(label("stage", s, lang)), counts[s]] for s in schema.STAGES_WITH_NONE]
    else:
        title = t("map.legend.rate", lang, asof=asof)
        items = [[colour, escape(text), None] for colour, text in rate_legend()]
    if view.bounds is None:
        bounds = [[26.06, 119.28], [26.09, 119.33]]
    else:
        west, south, east, north = fit_bounds(view.bounds)
        bounds = [[south, west], [north, east]]
    keys = ("owner", "address", "ptype", "stage", "unsigned", "unsigned_days", "team", "households", "left", "click_block")
    text = {k: escape(t(f"map.tip.{k}", lang)) for k in keys}
    text["signed"] = escape(t("col.signed_rate", lang))
    text["sealed"] = escape(t("col.sealed_rate", lang))
    text["tiles_failed"] = escape(t("map.tiles_failed", lang))
    return {
        "mode": view.level,
        "colours": [theme.STAGE_COLOURS[s] for s in schema.STAGES_WITH_NONE],
        "stages": [escape(label("stage", s, lang)) for s in schema.STAGES_WITH_NONE],
        "ptypes": {escape(p): escape(label("ptype", p, lang)) for p in schema.PROPERTY_TYPES},
        "t": text,
        "legend": {"title": escape(title), "items": items},
        "bounds": bounds,
        "max_fit_zoom": 19,
        "legend_px": 210 if screen else 145,
        "max_zoom": MAX_ZOOM,
        "tiles": [
            {"url": spec.url, "attribution": spec.attribution, "subdomains": spec.subdomains,
             "max_native_zoom": spec.max_native_zoom}
            for spec in tiles
        ],
        # A desk user clicks a block to filter the board to it; the wall has no mouse, nor notices.
        "block_click": not screen,
        "tile_notice": not screen,
        "tile_timeout_ms": TILE_TIMEOUT_MS,
        "outline": theme.MAP_OUTLINE,
        "background": theme.MAP_BACKGROUND,
        "font": theme.FONT_FAMILY,
        "css": _css(screen),
        "kiosk": screen,
    }


class ParcelLayer(MacroElement):
    """Households or blocks drawn from a :class:`MapView` by ``parcel_map.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        ;{{ this.js }}({{ this._parent.get_name() }}, {{ this.households }}, {{ this.blocks }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, view: MapView, *, lang: str, screen: bool = False, tiles: Sequence[TileSpec] = ()) -> None:
        super().__init__()
        self._name = "ParcelLayer"
        self.js = _JS.strip()
        self.households = view.households_json
        self.blocks = view.blocks_json
        self.config = _json(_config(view, lang, screen, tiles))


def parcel_map(
    view: MapView, *, basemap: str = "none", tianditu_key: str = "", lang: str = "zh", screen: bool = False
) -> folium.Map:
    """The parcel map of ``view`` on ``basemap``; loads nothing from the internet but tiles.

    ``view`` must be in the basemap's datum (:func:`datum_for`).
    """
    if view.datum != datum_for(basemap):
        raise ValueError(f"the {basemap!r} basemap needs a {datum_for(basemap)} view, got {view.datum}")
    if view.bounds is None:
        centre = [26.0725, 119.305]
    else:
        west, south, east, north = view.bounds
        centre = [(south + north) / 2, (west + east) / 2]
    # The wall has no mouse: no +/- buttons there.
    m = assets.offline_map(location=centre, zoom_start=16, control_scale=True, max_zoom=MAX_ZOOM, zoom_control=not screen)
    # The tiles are added by parcel_map.js after it has fitted the view, so none is fetched twice.
    tiles = tile_layers(basemap, tianditu_key=tianditu_key)
    ParcelLayer(view, lang=lang, screen=screen, tiles=tiles).add_to(m)
    return m


def selected_outline(households: gpd.GeoDataFrame, household_id: str | None, datum: str) -> folium.FeatureGroup | None:
    """A thick outline around the chosen household, drawn over the map without redrawing it."""
    if not household_id:
        return None
    row = households[households["household_id"] == household_id]
    row = row[row.geometry.notna() & ~row.geometry.is_empty]
    if row.empty:
        return None
    geom = _shift(gpd.GeoDataFrame(row[["household_id", "geometry"]], geometry="geometry", crs=schema.CRS), datum)
    group = folium.FeatureGroup(name="selected")
    for polygon in getattr(geom.geometry.iloc[0], "geoms", [geom.geometry.iloc[0]]):
        _Outline([[round(lat, 6), round(lon, 6)] for lon, lat in polygon.exterior.coords]).add_to(group)
    return group


class _Outline(MacroElement):
    """A non-interactive outline (folium's Polygon cannot turn ``interactive`` off)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.polygon({{ this.ring|tojson }}, {{ this.style|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, ring: list[list[float]]) -> None:
        super().__init__()
        self._name = "Outline"
        self.ring = ring
        self.style = {"color": theme.MAP_SELECTED, "weight": 4, "fill": False, "interactive": False}


def clicked(value: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """What a map click picked: ("household", id) or ("block", id), from st_folium's value."""
    drawing = (value or {}).get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    for kind, key in (("household", "hh"), ("block", "block")):
        if isinstance(props.get(key), str):
            return kind, unescape(props[key])
    return None


# --------------------------------------------------------------- the panel


@dataclass(frozen=True)
class HouseholdDetail:
    """One household as the side panel shows it (owner already masked)."""

    household_id: str
    owner: str
    address: str
    property_type: str
    ownership: str
    floor_area_m2: float | None
    team: str
    block: str
    flags: tuple[str, ...]
    stage: str
    days_unsigned: int | None
    history: tuple[tuple[str, date | None], ...]


def household_detail(
    households: pd.DataFrame, teams: pd.DataFrame, blocks: pd.DataFrame, household_id: str, asof: date
) -> HouseholdDetail | None:
    """The side panel's facts about one household on ``asof`` (None if unknown).

    Milestones dated after ``asof`` are left out, as the board stood that day.
    """
    rows = households[households["household_id"] == household_id]
    if rows.empty:
        return None
    row = rows.iloc[[0]]
    r = row.iloc[0]
    team_names = dict(zip(teams["team_id"], teams["name"], strict=True))
    block_names = dict(zip(blocks["block_id"], blocks["name"], strict=True))
    history = []
    for stage in schema.STAGES:
        when = r[f"date_{stage}"]
        history.append((stage, None if pd.isna(when) or when > metrics.ts(asof) else when.date()))
    days = metrics.days_unsigned(row, blocks, asof).iloc[0]
    area = r["floor_area_m2"]
    return HouseholdDetail(
        household_id=str(r["household_id"]),
        owner=mask_name(r["owner_name"]),
        address=str(r["address"] or ""),
        property_type=str(r["property_type"]),
        ownership=str(r["ownership"]),
        floor_area_m2=None if pd.isna(area) else float(area),
        team=str(team_names.get(r["team_id"], r["team_id"] or "")),
        block=str(block_names.get(r["block_id"], r["block_id"])),
        flags=tuple(f for f in str(r["flags"] or "").split(schema.FLAG_SEPARATOR) if f),
        stage=str(metrics.current_stage(row, asof).iloc[0]),
        days_unsigned=None if pd.isna(days) else int(days),
        history=tuple(history),
    )


def household_panel_html(detail: HouseholdDetail, asof: date, lang: str) -> str:
    """The side panel beside the map: facts, flags and the stage history (escaped HTML)."""
    def row(name: str, value: str) -> str:
        return f"<tr><th>{escape(name)}</th><td>{value}</td></tr>"

    stage_colour = theme.STAGE_COLOURS[detail.stage]
    facts = [
        row(t("map.tip.owner", lang), escape(detail.owner)),
        row(t("map.tip.address", lang), escape(detail.address)),
        row(t("map.panel.block", lang), escape(detail.block)),
        row(t("map.tip.ptype", lang), escape(label("ptype", detail.property_type, lang))),
        row(t("map.panel.ownership", lang), escape(label("own", detail.ownership, lang))),
    ]
    if detail.floor_area_m2 is not None:
        facts.append(row(t("map.panel.area", lang), escape(t("map.panel.area_value", lang, a=f"{detail.floor_area_m2:.1f}"))))
    facts.append(row(t("map.tip.team", lang), escape(detail.team)))
    facts.append(row(
        t("map.tip.stage", lang),
        f'<span class="cb-dot" style="background:{stage_colour}"></span>{escape(label("stage", detail.stage, lang))}',
    ))
    if detail.days_unsigned is not None:
        facts.append(row(t("map.tip.unsigned", lang), escape(t("map.tip.unsigned_days", lang, n=detail.days_unsigned))))
    flags = "、".join(escape(label("flag", f, lang)) for f in detail.flags) or escape(t("map.panel.no_flags", lang))
    facts.append(row(t("map.panel.flags", lang), flags))
    steps = "".join(
        f'<tr class="{"done" if when else "todo"}"><th><span class="cb-dot" style="background:{theme.STAGE_COLOURS[stage]}"></span>'
        f'{escape(label("stage", stage, lang))}</th><td>{escape(when.isoformat() if when else t("map.panel.not_reached", lang))}</td></tr>'
        for stage, when in detail.history
    )
    return (
        f'<div class="cb-panel"><div class="cb-panel-title">{escape(detail.household_id)}</div>'
        f'<table class="cb-panel-facts">{"".join(facts)}</table>'
        f'<div class="cb-panel-sub">{escape(t("map.panel.history", lang, asof=asof.isoformat()))}</div>'
        f'<table class="cb-panel-history">{steps}</table></div>'
    )


def page_css(screen: bool) -> str:
    """The map page's CSS: the map's height follows the window; the side panel's type.

    On the big screen the option row and the household picker are hidden (the
    link sets them); the map takes their room.
    """
    size = 22 if screen else 15
    frame = 'iframe[title="streamlit_folium.st_folium"]'
    return f"""<style>
      {frame} {{height: {MAP_CSS_HEIGHT["screen" if screen else "desk"]} !important;}}
      @media (max-width: 640px) {{ {frame} {{height: {MAP_CSS_HEIGHT["phone"]} !important;}}
        /* a phone opens a shared link onto the map: the option row moves below it */
        [data-testid="stVerticalBlock"]:has(> [data-testid="stLayoutWrapper"] > .st-key-map-controls)
          {{display: flex; flex-direction: column; gap: 1rem;}}
        [data-testid="stLayoutWrapper"]:has(> .st-key-map-controls) {{order: 10;}} }}
      .st-key-stage div:has(> button) {{flex-wrap: wrap; overflow-x: visible; row-gap: 4px;}}
      {".st-key-map-controls {display: none;}" if screen else ""}
      .cb-panel {{font-size: {size}px; line-height: 1.45;}}
      .cb-panel-title {{font-size: {size + 6}px; font-weight: 700; margin-bottom: 4px;}}
      .cb-panel table {{border-collapse: collapse; width: 100%;}}
      .cb-panel th {{text-align: left; font-weight: 400; opacity: .75; padding: 2px 10px 2px 0; white-space: nowrap; vertical-align: top;}}
      .cb-panel td {{padding: 2px 0; font-variant-numeric: tabular-nums;}}
      .cb-panel-sub {{font-weight: 700; margin: 10px 0 2px;}}
      .cb-panel-history tr.todo {{opacity: .45;}}
      .cb-dot {{display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: 6px;}}
    </style>"""
