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


# ---------------------------------------------------------------- teams
# 工作组排行: the leaderboard, its big-screen form and the drill-down.


def rank_change_text(change: object) -> str:
    """▲2 (up two places) / ▼1 / – for no change or no previous day."""
    if change is None or change is pd.NA or (isinstance(change, float) and change != change) or int(change) == 0:  # type: ignore[call-overload]
        return "–"
    value = int(change)  # type: ignore[call-overload]
    return f"▲{value}" if value > 0 else f"▼{-value}"


def _change_colour(change: object) -> str:
    text = rank_change_text(change)
    return theme.GAIN_UP if text.startswith("▲") else theme.LAGGARD if text.startswith("▼") else theme.GAIN_FLAT


def _gap_text(gap: float) -> str:
    return f"{gap:.1f}".rstrip("0").rstrip(".")


def laggard_reason(reasons: str, days_since_gain: object, rate_gap: object, lang: str) -> str:
    """The laggard reasons of a board row as words ("" when not a laggard)."""
    words = []
    for code in (reasons or "").split("|"):
        if code == "stalled":
            words.append(t("teams.reason.stalled", lang, days=int(days_since_gain)))  # type: ignore[call-overload]
        elif code == "below_block":
            words.append(t("teams.reason.below_block", lang, gap=_gap_text(float(rate_gap))))  # type: ignore[arg-type]
    return "；".join(words) if lang == "zh" else "; ".join(words)


def team_status(row: object, lang: str) -> tuple[str, str]:
    """(text, colour) of a board row's status: finished on day N, laggard and why, not started, or nothing."""
    finish_day = getattr(row, "finish_day")
    if finish_day is not None and finish_day is not pd.NA and finish_day == finish_day:
        return t("teams.finished", lang, n=int(finish_day)), theme.STATUS_COLOURS["finished"]
    if getattr(row, "laggard"):
        reason = laggard_reason(getattr(row, "laggard_reasons"), getattr(row, "days_since_gain"), getattr(row, "rate_gap"), lang)
        return f"{t('teams.laggard', lang)}：{reason}" if lang == "zh" else f"{t('teams.laggard', lang)}: {reason}", theme.LAGGARD
    day_n = getattr(row, "day_n")
    if day_n is pd.NA or day_n is None or day_n < 1:
        return t("teams.not_started", lang), theme.STATUS_COLOURS["not_started"]
    return "", theme.GAIN_FLAT


def scoring_rule_lines(scoring: metrics.Scoring, lang: str) -> list[str]:
    """The ranking and laggard rules in words, from the scoring in force (shown on the page and the sheet)."""
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


def _int_or_dash(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    return str(int(value))  # type: ignore[call-overload]


def _gain(value: int) -> str:
    colour = theme.GAIN_UP if value > 0 else theme.GAIN_FLAT
    text = f"+{value}" if value > 0 else "0"
    return f'<span style="color:{colour};font-weight:{700 if value > 0 else 400}">{text}</span>'


def _rate_cell(rate: float) -> str:
    width = 0 if rate != rate else max(0.0, min(100.0, rate * 100))
    colour = theme.STATUS_COLOURS["finished"] if width >= 100 else theme.RATE_COLOURS["sealed"]
    return (f'<b>{pct(rate)}</b><div class="cb-bar"><span style="width:{width:.1f}%;background:{colour}"></span></div>')


def _board_css(screen: bool) -> str:
    s = theme.SCREEN if screen else theme.DESK
    return f"""<style>
      .cb-board {{font-size: {s['table_px']}px;}}
      .cb-board td, .cb-board th {{white-space: nowrap;}}
      .cb-board td.team {{white-space: normal; min-width: 7em;}}
      .cb-board td.team small {{display: block; opacity: .65; font-size: .72em;}}
      .cb-board td.status {{white-space: normal; min-width: 8em; font-weight: 600;}}
      .cb-board tr.lag td {{background: rgba(198, 40, 40, 0.07);}}
      .cb-board tr.lag td:first-child {{box-shadow: inset 5px 0 0 {theme.LAGGARD};}}
      .cb-board td.rank {{font-weight: 700;}}
      .cb-bar {{height: 5px; border-radius: 3px; background: rgba(128,128,128,.2); margin-top: 2px; min-width: 4em;}}
      .cb-bar span {{display: block; height: 100%; border-radius: 3px;}}
      .cb-pages {{display: grid;}}
      .cb-page {{grid-area: 1 / 1;}}
      .cb-pageno {{font-size: {max(14, s['table_px'] - 6)}px; opacity: .7; text-align: right; margin-top: 4px;}}
      .cb-pin {{font-size: {s['table_px']}px; line-height: 1.35;}}
      .cb-pin h4 {{margin: 4px 0 6px; font-size: {s['table_px'] + 2}px;}}
      .cb-pin .item {{padding: 6px 10px; margin-bottom: 6px; border-radius: 8px; background: rgba(128,128,128,.08);}}
      .cb-pin .item b {{font-size: {s['table_px'] + 4}px;}}
      .cb-pin .item small {{display: block; opacity: .8; font-size: .78em;}}
      .cb-pin .lag {{border-left: 6px solid {theme.LAGGARD};}}
      .cb-pin .top {{border-left: 6px solid {theme.GAIN_UP};}}
    </style>"""


def _board_rows(board: pd.DataFrame, lang: str, *, screen: bool, show_score: bool) -> list[str]:
    rows = []
    for row in board.itertuples(index=False):
        status, colour = team_status(row, lang)
        medal = theme.MEDALS[row.rank - 1] if row.rank <= len(theme.MEDALS) else ""
        cells = [
            f'<td class="num rank">{medal}{row.rank}</td>',
            f'<td class="num" style="color:{_change_colour(row.rank_change)};font-weight:700">{rank_change_text(row.rank_change)}</td>',
            f'<td class="team">{escape(str(row.team))}' + ("" if screen else f"<small>{escape(str(row.organisation))}</small>") + "</td>",
            f"<td>{escape(str(row.block))}</td>",
        ]
        if screen:
            cells.append(f'<td class="num">{row.sealed}/{row.assigned}</td>')
        else:
            cells += [f'<td class="num">{row.assigned}</td>', f'<td class="num">{row.signed}</td>', f'<td class="num">{row.sealed}</td>']
        cells.append(f'<td class="num">{_rate_cell(row.sealed_rate)}</td>')
        if show_score:
            cells.append(f'<td class="num"><b>{row.score:.2f}</b></td>')
        idle = _int_or_dash(row.days_since_gain)
        idle_colour = theme.LAGGARD if "stalled" in (row.laggard_reasons or "") else "inherit"
        cells += [
            f'<td class="num">{_gain(row.gain_today)}</td>',
            f'<td class="num">{_gain(row.gain_7d)}</td>',
            f'<td class="num" style="color:{idle_colour}">{idle}</td>',
            f'<td class="status" style="color:{colour}">{escape(status)}</td>',
        ]
        rows.append(f'<tr class="{"lag" if row.laggard else ""}">' + "".join(cells) + "</tr>")
    return rows


def _board_head(lang: str, *, screen: bool, show_score: bool) -> str:
    head = [("teams.col.rank", "num"), ("teams.col.change", "num"), ("teams.col.team", ""), ("teams.col.block", "")]
    if screen:
        head.append(("teams.col.sealed", "num"))
    else:
        head += [("teams.col.assigned", "num"), ("teams.col.signed", "num"), ("teams.col.sealed", "num")]
    head.append(("teams.col.sealed_rate", "num"))
    if show_score:
        head.append(("teams.col.score", "num"))
    head += [("teams.col.today", "num"), ("teams.col.week", "num"), ("teams.col.idle", "num"), ("teams.col.status", "")]
    return "<thead><tr>" + "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head) + "</tr></thead>"


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

    On the big screen (``screen``) the columns are fewer and the type larger,
    and a board longer than ``rows_per_page`` pages through itself with a CSS
    animation (``page_seconds`` per page; no rerun, no page scroll). At a desk
    the table scrolls sideways inside itself on a narrow phone.
    """
    head = _board_head(lang, screen=screen, show_score=show_score)
    rows = _board_rows(board, lang, screen=screen, show_score=show_score)
    if not screen or len(rows) <= rows_per_page:
        return (f'{_board_css(screen)}<div class="cb-scroll"><table class="cb-table cb-board">{head}'
                f'<tbody>{"".join(rows)}</tbody></table></div>')
    chunks = [rows[i:i + rows_per_page] for i in range(0, len(rows), rows_per_page)]
    n = len(chunks)
    cycle = n * page_seconds
    shown_until = 100 / n - 0.01
    keyframes = (f"@keyframes cb-cycle-{n} {{0%, {shown_until:.3f}% {{opacity: 1; visibility: visible;}} "
                 f"{100 / n:.3f}%, 100% {{opacity: 0; visibility: hidden;}}}}")
    pages = []
    ranks = board["rank"].tolist()
    for i, chunk in enumerate(chunks):
        first, last = i * rows_per_page, i * rows_per_page + len(chunk) - 1
        caption = t("teams.page", lang, i=i + 1, n=n, first=ranks[first], last=ranks[last])
        pages.append(
            f'<div class="cb-page" style="visibility:hidden;opacity:0;animation:cb-cycle-{n} {cycle}s linear {i * page_seconds}s infinite">'
            f'<table class="cb-table cb-board">{head}<tbody>{"".join(chunk)}</tbody></table>'
            f'<div class="cb-pageno">{escape(caption)}</div></div>'
        )
    return f'{_board_css(screen)}<style>{keyframes}</style><div class="cb-pages" data-pages="{n}">{"".join(pages)}</div>'


def team_pinned_html(board: pd.DataFrame, lang: str, *, pinned: int = theme.SCREEN_PINNED) -> str:
    """The big screen's fixed panel: the top teams, then the laggards with reasons (else the last places)."""
    parts = [_board_css(True), '<div class="cb-pin">', f"<h4>🏆 {escape(t('teams.top', lang))}</h4>"]
    for row in board.head(pinned).itertuples(index=False):
        medal = theme.MEDALS[row.rank - 1] if row.rank <= len(theme.MEDALS) else f"{row.rank}."
        status, _ = team_status(row, lang)
        sub = status if row.finish_day is not pd.NA and status else f"{escape(str(row.block))}"
        parts.append(f'<div class="item top">{medal} <b>{escape(str(row.team))}</b> {pct(row.sealed_rate)}'
                     f"<small>{escape(sub)}</small></div>")
    laggards = board[board["laggard"]]
    if laggards.empty:
        parts.append(f"<h4>{escape(t('teams.bottom_none', lang))}</h4>")
        shown = board.tail(pinned).iloc[::-1] if len(board) > pinned else board.iloc[:0]
    else:
        parts.append(f"<h4>⚠️ {escape(t('teams.bottom', lang))} · {len(laggards)}</h4>")
        shown = laggards.iloc[::-1].head(pinned + 2)
    for row in shown.itertuples(index=False):
        status, _ = team_status(row, lang)
        cls = "lag" if row.laggard else ""
        parts.append(f'<div class="item {cls}">{row.rank}. <b>{escape(str(row.team))}</b> {pct(row.sealed_rate)} '
                     f'<span style="color:{_change_colour(row.rank_change)}">{rank_change_text(row.rank_change)}</span>'
                     f"<small>{escape(status or str(row.block))}</small></div>")
    if not laggards.empty and len(laggards) > len(shown):
        parts.append(f"<small>{escape(t('teams.more', lang, n=len(laggards) - len(shown)))}</small>")
    parts.append("</div>")
    return "".join(parts)


def team_remaining_html(remaining: pd.DataFrame, lang: str) -> str:
    """The drill-down table of :func:`lib.metrics.team_remaining`; owner names are masked here."""
    from lib.privacy import mask_name

    head = [("teams.rcol.household", ""), ("teams.rcol.owner", ""), ("teams.rcol.address", ""), ("teams.rcol.ptype", ""),
            ("teams.rcol.stage", ""), ("teams.rcol.waiting", "num"), ("teams.rcol.flags", "")]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    body = []
    sep = "、" if lang == "zh" else ", "
    for row in remaining.itertuples(index=False):
        flags = sep.join(escape(f) for f in str(row.flags or "").split("|") if f)
        colour = theme.STAGE_COLOURS.get(row.stage, theme.GAIN_FLAT)
        body.append(
            "<tr>"
            f"<td>{escape(str(row.household_id))}</td>"
            f"<td>{escape(mask_name(row.owner_name))}</td>"
            f"<td>{escape(str(row.address))}</td>"
            f"<td>{escape(label('ptype', str(row.property_type), lang))}</td>"
            f'<td><span class="cb-dot" style="background:{colour}"></span>{escape(label("stage", str(row.stage), lang))}</td>'
            f'<td class="num"><b>{_int_or_dash(row.days_outstanding)}</b></td>'
            f"<td>{flags}</td>"
            "</tr>"
        )
    return f'<div class="cb-scroll"><table class="cb-table"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def team_summary(board: pd.DataFrame, lang: str) -> str:
    """One line over the board: how many teams, how many finished, how many laggards."""
    done = int(board["finish_day"].notna().sum())
    return t("teams.summary", lang, n=len(board), done=done, lag=int(board["laggard"].sum()))
