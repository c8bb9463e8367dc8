"""工作组排行: the leaderboard, its big-screen form, the drill-down and the scoring rule lines."""

from __future__ import annotations

from html import escape
from typing import Any, cast
from urllib.parse import quote

import pandas as pd

from lib import metrics, schema, theme
from lib.i18n import label, pct, round_half_up, t
from lib.privacy import mask_name

#: Most leaderboard rows one page of the big screen shows; a longer board pages through itself.
SCREEN_ROWS_PER_PAGE = 12
#: Seconds each page of the big-screen leaderboard stays up (its dwell per page). A wall
#: rotation that shows the leaderboard waits ``screen_pages(n) * SCREEN_PAGE_SECONDS``
#: (:func:`screen_dwell`) so every page is seen once.
SCREEN_PAGE_SECONDS = 12
#: Height of the big-screen board on the 1080 px canvas (less the banners and the rule line),
#: so that a short page spreads its rows over the screen rather than leaving its foot empty.
SCREEN_BOARD_HEIGHT = "calc(var(--cb-canvas-height, 100vh) - 262px)"


# ---------------------------------------------------------------- teams
# 工作组排行: the leaderboard, its big-screen form and the drill-down.


def screen_pages(n_rows: int, rows_per_page: int = SCREEN_ROWS_PER_PAGE) -> int:
    """How many pages the big-screen leaderboard of ``n_rows`` teams shows (1 for an empty board).

    Raises:
        ValueError: for a negative row count or a page of no rows.
    """
    if n_rows < 0:
        raise ValueError(f"n_rows must be 0 or more, got {n_rows}")
    if rows_per_page < 1:
        raise ValueError(f"rows_per_page must be 1 or more, got {rows_per_page}")
    return max(1, -(-n_rows // rows_per_page))


def screen_dwell(n_rows: int) -> int:
    """Seconds the big-screen leaderboard of ``n_rows`` teams needs to show every page once."""
    return screen_pages(n_rows) * SCREEN_PAGE_SECONDS


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
    if not schema.is_missing(row.finish_day):
        return t("teams.finished_short" if short else "teams.finished", lang, n=int(row.finish_day)), c["done"]
    if row.laggard:
        reason = laggard_reason(row.laggard_reasons, row.days_since_gain, row.rate_gap, lang, short=short)
        return t("teams.laggard", lang) + ("：" if lang == "zh" else ": ") + reason, c["lag"]
    if schema.is_missing(row.day_n) or row.day_n < 1:
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
    return "—" if schema.is_missing(value) else str(int(value))  # type: ignore[call-overload]


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


def _board_columns(lang: str, *, screen: bool, show_score: bool, focus_query: str | None = None) -> list[tuple[str, str, Any]]:
    """(header key, cell class, cell builder) per column.

    Class ``opt`` columns give way on a phone, ``ref`` ones also on a laptop. With
    ``focus_query`` (the link's query string) a row is a link to its team's drill-down.
    """
    c = _palette(screen)

    def name(r: Any) -> str:
        if focus_query is None:
            return escape(str(r.team))
        href = f"?{focus_query}&focus={quote(str(r.team_id), safe='')}" if focus_query else f"?focus={quote(str(r.team_id), safe='')}"
        return f'<a class="cb-row-link" href="{escape(href)}" target="_self">{escape(str(r.team))}</a>'

    def change(r: Any) -> str:
        text = rank_change_text(r.rank_change)
        colour = c["up"] if text.startswith("▲") else c["down"] if text.startswith("▼") else c["flat"]
        return f'<b style="color:{colour}">{text}</b>'

    def team(r: Any) -> str:
        org = "" if screen else f"<small>{escape(str(r.organisation))}</small>"
        text, colour = team_status(r, lang, screen=screen, short=True)
        on_phone = f'<div class="phone" style="color:{colour}">{escape(text)}</div>' if text and not screen else ""
        return f"{name(r)}{org}{on_phone}"

    def idle(r: Any) -> str:
        stalled = "stalled" in (r.laggard_reasons or "")
        return f'<span style="color:{c["lag"] if stalled else "inherit"}">{_int_or_dash(r.days_since_gain)}</span>'

    def status(r: Any) -> str:
        # Short words on one line; at a desk the full sentence is the tooltip.
        text, colour = team_status(r, lang, screen=screen, short=True)
        full = "" if screen else f' title="{escape(team_status(r, lang)[0])}"'
        return f'<span style="color:{colour}"{full}>{escape(text)}</span>'

    rank = [("teams.col.rank", "num rank", lambda r: _rank_badge(r.rank)),
            ("teams.col.change", "num", change),
            ("teams.col.team", "team", team)]
    block = [("teams.col.block", "block opt", lambda r: f'<span title="{escape(str(r.block))}">{escape(str(r.block))}</span>')]
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
    counts = [("teams.col.assigned", "num opt ref", lambda r: str(r.assigned)),
              ("teams.col.signed", "num opt ref", lambda r: str(r.signed)),
              ("teams.col.sealed", "num opt ref", lambda r: str(r.sealed))]
    return rank + rate + gains + flag + block + counts


def _board_css(screen: bool) -> str:
    s = theme.SCREEN if screen else theme.DESK
    lag_bg = "rgba(255, 107, 107, 0.16)" if screen else "rgba(198, 40, 40, 0.07)"
    tile = "rgba(255, 255, 255, 0.07)" if screen else "rgba(128, 128, 128, 0.08)"
    lag = _palette(screen)["lag"]
    pad = "4px 10px" if screen else "6px 7px"
    # On the wall a team's name is never cut (the laggards are the point); the block name gives way
    # with an ellipsis (its full name is the cell's tooltip, and the blocks are on every other page).
    block_clip = " white-space: nowrap; overflow: hidden; text-overflow: ellipsis;" if screen else ""
    return f"""<style>
      .cb-board td {{padding: {pad};}}
      .cb-board td.team {{white-space: nowrap; font-weight: 600;}}
      .cb-board td.team small {{display: block; opacity: .65; font-size: .72em; font-weight: 400;}}
      .cb-board td.block {{max-width: {"6em" if screen else "9em"}; min-width: {"4em" if screen else "6em"};{block_clip}}}
      .cb-board td.status {{min-width: {"9em" if screen else "6em"}; font-weight: 600; white-space: nowrap;}}
      .cb-board tbody tr {{position: relative;}}
      .cb-row-link {{color: inherit; text-decoration: none;}}
      .cb-row-link::after {{content: ""; position: absolute; inset: 0;}}
      .cb-board tbody tr:has(.cb-row-link):hover td {{background: rgba(128, 128, 128, 0.12); cursor: pointer;}}
      /* a laptop (1366 px less the sidebar): the reference counts give way, nothing scrolls sideways */
      @media (max-width: 1500px) {{ .cb-board .ref {{display: none;}} }}
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
      .cb-gap {{padding: 10px 8px; text-align: center; opacity: .75; font-size: .92em;
                 border-top: 1px dashed rgba(128,128,128,.5); border-bottom: 1px dashed rgba(128,128,128,.5);}}
      .cb-pages {{display: grid; overflow: hidden; min-height: {SCREEN_BOARD_HEIGHT};}}
      .cb-page {{grid-area: 1 / 1; display: flex; flex-direction: column;}}
      .cb-page > table {{flex: 1 1 auto;}}
      .cb-pageno {{font-size: {max(14, s['table_px'] - 6)}px; opacity: .75; text-align: left; margin-top: 4px;}}
      .cb-pin {{font-size: {s['table_px']}px; line-height: 1.3;}}
      .cb-pin h4 {{margin: 2px 0 8px; font-size: {s['table_px'] + 2}px; font-weight: 700;}}
      .cb-pin .item {{padding: 6px 12px; margin-bottom: 8px; border-radius: 8px; background: {tile};}}
      .cb-pin .item b {{font-size: {s['table_px'] + 2}px;}}
      .cb-pin .item {{white-space: nowrap;}}
      .cb-pin .item small {{overflow: hidden; text-overflow: ellipsis;}}
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
    focus_query: str | None = None,
    rows_per_page: int = SCREEN_ROWS_PER_PAGE,
    page_seconds: int = SCREEN_PAGE_SECONDS,
    ends: int | None = None,
) -> str:
    """The leaderboard table of :func:`lib.metrics.team_board` rows, best first.

    On the big screen (``screen``) columns are fewer and type larger, and a
    board longer than ``rows_per_page`` pages through itself by a CSS
    animation, ``page_seconds`` a page (no rerun, no page scroll). At a desk
    the table scrolls sideways inside itself (a laptop first drops the
    reference counts), and on a phone the secondary columns give way.
    ``focus_query``, the query string of the current link, makes each desk
    row a link to that team's drill-down (``focus=<team>``). ``ends`` cuts a
    long desk board to its first and last ``ends`` rows, with a line saying
    which ranks are left out.
    """
    cols = _board_columns(lang, screen=screen, show_score=show_score, focus_query=None if screen else focus_query)
    rows = list(board.itertuples(index=False))
    if not screen:
        ends = len(rows) if ends is None else ends
        if len(rows) <= 2 * ends:
            return f'{_board_css(screen)}<div class="cb-scroll">{_table(cols, rows, lang)}</div>'
        gap = t("teams.middle", lang, first=rows[ends].rank, last=rows[-ends - 1].rank, n=len(rows) - 2 * ends)
        return (f'{_board_css(screen)}<div class="cb-scroll">{_table(cols, rows[:ends], lang)}'
                f'<div class="cb-gap">{escape(gap)}</div>{_table(cols, rows[-ends:], lang)}</div>')
    n = screen_pages(len(rows), rows_per_page)
    if n == 1:
        return f'{_board_css(screen)}<div class="cb-pages" data-pages="1"><div class="cb-page">{_table(cols, rows, lang)}</div></div>'

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
        parts.append(f'<div class="item top">{_rank_badge(cast(int, r.rank))} <b>{escape(str(r.team))}</b>'
                     f"<small>{pct(cast(float, r.sealed_rate))} · {escape(str(r.block))}"
                     f"{' · ' + escape(status) if status else ''}</small></div>")
    shown, lagging = metrics.board_bottom(board, pinned + 2 if board["laggard"].any() else pinned, skip=pinned)
    n_lag = int(board["laggard"].sum())
    if not lagging:
        parts.append(f"<h4>{escape(t('teams.bottom_none', lang))}</h4>")
    else:
        parts.append(f'<h4 style="color:{c["lag"]}">⚠ {escape(t("teams.bottom", lang))} · {n_lag}</h4>')
    for r in shown.itertuples(index=False):
        status, _ = team_status(r, lang, screen=True, short=True)
        change = rank_change_text(r.rank_change)
        colour = c["up"] if change.startswith("▲") else c["down"]
        moved = f' <span style="color:{colour}">{change}</span>' if change != "–" else ""
        parts.append(f'<div class="item {"lag" if r.laggard else ""}">{r.rank}. <b>{escape(str(r.team))}</b>'
                     f"<small>{pct(cast(float, r.sealed_rate))}{moved}"
                     f" · {escape(status or str(r.block))}</small></div>")
    if lagging and n_lag > len(shown):
        parts.append(f"<small>{escape(t('teams.more', lang, n=n_lag - len(shown)))}</small>")
    parts.append("</div>")
    return "".join(parts)


def team_remaining_html(remaining: pd.DataFrame, lang: str, *, show_names: bool = False) -> str:
    """The drill-down table of :func:`lib.metrics.team_remaining`; owner names masked unless ``show_names``."""
    head = [("teams.rcol.household", ""), ("teams.rcol.owner", ""), ("teams.rcol.address", ""), ("teams.rcol.ptype", "opt"),
            ("teams.rcol.stage", ""), ("teams.rcol.waiting", "num"), ("teams.rcol.flags", "opt")]
    th = "".join(f'<th class="{cls}">{escape(t(key, lang))}</th>' for key, cls in head)
    sep = "、" if lang == "zh" else ", "
    body = []
    for r in remaining.itertuples(index=False):
        flags = sep.join(escape(f) for f in str(r.flags or "").split("|") if f)
        colour = theme.STAGE_COLOURS.get(cast(str, r.stage), theme.GAIN_FLAT)
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
