"""Export and template: the layout the reader reads; export → import changes nothing."""

import io
from datetime import date

import openpyxl
import pytest

from lib import store
from lib.figures.scoresheet import neutralise
from lib.ingest import apply, export_workbook, read_ledger, template_workbook, validate
from lib.ingest.export import LAYOUT
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
    assert wb.sheetnames == ["地块", "工作组", "户", "进度", "选项"]
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
