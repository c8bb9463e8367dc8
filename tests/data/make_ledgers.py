"""Generate ledger files the way district offices make them, for the ingest tests.

Nothing here is committed as a binary: tests call these functions (into
memory or ``tmp_path``), and ``python tests/data/make_ledgers.py OUTDIR``
writes the whole corpus to a folder for trying the importer by hand.

The tiny campaign (2 blocks, 3 teams, 6 households) is small enough that every
expected number in a test can be checked by eye.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

BLOCKS = [
    ["编号", "名称", "区", "街道", "启动日期", "截止日期", "用地面积"],
    ["yanta-2", "雁塔二地块", "台江区", "宁化街道", date(2023, 9, 16), date(2023, 12, 24), 52000.0],
    ["zhuangyuan", "状元地块", "台江区", "新港街道", date(2023, 9, 26), date(2024, 1, 3), 61000.0],
]
TEAMS = [
    ["编号", "名称", "单位", "类型", "负责人", "地块"],
    ["ctjt-1", "城投集团工作组", "城投集团", "工作组", "林建", "雁塔二地块"],
    ["ninghua", "宁化街道工作组", "宁化街道", "工作组", "陈明", "zhuangyuan"],
    ["xingang", "新港社区突击队", "新港社区", "突击队", "王芳", "状元地块"],
]
HOUSEHOLDS = [
    ["户号", "地块", "工作组", "房屋坐落", "房屋用途", "产权性质", "建筑面积", "被征收人", "标记"],
    ["Y-001", "雁塔二地块", "城投集团工作组", "雁塔路1号", "住宅", "单位产-央企", 65.5, "陈一", ""],
    ["Y-002", "雁塔二地块", "ctjt-1", "雁塔路2号", "杂物间", "单位产-省属", 12.0, "陈二", "孤寡老人"],
    ["Y-003", "yanta-2", "城投集团工作组", "雁塔路3号", "住宅", "私产", 80.25, "陈三", "困难户|上门签约"],
    ["Z-001", "状元地块", "宁化街道工作组", "状元巷1号", "住宅", "私产", 70.0, "林一", ""],
    ["Z-002", "状元地块", "新港社区突击队", "状元巷2号", "非住宅", "公产", 150.0, "林二", ""],
    ["Z-003", "状元地块", "xingang", "状元巷3号", "住宅", "单位产-市属", 55.0, "林三", "上门签约"],
]
PROGRESS = [
    ["户号", "入户调查日期", "评估日期", "签约日期", "封房日期", "交房日期", "拆除日期"],
    ["Y-001", date(2023, 9, 16), date(2023, 9, 20), date(2023, 10, 1), date(2023, 10, 10), None, None],
    ["Y-002", date(2023, 9, 17), date(2023, 9, 21), date(2023, 10, 2), date(2023, 10, 12), None, None],
    ["Y-003", date(2023, 9, 18), date(2023, 9, 22), date(2023, 10, 18), date(2023, 10, 18), None, None],
    ["Z-001", date(2023, 9, 26), date(2023, 10, 1), date(2023, 10, 20), None, None, None],
    ["Z-002", date(2023, 9, 27), date(2023, 10, 2), None, None, None, None],
    ["Z-003", date(2023, 9, 28), None, None, None, None, None],
]
AS_OF = date(2023, 11, 7)
TINY = {"地块": BLOCKS, "工作组": TEAMS, "户": HOUSEHOLDS, "进度": PROGRESS}
STAGES = ("surveyed", "appraised", "signed", "sealed", "handed_over", "demolished")


# --------------------------------------------------------------------------
# Workbooks


def xlsx(
    sheets: dict[str, list[list[Any]]],
    *,
    merges: dict[str, list[str]] | None = None,
    hidden: tuple[str, ...] = (),
    date_format: str = "yyyy/m/d",
) -> bytes:
    """An xlsx with the given rows per sheet; ``merges`` are ranges like "A1:G1"."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (date, datetime)):
                    cell.number_format = date_format
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_cached_formulas(data: bytes, sheet_index: int, values: dict[str, Any]) -> bytes:
    """Give formula cells the cached values Excel would have saved (openpyxl writes none)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    target = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == target:
                text = body.decode("utf-8")
                for ref, value in values.items():
                    pattern = re.compile(rf'(<c r="{ref}"[^>]*)(>)(<f>.*?</f>)(<v\s*/>|<v></v>)?')
                    typ = ' t="str"' if isinstance(value, str) else ""
                    text = pattern.sub(lambda m, typ=typ, value=value: f"{m.group(1)}{typ}>{m.group(3)}<v>{value}</v>", text)
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def with_macros(data: bytes) -> bytes:
    """The same workbook with a (dummy) VBA project inside, as an .xlsm carries."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nEnd Sub")
    return out.getvalue()


def encrypted(data: bytes, password: str = "123456") -> bytes:
    """The workbook encrypted with an open password, as Excel's 用密码进行加密 saves it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def zip_bomb(unpacked_mb: int = 400) -> bytes:
    """An "xlsx" whose sheet inflates to ``unpacked_mb`` MB of zeros (about 400 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                f.write(chunk)
    return out.getvalue()


def xls(sheets: dict[str, list[list[Any]]], *, merges: dict[str, list[tuple[int, int, int, int]]] | None = None) -> bytes:
    """A legacy .xls (BIFF8) through xlwt; ``merges`` are (row0, row1, col0, col1) inclusive, 0-based."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        merged_cells = set()
        for r0, r1, c0, c1 in (merges or {}).get(name, []):
            top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            ws.write_merge(r0, r1, c0, c1, top)
            merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (r, c) in merged_cells or v is None:
                    continue
                if isinstance(v, (date, datetime)):
                    ws.write(r, c, datetime(v.year, v.month, v.day), date_style)
                else:
                    ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", *, delimiter: str = ",", date_style: str = "%Y-%m-%d") -> bytes:
    """A csv as Excel/WPS save it; ``encoding`` utf-8, utf-8-sig, gbk, gb18030 or utf-16."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        w.writerow(["" if v is None else _date_text(v, date_style) if isinstance(v, date) else v for v in row])
    return buf.getvalue().encode(encoding)


def _date_text(d: date, style: str) -> str:
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    return d.strftime(style)


def district_office_workbook() -> bytes:
    """The acceptance workbook: merged title row, two-level merged headers, 序号, a 地块 cell merged
    down its households, mixed date styles (real dates, serials, texts), a blank row and a 合计 row."""
    title = ["台江区旧改征收百日攻坚进度台账（截至2023年11月7日）"] + [None] * 10
    top = ["序号", "户号", "基本信息", None, None, None, None, "进度（日期）", None, None, None]
    sub = [None, None, "地块", "工作组", "房屋坐落", "房屋用途", "产权性质", "入户调查", "评估", "签约", "封房"]
    rows = [title, top, sub]
    styles = [lambda d: d, lambda d: (d - date(1899, 12, 30)).days, lambda d: f"{d.year}/{d.month}/{d.day}",
              lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d.year}.{d.month}.{d.day}",
              lambda d: d.isoformat()]
    hh = {r[0]: r for r in HOUSEHOLDS[1:]}
    for i, p in enumerate(PROGRESS[1:]):
        h = hh[p[0]]
        dates = [None if d is None else styles[(i + j) % len(styles)](d) for j, d in enumerate(p[1:5])]
        rows.append([i + 1, p[0], h[1], h[2], h[3], h[4], h[5], *dates])
        if i == 2:
            rows.append([None] * 11)  # the blank row someone left between blocks
    rows.append(["合计", None, None, None, None, None, None, 6, 5, 4, 3])
    merges = ["A1:K1", "A2:A3", "B2:B3", "C2:G2", "H2:K2", "C4:C6", "C8:C10"]
    # households 1-3 sit in rows 4-6 (雁塔二地块 merged down), 4-6 in rows 8-10 (after the blank row 7)
    return xlsx({"进度台账": rows}, merges={"进度台账": merges})


# --------------------------------------------------------------------------
# What an office PC really keeps: the district's own progress workbook
#
# Written with openpyxl here, then saved again by LibreOffice in the tests'
# build step (tests/conftest.py ``office_corpus``), so the tests read what
# Excel/WPS/LibreOffice write: computed formula values, explicit cell types,
# escaped number formats, styled empty rows.

#: The acceptance workbook's households: id, block (by name or id), team (by id or name), address, use,
#: ownership, area (a number or a formula), and the surveyed/appraised/signed/sealed dates.
OFFICE_HOUSEHOLDS = [
    ["Y-001", "雁塔二地块", "ctjt-1", "雁塔路1号", "住宅", "单位产-央企", 65.5,
     date(2023, 9, 16), date(2023, 9, 20), date(2023, 10, 1), date(2023, 10, 10)],
    ["Y-002", "雁塔二地块", "ctjt-1", "雁塔路2号", "杂物间", "单位产-省属", "=52.36+8.14",
     date(2023, 9, 17), date(2023, 9, 21), date(2023, 10, 2), None],
    ["Y-003", "雁塔二地块", "ctjt-1", "合计路3号", "住宅", "私产", 80.25,
     date(2023, 9, 18), date(2023, 9, 22), None, None],
    ["Y-004", "雁塔二地块", "ctjt-1", "雁塔路4号", "住宅", "私产", 44.0, date(2023, 9, 19), None, None, None],
    ["Z-001", "zhuangyuan", "宁化街道工作组", "状元巷1号", "住宅", "私产", 70.0,
     date(2023, 9, 26), date(2023, 10, 1), date(2023, 10, 20), None],
    ["Z-002", "zhuangyuan", "新港社区突击队", "状元巷2号", "非住宅", "公产", 150.0,
     date(2023, 9, 27), date(2023, 10, 2), None, None],
    ["Z-003", "zhuangyuan", "新港社区突击队", "状元巷3号", "住宅", "单位产-市属", 55.0,
     date(2023, 9, 28), None, None, None],
    ["Z-004", "zhuangyuan", "宁化街道工作组", "状元巷4号", "住宅", "私产", 61.0, None, None, None, None],
]
OFFICE_IDS = [h[0] for h in OFFICE_HOUSEHOLDS]
#: Sheet rows of the acceptance workbook's 小计 and 合计 rows (see :func:`office_workbook`).
OFFICE_TOTAL_ROWS = (8, 14, 16)
_OFFICE_TITLE = "台江区旧改征收百日攻坚进度台账（截至2023年11月7日）"
_OFFICE_TOP = ["序号", "户号", "基本信息", None, None, None, None, None, "进度（日期）", None, None, None]
_OFFICE_SUB = [None, None, "地块", "工作组", "房屋坐落", "房屋用途", "产权性质", "建筑面积",
               "入户调查", "评估", "签约", "封房"]
#: The four ways a date reaches a ledger, used in turn: a date cell, text, a bare serial, a Chinese-format date cell.
_DATE_FORMS = ("cell", "text", "serial", "cn")


def _office_date(d: date | None, form: str) -> Any:
    if d is None:
        return None
    if form == "text":
        return f"{d.year}/{d.month}/{d.day}" if d.day % 2 else f"{d.year}年{d.month}月{d.day}日"
    if form == "serial":
        return (d - date(1899, 12, 30)).days
    return d


def office_workbook(*, errors: bool = False, hidden: bool = False, totals_first: bool = False) -> bytes:
    """The district's progress workbook as an office keeps it (the issue-11 acceptance workbook).

    地块 and 工作组 sheets (a deadline written ``=E2+99``), and a 进度 sheet with a
    merged title, a two-level header, households with their dates in four
    forms, a per-block 小计 row after each block (``=COUNTA`` in 户号, ``=COUNT``
    under the dates), blank separator rows and a final 合计 row whose 户号 is
    ``=COUNTA(B4:B125)``. Households name blocks by name and teams by id, or
    the other way round.

    Args:
        errors: put exactly three real errors in (a date, a team, a use).
        hidden: hide rows 5–6 and the 评估 column, and leave an autofilter on.
        totals_first: the 合计 row right under the header instead of at the end.
    """
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "地块"
    ws.append(BLOCKS[0])
    for i, b in enumerate(BLOCKS[1:], start=2):
        ws.append([*b[:5], f"=E{i}+99", b[6]])
        ws[f"E{i}"].number_format = "yyyy\\-mm\\-dd"
        ws[f"F{i}"].number_format = "yyyy\\-mm\\-dd"
    teams = wb.create_sheet("工作组")
    for row in TEAMS:
        teams.append(row)
    prog = wb.create_sheet("进度")
    prog.append([_OFFICE_TITLE] + [None] * 11)
    prog.append(_OFFICE_TOP)
    prog.append(_OFFICE_SUB)
    households = [list(h) for h in OFFICE_HOUSEHOLDS]
    if errors:
        households[1][9] = "十月二号"  # Y-002 signed: not a date
        households[4][2] = "第九工作组"  # Z-001: no such team
        households[6][4] = "仓库"  # Z-003: not a property type
    last_row = 3 + len(households) + 2 * 2 + 1
    grand_total = ["合计", "=COUNTA(B4:B125)", None, None, None, None, None, "=SUM(H4:H125)",
                   *[f"=COUNT({c}4:{c}{last_row - 1})" for c in "IJKL"]]
    if totals_first:
        prog.append(grand_total)
    n = 0
    for block in (households[:4], households[4:]):
        first = prog.max_row + 1
        for h in block:
            n += 1
            prog.append([n, *h[:7], *[_office_date(d, _DATE_FORMS[(n + j) % 4]) for j, d in enumerate(h[7:])]])
            r = prog.max_row
            for j, _d in enumerate(h[7:]):
                cell = prog.cell(row=r, column=9 + j)
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy\\年m\\月d\\日" if _DATE_FORMS[(n + j) % 4] == "cn" else "yyyy\\-mm\\-dd"
        end = prog.max_row
        prog.append(["小计", f"=COUNTA(B{first}:B{end})", None, None, None, None, None, f"=SUM(H{first}:H{end})",
                     *[f"=COUNT({c}{first}:{c}{end})" for c in "IJKL"]])
        prog.append([None] * 12)  # the blank row between blocks, styled like the table
        for cell in prog[prog.max_row]:
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
    if not totals_first:
        prog.append(grand_total)
    for r in range(prog.max_row + 1, prog.max_row + 30):  # styled empty rows under the table
        prog.cell(row=r, column=2).fill = PatternFill("solid", fgColor="FFFFFF")
    prog.merge_cells("A1:L1")
    prog.merge_cells("A2:A3")
    prog.merge_cells("B2:B3")
    prog.merge_cells("C2:H2")
    prog.merge_cells("I2:L2")
    if hidden:
        prog.row_dimensions[5].hidden = True
        prog.row_dimensions[6].hidden = True
        prog.column_dimensions["J"].hidden = True
        prog.auto_filter.ref = f"A3:L{prog.max_row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def office_expected_notes(lang: str = "zh", *, totals_first: bool = False) -> list[str]:
    """The info lines the importer gives for the acceptance workbook's 小计/合计 rows, in sheet order."""
    rows = (4, 9, 15) if totals_first else OFFICE_TOTAL_ROWS
    labels = ("合计", "小计", "小计") if totals_first else ("小计", "小计", "合计")
    if lang == "zh":
        return [f"“进度”表第 {r} 行为合计行，已跳过（“序号”列为“{label}”）。" for r, label in zip(rows, labels, strict=False)]
    return [f"Sheet '进度', row {r} is a totals row, skipped (column '序号' reads '{label}')."
            for r, label in zip(rows, labels, strict=False)]


#: The corpus the tests' build step saves again through LibreOffice: name -> openpyxl bytes.
def office_corpus() -> dict[str, bytes]:
    """Every office shape, as openpyxl writes it (the build step converts each with LibreOffice)."""
    return {
        "office.xlsx": office_workbook(),
        "office_errors.xlsx": office_workbook(errors=True),
        "office_hidden.xlsx": office_workbook(hidden=True),
        "office_totals_first.xlsx": office_workbook(totals_first=True),
    }


def libreoffice_convert(sources: dict[str, bytes], outdir: Path, soffice: str = "soffice") -> dict[str, Any]:
    """Save every workbook again through LibreOffice: as xlsx, as .xls (BIFF8) and the 进度 sheet as GBK csv.

    Returns {"xlsx": {name: path}, "xls": {...}, "csv": {...}, "seconds": {format: seconds}}. Each format is
    one soffice run over all files, with a private profile so parallel runs do not collide.
    """
    src = outdir / "openpyxl"
    src.mkdir(parents=True, exist_ok=True)
    for name, data in sources.items():
        (src / name).write_bytes(data)
    inputs = [str(src / name) for name in sources]
    profile = (outdir / "profile").resolve().as_uri()
    # csv: comma, double quote, GBK (67), start row 1, cells as shown, sheet 3 (进度)
    targets = {"xlsx": "xlsx", "xls": "xls",
               "csv": "csv:Text - txt - csv (StarCalc):44,34,67,1,,0,false,true,true,false,false,3"}
    out: dict[str, Any] = {"seconds": {}}
    for fmt, target in targets.items():
        dest = outdir / fmt
        started = time.perf_counter()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(dest), *inputs], check=True, capture_output=True, timeout=300)
        out["seconds"][fmt] = round(time.perf_counter() - started, 2)
        found = {}
        for name in sources:
            stem = Path(name).stem
            hits = sorted(dest.glob(f"{stem}.{fmt}")) or sorted(dest.glob(f"{stem}-*.{fmt}"))
            if not hits:
                raise FileNotFoundError(f"LibreOffice wrote no {fmt} for {name} in {dest}")
            found[name] = hits[0]
        out[fmt] = found
    return out


# --------------------------------------------------------------------------
# GIS footprints


def footprints(ids: list[str], crs: str = "EPSG:4547") -> Any:
    """Small square footprints near Fuzhou, one per household id, in a projected CRS (CGCS2000 GK 3° zone 39)."""
    import geopandas as gpd
    from shapely.geometry import box

    origin = gpd.GeoSeries.from_xy([119.30], [26.05], crs="EPSG:4326").to_crs(crs).iloc[0]
    geoms = [box(origin.x + 20 * i, origin.y, origin.x + 20 * i + 15, origin.y + 12) for i in range(len(ids))]
    return gpd.GeoDataFrame({"户号": ids}, geometry=geoms, crs=crs)


def gis_bytes(gdf: Any, kind: str) -> bytes:
    """The footprints as GeoJSON, GeoPackage or a zipped Shapefile (in a subfolder, as people zip them)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        if kind == "geojson":
            gdf.to_file(f"{tmp}/fp.geojson", driver="GeoJSON")
            return Path(tmp, "fp.geojson").read_bytes()
        if kind == "gpkg":
            gdf.to_file(f"{tmp}/fp.gpkg", driver="GPKG")
            return Path(tmp, "fp.gpkg").read_bytes()
        gdf.to_file(f"{tmp}/房屋图斑.shp", encoding="utf-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for p in Path(tmp).iterdir():
                z.write(p, f"图斑/{p.name}")
        return out.getvalue()


# --------------------------------------------------------------------------
# A current campaign (what store.load_frames returns), for tests without a database


def campaign(with_progress: bool = True, data_version: int = 1) -> SimpleNamespace:
    """The tiny campaign as ``store.load_frames`` shapes it (ids resolved, dates as datetime64)."""
    import geopandas as gpd

    blocks = pd.DataFrame([r[:7] for r in BLOCKS[1:]], columns=["block_id", "name", "district", "subdistrict",
                                                                 "launch_date", "deadline", "land_area_m2"])
    teams = pd.DataFrame([[r[0], r[1], r[2], r[3], r[4], {"雁塔二地块": "yanta-2", "状元地块": "zhuangyuan"}.get(r[5], r[5])]
                          for r in TEAMS[1:]], columns=["team_id", "name", "organisation", "kind", "leader", "block_id"])
    names = {"雁塔二地块": "yanta-2", "状元地块": "zhuangyuan"}
    tnames = dict(zip(teams["name"], teams["team_id"], strict=False))
    hh = pd.DataFrame([[r[0], names.get(r[1], r[1]), tnames.get(r[2], r[2]), *r[3:]] for r in HOUSEHOLDS[1:]],
                      columns=["household_id", "block_id", "team_id", "address", "property_type", "ownership",
                               "floor_area_m2", "owner_name", "flags"])
    prog = {r[0]: r[1:] for r in PROGRESS[1:]}
    for i, s in enumerate(STAGES):
        hh[f"date_{s}"] = pd.to_datetime([prog[h][i] if with_progress else None for h in hh["household_id"]])
    hh = gpd.GeoDataFrame(hh, geometry=[None] * len(hh), crs="EPSG:4326")
    ms = [{"household_id": h, "stage": s, "date": prog[h][i], "import_batch_id": 1}
          for h in prog for i, s in enumerate(STAGES) if with_progress and prog[h][i] is not None]
    return SimpleNamespace(blocks=gpd.GeoDataFrame(blocks, geometry=[None] * 2, crs="EPSG:4326"), teams=teams,
                           households=hh, milestones=pd.DataFrame(ms, columns=["household_id", "stage", "date",
                                                                             "import_batch_id"]),
                           data_version=data_version)


def big_campaign_rows(n: int = 10_000) -> dict[str, list[list[Any]]]:
    """A 4-sheet ledger of ``n`` households over 10 blocks, for the import timing."""
    from datetime import timedelta

    blocks = [BLOCKS[0]] + [[f"b{i}", f"第{i}地块", "台江区", "宁化街道", date(2023, 9, 16), None, 10000.0]
                            for i in range(10)]
    teams = [TEAMS[0]] + [[f"t{i}", f"第{i}工作组", "宁化街道", "工作组", "张", f"b{i % 10}"] for i in range(40)]
    hh = [HOUSEHOLDS[0]]
    prog = [PROGRESS[0]]
    for i in range(n):
        b = i % 10
        hh.append([f"H{i:06d}", f"第{b}地块", f"第{b + 10 * (i % 4)}工作组", f"路{i}号", "住宅", "私产", 60.0 + i % 50,
                   f"户主{i}", "困难户" if i % 17 == 0 else ""])
        d0 = date(2023, 9, 16) + timedelta(days=i % 20)
        stages = [d0 + timedelta(days=k * (1 + i % 5)) for k in range(1 + i % 4)]
        prog.append([f"H{i:06d}", *stages, *([None] * (6 - len(stages)))])
    return {"地块": blocks, "工作组": teams, "户": hh, "进度": prog}


def main(outdir: str) -> None:
    """Write the whole corpus to ``outdir`` for trying the importer by hand."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tiny.xlsx").write_bytes(xlsx(TINY))
    (out / "tiny.xls").write_bytes(xls(TINY))
    (out / "district_office_20231107.xlsx").write_bytes(district_office_workbook())
    for name, rows in TINY.items():
        for enc in ("utf-8", "utf-8-sig", "gbk"):
            (out / f"{name}_{enc}.csv").write_bytes(csv_bytes(rows, enc))
    fp = footprints([r[0] for r in HOUSEHOLDS[1:]])
    for kind, ext in (("geojson", "geojson"), ("gpkg", "gpkg"), ("shp", "zip")):
        (out / f"footprints.{ext}").write_bytes(gis_bytes(fp, kind))
    (out / "encrypted.xlsx").write_bytes(encrypted(xlsx(TINY)))
    (out / "macros.xlsm").write_bytes(with_macros(xlsx(TINY)))
    (out / "bomb.xlsx").write_bytes(zip_bomb())
    (out / "big_10k.xlsx").write_bytes(xlsx(big_campaign_rows()))
    for name, data in office_corpus().items():
        (out / name).write_bytes(data)
    print(f"wrote {len(list(out.iterdir()))} files to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ledgers")


# --------------------------------------------------------------------------
# Shortcuts for the tests


def read(sheets: dict[str, list[list[Any]]], file_name: str = "台账.xlsx", **kwargs: Any) -> Any:
    """Write the sheets as xlsx and read them back as a ledger."""
    from lib.ingest.read import read_ledger

    merges = kwargs.pop("merges", None)
    return read_ledger(xlsx(sheets, merges=merges), file_name=file_name, **kwargs)


def problem_keys(report: Any) -> list[tuple[str, str, str, int | None, str]]:
    """A report's problems as (severity, code, sheet, row, column), in report order."""
    return [(p.severity, p.code, p.sheet, p.row, p.column) for p in report.problems]


def replace(rows: list[list[Any]], key: str, column: str, value: Any) -> list[list[Any]]:
    """A copy of a table with one cell changed (row by its first cell, column by header)."""
    out = [list(r) for r in rows]
    c = out[0].index(column)
    for r in out[1:]:
        if r[0] == key:
            r[c] = value
    return out
