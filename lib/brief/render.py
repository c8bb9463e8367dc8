"""The brief drawn: a PNG for the WeChat group, a one-page A4 PDF, and the 成绩单 xlsx.

Renderer: matplotlib (Agg for the PNG, its PDF backend for the PDF), drawing
one layout twice. Why matplotlib:

- it is a pinned wheel from PyPI and needs no browser, no display and no
  network: a fresh Debian machine with ``fonts-noto-cjk`` renders offline
  (plotly's static export needs kaleido and a Chromium started per image,
  seconds each and fragile in CI; printing the board's HTML headless needs a
  running server);
- it is fast: the demo brief renders in well under a second per file;
- its PDF backend embeds the font as a subset CID font with a ToUnicode map
  (``pdf.fonttype`` 42), so the PDF's text is real, selectable and
  searchable, Chinese included;
- the same drawing code makes both files, so the PNG and the PDF agree.

The font is Noto Sans CJK SC from Debian's ``fonts-noto-cjk``, located by
path (:func:`cjk_font_path`) and set on every text explicitly, so no glyph
silently falls back to a Latin-only font (no tofu boxes).

Layout units are pixels of the 1080 px wide PNG; the PDF draws the same units
scaled to fit one A4 portrait page.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from lib import metrics, theme
from lib.brief import BlockLine, Brief, Event, TeamLine
from lib.figures import scoresheet, teams
from lib.i18n import label, month_day, pct, t

#: The PNG's width in pixels (WeChat shows it full width on a phone).
PNG_WIDTH = 1080
#: The PNG's size limit for the group (bytes).
PNG_MAX_BYTES = 1_500_000
#: A4 portrait in PDF points.
A4_POINTS = (595.28, 841.89)
CJK_FAMILY = "Noto Sans CJK SC"
#: Shaping language of every text: one set of glyphs (a run of digits shaped as Han or as Latin would
#: otherwise pick different digit glyphs, and the PDF embed the font twice).
LANGUAGE = "zh-Hans"
#: Where Debian's fonts-noto-cjk puts the fonts (matplotlib's own scan finds them too).
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
#: Set to a font file (or a ':'-separated list) to use another CJK font installation.
FONT_ENV = "BRIEF_CJK_FONTS"

MARGIN = 40
#: Layout width of the A4 page (and the width from which rows go several across).
WIDE = 1400
INK = "#1b1f27"
MUTED = "#5f6b7a"
RULE = "#d5dbe3"
HEADER_BG = "#0d3b7a"
TILE_BG = "#f1f4f8"

MIME = {
    "png": "image/png",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


#: matplotlib is not thread-safe and Streamlit renders sessions in threads: one drawing at a time.
_RENDER_LOCK = threading.Lock()


class FontMissing(RuntimeError):
    """No CJK font is installed where the renderer looks (install Debian's fonts-noto-cjk)."""


@functools.cache
def cjk_font_path(bold: bool = False) -> str:
    """The file of Noto Sans CJK SC (regular or bold) that every text of the brief uses.

    Raises:
        FontMissing: when the font is not installed.
    """
    extra = [p for p in os.environ.get(FONT_ENV, "").split(":") if p]
    for path in (*extra, *CJK_FONT_FILES):
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
    try:
        found = font_manager.findfont(
            FontProperties(family=CJK_FAMILY, weight="bold" if bold else "normal"), fallback_to_default=False
        )
    except ValueError as exc:
        raise FontMissing(f"font {CJK_FAMILY!r} not found: install Debian's fonts-noto-cjk (or set {FONT_ENV})") from exc
    return found


def _font(size: float, bold: bool = False) -> FontProperties:
    cjk_font_path(bold)
    return FontProperties(family=CJK_FAMILY, size=size, weight="bold" if bold else "normal")


def text_width(text: str, px: float) -> float:
    """Approximate drawn width of ``text`` at ``px``: CJK and full-width characters are square, Latin ~0.56 em."""
    return sum(px if ord(ch) > 0x2E7F else px * 0.56 for ch in text)


def fit(text: str, px: float, width: float) -> str:
    """``text`` shortened with … to fit ``width``."""
    if text_width(text, px) <= width:
        return text
    while text and text_width(text + "…", px) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, px: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at any character: CJK has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, px) > width:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    return [*lines, line] if line else lines or [""]


# ------------------------------------------------------------------ layout


@dataclass
class _Page:
    """Drawing operations in layout units (PNG pixels, y downwards), realised on a Figure later."""

    width: float = PNG_WIDTH
    y: float = 0.0
    ops: list[Callable[[Figure, Callable[..., Any]], None]] = field(default_factory=list)

    def text(self, x: float, y: float, s: str, px: float, *, color: str = INK, bold: bool = False, ha: str = "left") -> None:
        def draw(fig: Figure, at: Callable[..., Any]) -> None:
            fx, fy, k = at(x, y)
            fig.text(fx, fy, s, fontproperties=_font(px * k, bold), color=color, ha=ha, va="top", language=LANGUAGE)
        self.ops.append(draw)

    def rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        def draw(fig: Figure, at: Callable[..., Any]) -> None:
            x0, y0, _ = at(x, y + h)
            x1, y1, _ = at(x + w, y)
            fig.add_artist(Rectangle((x0, y0), x1 - x0, y1 - y0, transform=fig.transFigure, color=color, lw=0, zorder=-1))
        self.ops.append(draw)

    def axes(self, x: float, y: float, w: float, h: float, paint: Callable[[Any, float], None]) -> None:
        def draw(fig: Figure, at: Callable[..., Any]) -> None:
            x0, y0, k = at(x, y + h)
            x1, y1, _ = at(x + w, y)
            paint(fig.add_axes((x0, y0, x1 - x0, y1 - y0)), k)
        self.ops.append(draw)

    def realise(self, fig: Figure, *, scale: float, offset: tuple[float, float], size: tuple[float, float]) -> None:
        """Draw every operation: layout unit × ``scale`` = figure points; ``offset`` and ``size`` in points."""
        def at(x: float, y: float) -> tuple[float, float, float]:
            return (offset[0] + x * scale) / size[0], 1 - (offset[1] + y * scale) / size[1], scale
        for op in self.ops:
            op(fig, at)


def _signed(n: int) -> str:
    return f"+{n}" if n >= 0 else str(n)


def _points(value: float, lang: str) -> str:
    """A rate change in points, half up at two decimals: +0.41 pt / +0.41 个百分点."""
    shown = f"{value:+.2f}"
    return t("brief.points", lang, value="+0.00" if shown == "-0.00" else shown)


def _header(page: _Page, brief: Brief, lang: str) -> None:
    k = brief.headline.kpis
    height = 196 if brief.scope_names else 156
    page.rect(0, 0, page.width, height, HEADER_BG)
    page.text(MARGIN, 24, t("brief.title", lang), 50, color="#ffffff", bold=True)
    left = t("brief.days_left", lang, n=max(k.days_left, 0)) if k.days_left >= 0 else t("kpi.overdue", lang, n=-k.days_left)
    sub = t("brief.subtitle", lang, asof=brief.asof.isoformat(), day=k.day_n, left=left)
    page.text(MARGIN, 98, fit(sub, 32, page.width - 2 * MARGIN), 32, color="#ffffff")
    if brief.scope_names:
        scope = ("、" if lang == "zh" else ", ").join(brief.scope_names)
        page.text(MARGIN, 146, fit(t("brief.scope", lang, scope=scope), 30, page.width - 2 * MARGIN), 30, color="#dbe6f7")
    page.y = height + 24


def _tiles(page: _Page, brief: Brief, lang: str) -> None:
    k, h = brief.headline.kpis, brief.headline
    gap, tile_h = 20, 200
    per_row = 4 if page.width >= WIDE else 2
    w = (page.width - 2 * MARGIN - gap * (per_row - 1)) / per_row
    tiles = [
        (t("kpi.signed_rate", lang), pct(k.signed_rate), t("kpi.of_households", lang, done=k.signed, total=k.households),
         t("brief.change", lang, n=_signed(k.signed_today), points=_points(h.signed_rate_change, lang)), theme.RATE_TEXT_COLOURS["signed"]),
        (t("kpi.sealed_rate", lang), pct(k.sealed_rate), t("kpi.of_households", lang, done=k.sealed, total=k.households),
         t("brief.change", lang, n=_signed(k.sealed_today), points=_points(h.sealed_rate_change, lang)), theme.RATE_TEXT_COLOURS["sealed"]),
        (t("kpi.today", lang), t("kpi.today_value", lang, signed=k.signed_today, sealed=k.sealed_today), "", "", theme.GAIN_UP),
        (t("kpi.day", lang), t("brief.day_of", lang, n=k.day_n), t("kpi.deadline", lang, deadline=k.deadline.isoformat()),
         t("brief.days_left", lang, n=max(k.days_left, 0)) if k.days_left >= 0 else t("kpi.overdue", lang, n=-k.days_left),
         "#6a1b9a"),
    ]
    # A change line too long for a narrow tile breaks at its " · " (the tiles grow to hold it).
    changes = [[c] if text_width(c, 28) <= w - 40 else c.split(" · ") for *_, c, _ in tiles]
    tile_h += 36 * (max(len(c) for c in changes) - 1)
    for i, (name, value, sub, _, colour) in enumerate(tiles):
        x, y = MARGIN + (i % per_row) * (w + gap), page.y + (i // per_row) * (tile_h + gap)
        page.rect(x, y, w, tile_h, TILE_BG)
        page.rect(x, y, 8, tile_h, colour)
        page.text(x + 26, y + 14, name, 30, color=MUTED)
        big = next((px for px in (60, 50, 40) if text_width(value, px) < w - 40), 34)
        page.text(x + 26, y + 54, value, big, color=INK, bold=True)
        if sub:
            page.text(x + 26, y + 126, fit(sub, 28, w - 40), 28, color=MUTED)
        for j, part in enumerate(p for p in changes[i] if p):
            page.text(x + 26, y + 160 + 36 * j, fit(part, 28, w - 40), 28, color=theme.GAIN_UP, bold=True)
    rows = -(-len(tiles) // per_row)
    page.y += rows * tile_h + (rows - 1) * gap + 30


def _section(page: _Page, title: str, *, color: str = INK) -> float:
    """A section title with its rule; returns the title's top (for a legend beside it)."""
    top = page.y
    page.text(MARGIN, page.y, title, 38, color=color, bold=True)
    page.y += 58
    page.rect(MARGIN, page.y - 8, page.width - 2 * MARGIN, 3, color)
    return top


def block_status(line: BlockLine, asof: date, lang: str) -> tuple[str, str]:
    """(text, colour) of a block's outlook line: double 100 % on day N, the P50 finish, or not started."""
    if not line.started:
        return t("brief.not_started", lang, date=month_day(line.launch_date, asof)), theme.STATUS_COLOURS["not_started"]
    colour = theme.FORECAST_COLOURS.get(line.outlook, MUTED)
    if line.double_full_day is not None:
        return t("brief.double_full", lang, n=line.double_full_day), theme.FORECAST_COLOURS["finished"]
    parts = [label("forecast", line.outlook, lang)]
    if line.finished_on is not None:
        parts.append(t("brief.sealed_on", lang, date=month_day(line.finished_on, asof)))
    elif line.sealed_status == "stalled":
        parts.append(t("forecast.stalled_cell", lang))
    elif line.sealed_status not in (None, "no_data"):
        finish = t("forecast.beyond", lang) if line.finish_p50 is None else month_day(line.finish_p50, asof)
        parts.append(t("brief.finish_p50", lang, date=finish))
    if line.on_time_probability is not None:
        parts.append(t("brief.on_time", lang, p=f"{line.on_time_probability * 100:.0f}%"))
    return " · ".join(parts), colour


def _curve_painter(brief: Brief, line: BlockLine, lang: str) -> Callable[[Any, float], None]:
    rows = brief.curves[brief.curves["block_id"] == line.block_id]

    def paint(ax: Any, k: float) -> None:
        for stage in metrics.RATE_STAGES:
            r = rows[rows["stage"] == stage]
            ax.plot(r["day_n"], r["rate"] * 100, color=theme.RATE_COLOURS[stage], lw=4 * k, solid_capstyle="round")
        ax.axvline(100, color=theme.DEADLINE_LINE["color"], lw=2.6 * k, ls=(0, (3, 2)))
        if line.started:
            ax.axvline(line.day_n, color=theme.TODAY_LINE["color"], lw=1.6 * k, ls=":")
        ax.set_xlim(1, 104)
        ax.set_ylim(0, 106)
        ax.set_xticks([1, 50, 100])
        ax.set_yticks([0, 50, 100])
        ax.set_yticklabels(["0", "50%", "100%"])
        for tick in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            tick.set_fontproperties(_font(22 * k))
            tick.set_color(MUTED)
        ax.tick_params(length=4 * k, width=0.8 * k, pad=3 * k)
        ax.grid(axis="y", color=RULE, lw=0.8 * k)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(RULE)
            ax.spines[side].set_linewidth(k)
        ax.text(98, 104, t("brief.day100", lang), fontproperties=_font(22 * k), color=theme.DEADLINE_LINE["color"],
                ha="right", va="top")
    return paint


def _blocks(page: _Page, brief: Brief, lang: str) -> None:
    _section(page, t("brief.blocks", lang))
    per_row, gap = (2, 50) if page.width >= WIDE else (1, 0)
    width = (page.width - 2 * MARGIN - gap * (per_row - 1)) / per_row
    row_h = 212
    for i, line in enumerate(brief.blocks):
        x, y = MARGIN + (i % per_row) * (width + gap), page.y + (i // per_row) * row_h
        day = t("unit.day_n", lang, n=line.day_n) if line.started else t("forecast.not_started", lang)
        page.text(x + width, y + 6, day, 30, color=MUTED, ha="right")
        room = width - text_width(day, 30) - 24
        name_px = next((px for px in (38, 34, 30) if text_width(line.name, px) <= room), 30)
        page.text(x, y + (38 - name_px) / 2, fit(line.name, name_px, room), name_px, bold=True)
        page.text(x, y + 56, f"{t('col.signed_rate', lang)} {pct(line.signed_rate)}", 36, color=theme.RATE_TEXT_COLOURS["signed"])
        page.text(x + width / 2, y + 56, f"{t('col.sealed_rate', lang)} {pct(line.sealed_rate)}", 36,
                  color=theme.RATE_TEXT_COLOURS["sealed"], bold=True)
        gains = t("brief.gains", lang, signed=_signed(line.signed_today), sealed=_signed(line.sealed_today),
                  done=line.sealed, total=line.households)
        page.text(x, y + 110, fit(gains, 28, width), 28, color=MUTED)
        status, colour = block_status(line, brief.asof, lang)
        page.text(x, y + 152, fit(status, 30, width), 30, color=colour, bold=True)
        page.rect(x, y + row_h - 16, width, 1.5, RULE)
    page.y += -(-len(brief.blocks) // per_row) * row_h + 14


def _curves(page: _Page, brief: Brief, lang: str, columns: int) -> None:
    """Small multiples: each block's signing and sealing curve against its 100-day line."""
    top = _section(page, t("brief.curves", lang))
    sealed = f"■ {label('stage', 'sealed', lang)}"
    page.text(page.width - MARGIN, top + 8, sealed, 28, color=theme.RATE_COLOURS["sealed"], ha="right")
    page.text(page.width - MARGIN - text_width(sealed, 28) - 20, top + 8, f"■ {label('stage', 'signed', lang)}", 28,
              color=theme.RATE_COLOURS["signed"], ha="right")
    gap = 30
    w = (page.width - 2 * MARGIN - gap * (columns - 1)) / columns
    title_px = 30 if columns <= 2 else 26
    h = w * 0.62
    for i, line in enumerate(brief.blocks):
        col = i % columns
        x = MARGIN + col * (w + gap)
        if col == 0 and i:
            page.y += h + title_px + 60
        page.text(x, page.y, fit(line.name, title_px, w), title_px, bold=True)
        page.axes(x + 74, page.y + title_px + 18, w - 84, h, _curve_painter(brief, line, lang))
    if brief.blocks:
        page.y += h + title_px + 70


def _team_row(page: _Page, row: TeamLine, lang: str, *, laggard: bool) -> None:
    y = page.y
    page.text(MARGIN, y, str(row.rank), 32, bold=True, color=theme.LAGGARD if laggard else INK)
    page.text(MARGIN + 64, y, fit(row.team, 32, 380), 32, bold=True)
    page.text(MARGIN + 600, y, pct(row.sealed_rate), 32, ha="right")
    if laggard:
        text = teams.laggard_reason(row.laggard_reasons, row.days_since_gain, row.rate_gap, lang)
        colour = theme.LAGGARD
    else:
        text, colour = teams.team_status(row, lang)
        colour = colour if text else MUTED
        text = text or row.block
    lines = wrap(text, 28, page.width - 2 * MARGIN - 630)
    for i, part in enumerate(lines):
        page.text(MARGIN + 630, y + 4 + i * 38, part, 28, color=colour)
    page.y += max(54, 38 * len(lines) + 16)


def _teams(page: _Page, brief: Brief, lang: str) -> None:
    _section(page, t("brief.teams", lang))
    page.text(MARGIN, page.y, t("teams.top", lang), 30, color=theme.GAIN_UP, bold=True)
    page.y += 48
    for row in brief.top:
        _team_row(page, row, lang, laggard=False)
    page.y += 10
    if brief.laggards:
        page.text(MARGIN, page.y, f"⚠ {t('teams.bottom', lang)} · {len(brief.laggards)}", 30, color=theme.LAGGARD, bold=True)
        page.y += 48
        for row in brief.laggards:
            _team_row(page, row, lang, laggard=True)
    else:
        page.text(MARGIN, page.y, t("brief.no_laggards", lang), 30, color=MUTED)
        page.y += 52
    page.y += 18


def event_text(event: Event, lang: str) -> str:
    """One event as its line of the brief."""
    if event.kind == "block_full":
        return t(f"brief.event.block_full.{event.stage}", lang, block=event.subject)
    if event.kind == "team_finished":
        return t("brief.event.team_finished", lang, team=event.subject, n=event.count, day=event.days)
    return t("brief.event.holdout", lang, block=event.subject, n=event.count, days=event.days)


def _events(page: _Page, brief: Brief, lang: str) -> None:
    _section(page, t("brief.events", lang))
    if not brief.events:
        page.text(MARGIN, page.y, t("brief.no_events", lang), 30, color=MUTED)
        page.y += 52
    for event in brief.events:
        for i, part in enumerate(wrap(event_text(event, lang), 30, page.width - 2 * MARGIN - 34)):
            page.text(MARGIN + (34 if i else 0), page.y, ("• " if i == 0 else "") + part, 30)
            page.y += 44
    page.y += 18


def freshness_line(brief: Brief, lang: str) -> str:
    """The data-freshness line: as-of day and when the latest ledger was imported."""
    when = brief.last_import.strftime("%Y-%m-%d %H:%M") if brief.last_import else t("brief.never", lang)
    return t("brief.freshness", lang, asof=brief.asof.isoformat(), imported=when)


def _footer(page: _Page, brief: Brief, lang: str) -> None:
    page.rect(MARGIN, page.y, page.width - 2 * MARGIN, 1.5, RULE)
    page.y += 16
    page.text(MARGIN, page.y, fit(freshness_line(brief, lang), 26, page.width - 2 * MARGIN), 26, color=MUTED)
    page.y += 40
    page.text(MARGIN, page.y, t("brief.footer", lang), 26, color=MUTED)
    page.y += 56


def layout(brief: Brief, lang: str = "zh", *, width: float = PNG_WIDTH, curve_columns: int = 2) -> _Page:
    """The brief as drawing operations in layout units (PNG pixels; height in ``.y``).

    The phone picture is one column, ``width`` 1080. The A4 page is drawn
    :data:`WIDE` or wider: tiles four across, blocks two across and
    ``curve_columns`` small multiples a row, so one page holds it all at a
    readable size.
    """
    page = _Page(width=width)
    _header(page, brief, lang)
    _tiles(page, brief, lang)
    _blocks(page, brief, lang)
    _curves(page, brief, lang, curve_columns)
    _teams(page, brief, lang)
    _events(page, brief, lang)
    _footer(page, brief, lang)
    return page


def brief_text(brief: Brief, lang: str = "zh") -> str:
    """The brief as plain text, to paste into the group beside the picture (same figures, same wording)."""
    k, h = brief.headline.kpis, brief.headline
    colon, paren = ("：", "（{}）") if lang == "zh" else (": ", " ({})")
    left = t("brief.days_left", lang, n=max(k.days_left, 0)) if k.days_left >= 0 else t("kpi.overdue", lang, n=-k.days_left)
    lines = [f"【{t('brief.title', lang)}】{t('brief.subtitle', lang, asof=brief.asof.isoformat(), day=k.day_n, left=left)}"]
    if brief.scope_names:
        lines.append(t("brief.scope", lang, scope=("、" if lang == "zh" else ", ").join(brief.scope_names)))
    for stage, rate, change, today in (("signed", k.signed_rate, h.signed_rate_change, k.signed_today),
                                       ("sealed", k.sealed_rate, h.sealed_rate_change, k.sealed_today)):
        change_text = t("brief.change", lang, n=_signed(today), points=_points(change, lang))
        lines.append(f"{t(f'col.{stage}_rate', lang)} {pct(rate)}{paren.format(change_text)}")
    lines.append(f"— {t('brief.blocks', lang)}")
    for line in brief.blocks:
        status, _ = block_status(line, brief.asof, lang)
        lines.append(f"{line.name}{colon}{t('col.signed_rate', lang)} {pct(line.signed_rate)} · {t('col.sealed_rate', lang)} "
                     f"{pct(line.sealed_rate)} · {status}")
    lines.append(f"— {t('teams.top', lang)}")
    lines += [f"{r.rank}. {r.team} {pct(r.sealed_rate)}" for r in brief.top]
    if brief.laggards:
        lines.append(f"— {t('teams.bottom', lang)}")
        lines += [f"{r.rank}. {r.team} {pct(r.sealed_rate)}{colon}{teams.laggard_reason(r.laggard_reasons, r.days_since_gain, r.rate_gap, lang)}"
                  for r in brief.laggards]
    if brief.events:
        lines.append(f"— {t('brief.events', lang)}")
        lines += [f"• {event_text(e, lang)}" for e in brief.events]
    lines.append(freshness_line(brief, lang))
    return "\n".join(lines)


# ------------------------------------------------------------------ files


def brief_png(brief: Brief, lang: str = "zh") -> bytes:
    """The brief as a PNG, :data:`PNG_WIDTH` px wide, its height as the content needs."""
    page = layout(brief, lang)
    dpi = 100
    size = (page.width * 72 / dpi, page.y * 72 / dpi)  # points
    buf = io.BytesIO()
    with _RENDER_LOCK:
        fig = Figure(figsize=(page.width / dpi, page.y / dpi), dpi=dpi, facecolor="#ffffff")
        page.realise(fig, scale=72 / dpi, offset=(0, 0), size=size)
        FigureCanvasAgg(fig).print_png(buf, metadata={"Software": "Campaign Board"})
    return palette_png(buf.getvalue())


def palette_png(png: bytes) -> bytes:
    """``png`` with a 256-colour palette: about a third of the bytes (a phone on mobile data, the page's preview).

    The brief is flat colours and anti-aliased text, which 256 colours hold
    without visible change (median cut, no dithering, so text edges stay clean).
    """
    image = Image.open(io.BytesIO(png))
    info = PngInfo()
    for key, value in image.info.items():  # the text chunks written above (Software)
        if isinstance(value, str):
            info.add_text(str(key), value)
    out = io.BytesIO()
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def brief_pdf(brief: Brief, lang: str = "zh") -> bytes:
    """The brief on one A4 portrait page, scaled to fit; text is real (embedded CJK subset, selectable)."""
    page = layout(brief, lang, width=WIDE, curve_columns=max(2, min(4, len(brief.blocks))))
    margin = 18.0
    scale = min((A4_POINTS[0] - 2 * margin) / page.width, (A4_POINTS[1] - 2 * margin) / page.y)
    offset = ((A4_POINTS[0] - page.width * scale) / 2, margin)
    buf = io.BytesIO()
    with _RENDER_LOCK:
        # Type 42: the font embedded as a CID font with a ToUnicode map, so the text is real text
        # (the default, Type 3, draws characters beyond the first 256 as pictures).
        # ps.fonttype too: matplotlib 3.11 sizes the PDF's font subsets by it, and at its default (3)
        # every font is embedded twice (the first 256 code points, then the rest), doubling the time.
        matplotlib.rcParams["pdf.fonttype"] = matplotlib.rcParams["ps.fonttype"] = 42
        fig = Figure(figsize=(A4_POINTS[0] / 72, A4_POINTS[1] / 72), facecolor="#ffffff")
        page.realise(fig, scale=scale, offset=offset, size=A4_POINTS)
        FigureCanvasPdf(fig).print_pdf(buf, metadata={"Title": t("brief.title", lang) + " " + brief.asof.isoformat(),
                                                      "Creator": "Campaign Board"})
    return buf.getvalue()


def brief_xlsx(brief: Brief, lang: str = "zh") -> bytes:
    """The 成绩单 of the brief's day: :func:`lib.figures.scoresheet.scoresheet_xlsx`, print-ready."""
    return scoresheet.scoresheet_xlsx(brief.board, brief.asof, brief.headline.kpis.day_n, scoring=brief.scoring, lang=lang)


def file_name(asof: date, ext: str, lang: str = "zh") -> str:
    """``日报-2023-11-07.png`` (the xlsx keeps the 成绩单's own name)."""
    if ext == "xlsx":
        return scoresheet.file_name(asof, ext, lang)
    return f"{t('brief.file', lang)}-{asof.isoformat()}.{ext}"


def brief_files(brief: Brief, lang: str = "zh") -> dict[str, bytes]:
    """The three files by extension: png, pdf, xlsx."""
    return {"png": brief_png(brief, lang), "pdf": brief_pdf(brief, lang), "xlsx": brief_xlsx(brief, lang)}

