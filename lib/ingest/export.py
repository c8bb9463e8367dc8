"""Writing the ledger layout the importer reads: the export and the blank template.

Four sheets, 地块 / 工作组 / 户 / 进度, with the headers of
:data:`LAYOUT`. Blocks and teams are referred to by name (by id when a name is
ambiguous), dates are real Excel dates, and every text cell that Excel would
run as a formula (starting with = + - @) is neutralised with a leading '.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from lib import schema
from lib.schema import neutralise

if TYPE_CHECKING:
    from lib.store import Campaign

#: Sheet name -> [(header, field)], in the order written.
LAYOUT: dict[str, list[tuple[str, str]]] = {
    "地块": [("编号", "block_id"), ("名称", "name"), ("区", "district"), ("街道", "subdistrict"),
            ("启动日期", "launch_date"), ("截止日期", "deadline"), ("用地面积", "land_area_m2")],
    "工作组": [("编号", "team_id"), ("名称", "name"), ("单位", "organisation"), ("类型", "kind"),
             ("负责人", "leader"), ("地块", "block")],
    "户": [("户号", "household_id"), ("地块", "block"), ("工作组", "team"), ("房屋坐落", "address"),
          ("房屋用途", "property_type"), ("产权性质", "ownership"), ("建筑面积", "floor_area_m2"),
          ("被征收人", "owner_name"), ("标记", "flags")],
    "进度": [("户号", "household_id"), ("入户调查日期", "date_surveyed"), ("评估日期", "date_appraised"),
           ("签约日期", "date_signed"), ("封房日期", "date_sealed"), ("交房日期", "date_handed_over"),
           ("拆除日期", "date_demolished")],
}
DATE_FORMAT = "yyyy-mm-dd"
#: Fields a new row cannot do without (the validator refuses a new block, team or household lacking one);
#: the template marks their headers with *, which the reader ignores.
REQUIRED: dict[str, tuple[str, ...]] = {
    "地块": ("name", "launch_date"),
    "工作组": ("name", "block"),
    "户": ("household_id", "block", "property_type", "ownership"),
    "进度": ("household_id",),
}
#: The template's instructions sheet (the reader skips a sheet of this name).
GUIDE_SHEET = "说明"
#: What each sheet is for, as the 说明 sheet says it.
PURPOSE: dict[str, str] = {
    "地块": "每个征收地块一行：名称、启动日期（截止日期默认为启动日起第 100 天）。",
    "工作组": "每个工作组一行，写明负责的地块（填地块名称或编号）。",
    "户": "每户一行：户号、所属地块、责任工作组（填名称或编号）、房屋用途、产权性质。",
    "进度": "每户一行，各环节完成的日期；未完成的留空。只改进度时只交这一张表即可。",
}
#: One example row per sheet, in LAYOUT order.
EXAMPLES: dict[str, list[Any]] = {
    "地块": ["yanta-2", "雁塔二地块", "台江区", "宁化街道", "2023-09-16", "", 52000],
    "工作组": ["ctjt-1", "城投集团工作组", "城投集团", "工作组", "林建", "雁塔二地块"],
    "户": ["Y-001", "雁塔二地块", "城投集团工作组", "雁塔路1号", "住宅", "私产", 65.5, "陈一", "孤寡老人|上门签约"],
    "进度": ["Y-001", "2023-09-16", "2023-09-20", "2023-10-01", "", "", ""],
}
DATE_FORMS = "Excel 日期单元格，或文字 2023-09-26、2023/9/26、2023.9.26、2023年9月26日、20230926"


def export_workbook(campaign: Campaign) -> bytes:
    """The current ledger as xlsx, in the layout the importer reads (export → import changes nothing)."""
    sheets = _ledger_rows(campaign)
    return _write(sheets, campaign, template=False)


def template_workbook(campaign: Campaign | None = None) -> bytes:
    """A blank ledger: a 说明 sheet first, required headers marked *, drop-down lists and date-formatted columns.

    The data page's download and ``python -m lib.ingest --template OUT.xlsx`` both write this file.
    """
    sheets: dict[str, list[list[Any]]] = {name: [] for name in LAYOUT}
    return _write(sheets, campaign, template=True)


def guide_rows() -> list[list[Any]]:
    """The 说明 sheet: what each sheet is for, its required and optional columns, date forms, an example row."""
    rows: list[list[Any]] = [["台账模板说明"], [],
                             ["工作表", "用途", "必填列（表头带 *）", "可选列"]]
    for name, columns in LAYOUT.items():
        required = [h for h, f in columns if f in REQUIRED[name]]
        optional = [h for h, f in columns if f not in REQUIRED[name]]
        rows.append([name, PURPOSE[name], "、".join(required), "、".join(optional)])
    rows += [[], ["日期写法", DATE_FORMS], ["房屋用途", "、".join(schema.PROPERTY_TYPES)],
             ["产权性质", "、".join(schema.OWNERSHIPS)], ["标记", "、".join(schema.HOUSEHOLD_FLAGS) + "（多个用 | 分隔）"],
             ["合计行", "合计、小计行可以保留，导入时自动跳过。"], [], ["示例（每张表一行）"]]
    for name, columns in LAYOUT.items():
        rows.append([f"{name}表", *[h for h, _ in columns]])
        rows.append(["", *EXAMPLES[name]])
    return rows


def _ledger_rows(c: Campaign) -> dict[str, list[list[Any]]]:
    blocks, teams, hh = c.blocks, c.teams, c.households
    block_ids, team_ids = set(blocks["block_id"]), set(teams["team_id"])
    block_ref = {r.block_id: r.name if _unique(blocks, r.name, r.block_id, block_ids) else r.block_id
                 for r in blocks.itertuples()}
    team_block = dict(zip(teams["team_id"], teams["block_id"], strict=False))

    def team_ref(team_id: Any, block_id: str) -> Any:
        if team_id is None or (isinstance(team_id, float) and team_id != team_id):
            return None
        row = teams[teams["team_id"] == team_id]
        if row.empty:
            return team_id
        name = row["name"].iloc[0]
        local = teams[teams["block_id"] == block_id] if team_block.get(team_id) == block_id else teams
        return name if _unique(local, name, team_id, team_ids) else team_id

    out: dict[str, list[list[Any]]] = {}
    out["地块"] = [[r.block_id, r.name, r.district, r.subdistrict, _day(r.launch_date), _day(r.deadline),
                  _num(r.land_area_m2)] for r in blocks.sort_values("block_id").itertuples()]
    out["工作组"] = [[r.team_id, r.name, r.organisation, r.kind, r.leader, block_ref.get(r.block_id, r.block_id)]
                  for r in teams.sort_values("team_id").itertuples()]
    hh = hh.sort_values("household_id")
    out["户"] = [[r.household_id, block_ref.get(r.block_id, r.block_id), team_ref(r.team_id, r.block_id), r.address,
                 r.property_type, r.ownership, _num(r.floor_area_m2), r.owner_name, r.flags]
                for r in hh.itertuples()]
    date_cols = [f"date_{s}" for s in schema.STAGES]
    prog = []
    for r in hh[["household_id", *date_cols]].itertuples(index=False):
        days = [_day(d) for d in r[1:]]
        if any(d is not None for d in days):
            prog.append([r[0], *days])
    out["进度"] = prog
    return out


def _unique(frame: pd.DataFrame, name: Any, own_id: str, ids: set[str]) -> bool:
    """A name identifies a row when no other row in scope shares it and it is no other row's id."""
    if not name:
        return False
    return int((frame["name"] == name).sum()) == 1 and (name not in ids or name == own_id)


def _day(v: Any) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date()
    return v


def _num(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return float(v)


def _write(sheets: dict[str, list[list[Any]]], campaign: Campaign | None, *, template: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    template_rows = 1000
    if template:
        guide = wb.create_sheet(GUIDE_SHEET)
        for row in guide_rows():
            guide.append([neutralise(v) for v in row])
        guide["A1"].font = Font(bold=True, size=14)
        for cell in guide[3]:
            cell.font, cell.fill = bold, fill
        for letter, width in zip("ABCD", (12, 60, 36, 60), strict=False):
            guide.column_dimensions[letter].width = width
    for name, columns in LAYOUT.items():
        ws = wb.create_sheet(name)
        ws.append([f"{h} *" if template and f in REQUIRED[name] else h for h, f in columns])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            if template and cell.value.endswith(" *"):
                cell.font = Font(bold=True, color="C00000")
        for row in sheets[name]:
            ws.append([neutralise(v) for v in row])
        last = max(ws.max_row, template_rows + 1 if template else 2)
        for i, (header, f) in enumerate(columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(10, 2 * len(header) + 4)
            if f.startswith("date_") or f in ("launch_date", "deadline"):
                for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                    cell.number_format = DATE_FORMAT
                if template:
                    dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)",
                                        allow_blank=True, showErrorMessage=True,
                                        errorTitle="日期", error="请填写日期，如 2023-09-26")
                    dv.add(f"{letter}2:{letter}{last}")
                    ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    if template:
        _add_lists(wb, campaign, template_rows + 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _add_lists(wb: Any, campaign: Campaign | None, last: int) -> None:
    """Drop-down lists; long ones live on a hidden 选项 sheet (inline lists stop at 255 characters)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    teams = sorted(dict.fromkeys(campaign.teams["name"])) if campaign is not None and len(campaign.teams) else []
    blocks = sorted(dict.fromkeys(campaign.blocks["name"])) if campaign is not None and len(campaign.blocks) else []
    lists = {"工作组": teams, "地块": blocks, "房屋用途": list(schema.PROPERTY_TYPES),
             "产权性质": list(schema.OWNERSHIPS), "类型": list(schema.TEAM_KINDS)}
    opt = wb.create_sheet("选项")
    opt.sheet_state = "hidden"
    ranges = {}
    for i, (title, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(i)
        opt.cell(row=1, column=i, value=f"{title}选项")
        for j, v in enumerate(values, start=2):
            opt.cell(row=j, column=i, value=neutralise(v))
        ranges[title] = f"'选项'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
    targets = [("户", "工作组", 3), ("户", "地块", 2), ("户", "房屋用途", 5), ("户", "产权性质", 6),
               ("工作组", "类型", 4), ("工作组", "地块", 6)]
    for sheet, title, col in targets:
        if not lists[title]:
            continue
        letter = get_column_letter(col)
        dv = DataValidation(type="list", formula1=ranges[title], allow_blank=True, showErrorMessage=True,
                            errorTitle=title, error=f"请从列表中选择{title}")
        dv.add(f"{letter}2:{letter}{last}")
        wb[sheet].add_data_validation(dv)
