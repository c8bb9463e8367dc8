"""Serve Leaflet from the app itself, so maps draw on an intranet with no internet.

folium's ``Map`` loads Leaflet, jQuery, Bootstrap, awesome-markers and Font
Awesome from CDNs. streamlit_folium hands those URLs to its component iframe,
which loads the scripts one after another and runs the map only when all have
loaded: offline, the first CDN request fails and the map stays blank. So we
copy Leaflet out of the ``xstatic-leaflet`` package into Streamlit's static
folder and build maps that reference only that copy.

Streamlit (``server.enableStaticServing = true``) serves ``<app dir>/static/``
at ``/app/static/``; the copy lives in ``static/vendor/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import branca
import folium
import folium.elements
import xstatic.pkg.leaflet
from branca.element import MacroElement
from folium.template import Template

#: Where the copy lives, relative to the directory of the app's main script.
VENDOR_LEAFLET_DIR = Path("static", "vendor", "leaflet")
#: The URL Streamlit serves that directory at (without ``server.baseUrlPath``).
LEAFLET_URL = "/app/static/vendor/leaflet"

_LEAFLET_FILES = ("leaflet.js", "leaflet.css")
# streamlit_folium loads d3 from these CDNs whenever a branca colormap is on the map.
_COLORMAP_D3_URLS = (
    "https://d3js.org/d3.v4.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
)


def _leaflet_source_dir() -> Path:
    return Path(xstatic.pkg.leaflet.BASE_DIR)


def _vendor_files(source: Path) -> list[Path]:
    images = sorted(path.relative_to(source) for path in (source / "images").iterdir())
    return [Path(name) for name in _LEAFLET_FILES] + images


def _copy_if_stale(source: Path, target: Path) -> None:
    source_stat = source.stat()
    try:
        target_stat = target.stat()
    except FileNotFoundError:
        pass
    else:
        if (target_stat.st_size, target_stat.st_mtime_ns) == (
            source_stat.st_size,
            source_stat.st_mtime_ns,
        ):
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy beside the target, then rename: a browser (or a second replica
    # starting at the same time) never sees a half-written leaflet.js.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copy2(source, partial)
    os.replace(partial, target)


def ensure_vendor_assets(root: Path) -> Path:
    """Copy Leaflet into ``root/static/vendor/leaflet`` so the app serves it itself.

    Cheap when already done (a few ``stat`` calls), so it can run at every start.

    Args:
        root: The directory holding the app's main script (``app.py``);
            Streamlit serves its ``static/`` folder at ``/app/static/``.

    Returns:
        The vendor directory holding ``leaflet.js``, ``leaflet.css`` and ``images/``.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"app directory {str(root)!r} does not exist")
    source = _leaflet_source_dir()
    target = root / VENDOR_LEAFLET_DIR
    for relative in _vendor_files(source):
        _copy_if_stale(source / relative, target / relative)
    return target


class LeafletImagePath(MacroElement):
    """Point Leaflet's default marker images at our copy.

    Leaflet guesses the path from leaflet.css, but streamlit_folium runs the
    map script before that stylesheet has applied; Leaflet 1.9's fallback then
    drops the ``images/`` folder and marker icons 404. Setting it removes the race.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, image_path: str) -> None:
        super().__init__()
        self._name = "LeafletImagePath"
        self.image_path = image_path


class OfflineMap(folium.Map):
    """A ``folium.Map`` that loads only Leaflet, from the app's own static copy.

    No jQuery, Bootstrap or awesome-markers: ``folium.Icon`` (awesome markers)
    and plugins that bring their own CDN scripts will not work on it. Tiles
    default to none; pass ``tiles=`` for an online or intranet basemap.
    """

    def __init__(self, *args: Any, leaflet_url: str = LEAFLET_URL, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        super().__init__(*args, **kwargs)
        base = leaflet_url.rstrip("/")
        # Instance lists: folium's add_js_link mutates the list in place, and
        # the class-level one is shared by every map.
        self.default_js = [("leaflet", f"{base}/leaflet.js")]
        self.default_css = [("leaflet_css", f"{base}/leaflet.css")]
        self.add_child(LeafletImagePath(f"{base}/images/"))


def offline_map(*, leaflet_url: str = LEAFLET_URL, **folium_kwargs: Any) -> OfflineMap:
    """Build a map that draws with no internet: Leaflet from ``leaflet_url``, no tiles by default.

    Args:
        leaflet_url: URL prefix of the served copy; prepend ``server.baseUrlPath``
            if the app runs under one.
        **folium_kwargs: Passed to ``folium.Map`` (location, zoom_start, tiles, ...).
    """
    return OfflineMap(leaflet_url=leaflet_url, **folium_kwargs)


def _elements_with_assets(element: Any) -> Iterator[Any]:
    # Mirrors the walk streamlit_folium's st_folium does to collect js/css links.
    if isinstance(element, (folium.elements.JSCSSMixin, branca.colormap.ColorMap)):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements_with_assets(child)


def external_asset_urls(folium_map: folium.Map) -> list[str]:
    """List the scripts and stylesheets st_folium would fetch from another host.

    Empty means the map draws offline. Use it in tests of any map the app shows:
    a plugin or a branca colormap legend on an ``OfflineMap`` brings CDN links back.
    """
    urls: list[str] = []
    for element in _elements_with_assets(folium_map):
        if isinstance(element, branca.colormap.ColorMap):
            urls.extend(_COLORMAP_D3_URLS)
        urls.extend(url for _, url in getattr(element, "default_js", []))
        urls.extend(url for _, url in getattr(element, "default_css", []))
    external = [url for url in urls if urlsplit(url).netloc]
    return list(dict.fromkeys(external))
