"""指挥大屏: the command canvas's own figures — small-multiple curves and the ticker line.

Everything else on the canvas (KPI tiles, the map, the 前列/后进 panel) is the
other pages' figures, drawn from the same cached views.
"""

from __future__ import annotations

import base64
from html import escape
from math import ceil
from typing import Any

import pandas as pd

from lib import metrics, schema, theme
from lib.figures.teams import rank_change_text, team_status
from lib.i18n import label, pct, t

#: At most this many blocks get a small chart; past it, the ones with the lowest sealing rate.
MAX_CURVES = 6
#: The canvas's band for the map, the curves and the panel (px at 1080).
MIDDLE_PX = theme.MIDDLE_PX
#: The curves' width on the canvas: their column of the 1920 px canvas (pages/command.py's 1.5 of 4.6).
CURVES_PX = 580


#: Characters of a block name in a small chart's title, by columns of charts (longer names end in "…").
TITLE_CHARS = {1: 24, 2: 10}


def short_name(name: str, limit: int) -> str:
    """``name``, or its first ``limit - 1`` characters and "…" when longer (the wall never wraps a name)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def curve_blocks(table: pd.DataFrame, limit: int = MAX_CURVES) -> pd.DataFrame:
    """The block rows that get a small chart: all of them, or the ``limit`` furthest behind, in table order."""
    if len(table) <= limit:
        return table
    keep = table.nsmallest(limit, "sealed_rate").index
    return table.loc[table.index.isin(keep)]


def _polyline(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def block_small_multiples(daily: pd.DataFrame, table: pd.DataFrame, lang: str, *,
                          width: int = CURVES_PX, height: int = MIDDLE_PX - 44) -> str:
    """Each block's signing and sealing curve against its day-100 line, one small chart per block, as SVG.

    Plain SVG rather than plotly: it scales with the wall screen's canvas like
    text does, and the canvas needs no hover. Colours are the big screen's.

    Args:
        daily: :func:`lib.metrics.daily_progress`.
        table: :func:`lib.metrics.block_table` (names, rates and day N of the same day and scope).
        lang: language of the labels.
        width: the drawing's width in px on the canvas.
        height: its height in px.
    """
    shown = curve_blocks(table)
    n = max(len(shown), 1)
    cols = 1 if n <= 4 else 2  # one column keeps a long block name on one line
    rows = ceil(n / cols)
    cell_w, cell_h = width / cols, height / rows
    font = theme.SCREEN["chart_font_px"]
    fg, muted, grid = theme.SCREEN_FG, theme.SCREEN_MUTED, "rgba(255,255,255,0.16)"
    lines = theme.RATE_COLOURS_SCREEN
    deadline = theme.DEADLINE_LINE["color"]
    last_day = max([schema.CAMPAIGN_DAYS, *shown["day_n"].tolist()]) if not shown.empty else schema.CAMPAIGN_DAYS
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
              f'font-family=\'{theme.FONT_FAMILY}\' role="img">')]
    blks: list[Any] = list(shown.itertuples(index=False))
    for i, blk in enumerate(blks):
        x0, y0 = (i % cols) * cell_w, (i // cols) * cell_h
        left, right, top, bottom = x0 + 58, x0 + cell_w - 24, y0 + font + 14, y0 + cell_h - font - 8

        def sx(day: float, left: float = left, right: float = right) -> float:
            return left + (day - 1) / max(last_day - 1, 1) * (right - left)

        def sy(value: float, top: float = top, bottom: float = bottom) -> float:
            return bottom - value * (bottom - top)

        title = f"{short_name(str(blk.name), TITLE_CHARS[cols])} · {pct(blk.sealed_rate)}"
        parts.append(f'<text x="{left:.1f}" y="{y0 + font + 2:.1f}" fill="{fg}" font-size="{font + 2}" '
                     f'font-weight="700">{escape(title)}</text>')
        for value, text in ((0.0, "0"), (0.5, "50%"), (1.0, "100%")):
            parts.append(f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{sy(value):.1f}" y2="{sy(value):.1f}" stroke="{grid}"/>'
                         f'<text x="{left - 6:.1f}" y="{sy(value) + font * 0.35:.1f}" fill="{muted}" font-size="{font - 2}" '
                         f'text-anchor="end">{text}</text>')
        for day in (1, 50, schema.CAMPAIGN_DAYS):
            parts.append(f'<text x="{sx(day):.1f}" y="{bottom + font:.1f}" fill="{muted}" font-size="{font - 2}" '
                         f'text-anchor="middle">{day}</text>')
        parts.append(f'<line x1="{sx(schema.CAMPAIGN_DAYS):.1f}" x2="{sx(schema.CAMPAIGN_DAYS):.1f}" y1="{top:.1f}" '
                     f'y2="{bottom:.1f}" stroke="{deadline}" stroke-width="3" stroke-dasharray="8 6"/>')
        own = daily[daily["block_id"] == blk.block_id]
        for stage in metrics.RATE_STAGES:
            curve = own[own["stage"] == stage]
            points = [(sx(d), sy(r)) for d, r in zip(curve["day_n"], curve["rate"], strict=True)]
            if points:
                parts.append(f'<polyline class="cb-curve-{stage}" points="{_polyline(points)}" fill="none" '
                             f'stroke="{lines[stage]}" stroke-width="{4 if stage == "sealed" else 2}" stroke-linejoin="round"/>')
    # The legend: the two stages, top right of the drawing.
    x: float = width - 12
    for stage in reversed(metrics.RATE_STAGES):
        text = escape(label("stage", stage, lang))
        parts.append(f'<text x="{x}" y="{font + 2}" fill="{fg}" font-size="{font - 2}" text-anchor="end">{text}</text>')
        x -= font * (len(text) * (1.0 if lang == "zh" else 0.55)) + 6
        parts.append(f'<line x1="{x - 28:.1f}" x2="{x:.1f}" y1="{font * 0.65:.1f}" y2="{font * 0.65:.1f}" '
                     f'stroke="{lines[stage]}" stroke-width="4"/>')
        x -= 28 + 16
    parts.append("</svg>")
    return "".join(parts)


def svg_img_html(svg: str, alt: str) -> str:
    """An SVG drawing as an ``<img>`` (st.html keeps images but strips inline SVG)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="cb-curves" src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">'


def ticker_items(table: pd.DataFrame, forecasts: pd.DataFrame, board: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """Today's changes and alerts as (kind, text): ``gain``, ``done``, ``alert``; gains first.

    Args:
        table: :func:`lib.metrics.block_table` of the day.
        forecasts: the same day's :func:`lib.metrics.block_forecasts` (flags via :func:`lib.metrics.block_outlooks`).
        board: :func:`lib.metrics.team_board` of the day (its ``laggard`` column).
        lang: language.
    """
    items: list[tuple[str, str]] = []
    rows: list[Any] = list(table.itertuples(index=False))
    for row in rows:
        if row.sealed_today:
            items.append(("gain", t("ticker.sealed", lang, block=row.name, n=int(row.sealed_today))))
        if row.signed_today:
            items.append(("gain", t("ticker.signed", lang, block=row.name, n=int(row.signed_today))))
    if not items:
        items.append(("flat", t("ticker.no_gain", lang)))
    flags = metrics.block_outlooks(table, forecasts) if not table.empty else pd.Series(dtype=object)
    for row in rows:
        flag = flags.get(row.block_id)
        if flag in ("late", "at_risk", "stalled"):
            items.append(("alert", t("ticker.flag", lang, block=row.name, flag=label("forecast", flag, lang))))
    laggards = int(board["laggard"].sum()) if not board.empty else 0
    if laggards:
        items.append(("alert", t("ticker.laggards", lang, n=laggards)))
    return items


def ticker_html(items: list[tuple[str, str]], lang: str) -> str:
    """The canvas's bottom line: 今日 then each item as a chip; one line, never wrapped."""
    colour = {"gain": theme.SCREEN_GAIN_UP, "flat": theme.SCREEN_MUTED, "alert": theme.FORECAST_COLOURS_SCREEN["at_risk"],
              "done": theme.SCREEN_GAIN_UP}
    chips = "".join(
        f'<span class="cb-chip" style="border-color:{colour[kind]};color:{colour[kind]}">{escape(text)}</span>'
        for kind, text in items
    )
    return f'<div class="cb-ticker"><span class="cb-ticker-head">{escape(t("command.ticker", lang))}</span>{chips}</div>'


def leaders_html(board: pd.DataFrame, lang: str, *, n: int = 3) -> str:
    """The canvas's 前列 and 后进: the first ``n`` teams, then up to ``n`` laggards, worst first (else the last places).

    One row a team, its name never wrapped (cut with "…", the full name in the row's title).
    """
    def row(r: Any, cls: str, badge: str) -> str:
        status, _ = team_status(r, lang, screen=True, short=True)
        change = rank_change_text(r.rank_change)
        moved = f" · {change}" if change != "–" else ""
        name = str(r.team)
        sub = f"{status or r.block}{moved}"
        return (f'<div class="cb-lead {cls}" title="{escape(name)}">{badge}<span class="name">{escape(name)}</span>'
                f'<small><b>{pct(r.sealed_rate)}</b> · {escape(sub)}</small></div>')

    parts = [f'<div class="cb-leaders"><div class="cb-section">{escape(t("command.top", lang))}</div>']
    leaders: list[Any] = list(board.head(n).itertuples(index=False))
    for r in leaders:
        medal = theme.MEDAL_COLOURS[r.rank - 1] if r.rank <= len(theme.MEDAL_COLOURS) else theme.SCREEN_MUTED
        parts.append(row(r, "top", f'<span class="badge" style="background:{medal}">{r.rank}</span>'))
    shown, lagging = metrics.board_bottom(board, n, skip=n)
    if not lagging:
        parts.append(f'<div class="cb-section">{escape(t("command.bottom_none", lang))}</div>')
    else:
        n_lag = int(board["laggard"].sum())
        parts.append(f'<div class="cb-section lag">⚠ {escape(t("command.bottom", lang))} · {n_lag}</div>')
    tail: list[Any] = list(shown.itertuples(index=False))
    for r in tail:
        parts.append(row(r, "lag" if r.laggard else "", f'<span class="badge plain">{r.rank}</span>'))
    parts.append("</div>")
    return "".join(parts)


def section_title(text: str) -> str:
    """A panel's heading on the canvas."""
    return f'<div class="cb-section">{escape(text)}</div>'
