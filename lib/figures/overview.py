"""The overview's figures: KPI tiles, the block table, records (台江速度) and the rate bars."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from lib import metrics, theme
from lib.figures.text import plot_text
from lib.i18n import label, month_day, pct, round_half_up, t


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


def day_tag(row: Any, lang: str) -> str:
    """A block's own day N, or 未启动 with its launch date before it launches (never day 0 or below)."""
    if row.day_n >= 1:
        return t("unit.day_n", lang, n=row.day_n)
    return t("unit.launches_on", lang, launch=month_day(row.launch_date, row.launch_date))


#: A desk window narrower than this (a 1366 px laptop, less the sidebar) drops the block
#: table's reference columns rather than scroll sideways or wrap a name a character a line.
DESK_NARROW_PX = 1500


def block_table_html(table: pd.DataFrame, forecasts: pd.DataFrame, asof: date, lang: str, *, screen: bool = False) -> str:
    """The overview's block rows: rates, double-100 % day, paces, forecast finish and flag.

    The flag and the projected sealing finish (P50) are the same ones the
    curves page shows (:func:`lib.metrics.block_outlooks`). "opt" columns give
    way on a phone; at a desk narrower than :data:`DESK_NARROW_PX` the "ref"
    ones do too (not on the wall, whose canvas is scaled as a whole).
    """
    head = [
        ("col.block", "name"), ("col.households", "num opt ref"), ("col.signed_rate", "num"), ("col.sealed_rate", "num"),
        ("col.today", "num opt ref"), ("col.full_day", "num opt ref"), ("col.pace", "num opt ref"), ("col.required", "num opt"),
        ("col.finish", "num opt"), ("col.status", ""),
    ]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    flags = metrics.block_outlooks(table, forecasts)
    sealed_fc = {r.block_id: r for r in forecasts.itertuples(index=False) if r.stage == "sealed"}
    body = []
    row: Any  # one heterogeneous record per block: pandas-stubs types every field as the wide Scalar
    for row in table.itertuples(index=False):
        flag = flags[row.block_id]
        colour = theme.forecast_colours(screen).get(flag, "#757575")
        full = t("unit.day_n", lang, n=int(row.double_full_day)) if pd.notna(row.double_full_day) else "—"
        required = _pace(row.required_sealed) if row.required_sealed is not None else t("overdue", lang)
        body.append(
            "<tr>"
            f'<td class="name"><span class="cb-dot" style="background:{colour}"></span>{escape(str(row.name))}'
            f' <small style="opacity:.7">{escape(day_tag(row, lang))}</small></td>'
            f'<td class="num opt ref">{row.households:,}</td>'
            f'<td class="num">{pct(row.signed_rate)}</td>'
            f'<td class="num"><b>{pct(row.sealed_rate)}</b></td>'
            f'<td class="num opt ref">+{row.sealed_today}</td>'
            f'<td class="num opt ref">{escape(full)}</td>'
            f'<td class="num opt ref">{_pace(row.pace_sealed)}</td>'
            f'<td class="num opt">{escape(required)}</td>'
            f'<td class="num opt">{escape(_finish_p50(sealed_fc.get(row.block_id), row.deadline, asof, lang))}</td>'
            f'<td style="color:{colour};font-weight:600;white-space:nowrap">{escape(label("forecast", flag, lang))}</td>'
            "</tr>"
        )
    narrow = "" if screen else f"@media (max-width: {DESK_NARROW_PX}px) {{ .cb-blocks .ref {{display: none;}} }}"
    css = f"<style>.cb-blocks td.name {{min-width: 7em;}} .cb-blocks td.name small {{white-space: nowrap;}} {narrow}</style>"
    return (f'{css}<div class="cb-scroll"><table class="cb-table cb-blocks"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _finish_p50(fc: Any, deadline: date, asof: date, lang: str) -> str:
    """The projected sealing finish for the overview: ✓ its day, the P50 date, or a dash."""
    if fc is None or fc.status == "no_data":
        return "—"
    if fc.status == "finished":
        return t("forecast.done_on", lang, date=month_day(fc.finished_on, asof))
    if fc.status == "stalled":
        return t("forecast.stalled_cell", lang)
    return t("forecast.beyond", lang) if pd.isna(fc.finish_p50) else month_day(fc.finish_p50, asof)


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
            y=[plot_text(n) for n in ordered["name"]], x=ordered[f"{stage}_rate"] * 100, orientation="h",
            name=plot_text(label("stage", stage, lang)), marker_color=theme.RATE_COLOURS[stage],
            text=[pct(v) for v in ordered[f"{stage}_rate"]], textposition="inside",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    fig.update_layout(
        barmode="group", height=max(220, (72 if screen else 64) * len(ordered) + 70),
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


