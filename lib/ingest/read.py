"""Reading ledger files: bytes in, recognised tables out.

The only module that opens the district's files. It sniffs what a file really
is (xlsx, legacy xls, csv in any Chinese encoding, or a GIS file of
footprints), refuses anything that is not a ledger with :class:`NotALedger`,
finds the header row under merged title rows, maps the file's own header
texts to our field names through one alias table (:data:`ALIASES`), and drops
序号 columns, blank rows, repeated headers and 合计 rows. Values are left raw;
:mod:`lib.ingest` validates them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from lib import schema

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
_TOTAL_ROW = re.compile(r"^(合计|总计|小计|共计|总数|total)", re.IGNORECASE)
_NOTE_ROW = re.compile(r"^(制表|填表|填报|审核|备注|说明|注[:：]|联系人)")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_IN_TEXT = re.compile(r"(\d{4})\s*[-/.年_]\s*(\d{1,2})\s*[-/.月_]\s*(\d{1,2})\s*日?|(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_EXCEL_EPOCH = date(1899, 12, 30)
_PLAUSIBLE = (date(1990, 1, 1), date(2100, 12, 31))


class BilingualError(ValueError):
    """An error whose message exists in both languages: ``str(exc)`` is "中文 / English"."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class NotALedger(BilingualError):
    """The file is not a ledger at all (wrong type, encrypted, too big, empty)."""


@dataclass(frozen=True)
class Note:
    """Something the reader did that the user should know (not a problem)."""

    sheet: str
    message_zh: str
    message_en: str


@dataclass
class Table:
    """One recognised table from a sheet or csv file, values still raw.

    Attributes:
        kind: blocks | teams | households | progress.
        sheet: sheet name (workbook) or file name (csv), as the user sees it.
        frame: one column per recognised field, raw cell values (object).
        rows: the spreadsheet row (1-based, as Excel shows it) of each frame row.
        headers: field -> the file's own header text, for messages.
        epoch: day zero of Excel serial numbers in this workbook.
    """

    kind: str
    sheet: str
    frame: pd.DataFrame
    rows: np.ndarray
    headers: dict[str, str]
    epoch: date = _EXCEL_EPOCH


@dataclass
class Ledger:
    """Everything read from one or more files, before validation."""

    file_name: str
    sha256: str
    size: int
    tables: list[Table] = field(default_factory=list)
    footprints: pd.DataFrame | None = None  # GeoDataFrame: household_id, geometry, feature (1-based)
    footprints_sheet: str = ""
    as_of: date | None = None
    notes: list[Note] = field(default_factory=list)

    def tables_of(self, kind: str) -> list[Table]:
        """The tables of one kind, in file order."""
        return [t for t in self.tables if t.kind == kind]


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
        raise NotALedger("文件是空的。", "The file is empty.")
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    ledger = Ledger(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    report = progress or (lambda _f, _w: None)
    kind = _sniff(data, file_name)
    titles: list[str] = []
    if kind == "xlsx":
        _check_zip(data, max_unpacked_bytes)
        _read_xlsx(data, ledger, titles, report)
    elif kind == "xls":
        _read_xls(data, ledger, titles, report)
    elif kind == "gis":
        _read_gis(data, file_name, ledger, max_unpacked_bytes)
    else:
        _read_csv(data, file_name, ledger, titles)
    if not ledger.tables and ledger.footprints is None:
        raise NotALedger(
            f"“{file_name}”里没有找到台账表头（如 户号、名称、签约日期）。",
            f"No ledger header (such as 户号, 名称, 签约日期) was found in '{file_name}'.",
        )
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
                raise NotALedger("一次只能导入一个 GIS 文件。", "Only one GIS file can be imported at a time.")
            merged.footprints, merged.footprints_sheet = led.footprints, led.footprints_sheet
    days = {led.as_of for led in ledgers if led.as_of is not None}
    merged.as_of = max(days) if days else None
    if len(days) > 1:
        merged.notes.append(Note("", f"各文件的台账日期不同，按最晚的 {merged.as_of} 计。",
                                 f"The files give different as-of days; the latest, {merged.as_of}, is used."))
    return merged


# --------------------------------------------------------------------------
# What is this file?


def _too_big(size: int, limit: int) -> NotALedger:
    mb = lambda n: f"{n / 1024 / 1024:.1f} MB"  # noqa: E731
    return NotALedger(f"文件太大（{mb(size)}），上限是 {mb(limit)}。",
                      f"The file is too large ({mb(size)}); the limit is {mb(limit)}.")


def _sniff(data: bytes, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise NotALedger("文件已损坏（zip 结构无效）。", "The file is damaged (not a valid zip container).") from exc
        if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
            return "xlsx"
        if any(n.lower().endswith(".shp") for n in names):
            return "gis"
        raise NotALedger("这是一个 zip 压缩包，但既不是 Excel 工作簿也不是 Shapefile。",
                         "This is a zip archive but neither an Excel workbook nor a zipped Shapefile.")
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
        raise NotALedger(
            f"“{file_name}”不是电子表格或 csv 文件（可能是改了扩展名的其他文件）。",
            f"'{file_name}' is not a spreadsheet or csv file (perhaps another kind of file renamed).",
        )
    return "csv"


def _encrypted() -> NotALedger:
    return NotALedger("工作簿设置了打开密码，请在 Excel 中取消密码后再导入。",
                      "The workbook is password-protected; remove the password in Excel and import it again.")


def _check_zip(data: bytes, limit: int) -> None:
    """Refuse a zip bomb before any parser inflates it (sizes from the central directory).

    zipfile stops each member at its declared size, so a member cannot lie past
    this check.
    """
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    total = sum(i.file_size for i in infos)
    if total > limit or len(infos) > 10_000:
        raise NotALedger(
            f"文件解压后过大（{total / 1024 / 1024:.0f} MB），疑似压缩炸弹，已拒绝。",
            f"The file would unpack to {total / 1024 / 1024:.0f} MB; refused as a possible zip bomb.",
        )


# --------------------------------------------------------------------------
# Workbooks and csv → grids → tables


def _read_xlsx(data: bytes, ledger: Ledger, titles: list[str], report: Progress) -> None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        ledger.notes.append(Note("", "工作簿含有宏，宏已忽略（不会运行）。",
                                 "The workbook contains macros; they were ignored (never run)."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_vba=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise NotALedger("无法打开这个 Excel 工作簿（文件可能已损坏）。",
                         "This Excel workbook cannot be opened (the file may be damaged).") from exc
    epoch = wb.epoch.date() if isinstance(wb.epoch, datetime) else _EXCEL_EPOCH
    sheets = wb.worksheets
    for i, ws in enumerate(sheets):
        report(i / max(len(sheets), 1), ws.title)
        if ws.sheet_state != "visible":
            ledger.notes.append(Note(ws.title, "隐藏的工作表已忽略。", "Hidden sheet ignored."))
            continue
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges]
        _tables_from_grid(grid, merges, ws.title, ledger, titles, epoch)


def _read_xls(data: bytes, ledger: Ledger, titles: list[str], report: Progress) -> None:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise _encrypted() from exc
        raise NotALedger("无法打开这个 .xls 文件（可能不是 Excel 工作簿，或已损坏）。",
                         "This .xls file cannot be opened (not an Excel workbook, or damaged).") from exc
    except Exception as exc:  # xlrd raises assorted errors on damaged files
        raise NotALedger("无法打开这个 .xls 文件（可能不是 Excel 工作簿，或已损坏）。",
                         "This .xls file cannot be opened (not an Excel workbook, or damaged).") from exc
    epoch = date(1904, 1, 1) if book.datemode else _EXCEL_EPOCH
    for i in range(book.nsheets):
        sh = book.sheet_by_index(i)
        report(i / max(book.nsheets, 1), sh.name)
        if sh.visibility:
            ledger.notes.append(Note(sh.name, "隐藏的工作表已忽略。", "Hidden sheet ignored."))
            continue
        grid = [[_xls_value(sh.cell(r, c), book.datemode) for c in range(sh.ncols)] for r in range(sh.nrows)]
        _tables_from_grid(grid, list(sh.merged_cells), sh.name, ledger, titles, epoch)


def _xls_value(cell: Any, datemode: int) -> Any:
    import xlrd

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
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise NotALedger(f"无法识别“{file_name}”的文字编码（支持 UTF-8、GBK/GB18030）。",
                     f"The text encoding of '{file_name}' is not recognised (UTF-8 and GBK/GB18030 are supported).")


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
        raise NotALedger(f"“{file_name}”不是有效的 csv 文件：{exc}", f"'{file_name}' is not a valid csv file: {exc}") from exc
    sheet = Path(file_name).name
    _tables_from_grid(grid, [], sheet, ledger, titles, _EXCEL_EPOCH, row_numbers=lines, hint_name=Path(file_name).stem)


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


def _tables_from_grid(
    grid: list[list[Any]],
    merges: list[tuple[int, int, int, int]],
    sheet: str,
    ledger: Ledger,
    titles: list[str],
    epoch: date,
    *,
    row_numbers: list[int] | None = None,
    hint_name: str | None = None,
) -> None:
    """Find the header in a sheet's grid and add the tables it holds to the ledger."""
    width = max((len(r) for r in grid), default=0)
    if width == 0:
        return
    if any(len(r) != width for r in grid):
        grid = [list(r) + [None] * (width - len(r)) for r in grid]
    rows = pd.DataFrame(grid, dtype=object)
    # Merged cells: every cell of a merged range carries the top-left value
    # (title rows, two-level headers, a 地块 cell merged down its households).
    if merges:
        values = rows.to_numpy(dtype=object, copy=True)
        nrow, ncol = values.shape
        for r0, r1, c0, c1 in merges:
            r1, c1 = min(r1, nrow), min(c1, ncol)
            if r0 < nrow and c0 < ncol:
                values[r0:r1, c0:c1] = values[r0, c0]
        rows = pd.DataFrame(values, dtype=object)
    rows = rows.where(rows.notna(), None)
    row_no = np.asarray(row_numbers if row_numbers is not None else range(1, len(rows) + 1))

    scan = rows.iloc[:HEADER_SCAN_ROWS]
    norm = scan.map(normalise_header)
    scores = norm.map(_is_alias).sum(axis=1)
    if scores.empty or scores.max() < 2:
        if len(rows):
            ledger.notes.append(Note(sheet, "没有找到表头，此表已忽略。", "No header found; sheet ignored."))
        return
    r = int(scores.idxmax())
    upper = r - 1 if r > 0 and scores.iloc[r - 1] >= 1 else None
    if upper is None and r + 1 < len(scores) and scores.iloc[r + 1] >= 2:
        upper, r = r, r + 1
    for t in range(0, upper if upper is not None else r):
        titles.extend(str(v) for v in rows.iloc[t] if v is not None and str(v).strip())

    # Per column: the header candidates, lower level first.
    candidates: list[list[tuple[str, str]]] = []
    for c in range(width):
        lower = rows.iat[r, c]
        up = rows.iat[upper, c] if upper is not None else None
        cands = []
        for raw in (lower, None if up is None or lower is None else f"{up}{lower}", up):
            if raw is not None and str(raw).strip():
                cands.append((normalise_header(raw), _SPACES.sub(" ", str(raw)).strip()))
        candidates.append(cands)

    fields_by_kind = _kinds_for(candidates, hint_name or sheet)
    if not fields_by_kind:
        ledger.notes.append(Note(sheet, "表头无法识别为地块、工作组、户或进度表，此表已忽略。",
                                 "The header does not match blocks, teams, households or progress; sheet ignored."))
        return
    body = rows.iloc[r + 1:]
    body_rows = row_no[r + 1:]
    header_texts = {n for cands in candidates for n, _ in cands}
    for kind, columns in fields_by_kind.items():
        frame = pd.DataFrame({f: body.iloc[:, c].to_numpy() for f, (c, _) in columns.items()}, dtype=object)
        keep = _data_rows(frame, body, header_texts)
        table = Table(
            kind=kind,
            sheet=sheet,
            frame=frame[keep].reset_index(drop=True),
            rows=body_rows[keep],
            headers={f: text for f, (_, text) in columns.items()},
            epoch=epoch,
        )
        ledger.tables.append(table)
    used = {c for cols in fields_by_kind.values() for c, _ in cols.values()}
    unknown = [cands[0][1] for c, cands in enumerate(candidates)
               if c not in used and cands and cands[0][0] not in IGNORED_HEADERS and cands[0][0]]
    if unknown:
        shown = "、".join(dict.fromkeys(unknown))
        ledger.notes.append(Note(sheet, f"未识别的列已忽略：{shown}", f"Columns not recognised, ignored: {shown}"))


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


def _data_rows(frame: pd.DataFrame, body: pd.DataFrame, header_texts: set[str]) -> np.ndarray:
    """Rows that hold data: not blank, not 合计/notes, not a repeated header."""
    filled = frame.map(lambda v: v is not None and str(v).strip() != "")
    keep = filled.any(axis=1).to_numpy()
    if not len(frame):
        return keep
    text = frame.map(lambda v: normalise_header(v) if isinstance(v, str) else "")
    # a 合计 row says so somewhere and names no household, block or team (an address
    # like 合计路1号 on a real row must not drop it)
    is_total = body.map(lambda v: isinstance(v, str) and bool(_TOTAL_ROW.match(v.strip())))
    key = next((f for f in ("household_id", "block_id", "team_id", "name") if f in frame.columns), None)
    if key is None:
        unnamed = np.ones(len(frame), dtype=bool)
    else:
        key_is_total = frame[key].map(lambda v: isinstance(v, str) and bool(_TOTAL_ROW.match(v.strip())))
        unnamed = ~filled[key].to_numpy(dtype=bool) | key_is_total.to_numpy(dtype=bool)
    total = is_total.any(axis=1).to_numpy() & unnamed
    repeated = (text.isin(header_texts) & filled).sum(axis=1).to_numpy() >= 2
    first = frame.iloc[:, 0]
    note = (first.map(lambda v: isinstance(v, str) and bool(_NOTE_ROW.match(v.strip()))).to_numpy()
            & (filled.sum(axis=1).to_numpy() <= 1))
    return keep & ~total & ~repeated & ~note


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


# --------------------------------------------------------------------------
# GIS footprints


def _read_gis(data: bytes, file_name: str, ledger: Ledger, max_unpacked: int) -> None:
    import geopandas as gpd

    with tempfile.TemporaryDirectory(prefix="ledger-gis-") as tmp:
        if data[:2] == b"PK":
            unreadable = NotALedger(f"“{file_name}”不是可读取的压缩 Shapefile（需含 .shp）。",
                                    f"'{file_name}' is not a readable zipped Shapefile (a .shp is needed).")
            try:
                _check_zip(data, max_unpacked)
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    shps = [n for n in z.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
                    for n in z.namelist():
                        p = PurePosixPath(n)
                        if n.endswith("/") or p.is_absolute() or ".." in p.parts:
                            continue
                        target = Path(tmp, *p.parts)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(z.read(n))
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise unreadable from exc
            if not shps:
                raise unreadable
            path = Path(tmp, *PurePosixPath(shps[0]).parts)
        else:
            suffix = ".gpkg" if data[:16] == b"SQLite format 3\x00" else ".geojson"
            path = Path(tmp, "footprints" + suffix)
            path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            raise NotALedger(f"无法读取 GIS 文件“{file_name}”。", f"The GIS file '{file_name}' cannot be read.") from exc
    lookup = {normalise_header(n) for n in (*_HOUSEHOLD_ID, "hh_id", "fwbh")}
    id_col = next((c for c in gdf.columns if c != gdf.geometry.name and normalise_header(c) in lookup), None)
    if id_col is None:
        shown = "、".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        raise NotALedger(f"GIS 文件“{file_name}”没有 户号 字段（现有字段：{shown}）。",
                         f"The GIS file '{file_name}' has no 户号 field (fields: {shown}).")
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds if len(gdf) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise NotALedger(f"GIS 文件“{file_name}”没有坐标系（缺少 .prj），无法定位。",
                             f"The GIS file '{file_name}' has no coordinate system (.prj missing); it cannot be placed.")
        gdf = gdf.set_crs(schema.CRS)
        ledger.notes.append(Note(file_name, "GIS 文件没有坐标系，按经纬度（EPSG:4326）读取。",
                                 "The GIS file has no coordinate system; read as longitude/latitude (EPSG:4326)."))
    gdf = gdf.to_crs(schema.CRS)
    ids = gdf[id_col].map(lambda v: "" if v is None or v != v else _id_text(v))
    ledger.footprints = gpd.GeoDataFrame(
        {"household_id": ids.to_numpy(), "feature": np.arange(1, len(gdf) + 1)},
        geometry=gdf.geometry.to_numpy(),
        crs=schema.CRS,
    )
    ledger.footprints_sheet = file_name


def _id_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
