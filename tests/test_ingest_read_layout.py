"""Reading: where district offices put the header, and what they put around the data."""

from datetime import date, datetime

import pytest

from lib.ingest import read_ledger, validate
from tests.data import make_ledgers as m


def test_merged_title_rows_above_the_header():
    rows = [["台江区旧改征收进度台账", None], ["填报单位：宁化街道", None], *m.PROGRESS]
    ledger = m.read({"进度": rows}, merges={"进度": ["A1:G1", "A2:G2"]})
    assert ledger.tables[0].rows.tolist() == [4, 5, 6, 7, 8, 9]


def test_as_of_day_from_the_title():
    rows = [["状元地块签约情况（截至2023年11月7日）"], *m.PROGRESS]
    assert m.read({"进度": rows}).as_of == date(2023, 11, 7)


def test_as_of_day_from_the_file_name():
    assert m.read({"进度": m.PROGRESS}, file_name="进度台账_20231106.xlsx").as_of == date(2023, 11, 6)


def test_as_of_given_by_the_caller_wins():
    rows = [["截至2023年11月7日"], *m.PROGRESS]
    assert m.read({"进度": rows}, as_of=date(2023, 11, 1)).as_of == date(2023, 11, 1)


def test_two_level_merged_headers():
    rows = [
        ["户号", "进度日期", None, None],
        [None, "签约", "封房", "交房"],
        ["Y-001", date(2023, 10, 1), date(2023, 10, 10), None],
    ]
    ledger = m.read({"进度": rows}, merges={"进度": ["A1:A2", "B1:D1"]})
    table = ledger.tables[0]
    assert table.headers == {"household_id": "户号", "date_signed": "签约", "date_sealed": "封房",
                             "date_handed_over": "交房"}
    assert table.rows.tolist() == [3]


def test_two_level_header_joined_from_both_levels():
    rows = [["户号", "签约", "封房"], [None, "日期", "日期"], ["Y-001", date(2023, 10, 1), None]]
    table = m.read({"进度": rows}, merges={"进度": ["A1:A2"]}).tables[0]
    assert set(table.headers) == {"household_id", "date_signed", "date_sealed"}


def test_district_office_workbook_imports_cleanly():
    ledger = read_ledger(m.district_office_workbook(), file_name="台账.xlsx")
    assert [t.kind for t in ledger.tables] == ["households", "progress"]
    assert ledger.tables[0].rows.tolist() == [4, 5, 6, 8, 9, 10]
    assert ledger.tables[0].frame["block"].tolist() == ["雁塔二地块"] * 3 + ["状元地块"] * 3
    report = validate(ledger, m.campaign(with_progress=False))
    assert report.problems == []
    assert report.changes.added == {"surveyed": 6, "appraised": 5, "signed": 4, "sealed": 3}


def test_header_aliases_and_units_map_to_one_field():
    rows = [["房屋编号", "签约时间", "搬迁日期（年/月/日）", "评估完成日期"], ["Y-001", "2023-10-01", "2023-10-10", None]]
    table = m.read({"Sheet1": rows}).tables[0]
    assert table.headers == {"household_id": "房屋编号", "date_signed": "签约时间",
                             "date_sealed": "搬迁日期（年/月/日）", "date_appraised": "评估完成日期"}


def test_serial_number_column_is_dropped():
    rows = [["序号", *m.PROGRESS[0]], *[[i, *r] for i, r in enumerate(m.PROGRESS[1:], 1)]]
    table = m.read({"进度": rows}).tables[0]
    assert "序号" not in table.headers.values()
    assert table.frame["household_id"].tolist()[0] == "Y-001"


def test_blank_rows_total_row_and_notes_are_skipped():
    rows = [m.PROGRESS[0], m.PROGRESS[1], [None] * 7, m.PROGRESS[2], ["合计", 2, 2, 2, 2, None, None],
            ["制表人：张三"]]
    assert m.read({"进度": rows}).tables[0].rows.tolist() == [2, 4]


def test_repeated_header_inside_the_data_is_skipped():
    rows = [m.PROGRESS[0], m.PROGRESS[1], m.PROGRESS[0], m.PROGRESS[2]]
    assert m.read({"进度": rows}).tables[0].rows.tolist() == [2, 4]


def test_progress_split_over_one_sheet_per_block():
    sheets = {"雁塔二地块": m.PROGRESS[:4], "状元地块": [m.PROGRESS[0], *m.PROGRESS[4:]]}
    ledger = m.read(sheets)
    assert [(t.kind, t.sheet) for t in ledger.tables] == [("progress", "雁塔二地块"), ("progress", "状元地块")]
    report = validate(ledger, m.campaign(with_progress=False), today=m.AS_OF)
    assert report.problems == []
    assert report.changes.added["signed"] == 4


def test_households_and_progress_in_one_sheet():
    rows = [["户号", "地块", "房屋用途", "产权性质", "签约日期"], ["N-1", "状元地块", "住宅", "私产", "2023/10/30"]]
    ledger = m.read({"Sheet1": rows})
    assert [t.kind for t in ledger.tables] == ["households", "progress"]
    report = validate(ledger, m.campaign(), today=m.AS_OF)
    assert report.problems == []
    assert report.changes.new_households == 1 and report.changes.added == {"signed": 1}


def test_formulas_are_read_as_their_cached_values():
    rows = [["户号", "评估日期", "签约日期"], ["Y-001", date(2023, 9, 20), "=B2+11"]]
    data = m.with_cached_formulas(m.xlsx({"进度": rows}), 0, {"C2": 45200})
    frame = read_ledger(data, file_name="f.xlsx").tables[0].frame
    assert frame["date_signed"].tolist() == [45200]
    report = validate(read_ledger(data, file_name="f.xlsx"), m.campaign(with_progress=False), today=m.AS_OF)
    assert report.milestones.query("stage == 'signed'")["date"].tolist() == [date(2023, 10, 1)]


def test_hidden_sheets_are_ignored_with_a_note():
    ledger = read_ledger(m.xlsx({"进度": m.PROGRESS, "旧": m.PROGRESS}, hidden=("旧",)), file_name="h.xlsx")
    assert [t.sheet for t in ledger.tables] == ["进度"]
    assert any(n.sheet == "旧" and "隐藏" in n.message_zh for n in ledger.notes)


def test_unknown_columns_are_listed_in_a_note():
    rows = [["户号", "签约日期", "联系电话"], ["Y-001", "2023-10-01", "13800000000"]]
    ledger = m.read({"进度": rows})
    assert "联系电话" not in ledger.tables[0].headers.values()
    assert any("联系电话" in n.message_zh for n in ledger.notes)


def test_a_sheet_without_a_header_is_skipped_with_a_note():
    ledger = m.read({"说明": [["本表由指挥部统一下发"], ["请于每日18时前报送"]], "进度": m.PROGRESS})
    assert [t.sheet for t in ledger.tables] == ["进度"]
    assert any(n.sheet == "说明" for n in ledger.notes)


def test_ids_typed_as_numbers_read_as_text():
    rows = [["户号", "签约日期"], [101, datetime(2023, 10, 1, 9, 30)]]
    report = validate(m.read({"进度": rows}), m.campaign(), today=m.AS_OF)
    assert [p.message_en for p in report.problems] == [
        "Sheet '进度', row 2, column '户号': household '101' does not exist "
        "(neither in the 户 sheet nor in the current data)."
    ]


def test_a_real_row_mentioning_a_total_is_kept():
    rows = [["户号", "房屋坐落", "房屋用途", "产权性质"], ["Y-001", "合计路1号", "住宅", "私产"], [None, "合计", None, None]]
    assert m.read({"户": rows}).tables[0].rows.tolist() == [2]


@pytest.mark.parametrize("label, column", [
    ("合 计", 0), ("合\u3000计", 0), ("ＴＯＴＡＬ", 0), ("小计", 1), ("雁塔二地块小计", 2), ("共计：", 0), ("汇总", 3),
    ("合计（户）", 0),
])
def test_a_totals_label_in_any_column_skips_the_row_with_a_note(label, column):
    header = ["序号", "户号", "地块", "房屋坐落", "签约日期"]
    total = [None, 2, None, None, 1]  # a count under 户号 and under the date
    total[column] = label
    rows = [header, [1, "Y-001", "雁塔二地块", "雁塔路1号", "2023-10-01"], total,
            [2, "Y-002", "雁塔二地块", "雁塔路2号", None]]
    ledger = m.read({"户": rows})
    assert ledger.tables[0].rows.tolist() == [2, 4]
    assert [n.text("zh") for n in ledger.notes] == [f"“户”表第 3 行为合计行，已跳过（“{header[column]}”列为“{label}”）。"]
    assert [n.text("en") for n in ledger.notes] == [
        f"Sheet '户', row 3 is a totals row, skipped (column '{header[column]}' reads '{label}')."]


def test_a_household_whose_address_is_a_totals_word_keeps_its_row():
    rows = [["户号", "房屋坐落", "房屋用途", "产权性质"], ["Y-001", "合计", "住宅", "私产"], ["Y-002", "总计巷2号", "住宅", "私产"]]
    ledger = m.read({"户": rows})
    assert ledger.tables[0].rows.tolist() == [2, 3] and ledger.notes == []
