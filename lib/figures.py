"""Figures and display tables: pure functions of metric frames, no ``st.*``.

Each returns a plotly figure, an HTML string (every ledger value escaped) or
plain tuples a page renders; all take ``lang`` so they are testable alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from lib import metrics, schema, theme
from lib.i18n import label, pct, round_half_up, t


def _num(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def kpi_tiles(k: metrics.Kpis, lang: str) -> list[tuple[str, str, str, str]]:
    """The overview's six headline tiles as (label, value, sub-line, accent)."""
    left = (
        t("kpi.deadline", lang, deadline=k.deadline.isoformat())
        if k.days_left >= 0
        else t("kpi.overdue", lang, n=-k.days_left)
    )
    # Whose day N: the one block's, or (several blocks) the earliest launch's — the tile says which.
    whose = "/ 100" if k.single_block else f'/ 100 · {t("kpi.day_campaign", lang, launch=k.launch.isoformat())}'
    if k.started:
        day_tile = (t("kpi.day", lang), t("kpi.day_value", lang, n=k.day_n), whose, "#6a1b9a")
        left_tile = (t("kpi.days_left", lang), str(max(k.days_left, 0)), left, theme.LAGGARD if k.days_left < 14 else "#455a64")
    else:
        launches = t("kpi.launches_on", lang, launch=k.launch.isoformat())
        day_tile = (t("kpi.day", lang), t("kpi.not_started", lang), launches, "#6a1b9a")
        left_tile = (t("kpi.days_left", lang), "—", left, "#455a64")
    return [
        (t("kpi.households", lang), f"{k.households:,}", t("unit.households", lang), "#455a64"),
        (t("kpi.signed_rate", lang), pct(k.signed_rate), t("kpi.of_households", lang, done=k.signed, total=k.households), theme.RATE_COLOURS["signed"]),
        (t("kpi.sealed_rate", lang), pct(k.sealed_rate), t("kpi.of_households", lang, done=k.sealed, total=k.households), theme.RATE_COLOURS["sealed"]),
        (t("kpi.today", lang), f"+{k.sealed_today}", t("kpi.today_value", lang, signed=k.signed_today, sealed=k.sealed_today), theme.GAIN_UP),
        day_tile,
        left_tile,
    ]


def _pace(value: float | None) -> str:
    """Households per day, rounded half up once: one decimal, two below one (0.02 is not 0.0)."""
    if value is None or pd.isna(value):
        return "—"
    return round_half_up(value, 1 if value >= 1 or value == 0 else 2)


def _day_tag(row: Any, lang: str) -> str:
    """A block's own day N, or 未启动 with its launch date before it launches (never day 0 or below)."""
    if row.day_n >= 1:
        return t("unit.day_n", lang, n=row.day_n)
    return t("unit.launches_on", lang, launch=_md(row.launch_date, row.launch_date))


def block_table_html(table: pd.DataFrame, forecasts: pd.DataFrame, asof: date, lang: str) -> str:
    """The overview's block rows: rates, double-100 % day, paces, forecast finish and flag.

    The flag and the projected sealing finish (P50) are the same ones the
    curves page shows (:func:`lib.metrics.block_outlooks`).
    """
    # "opt" columns give way first on a phone.
    head = [
        ("col.block", ""), ("col.households", "num opt"), ("col.signed_rate", "num"), ("col.sealed_rate", "num"),
        ("col.today", "num opt"), ("col.full_day", "num opt"), ("col.pace", "num opt"), ("col.required", "num opt"),
        ("col.finish", "num opt"), ("col.status", ""),
    ]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    flags = metrics.block_outlooks(table, forecasts)
    sealed_fc = {r.block_id: r for r in forecasts.itertuples(index=False) if r.stage == "sealed"}
    body = []
    for row in table.itertuples(index=False):
        flag = flags[row.block_id]
        colour = theme.FORECAST_COLOURS.get(flag, "#757575")
        full = t("unit.day_n", lang, n=int(row.double_full_day)) if pd.notna(row.double_full_day) else "—"
        required = _pace(row.required_sealed) if row.required_sealed is not None else t("overdue", lang)
        body.append(
            "<tr>"
            f'<td><span class="cb-dot" style="background:{colour}"></span>{escape(str(row.name))}'
            f' <small style="opacity:.7">{escape(_day_tag(row, lang))}</small></td>'
            f'<td class="num opt">{row.households:,}</td>'
            f'<td class="num">{pct(row.signed_rate)}</td>'
            f'<td class="num"><b>{pct(row.sealed_rate)}</b></td>'
            f'<td class="num opt">+{row.sealed_today}</td>'
            f'<td class="num opt">{escape(full)}</td>'
            f'<td class="num opt">{_pace(row.pace_sealed)}</td>'
            f'<td class="num opt">{escape(required)}</td>'
            f'<td class="num opt">{escape(_finish_p50(sealed_fc.get(row.block_id), row.deadline, asof, lang))}</td>'
            f'<td style="color:{colour};font-weight:600;white-space:nowrap">{escape(label("forecast", flag, lang))}</td>'
            "</tr>"
        )
    return f'<div class="cb-scroll"><table class="cb-table"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _finish_p50(fc: Any, deadline: date, asof: date, lang: str) -> str:
    """The projected sealing finish for the overview: ✓ its day, the P50 date, or a dash."""
    if fc is None or fc.status == "no_data":
        return "—"
    if fc.status == "finished":
        return t("forecast.done_on", lang, date=_md(fc.finished_on, asof))
    if fc.status == "stalled":
        return t("forecast.stalled_cell", lang)
    return t("forecast.beyond", lang) if pd.isna(fc.finish_p50) else _md(fc.finish_p50, asof)


def records_html(table: pd.DataFrame, team_records: pd.DataFrame, lang: str) -> str:
    """The "台江速度" panel: the fastest double 100 % block and the fastest finished teams.

    Args:
        table: :func:`lib.metrics.block_table`.
        team_records: :func:`lib.metrics.team_full_days` (fastest first; the top three are shown).
        lang: Language of the lines.
    """
    lines = []
    best = metrics.fastest_double_full(table)
    if best is None:
        lines.append(escape(t("records.none", lang)))
    else:
        lines.append(f"★ <b>{escape(t('records.fastest', lang, name=best['name'], days=int(best['double_full_day'])))}</b>")
    for row in team_records.head(3).itertuples(index=False):
        lines.append("▸ " + escape(t("records.team_full", lang, team=row.name, n=row.households, days=row.day_n)))
    return '<div class="cb-record">' + "<br>".join(lines) + "</div>"


def block_rate_bars(table: pd.DataFrame, lang: str, *, screen: bool = False) -> go.Figure:
    """Horizontal bars: signing and sealing rate per block, worst sealing at the top."""
    size = theme.SCREEN if screen else theme.DESK
    ordered = table.sort_values("sealed_rate", ascending=False)
    fig = go.Figure()
    for stage in metrics.RATE_STAGES:
        fig.add_bar(
            y=ordered["name"], x=ordered[f"{stage}_rate"] * 100, orientation="h",
            name=label("stage", stage, lang), marker_color=theme.RATE_COLOURS[stage],
            text=[pct(v) for v in ordered[f"{stage}_rate"]], textposition="inside",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    fig.update_layout(
        barmode="group", height=max(220, (90 if screen else 64) * len(ordered) + 70),
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": theme.FONT_FAMILY, "size": size["chart_font_px"]},
        legend={"orientation": "h", "y": -0.12, "traceorder": "normal", "font": {"size": size["chart_font_px"]}},
        xaxis={"range": [0, 100.5], "ticksuffix": "%", "tickfont": {"size": size["chart_font_px"] - 4}},
        yaxis={"automargin": True, "tickfont": {"size": size["chart_font_px"]}},
    )
    return apply_screen_style(fig, screen)


def apply_screen_style(fig: go.Figure, screen: bool) -> go.Figure:
    """Dark, transparent and high-contrast for the big screen; unchanged otherwise."""
    if screen:
        fig.update_layout(
            template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
            font_color=theme.SCREEN_FG, legend_font_color=theme.SCREEN_FG,
        )
        fig.update_xaxes(tickfont_color=theme.SCREEN_FG)
        fig.update_yaxes(tickfont_color=theme.SCREEN_FG)
    return fig


# --- progress curves ---------------------------------------------------------

#: How far past the deadline a chart may stretch to show a forecast band.
PROGRESS_DAYS_AFTER_DEADLINE = 30
_X_MODES = ("day", "date")
_CHART_MODES = ("blocks", "overlay")
#: The stage whose finish whisker a block's chart draws on its 100 % line: sealing
#: ends a household's part in the campaign (the table gives both stages).
_WHISKER_STAGE = "sealed"
#: Vertical share of a progress chart for the curves (top) and the daily-gain bars (bottom).
_CURVE_DOMAIN = (0.34, 1.0)
_BARS_DOMAIN = (0.0, 0.25)
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
        last = max(blk.deadline, asof)
        if paths is not None and not paths.empty:
            band = paths.loc[paths["block_id"] == blk.block_id, "date"]
            if not band.empty:
                cap = blk.deadline + timedelta(days=PROGRESS_DAYS_AFTER_DEADLINE)
                last = max(last, min(band.max().date(), cap))
        ends.append(_x_at(last, blk.launch_date, x))
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


def _vline(x: object, style: dict, text: str | None, *, ink: dict, font_px: int) -> tuple[dict, list[dict]]:
    """A vertical line across both panes, labelled just left of it at the foot of the curves."""
    x = _js(x)
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": style}
    if text is None:
        return shape, []
    return shape, [{
        "x": x, "xref": "x", "yref": "paper", "y": _CURVE_DOMAIN[0], "yanchor": "bottom", "xanchor": "right",
        "text": escape(text), "showarrow": False, "bgcolor": ink["label_bg"],
        "font": {"color": style["color"], "size": max(11, font_px - 3)},
    }]


def _progress_layout(title: str, subtitle: str, *, x: str, x_range: list, lang: str, screen: bool) -> dict:
    """The two panes (curves over daily-gain bars) sharing one x-axis."""
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    ink = _ink(screen)
    small = max(11, font_px - 4)
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
        "yaxis": {"domain": list(_CURVE_DOMAIN), "range": [0, 112], "tickvals": [0, 25, 50, 75, 100],
                  "ticktext": ["0", "25%", "50%", "75%", "100%"], "zeroline": False, "color": ink["muted"],
                  "tickfont": {"size": small + 1}, "gridcolor": ink["grid"], "automargin": True, "fixedrange": True},
        "yaxis2": {"domain": list(_BARS_DOMAIN), "rangemode": "tozero", "nticks": 3, "zeroline": False, "color": ink["muted"],
                   "automargin": True, "fixedrange": True, "gridcolor": ink["grid"], "tickfont": {"size": small}},
        "annotations": [{
            "x": 0, "xref": "paper", "y": _BARS_DOMAIN[1], "yref": "paper", "xanchor": "left", "yanchor": "bottom",
            "text": escape(f'{t("progress.gained", lang)} ({t("progress.per_day", lang)})'), "showarrow": False,
            "font": {"size": small, "color": ink["muted"]},
        }],
        "shapes": [],
    }


def _gain_ticks(highest: float) -> dict:
    """Whole-household ticks for the daily-gain pane: two or three steps of 1, 2 or 5 × 10^k."""
    step = 1
    while step * 3 < highest:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return {"dtick": step, "tick0": 0, "range": [0, max(highest, 1) * 1.08]}


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts, unvalidated: plotly's validation costs about 50 ms
    a chart (ten blocks: half a second per new as-of day). The tests build every
    variant validated, so a typo still fails there."""
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
    xs = _xs(rows["date"], launch, x)
    traces: list[dict] = [
        {"type": "bar", "x": xs, "y": rows["gained"].tolist(), "yaxis": "y2", "marker": {"color": colour},
         "name": f'{name} {t("progress.gained", lang)}', "hovertemplate": f"{escape(name)} +%{{y}}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": xs, "y": (rows["rate"] * 100).round(4).tolist(), "name": name,
         "line": {"color": colour, "width": 4 if screen else 3},
         "hovertemplate": f"{escape(name)} %{{y:.2f}}%<extra></extra>"},
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
             "hovertemplate": f'{escape(name)} {escape(t("progress.p50", lang))} %{{y:.2f}}%<extra></extra>'},
        ]
        if whisker:
            traces += _finish_whisker(band, launch=launch, asof=asof, x=x, colour=colour, text_colour=text_colour,
                                      name=name, lang=lang, font_px=font_px, screen=screen, notes=notes, fc=fc)
    full = _full_day(rows)
    if full is not None:
        traces.append({
            "type": "scatter", "mode": "markers", "x": _xs([full["date"]], launch, x), "y": [100],
            "marker": {**theme.FULL_MARKER, "color": colour}, "name": f"{name} 100%",
            "hovertemplate": f'{escape(name)} {escape(t("progress.full", lang, n=int(full["day_n"])))}<extra></extra>',
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
        return beyond if day is None else _md(day.date(), asof)

    text = words(p50)
    hover = f'{escape(name)} {escape(t("progress.p50", lang))} {escape(text)} ({escape(words(p10))}–{escape(words(p90))})'
    p10 = p10 if p10 is not None else end
    p90 = p90 if p90 is not None else end
    mid = p50 if p50 is not None else p90
    xs = _xs([p10, mid, p90], launch, x)
    if notes is not None:
        notes.append({
            "x": xs[1], "xref": "x", "y": 100, "yref": "y", "yanchor": "top", "yshift": -9, "showarrow": False,
            "text": escape(t("progress.finish_label", lang, date=text)), "bgcolor": _ink(screen)["label_bg"],
            "font": {"color": text_colour, "size": font_px},
        })
    return [{
        "type": "scatter", "mode": "lines+markers", "x": xs, "y": [100, 100, 100],
        "line": {"color": _rgba(colour, 0.55), "width": 7}, "marker": {"color": colour, "size": [0, 13, 0]},
        "name": f'{name} {t("progress.p50", lang)}', "hovertemplate": f"{hover}<extra></extra>",
    }]


def _deadline_and_today(layout: dict, *, deadlines: list[Any], today: Any | None, close: bool, lang: str,
                        screen: bool) -> None:
    """Add the 100-day line(s) and today's line, labelled; today's label yields when ``close``."""
    ink = _ink(screen)
    font_px = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    for i, at in enumerate(deadlines):
        shape, notes = _vline(at, theme.DEADLINE_LINE, t("progress.deadline", lang) if i == 0 else None, ink=ink, font_px=font_px)
        layout["shapes"].append(shape)
        layout["annotations"] += notes
    if today is not None:
        style = {**theme.TODAY_LINE, "color": ink["today"]}
        shape, notes = _vline(today, style, None if close else t("progress.today", lang), ink=ink, font_px=font_px)
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
    keys, traces, notes = [], [], []
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
        keys.append(f'<span style="color:{ink["text"][stage]}">{escape(t(f"progress.key.{stage}", lang))} <b>{rate}</b>{escape(star)}</span>')
    layout = _progress_layout(f"<b>{escape(str(block['name']))}</b>", " · ".join(keys), x=x, x_range=x_range, lang=lang, screen=screen)
    layout["yaxis2"].update(_gain_ticks(float(rows["gained"].max()) if len(rows) else 0.0))
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
    layout = _progress_layout(f"<b>{escape(t(f'progress.overlay.{stage}', lang))}</b>", "", x=x, x_range=x_range, lang=lang, screen=screen)
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
            block_rows, bands[bands["block_id"] == blk.block_id], launch=blk.launch_date, deadline=blk.deadline, asof=asof, x=x, colour=colour,
            text_colour=colour, name=str(blk.name), lang=lang, font_px=font_px, screen=screen, whisker=False,
        )
        full = _full_day(block_rows)
        for tr in block_traces:
            tr["legendgroup"] = blk.block_id
            tr["showlegend"] = tr["type"] == "scatter" and tr["name"] == str(blk.name)
            if tr["showlegend"] and full is not None:
                tr["name"] = f'{blk.name} {t("progress.full_short", lang, n=int(full["day_n"]))}'
        traces += block_traces
    stacked = rows.groupby("date" if x == "date" else "day_n")["gained"].sum()
    layout["yaxis2"].update(_gain_ticks(float(stacked.max()) if len(stacked) else 0.0))
    deadlines = sorted({_x_at(blk.deadline, blk.launch_date, x) for blk in blocks.itertuples(index=False)})
    if x == "date":
        layout["shapes"] += _weekends_for(x_range, x, None)
        close = any(abs((blk.deadline - asof).days) < _LABEL_CLASH_DAYS for blk in blocks.itertuples(index=False))
        _deadline_and_today(layout, deadlines=deadlines, today=metrics.ts(asof), close=close, lang=lang, screen=screen)
    else:
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
        for blk in shown.to_dict("records")
    ]


def _md(day: date | None, asof: date) -> str:
    """A date as month-day, with the year when it is not the as-of day's year."""
    if day is None or pd.isna(day):
        return "…"
    return day.strftime("%m-%d") if day.year == asof.year else day.isoformat()


def _finish_cell(fc: Any, deadline: date, asof: date, lang: str) -> str:
    """Projected finish as HTML: P50 and the P10–P90 band, or why there is none."""
    if fc is None or fc.status == "no_data":
        return "—"
    if fc.status == "finished":
        return escape(t("forecast.done_on", lang, date=_md(fc.finished_on, asof)))
    if fc.status == "stalled":
        return f'<span style="color:{theme.FORECAST_COLOURS["stalled"]}">{escape(t("forecast.stalled_cell", lang))}</span>'
    beyond = t("forecast.beyond", lang)
    p10, p50, p90 = (beyond if pd.isna(d) else _md(d, asof) for d in (fc.finish_p10, fc.finish_p50, fc.finish_p90))
    band = p10 if p10 == p90 else f"{p10}–{p90}"
    late = pd.isna(fc.finish_p90) or fc.finish_p90 > deadline
    style = f' style="color:{theme.FORECAST_COLOURS["at_risk"]}"' if late else ""
    return f"<span><b>{escape(p50)}</b> <small{style}>({escape(band)})</small></span>"


def _pair(a: float | None, b: float | None, overdue: str) -> str:
    def one(v: float | None) -> str:
        return overdue if v is None or pd.isna(v) else round_half_up(v, 2)

    return f"{one(a)} / {one(b)}"


def forecast_table_html(table: pd.DataFrame, forecasts: pd.DataFrame, asof: date, lang: str) -> str:
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
    """
    head = [
        ("col.block", ""), ("col.signed_rate", "num"), ("col.sealed_rate", "num"), ("col.pace_both", "num"),
        ("col.required_both", "num"), ("col.finish_signed", "num"), ("col.finish_sealed", "num"), ("col.outlook", ""),
    ]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    by_key = {(r.block_id, r.stage): r for r in forecasts.itertuples(index=False)}
    flags = metrics.block_outlooks(table, forecasts)
    body = []
    for row in table.itertuples(index=False):
        fcs = [by_key.get((row.block_id, s)) for s in metrics.RATE_STAGES]
        flag = flags[row.block_id]
        colour = theme.FORECAST_COLOURS.get(flag, "#757575")
        cells = [
            f'<span><span class="cb-dot" style="background:{colour}"></span><b>{escape(str(row.name))}</b>'
            f' <small style="opacity:.7">{escape(_day_tag(row, lang))}</small></span>',
            pct(row.signed_rate), f"<b>{pct(row.sealed_rate)}</b>",
            escape(_pair(row.pace_signed, row.pace_sealed, t("overdue", lang))),
            escape(_pair(row.required_signed, row.required_sealed, t("overdue", lang))),
            _finish_cell(fcs[0], row.deadline, asof, lang), _finish_cell(fcs[1], row.deadline, asof, lang),
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


# ---------------------------------------------------------------- teams
# 工作组排行: the leaderboard, its big-screen form and the drill-down.


def rank_change_text(change: object) -> str:
    """▲2 (up two places) / ▼1 / – for no change or no previous day."""
    if change is None or change is pd.NA or (isinstance(change, float) and change != change) or int(change) == 0:  # type: ignore[call-overload]
        return "–"
    value = int(change)  # type: ignore[call-overload]
    return f"▲{value}" if value > 0 else f"▼{-value}"


def _palette(screen: bool) -> dict[str, str]:
    """Gain / flag colours: the desk's on white, lighter ones on the big screen's dark ground."""
    if screen:
        return {"up": theme.SCREEN_GAIN_UP, "down": theme.SCREEN_LAGGARD, "flat": theme.SCREEN_MUTED,
                "lag": theme.SCREEN_LAGGARD, "done": theme.SCREEN_GAIN_UP, "idle": theme.SCREEN_MUTED,
                "bar": theme.SCREEN_GAIN_UP}
    return {"up": theme.GAIN_UP, "down": theme.LAGGARD, "flat": theme.GAIN_FLAT,
            "lag": theme.LAGGARD, "done": theme.STATUS_COLOURS["finished"], "idle": theme.STATUS_COLOURS["not_started"],
            "bar": theme.RATE_COLOURS["sealed"]}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _gap_text(gap: float) -> str:
    """A rate gap in points, from the unrounded value, rounded half up once to one decimal: 20.547 → "20.5"."""
    text = round_half_up(gap, 1)
    return text[:-2] if text.endswith(".0") else text


def laggard_reason(reasons: str, days_since_gain: object, rate_gap: object, lang: str, *, short: bool = False) -> str:
    """The laggard reasons of a board row in words ("" when it is not a laggard); ``short`` for the big screen."""
    prefix = "teams.reason_short." if short else "teams.reason."
    words = []
    for code in (reasons or "").split("|"):
        if code == "stalled":
            words.append(t(prefix + "stalled", lang, days=int(days_since_gain)))  # type: ignore[call-overload]
        elif code == "below_block":
            words.append(t(prefix + "below_block", lang, gap=_gap_text(float(rate_gap))))  # type: ignore[arg-type]
    return ("；" if lang == "zh" else "; ").join(words)


def team_status(row: Any, lang: str, *, screen: bool = False, short: bool = False) -> tuple[str, str]:
    """(text, colour) of a board row: finished on day N, laggard and why, not started, or nothing."""
    c = _palette(screen)
    if not _missing(row.finish_day):
        return t("teams.finished_short" if short else "teams.finished", lang, n=int(row.finish_day)), c["done"]
    if row.laggard:
        reason = laggard_reason(row.laggard_reasons, row.days_since_gain, row.rate_gap, lang, short=short)
        return t("teams.laggard", lang) + ("：" if lang == "zh" else ": ") + reason, c["lag"]
    if _missing(row.day_n) or row.day_n < 1:
        return t("teams.not_started", lang), c["idle"]
    return "", c["flat"]


def scoring_rule_lines(scoring: metrics.Scoring, lang: str) -> list[str]:
    """The ranking and laggard rules in words, from the scoring in force (page and score sheet)."""
    w = scoring.weights
    if scoring.is_sealing_rate:
        formula = t("teams.rule_score_rate", lang)
    else:
        total = sum(w.values())
        terms = " + ".join(f"{v:g}×{t(f'teams.term.{k}', lang)}" for k, v in w.items() if v)
        formula = f"100 × ({terms})" + (f" ÷ {total:g}" if total != 1 else "")
    return [
        t("teams.rule_score", lang, formula=formula),
        t("teams.rule_ties", lang),
        t("teams.rule_laggard", lang, stall=scoring.stall_days, grace=scoring.grace_days, gap=f"{scoring.gap_points:g}"),
        t("teams.rule_change", lang),
    ]


def team_summary(board: pd.DataFrame, lang: str) -> str:
    """One line over the board: how many teams, how many finished, how many laggards."""
    done = int(board["finish_day"].notna().sum())
    return t("teams.summary", lang, n=len(board), done=done, lag=int(board["laggard"].sum()))


def _int_or_dash(value: object) -> str:
    return "—" if _missing(value) else str(int(value))  # type: ignore[call-overload]


def _rank_badge(rank: int) -> str:
    if rank <= len(theme.MEDAL_COLOURS):
        return f'<span class="cb-medal" style="background:{theme.MEDAL_COLOURS[rank - 1]}">{rank}</span>'
    return str(rank)


def _gain(value: int, c: dict[str, str]) -> str:
    if value > 0:
        return f'<b style="color:{c["up"]}">+{value}</b>'
    return f'<span style="color:{c["flat"]}">0</span>'


def _rate_cell(rate: float, c: dict[str, str]) -> str:
    width = 0.0 if rate != rate else max(0.0, min(100.0, rate * 100))
    colour = c["done"] if width >= 100 else c["bar"]
    return f'<b>{pct(rate)}</b><div class="cb-bar"><span style="width:{width:.1f}%;background:{colour}"></span></div>'


def _board_columns(lang: str, *, screen: bool, show_score: bool) -> list[tuple[str, str, Any]]:
    """(header key, cell class, cell builder) per column; class ``opt`` columns give way on a phone."""
    c = _palette(screen)

    def change(r: Any) -> str:
        text = rank_change_text(r.rank_change)
        colour = c["up"] if text.startswith("▲") else c["down"] if text.startswith("▼") else c["flat"]
        return f'<b style="color:{colour}">{text}</b>'

    def team(r: Any) -> str:
        org = "" if screen else f"<small>{escape(str(r.organisation))}</small>"
        text, colour = team_status(r, lang, screen=screen, short=True)
        on_phone = f'<div class="phone" style="color:{colour}">{escape(text)}</div>' if text and not screen else ""
        return f"{escape(str(r.team))}{org}{on_phone}"

    def idle(r: Any) -> str:
        stalled = "stalled" in (r.laggard_reasons or "")
        return f'<span style="color:{c["lag"] if stalled else "inherit"}">{_int_or_dash(r.days_since_gain)}</span>'

    def status(r: Any) -> str:
        text, colour = team_status(r, lang, screen=screen, short=screen)
        return f'<span style="color:{colour}">{escape(text)}</span>'

    rank = [("teams.col.rank", "num rank", lambda r: _rank_badge(r.rank)),
            ("teams.col.change", "num", change),
            ("teams.col.team", "team", team)]
    block = [("teams.col.block", "block opt", lambda r: escape(str(r.block)))]
    rate = [("teams.col.sealed_rate", "num", lambda r: _rate_cell(r.sealed_rate, c))]
    if show_score:
        rate.append(("teams.col.score", "num", lambda r: f"<b>{r.score:.2f}</b>"))
    gains = [("teams.col.today_short", "num opt", lambda r: _gain(r.gain_today, c)),
             ("teams.col.week_short", "num", lambda r: _gain(r.gain_7d, c)),
             ("teams.col.idle_short", "num opt", idle)]
    flag = [("teams.col.status", "status opt", status)]
    if screen:  # read across the room: the board in its natural order, counts as sealed/assigned
        counts = [("teams.col.sealed", "num", lambda r: f"{r.sealed}/{r.assigned}")]
        return rank + block + counts + rate + gains + flag
    # At a desk the status comes before the reference columns, which scroll off first on a narrow window.
    counts = [("teams.col.assigned", "num opt", lambda r: str(r.assigned)),
              ("teams.col.signed", "num opt", lambda r: str(r.signed)),
              ("teams.col.sealed", "num opt", lambda r: str(r.sealed))]
    return rank + rate + gains + flag + block + counts


def _board_css(screen: bool) -> str:
    s = theme.SCREEN if screen else theme.DESK
    lag_bg = "rgba(255, 107, 107, 0.16)" if screen else "rgba(198, 40, 40, 0.07)"
    tile = "rgba(255, 255, 255, 0.07)" if screen else "rgba(128, 128, 128, 0.08)"
    lag = _palette(screen)["lag"]
    pad = "4px 10px" if screen else "6px 8px"
    block_clip = " white-space: nowrap; overflow: hidden; text-overflow: ellipsis;" if screen else ""
    team_clip = f" max-width: 8.5em;{block_clip}" if screen else ""
    return f"""<style>
      .cb-board td {{padding: {pad};}}
      .cb-board td.team {{white-space: nowrap; font-weight: 600;{team_clip}}}
      .cb-board td.team small {{display: block; opacity: .65; font-size: .72em; font-weight: 400;}}
      .cb-board td.block {{max-width: {"6.5em" if screen else "9em"}; min-width: {"5em" if screen else "7em"};{block_clip}}}
      .cb-board td.status {{min-width: 9em; font-weight: 600;{" white-space: nowrap;" if screen else ""}}}
      .cb-board tr.lag td {{background: {lag_bg};}}
      .cb-board tr.lag td:first-child {{box-shadow: inset 6px 0 0 {lag};}}
      .cb-board td.rank {{font-weight: 700;}}
      .cb-medal {{display: inline-block; min-width: 1.5em; line-height: 1.5em; border-radius: 50%; text-align: center;
                  color: #1b1b1b; font-weight: 800;}}
      .cb-bar {{height: 5px; border-radius: 3px; background: rgba(128,128,128,.25); margin-top: 2px; min-width: 4em;}}
      .cb-bar span {{display: block; height: 100%; border-radius: 3px;}}
      .cb-board .phone {{display: none;}}
      @media (max-width: 640px) {{
        .cb-board td {{padding: 5px 4px;}}
        .cb-board td.team {{white-space: normal;}}
        .cb-board td.team small {{display: none;}}
        .cb-board .phone {{display: block; font-size: 12px;}}
        .cb-bar {{min-width: 3em;}}
      }}
      .cb-pages {{display: grid; overflow: hidden;}}
      .cb-page {{grid-area: 1 / 1;}}
      .cb-pageno {{font-size: {max(14, s['table_px'] - 6)}px; opacity: .75; text-align: left; margin-top: 4px;}}
      .cb-pin {{font-size: {s['table_px']}px; line-height: 1.3;}}
      .cb-pin h4 {{margin: 2px 0 8px; font-size: {s['table_px'] + 2}px; font-weight: 700;}}
      .cb-pin .item {{padding: 6px 12px; margin-bottom: 8px; border-radius: 8px; background: {tile};}}
      .cb-pin .item b {{font-size: {s['table_px'] + 2}px;}}
      .cb-pin .item, .cb-pin .item small {{white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}}
      .cb-pin .item small {{display: block; opacity: .85; font-size: .78em;}}
      .cb-pin .lag {{border-left: 6px solid {lag};}}
      .cb-pin .top {{border-left: 6px solid {_palette(screen)["up"]};}}
    </style>"""


def _table(cols: list[tuple[str, str, Any]], rows: list[Any], lang: str) -> str:
    # Short headers keep the table narrow; the full name is the header's tooltip.
    head = "".join(
        f'<th class="{cls}" title="{escape(t(key.removesuffix("_short"), lang))}">{escape(t(key, lang))}</th>' for key, cls, _ in cols
    )
    body = "".join(
        f'<tr class="{"lag" if r.laggard else ""}">'
        + "".join(f'<td class="{cls}">{cell(r)}</td>' for _, cls, cell in cols)
        + "</tr>"
        for r in rows
    )
    return f'<table class="cb-table cb-board"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def team_leaderboard_html(
    board: pd.DataFrame,
    lang: str,
    screen: bool = False,
    *,
    show_score: bool = False,
    rows_per_page: int = theme.SCREEN_BOARD_ROWS,
    page_seconds: int = theme.BOARD_PAGE_SECONDS,
) -> str:
    """The leaderboard table of :func:`lib.metrics.team_board` rows, best first.

    On the big screen (``screen``) columns are fewer and type larger, and a
    board longer than ``rows_per_page`` pages through itself by a CSS
    animation, ``page_seconds`` a page (no rerun, no page scroll). At a desk
    the table scrolls sideways inside itself, and on a phone the secondary
    columns give way.
    """
    cols = _board_columns(lang, screen=screen, show_score=show_score)
    rows = list(board.itertuples(index=False))
    if not screen or len(rows) <= rows_per_page:
        return f'{_board_css(screen)}<div class="cb-scroll">{_table(cols, rows, lang)}</div>'
    n = -(-len(rows) // rows_per_page)
    size = -(-len(rows) // n)  # pages of even length: 18 rows make 9 + 9, not 13 + 5
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    keyframes = (f"@keyframes cb-cycle-{n} {{0%, {100 / n - 0.01:.3f}% {{opacity: 1; visibility: visible;}} "
                 f"{100 / n:.3f}%, 100% {{opacity: 0; visibility: hidden;}}}}")
    pages = []
    for i, chunk in enumerate(chunks):
        caption = t("teams.page", lang, i=i + 1, n=n, first=chunk[0].rank, last=chunk[-1].rank)
        pages.append(
            f'<div class="cb-page" style="visibility:hidden;opacity:0;'
            f'animation:cb-cycle-{n} {n * page_seconds}s linear {i * page_seconds}s infinite">'
            f'{_table(cols, chunk, lang)}<div class="cb-pageno">{escape(caption)}</div></div>'
        )
    return f'{_board_css(screen)}<style>{keyframes}</style><div class="cb-pages" data-pages="{n}">{"".join(pages)}</div>'


def team_pinned_html(board: pd.DataFrame, lang: str, *, pinned: int = theme.SCREEN_PINNED) -> str:
    """The big screen's fixed panel: the leading teams, then the laggards and why (else the last places)."""
    c = _palette(True)
    parts = [_board_css(True), '<div class="cb-pin">', f"<h4>{escape(t('teams.top', lang))}</h4>"]
    for r in board.head(pinned).itertuples(index=False):
        status, _ = team_status(r, lang, screen=True, short=True)
        parts.append(f'<div class="item top">{_rank_badge(r.rank)} <b>{escape(str(r.team))}</b>'
                     f"<small>{pct(r.sealed_rate)} · {escape(str(r.block))}{' · ' + escape(status) if status else ''}</small></div>")
    laggards = board[board["laggard"]]
    if laggards.empty:
        parts.append(f"<h4>{escape(t('teams.bottom_none', lang))}</h4>")
        shown = board.iloc[pinned:].tail(pinned).iloc[::-1]
    else:
        parts.append(f'<h4 style="color:{c["lag"]}">⚠ {escape(t("teams.bottom", lang))} · {len(laggards)}</h4>')
        shown = laggards.iloc[::-1].head(pinned + 2)
    for r in shown.itertuples(index=False):
        status, _ = team_status(r, lang, screen=True, short=True)
        change = rank_change_text(r.rank_change)
        colour = c["up"] if change.startswith("▲") else c["down"]
        moved = f' <span style="color:{colour}">{change}</span>' if change != "–" else ""
        parts.append(f'<div class="item {"lag" if r.laggard else ""}">{r.rank}. <b>{escape(str(r.team))}</b>'
                     f"<small>{pct(r.sealed_rate)}{moved}"
                     f" · {escape(status or str(r.block))}</small></div>")
    if len(laggards) > len(shown) and not laggards.empty:
        parts.append(f"<small>{escape(t('teams.more', lang, n=len(laggards) - len(shown)))}</small>")
    parts.append("</div>")
    return "".join(parts)


def team_remaining_html(remaining: pd.DataFrame, lang: str, *, show_names: bool = False) -> str:
    """The drill-down table of :func:`lib.metrics.team_remaining`; owner names masked unless ``show_names``."""
    from lib.privacy import mask_name

    head = [("teams.rcol.household", ""), ("teams.rcol.owner", ""), ("teams.rcol.address", ""), ("teams.rcol.ptype", "opt"),
            ("teams.rcol.stage", ""), ("teams.rcol.waiting", "num"), ("teams.rcol.flags", "opt")]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    sep = "、" if lang == "zh" else ", "
    body = []
    for r in remaining.itertuples(index=False):
        flags = sep.join(escape(f) for f in str(r.flags or "").split("|") if f)
        colour = theme.STAGE_COLOURS.get(r.stage, theme.GAIN_FLAT)
        body.append(
            "<tr>"
            f"<td>{escape(str(r.household_id))}</td>"
            f"<td>{escape(str(r.owner_name) if show_names else mask_name(r.owner_name))}</td>"
            f"<td>{escape(str(r.address))}</td>"
            f'<td class="opt">{escape(label("ptype", str(r.property_type), lang))}</td>'
            f'<td><span class="cb-dot" style="background:{colour}"></span>{escape(label("stage", str(r.stage), lang))}</td>'
            f'<td class="num"><b>{_int_or_dash(r.days_outstanding)}</b></td>'
            f'<td class="opt">{flags}</td>'
            "</tr>"
        )
    return f'<div class="cb-scroll"><table class="cb-table"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
