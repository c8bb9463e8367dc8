"""Figures and display tables: pure functions of metric frames, no ``st.*``.

Each returns a plotly figure, an HTML string (every ledger value escaped) or
plain tuples a page renders; all take ``lang`` so they are testable alone.
"""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd
import plotly.graph_objects as go

from lib import metrics, theme
from lib.i18n import label, pct, t


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
    return [
        (t("kpi.households", lang), f"{k.households:,}", t("unit.households", lang), "#455a64"),
        (t("kpi.signed_rate", lang), pct(k.signed_rate), t("kpi.of_households", lang, done=k.signed, total=k.households), theme.RATE_COLOURS["signed"]),
        (t("kpi.sealed_rate", lang), pct(k.sealed_rate), t("kpi.of_households", lang, done=k.sealed, total=k.households), theme.RATE_COLOURS["sealed"]),
        (t("kpi.today", lang), f"+{k.sealed_today}", t("kpi.today_value", lang, signed=k.signed_today, sealed=k.sealed_today), theme.GAIN_UP),
        (t("kpi.day", lang), t("kpi.day_value", lang, n=k.day_n), "/ 100", "#6a1b9a"),
        (t("kpi.days_left", lang), str(max(k.days_left, 0)), left, theme.LAGGARD if k.days_left < 14 else "#455a64"),
    ]


def _pace(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def block_table_html(table: pd.DataFrame, lang: str) -> str:
    """The overview's block rows: rates, double-100 % day, paces, status colour."""
    head = [
        ("col.block", ""), ("col.households", "num"), ("col.signed_rate", "num"), ("col.sealed_rate", "num"),
        ("col.today", "num"), ("col.full_day", "num"), ("col.pace", "num"), ("col.required", "num"), ("col.status", ""),
    ]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    body = []
    for row in table.itertuples(index=False):
        colour = theme.STATUS_COLOURS.get(row.status, "#757575")
        full = t("unit.day_n", lang, n=int(row.double_full_day)) if pd.notna(row.double_full_day) else "—"
        required = _pace(row.required_sealed) if row.required_sealed is not None else t("overdue", lang)
        body.append(
            "<tr>"
            f'<td><span class="cb-dot" style="background:{colour}"></span>{escape(str(row.name))}'
            f' <small style="opacity:.7">{escape(t("unit.day_n", lang, n=row.day_n))}</small></td>'
            f'<td class="num">{row.households:,}</td>'
            f'<td class="num">{pct(row.signed_rate)}</td>'
            f'<td class="num"><b>{pct(row.sealed_rate)}</b></td>'
            f'<td class="num">+{row.sealed_today}</td>'
            f'<td class="num">{escape(full)}</td>'
            f'<td class="num">{_pace(row.pace_sealed)}</td>'
            f'<td class="num">{escape(required)}</td>'
            f'<td style="color:{colour};font-weight:600">{escape(label("status", row.status, lang))}</td>'
            "</tr>"
        )
    return f'<div class="cb-scroll"><table class="cb-table"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def records_html(table: pd.DataFrame, households: pd.DataFrame, teams: pd.DataFrame, asof: date, lang: str, *, blocks: pd.DataFrame | None = None) -> str:
    """The "台江速度" panel: the fastest double 100 % block and the fastest teams."""
    lines = []
    best = metrics.fastest_double_full(table)
    if best is None:
        lines.append(escape(t("records.none", lang)))
    else:
        lines.append(f"🏆 <b>{escape(t('records.fastest', lang, name=best['name'], days=int(best['double_full_day'])))}</b>")
    if blocks is not None:
        fastest = metrics.team_full_days(households, teams, blocks, asof).head(3)
        for row in fastest.itertuples(index=False):
            lines.append("⚡ " + escape(t("records.team_full", lang, team=row.name, n=row.households, days=row.day_n)))
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
        barmode="group", height=max(220, 70 * len(ordered) + 60), margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": theme.FONT_FAMILY, "size": size["chart_font_px"]},
        legend={"orientation": "h", "y": -0.12}, xaxis={"range": [0, 100], "ticksuffix": "%"},
        yaxis={"automargin": True},
    )
    return fig
