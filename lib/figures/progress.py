"""The progress curves: cumulative rates against the 100-day line, daily gains, forecast bands and table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from html import escape
from typing import Any, cast

import pandas as pd
import plotly.graph_objects as go

from lib import metrics, schema, theme
from lib.figures.overview import day_tag
from lib.figures.text import plot_text
from lib.i18n import label, month_day, pct, round_half_up, t

# --- progress curves ---------------------------------------------------------

#: How far past the deadline a chart may stretch to show a forecast band.
PROGRESS_DAYS_AFTER_DEADLINE = 30
_X_MODES = ("day", "date")
_CHART_MODES = ("blocks", "overlay")
#: The stage whose finish whisker a block's chart draws on its 100 % line: sealing
#: ends a household's part in the campaign (the table gives both stages).
_WHISKER_STAGE = "sealed"
#: Vertical share of a progress chart for the curves (top) and the daily-gain bars (bottom);
#: the wall's bars get more of it, to be read from 4 m. The gap between the panes holds the
#: gain pane's title under it and the lines' labels above it, so they never meet.
_DOMAINS = {"desk": ((0.34, 1.0), (0.0, 0.25)), "screen": ((0.46, 1.0), (0.0, 0.33))}
#: Smallest axis and label text: 18 px on the wall (read from 4 m), 11 px at a desk.
_MIN_TEXT_PX = {"screen": 18, "desk": 11}
#: Today's label is left out when the deadline's label is this close (in days).
_LABEL_CLASH_DAYS = 8


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _check_modes(x: str, chart: str = "blocks") -> None:
    if x not in _X_MODES:
        raise ValueError(f"x must be one of {', '.join(_X_MODES)}, got {x!r}")
    if chart not in _CHART_MODES:
        raise ValueError(f"chart must be one of {', '.join(_CHART_MODES)}, got {chart!r}")


def _ink(screen: bool) -> dict[str, Any]:
    """Text, grid and label colours for a light desk page or the dark big screen."""
    if screen:
        return {"fg": theme.SCREEN_FG, "muted": theme.SCREEN_MUTED, "grid": "rgba(255, 255, 255, 0.14)",
                "label_bg": _rgba(theme.SCREEN_BG, 0.8), "today": theme.SCREEN_MUTED,
                "line": theme.RATE_COLOURS_SCREEN, "text": theme.RATE_COLOURS_SCREEN}
    return {"fg": "#263238", "muted": "#607d8b", "grid": "rgba(128, 128, 128, 0.25)",
            "label_bg": "rgba(255, 255, 255, 0.8)", "today": theme.TODAY_LINE["color"],
            "line": theme.RATE_COLOURS, "text": theme.RATE_TEXT_COLOURS}


def _xs(dates: pd.Series | pd.DatetimeIndex | list, launch: date, x: str) -> list:
    """Calendar dates as chart x values: the block's day N (launch = day 1), or ISO dates.

    Dates go out as strings: plotly serialises a list of Timestamps one by one,
    hundreds of times slower.
    """
    stamps = pd.DatetimeIndex(dates)
    if x == "day":
        return [int(n) for n in (stamps - metrics.ts(launch)).days + 1]
    return stamps.strftime("%Y-%m-%d").tolist()


def _js(value: Any) -> Any:
    """A Timestamp as the ISO text plotly reads as a date; anything else unchanged."""
    return value.isoformat(sep=" ") if isinstance(value, pd.Timestamp) else value


def _x_at(day: date, launch: date, x: str) -> object:
    return metrics.day_number(launch, day) if x == "day" else metrics.ts(day)


def progress_x_range(blocks: pd.DataFrame, asof: date, x: str = "day", paths: pd.DataFrame | None = None) -> list:
    """One x-range for every chart on the page: launch to the deadline or the band's end.

    A band may stretch the axis at most :data:`PROGRESS_DAYS_AFTER_DEADLINE`
    days past its block's deadline, so one hopeless forecast does not squash
    every curve.
    """
    _check_modes(x)
    ends: list[Any] = []
    for blk in blocks.itertuples(index=False):
        deadline, launch = cast(date, blk.deadline), cast(date, blk.launch_date)
        last = max(deadline, asof)
        if paths is not None and not paths.empty:
            band = paths.loc[paths["block_id"] == blk.block_id, "date"]
            if not band.empty:
                cap = deadline + timedelta(days=PROGRESS_DAYS_AFTER_DEADLINE)
                last = max(last, min(band.max().date(), cap))
        ends.append(_x_at(last, launch, x))
    if x == "day":
        return [0.5, max(ends, default=schema.CAMPAIGN_DAYS) + 0.5]
    first = metrics.ts(min(blocks["launch_date"])) if not blocks.empty else metrics.ts(asof)
    return [first - pd.Timedelta(hours=12), max(ends, default=first) + pd.Timedelta(hours=12)]


def _weekend_shapes(first: date, last: date, launch: date | None) -> list[dict]:
    """Shade each Saturday and Sunday from ``first`` to ``last``; in the block's day N when ``launch`` is given."""
    shapes = []
    day = first - timedelta(days=(first.weekday() - 5) % 7)  # the Saturday on or before ``first``
    while day <= last:
        if launch is not None:
            x0: Any = metrics.day_number(launch, day) - 0.5
            x1: Any = x0 + 2
        else:
            x0 = metrics.ts(day) - pd.Timedelta(hours=12)
            x1 = x0 + pd.Timedelta(days=2)
        shapes.append({
            "type": "rect", "xref": "x", "yref": "paper", "x0": _js(x0), "x1": _js(x1), "y0": 0, "y1": 1,
            "fillcolor": theme.WEEKEND_FILL, "line": {"width": 0}, "layer": "below",
        })
        day += timedelta(days=7)
    return shapes


def _weekends_for(x_range: list, x: str, launch: date | None) -> list[dict]:
    """Weekend shading across ``x_range`` (day N of ``launch``, or calendar dates)."""
    if x == "day":
        assert launch is not None
        return _weekend_shapes(launch + timedelta(days=int(x_range[0] + 0.5) - 1),
                               launch + timedelta(days=int(x_range[1] - 0.5) - 1), launch)
    return _weekend_shapes((x_range[0] + pd.Timedelta(hours=12)).date(), (x_range[1] - pd.Timedelta(hours=12)).date(), None)


def _vline(x: object, style: dict, text: str | None, *, ink: dict, font_px: int, screen: bool = False,
           level: int = 0) -> tuple[dict, list[dict]]:
    """A vertical line across both panes, labelled just left of it at the foot of the curves.

    ``level`` stacks labels upwards (one text line each), so several lines
    close together keep their labels apart.
    """
    x = _js(x)
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": style}
    if text is None:
        return shape, []
    size = max(_MIN_TEXT_PX["screen" if screen else "desk"], font_px - 3)
    return shape, [{
        "x": x, "xref": "x", "yref": "paper", "y": _domains(screen)[0][0], "yanchor": "bottom", "xanchor": "right",
        "yshift": level * int(size * 1.5), "text": plot_text(text), "showarrow": False, "bgcolor": ink["label_bg"],
        "font": {"color": style["color"], "size": size},
    }]


def _domains(screen: bool) -> tuple[tuple[float, float], tuple[float, float]]:
    """(curves, bars) vertical domains of a progress chart."""
    return _DOMAINS["screen" if screen else "desk"]


def _progress_layout(title: str, subtitle: str, *, x: str, x_range: list, lang: str, screen: bool) -> dict:
    """The two panes (curves over daily-gain bars) sharing one x-axis."""
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    ink = _ink(screen)
    curves, bars = _domains(screen)
    small = max(_MIN_TEXT_PX["screen" if screen else "desk"], font_px - 4)
    xaxis: dict = {"range": [_js(v) for v in x_range], "anchor": "y2", "showgrid": False, "ticks": "outside", "automargin": True,
                   "fixedrange": True, "color": ink["muted"], "tickfont": {"size": small + 1}}
    if x == "day":
        step = 10 if screen else 20
        xaxis.update(tickmode="array", tickvals=list(range(step, int(x_range[1]) + 1, step)))
        xaxis["ticktext"] = [t("progress.day_tick", lang, n=v) for v in xaxis["tickvals"]]
    else:
        xaxis.update(type="date", tickformat="%m-%d", hoverformat="%Y-%m-%d")
    title_lines = 2 if subtitle else 1
    return {
        "height": theme.PROGRESS_CHART_PX["screen" if screen else "desk"],
        "margin": {"l": 6, "r": 10, "t": int(font_px * (1.9 + 1.3 * (title_lines - 1))), "b": 6},
        "title": {"text": title, "x": 0.005, "xanchor": "left", "xref": "container", "font": {"size": font_px + 2, "color": ink["fg"]},
                  "subtitle": {"text": subtitle, "font": {"size": font_px - 1, "color": ink["fg"]}}},
        "font": {"family": theme.FONT_FAMILY, "size": font_px, "color": ink["fg"]},
        "showlegend": False, "hovermode": "x unified", "barmode": "group", "bargap": 0.2,
        "plot_bgcolor": "rgba(0, 0, 0, 0)", "paper_bgcolor": "rgba(0, 0, 0, 0)",
        "hoverlabel": {"font": {"size": font_px}},
        "xaxis": xaxis,
        # 18 px ticks from 4 m: three of them fit the wall's short pane, five crowd it.
        "yaxis": {"domain": list(curves), "range": [0, 112], "tickvals": [0, 50, 100] if screen else [0, 25, 50, 75, 100],
                  "ticktext": ["0", "50%", "100%"] if screen else ["0", "25%", "50%", "75%", "100%"], "zeroline": False, "color": ink["muted"],
                  "tickfont": {"size": small + 1}, "gridcolor": ink["grid"], "automargin": True, "fixedrange": True},
        "yaxis2": {"domain": list(bars), "rangemode": "tozero", "nticks": 3, "zeroline": False, "color": ink["muted"],
                   "automargin": True, "fixedrange": True, "gridcolor": ink["grid"], "tickfont": {"size": small}},
        # The gain pane's title hangs from the curves' foot into the gap; the lines' labels stand on it.
        "annotations": [{
            "x": 0, "xref": "paper", "y": curves[0], "yref": "paper", "xanchor": "left", "yanchor": "top", "yshift": -2,
            "text": plot_text(f'{t("progress.gained", lang)} ({t("progress.per_day", lang)})'), "showarrow": False,
            "font": {"size": small, "color": ink["muted"]},
        }],
        "shapes": [],
    }


def _gain_ticks(highest: float, screen: bool = False) -> dict:
    """Whole-household ticks for the daily-gain pane: two or three steps of 1, 2 or 5 × 10^k (the wall: one or two)."""
    step = 1
    while step * (2 if screen else 3) < highest:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return {"dtick": step, "tick0": 0, "range": [0, max(highest, 1) * 1.08]}


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts, unvalidated.

    Plotly's validation costs about 50 ms a chart (ten blocks: half a second
    per new as-of day). The tests build every variant validated, so a typo
    still fails there.
    """
    return go.Figure(data=traces, layout=layout, _validate=False)


def _full_day(rows: pd.DataFrame) -> pd.Series | None:
    """The first row on which the curve stands at 100 % (None if it never does)."""
    full = rows[rows["rate"] >= 1]
    return full.iloc[0] if len(full) else None


def _stage_traces(rows: pd.DataFrame, band: pd.DataFrame, *, launch: date, deadline: date, asof: date, x: str, colour: str,
                  text_colour: str, name: str, lang: str, font_px: int, screen: bool, whisker: bool,
                  notes: list[dict] | None = None, fc: Any = None) -> list[dict]:
    """Bars, curve, forecast band, finish whisker (when ``whisker``) and 100 % star for one block and stage.

    The whisker's P50 label is an annotation, appended to ``notes``. The band
    is drawn only as far as an axis may reach (:data:`PROGRESS_DAYS_AFTER_DEADLINE`).
    """
    name = plot_text(name)  # block names come from the ledger
    xs = _xs(rows["date"], launch, x)
    traces: list[dict] = [
        {"type": "bar", "x": xs, "y": rows["gained"].tolist(), "yaxis": "y2", "marker": {"color": colour},
         "name": f'{name} {t("progress.gained", lang)}', "hovertemplate": f"{name} +%{{y}}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": xs, "y": (rows["rate"] * 100).round(4).tolist(), "name": name,
         "line": {"color": colour, "width": 4 if screen else 3},
         "hovertemplate": f"{name} %{{y:.2f}}%<extra></extra>"},
    ]
    if not band.empty:
        shown = band[band["date"] <= metrics.ts(deadline + timedelta(days=PROGRESS_DAYS_AFTER_DEADLINE + 1))]
        bx = _xs(shown["date"], launch, x)
        traces += [
            {"type": "scatter", "mode": "lines", "x": bx, "y": (shown["rate_p10"] * 100).tolist(), "line": {"width": 0},
             "hoverinfo": "skip", "name": f"{name} P10"},
            {"type": "scatter", "mode": "lines", "x": bx, "y": (shown["rate_p90"] * 100).tolist(), "line": {"width": 0},
             "fill": "tonexty", "fillcolor": _rgba(colour, theme.FORECAST_BAND_ALPHA), "hoverinfo": "skip",
             "name": f'{name} {t("progress.band", lang)}'},
            {"type": "scatter", "mode": "lines", "x": bx, "y": (shown["rate_p50"] * 100).tolist(),
             "line": {"color": colour, "width": 2, "dash": "dash"}, "name": f'{name} {t("progress.p50", lang)}',
             "hovertemplate": f'{name} {plot_text(t("progress.p50", lang))} %{{y:.2f}}%<extra></extra>'},
        ]
        if whisker:
            traces += _finish_whisker(band, launch=launch, asof=asof, x=x, colour=colour, text_colour=text_colour,
                                      name=name, lang=lang, font_px=font_px, screen=screen, notes=notes, fc=fc)
    full = _full_day(rows)
    if full is not None:
        traces.append({
            "type": "scatter", "mode": "markers", "x": _xs([full["date"]], launch, x), "y": [100],
            "marker": {**theme.FULL_MARKER, "color": colour}, "name": f"{name} 100%",
            "hovertemplate": f'{name} {plot_text(t("progress.full", lang, n=int(full["day_n"])))}<extra></extra>',
        })
    return traces


def _finish_whisker(band: pd.DataFrame, *, launch: date, asof: date, x: str, colour: str, text_colour: str,
                    name: str, lang: str, font_px: int, screen: bool, notes: list[dict] | None, fc: Any = None) -> list[dict]:
    """The projected finish as a bar on the 100 % line from P10 to P90, the P50 date on a dot beneath.

    The dates are the forecast row's ``fc`` (the table's own), so chart and
    table agree; without one, where the band's curves reach 100 %. A
    quantile beyond the horizon runs the bar to the band's end and reads
    as the table does ("一年以上").
    """
    def reach(column: str) -> pd.Timestamp | None:
        hit = band.loc[band[column] >= 1, "date"]
        return hit.iloc[0] if len(hit) else None

    def stamp(value: Any) -> pd.Timestamp | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value)

    if fc is not None:
        p10, p50, p90 = stamp(fc.finish_p10), stamp(fc.finish_p50), stamp(fc.finish_p90)
    else:
        p10, p50, p90 = reach("rate_p10"), reach("rate_p50"), reach("rate_p90")
    end = band["date"].iloc[-1]
    beyond = t("forecast.beyond", lang)

    def words(day: pd.Timestamp | None) -> str:
        return beyond if day is None else month_day(day.date(), asof)

    text = words(p50)
    hover = f'{name} {plot_text(t("progress.p50", lang))} {plot_text(text)} ({plot_text(words(p10))}–{plot_text(words(p90))})'
    p10 = p10 if p10 is not None else end
    p90 = p90 if p90 is not None else end
    mid = p50 if p50 is not None else p90
    xs = _xs([p10, mid, p90], launch, x)
    if notes is not None:
        notes.append({
            "x": xs[1], "xref": "x", "y": 100, "yref": "y", "yanchor": "top", "yshift": -9, "showarrow": False,
            "text": plot_text(t("progress.finish_label", lang, date=text)), "bgcolor": _ink(screen)["label_bg"],
            "font": {"color": text_colour, "size": font_px},
        })
    return [{
        "type": "scatter", "mode": "lines+markers", "x": xs, "y": [100, 100, 100],
        "line": {"color": _rgba(colour, 0.55), "width": 7}, "marker": {"color": colour, "size": [0, 13, 0]},
        "name": f'{name} {t("progress.p50", lang)}', "hovertemplate": f"{hover}<extra></extra>",
    }]


def _deadline_and_today(layout: dict, *, deadlines: list[Any], today: Any | None, close: bool, lang: str,
                        screen: bool, names: list[str] | None = None, colours: list[str] | None = None) -> None:
    """Add the 100-day line(s) and today's line, labelled; today's label yields when ``close``.

    With ``names`` (the overlay by date) each deadline is its block's: drawn in
    the block's colour (``colours``) and labelled with its name, the labels
    stacked so that close deadlines keep theirs apart.
    """
    ink = _ink(screen)
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    for i, at in enumerate(deadlines):
        style, text = theme.DEADLINE_LINE, t("progress.deadline", lang)
        if names is not None:
            style = {**style, "color": (colours or [])[i] if colours else style["color"]}
            text = f"{names[i]} {text}"
        shape, notes = _vline(at, style, text, ink=ink, font_px=font_px, screen=screen, level=i)
        layout["shapes"].append(shape)
        layout["annotations"] += notes
    if today is not None:
        style = {**theme.TODAY_LINE, "color": ink["today"]}
        shape, notes = _vline(today, style, None if close else t("progress.today", lang), ink=ink, font_px=font_px, screen=screen)
        layout["shapes"].append(shape)
        layout["annotations"] += notes


def progress_curve(
    daily: pd.DataFrame, *, block: Mapping[str, Any], asof: date, x: str = "day", lang: str = "zh",
    screen: bool = False, paths: pd.DataFrame | None = None, x_range: list | None = None,
    forecasts: pd.DataFrame | None = None,
) -> go.Figure:
    """One block's cumulative signing and sealing rate, with daily gains as bars beneath.

    Weekends are shaded; the 100-day deadline and today are vertical lines; a
    star marks the day a stage first reached 100 % (its day N is in the
    subtitle); from ``paths`` come the forecast P10–P90 band, its P50 and a
    finish whisker (P10 to P90 where the band reaches 100 %, P50 date on it).

    Args:
        daily: :func:`lib.metrics.daily_progress` rows (other blocks ignored).
        block: The block's row (``block_id``, ``name``, ``launch_date``, ``deadline``).
        asof: The day shown; today's line stands on it.
        x: ``"day"`` (the block's own day N, launch = day 1) or ``"date"``.
        lang: Language of labels.
        screen: Big-screen type sizes and the dark screen colours.
        paths: Bands from :func:`lib.metrics.block_forecasts` (other blocks ignored); None draws none.
        x_range: A range shared by several charts; default from :func:`progress_x_range`.
        forecasts: The forecast rows the bands belong to; the whisker reads its dates from them
            (the table's), else from where the band reaches 100 %.

    Returns:
        Traces per stage, signed then sealed: daily-gain bars, the curve; when
        there is a band: band upper (P10), band lower (P90, filled), P50 and
        the finish whisker; the 100 % star when reached.

    Raises:
        ValueError: If ``x`` is not ``"day"`` or ``"date"``.
    """
    _check_modes(x)
    launch, deadline, block_id = block["launch_date"], block["deadline"], block["block_id"]
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    ink = _ink(screen)
    rows = daily[daily["block_id"] == block_id]
    bands = paths[paths["block_id"] == block_id] if paths is not None else schema.empty_frame(metrics.FORECAST_PATH_COLUMNS)
    if x_range is None:
        x_range = progress_x_range(pd.DataFrame([dict(block)]), asof, x, paths)
    keys: list[str] = []
    traces: list[dict] = []
    notes: list[dict] = []
    fcs = {} if forecasts is None else {r.stage: r for r in forecasts[forecasts["block_id"] == block_id].itertuples(index=False)}
    for stage in metrics.RATE_STAGES:
        stage_rows = rows[rows["stage"] == stage]
        name = t(f"kpi.{stage}_rate", lang)
        traces += _stage_traces(
            stage_rows, bands[bands["stage"] == stage], launch=launch, deadline=deadline, asof=asof, x=x, colour=ink["line"][stage],
            text_colour=ink["text"][stage], name=name, lang=lang, font_px=font_px, screen=screen,
            whisker=stage == _WHISKER_STAGE, notes=notes, fc=fcs.get(stage),
        )
        full = _full_day(stage_rows)
        rate = pct(stage_rows["rate"].iloc[-1]) if len(stage_rows) else "—"
        star = f' {t("progress.full_short", lang, n=int(full["day_n"]))}' if full is not None else ""
        keys.append(f'<span style="color:{ink["text"][stage]}">{plot_text(t(f"progress.key.{stage}", lang))} <b>{rate}</b>{plot_text(star)}</span>')
    layout = _progress_layout(f"<b>{plot_text(str(block['name']))}</b>", " · ".join(keys), x=x, x_range=x_range, lang=lang, screen=screen)
    layout["yaxis2"].update(_gain_ticks(float(rows["gained"].max()) if len(rows) else 0.0, screen))
    layout["annotations"] += notes
    layout["shapes"] += _weekends_for(x_range, x, launch)
    _deadline_and_today(layout, deadlines=[_x_at(deadline, launch, x)], today=_x_at(asof, launch, x),
                        close=abs((deadline - asof).days) < _LABEL_CLASH_DAYS, lang=lang, screen=screen)
    return _figure(traces, layout)


def progress_overlay(
    daily: pd.DataFrame, *, blocks: pd.DataFrame, stage: str, asof: date, x: str = "day", lang: str = "zh",
    screen: bool = False, paths: pd.DataFrame | None = None, x_range: list | None = None,
) -> go.Figure:
    """Every block's cumulative rate at one stage on one chart, daily gains stacked beneath.

    Blocks are coloured by :data:`lib.theme.BLOCK_COLOURS` (``_SCREEN``) in ``blocks`` order
    and named in the legend (with the day N a block reached 100 %). By
    calendar date the chart shades weekends and draws each block's deadline
    and today's line; by day N every deadline is day 100, while weekends and
    "today" differ per block, so the curves' ends mark today.

    Returns:
        Traces per block in ``blocks`` order: bars, curve; band upper, band
        lower and P50 when there is a band; the 100 % star when reached.

    Raises:
        ValueError: If ``x`` or ``stage`` is unknown.
    """
    _check_modes(x)
    if stage not in metrics.RATE_STAGES:
        raise ValueError(f"stage must be one of {', '.join(metrics.RATE_STAGES)}, got {stage!r}")
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    ink = _ink(screen)
    if x_range is None:
        x_range = progress_x_range(blocks, asof, x, paths)
    layout = _progress_layout(f"<b>{plot_text(t(f'progress.overlay.{stage}', lang))}</b>", "", x=x, x_range=x_range, lang=lang, screen=screen)
    layout.update(showlegend=True, barmode="stack",
                  legend={"orientation": "h", "x": 0, "y": -0.1, "yanchor": "top", "font": {"size": max(11, font_px - 2), "color": ink["fg"]}})
    layout["margin"]["b"] = int(font_px * 2.5)
    layout["height"] = 2 * layout["height"] + 20  # two of these fill the space of four block charts
    palette = theme.BLOCK_COLOURS_SCREEN if screen else theme.BLOCK_COLOURS
    rows = daily[daily["stage"] == stage]
    bands = paths[paths["stage"] == stage] if paths is not None else schema.empty_frame(metrics.FORECAST_PATH_COLUMNS)
    traces: list[dict] = []
    for i, blk in enumerate(blocks.itertuples(index=False)):
        colour = palette[i % len(palette)]
        block_rows = rows[rows["block_id"] == blk.block_id]
        block_traces = _stage_traces(
            block_rows, bands[bands["block_id"] == blk.block_id], launch=cast(date, blk.launch_date),
            deadline=cast(date, blk.deadline), asof=asof, x=x, colour=colour,
            text_colour=colour, name=str(blk.name), lang=lang, font_px=font_px, screen=screen, whisker=False,
        )
        full = _full_day(block_rows)
        for tr in block_traces:
            tr["legendgroup"] = blk.block_id
            tr["showlegend"] = tr["type"] == "scatter" and tr["name"] == plot_text(blk.name)
            if tr["showlegend"] and full is not None:
                tr["name"] = f'{plot_text(blk.name)} {plot_text(t("progress.full_short", lang, n=int(full["day_n"])))}'
        traces += block_traces
    stacked = rows.groupby("date" if x == "date" else "day_n")["gained"].sum()
    layout["yaxis2"].update(_gain_ticks(float(stacked.max()) if len(stacked) else 0.0, screen))
    if x == "date":
        # One line per block's deadline, in its colour and named; blocks sharing a deadline share its line.
        by_day: dict[Any, list[int]] = {}
        for i, blk in enumerate(blocks.itertuples(index=False)):
            by_day.setdefault(_x_at(cast(date, blk.deadline), cast(date, blk.launch_date), x), []).append(i)
        days = sorted(by_day)
        names = ["、".join(str(blocks.iloc[i]["name"]) for i in by_day[d]) for d in days]
        colours = [palette[by_day[d][0] % len(palette)] for d in days]
        layout["shapes"] += _weekends_for(x_range, x, None)
        close = any(abs((cast(date, blk.deadline) - asof).days) < _LABEL_CLASH_DAYS
                    for blk in blocks.itertuples(index=False))
        _deadline_and_today(layout, deadlines=days, today=metrics.ts(asof), close=close, lang=lang, screen=screen,
                            names=names, colours=colours)
    else:  # by day N every block's deadline is day 100: one line
        deadlines = sorted({cast(int, _x_at(cast(date, blk.deadline), cast(date, blk.launch_date), x))
                            for blk in blocks.itertuples(index=False)})
        _deadline_and_today(layout, deadlines=deadlines, today=None, close=False, lang=lang, screen=screen)
    return _figure(traces, layout)


def progress_curves(
    daily: pd.DataFrame, *, blocks: pd.DataFrame, asof: date, x: str = "day", chart: str = "blocks",
    lang: str = "zh", screen: bool = False, paths: pd.DataFrame | None = None, forecasts: pd.DataFrame | None = None,
) -> list[go.Figure]:
    """The progress page's charts, on one shared x-range (whiskers from ``forecasts``, the table's rows).

    ``chart="blocks"``: one :func:`progress_curve` per block with curves in
    ``daily`` (launched and in scope); ``"overlay"``: one
    :func:`progress_overlay` per rate stage. Empty when ``daily`` is.

    Raises:
        ValueError: If ``x`` or ``chart`` is unknown.
    """
    _check_modes(x, chart)
    shown = blocks[blocks["block_id"].isin(daily["block_id"].unique())]
    if shown.empty:
        return []
    x_range = progress_x_range(shown, asof, x, paths)
    if chart == "overlay":
        return [
            progress_overlay(daily, blocks=shown, stage=stage, asof=asof, x=x, lang=lang, screen=screen, paths=paths, x_range=x_range)
            for stage in metrics.RATE_STAGES
        ]
    return [
        progress_curve(daily, block=blk, asof=asof, x=x, lang=lang, screen=screen, paths=paths, x_range=x_range,
                       forecasts=forecasts)
        for blk in cast(list[dict[str, Any]], shown.to_dict("records"))
    ]


def _finish_cell(fc: Any, deadline: date, asof: date, lang: str, colours: dict[str, str] = theme.FORECAST_COLOURS) -> str:
    """Projected finish as HTML: P50 and the P10–P90 band, or why there is none."""
    if fc is None or fc.status == "no_data":
        return "—"
    if fc.status == "finished":
        return escape(t("forecast.done_on", lang, date=month_day(fc.finished_on, asof)))
    if fc.status == "stalled":
        return f'<span style="color:{colours["stalled"]}">{escape(t("forecast.stalled_cell", lang))}</span>'
    beyond = t("forecast.beyond", lang)
    p10, p50, p90 = (beyond if pd.isna(d) else month_day(d, asof) for d in (fc.finish_p10, fc.finish_p50, fc.finish_p90))
    band = p10 if p10 == p90 else f"{p10}–{p90}"
    late = pd.isna(fc.finish_p90) or fc.finish_p90 > deadline
    style = f' style="color:{colours["at_risk"]}"' if late else ""
    return f"<span><b>{escape(p50)}</b> <small{style}>({escape(band)})</small></span>"


def _pair(a: float | None, b: float | None, overdue: str) -> str:
    def one(v: float | None) -> str:
        return overdue if v is None or pd.isna(v) else round_half_up(v, 2)

    return f"{one(a)} / {one(b)}"


def forecast_table_html(table: pd.DataFrame, forecasts: pd.DataFrame, asof: date, lang: str, *, screen: bool = False) -> str:
    """The compact table under the curves, one row per block.

    Rates, 7-day and required paces come from :func:`lib.metrics.block_table`
    (the overview's numbers, paces with two decimals); projected finish (P50
    and P10–P90) and the outlook flag from :func:`lib.metrics.block_forecasts`.
    On a phone the rows become cards (``cb-cards``: each cell carries its
    column name).

    Args:
        table: :func:`lib.metrics.block_table` for the as-of day.
        forecasts: The first frame of :func:`lib.metrics.block_forecasts`.
        asof: The as-of day (dates in its year drop the year).
        lang: Language of headers and flags.
        screen: Colours for the wall's dark ground.
    """
    head = [
        ("col.block", ""), ("col.signed_rate", "num"), ("col.sealed_rate", "num"), ("col.pace_both", "num"),
        ("col.required_both", "num"), ("col.finish_signed", "num"), ("col.finish_sealed", "num"), ("col.outlook", ""),
    ]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    by_key = {(r.block_id, r.stage): r for r in forecasts.itertuples(index=False)}
    flags = metrics.block_outlooks(table, forecasts)
    body = []
    row: Any  # one heterogeneous record per block: pandas-stubs types every field as the wide Scalar
    for row in table.itertuples(index=False):
        fcs = [by_key.get((row.block_id, s)) for s in metrics.RATE_STAGES]
        flag = flags[row.block_id]
        colour = theme.forecast_colours(screen).get(flag, "#757575")
        cells = [
            f'<span><span class="cb-dot" style="background:{colour}"></span><b>{escape(str(row.name))}</b>'
            f' <small style="opacity:.7">{escape(day_tag(row, lang))}</small></span>',
            pct(row.signed_rate), f"<b>{pct(row.sealed_rate)}</b>",
            escape(_pair(row.pace_signed, row.pace_sealed, t("overdue", lang))),
            escape(_pair(row.required_signed, row.required_sealed, t("overdue", lang))),
            _finish_cell(fcs[0], row.deadline, asof, lang, theme.forecast_colours(screen)),
            _finish_cell(fcs[1], row.deadline, asof, lang, theme.forecast_colours(screen)),
            f'<span style="color:{colour};font-weight:700">{escape(label("forecast", flag, lang))}</span>',
        ]
        tds = "".join(
            f'<td class="{cls}" data-label="{escape(t(key, lang))}">{cell}</td>' for (key, cls), cell in zip(head, cells, strict=True)
        )
        body.append(f"<tr>{tds}</tr>")
    return (
        f'<div class="cb-scroll"><table class="cb-table cb-cards"><thead><tr>{th}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def trust_line(bt: Any, lang: str) -> str:
    """The back-test in one line for the forecast table: "过去 30 次预测：区间命中 83 %，中位误差 3 天".

    Args:
        bt: :class:`lib.backtest.Backtest` of the view (count, coverage, median miss).
        lang: Language of the line.
    """
    if bt is None or not bt.count:
        return t("progress.trust_none", lang)
    miss = "∞" if bt.median_miss == float("inf") else round_half_up(bt.median_miss, 0)
    return t("progress.trust", lang, n=bt.count, cover=f"{round_half_up(bt.coverage * 100, 0)} %", miss=miss)


