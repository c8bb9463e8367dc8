"""The 成绩单 score sheet as files, and the one guard against spreadsheet formulas.

Every cell this project writes to a csv or xlsx goes through :func:`neutralise`:
a ledger text starting with = + - @ (or a tab / carriage return) would run as a
formula when the file is opened in Excel or WPS (csv/xlsx injection), so it
gets a leading ``'`` and is shown as the text it is.

The sheet has the leaderboard's columns and rows in the screen's order, so
the file handed round at the daily meeting matches the big screen.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, cast

import pandas as pd

from lib import metrics
from lib.figures import teams
from lib.i18n import t
from lib.schema import is_missing, neutralise

#: (i18n key of the header, board column, kind), in sheet order.
SCORESHEET_COLUMNS: list[tuple[str, str, str]] = [
    ("teams.col.rank", "rank", "int"),
    ("teams.col.change", "rank_change", "change"),
    ("teams.col.team", "team", "text"),
    ("teams.col.organisation", "organisation", "text"),
    ("teams.col.block", "block", "text"),
    ("teams.col.assigned", "assigned", "int"),
    ("teams.col.signed", "signed", "int"),
    ("teams.col.sealed", "sealed", "int"),
    ("teams.col.sealed_rate", "sealed_rate", "rate"),
    ("teams.col.score", "score", "score"),
    ("teams.col.today", "gain_today", "int"),
    ("teams.col.week", "gain_7d", "int"),
    ("teams.col.idle", "days_since_gain", "int"),
    ("teams.col.laggard", "laggard", "flag"),
    ("teams.col.reason", "laggard_reasons", "reason"),
    ("teams.col.finish_date", "finish_date", "date"),
    ("teams.col.finish_day", "finish_day", "int"),
]

#: Background of a 后进 laggard's row (the board's laggard red, light).
LAGGARD_FILL = "FDE7E7"

#: Excel number formats by column kind (rank change shows ▲2 / ▼1 / – as on screen).
NUMBER_FORMATS = {"int": "0", "rate": "0.00%", "score": "0.00", "date": "yyyy-mm-dd", "change": '"▲"0;"▼"0;"–"'}


def scoresheet_headers(lang: str = "zh") -> list[str]:
    """The sheet's column headers (Chinese by default: the 成绩单 is a Chinese document)."""
    return [t(key, lang) for key, _, _ in SCORESHEET_COLUMNS]


def scoresheet_rows(board: pd.DataFrame, lang: str = "zh") -> list[list[Any]]:
    """Board rows as typed cells (int, float, date, str or None), neutralised, in the board's order."""
    rows = []
    for rec in board.to_dict("records"):
        row: list[Any] = []
        for _, col, kind in SCORESHEET_COLUMNS:
            value = rec[col]
            if kind == "reason":
                value = teams.laggard_reason(value, rec["days_since_gain"], rec["rate_gap"], lang) or None
            elif kind == "flag":
                value = t("teams.yes", lang) if value else None
            elif is_missing(value):
                value = None
            elif kind in ("int", "change"):
                value = int(value)
            elif kind in ("rate", "score"):
                value = float(value)
            elif kind == "date" and isinstance(value, pd.Timestamp):
                value = value.date()
            row.append(neutralise(value))
        rows.append(row)
    return rows


def scoresheet_title(asof: date, day_n: int, lang: str = "zh") -> str:
    """The title row: whose sheet and for which day."""
    return t("teams.export_title", lang, asof=asof.isoformat(), day=day_n)


def file_name(asof: date, ext: str, lang: str = "zh") -> str:
    """``成绩单-2023-11-07.xlsx``."""
    return f"{t('teams.export_file', lang)}-{asof.isoformat()}.{ext}"


def _display_width(text: str) -> int:
    """Column width in Excel character units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def scoresheet_xlsx(
    board: pd.DataFrame,
    asof: date,
    day_n: int,
    *,
    scoring: metrics.Scoring = metrics.DEFAULT_SCORING,
    lang: str = "zh",
) -> bytes:
    """The 成绩单 workbook: title row with the as-of day, frozen header row, number formats, widths.

    Laggard rows are highlighted; the sheet prints A4 landscape, fit to one
    page wide, with the header row repeated on every page. A second sheet
    states the ranking and laggard rules in force.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers = scoresheet_headers(lang)
    rows = scoresheet_rows(board, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t("teams.export_sheet", lang)
    ws.append([neutralise(scoresheet_title(asof, day_n, lang))])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 24
    ws.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[2]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    laggard_font = Font(color="C62828", bold=True)
    laggard_fill = PatternFill("solid", fgColor=LAGGARD_FILL)
    flag_col = next(i for i, (_, col, _) in enumerate(SCORESHEET_COLUMNS) if col == "laggard")
    for row in rows:
        ws.append(row)
        if row[flag_col]:
            for cell in ws[ws.max_row]:
                cell.fill = laggard_fill
            for cell in ws[ws.max_row][flag_col:flag_col + 2]:
                cell.font = laggard_font
    for i, (_, _, kind) in enumerate(SCORESHEET_COLUMNS, start=1):
        letter = get_column_letter(i)
        fmt = NUMBER_FORMATS.get(kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=3, max_row=ws.max_row, min_col=i, max_col=i):
                cell.number_format = fmt
        texts = [headers[i - 1]] + [_shown(r[i - 1], kind) for r in rows]
        ws.column_dimensions[letter].width = min(60, max(8, max(_display_width(x) for x in texts) + 2))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(ws.max_row, 2)}"
    _print_setup(ws)

    notes = wb.create_sheet(t("teams.rule_title", lang))
    notes.append([neutralise(scoresheet_title(asof, day_n, lang))])
    notes["A1"].font = Font(bold=True, size=14)
    for line in teams.scoring_rule_lines(scoring, lang):
        notes.append([neutralise(line)])
    notes.column_dimensions["A"].width = 120
    _print_setup(notes, title_rows=None)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _print_setup(ws: Any, *, title_rows: str | None = "2:2") -> None:
    """Print as the assessment group hands it round: A4 landscape, one page wide, header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the teams need
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def _shown(value: Any, kind: str) -> str:
    """Roughly what Excel displays, to size a column."""
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


def scoresheet_csv(board: pd.DataFrame, *, lang: str = "zh") -> bytes:
    """The 成绩单 as csv: UTF-8 with a BOM (so Excel reads the Chinese), header row, values as on screen."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(scoresheet_headers(lang))
    for row in scoresheet_rows(board, lang):
        shown = []
        for value, (_, _, kind) in zip(row, SCORESHEET_COLUMNS, strict=True):
            if kind == "change":
                shown.append(teams.rank_change_text(value))
            elif value is None:
                shown.append("")
            elif kind == "rate":
                shown.append(f"{value * 100:.2f}%")
            elif kind == "score":
                shown.append(f"{value:.2f}")
            elif isinstance(value, date):
                shown.append(value.isoformat())
            else:
                shown.append(cast(str, neutralise(str(value))))  # a text stays a text
        writer.writerow(shown)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
