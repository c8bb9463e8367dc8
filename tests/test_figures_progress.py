"""Progress curves and the forecast table on tiny hand-made ledgers, without Streamlit."""

from __future__ import annotations

import colorsys
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib import metrics, schema, theme
from lib.figures import progress

SAT = date(2023, 9, 16)  # a Saturday: day 1 and day 2 are a weekend
MON = date(2023, 9, 18)


def _blocks(*rows: tuple[str, str, date]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"block_id": b, "name": n, "launch_date": launch, "deadline": schema.deadline_for(launch)} for b, n, launch in rows]
    )


def _households(block_id: str, signed: list[str | None], sealed: list[str | None]) -> pd.DataFrame:
    n = len(signed)
    return pd.DataFrame({
        "household_id": [f"{block_id}-{i}" for i in range(n)],
        "block_id": block_id,
        "date_signed": pd.to_datetime(pd.Series(signed, dtype="object")),
        "date_sealed": pd.to_datetime(pd.Series(sealed + [None] * (n - len(sealed)), dtype="object")),
    })


ONE = _blocks(("b1", "一号地块", SAT))
#: Four households: signed on days 1, 2, 2, 3 (100 % on day 3); two sealed, on days 2 and 3.
TINY = _households("b1", ["2023-09-16", "2023-09-17", "2023-09-17", "2023-09-18"], ["2023-09-17", "2023-09-18"])
ASOF = MON


def _curve(x: str = "day", **kw) -> dict:
    daily = metrics.daily_progress(TINY, ONE, ASOF)
    return progress.progress_curve(daily, block=ONE.iloc[0], asof=ASOF, x=x, lang="zh", **kw).to_plotly_json()


def _lines(fig: dict) -> list[dict]:
    return [s for s in fig["layout"]["shapes"] if s["type"] == "line"]


def test_a_block_chart_has_bars_and_curves_per_stage_and_a_star_where_it_reached_100():
    fig = _curve()
    kinds = [(tr["type"], tr["name"]) for tr in fig["data"]]
    assert kinds == [
        ("bar", "签约率 日增"), ("scatter", "签约率"), ("scatter", "签约率 100%"),
        ("bar", "封房率 日增"), ("scatter", "封房率"),
    ]
    signed_bars, signed, star, sealed_bars, sealed = fig["data"]
    assert list(signed["x"]) == [1, 2, 3]
    assert list(signed["y"]) == [25.0, 75.0, 100.0]
    assert list(signed_bars["y"]) == [1, 2, 1] and signed_bars["yaxis"] == "y2"
    assert list(sealed["y"]) == [0.0, 25.0, 50.0]
    assert list(sealed_bars["y"]) == [0, 1, 1]
    assert list(star["x"]) == [3] and list(star["y"]) == [100]
    assert fig["layout"]["yaxis2"]["dtick"] == 1  # whole households per day


def test_the_subtitle_gives_rates_with_two_decimals_and_the_day_100_percent_was_reached():
    subtitle = _curve()["layout"]["title"]["subtitle"]["text"]
    assert "100.00%" in subtitle and "★第3天" in subtitle
    assert "50.00%" in subtitle


def test_deadline_and_today_are_vertical_lines_by_day_n():
    fig = _curve()
    deadline, today = _lines(fig)
    assert deadline["x0"] == deadline["x1"] == 100
    assert deadline["line"]["color"] == theme.DEADLINE_LINE["color"]
    assert today["x0"] == 3
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "第100天" in labels and "今日" in labels


def test_by_calendar_date_the_lines_stand_on_dates():
    fig = _curve(x="date")
    deadline, today = _lines(fig)
    assert pd.Timestamp(deadline["x0"]) == pd.Timestamp("2023-12-24")  # day 100 of a 2023-09-16 launch
    assert pd.Timestamp(today["x0"]) == pd.Timestamp(ASOF)
    signed = fig["data"][1]
    assert [pd.Timestamp(v) for v in signed["x"]] == list(pd.date_range("2023-09-16", "2023-09-18"))


@pytest.mark.parametrize("x", ["day", "date"])
def test_weekends_are_shaded_from_saturday_to_monday(x: str):
    rects = [s for s in _curve(x=x)["layout"]["shapes"] if s["type"] == "rect"]
    assert rects and all(r["fillcolor"] == theme.WEEKEND_FILL for r in rects)
    first = rects[0]
    if x == "day":
        assert (first["x0"], first["x1"]) == (0.5, 2.5)  # day 1 (Sat) and day 2 (Sun)
    else:
        assert pd.Timestamp(first["x0"]) == pd.Timestamp("2023-09-15 12:00")
        assert pd.Timestamp(first["x1"]) == pd.Timestamp("2023-09-17 12:00")
    assert len(rects) == 15  # 100 days ≈ 15 weekends


def test_unknown_axis_or_chart_names_the_bad_value():
    daily = metrics.daily_progress(TINY, ONE, ASOF)
    with pytest.raises(ValueError, match="x must be one of day, date, got 'week'"):
        progress.progress_curve(daily, block=ONE.iloc[0], asof=ASOF, x="week")
    with pytest.raises(ValueError, match="chart must be one of blocks, overlay, got 'pie'"):
        progress.progress_curves(daily, blocks=ONE, asof=ASOF, chart="pie")


# --- with a forecast ---------------------------------------------------------------

STEADY = _blocks(("b2", "二号地块", MON))
#: 20 households, all signed on launch day; one sealed a day for days 1–10.
STEADY_HH = _households(
    "b2", ["2023-09-18"] * 20, [(MON + timedelta(days=i)).isoformat() for i in range(10)]
)
STEADY_ASOF = MON + timedelta(days=9)  # day 10: 10 sealed, 10 to go at exactly one a day


def test_the_whisker_and_the_band_end_on_the_tables_dates():
    forecasts, paths = metrics.block_forecasts(STEADY_HH, STEADY, STEADY_ASOF, n_sims=200)
    sealed = forecasts.set_index("stage").loc["sealed"]
    # The bootstrap alone says day 20 exactly; calibrated on S-curves, the band expects a slower tail.
    p10, p50, p90 = (metrics.day_number(MON, sealed[f"finish_{p}"]) for p in ("p10", "p50", "p90"))
    assert 20 <= p10 <= p50 <= p90
    daily = metrics.daily_progress(STEADY_HH, STEADY, STEADY_ASOF)
    fig = progress.progress_curve(
        daily, block=STEADY.iloc[0], asof=STEADY_ASOF, paths=paths, lang="zh", forecasts=forecasts
    ).to_plotly_json()
    names = [tr["name"] for tr in fig["data"]]
    assert names == [
        "签约率 日增", "签约率", "签约率 100%",
        "封房率 日增", "封房率", "封房率 P10", "封房率 预计 P10–P90", "封房率 预计 P50", "封房率 预计 P50",
    ]
    band_low = fig["data"][6]
    assert band_low["fill"] == "tonexty"
    whisker = fig["data"][8]
    assert list(whisker["x"]) == [p10, p50, p90] and list(whisker["y"]) == [100, 100, 100]
    assert f"预计 {sealed['finish_p50']:%m-%d}" in [a["text"] for a in fig["layout"]["annotations"]]
    band = paths[paths["stage"] == "sealed"]
    for column, day in (("rate_p10", p10), ("rate_p50", p50), ("rate_p90", p90)):  # each curve reaches 100 % on its date
        reached = band.loc[band[column] >= 1, "date"].iloc[0]
        assert metrics.day_number(MON, reached.date()) == day


def test_the_axis_stretches_to_the_band_but_not_far_past_the_deadline():
    blocks = _blocks(("b3", "三号地块", SAT))
    far = pd.DataFrame({
        "block_id": "b3", "stage": "sealed", "date": pd.date_range("2023-11-01", "2024-09-01"),
        "rate_p10": 0.5, "rate_p50": 0.5, "rate_p90": 0.5,
    })
    lo, hi = progress.progress_x_range(blocks, SAT + timedelta(days=40), "day", far)
    assert (lo, hi) == (0.5, 100 + progress.PROGRESS_DAYS_AFTER_DEADLINE + 0.5)
    assert progress.progress_x_range(blocks, SAT + timedelta(days=40), "day", None) == [0.5, 100.5]


# --- all blocks overlaid ---------------------------------------------------------


TWO = _blocks(("b1", "一号地块", SAT), ("b2", "二号地块", MON))
BOTH = pd.concat([TINY, STEADY_HH.assign(date_sealed=STEADY_HH["date_sealed"].where(STEADY_HH["date_sealed"] <= "2023-09-18"))])


def test_overlay_draws_one_coloured_curve_per_block_named_in_the_legend():
    daily = metrics.daily_progress(BOTH, TWO, ASOF)
    fig = progress.progress_overlay(daily, blocks=TWO, stage="signed", asof=ASOF, lang="zh").to_plotly_json()
    legend = [tr["name"] for tr in fig["data"] if tr.get("showlegend")]
    assert legend == ["一号地块 ★第3天", "二号地块 ★第1天"]
    curves = [tr for tr in fig["data"] if tr.get("showlegend")]
    assert [c["line"]["color"] for c in curves] == list(theme.BLOCK_COLOURS[:2])
    assert list(curves[1]["x"]) == [1] and list(curves[1]["y"]) == [100.0]  # b2 on its own day 1
    # By day N every block's deadline is day 100; weekends and "today" differ per block, so neither is drawn.
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [100]


def test_overlay_by_date_draws_each_deadline_weekends_and_today():
    daily = metrics.daily_progress(BOTH, TWO, ASOF)
    fig = progress.progress_overlay(daily, blocks=TWO, stage="sealed", asof=ASOF, x="date", lang="en").to_plotly_json()
    lines = [pd.Timestamp(s["x0"]) for s in _lines(fig)]
    assert lines == [pd.Timestamp("2023-12-24"), pd.Timestamp("2023-12-26"), pd.Timestamp(ASOF)]
    assert any(s["type"] == "rect" for s in fig["layout"]["shapes"])
    assert fig["layout"]["title"]["text"] == "<b>Sealed · all blocks</b>"


def test_progress_curves_leave_out_blocks_not_launched_and_share_one_axis():
    blocks = _blocks(("b1", "一号地块", SAT), ("late", "未启动地块", date(2023, 10, 1)))
    hh = pd.concat([TINY, _households("late", ["2023-10-02"], [])])
    daily = metrics.daily_progress(hh, blocks, ASOF)
    per_block = progress.progress_curves(daily, blocks=blocks, asof=ASOF, lang="zh")
    assert len(per_block) == 1
    overlay = progress.progress_curves(daily, blocks=TWO, asof=ASOF, chart="overlay", lang="zh")
    assert len(overlay) == 2
    assert overlay[0].layout.xaxis.range == overlay[1].layout.xaxis.range
    assert progress.progress_curves(daily.iloc[:0], blocks=blocks, asof=ASOF) == []


@pytest.mark.parametrize("x", ["day", "date"])
@pytest.mark.parametrize("chart", ["blocks", "overlay"])
@pytest.mark.parametrize("screen", [False, True])
def test_every_variant_passes_plotlys_validation(x: str, chart: str, screen: bool):
    # The figures are built unvalidated for speed; here plotly checks every property.
    hh = pd.concat([TINY, STEADY_HH])
    _, paths = metrics.block_forecasts(hh, TWO, STEADY_ASOF, n_sims=200)
    daily = metrics.daily_progress(hh, TWO, STEADY_ASOF)
    for fig in progress.progress_curves(daily, blocks=TWO, asof=STEADY_ASOF, x=x, chart=chart, screen=screen, paths=paths):
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property


def test_screen_mode_is_bigger_and_light_on_dark():
    desk, screen = _curve(), _curve(screen=True)
    assert screen["layout"]["font"]["size"] == theme.SCREEN["chart_font_px"] > desk["layout"]["font"]["size"]
    assert screen["layout"]["font"]["color"] == theme.SCREEN_FG
    assert screen["data"][1]["line"]["color"] == theme.RATE_COLOURS_SCREEN["signed"]
    assert screen["layout"]["height"] == theme.PROGRESS_CHART_PX["screen"]


# --- the table -----------------------------------------------------------------------


def test_forecast_table_rates_two_decimals_paces_finishes_and_flags():
    blocks = _blocks(("b1", "<b>一号</b>", SAT), ("b2", "二号地块", MON), ("late", "未启动地块", date(2023, 10, 1)))
    hh = pd.concat([TINY, STEADY_HH, _households("late", [None], [])])
    table = metrics.block_table(hh, blocks, STEADY_ASOF)
    forecasts, _ = metrics.block_forecasts(hh, blocks, STEADY_ASOF, n_sims=200)
    html = progress.forecast_table_html(table, forecasts, STEADY_ASOF, "zh")
    assert html.count("<tr>") == 4  # header + three blocks
    assert "&lt;b&gt;一号&lt;/b&gt;" in html  # ledger text is escaped
    assert "50.00%" in html  # b2 sealed 10 of 20
    assert "0.00 / 1.00" in html  # b2's 7-day pace, signed / sealed
    p50 = forecasts.set_index(["block_id", "stage"]).loc[("b2", "sealed"), "finish_p50"]
    assert f"<span><b>{p50:%m-%d}</b>" in html  # b2's projected sealing finish
    assert "近7日无进展" in html  # b1: its last gain was more than 7 days ago
    assert "未启动" in html
    assert "可按期" in html
    assert 'data-label="封房率"' in html  # cells carry their column for the phone's cards


# --- the forecasts behind the curves ----------------------------------------------------


def test_no_future_data_leaks_into_a_past_days_forecast():
    asof = STEADY_ASOF
    later = STEADY_HH.copy()
    later.loc[later["date_sealed"].isna(), "date_sealed"] = pd.Timestamp(asof + timedelta(days=1))  # all sealed tomorrow
    before = metrics.block_forecasts(STEADY_HH, STEADY, asof, n_sims=200)
    after = metrics.block_forecasts(later, STEADY, asof, n_sims=200)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert metrics.block_forecasts(later, STEADY, asof + timedelta(days=1), n_sims=200)[0]["status"].tolist() == ["finished", "finished"]


def test_finished_stalled_and_unlaunched_blocks_have_no_projection():
    blocks = _blocks(("b1", "一号地块", SAT), ("late", "未启动地块", date(2023, 10, 1)))
    hh = pd.concat([TINY, _households("late", [None], [])])
    asof = SAT + timedelta(days=10)  # "late" launches on 2023-10-01
    forecasts, paths = metrics.block_forecasts(hh, blocks, asof, n_sims=200)
    assert forecasts[["block_id", "stage", "status"]].values.tolist() == [
        ["b1", "signed", "finished"], ["b1", "sealed", "stalled"],
    ]
    assert paths.empty and list(paths.columns) == metrics.FORECAST_PATH_COLUMNS
    stalled = forecasts.iloc[1]
    assert stalled["pace_7d"] == 0 and stalled["finish_p50"] is None
    assert stalled["required_pace"] == pytest.approx(2 / (schema.deadline_for(SAT) - asof).days)


def test_outlook_is_the_worst_stage():
    assert metrics.outlook(["finished", "on_track"]) == "on_track"
    assert metrics.outlook(["on_track", "at_risk"]) == "at_risk"
    assert metrics.outlook(["stalled", "late"]) == "late"
    assert metrics.outlook([]) == "no_data"


def test_the_demo_star_for_yanta_2_stands_on_day_33(demo_campaign):
    asof = date(2023, 11, 7)
    daily = metrics.daily_progress(demo_campaign.households, demo_campaign.blocks, asof)
    yanta = demo_campaign.blocks.set_index("block_id").loc["yanta-2"].to_dict() | {"block_id": "yanta-2"}
    fig = progress.progress_curve(daily, block=yanta, asof=asof, lang="zh")
    stars = [tr for tr in fig.data if tr.name.endswith("100%")]
    assert [list(s.x) for s in stars] == [[33], [33]]
    table = metrics.block_table(demo_campaign.households, demo_campaign.blocks, asof).set_index("block_id")
    assert table.loc["yanta-2", "double_full_day"] == 33


# --- read from 4 m (the wall) --------------------------------------------------


def _texts(fig: dict) -> list[int]:
    """Every text size on a chart: axis ticks, labels, legend."""
    lay = fig["layout"]
    sizes = [lay[axis]["tickfont"]["size"] for axis in ("xaxis", "yaxis", "yaxis2")]
    sizes += [a["font"]["size"] for a in lay["annotations"]]
    if lay.get("showlegend"):
        sizes.append(lay["legend"]["font"]["size"])
    return sizes


@pytest.mark.parametrize("chart", ["blocks", "overlay"])
def test_on_the_wall_no_chart_text_is_under_18_px(chart: str):
    daily = metrics.daily_progress(BOTH, TWO, ASOF)
    figs = progress.progress_curves(daily, blocks=TWO, asof=ASOF, x="date", chart=chart, lang="zh", screen=True)
    for fig in figs:
        assert min(_texts(fig.to_plotly_json())) >= 18
    desk = progress.progress_curves(daily, blocks=TWO, asof=ASOF, x="date", chart=chart, lang="zh")
    assert min(_texts(desk[0].to_plotly_json())) == 11  # the desk keeps its compact type


def test_the_walls_daily_gain_strip_is_taller_and_its_ticks_fewer():
    wall, desk = _curve(screen=True)["layout"], _curve()["layout"]
    assert wall["yaxis2"]["domain"] == [0.0, 0.33] and desk["yaxis2"]["domain"] == [0.0, 0.25]
    assert wall["yaxis"]["domain"] == [0.46, 1.0] and desk["yaxis"]["domain"] == [0.34, 1.0]
    assert wall["yaxis"]["tickvals"] == [0, 50, 100] and desk["yaxis"]["tickvals"] == [0, 25, 50, 75, 100]


@pytest.mark.parametrize("screen", [False, True])
def test_today_and_the_gain_title_sit_on_either_side_of_the_panes_gap(screen: bool):
    notes = {a["text"]: a for a in _curve(screen=screen)["layout"]["annotations"]}
    title, today = notes["日增 (户/天)"], notes["今日"]
    foot = 0.46 if screen else 0.34  # the curves' foot
    # The title hangs below the foot, the line labels stand on it: they cannot meet.
    assert (title["y"], title["yanchor"]) == (foot, "top")
    assert (today["y"], today["yanchor"]) == (foot, "bottom") and notes["第100天"]["yanchor"] == "bottom"


def test_the_overlay_by_date_labels_each_blocks_deadline_in_its_colour_stacked():
    daily = metrics.daily_progress(BOTH, TWO, ASOF)
    fig = progress.progress_overlay(daily, blocks=TWO, stage="sealed", asof=ASOF, x="date", lang="zh",
                                    screen=True).to_plotly_json()
    deadlines = [s for s in _lines(fig) if s["line"]["dash"] == theme.DEADLINE_LINE["dash"]]
    assert [s["line"]["color"] for s in deadlines] == list(theme.BLOCK_COLOURS_SCREEN[:2])
    labels = [(a["text"], a["yshift"], a["font"]["color"]) for a in fig["layout"]["annotations"] if "第100天" in a["text"]]
    assert labels == [("一号地块 第100天", 0, theme.BLOCK_COLOURS_SCREEN[0]), ("二号地块 第100天", 27, theme.BLOCK_COLOURS_SCREEN[1])]


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


@pytest.mark.parametrize("palette", [theme.BLOCK_COLOURS, theme.BLOCK_COLOURS_SCREEN])
def test_block_colours_keep_clear_of_the_status_colours(palette):
    verdicts = [c for k, c in theme.FORECAST_COLOURS.items() if k != "no_data"] + [theme.SCREEN_GAIN_UP, theme.SCREEN_LAGGARD]
    for colour in palette:
        gap = min(min(abs(_hue(colour) - _hue(v)) % 360, 360 - abs(_hue(colour) - _hue(v)) % 360) for v in verdicts)
        assert gap >= 20, (colour, gap)
