"""Export and template: the layout the reader reads; export → import changes nothing."""

import io
from datetime import date

import openpyxl
import pytest

from lib import store
from lib.figures.scoresheet import neutralise
from lib.ingest import apply, export_workbook, main, read_ledger, template_workbook, validate
from lib.ingest.export import DATE_FORMS, LAYOUT, PURPOSE
from tests.data import make_ledgers as m


def test_export_has_the_four_sheets_with_the_reader_headers():
    wb = openpyxl.load_workbook(io.BytesIO(export_workbook(m.campaign())))
    assert wb.sheetnames == ["地块", "工作组", "户", "进度"]
    for name, columns in LAYOUT.items():
        assert [c.value for c in wb[name][1]] == [h for h, _ in columns]


def test_export_dates_are_real_dates():
    ws = openpyxl.load_workbook(io.BytesIO(export_workbook(m.campaign())))["进度"]
    cell = ws["D2"]  # Y-001 签约日期
    assert cell.value.date() == date(2023, 10, 1) and cell.number_format == "yyyy-mm-dd"


def test_export_then_import_changes_nothing():
    current = m.campaign()
    report = validate(read_ledger(export_workbook(current), file_name="导出.xlsx"), current, today=m.AS_OF)
    assert report.problems == []
    assert report.changes.empty


def test_export_then_import_into_the_database_changes_nothing(engine, demo_campaign):
    data = export_workbook(demo_campaign)
    report = validate(read_ledger(data, file_name="导出.xlsx"), None)
    assert report.ok, report.to_text()
    apply(report, engine, imported_by="t")
    again = validate(read_ledger(data, file_name="导出.xlsx"), store.load_frames(engine))
    assert again.changes.empty and again.problems == []
    assert validate(read_ledger(export_workbook(store.load_frames(engine)), file_name="x.xlsx"),
                    demo_campaign).changes.empty


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


def test_neutralised_cells_survive_the_round_trip():
    current = m.campaign()
    current.households.loc[0, "address"] = "=1+1"
    current.households.loc[1, "owner_name"] = "-陈"
    data = export_workbook(current)
    ws = openpyxl.load_workbook(io.BytesIO(data))["户"]
    assert (ws["D2"].value, ws["D2"].data_type) == ("'=1+1", "s")
    assert validate(read_ledger(data, file_name="x.xlsx"), current, today=m.AS_OF).changes.empty


def test_ambiguous_names_are_exported_as_ids():
    current = m.campaign()
    current.teams.loc[2, "name"] = current.teams.loc[1, "name"]  # two teams of 状元地块 share a name
    data = export_workbook(current)
    ws = openpyxl.load_workbook(io.BytesIO(data))["户"]
    assert [ws.cell(r, 3).value for r in range(5, 8)] == ["ninghua", "xingang", "xingang"]
    assert validate(read_ledger(data, file_name="x.xlsx"), current, today=m.AS_OF).changes.empty


def test_template_has_drop_down_lists_and_date_columns():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(m.campaign())))
    assert wb.sheetnames == ["说明", "地块", "工作组", "户", "进度", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    lists = {str(dv.sqref)[:1]: dv.formula1
             for dv in wb["户"].data_validations.dataValidation if dv.type == "list"}
    assert lists == {"B": "'选项'!$B$2:$B$3", "C": "'选项'!$A$2:$A$4", "E": "'选项'!$C$2:$C$4",
                     "F": "'选项'!$D$2:$D$6"}
    assert [c.value for c in wb["选项"]["A"][1:4]] == ["城投集团工作组", "宁化街道工作组", "新港社区突击队"]
    assert wb["进度"]["D500"].number_format == "yyyy-mm-dd"
    assert any(dv.type == "date" for dv in wb["进度"].data_validations.dataValidation)


def test_blank_template_reads_as_a_ledger_with_no_changes():
    ledger = read_ledger(template_workbook(None), file_name="模板.xlsx")
    assert [t.kind for t in ledger.tables] == ["blocks", "teams", "households", "progress"]
    assert validate(ledger, None).changes.empty


def test_template_has_a_guide_sheet_and_marks_required_headers():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(None)))
    assert [c.value for c in wb["户"][1]] == ["户号 *", "地块 *", "工作组", "房屋坐落", "房屋用途 *", "产权性质 *",
                                             "建筑面积", "被征收人", "标记"]
    assert [c.value for c in wb["进度"][1]][:2] == ["户号 *", "入户调查日期"]
    guide = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert guide[3][:4] == ["地块", PURPOSE["地块"], "名称、启动日期", "编号、区、街道、截止日期、用地面积"]
    assert guide[6][:3] == ["进度", PURPOSE["进度"], "户号"]
    assert ["日期写法", DATE_FORMS] in [row[:2] for row in guide]
    assert ["户表", "户号", "地块", "工作组", "房屋坐落", "房屋用途", "产权性质", "建筑面积", "被征收人", "标记"] in guide


def test_the_template_filled_with_three_households_imports_cleanly():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(m.campaign())))
    rows = {"户": [["N-1", "雁塔二地块", "城投集团工作组", "新路1号", "住宅", "私产", 50],
                   ["N-2", "状元地块", "宁化街道工作组", "新路2号", "杂物间", "公产", 12.5],
                   ["N-3", "zhuangyuan", "xingang", "新路3号", "非住宅", "单位产-市属", None]],
            "进度": [["N-1", date(2023, 10, 9), date(2023, 10, 12)]]}
    for sheet, values in rows.items():  # typed in from row 2, under the header, as a clerk would
        for r, row in enumerate(values, start=2):
            for c, v in enumerate(row, start=1):
                wb[sheet].cell(row=r, column=c, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    report = validate(read_ledger(buf.getvalue(), file_name="台账模板.xlsx"), m.campaign(), today=m.AS_OF)
    assert report.problems == []
    assert [n.text("zh") for n in report.notes] == ["“说明”表：说明表不是台账，已忽略。", "“选项”表：隐藏的工作表已忽略。"]
    assert report.changes.new_households == 3 and report.changes.added == {"surveyed": 1, "appraised": 1}


def test_the_command_line_writes_the_same_template(tmp_path, capsys):
    out = tmp_path / "模板.xlsx"
    assert main(["--template", str(out), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"Blank template written: {out}"

    def cells(data: bytes) -> dict:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}

    assert cells(out.read_bytes()) == cells(template_workbook(None))
