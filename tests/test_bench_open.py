"""``python -m bench open`` measures against floors that really draw, and judges its budgets as documented.

The floors once timed an error page: a page file named ``plotly.py``
shadowed the plotly package it imported. Each floor is run here and must
draw its element; the report is checked on made-up samples.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from bench import open as bench_open


def test_every_floor_page_runs_and_draws_its_element(tmp_path):
    floors = bench_open.write_floor_app(tmp_path / "floors")
    assert (floors / "static" / "vendor" / "leaflet" / "leaflet.js").exists()  # the folium floor's Leaflet, served locally
    drawn = {"line": "markdown", "plotly": "plotly_chart", "folium": "iframe"}
    for kind in bench_open.FLOOR_APPS:
        at = AppTest.from_file(str(floors / f"floor_{kind}.py"), default_timeout=60)
        at.query_params["n"] = "50"
        at.run()
        assert not at.exception, f"floor {kind}: {at.exception}"
        elements = at.get(drawn[kind]) if kind != "folium" else at.get("component_instance") + at.get("iframe")
        assert elements, f"floor {kind} drew no {drawn[kind]}"


def _result(size, page, ms, runs=1):
    return bench_open.Result(size, page, [bench_open.Sample(ms=ms, runs=runs, ws_bytes=1000)])


def test_report_holds_each_page_to_its_own_floor_and_one_run():
    floors = [_result("demo", "floor:line", 1000), _result("demo", "floor:plotly", 2000), _result("demo", "floor:folium", 1500)]
    extras = {"demo": {"cold_command_ms": 2500.0, "cold_overview_ms": 2600.0, "rss_mb": 300.0, "rss_per_session_mb": 0.1}}
    table, ok = bench_open.report([*floors, _result("demo", "overview", 2500), _result("demo", "map", 1900)], extras)
    assert ok and "| demo | overview | 2500 | 1.25 (plotly) | 2.50 | 1 |" in table
    assert "/command 2500 ms, /overview 2600 ms" in table
    _, ok = bench_open.report([*floors, _result("demo", "map", 2000)], extras)  # 1.33 × the folium floor
    assert not ok
    _, ok = bench_open.report([*floors, _result("demo", "teams", 1100, runs=2)], extras)  # a second script run
    assert not ok
    big = {"100k": {**extras["demo"], "cold_overview_ms": 3100.0}}
    _, ok = bench_open.report([bench_open.Result("100k", r.page, r.samples) for r in floors], big)
    assert not ok  # the cold first open of a 100 k board is over 3 s
