"""Reading ledger files: bytes in, recognised tables out.

The only module that opens the district's files. It sniffs what a file really
is (xlsx, legacy xls, csv in any Chinese encoding, or a GIS file of
footprints), refuses anything that is not a ledger with :class:`NotALedger`,
finds the header row under merged title rows, maps the file's own header
texts to our field names through one alias table (:data:`ALIASES`), and drops
序号 columns, blank rows, repeated headers and totals rows — 合计/小计/总计 …
in any column, above, amid or below the data, with a count where the id
would be — each with a note naming sheet, row and column. Hidden rows and
columns are read (hidden is not deleted) and said so, as is a filter left on.
Values are left raw; :mod:`lib.ingest` validates them. GIS files go to
:mod:`lib.ingest.read_gis`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import openpyxl
import pandas as pd
import xlrd
from charset_normalizer import from_bytes
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from lib import schema
from lib.ingest.messages import msg
from lib.ingest.model import EXCEL_EPOCH, Ledger, NotALedger, Note, Table, check_zip
from lib.ingest.read_gis import read_gis

#: Largest upload accepted, in bytes (the page and the command line may pass another).
MAX_BYTES = 25 * 1024 * 1024
#: Largest total uncompressed size of a zip container (xlsx, zipped Shapefile).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
#: Header rows are looked for among the first rows of a sheet (title rows sit above).
HEADER_SCAN_ROWS = 20

KINDS: tuple[str, ...] = ("blocks", "teams", "households", "progress")
STAGE_FIELDS: tuple[str, ...] = tuple(f"date_{s}" for s in schema.STAGES)
ID_FIELD = {"blocks": "block_id", "teams": "team_id", "households": "household_id", "progress": "household_id"}

_HOUSEHOLD_ID = ("户号", "编号", "房屋编号", "户编号", "household_id")

#: The one alias table: for each table, field -> header texts (normalised by
#: :func:`normalise_header`: no spaces, no bracketed units, no * marks).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "blocks": {
        "block_id": ("编号", "地块编号", "地块代码", "代码", "block_id"),
        "name": ("名称", "地块名称", "地块", "项目名称", "name"),
        "district": ("区", "所属区", "行政区", "区县", "district"),
        "subdistrict": ("街道", "所属街道", "subdistrict"),
        "launch_date": ("启动日期", "启动时间", "开始日期", "动员日期", "launch_date"),
        "deadline": ("截止日期", "截止时间", "攻坚截止日期", "完成时限", "deadline"),
        "land_area_m2": ("用地面积", "占地面积", "土地面积", "land_area_m2"),
    },
    "teams": {
        "team_id": ("编号", "工作组编号", "组号", "team_id"),
        "name": ("名称", "工作组", "工作组名称", "组名", "name"),
        "organisation": ("单位", "所属单位", "派出单位", "组建单位", "organisation"),
        "kind": ("类型", "性质", "kind"),
        "leader": ("负责人", "组长", "队长", "leader"),
        "block": ("地块", "所属地块", "负责地块", "block", "block_id"),
    },
    "households": {
        "household_id": _HOUSEHOLD_ID,
        "block": ("地块", "所属地块", "地块名称", "block", "block_id"),
        "team": ("工作组", "责任工作组", "包户工作组", "责任组", "team", "team_id"),
        "address": ("房屋坐落", "坐落", "房屋地址", "地址", "address"),
        "property_type": ("房屋用途", "用途", "property_type"),
        "ownership": ("产权性质", "产权类型", "产权", "ownership"),
        "floor_area_m2": ("建筑面积", "面积", "floor_area_m2"),
        "owner_name": ("被征收人", "产权人", "户主", "姓名", "owner_name"),
        "flags": ("标记", "标签", "特殊情况", "flags"),
        **{f"flag:{f}": (f,) for f in schema.HOUSEHOLD_FLAGS},
    },
    "progress": {
        "household_id": _HOUSEHOLD_ID,
        "date_surveyed": ("入户调查日期", "入户调查时间", "入户日期", "调查日期", "入户调查", "date_surveyed"),
        "date_appraised": ("评估日期", "评估时间", "评估完成日期", "评估", "date_appraised"),
        "date_signed": ("签约日期", "签约时间", "签约", "date_signed"),
        "date_sealed": ("封房日期", "封房时间", "搬迁日期", "腾空日期", "封房", "date_sealed"),
        "date_handed_over": ("交房日期", "交房时间", "移交日期", "交房", "date_handed_over"),
        "date_demolished": ("拆除日期", "拆除时间", "拆除", "date_demolished"),
        "status": ("状态", "当前状态", "进度状态", "征收状态", "签约状态", "status"),
    },
}
#: Sheets that explain a workbook rather than hold data (the template's 说明 carries example rows).
GUIDE_SHEETS: frozenset[str] = frozenset(("说明", "填表说明", "使用说明", "模板说明", "instructions", "readme"))
#: Columns recognised and deliberately dropped (row counters).
IGNORED_HEADERS: tuple[str, ...] = ("序号", "行号", "no", "no.")

#: Fields that tell one table from another (names and ids are shared by several).
_DISTINCTIVE: dict[str, set[str]] = {
    "blocks": {"district", "subdistrict", "launch_date", "deadline", "land_area_m2"},
    "teams": {"organisation", "kind", "leader"},
    "households": {"address", "property_type", "ownership", "floor_area_m2", "owner_name", "flags"}
    | {f"flag:{f}" for f in schema.HOUSEHOLD_FLAGS},
    "progress": {*STAGE_FIELDS, "status"},
}
_SHEET_HINTS: dict[str, str] = {
    **dict.fromkeys(("地块", "地块表", "地块信息", "blocks", "block"), "blocks"),
    **dict.fromkeys(("工作组", "工作组表", "工作组信息", "teams", "team"), "teams"),
    **dict.fromkeys(("户", "户表", "住户", "户信息", "被征收户", "房屋", "households", "household"), "households"),
    **dict.fromkeys(("进度", "进度表", "签约进度", "progress"), "progress"),
}
_TOTAL_WORDS = "合计|总计|小计|共计|汇总|总数|合計|總計|小計|共計|匯總|總數|total|subtotal|grandtotal"
#: A whole cell that labels a totals row (spaces and full-width forms removed first): 合计, 合计：, 合计（户）,
#: 雁塔二地块小计, 本页合计 — but not 合计路1号.
_TOTAL_LABEL = re.compile(
    rf"^\D{{0,30}}?(?:{_TOTAL_WORDS})(?:[:：].*|[（(\[【][^）)\]】]*[）)\]】])?$", re.IGNORECASE)
#: A count where a totals row's id would be: 120, 120户, 共120户.
_COUNT = re.compile(r"^共?\d+(\.\d+)?(户|个|项|宗|间)?$")
_NOTE_ROW = re.compile(r"^(制表|填表|填报|审核|备注|说明|注[:：]|联系人)")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_IN_TEXT = re.compile(r"(\d{4})\s*[-/.年_]\s*(\d{1,2})\s*[-/.月_]\s*(\d{1,2})\s*日?|(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_EXCEL_EPOCH = EXCEL_EPOCH
_PLAUSIBLE = (date(1990, 1, 1), date(2100, 12, 31))


Progress = Callable[[float, str], None]


def read_ledger(
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> Ledger:
    """Read one ledger file (xlsx, xls, csv, GeoJSON, GeoPackage, zipped Shapefile).

    Args:
        source: a path or the file's bytes (an upload).
        file_name: the name the user knows the file by (default: the path's name).
        max_bytes: refuse larger files.
        max_unpacked_bytes: refuse zip containers that would unpack larger (zip bombs).
        as_of: the ledger's as-of day if the caller knows it; otherwise it is
            taken from the title rows or the file name.
        progress: called with (fraction done, what) while reading large files.

    Raises:
        NotALedger: the file is empty, too big, encrypted, not a spreadsheet,
            csv or GIS file, or has no recognisable ledger header at all.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        file_name = file_name or path.name
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        data = path.read_bytes()
    else:
        data = bytes(source)
        file_name = file_name or "upload"
    if not data:
        raise NotALedger("ingest.file.empty")
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    ledger = Ledger(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    report = progress or (lambda _f, _w: None)
    kind = _sniff(data, file_name)
    titles: list[str] = []
    if kind == "xlsx":
        check_zip(data, max_unpacked_bytes)
        _read_xlsx(data, ledger, titles, report)
    elif kind == "xls":
        _read_xls(data, ledger, titles, report)
    elif kind == "gis":
        lookup = {normalise_header(n) for n in (*_HOUSEHOLD_ID, "hh_id", "fwbh")}
        ledger.footprints, gis_notes = read_gis(data, file_name, max_unpacked=max_unpacked_bytes, id_headers=lookup,
                                                normalise=normalise_header)
        ledger.footprints_sheet = file_name
        ledger.notes.extend(gis_notes)
    else:
        _read_csv(data, file_name, ledger, titles)
    if not ledger.tables and ledger.footprints is None:
        raise NotALedger("ingest.file.no_header", file=file_name)
    ledger.as_of = as_of or _as_of_from(titles) or _as_of_from([Path(file_name).stem])
    report(1.0, file_name)
    return ledger


def merge_ledgers(ledgers: list[Ledger]) -> Ledger:
    """Combine several files read separately (csv per table, a GIS file) into one ledger.

    The combined hash is the hash of the sorted file hashes, so the same set of
    files in any order is recognised as the same import.
    """
    if not ledgers:
        raise ValueError("merge_ledgers needs at least one ledger")
    if len(ledgers) == 1:
        return ledgers[0]
    hashes = sorted(led.sha256 for led in ledgers)
    merged = Ledger(
        file_name=" + ".join(led.file_name for led in ledgers),
        sha256=hashlib.sha256("\n".join(hashes).encode()).hexdigest(),
        size=sum(led.size for led in ledgers),
    )
    for led in ledgers:
        merged.tables.extend(led.tables)
        merged.notes.extend(led.notes)
        if led.footprints is not None:
            if merged.footprints is not None:
                raise NotALedger("ingest.file.one_gis")
            merged.footprints, merged.footprints_sheet = led.footprints, led.footprints_sheet
    days = {led.as_of for led in ledgers if led.as_of is not None}
    merged.as_of = max(days) if days else None
    if len(days) > 1:
        merged.notes.append(Note("", msg("ingest.note.as_of_differs", day=merged.as_of)))
    return merged


# --------------------------------------------------------------------------
# What is this file?


def _too_big(size: int, limit: int) -> NotALedger:
    def mb(n):
        return f"{n / 1024 / 1024:.1f} MB"
    return NotALedger("ingest.file.too_big", size=mb(size), limit=mb(limit))


def _sniff(data: bytes, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise NotALedger("ingest.file.bad_zip") from exc
        if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
            return "xlsx"
        if any(n.lower().endswith(".shp") for n in names):
            return "gis"
        raise NotALedger("ingest.file.other_zip")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _encrypted()
        return "xls"
    if data[:16] == b"SQLite format 3\x00":
        return "gis"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in (".geojson", ".json") or (head[:1] == b"{" and b'"type"' in head and b"Feature" in head):
        return "gis"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "csv"
    if b"\x00" in data[:4096]:
        raise NotALedger("ingest.file.not_spreadsheet", file=file_name)
    return "csv"


def _encrypted() -> NotALedger:
    return NotALedger("ingest.file.encrypted")


# --------------------------------------------------------------------------
# Workbooks and csv → grids → tables


@dataclass
class Sheet:
    """One sheet (or csv file) as read, before its header is found.

    Attributes:
        name: the sheet name (csv: the file name), as the user sees it.
        grid: the cell values, row by row from the sheet's first row and column.
        epoch: day zero of Excel serial numbers in this workbook.
        merges: merged ranges as (row0, row1, col0, col1), 0-based, ends exclusive.
        row_numbers: the row number the user sees for each grid row (default 1, 2, …).
        hint_name: a name that may tell the table's kind (a csv's file stem).
        hidden_rows: 1-based sheet rows hidden in the workbook.
        hidden_cols: 0-based columns hidden in the workbook.
        autofilter: the range of an autofilter left on ("" when none).
    """

    name: str
    grid: list[list[Any]]
    epoch: date
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    row_numbers: list[int] | None = None
    hint_name: str | None = None
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    autofilter: str = ""


def _read_xlsx(data: bytes, ledger: Ledger, titles: list[str], report: Progress) -> None:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        ledger.notes.append(Note("", msg("ingest.note.macros")))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_vba=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise NotALedger("ingest.file.bad_xlsx") from exc
    epoch = wb.epoch.date() if isinstance(wb.epoch, datetime) else _EXCEL_EPOCH
    sheets = wb.worksheets
    for i, ws in enumerate(sheets):
        report(i / max(len(sheets), 1), ws.title)
        if ws.sheet_state != "visible":
            ledger.notes.append(Note(ws.title, msg("ingest.note.hidden_sheet")))
            continue
        if normalise_header(ws.title) in GUIDE_SHEETS:
            ledger.notes.append(Note(ws.title, msg("ingest.note.guide_sheet")))
            continue
        grid = _trim([list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)])
        hidden_cols: set[int] = set()
        for key, dim in ws.column_dimensions.items():
            if dim.hidden:
                first = dim.min or column_index_from_string(key)
                hidden_cols.update(range(first - 1, (dim.max or first)))
        sheet = Sheet(
            name=ws.title, grid=grid, epoch=epoch,
            merges=[(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges],
            hidden_rows={r for r, dim in ws.row_dimensions.items() if dim.hidden},
            hidden_cols=hidden_cols, autofilter=ws.auto_filter.ref or "",
        )
        _tables_from_sheet(sheet, ledger, titles)


def _read_xls(data: bytes, ledger: Ledger, titles: list[str], report: Progress) -> None:
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise _encrypted() from exc
        raise NotALedger("ingest.file.bad_xls") from exc
    except Exception as exc:  # xlrd raises assorted errors on damaged files
        raise NotALedger("ingest.file.bad_xls") from exc
    epoch = date(1904, 1, 1) if book.datemode else _EXCEL_EPOCH
    for i in range(book.nsheets):
        sh = book.sheet_by_index(i)
        report(i / max(book.nsheets, 1), sh.name)
        if sh.visibility:
            ledger.notes.append(Note(sh.name, msg("ingest.note.hidden_sheet")))
            continue
        if normalise_header(sh.name) in GUIDE_SHEETS:
            ledger.notes.append(Note(sh.name, msg("ingest.note.guide_sheet")))
            continue
        grid = _trim([[_xls_value(sh.cell(r, c), book.datemode) for c in range(sh.ncols)] for r in range(sh.nrows)])
        sheet = Sheet(
            name=sh.name, grid=grid, epoch=epoch, merges=list(sh.merged_cells),
            hidden_rows={r + 1 for r, info in sh.rowinfo_map.items() if info.hidden},
            hidden_cols={c for c, info in sh.colinfo_map.items() if info.hidden},
            autofilter="",
        )
        _tables_from_sheet(sheet, ledger, titles)


def _trim(grid: list[list[Any]]) -> list[list[Any]]:
    """Drop the empty rows a sheet carries after its last value (LibreOffice keeps styled empty rows)."""
    end = len(grid)
    while end and all(v is None or (isinstance(v, str) and not v.strip()) for v in grid[end - 1]):
        end -= 1
    return grid[:end]


def _xls_value(cell: Any, datemode: int) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


def decode_text(data: bytes, file_name: str) -> str:
    """Decode a csv as Excel and WPS save it in China: UTF-8 (with or without BOM), UTF-16, GBK/GB18030."""
    if data[:3] == b"\xef\xbb\xbf":
        encodings = ["utf-8-sig"]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise NotALedger("ingest.file.encoding", file=file_name)


def _read_csv(data: bytes, file_name: str, ledger: Ledger, titles: list[str]) -> None:
    text = decode_text(data, file_name)
    sample = [ln for ln in text[:20_000].splitlines() if ln.strip()][:10]
    delimiter = max((",", "\t", ";", "|"), key=lambda d: sum(ln.count(d) for ln in sample))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list[Any]] = []
    lines: list[int] = []
    try:
        for record in reader:
            grid.append(record)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise NotALedger("ingest.file.bad_csv", file=file_name, error=exc) from exc
    sheet = Sheet(name=Path(file_name).name, grid=grid, epoch=_EXCEL_EPOCH, row_numbers=lines,
                  hint_name=Path(file_name).stem)
    _tables_from_sheet(sheet, ledger, titles)


def normalise_header(text: Any) -> str:
    """Header text as the alias table spells it: no spaces, units in brackets or * marks."""
    if text is None:
        return ""
    s = _SPACES.sub("", str(text))
    s = _BRACKETS.sub("", s).strip("*＊:：")
    return s.lower()


_ALL_ALIASES: dict[str, set[str]] = {}
for _kind, _fields in ALIASES.items():
    for _field, _names in _fields.items():
        for _n in _names:
            _ALL_ALIASES.setdefault(normalise_header(_n), set()).add(_kind)


def _is_alias(text: str) -> bool:
    return text in _ALL_ALIASES or text in IGNORED_HEADERS


def _tables_from_sheet(sheet: Sheet, ledger: Ledger, titles: list[str]) -> None:
    """Find the header in a sheet's grid and add the tables it holds to the ledger."""
    grid = sheet.grid
    width = max((len(r) for r in grid), default=0)
    if width == 0:
        return
    if any(len(r) != width for r in grid):
        grid = [list(r) + [None] * (width - len(r)) for r in grid]
    rows = pd.DataFrame(grid, dtype=object)
    # Merged cells: every cell of a merged range carries the top-left value
    # (title rows, two-level headers, a 地块 cell merged down its households).
    if sheet.merges:
        values = rows.to_numpy(dtype=object, copy=True)
        nrow, ncol = values.shape
        for r0, r1, c0, c1 in sheet.merges:
            r1, c1 = min(r1, nrow), min(c1, ncol)
            if r0 < nrow and c0 < ncol:
                values[r0:r1, c0:c1] = values[r0, c0]
        rows = pd.DataFrame(values, dtype=object)
    rows = rows.where(rows.notna(), None)
    row_no = np.asarray(sheet.row_numbers if sheet.row_numbers is not None else range(1, len(rows) + 1))

    scan = rows.iloc[:HEADER_SCAN_ROWS]
    norm = scan.map(normalise_header)
    scores = norm.map(_is_alias).sum(axis=1)
    if scores.empty or scores.max() < 2:
        if len(rows):
            ledger.notes.append(Note(sheet.name, msg("ingest.note.no_header")))
        return
    r = int(cast(int, scores.idxmax()))  # the sheet's rows keep their positional RangeIndex
    upper = r - 1 if r > 0 and scores.iloc[r - 1] >= 1 else None
    if upper is None and r + 1 < len(scores) and scores.iloc[r + 1] >= 2:
        upper, r = r, r + 1
    for t in range(upper if upper is not None else r):
        titles.extend(str(v) for v in rows.iloc[t] if v is not None and str(v).strip())

    # Per column: the header candidates, lower level first.
    candidates: list[list[tuple[str, str]]] = []
    for c in range(width):
        lower: object = rows.iat[r, c]  # a cell: text, number or date as read, never bytes
        up: object = rows.iat[upper, c] if upper is not None else None
        cands = []
        for raw in (lower, None if up is None or lower is None else f"{up}{lower}", up):
            if raw is not None and str(raw).strip():
                cands.append((normalise_header(raw), _SPACES.sub(" ", str(raw)).strip()))
        candidates.append(cands)
    column_names = [cands[0][1] if cands else get_column_letter(c + 1) for c, cands in enumerate(candidates)]

    fields_by_kind = _kinds_for(candidates, sheet.hint_name or sheet.name)
    if not fields_by_kind:
        ledger.notes.append(Note(sheet.name, msg("ingest.note.unknown_header")))
        return
    body = rows.iloc[r + 1:]
    body_rows = row_no[r + 1:]
    header_texts = {n for cands in candidates for n, _ in cands}
    key_col = next(cols[f][0] for cols in fields_by_kind.values()
                   for f in ("household_id", "block_id", "team_id", "name") if f in cols)
    totals = _total_rows(body, key_col)
    for pos, (c, label) in totals.items():
        row = int(body_rows[pos])
        ledger.notes.append(Note(sheet.name, msg("ingest.note.total_row", sheet=sheet.name, row=row,
                                                 column=column_names[c], label=label), row, column_names[c]))
    not_total = np.array([pos not in totals for pos in range(len(body))], dtype=bool)
    kept_rows: set[int] = set()
    for kind, columns in fields_by_kind.items():
        frame = pd.DataFrame({f: body.iloc[:, c].to_numpy() for f, (c, _) in columns.items()}, dtype=object)
        keep = _data_rows(frame, header_texts) & not_total
        table = Table(
            kind=kind,
            sheet=sheet.name,
            frame=frame[keep].reset_index(drop=True),
            rows=body_rows[keep],
            headers={f: text for f, (_, text) in columns.items()},
            epoch=sheet.epoch,
        )
        ledger.tables.append(table)
        kept_rows.update(int(x) for x in table.rows)
    used = sorted({c for cols in fields_by_kind.values() for c, _ in cols.values()})
    unknown = [cands[0][1] for c, cands in enumerate(candidates)
               if c not in used and cands and cands[0][0] not in IGNORED_HEADERS and cands[0][0]]
    if unknown:
        ledger.notes.append(Note(sheet.name, msg("ingest.note.unknown_columns", columns=list(dict.fromkeys(unknown)))))
    hidden_columns = [column_names[c] for c in used if c in sheet.hidden_cols]
    _note_hidden(sheet, sorted(kept_rows & sheet.hidden_rows), hidden_columns, ledger)


def _kinds_for(candidates: list[list[tuple[str, str]]], sheet: str) -> dict[str, dict[str, tuple[int, str]]]:
    """Which tables a header holds, and for each: field -> (column index, header text)."""
    mapped: dict[str, dict[str, tuple[int, str]]] = {}
    for kind, fields in ALIASES.items():
        lookup = {normalise_header(n): f for f, names in fields.items() for n in names}
        cols: dict[str, tuple[int, str]] = {}
        for c, cands in enumerate(candidates):
            for norm, raw in cands:
                f = lookup.get(norm)
                if f is not None:
                    if f not in cols:
                        cols[f] = (c, raw)
                    break
        mapped[kind] = cols
    score = {k: len(set(mapped[k]) & _DISTINCTIVE[k]) for k in KINDS}
    hint = _SHEET_HINTS.get(normalise_header(sheet))
    chosen: dict[str, dict[str, tuple[int, str]]] = {}
    for k in ("households", "progress"):
        if "household_id" in mapped[k] and (score[k] > 0 or hint == k):
            chosen[k] = mapped[k]
    if chosen:
        return chosen
    candidates_bt = [k for k in ("blocks", "teams") if score[k] > 0 or hint == k]
    if not candidates_bt:
        return {}
    best = max(candidates_bt, key=lambda k: (score[k], hint == k))
    if "name" not in mapped[best] and ID_FIELD[best] not in mapped[best]:
        return {}
    return {best: mapped[best]}


def _note_hidden(sheet: Sheet, rows: list[int], columns: list[str], ledger: Ledger) -> None:
    """Say that hidden rows and columns were imported (hidden is not deleted), and that a filter was ignored."""
    if sheet.autofilter:
        ledger.notes.append(Note(sheet.name, msg("ingest.note.autofilter", sheet=sheet.name, ref=sheet.autofilter)))
    if rows:
        ledger.notes.append(Note(sheet.name, msg("ingest.note.hidden_rows", sheet=sheet.name, rows=_spans(rows),
                                                 n=len(rows))))
    for name in columns:
        ledger.notes.append(Note(sheet.name, msg("ingest.note.hidden_column", sheet=sheet.name, column=name), None,
                                 name))


def _spans(rows: list[int]) -> list[str]:
    """Sorted row numbers as spans: [4, 5, 6, 9] -> ["4–6", "9"]."""
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return [str(a) if a == b else f"{a}–{b}" for a, b in spans]


def _total_label(v: Any) -> str | None:
    """The totals label a cell holds (合计, 小 计, 雁塔地块小计, ＴＯＴＡＬ …), or None."""
    if not isinstance(v, str):
        return None
    s = _SPACES.sub("", unicodedata.normalize("NFKC", v))
    return s if s and _TOTAL_LABEL.match(s) else None


def _is_count(v: Any) -> bool:
    """A cell a totals row may hold where a real row names itself: blank, a number, a count, a label."""
    if v is None or (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)):
        return True
    s = _SPACES.sub("", unicodedata.normalize("NFKC", str(v)))
    return not s or bool(_COUNT.match(s)) or _total_label(s) is not None


def _total_rows(body: pd.DataFrame, key_col: int) -> dict[int, tuple[int, str]]:
    """Totals and subtotals rows of a sheet body: position -> (column of the label, label).

    A row is one when some cell, in any column, is a totals label and its key
    column (户号, 编号, 名称) holds no name of its own — blank, a count such as
    ``=COUNTA(B4:B125)``, or the label itself. A real household whose address
    happens to read 合计路1号 keeps its row: that address is no label.
    """
    out: dict[int, tuple[int, str]] = {}
    values = body.to_numpy(dtype=object)
    for pos, row in enumerate(values):
        for c, v in enumerate(row):
            label = _total_label(v)
            if label is not None:
                if _is_count(row[key_col]):
                    out[pos] = (c, str(v).strip())
                break
    return out


def _data_rows(frame: pd.DataFrame, header_texts: set[str]) -> np.ndarray:
    """Rows that hold data: not blank, not notes, not a repeated header (totals rows go by :func:`_total_rows`)."""
    filled = frame.map(lambda v: v is not None and str(v).strip() != "")
    keep = filled.any(axis=1).to_numpy()
    if not len(frame):
        return keep
    text = frame.map(lambda v: normalise_header(v) if isinstance(v, str) else "")
    repeated = (text.isin(header_texts) & filled).sum(axis=1).to_numpy() >= 2
    first = frame.iloc[:, 0]
    note = (first.map(lambda v: isinstance(v, str) and bool(_NOTE_ROW.match(v.strip()))).to_numpy()
            & (filled.sum(axis=1).to_numpy() <= 1))
    return keep & ~repeated & ~note


# --------------------------------------------------------------------------
# Cell values


def parse_date_cells(values: pd.Series, epoch: date = _EXCEL_EPOCH) -> tuple[pd.Series, pd.Series]:
    """Parse a column of date cells as ledgers write them.

    Accepts real dates, Excel serial numbers and the texts 2023-09-26,
    2023/9/26, 2023.9.26, 2023年9月26日 and 20230926.

    Returns:
        (dates, bad): dates as ``datetime.date`` objects or None, and a boolean
        mask of non-blank cells that are not a plausible date.
    """
    parsed = values.map(lambda v: _date_or_bad(v, epoch))
    bad = parsed.map(lambda v: v is _BAD)
    dates = parsed.map(lambda v: None if v is _BAD else v)
    return dates.astype(object), bad.astype(bool)


_BAD = object()


def _date_or_bad(v: Any, epoch: date) -> Any:
    if v is None:
        return None
    if isinstance(v, datetime):
        d = v.date()
    elif isinstance(v, date):
        d = v
    elif isinstance(v, bool):
        return _BAD
    elif isinstance(v, (int, float, np.integer, np.floating)):
        if v != v:  # NaN
            return None
        try:  # an Excel serial; a time-of-day fraction is dropped
            d = epoch + timedelta(days=int(np.floor(v)))
        except (OverflowError, ValueError):
            return _BAD
    else:
        return _date_from_text(str(v))
    return d if _PLAUSIBLE[0] <= d <= _PLAUSIBLE[1] else _BAD


@lru_cache(maxsize=8192)
def _date_from_text(text: str) -> Any:
    s = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()  # ２０２３／９／２６ → 2023/9/26
    if not s or s in ("-", "—", "/", "无", "空"):
        return None
    m = _DATE_TEXT.match(s) or _DATE_COMPACT.match(s)
    if m is None:
        if re.fullmatch(r"\d+(\.0+)?", s):  # a serial number typed as text
            return _date_or_bad(int(float(s)), _EXCEL_EPOCH)
        return _BAD
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return _BAD
    return d if _PLAUSIBLE[0] <= d <= _PLAUSIBLE[1] else _BAD


def _as_of_from(texts: list[str]) -> date | None:
    """The as-of day written in title rows (截至2023年11月7日) or a file name (进度_20231107)."""
    found: list[tuple[bool, date]] = []
    for text in texts:
        for m in _DATE_IN_TEXT.finditer(text):
            y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
            try:
                day = date(int(y), int(mo), int(d))
            except ValueError:
                continue
            keyword = bool(re.search(r"(截至|截止|统计|as\s*of)\s*[:：]?\s*$", text[: m.start()], re.IGNORECASE))
            found.append((keyword, day))
    if not found:
        return None
    keyed = [d for k, d in found if k]
    return keyed[-1] if keyed else found[-1][1]
