"""Leaflet served by the app itself: the vendored copy, the map HTML, a real offline browser."""

import re
from pathlib import Path

import branca
import folium
import pytest
import streamlit_folium
import xstatic.pkg.leaflet

from lib.assets import (
    LEAFLET_URL,
    ensure_vendor_assets,
    external_asset_urls,
    offline_map,
)
from tests.browser_support import REPO_ROOT, chromium_page, run_streamlit

LEAFLET_SOURCE = Path(xstatic.pkg.leaflet.BASE_DIR)
VENDORED_FILES = [
    "leaflet.js",
    "leaflet.css",
    "images/layers-2x.png",
    "images/layers.png",
    "images/marker-icon-2x.png",
    "images/marker-icon.png",
    "images/marker-shadow.png",
]
APPS_DIR = Path(__file__).parent / "apps"


def _vendored(root: Path) -> list[str]:
    vendor = root / "static/vendor/leaflet"
    return sorted(str(path.relative_to(vendor)) for path in vendor.rglob("*") if path.is_file())


def test_vendor_assets_copies_leaflet_and_its_images(tmp_path):
    vendor = ensure_vendor_assets(tmp_path)
    assert vendor == tmp_path / "static/vendor/leaflet"
    assert _vendored(tmp_path) == sorted(VENDORED_FILES)
    assert all((vendor / name).read_bytes() == (LEAFLET_SOURCE / name).read_bytes()
               for name in VENDORED_FILES)


def test_vendor_assets_second_call_copies_nothing(tmp_path):
    vendor = ensure_vendor_assets(tmp_path)
    inodes = {name: (vendor / name).stat().st_ino for name in VENDORED_FILES}
    ensure_vendor_assets(tmp_path)
    assert {name: (vendor / name).stat().st_ino for name in VENDORED_FILES} == inodes


def test_vendor_assets_replaces_a_stale_copy(tmp_path):
    vendor = ensure_vendor_assets(tmp_path)
    (vendor / "leaflet.js").write_text("// truncated")
    ensure_vendor_assets(tmp_path)
    assert (vendor / "leaflet.js").read_bytes() == (LEAFLET_SOURCE / "leaflet.js").read_bytes()


def test_vendor_assets_rejects_missing_app_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="app directory '.*/nowhere' does not exist"):
        ensure_vendor_assets(tmp_path / "nowhere")


def _asset_tags(html: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc=\"([^\"]*)\"|<link[^>]*\bhref=\"([^\"]*)\"", html)


def test_rendered_map_loads_only_the_served_leaflet():
    html = offline_map(location=[26.07, 119.30]).get_root().render()
    urls = sorted(src or href for src, href in _asset_tags(html))
    assert urls == [f"{LEAFLET_URL}/leaflet.css", f"{LEAFLET_URL}/leaflet.js"]


def test_rendered_map_has_no_internet_urls():
    html = offline_map(location=[26.07, 119.30]).get_root().render()
    assert not [url for url in map("".join, _asset_tags(html)) if re.match(r"(https?:)?//", url)]


def test_marker_images_point_at_the_served_copy():
    html = offline_map().get_root().render()
    assert f'L.Icon.Default.imagePath = "{LEAFLET_URL}/images/";' in html


def test_map_has_no_basemap_unless_asked():
    assert "L.tileLayer" not in offline_map().get_root().render()
    assert "L.tileLayer" in offline_map(tiles="OpenStreetMap").get_root().render()


def test_leaflet_url_prefix_is_configurable():
    html = offline_map(leaflet_url="/board/app/static/vendor/leaflet/").get_root().render()
    assert '<script src="/board/app/static/vendor/leaflet/leaflet.js">' in html


def test_adding_a_link_to_one_map_leaves_others_alone():
    offline_map().add_js_link("extra", "/app/static/extra.js")
    assert offline_map().default_js == [("leaflet", f"{LEAFLET_URL}/leaflet.js")]


def test_st_folium_sends_only_served_links_to_its_component(monkeypatch):
    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(offline_map(location=[26.07, 119.30]), returned_objects=[])
    assert sent["js_links"] == [f"{LEAFLET_URL}/leaflet.js"]
    assert sent["css_links"] == [f"{LEAFLET_URL}/leaflet.css"]
    assert f'L.Icon.Default.imagePath = "{LEAFLET_URL}/images/";' in sent["script"]


def test_external_asset_urls_is_empty_for_an_offline_map():
    parcel_map = offline_map(location=[26.07, 119.30])
    folium.GeoJson({"type": "FeatureCollection", "features": []}).add_to(parcel_map)
    assert external_asset_urls(parcel_map) == []


def test_external_asset_urls_flags_folium_cdn_defaults():
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in external_asset_urls(folium.Map())


def test_external_asset_urls_flags_streamlit_folium_d3_for_colormaps():
    parcel_map = offline_map()
    branca.colormap.LinearColormap(["white", "red"]).add_to(parcel_map)
    assert external_asset_urls(parcel_map) == [
        "https://d3js.org/d3.v4.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
    ]


@pytest.fixture(scope="module")
def offline_map_app():
    ensure_vendor_assets(APPS_DIR)
    with run_streamlit(APPS_DIR / "offline_map_app.py", cwd=REPO_ROOT) as base_url:
        yield base_url


def _record_http_error(response, failed_requests: list[str]) -> None:
    if response.status >= 400:
        failed_requests.append(f"{response.status} {response.url}")


@pytest.mark.browser
def test_offline_page_cannot_reach_the_internet(offline_map_app):
    with chromium_page(800, 600, offline=True) as page:
        page.goto(offline_map_app)
        outcome = page.evaluate(
            "fetch('https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js')"
            ".then(() => 'loaded', () => 'blocked')"
        )
        assert outcome == "blocked"


@pytest.mark.browser
def test_map_draws_in_the_browser_with_no_internet(offline_map_app):
    with chromium_page(1280, 900, offline=True) as page:
        failed_requests: list[str] = []
        page.on("requestfailed", lambda request: failed_requests.append(request.url))
        page.on("response", lambda response: _record_http_error(response, failed_requests))
        page.goto(offline_map_app)
        folium_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        folium_frame.locator(".leaflet-container").wait_for(timeout=60_000)
        polygons = folium_frame.locator("path.leaflet-interactive")
        polygons.nth(1).wait_for(timeout=60_000)
        marker_icon = folium_frame.locator("img.leaflet-marker-icon")
        icon_width = marker_icon.evaluate("img => img.complete && img.naturalWidth")

        assert polygons.count() == 2
        assert marker_icon.get_attribute("src") == f"{LEAFLET_URL}/images/marker-icon.png"
        assert icon_width == 25
        assert failed_requests == []
