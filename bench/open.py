"""``python -m bench open``: every page opened in a fresh Chromium context, timed to fully drawn.

For each database size (demo, 10 k, 100 k households) the board is served by
one Streamlit server; the stack's own floors are served by another, on their
own port, and opened interleaved with the board's pages in the same run:

- ``line``: a one-line page (Streamlit's own boot);
- ``plotly``: one small plotly chart;
- ``folium``: a stock ``st_folium`` map of as many footprints as the board's
  map draws (capped as the board caps it), Leaflet served locally.

"Fully drawn" is judged in the page: the script is idle and stays idle for
:data:`SETTLE_MS`, every plotly chart has its plot drawn and every map has
its paths; the time is navigation start → that moment, taken by the page's
own clock (the harness's latency does not count). Each page is opened
``--runs`` times (fresh browser context each time, so no browser cache) and
the report gives per page and size: the median ms, the ratio to the floor of
its kind (pages with a map — /map and the /command canvas — to the folium
floor, charts pages to the plotly floor, tables to the one-line floor) and to
the one-line floor, the number of script runs (counted by the server through
``BOARD_RUN_LOG``), the bytes received over the websocket, plotly's own draw
time (first chart or its loading skeleton → every chart drawn), and the server's
RSS after every page was open and per extra session. The cold first open
(a server just started, the database's snapshot on disk, every cache empty)
is measured for /command and /overview, each on a server of its own.

Budgets (docs/design.md, issue "性能"): ≤ 1.3× the page's own floor at demo
size, ≤ 1.6× at 10 k, ≤ 2.0× at 100 k; the cold first open of a 100 k
database ≤ 3 s to fully drawn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.pages import database_for
from lib.figures.parcel_map import MAX_FEATURES

ROOT = Path(__file__).resolve().parent.parent
SETTLE_MS = 600
SIZES = {"demo": 694, "10k": 10_000, "100k": 100_000}
#: Board page → the kind of floor it is measured against.
PAGES = {"command": "folium", "overview": "plotly", "map": "folium", "progress": "plotly", "teams": "line",
         "whatif": "plotly", "brief": "line", "data": "line"}
BUDGET = {"demo": 1.3, "10k": 1.6, "100k": 2.0}
COLD_BUDGET_MS = 3000
#: Pages opened first on a server just started (the snapshot of the database already on disk, caches empty).
COLD_PAGES = ("command", "overview")

#: Records, by the page's own clock, when the page is fully drawn (every frame, map iframes included),
#: and how long its plotly charts took to draw: first chart (or its loading skeleton) → every chart drawn.
DRAWN_PROBE = r"""(() => {
  const settle = %d;
  let idleSince = null;
  const tick = () => {
    const now = performance.now();
    if (window.top !== window) return;  // component frames are looked into from the top
    // A lazily loaded element (plotly's chart, a data frame) shows a skeleton until its code has loaded.
    const pending = document.querySelector('[data-testid="stSkeleton"]') !== null;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    if ((pending || charts.length) && window.__chartsFirst === undefined) window.__chartsFirst = now;
    const chartsDrawn = !pending && charts.every(c => c.querySelector('.main-svg .plot, .main-svg .cartesianlayer'));
    if (charts.length && chartsDrawn && window.__chartsDrawn === undefined) window.__chartsDrawn = now;
    if (!chartsDrawn) window.__chartsDrawn = undefined;
    // Map components only (st_folium's iframe, same origin): each must have painted its layers.
    const maps = [...document.querySelectorAll('iframe')].filter(f => /\/component\/[^/]*folium/.test(f.src));
    const painted = '.leaflet-overlay-pane path, .leaflet-overlay-pane canvas';
    const mapsDrawn = maps.every(f => { try { return !!f.contentDocument.querySelector(painted); } catch (e) { return false; } });
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning' && chartsDrawn && mapsDrawn;
    if (!idle) idleSince = null;
    else if (idleSince === null) idleSince = now;
    else if (now - idleSince >= settle && window.__fullyDrawn === undefined) { window.__fullyDrawn = idleSince; return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();""".replace("%d", str(SETTLE_MS))

FLOOR_APPS = {
    "line": 'import streamlit as st\nst.write("floor")\n',
    "plotly": (
        "import plotly.graph_objects as go\nimport streamlit as st\n"
        "st.plotly_chart(go.Figure(go.Scatter(x=list(range(30)), y=[i * i for i in range(30)])))\n"
    ),
    "folium": (
        "import json, os\nimport folium\nimport streamlit as st\nfrom streamlit_folium import st_folium\n"
        "from lib.assets import offline_map\n"
        "n = int(st.query_params.get('n', '700'))\n"
        "feats = [{'type': 'Feature', 'properties': {}, 'geometry': {'type': 'Polygon', 'coordinates': [["
        "[119.29 + (i % 100) * 1e-4, 26.07 + (i // 100) * 1e-4], [119.29 + (i % 100) * 1e-4 + 8e-5, 26.07 + (i // 100) * 1e-4],"
        "[119.29 + (i % 100) * 1e-4 + 8e-5, 26.07 + (i // 100) * 1e-4 + 8e-5], [119.29 + (i % 100) * 1e-4, 26.07 + (i // 100) * 1e-4]]]}}"
        " for i in range(n)]\n"
        "m = offline_map(location=[26.075, 119.295], zoom_start=15)\n"
        "folium.GeoJson({'type': 'FeatureCollection', 'features': feats}).add_to(m)\n"
        "st_folium(m, height=700, use_container_width=True, returned_objects=[])\n"
    ),
}


@dataclass
class Sample:
    """One page open: ms to fully drawn (page clock), script runs, websocket bytes received, chart draw ms."""

    ms: float
    runs: int
    ws_bytes: int
    chart_ms: float | None = None


@dataclass
class Result:
    """All opens of one page at one size."""

    size: str
    page: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        """Median ms to fully drawn."""
        return statistics.median(s.ms for s in self.samples)


def open_once(browser, url: str, run_log: Path | None = None) -> Sample:
    """Open ``url`` in a fresh context and wait until it is fully drawn."""
    if run_log is not None:
        run_log.write_text("")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(180_000)
    context.route("**/*", _local_only)
    received = [0]
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.__setitem__(
        0, received[0] + len(payload if isinstance(payload, (bytes, str)) else b""))))
    page.add_init_script(DRAWN_PROBE)
    try:
        page.goto(url)
        page.wait_for_function("() => window.__fullyDrawn !== undefined", polling=100, timeout=180_000)
        ms = float(page.evaluate("() => window.__fullyDrawn"))
        chart_ms = page.evaluate("() => window.__chartsDrawn === undefined ? null"
                                 " : window.__chartsDrawn - window.__chartsFirst")
    finally:
        context.close()
    runs = len(run_log.read_text().splitlines()) if run_log is not None else 1
    return Sample(ms=ms, runs=runs, ws_bytes=received[0], chart_ms=chart_ms)


def _local_only(route) -> None:
    from urllib.parse import urlsplit

    host = urlsplit(route.request.url).hostname
    if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort("internetdisconnected")


def _rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the Streamlit server), in KiB."""
    import subprocess

    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid), "-p", str(pid)], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split())


def _server_pid(base_url: str) -> int | None:
    import subprocess

    port = base_url.rsplit(":", 1)[-1]
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    for part in out.split("pid=")[1:]:
        return int(part.split(",")[0])
    return None


def write_floor_app(floor_dir: Path) -> Path:
    """The floors as one multipage app in ``floor_dir`` (Leaflet served from its own static folder).

    Page files are named ``floor_<kind>.py``: a page called ``plotly.py`` or
    ``folium.py`` would shadow the package it imports and time an error page.
    """
    from lib.assets import ensure_vendor_assets

    floor_dir.mkdir(parents=True, exist_ok=True)
    for kind, code in FLOOR_APPS.items():
        Path(floor_dir, f"floor_{kind}.py").write_text(code, encoding="utf-8")
    pages = ", ".join(f"st.Page('floor_{kind}.py', url_path='{kind}'{', default=True' if i == 0 else ''})"
                      for i, kind in enumerate(FLOOR_APPS))
    Path(floor_dir, "app.py").write_text(f"import streamlit as st\nst.navigation([{pages}]).run()\n", encoding="utf-8")
    ensure_vendor_assets(floor_dir)
    return floor_dir


def measure(sizes: list[str], pages: list[str], runs: int) -> tuple[list[Result], dict[str, dict[str, float]]]:
    """Open every page at every size, interleaved with the floors; return results and per-size extras."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, run_streamlit

    results: list[Result] = []
    extras: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-open-") as tmp, sync_playwright() as pw:
        floor_dir = write_floor_app(Path(tmp, "floors"))
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        with run_streamlit(floor_dir / "app.py", ROOT) as floor_base:
            for size in sizes:
                url = database_for(SIZES[size])
                run_log = Path(tmp, f"runs-{size}.log")
                env = {"DATABASE_URL": url, "BOARD_RUN_LOG": str(run_log)}
                extras[size] = {}
                for cold_page in [p for p in COLD_PAGES if p in pages]:  # each on a server just started
                    with run_streamlit(ROOT / "app.py", ROOT, env=env) as base:
                        extras[size][f"cold_{cold_page}_ms"] = open_once(browser, f"{base}/{cold_page}", run_log).ms
                with run_streamlit(ROOT / "app.py", ROOT, env=env) as base:
                    drawn = min(SIZES[size], MAX_FEATURES)  # as many footprints as the board's map draws
                    floors = {k: Result(size, f"floor:{k}") for k in FLOOR_APPS}
                    board = {p: Result(size, p) for p in pages}
                    for p in pages:  # warm every page's cache once
                        open_once(browser, f"{base}/{p}")
                    for _ in range(runs):
                        for kind, result in floors.items():
                            suffix = f"?n={drawn}" if kind == "folium" else ""
                            result.samples.append(open_once(browser, f"{floor_base}/{kind}{suffix}"))
                        for p, result in board.items():
                            result.samples.append(open_once(browser, f"{base}/{p}", run_log))
                    pid = _server_pid(base)
                    if pid:
                        extras[size]["rss_mb"] = _rss_kb(pid) / 1024
                        contexts = [browser.new_context() for _ in range(3)]
                        for c in contexts:
                            pg = c.new_page()
                            pg.goto(f"{base}/overview")
                            pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
                        extras[size]["rss_per_session_mb"] = (_rss_kb(pid) / 1024 - extras[size]["rss_mb"]) / 3
                        for c in contexts:
                            c.close()
                    results += [*floors.values(), *board.values()]
        browser.close()
    return results, extras


def report(results: list[Result], extras: dict[str, dict[str, float]]) -> tuple[str, bool]:
    """The README table, and whether every ratio is within budget."""
    ok = True
    lines = ["| size | page | median ms | ÷ own floor | ÷ one-line floor | runs | ws bytes | charts drawn in |",
             "|---|---|---|---|---|---|---|---|"]
    by = {(r.size, r.page): r for r in results}
    for (size, page), r in by.items():
        if page.startswith("floor:"):
            continue
        kind = PAGES.get(page, "line")
        own = r.median_ms / by[(size, f"floor:{kind}")].median_ms
        line = r.median_ms / by[(size, "floor:line")].median_ms
        runs = max(s.runs for s in r.samples)
        within = own <= BUDGET[size] and runs == 1
        ok &= within
        lines.append(f"| {size} | {page} | {r.median_ms:.0f} | {own:.2f}{'' if within else ' ✗'} ({kind}) | {line:.2f} "
                     f"| {runs} | {statistics.median(s.ws_bytes for s in r.samples):,.0f} | {_chart_ms(r)} |")
    for size in dict.fromkeys(r.size for r in results):
        floors = ", ".join(f"{k} {by[(size, f'floor:{k}')].median_ms:.0f} ms" for k in FLOOR_APPS)
        extra = extras.get(size, {})
        colds = [(page, extra[f"cold_{page}_ms"]) for page in COLD_PAGES if f"cold_{page}_ms" in extra]
        cold_over = size == "100k" and any(ms > COLD_BUDGET_MS for _, ms in colds)
        ok &= not cold_over
        cold_text = ", ".join(f"/{page} {ms:.0f} ms" for page, ms in colds) or "not measured"
        lines.append(f"\n{size}: floors {floors}; cold first open (server just started) {cold_text}"
                     f"{' ✗' if cold_over else ''}; server RSS {extra.get('rss_mb', float('nan')):.0f} MB after every page, "
                     f"+{extra.get('rss_per_session_mb', float('nan')):.1f} MB per extra session")
    return "\n".join(lines), ok


def _chart_ms(result: Result) -> str:
    """Median plotly draw time of a page's samples (first chart or skeleton → every chart drawn), or a dash."""
    drawn = [s.chart_ms for s in result.samples if s.chart_ms is not None]
    return f"{statistics.median(drawn):.0f} ms" if drawn else "–"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table; exit 1 when a budget is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench open", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        print(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}", file=sys.stderr)
        return 2
    results, extras = measure(sizes, [p for p in args.pages.split(",") if p], args.runs)
    table, ok = report(results, extras)
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"results": [{"size": r.size, "page": r.page, "samples": [s.__dict__ for s in r.samples]}
                                                     for r in results], "extras": extras}, indent=1))
    return 0 if ok else 1
