"""推演 What-if figures: scenario beside baseline, per block; the answers table; the levers in words.

Pure: frames in, a figure or escaped HTML out (no Streamlit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Any, cast

import pandas as pd
import plotly.graph_objects as go

from lib import scenarios, theme
from lib.i18n import label, month_day, pct, t

#: The baseline's band is neutral grey, its median dashed; the scenario's takes the stage colour.
BASELINE_COLOUR = "#78909c"
BACKTEST_COLOUR = "#212121"
TARGET_LINE = {"color": "#6a1b9a", "width": 2, "dash": "dashdot"}
MARK_LINE = {"color": "#ef6c00", "width": 2, "dash": "dot"}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _band(paths: pd.DataFrame, block_id: str, stage: str) -> pd.DataFrame:
    return paths[(paths["block_id"] == block_id) & (paths["stage"] == stage)].sort_values("date")


def _band_traces(band: pd.DataFrame, colour: str, name: str, dash: str) -> list[go.Scatter]:
    if band.empty:
        return []
    x = list(band["date"])
    return [
        go.Scatter(x=x, y=list(band["rate_p10"]), mode="lines", line={"width": 0, "color": colour}, showlegend=False,
                   hoverinfo="skip", name=f"{name} P10"),
        go.Scatter(x=x, y=list(band["rate_p90"]), mode="lines", line={"width": 0, "color": colour}, fill="tonexty",
                   fillcolor=_rgba(colour, theme.FORECAST_BAND_ALPHA), name=f"{name} P10–P90", hoverinfo="skip"),
        go.Scatter(x=x, y=list(band["rate_p50"]), mode="lines", line={"width": 2.5, "color": colour, "dash": dash},
                   name=f"{name} P50"),
    ]


def mark_text(mark: scenarios.Mark, teams: Mapping[str, str], lang: str) -> str:
    """A lever's short label on the chart, e.g. ``×1.5``, ``+新港社区工作组``, ``最后 5 户``."""
    if mark.kind == "pace":
        value = mark.text.split("@")[0]
        return t("whatif.mark.pace_abs", lang, value=value.removesuffix("/d")) if value.endswith("/d") else f"×{value}"
    if mark.kind == "move":
        source = mark.text.split(":")[0]
        return "+" + (teams.get(source) or t("whatif.mark.capacity", lang, value=source))
    if mark.kind == "holdout":
        return t("whatif.mark.holdout", lang, n=mark.text.split(":")[1].split("@")[0])
    return label("own", mark.text.split(":", 1)[1].split("@")[0], lang)


def scenario_curve(
    daily: pd.DataFrame, *, block: Mapping[str, Any], stage: str, asof: date, baseline: pd.DataFrame,
    scenario: pd.DataFrame, marks: Sequence[scenarios.Mark] = (), target: date | None = None,
    later: pd.DataFrame | None = None, teams: Mapping[str, str] | None = None, lang: str = "zh", screen: bool = False,
) -> go.Figure:
    """One block's rate at ``stage``: observed, the baseline band (dashed P50), the scenario band.

    Vertical lines: today (as-of), the deadline (day 100), the target day when
    set, and each lever on the day it starts. ``later``, in a back-test, is
    what the ledger recorded after the as-of day (:func:`lib.metrics.daily_progress`).
    """
    bid = block["block_id"]
    colour = (theme.RATE_COLOURS_SCREEN if screen else theme.RATE_COLOURS)[stage]
    ink = theme.SCREEN_FG if screen else "#263238"
    seen = daily[(daily["block_id"] == bid) & (daily["stage"] == stage)]
    traces: list[go.Scatter] = [
        go.Scatter(x=list(seen["date"]), y=list(seen["rate"]), mode="lines", line={"width": 3, "color": colour},
                   name=t(f"whatif.stage.{stage}", lang)),
    ]
    base, scen = _band(baseline, bid, stage), _band(scenario, bid, stage)
    traces += _band_traces(base, BASELINE_COLOUR, t("whatif.baseline", lang), "dash")
    if not scen.equals(base):
        traces += _band_traces(scen, colour, t("whatif.scenario", lang), "solid")
    if later is not None and not later.empty:
        after = later[(later["block_id"] == bid) & (later["stage"] == stage)]
        traces.append(go.Scatter(x=list(after["date"]), y=list(after["rate"]), mode="lines",
                                 line={"width": 2.5, "color": ink if screen else BACKTEST_COLOUR, "dash": "dot"},
                                 name=t("whatif.actual_later", lang)))
    font = (theme.SCREEN if screen else theme.DESK)["chart_font_px"]
    shapes, notes = [], []
    lines = [(asof, theme.TODAY_LINE, t("whatif.today", lang)), (block["deadline"], theme.DEADLINE_LINE, t("progress.deadline", lang))]
    if target is not None and target != block["deadline"]:
        lines.append((target, TARGET_LINE, t("whatif.target", lang)))
    lines += [(m.day, MARK_LINE, mark_text(m, teams or {}, lang)) for m in marks if m.block_id == bid]
    for i, (day, style, text) in enumerate(lines):
        x = pd.Timestamp(day)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": style})
        notes.append({"x": x, "y": 1.0 - 0.09 * (i % 4), "xref": "x", "yref": "paper", "text": escape(text), "showarrow": False,
                      "xanchor": "left", "font": {"size": font - 2, "color": style["color"]}, "bgcolor": "rgba(255,255,255,0.6)" if not screen else None})
    fig = go.Figure(traces)
    fig.update_layout(
        title={"text": f"<b>{escape(str(block['name']))}</b>", "font": {"size": font + 4}},
        height=theme.PROGRESS_CHART_PX["screen" if screen else "desk"] + 40,
        margin={"l": 50, "r": 16, "t": 56, "b": 40}, font={"family": theme.FONT_FAMILY, "size": font, "color": ink},
        paper_bgcolor=theme.SCREEN_TILE if screen else "white", plot_bgcolor=theme.SCREEN_TILE if screen else "white",
        yaxis={"range": [0, 1.05], "tickformat": ".0%", "gridcolor": "rgba(120,144,156,0.25)"},
        xaxis={"tickformat": "%m-%d", "gridcolor": "rgba(120,144,156,0.15)"},
        legend={"orientation": "h", "y": -0.18, "x": 0}, shapes=shapes, annotations=notes, hovermode="x unified",
    )
    return fig


def scenario_curves(
    daily: pd.DataFrame, *, blocks: pd.DataFrame, stage: str, asof: date, baseline: pd.DataFrame, scenario: pd.DataFrame,
    marks: Sequence[scenarios.Mark] = (), target: date | None = None, later: pd.DataFrame | None = None,
    teams: Mapping[str, str] | None = None, lang: str = "zh", screen: bool = False,
) -> list[go.Figure]:
    """:func:`scenario_curve` for every block with curves in ``daily``, in the blocks' order."""
    shown = blocks[blocks["block_id"].isin(daily["block_id"].unique())]
    return [
        scenario_curve(daily, block=blk, stage=stage, asof=asof, baseline=baseline, scenario=scenario, marks=marks,
                       target=target, later=later, teams=teams, lang=lang, screen=screen)
        for blk in cast(list[dict[str, Any]], shown.to_dict("records"))
    ]


# ------------------------------------------------------------------ answers


def _finish(row: Any, asof: date, lang: str) -> str:
    if row is None or row["status"] == "no_data":
        return "—"
    if row["status"] == "finished":
        return escape(t("forecast.done_on", lang, date=month_day(row["finished_on"], asof)))
    if row["status"] == "stalled":
        return escape(t("forecast.stalled_cell", lang))
    beyond = t("forecast.beyond", lang)

    def day(v: Any) -> str:
        return beyond if v is None or pd.isna(v) else month_day(v, asof)

    return f"<b>{escape(day(row['finish_p50']))}</b> <small>({escape(day(row['finish_p10']))}–{escape(day(row['finish_p90']))})</small>"


def _prob(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else pct(value)


def _pace(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.2f}"


def _rows(table: pd.DataFrame, stage: str) -> dict[str, Any]:
    """A stage's rows by block id (one pass, not a filter per block)."""
    return {row["block_id"]: row for row in table[table["stage"] == stage].to_dict("records")}


def _row(table: pd.DataFrame, block_id: str, stage: str) -> Any:
    hit = table[(table["block_id"] == block_id) & (table["stage"] == stage)]
    return None if hit.empty else hit.iloc[0]


def answers_html(
    baseline: pd.DataFrame, scenario: pd.DataFrame, *, names: Mapping[str, str], stage: str, asof: date, lang: str,
    actual: pd.DataFrame | None = None,
) -> str:
    """The answers, scenario beside baseline: one row for the campaign, then one per block.

    Columns: finish P50 (P10–P90) baseline and scenario, 按期概率 baseline →
    scenario, the pace needed with 80 % confidence, the scenario's pace and
    the gap (needed − planned; positive = short of it). With ``actual`` (a
    back-test) a column says when the ledger recorded the finish.
    """
    head = ["whatif.col.block", "whatif.col.finish_base", "whatif.col.finish_scen", "whatif.col.on_time",
            "whatif.col.needed", "whatif.col.pace", "whatif.col.gap"]
    if actual is not None:
        head.append("whatif.col.actual")
    first = ' style="min-width:9em"'  # block names wrap, but not one character a line
    th = "".join(f'<th class="{"" if i == 0 else "num"}"{first if i == 0 else ""}>{escape(t(k, lang))}</th>'
                 for i, k in enumerate(head))
    base_rows, scen_rows = _rows(baseline, stage), _rows(scenario, stage)
    body = []
    for bid in [scenarios.CAMPAIGN, *names]:
        b, s = base_rows.get(bid), scen_rows.get(bid)
        if s is None:
            continue
        name = t("whatif.campaign", lang) if bid == scenarios.CAMPAIGN else names[bid]
        rise = (s["on_time"] or 0) - (b["on_time"] or 0) if b is not None and not pd.isna(s["on_time"]) and not pd.isna(b["on_time"]) else 0
        arrow = "▲" if rise > 0 else ("▼" if rise < 0 else "→")
        colour = theme.GAIN_UP if rise > 0 else (theme.LAGGARD if rise < 0 else theme.GAIN_FLAT)
        gap = None if pd.isna(s["needed_pace"]) else s["needed_pace"] - s["pace"]
        cells = [
            f"<b>{escape(name)}</b>" if bid == scenarios.CAMPAIGN else escape(name),
            _finish(b, asof, lang), _finish(s, asof, lang),
            f'{escape(_prob(b["on_time"] if b is not None else None))} <span style="color:{colour}">{arrow}</span> '
            f'<b>{escape(_prob(s["on_time"]))}</b>',
            escape(_pace(s["needed_pace"])), escape(_pace(s["pace"])),
            _gap(gap),
        ]
        if actual is not None:
            cells.append(escape(_actual_cell(actual, s, bid, stage, asof, lang)))
        tds = "".join(f'<td class="{"" if i == 0 else "num"}" data-label="{escape(t(k, lang))}">{c}</td>'
                      for i, (k, c) in enumerate(zip(head, cells, strict=True)))
        body.append(f"<tr>{tds}</tr>")
    return (f'<div class="cb-scroll"><table class="cb-table cb-cards"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _gap(gap: float | None) -> str:
    """Needed minus planned pace: short of it in red (+), enough in green (✓ and the margin)."""
    if gap is None:
        return "—"
    if gap > 0:
        return f'<span style="color:{theme.LAGGARD};font-weight:700">+{gap:.2f}</span>'
    return f'<span style="color:{theme.GAIN_UP}">✓ {-gap:.2f}</span>'


def _actual_cell(actual: pd.DataFrame, row: Any, block_id: str, stage: str, asof: date, lang: str) -> str:
    hit = actual[(actual["block_id"] == block_id) & (actual["stage"] == stage)]
    if hit.empty or hit.iloc[0]["finished_on"] is None or pd.isna(hit.iloc[0]["finished_on"]):
        return t("whatif.actual_open", lang)
    day = hit.iloc[0]["finished_on"]
    verdict = scenarios.band_verdict(row, day)
    return f"{month_day(day, asof)} · {t(f'whatif.verdict.{verdict}', lang)}"


def headline_tiles(baseline: pd.DataFrame, scenario: pd.DataFrame, stage: str, asof: date, lang: str) -> list[tuple[str, str, str, str]]:
    """The campaign's three headline tiles: 按期概率, median finish, the pace needed (80 %)."""
    b, s = _row(baseline, scenarios.CAMPAIGN, stage), _row(scenario, scenarios.CAMPAIGN, stage)
    if s is None:
        return []
    target = t("whatif.target_each", lang) if s["target"] is None else month_day(s["target"], asof)

    def p50(r: Any) -> str:
        if r is None:
            return "—"
        if r["status"] == "finished":
            return month_day(r["finished_on"], asof)
        return t("forecast.beyond", lang) if r["finish_p50"] is None or pd.isna(r["finish_p50"]) else month_day(r["finish_p50"], asof)

    return [
        (t("whatif.tile.on_time", lang, stage=t(f"whatif.stage.{stage}", lang)), _prob(s["on_time"]),
         t("whatif.tile.baseline", lang, value=_prob(b["on_time"] if b is not None else None)), theme.RATE_COLOURS[stage]),
        (t("whatif.tile.p50", lang), p50(s), t("whatif.tile.baseline", lang, value=p50(b)), "#1565c0"),
        (t("whatif.tile.needed", lang), _pace(s["needed_pace"]), t("whatif.tile.pace_now", lang, value=_pace(s["pace"]), target=target),
         "#6a1b9a"),
    ]


def lever_lines(scenario: scenarios.Scenario, *, blocks: Mapping[str, str], teams: Mapping[str, str], lang: str) -> list[str]:
    """The scenario's levers in words (the screen's read-only summary, the saved list)."""
    def since(day: date | None) -> str:
        return t("whatif.since", lang, day=day.isoformat()) if day else ""

    lines = []
    for p in scenario.paces:
        key = "whatif.line.pace_abs" if p.absolute else "whatif.line.pace"
        lines.append(t(key, lang, block=blocks.get(p.block, p.block), value=scenarios.format_number(p.value)) + since(p.start))
    for m in scenario.moves:
        source = teams.get(m.team, m.team) if m.team else t("whatif.mark.capacity", lang, value=scenarios.format_number(m.capacity or 0))
        lines.append(t("whatif.line.move", lang, source=source, block=blocks.get(m.block, m.block)) + since(m.start))
    for e in scenario.excludes:
        what = teams.get(e.value, e.value) if e.field == "team" else label("own" if e.field == "own" else "ptype", e.value, lang)
        lines.append(t("whatif.line.settle", lang, what=what, day=e.day.isoformat()) if e.day else t("whatif.line.exclude", lang, what=what))
    for h in scenario.holdouts:
        lines.append(t("whatif.line.holdout", lang, block=blocks.get(h.block, h.block), n=h.count, day=h.day.isoformat()))
    if scenario.target:
        lines.append(t("whatif.line.target", lang, day=scenario.target.isoformat()))
    return lines
